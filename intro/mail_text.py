"""Every text a stored message holds, decoded, to find an address in it wherever the
sender's program put it: in a base64 or quoted-printable body (a soft line break may
split it), in an encoded-word header, as ``&#64;`` in HTML, in a UTF-16 part.

Erasure needs this and classification does not: ``inbound.understanding`` reads only what
deciding a message's kind needs, and a bounded part of it; forgetting someone must look
at all of it, and the domain may not import the understanding (tests/test_layers.py).
"""

from __future__ import annotations

import email
import email.policy
import html
from email.header import decode_header, make_header
from email.message import Message
from urllib.parse import unquote

_MAX_PARTS = 1_000  # past that a message is no mail anyone wrote by hand; its raw bytes are still searched


def mentions(raw: bytes, address: str) -> bool:
    """Whether ``raw`` names ``address`` (lowercase), in any of the forms above."""
    needle = address.lower()
    if needle in raw.decode("latin-1").lower():
        return True
    return needle in every_text(raw)


def every_text(raw: bytes) -> str:
    """The headers and parts of ``raw`` decoded, with HTML and URL escapes undone, lower case."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:  # the email package raises on some malformed mail: the raw bytes were searched
        return ""
    found: list[str] = []
    for n, part in enumerate(message.walk()):
        if n >= _MAX_PARTS:
            break
        found += [_header(value) for value in part.values()]
        found.append(_payload(part))
    text = "\n".join(found)
    return unquote(html.unescape(text)).lower()


def _header(value: object) -> str:
    try:
        return str(make_header(decode_header(str(value))))
    except Exception:  # an encoded word that does not decode: its text as it is
        return str(value)


def _payload(part: Message) -> str:
    if part.is_multipart():
        return ""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset() or ("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8")
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("latin-1")
