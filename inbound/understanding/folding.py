"""Text folded for matching words in any language."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Casefolded, without accents or invisible format characters: "Présenter" -> "presenter"."""
    if text.isascii():  # the common case: nothing to normalise, no accent, no format character
        return text.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    # Cf covers the BOM, zero-width spaces and joiners and soft hyphens that mail clients leave.
    return "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
