"""Text folded for matching words in any language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Words are what lies between spaces and punctuation: \w alone would cut Devanagari, Thai
# and other scripts at every vowel sign, which are combining marks, not word characters.
_BETWEEN_WORDS = re.compile(r"[\s!-/:-@\[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
                            r"\u0964\u0965\u060c\u061b\u061f\u05be\u05c0\u05c3\u0e2f\u0e5a\u0e5b]+")


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Casefolded, without accents or invisible format characters: "Présenter" -> "presenter"."""
    if text.isascii():  # the common case: nothing to normalise, no accent, no format character
        return text.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    # Cf covers the BOM, zero-width spaces and joiners and soft hyphens that mail clients leave.
    return "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")


def words(text: str) -> list[str]:
    """The words of ``text``, without the spaces and punctuation between them."""
    return [w for w in _BETWEEN_WORDS.split(text) if w]
