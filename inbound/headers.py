"""The few header facts needed before a message is stored."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32

from intro.models import HEADER

_PARSER = BytesHeaderParser(policy=compat32)


UNKNOWN_SENDER = "<unknown>"  # an imported message's envelope sender, when it left no trace


def _header(raw: bytes, name: str) -> str | None:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    try:
        value = _PARSER.parsebytes(raw if end < 0 else raw[:end]).get(name)
    except Exception:  # this runs before the 250: no input may stop a message being stored
        return None
    return None if value is None else str(value)


def return_path(raw: bytes) -> str:
    """The envelope sender a delivering MTA recorded (RFC 5321 4.4), or UNKNOWN_SENDER."""
    value = _header(raw, "Return-Path")
    if value is None:
        return UNKNOWN_SENDER
    return "".join(value.split()).strip("<>")


def message_id(raw: bytes) -> str | None:
    """The Message-ID without angle brackets, or None if absent or unusable.

    Only the header block is parsed, with the lenient compat32 policy, because this runs
    before the 250 for every message and must not fail on malformed input.
    """
    value = _header(raw, "Message-ID")
    if value is None:
        return None
    # Unfold and drop the angle brackets: "<a@b>" and "<a@b\r\n >" name the same message.
    text = "".join(str(value).split()).strip("<>").replace("\x00", "")
    # An empty or overlong value (RFC 5322 caps a line at 998) identifies nothing reliably.
    return text if 0 < len(text) <= HEADER else None
