"""Reading a possibly malformed message without ever raising: headers, parts, text.

Inbound mail is whatever the Internet sends. ``email.policy.default`` parses header values
lazily, so a broken address list or an unknown charset raises only when the header or the
part is read; every read here falls back to the raw value or to nothing instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html import unescape

# Enough of a body to find a bounce's notification text, without scanning a returned
# 25 MB attachment or a pathological quote.
MAX_TEXT = 20_000
# A MIME tree deeper or wider than this is hostile or broken; what matters is near the top.
_MAX_DEPTH = 8
_MAX_PARTS = 200

_FOLD = re.compile(r"\r?\n[ \t]*")
_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"[ \t\r\f\v]+")


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


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs from every ``name`` header; [] when unreadable."""
    try:
        return getaddresses(headers(msg, name))
    except Exception:  # getaddresses has raised on crafted input in some Python releases
        return []


def has_header(msg: Message, name: str) -> bool:
    try:
        return name in msg
    except Exception:
        return False


def _decode_raw(value: str) -> str:
    try:
        return clean(str(make_header(decode_header(value))))
    except Exception:  # RFC 2047 words with an unknown charset, say
        return clean(value)


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


def parts(msg: Message) -> Iterator[Message]:
    """The message and its MIME parts, depth first, never entering an attached message.

    A message/rfc822 part is someone else's message (the returned original in a bounce,
    a forwarded bounce in a person's mail): its headers and parts must not count as ours.
    message/delivery-status is yielded but not entered either: its "parts" are header blocks.
    """
    count = 0
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack and count < _MAX_PARTS:
        part, depth = stack.pop()
        count += 1
        yield part
        try:
            if depth >= _MAX_DEPTH or content_type(part).startswith("message/") or not part.is_multipart():
                continue
            children = [p for p in part.get_payload() if isinstance(p, Message)]
        except Exception:
            continue
        stack.extend((child, depth + 1) for child in reversed(children))


def is_multipart(msg: Message) -> bool:
    try:
        return msg.is_multipart()
    except Exception:
        return False


def text_of(part: Message, limit: int = MAX_TEXT) -> str:
    """A leaf part's text, decoded as well as possible; "" for a multipart."""
    content = None
    if isinstance(part, EmailMessage):  # a compat32 Message has no content manager
        try:
            content = part.get_content()
        except Exception:  # unknown charset (LookupError), a broken transfer encoding
            content = None
    if not isinstance(content, str):
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            payload = None
        if isinstance(payload, bytes):
            content = payload[: limit * 4].decode("utf-8", "replace")
        else:
            content = ""
    return clean(content[:limit])


def notification_text(msg: Message, limit: int = MAX_TEXT) -> str:
    """The text a machine wrote at the top of ``msg``: its first text/plain part.

    Falls back to the first text/html part with tags dropped (Gmail's bounces are
    sometimes HTML only); attached messages are never read.
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
    text = _TAG.sub(" ", _BREAK.sub("\n", text_of(html, limit * 2)))
    return _BLANKS.sub(" ", unescape(text))[:limit]


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False
