"""Reading a possibly malformed message without ever raising: headers, parts, text.

The one MIME reader of the service: every header, Message-ID, part and text that
anything reads from a received message is read here. Inbound mail is whatever the
Internet sends, and ``email.policy.default`` parses header values lazily, so a broken
address list or an unknown charset raises only when the header or the part is read;
every read here falls back to the raw value, or to nothing, instead.
"""

from __future__ import annotations

import email
import email.parser
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import getaddresses
from functools import lru_cache

from inbound.understanding.html_text import html_to_text

# Real mail nests MIME parts a few levels deep. The email package recurses once per level,
# to parse and to walk the parts, so a deeper tree is hostile and could raise
# RecursionError: such a message is read for its headers only, and no walk goes deeper.
MAX_DEPTH = 100
# A message with more parts than this is hostile or broken; what matters is near the top.
MAX_PARTS = 200
# Enough of a body to find a bounce's notification text, without scanning a returned
# 25 MB attachment or a pathological quote.
MAX_TEXT = 20_000
# The email package's header parser takes seconds and gigabytes on a header of a few
# hundred kilobytes (bench/fuzz_parse.py), and a message may be 25 MiB: a value is read
# only this far. Real headers are far shorter; a To of a hundred addresses fits.
MAX_HEADER_VALUE = 8192
_CACHED_VALUE = 1024  # longer values are parsed each time, not kept
# RFC 5322 2.1.1: the longest line a header value can fill; a longer Message-ID names nothing reliably.
_MAX_ID = 998
# What is parsed of a message at most (the rest stays stored, not parsed): the header block
# this far, parts up to the max_parts-th boundary, and this much of the whole. What
# classification reads (the headers, the text, a forwarded block) is near the top; a
# 25 MiB message of 440,000 parts, or of a million header lines, otherwise costs the
# email package minutes and gigabytes.
MAX_HEADER_BLOCK = 256 * 1024
MAX_PARSED = 4 * 1024 * 1024
MAX_MIME_PARTS = 1_000
# The body text classification reads, in characters: an introduction is a few paragraphs.
MAX_BODY_TEXT = 100_000
_BOUNDARY_LINE = re.compile(rb"\n--")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# Tried in order when a part's declared charset is missing, unknown or wrong. cp1252 is
# what most mislabelled "iso-8859-1" and unlabelled Western mail really is.
_FALLBACK_CHARSETS = ("utf-8", "cp1252")

_FOLD = re.compile(r"\r?\n[ \t]*")
_REGISTRY = HeaderRegistry()


def _header(name: str, value: str) -> BaseHeader:
    if len(value) > _CACHED_VALUE:
        return _REGISTRY(name, value[:MAX_HEADER_VALUE])
    return _cached_header(name, value)


@lru_cache(maxsize=4096)
def _cached_header(name: str, value: str) -> BaseHeader:
    # The default policy parses a header anew on every access, and the classifier reads
    # several headers more than once: this keeps one parse per header value.
    return _REGISTRY(name, value)


POLICY = default_policy.clone(header_factory=_header)
_HEADER_BLOCK = email.parser.BytesHeaderParser(policy=compat32)


# --- whole messages ---------------------------------------------------------------------

def read(raw: bytes, problems: list[str], max_parts: int = MAX_MIME_PARTS) -> EmailMessage:
    """``raw`` (any bytes) as a message, as much of it as ``bounded`` keeps; one nested past
    MAX_DEPTH is read for its headers only."""
    raw = bounded(raw, problems, max_parts)
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


def headers_too_long(raw: bytes) -> bool:
    """Whether the header block of ``raw`` goes past MAX_HEADER_BLOCK."""
    return _HEADER_END.search(raw, 0, MAX_HEADER_BLOCK + 4) is None and len(raw) > MAX_HEADER_BLOCK


