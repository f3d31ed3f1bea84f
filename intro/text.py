"""Text that came from mail headers or forms, made safe to show on one line.

Names and subjects are written by anyone: in a mail header, a subject, a page or a log
they must not add a line, reverse the text around them, or fill the screen.
"""

from __future__ import annotations

import re
import unicodedata

SUBJECT_MAX = 200
# Names are shown whole up to this length; a header can be kilobytes long, and a mail that
# is mostly one "name" is not short or clear. Addresses are never cut: the end of an
# address is its domain, the part that tells a reader who really sent it.
NAME_MAX = 100
# Bidi embeddings, overrides and isolates: an unterminated U+202E in a name would reverse
# the rest of the sentence around it, a known spoofing trick (CVE-2021-42574 "Trojan Source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = re.compile(r"\s+")


def one_line(value: str, limit: int | None = None) -> str:
    """``value`` without control characters, on one line, trimmed, cut at ``limit`` with an ellipsis."""
    # isprintable() is False for every control, separator and bidi character: the common
    # case (nothing to remove) skips the character-by-character pass.
    kept = value if value.isprintable() else "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in value if c not in _BIDI_CONTROLS
    )
    kept = _SPACES.sub(" ", kept).strip()
    if limit is not None and len(kept) > limit:
        kept = kept[: limit - 1].rstrip() + "\u2026"
    return kept


def display_name(value: str) -> str:
    """A person's name (or, when that is all there is, their address) fit to show."""
    cleaned = one_line(value)
    return cleaned if "@" in cleaned and " " not in cleaned else one_line(cleaned, NAME_MAX)


# In mail intro sends, what others wrote is quoted shorter, and made inert: a display name
# or subject is the one part of a message an attacker chooses that reaches strangers.
MAIL_NAME_MAX = 64
MAIL_SUBJECT_MAX = 120
# A URL's scheme, or a host name (two or more labels, the last alphabetic), not inside an
# address: "https://evil.example/x", "www.evil.example", "evil.example".
_LINKABLE = re.compile(r"(?<![\w@.\-])((?:[^\W\d_][\w+.\-]*:/+)?)((?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_][\w\-]{1,62})"
                       r"(?![\w\-]|@)")


def inert(value: str, limit: int) -> str:
    """``value`` on one line, with URLs and host names defanged so that no mail program
    makes a link of them ("hxxps://evil[.]example/x", "evil[.]example"), cut at ``limit``.
    Addresses stay whole: they say who someone is."""
    text = _LINKABLE.sub(_defang, one_line(value))
    return one_line(text, limit)


def _defang(found: re.Match[str]) -> str:
    scheme, host = found.group(1), found.group(2)
    scheme = "hxxp" + scheme[4:] if scheme.lower().startswith("http") else scheme.replace(":", "[:]")
    return scheme + host.replace(".", "[.]")


def mail_name(value: str) -> str:
    """A person's name (or their address, when that is all there is) to quote in mail."""
    cleaned = one_line(value)
    return cleaned if "@" in cleaned and " " not in cleaned else inert(cleaned, MAIL_NAME_MAX)


def mail_subject(value: str) -> str:
    """The subject of someone's message, to quote in mail."""
    return inert(value, MAIL_SUBJECT_MAX)
