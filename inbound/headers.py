"""The few header facts needed before a message is stored."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32

from core.models import HEADER

_PARSER = BytesHeaderParser(policy=compat32)


def message_id(raw: bytes) -> str | None:
    """The Message-ID without angle brackets, or None if absent or unusable.

    Only the header block is parsed, with the lenient compat32 policy, because this runs
    before the 250 for every message and must not fail on malformed input.
    """
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    head = raw if end < 0 else raw[:end]
    value = _PARSER.parsebytes(head).get("Message-ID")
    if value is None:
        return None
    # Unfold and drop the angle brackets: "<a@b>" and "<a@b\r\n >" name the same message.
    text = "".join(str(value).split()).strip("<>")
    # An empty or overlong value (RFC 5322 caps a line at 998) identifies nothing reliably.
    return text if 0 < len(text) <= HEADER else None