def bounded(raw: bytes, problems: list[str], max_parts: int = MAX_MIME_PARTS) -> bytes:
    """The part of ``raw`` that is parsed: its header block up to MAX_HEADER_BLOCK, then its
    body up to the ``max_parts``-th line that may be a MIME boundary and to MAX_PARSED in
    all. What is cut is said in ``problems``; the stored message keeps every byte."""
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BLOCK + 4)
    if end is None and len(raw) > MAX_HEADER_BLOCK:
        # At a line's end when one is near, else within a value (which is read only to
        # MAX_HEADER_VALUE anyway): one long To keeps its first addresses.
        cut = raw.rfind(b"\n", MAX_HEADER_BLOCK // 2, MAX_HEADER_BLOCK) + 1 or MAX_HEADER_BLOCK
        problems.append(f"header block longer than {MAX_HEADER_BLOCK // 1024} KiB: the rest of the message not read")
        return raw[:cut].rstrip(b"\r\n") + b"\r\n\r\n"
    limit = min(len(raw), MAX_PARSED)
    if limit < len(raw):
        problems.append(f"longer than {MAX_PARSED // (1024 * 1024)} MiB: the rest not read")
    if max_parts:
        for n, boundary in enumerate(_BOUNDARY_LINE.finditer(raw, end.end() if end else 0, limit)):
            if n == max_parts:
                problems.append(f"more than {max_parts} MIME parts: the rest not read")
                limit = boundary.start() + 1
                break
    return raw if limit == len(raw) else raw[:limit]


def _depth(message: Message) -> int:
    """How deep the MIME tree goes, without recursion."""
    deepest, stack = 0, [(message, 0)]
    while stack and deepest <= MAX_DEPTH:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        if part.is_multipart():  # a list of parts; get_payload() of a leaf may decode, and fail
            stack.extend((child, depth + 1) for child in part.get_payload() if isinstance(child, Message))
    return deepest


def header_block(raw: bytes) -> Message:
    """Only the header block of ``raw``, read leniently (compat32), for what must be known
    before the 250: the Message-ID, the Return-Path, the From a signature covers."""
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BLOCK + 4)
    # No further than MAX_HEADER_BLOCK: a million header lines cost the parser seconds and
    # hundreds of MiB, before the 250 and again to check a signature.
    block = raw[:end.start()] if end else raw[:MAX_HEADER_BLOCK]
    try:
        return _HEADER_BLOCK.parsebytes(block)
    except Exception:  # this runs before the 250: no input may stop a message being stored
        return Message()


# An imported message's envelope sender when it left no trace (no Return-Path).
UNKNOWN_SENDER = "<unknown>"


def envelope_id(raw: bytes) -> str | None:
    """The Message-ID of ``raw`` as it is stored and de-duplicated on, read before the 250."""
    return message_id(header(header_block(raw), "Message-ID"))


def return_path(raw: bytes) -> str:
    """The envelope sender a delivering MTA recorded (RFC 5321 4.4), or UNKNOWN_SENDER."""
    found = headers(header_block(raw), "Return-Path")
    return "".join(found[0].split()).strip("<>") if found else UNKNOWN_SENDER


# --- headers ------------------------------------------------------------------------------

def clean(text: str) -> str:
    """Make ``text`` safe to store and log: undecodable bytes become U+FFFD, NUL goes.

    Undecodable header bytes arrive as lone surrogates (``surrogateescape``), which cannot
    be encoded as UTF-8 later on; PostgreSQL text cannot hold NUL.
    """
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    return text.replace("\x00", "")


def headers(msg: Message, name: str) -> list[str]:
    """Every value of header ``name``, decoded and unfolded; [] when absent or unreadable."""
    try:
        return [clean(_FOLD.sub(" ", str(v))).strip() for v in msg.get_all(name) or []]
    except Exception:  # a defective header must not stop classification
        pass
    # The header parser gave up: read the raw values and decode RFC 2047 words by hand.
    values = []
    try:
        for key, raw in msg.raw_items():
            if key.lower() == name.lower():
                values.append(_decode_raw(_FOLD.sub(" ", str(raw)).strip()))
    except Exception:
        return values
    return values


def header(msg: Message, name: str) -> str:
    """The first value of header ``name``, or "" when absent or unreadable."""
    found = headers(msg, name)
    return found[0] if found else ""


def header_text(msg: Message, name: str) -> str:
    """Every value of header ``name`` joined by commas (one address list from several To lines)."""
    return ", ".join(headers(msg, name))


def has_header(msg: Message, name: str) -> bool:
    try:
        return name in msg
    except Exception:
        return False


