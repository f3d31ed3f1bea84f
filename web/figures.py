"""The campaign figures for the page and the API, kept per web process while they are exact.

Counting them from the counters (intro.counts) takes tens of milliseconds for a campaign
of ten thousand participants; checking whether anything changed since takes one row
(the campaign's CHANGES counter, raised in the same transaction as every change). So
each process recounts only after a change, and never shows a stale figure, whichever
process or node wrote it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from flask import current_app

from intro import counts
from intro.db import transaction
from intro.tallies import Tallies, default_year, tallies
from web.base import engine


@dataclass
class Kept:
    version: int
    figures: Tallies
    _json: bytes = field(default=b"", repr=False)

    def as_json(self) -> bytes:
        """The API's body, encoded once per version (ten thousand participants are 600 kB)."""
        if not self._json:
            self._json = json.dumps(self.figures.as_dict(), ensure_ascii=False, separators=(",", ":")).encode()
        return self._json


class FiguresCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[int, Kept] = {}

    def get(self, year: int) -> Kept | None:
        with transaction(engine()) as session:
            version = counts.version(session, year)
            if version is None:
                return None
            with self._lock:
                kept = self._kept.get(year)
            if kept is not None and kept.version == version:
                return kept
            figures = tallies(session, year)
        assert figures is not None
        kept = Kept(version, figures)
        with self._lock:
            self._kept[year] = kept
        return kept


def figures(year: int) -> Kept | None:
    return current_app.extensions["intro"]["figures"].get(year)  # type: ignore[no-any-return]


def shown_year(this_year: int) -> int | None:
    with transaction(engine()) as session:
        return default_year(session, this_year)
