"""The language of the pages (intro.languages): the person's own choice, then the
browser's Accept-Language, then English; and the small form on every page that changes it.

A page about one person (a follow-up's answer page, the pages of an ask, the pace note's,
one's own page) says whose it is with ``for_person``; choosing a language there keeps it
as that person's choice, so their mail follows from then on. Elsewhere the choice is kept
in the browser's session only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale

from intro import languages, tokens
from intro.db import transaction
from intro.models import Person
from web import csrf
from web.base import engine, signed_in

bp = Blueprint("language", __name__)
_SESSION_KEY = "language"
_PURPOSE = "language"  # a token naming the person a page is about


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=current, default_translation_directories=str(languages.FOLDER))
    # One msgid per sentence, however a template wraps it: whitespace is collapsed.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters.update({name: _filter(name) for name in languages.filters(languages.DEFAULT)})
    # The months as the page's language names them (the SVG charts' labels among others).
    app.jinja_env.globals["month_names"] = lambda width="abbreviated": [
        languages.month_name(month, current(), width) for month in range(1, 13)]
    app.context_processor(_context)


def _filter(name: str) -> Any:
    return lambda value: languages.filters(current())[name](value)


def current() -> str:
    """The language of this request's page."""
    if "language" in g:
        return str(g.language)
    chosen = languages.supported(session.get(_SESSION_KEY))
    person = g.get("language_person") or signed_in()
    if chosen is None and person is not None:
        with transaction(engine()) as db:
            chosen = languages.supported(db.scalar(Person.__table__.select().with_only_columns(Person.language)
                                                   .where(Person.id == person)))
    g.language = chosen or languages.choose(request.accept_languages.best_match(languages.LANGUAGES))
    return str(g.language)


def for_person(person_id: int, language: str | None) -> None:
    """This page is about ``person_id``, who chose ``language`` (or None): it is shown in
    it, and choosing another here keeps it as theirs."""
    g.language_person = person_id
    chosen = languages.supported(session.get(_SESSION_KEY)) or languages.supported(language)
    if chosen:
        g.language = chosen


def _context() -> dict[str, Any]:
    person = g.get("language_person")
    token = tokens.make(current_app.config["SECRET_KEY"], _PURPOSE, person) if person else ""
    return {"current_language": current(), "language_names": {code: languages.name(code)
                                                              for code in languages.LANGUAGES},
            "language_token": token}


@bp.post("/language")
# No CSRF token: the form is on every page, and a token would give every visitor of the
# public page a session cookie. Forged, it changes a language: the person's own only with
# the page's signed token (a secret of that page), or from their signed-in browser, whose
# cookie is SameSite=Lax and so not sent with another site's POST.
@csrf.exempt_when(lambda: True)
def choose() -> ResponseReturnValue:
    """Keep the language chosen in the form: in the session, and as the person's own when
    the page was about them (its token says who) or they are signed in."""
    chosen = languages.supported(request.form.get("language"))
    back = request.form.get("next", "/")
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not back.startswith("/") or back.startswith("//"):
        back = "/"  # only a page of this site: never an open redirect
    if chosen is None:
        return redirect(back, 303)
    session[_SESSION_KEY] = chosen
    person = signed_in()
    if person is None and request.form.get("person"):
        try:
            person = tokens.read(current_app.config["SECRET_KEY"], _PURPOSE, request.form["person"])
        except tokens.TokenError:
            person = None
    if person is not None:
        with transaction(engine(), write=True) as db:
            found = db.get(Person, person)
            if found is not None:
                found.language = chosen
    return redirect(back, 303)


def language_of_page() -> str:
    """For code outside templates (a link queued from a form): the page's language."""
    locale = get_locale()
    return locale.language if locale is not None else languages.DEFAULT