def address_pairs(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs from every ``name`` header, as written; [] when unreadable."""
    try:
        return getaddresses(headers(msg, name))
    except Exception:  # getaddresses has raised on crafted input in some Python releases
        return []


def _decode_raw(value: str) -> str:
    try:
        return clean(str(make_header(decode_header(value))))
    except Exception:  # RFC 2047 words with an unknown charset, say
        return clean(value)


def message_ids(value: str) -> tuple[str, ...]:
    """The <id> tokens in an In-Reply-To or References value, without brackets."""
    ids = []
    for token in value.replace(">", "> ").split():
        token = token.strip(",")
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            ids.append(token[1:-1])
    return tuple(ids)


def message_id(value: str) -> str | None:
    """The Message-ID in a header value, without angle brackets; None if absent or unusable.

    "<a@b>" and "<a@b\\r\\n >" name the same message; so does "<a@b> (a comment)".
    """
    found = message_ids(value)
    text = found[0] if found else "".join(value.split()).strip("<>")
    text = text.replace("\x00", "")
    # An empty or overlong value (RFC 5322 caps a line at 998) identifies nothing reliably.
    return text if 0 < len(text) <= _MAX_ID else None


# --- parts and their text -------------------------------------------------------------------

def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"  # RFC 2045 section 5.2: the default when Content-Type is unusable


def param(part: Message, name: str) -> str:
    """A Content-Type parameter, lowercased; "" when absent or unreadable."""
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    return clean(str(value)).strip().lower() if isinstance(value, str) else ""


def is_multipart(msg: Message) -> bool:
    try:
        return msg.is_multipart()
    except Exception:
        return False


def parts(msg: Message, attached: bool = False) -> Iterator[Message]:
    """The message and its MIME parts, depth first; attached messages only with ``attached``.

    A message/rfc822 part is someone else's message (the returned original in a bounce,
    a forwarded bounce in a person's mail): its headers and parts must not count as ours.
    message/delivery-status is never entered: its "parts" are header blocks.
    """
    count = 0
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack and count < MAX_PARTS:
        part, depth = stack.pop()
        count += 1
        yield part
        try:
            kind = content_type(part)
            entered = attached and kind == "message/rfc822"
            if depth >= MAX_DEPTH or (kind.startswith("message/") and not entered) or not part.is_multipart():
                continue
            children = [p for p in part.get_payload() if isinstance(p, Message)]
        except Exception:
            continue
        stack.extend((child, depth + 1) for child in reversed(children))


def decode(part: Message, problems: list[str], limit: int | None = None) -> str:
    """A leaf part's payload as text: its declared charset, else the fallbacks; "" for a
    multipart. With ``limit``, only about that many characters are decoded."""
    try:
        payload = part.get_payload(decode=True)
    except Exception as e:
        problems.append(f"undecodable body: {e}")
        return ""
    if not isinstance(payload, bytes):
        return ""
    if limit is not None:
        payload = payload[: limit * 4]  # UTF-8 takes at most four bytes a character
    declared = _charset(part)
    for charset in (declared, *_FALLBACK_CHARSETS):
        if not charset:
            continue
        try:
            return payload.decode(charset)[:limit]
        except (LookupError, ValueError):  # UnicodeError (idna, punycode raise it bare), NUL in the name
            continue
    problems.append(f"body not in its declared charset {declared!r}")
    return payload.decode("utf-8", errors="replace")[:limit]


def _charset(part: Message) -> str:
    try:
        return part.get_content_charset() or ""
    except Exception:
        return ""


def text_of(part: Message, limit: int = MAX_TEXT) -> str:
    """A leaf part's text, decoded as well as possible and safe to store; "" for a multipart."""
    return clean(decode(part, [], limit))


def body_text(message: Message, problems: list[str]) -> str:
    """The message's text: its text/plain body, else its HTML body as text, else ""."""
    part: Message | None = None
    if isinstance(message, EmailMessage):  # a compat32 Message has no get_body
        try:
            part = message.get_body(preferencelist=("plain", "html"))
        except Exception as e:
            problems.append(f"unreadable MIME structure: {e}")
    if part is None:
        part = _first_text_part(message)
    if part is None:
        return ""
    text = decode(part, problems, MAX_BODY_TEXT)
    if content_type(part) == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _first_text_part(message: Message) -> Message | None:
    # Into attached messages too: a message that is nothing but a message/rfc822 part (a
    # forward as attachment, with no text of its own) says what the attached one says.
    for part in parts(message, attached=True):
        if content_type(part) in ("text/plain", "text/html"):
            return part
    return None


def notification_text(msg: Message, limit: int = MAX_TEXT) -> str:
    """The text a machine wrote at the top of ``msg``: its first text/plain part.

    Falls back to the first text/html part as text (Gmail's bounces are sometimes HTML
    only); attached messages are never read.
    """
    html = None
    for part in parts(msg):
        kind = content_type(part)
        if not kind.startswith("text/") or _is_attachment(part):
            continue
        if kind == "text/plain":
            return text_of(part, limit)
        if kind == "text/html" and html is None:
            html = part
    if html is None:
        # A multipart whose boundary is lost is parsed as one string: that string is the text.
        return "" if is_multipart(msg) else text_of(msg, limit)
    return html_to_text(text_of(html, limit * 2))[:limit]


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False
