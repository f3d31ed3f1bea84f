"""Parse raw message bytes into the few facts the service needs. Pure: no I/O.

Robust before all else: mail from the internet is malformed in every way (broken
MIME, unknown charsets, undecodable headers). Every read goes through the tolerant
reader (inbound.understanding.mime) and degrades to "unknown" instead of raising; what
could not be understood is listed in ``problems``.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from inbound.understanding import mime
from inbound.understanding.people import people
from intro.addresses import Address


@dataclass(frozen=True)
class Parsed:
    message: EmailMessage  # the parsed message, for header checks (bounces, auto-replies)
    message_id: str | None
    subject: str
    date: datetime | None  # aware; None when missing or unreadable
    from_: Address | None
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str  # the body as plain text (HTML converted), quotes and all
    problems: tuple[str, ...] = field(default=())  # what could not be understood, for the record

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc


def parse(raw: bytes, max_parts: int = mime.MAX_MIME_PARTS) -> Parsed:
    """Parse ``raw`` (any bytes at all) into a ``Parsed``; never raises. At most
    ``max_parts`` MIME parts are read ([smtp] max_mime_parts)."""
    problems: list[str] = []
    message = mime.read(raw, problems, max_parts)
    to, bad_to = people(message, "To")
    cc, bad_cc = people(message, "Cc")
    from_list, bad_from = people(message, "From")
    sender_list, _ = people(message, "Sender")
    problems += [f"invalid address {a!r}" for a in bad_to + bad_cc + bad_from]
    text = mime.body_text(message, problems)
    return Parsed(
        message=message,
        message_id=mime.message_id(mime.header(message, "Message-ID")),
        subject=" ".join(mime.header_text(message, "Subject").split()),
        date=_date(mime.header(message, "Date")),
        from_=from_list[0] if from_list else None,
        sender=sender_list[0] if sender_list else None,
        to=to,
        cc=cc,
        in_reply_to=mime.message_ids(mime.header_text(message, "In-Reply-To")),
        references=mime.message_ids(mime.header_text(message, "References")),
        text=text,
        problems=tuple(problems),
    )


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # RFC 5322 "-0000" means the zone is unknown; UTC is the honest reading.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
