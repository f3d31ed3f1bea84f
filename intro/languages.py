"""The languages intro writes in, and which one each person gets.

A mail goes out in the person's own choice when they made one (on the answer page, or
their own page), else in the language the introduction was written in (detected from
its new text when it was recorded), else ``[mail] language``. Pages follow the person's
choice, then the browser's Accept-Language.

The catalogs are gettext ``.po`` files in intro/translations/, compiled to ``.mo`` with
``pybabel compile`` and checked in beside them (tests/test_languages.py fails when one is
out of date), so an install needs no build step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

FOLDER = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
DEFAULT = "en"
# English first: the language the strings are written in.
LANGUAGES = ("en", "es", "de", "fr", "nl", "pt", "it")
# A language is taken from a text only when the detector is this sure, and the text this long:
# a greeting and two names say nothing ("Hola Ana, te presento a Luis" reads as Italian).
_SURE = 0.9
_MIN_LETTERS = 40
_READ = 2000  # the first characters say which language; reading more only costs


def name(language: str) -> str:
    """The language's own name for itself, capitalised: "Nederlands", "Español"."""
    return str(Locale.parse(language).get_display_name(language) or language).capitalize()


def supported(language: str | None) -> str | None:
    """``language`` if intro writes in it ("pt-BR" is "pt"), else None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def choose(*preferences: str | None) -> str:
    """The first of ``preferences`` intro writes in, else English."""
    for preference in preferences:
        if (found := supported(preference)) is not None:
            return found
    return DEFAULT


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (English: the strings as written)."""
    if language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(FOLDER), [language], DOMAIN)


_detector_lock = threading.Lock()


@cache
def _detector() -> Any:
    # Loaded once, on first use (about a second): only the processor detects.
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect(text: str) -> str | None:
    """The language of ``text`` among those intro writes in, when it can be told with
    confidence; None for a text too short or too mixed to tell."""
    sample = text[:_READ]
    if sum(c.isalpha() for c in sample) < _MIN_LETTERS:
        return None
    with _detector_lock:
        language, probability = _detector().classify(sample)
    return str(language) if probability >= _SURE else None


def all_catalogs() -> Iterable[Path]:
    """Every language's .po file."""
    return sorted(FOLDER.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


# Dates and numbers as each language writes them (CLDR, through Babel). English keeps the
# day-first order intro has always used: "2 March 2026".
def day(value: date | datetime, language: str) -> str:
    """A day in full: "2 March 2026", "2. März 2026", "2 de marzo de 2026"."""
    return format_date(value, "d MMMM y" if language == DEFAULT else "long", locale=language)


def short_day(value: date | datetime, language: str) -> str:
    """A day, short: "2 Mar 2026", "02.03.2026"."""
    return format_date(value, "d MMM y" if language == DEFAULT else "medium", locale=language)


def day_month(value: date | datetime, language: str) -> str:
    """A day of the year without it: "2 March", "2. März"."""
    return format_skeleton("MMMMd", value, locale=language) if language != DEFAULT else \
        format_date(value, "d MMMM", locale=language)


def day_time(value: datetime, language: str) -> str:
    """A moment: "2 Mar 2026 14:05"."""
    return f"{short_day(value, language)} {format_time(value, 'HH:mm', locale=language)}"


def number(value: int | float, language: str) -> str:
    """1234567 -> "1,234,567", "1.234.567", "1 234 567"."""
    return format_decimal(value, locale=language)


def month_name(month: int, language: str, width: str = "wide") -> str:
    """The name of month 1 to 12 standing alone ("March", "marzo"); width "abbreviated" for "Mar"."""
    return str(Locale.parse(language).months["stand-alone"][width][month])


def filters(language: str) -> dict[str, Any]:
    """The Jinja filters of dates and numbers, for templates rendered in ``language``."""
    return {"day": lambda v: day(v, language), "short_day": lambda v: short_day(v, language),
            "day_month": lambda v: day_month(v, language), "day_time": lambda v: day_time(v, language),
            "number": lambda v: number(v, language)}
