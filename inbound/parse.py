"""Parse raw message bytes into the few facts the service needs. Pure: no I/O.

Robust before all else: mail from the internet is malformed in every way (broken
MIME, unknown charsets, undecodable headers). Every step here degrades to "unknown"
instead of raising, and what could not be understood is listed in ``problems``.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import email.utils
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from functools import lru_cache

from inbound.html_text import html_to_text
from inbound.people import Address, parse_addresses

log = logging.getLogger(__name__)

# Tried in order when a part's declared charset is missing, unknown or wrong.
# cp1252 is what most mislabelled "iso-8859-1" and unlabelled Western mail really is.
_FALLBACK_CHARSETS = ("utf-8", "cp1252")


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


_REGISTRY = HeaderRegistry()


# The email package's header parser takes seconds and gigabytes on a header of a few
# hundred kilobytes (bench/fuzz_parse.py), and a message may be 25 MiB: a value is read
# only this far. Real headers are far shorter; a To of a hundred addresses fits.
MAX_HEADER_VALUE = 8192
_CACHED_VALUE = 1024  # longer values are parsed each time, not kept


def _header(name: str, value: str) -> BaseHeader:
    if len(value) > _CACHED_VALUE:
        return _REGISTRY(name, value[:MAX_HEADER_VALUE])
    return _cached_header(name, value)


@lru_cache(maxsize=4096)
def _cached_header(name: str, value: str) -> BaseHeader:
    # The default policy parses a header anew on every access, and the classifier reads
    # several headers more than once: this keeps one parse per header value.
    return _REGISTRY(name, value)


POLICY = email.policy.default.clone(header_factory=_header)


# Real mail nests MIME parts a few levels deep. The email package recurses once per level,
# to parse and to walk the parts, so a deeper tree is hostile and could raise RecursionError:
# such a message is read for its headers only.
MAX_DEPTH = 100


def parse(raw: bytes) -> Parsed:
    """Parse ``raw`` (any bytes at all) into a ``Parsed``; never raises."""
    problems: list[str] = []
    message = _message(raw, problems)
    to, bad_to = parse_addresses(header_text(message, "To"))
    cc, bad_cc = parse_addresses(header_text(message, "Cc"))
    from_list, bad_from = parse_addresses(header_text(message, "From"))
    sender_list, _ = parse_addresses(header_text(message, "Sender"))
    problems += [f"invalid address {a!r}" for a in bad_to + bad_cc + bad_from]
    text = body_text(message, problems)
    return Parsed(
        message=message,
        message_id=_first_id(header_text(message, "Message-ID")),
        subject=" ".join(header_text(message, "Subject").split()),
        date=_date(header_text(message, "Date")),
        from_=from_list[0] if from_list else None,
        sender=sender_list[0] if sender_list else None,
        to=to,
        cc=cc,
        in_reply_to=message_ids(header_text(message, "In-Reply-To")),
        references=message_ids(header_text(message, "References")),
        text=text,
        problems=tuple(problems),
    )


def _message(raw: bytes, problems: list[str]) -> EmailMessage:
    try:
        message = email.message_from_bytes(raw, policy=POLICY)
        if _depth(message) <= MAX_DEPTH:
            assert isinstance(message, EmailMessage)
            return message
    except RecursionError:
        pass
    problems.append(f"MIME parts nested more than {MAX_DEPTH} deep: body not read")
    message = email.parser.BytesParser(policy=POLICY).parsebytes(raw, headersonly=True)
    assert isinstance(message, EmailMessage)
    return message


def _depth(message: Message) -> int:
    """How deep the MIME tree goes, without recursion."""
    deepest, stack = 0, [(message, 0)]
    while stack and deepest <= MAX_DEPTH:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        if part.is_multipart():  # a list of parts; get_payload() of a leaf may decode, and fail
            stack.extend((child, depth + 1) for child in part.get_payload() if isinstance(child, Message))
    return deepest


def header_text(message: Message, name: str) -> str:
    """A header's decoded value(s) as text, joined by commas; "" when absent or unreadable."""
    try:
        values = message.get_all(name) or []
        # NUL never belongs in a header, and PostgreSQL text cannot store it.
        return ", ".join(str(v) for v in values).replace("\x00", "")
    except Exception:  # the header parser can fail on hostile input in many ways
        try:
            raw = message.get_all(name, failobj=[])
            return ", ".join(v if isinstance(v, str) else repr(v) for v in raw)
        except Exception:
            return ""


def message_ids(value: str) -> tuple[str, ...]:
    """The <id> tokens in an In-Reply-To or References value, without brackets."""
    ids = []
    for token in value.replace(">", "> ").split():
        token = token.strip(",")
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            ids.append(token[1:-1])
    return tuple(ids)


def _first_id(value: str) -> str | None:
    found = message_ids(value)
    if found:
        return found[0]
    text = "".join(value.split()).strip("<>")
    return text or None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # RFC 5322 "-0000" means the zone is unknown; UTC is the honest reading.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def body_text(message: EmailMessage, problems: list[str]) -> str:
    """The message's text: its text/plain body, else its HTML body as text, else ""."""
    part: Message | None
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception as e:
        problems.append(f"unreadable MIME structure: {e}")
        part = None
    if part is None:
        part = _first_text_part(message)
    if part is None:
        return ""
    text = decode_part(part, problems)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _first_text_part(message: Message) -> Message | None:
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html"):
            return part
    return None


def decode_part(part: Message, problems: list[str]) -> str:
    """A text part's payload as str, trying its charset and then the fallbacks."""
    try:
        payload = part.get_payload(decode=True)
    except Exception as e:
        problems.append(f"undecodable body: {e}")
        return ""
    if not isinstance(payload, bytes):
        return ""
    declared = part.get_content_charset() or ""
    for charset in (declared, *_FALLBACK_CHARSETS):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, ValueError):  # UnicodeError (idna, punycode raise it bare), NUL in the name
            continue
    problems.append(f"body not in its declared charset {declared!r}")
    return payload.decode("utf-8", errors="replace")
