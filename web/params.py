"""Numbers in query strings and forms, read strictly.

``str.isdigit`` accepts "²" and "٣", which ``int`` refuses or reads as another number, and
a thousand digits overflow the database's integers: a bad number must get a 400 or a
404, never a 500.
"""

from __future__ import annotations

MAX = 2**31 - 1  # the largest integer every supported database stores


def whole(raw: str | None, least: int = 0, most: int = MAX) -> int | None:
    """``raw`` as a whole number from ``least`` to ``most``; None if it is anything else."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if least <= value <= most else None
