"""The campaign figures for the page and the API, computed at most once a minute.

At a million introductions the figures take seconds to count (see docs/PERFORMANCE.md);
a tally that is a minute old is still the tally, and the API says so (max-age=60).
"""

from __future__ import annotations

import threading
import time

from flask import current_app

from core.db import transaction
from core.tallies import Tallies, default_year, tallies

MAX_AGE_SECONDS = 60.0


class FiguresCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[int, tuple[float, Tallies | None]] = {}

    def get(self, year: int) -> Tallies | None:
        with self._lock:
            kept = self._kept.get(year)
            if kept is not None and kept[0] > time.monotonic():
                return kept[1]
        with transaction(current_app.extensions["intro"]["engine"]) as session:
            figures = tallies(session, year)
        with self._lock:
            self._kept[year] = (time.monotonic() + MAX_AGE_SECONDS, figures)
        return figures


def figures(year: int) -> Tallies | None:
    return current_app.extensions["intro"]["figures"].get(year)  # type: ignore[no-any-return]


def shown_year(this_year: int) -> int | None:
    with transaction(current_app.extensions["intro"]["engine"]) as session:
        return default_year(session, this_year)
