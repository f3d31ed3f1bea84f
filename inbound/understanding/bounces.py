"""Recognise delivery status notifications: RFC 3464 DSNs and the common non-standard bounces.

A standard DSN is recognised by its structure alone. A non-standard one (Exchange
"Undeliverable:", qmail "failure notice", Exim, Gmail "Address not found", ...) needs a
header only mail systems write, or two independent signs out of: a bounce subject, a
mail-system sender, bounce wording in the text. A person who forwards or quotes a bounce
shows at most one of those (their own name, a "Fwd:" subject), so it stays theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from inbound.understanding.dsn import LOOSE_ADDRESS, STATUS, report
from inbound.understanding.mime import address_pairs, clean, has_header, header, notification_text


@dataclass(frozen=True)
class Bounce:
    reason: str
    failed_recipients: tuple[str, ...] = ()
    permanent: bool | None = None  # True: failed (5.x.x, given up); False: delayed (4.x.x); None: unknown


# Headers only mail systems write on non-delivery reports: Exim and Gmail list the failed
# recipients; Exchange marks its NDRs (and once did with X-DSNContext).
_NDR_HEADERS = ("X-Failed-Recipients", "X-MS-Exchange-Message-Is-Ndr", "X-DSNContext")

# Subjects that mail systems give bounces, anchored at the start: a person's "Re:" or
# "Fwd:" of a bounce does not match. Leading "[tag]"s are what list and gateway software add.
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:"
    r"undeliver(?:able|ed)\b|non[- ]?deliver|failure (?:notice|delivery)|returned mail\b|failed mail\b"
    r"|(?:mail |message )?delivery (?:status notification|notification|report|failure|failed|has failed"
    r"|problem|delayed|warning)"
    r"|(?:mail|message) (?:delivery (?:failed|failure|problem|warning)|not delivered|could not be delivered|failed"
    r"|delayed|system error|error\b)"
    r"|permanent delivery failure|delayed mail\b|warning: message .{0,40}(?:delayed|not yet been delivered)"
    r"|address not found|automatically rejected mail|your message to \S+ could not be delivered"
    # Exchange's NDR subject prefix in German, French, Spanish, Dutch, Italian, Portuguese.
    r"|unzustellbar|non remis|no se puede entregar|onbestelbaar|non recapitabile|não é possível entregar"
    r")",
    re.IGNORECASE,
)
# Who sends bounces (RFC 5321 section 4.5.5: the null reverse-path, and by convention these names).
_DAEMONS = r"mailer[-_.]?daemon|mail[-_.]?daemon"
_MAILER_DAEMON = re.compile(rf"^(?:{_DAEMONS})$", re.IGNORECASE)
_DAEMON_LOCAL = re.compile(rf"^(?:{_DAEMONS}|postmaster|mdaemon|mail\.delivery\.system)$", re.IGNORECASE)
_DAEMON_NAME = re.compile(r"mail delivery (?:system|subsystem|service)|mailer[- ]daemon|^postmaster$"
                          r"|delivery subsystem|^system administrator$", re.I)
# What the notification text of a bounce says.
_BOUNCE_TEXT = re.compile(
    r"(?:could(?:n't| not)|cannot|can't) be delivered|was(?:n't| not) delivered|(?:could|was) not deliver"
    r"|(?:unable|not able) to deliver|(?:was|has been) (?:rejected|postponed)|continue to try"
    r"|undeliverable|undelivered|delivery (?:to the following recipients? (?:failed|was aborted)|has failed"
    r"|failed|problem|has been delayed|is delayed|status notification)"
    r"|permanent (?:error|failure|fatal)|temporary (?:error|failure)|given up|still being retried"
    r"|not yet been delivered|following (?:address(?:es|\(es\))?|recipients?) (?:had|has|failed|could)"
    r"|did not reach (?:some or all of )?the intended recipient|returned mail|mail delivery (?:failed|software)"
    r"|this is the (?:qmail-send program|mail system at host)|i'm sorry to have to inform you"
    r"|user unknown|unknown user|no such (?:user|mailbox|recipient)|mailbox (?:is )?(?:full|unavailable)"
    r"|address not found|recipient address rejected",
    re.IGNORECASE,
)
# Whether a non-standard bounce is final: words that say so beat status codes, because a
# queue that gives up after days of 4.x.x answers is final, and a delay warning may say
# "could not be delivered" (Postfix: "for more than 4 hours").
_GAVE_UP = re.compile(r"given up|not going to try again|permanent (?:error|failure|fatal)|failed permanently"
                      r"|delivery failure|in the queue too long|after \d+ attempt", re.IGNORECASE)
_DELAY = re.compile(r"\bdelay|still being retried|not yet been delivered|will (?:continue to |be )?(?:try|retr)"
                    r"|will continue to be made|warning only|postponed", re.IGNORECASE)
_FAILED = re.compile(r"user unknown|unknown user|no such|does not exist|not found|(?:could|can)(?:n't| ?not) be"
                     r" delivered|undeliver|not delivered|non-?delivery|failed|failure|returned|rejected", re.I)

# Where the returned original starts in a plain-text bounce; its addresses are not failures.
_RETURNED = re.compile(
    r"^[ \t>*=-]*(?:(?:this is |here is |a )?(?:a )?copy of (?:the |your )?(?:original )?message|original message"
    r"|(?:the )?(?:returned|undelivered) (?:mail|message)|below (?:this|the next) line is a copy"
    r"|message headers follow|start of returned message|included is a copy|header of the (?:original|source)"
    r"|-+ ?(?:original|returned))",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(r"^\s*(?:from|to|cc|reply-to|sender|return-path|received|message-id|in-reply-to|references"
                          r"|date|delivered-to|errors-to|list-[\w-]+|content-[\w-]+|x-[\w-]+)\s*:", re.IGNORECASE)
# An address in free text; \w takes in RFC 6531 UTF-8 local parts and domains whole.
_ADDRESS = re.compile(r"[\w.%+=!#$&'*/?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_SMTP_PREFIX = re.compile(r"^smtp=", re.IGNORECASE)
_MAX_RECIPIENTS = 50


def bounce(msg: Message, null_sender: bool) -> Bounce | None:
    """A Bounce if ``msg`` is a delivery status notification, else None.

    ``null_sender`` is True when the envelope sender is ``<>``, as RFC 5321 section 4.5.5
    requires of bounces (some MTAs relay them with a sender, so it is only one sign).
    """
    dsn = _dsn(msg)
    if dsn is not None:
        return dsn
    reason = _nonstandard(msg, null_sender)
    if reason is None:
        return None
    text = notification_text(msg)
    return Bounce(reason, _text_recipients(msg, text), _permanent(header(msg, "Subject"), text))


def _dsn(msg: Message) -> Bounce | None:
    found = report(msg)
    if found is None:
        return None
    reason = (f"DSN (multipart/report; report-type={found.report_type})" if found.report_type
              else "DSN (message/delivery-status part)")
    if found.failed:
        return Bounce(reason, _unique(found.failed), True)
    if found.delayed:
        return Bounce(reason, _unique(found.delayed), False)
    if found.succeeded:  # a success report (RFC 3461 NOTIFY=SUCCESS): automatic, but nothing failed
        return Bounce(f"{reason}, no failures")
    # No readable per-recipient fields: read the text like a non-standard bounce.
    text = notification_text(msg)
    return Bounce(reason, _text_recipients(msg, text), _permanent(header(msg, "Subject"), text))


def _nonstandard(msg: Message, null_sender: bool) -> str | None:
    for name in _NDR_HEADERS:
        if has_header(msg, name):
            return f"{name} header"
    for _, address in address_pairs(msg, "From"):
        # No person is called MAILER-DAEMON (postmaster is a person's role, so it is only a sign).
        if _MAILER_DAEMON.match(address.rpartition("@")[0]):
            return f"sender {clean(address)}"
    subject = header(msg, "Subject")
    signs = []
    if _BOUNCE_SUBJECT.search(subject):
        signs.append(f"subject {subject[:60]!r}")
    sender = _daemon_sender(msg)
    if sender:
        signs.append(f"sender {sender}")
    elif null_sender:
        signs.append("null envelope sender")
    if signs and _BOUNCE_TEXT.search(notification_text(msg, 5000)):
        signs.append("bounce wording")
    return "non-standard bounce: " + ", ".join(signs) if len(signs) >= 2 else None


def _daemon_sender(msg: Message) -> str | None:
    for name, address in address_pairs(msg, "From"):
        if _DAEMON_LOCAL.match(address.rpartition("@")[0]) or _DAEMON_NAME.search(name.strip()):
            return clean(address or name)
    return None


def _permanent(subject: str, text: str) -> bool | None:
    text = text[:5000]
    if _DELAY.search(subject):
        return False
    if _GAVE_UP.search(text):
        return True
    if _DELAY.search(text):
        return False
    classes = {m.group(1) for m in STATUS.finditer(text)}
    if "5" in classes or "4" in classes:
        return "5" in classes
    return True if _FAILED.search(subject) or _FAILED.search(text) else None


def _text_recipients(msg: Message, text: str) -> tuple[str, ...]:
    """Failed addresses: X-Failed-Recipients (Exim, Gmail), else those the notification names.

    Only the text above the returned original counts, header-like lines are skipped, and
    the bounce's own sender and recipients (us) and mail-system addresses are left out.
    """
    listed = [a.lower() for _, a in address_pairs(msg, "X-Failed-Recipients") if LOOSE_ADDRESS.fullmatch(a)]
    if listed:
        return _unique(listed)
    known = {a.lower() for name in ("From", "To", "Cc", "Sender", "Reply-To", "Return-Path")
             for _, a in address_pairs(msg, name)}
    cut = _RETURNED.search(text)
    found = []
    for line in (text[: cut.start()] if cut else text).splitlines():
        if _HEADER_LINE.match(line):
            continue
        for match in _ADDRESS.finditer(line):
            # Exchange writes "SMTP=user@example.com"; quotes and dots around an address are punctuation.
            address = _SMTP_PREFIX.sub("", match.group(0).strip(".'")).lower()
            if address not in known and not _DAEMON_LOCAL.match(address.partition("@")[0]):
                found.append(address)
    return _unique(found)


def _unique(found: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(found))[:_MAX_RECIPIENTS]
