"""Everyone in their own language: every string of every mail and page is in each
catalog, the compiled catalogs match their sources, no English is left in another
language's mail or page, and a Dutch introduction brings Dutch follow-ups over real SMTP,
whose links open Dutch pages, until the person picks French."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import Engine, select

from intro import config as intro_config
from intro import languages
from intro.config import Config
from intro.db import transaction
from intro.models import Introduction, Person
from mailer.render import Renderer
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from tests.smtp_helpers import load
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
OTHERS = tuple(language for language in languages.LANGUAGES if language != languages.DEFAULT)
# Words that are the same in English and in some of the others, or names: never "English left".
_FRAGMENT = re.compile(r"%\([a-z_]+\)[sd]|%%|<[^>]*>|&[a-z]+;|[\"“”«»„:;()]")


@cache
def extracted() -> dict[str | tuple[str, str], str]:
    """Every msgid of the code and templates, as `pybabel extract` finds it, with where it is."""
    with open(languages.FOLDER / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str | tuple[str, str], str] = {}
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}  # as docs/LANGUAGES.md runs it
    for filename, line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map,
                                                                          keywords=keywords):
        if filename.startswith(("tests", "bench", ".venv", "docs")):
            continue
        key = message if isinstance(message, str) else (message[0], message[1])
        found.setdefault(key, f"{filename}:{line}")
    return found


@cache
def catalog(language: str) -> Catalog:
    path = languages.FOLDER / language / "LC_MESSAGES" / f"{languages.DOMAIN}.po"
    with open(path, "rb") as f:
        return read_po(f, locale=language)


def test_there_is_text_to_translate() -> None:
    assert len(extracted()) > 300, "the templates and the code mark their text for translation (docs/LANGUAGES.md)"


@pytest.mark.parametrize("language", OTHERS)
def test_every_string_is_translated(language: str) -> None:
    """Each catalog has every string of every mail and page, translated, not fuzzy, with
    the same placeholders: no English left because a string was missed."""
    po = catalog(language)
    missing, untranslated = [], []
    for key, where in extracted().items():
        message = po.get(key[0] if isinstance(key, tuple) else key)
        if message is None:
            missing.append(f"{where}: {key!r}")
        elif message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]):
            untranslated.append(f"{where}: {key!r}")
    assert not missing, f"{len(missing)} strings not in {language}'s catalog (pybabel update):\n" + "\n".join(missing)
    assert not untranslated, f"{len(untranslated)} untranslated in {language}:\n" + "\n".join(untranslated[:50])
    problems = [f"{message.id!r}: {errors}" for message, errors in po.check() if message.id]
    assert not problems, "placeholders differ from the English:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", OTHERS)
def test_the_compiled_catalogs_match_their_sources(language: str) -> None:
    compiled = languages.translations(language)
    stale = []
    for message in catalog(language):
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            got = compiled.ngettext(message.id[0], message.id[1], 1)
            want = message.string[0]
        else:
            got, want = compiled.gettext(message.id), message.string
        if got != want:
            stale.append(message.id)
    assert not stale, f"{language}'s .mo is older than its .po (pybabel compile -d intro/translations): {stale[:5]}"


def english_fragments(language: str) -> set[str]:
    """Runs of three or more English words from the strings whose translation differs:
    finding one in a mail or page of ``language`` means English was left in it."""
    fragments: set[str] = set()
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            for piece in _FRAGMENT.split(english):
                words = piece.split()
                if len(words) >= 3 and not any(" ".join(words) in s for s in strings):
                    fragments.add(" ".join(words))
    return fragments


def english_in(text: str, language: str) -> list[str]:
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return sorted(f for f in english_fragments(language) if f in flat)


@cache
def samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_samples", ROOT / "bench" / "render_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", OTHERS)
def test_no_english_is_left_in_any_mail(language: str) -> None:
    renderer = Renderer()
    for name, rendered in samples().every_mail(renderer, language):
        assert rendered.language == language
        assert f'<html lang="{language}"' in rendered.html, name
        for part, text in (("subject", rendered.subject), ("text", rendered.text), ("html", rendered.html)):
            left = english_in(text, language)
            assert not left, f"{name} ({part}) in {language} still says: {left}"


def settings(sink_port: int) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink_port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org", "INTRO_FOLLOWUP_MAX_AGE": "3650d",
        "INTRO_TRUST_ON_NONE": "accept"})


DUE = datetime(2026, 3, 30, 10, tzinfo=UTC)
REMINDER = datetime(2026, 4, 10, 10, tzinfo=UTC)


def _mail_to(sink: Sink, address: str) -> list[EmailMessage]:
    return [m for _, rcpts, m in sink.received if address in rcpts]


def test_a_dutch_introduction_is_followed_up_in_dutch_until_french_is_chosen(
        engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    deliver(config, engine, load("introduction_nl.eml"), sender="sanne@example.nl")
    with transaction(engine) as s:
        assert s.scalars(select(Introduction.language)).one() == "nl"
    assert run(config, engine, DUE).sent == 2
    [mail] = _mail_to(sink[0], "pieter@example.nl")
    assert mail["Content-Language"] == "nl"
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert '<html lang="nl"' in html
    assert not english_in(text, "nl") and not english_in(str(mail["Subject"]), "nl")
    assert "maart 2026" in text  # the date as Dutch writes it

    answer = re.search(r'href="https://intro\.example\.org(/a/[^"?]+)\?answer=helped"', html)[1]  # type: ignore[index]
    client = create_app(config, engine).test_client()
    page = client.get(answer)  # no Accept-Language: the mail's language, the introduction's
    assert '<html lang="nl"' in page.text and not english_in(page.text, "nl")

    person = re.search(r'name="person" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    chosen = client.post("/language", data={"language": "fr", "person": person, "next": answer})
    assert chosen.status_code == 303
    with transaction(engine) as s:
        assert s.scalars(select(Person.language).where(Person.email == "pieter@example.nl")).one() == "fr"
    other_browser = create_app(config, engine).test_client()
    assert '<html lang="fr"' in other_browser.get(answer).text  # theirs now, in any browser

    run(config, engine, REMINDER)  # the single reminder: to Pieter in French, to Femke still in Dutch
    pieter, femke = _mail_to(sink[0], "pieter@example.nl")[-1], _mail_to(sink[0], "femke@example.org")[-1]
    assert pieter["Content-Language"] == "fr" and femke["Content-Language"] == "nl"
    assert not english_in(pieter.get_body(("plain",)).get_content(), "fr")  # type: ignore[union-attr]


@pytest.mark.parametrize("language", OTHERS)
def test_pages_follow_accept_language_with_no_english_left(engine: Engine, language: str) -> None:
    config = intro_config.load(environ={"INTRO_BASE_URL": "https://intro.example.org"})
    client = create_app(config, engine).test_client()
    for path, status in (("/", 200), ("/join", 200), ("/sign-in", 200), ("/no-such-page", 404),
                         ("/a/forged-token", 400)):
        page = client.get(path, headers={"Accept-Language": f"{language},en;q=0.5"})
        assert page.status_code == status, path
        assert f'<html lang="{language}"' in page.text, path
        left = english_in(page.text, language)
        assert not left, f"{path} in {language} still says: {left}"
