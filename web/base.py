"""What every part of the site shares, written once: the engine and the configuration,
who is signed in (and ``login_required``), the security headers, CSV cells, and reading
the signed tokens in mailed links.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

from intro import sessions, tokens
from intro.config import Config
from intro.db import transaction
from intro.models import Person
from intro.timeutil import utcnow
from web import csrf

SESSION_LIFETIME = sessions.LIFETIME
_TOKEN = "session"  # the cookie's key for the token of the session on the server (intro.sessions)
View = TypeVar("View", bound=Callable[..., Any])

# Every response, whatever made it (404s and 405s too). Nothing on any page is loaded from
# anywhere else, so the policy forbids everything but inline CSS and the site's own images.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # old browsers; the CSP's frame-ancestors for the rest
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
HSTS = "max-age=31536000"
# Pages with a token in their URL, or someone's own data: never cached, never sent on as a Referer.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def engine() -> Engine:
    return current_app.extensions["intro"]["engine"]  # type: ignore[no-any-return]


def config() -> Config:
    return current_app.extensions["intro"]["config"]  # type: ignore[no-any-return]


def init_app(app: Flask, state: Mapping[str, Any]) -> None:
    app.extensions["intro"] = dict(state)
    app.after_request(_secure)
    app.context_processor(_who)


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.extensions["intro"].get("https"):
        # Served over HTTPS (base_url says so): browsers keep to it for a year (RFC 6797).
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class RowId(IntegerConverter):
    """``<id:name>``: a positive integer that fits the database's 32-bit integer column."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=2**31 - 1)


def private(response: Response) -> Response:
    """An after_request hook for the blueprints whose pages are someone's own."""
    response.headers.update(PRIVATE_HEADERS)
    return response


def _who() -> dict[str, Any]:
    # Pages name the service as its mail does (the From display name).
    return {"service_name": config().mail.from_name, "signed_in": signed_in() is not None}


# Who is signed in ----------------------------------------------------------------------------

def signed_in() -> int | None:
    """Who is signed in: the cookie's session, while the server still holds it (signing
    out ends it for good, not only in this browser's cookie). Asked once a request."""
    if "person_id" in g:
        return g.person_id  # type: ignore[no-any-return]
    token, person = session.get(_TOKEN), None
    if isinstance(token, str):
        with transaction(engine()) as db:
            person = sessions.holder(db, token, utcnow())
    g.person_id = person
    return person


def sign_in(person_id: int) -> None:
    # A new session, not the old one with a name added: nothing from before signing in
    # (such as a CSRF token an attacker planted) carries over.
    session.clear()
    session.permanent = True
    with transaction(engine(), write=True) as db:
        session[_TOKEN] = sessions.start(db, person_id, utcnow())
    g.person_id = person_id


def sign_out(everywhere: bool = False) -> None:
    """End this browser's session on the server (or every one of theirs), and forget it here."""
    token, person_id = session.get(_TOKEN), signed_in()
    with transaction(engine(), write=True) as db:
        if everywhere and person_id is not None:
            sessions.end_all(db, person_id, utcnow())
        elif isinstance(token, str):
            sessions.end(db, token)
    session.clear()
    g.person_id = None


def signed_in_email() -> str | None:
    person_id = signed_in()
    if person_id is None:
        return None
    with transaction(engine()) as db:
        person = db.get(Person, person_id)
        return person.email if person is not None else None


def is_admin() -> bool:
    """Checked on every request, from the configuration: removing an address there takes
    effect at once, whatever sessions are open."""
    email = signed_in_email()
    return email is not None and email in config().web.admins


def to_sign_in() -> Response:
    return redirect(url_for("sign_in.sign_in_page"), 303)


def stale_form(_e: csrf.CSRFError) -> ResponseReturnValue:
    """A form whose CSRF token no longer matches, on the sign-in and one's own pages."""
    # Pressing "Sign in" twice: the first press signed them in, with a new session and so a
    # new form token, and the second is refused. They are in; take them to their page.
    if signed_in() is not None:
        return redirect(url_for("me.page"), 303)
    page = render_template("form_expired.html", retry=request.path)
    return Response(page, 400, content_type="text/html; charset=utf-8")


def login_required(view: View) -> View:
    """The view runs for a signed-in person (``g.person_id``, ``g.email``); anyone else,
    or someone erased since they signed in, is sent to the sign-in page."""

    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        email = signed_in_email()
        if email is None:
            session.clear()
            return to_sign_in()
        g.person_id, g.email = signed_in(), email
        return view(**kwargs)

    return wrapped  # type: ignore[return-value]


def cell(value: str) -> str:
    """A CSV cell that stays text. Subjects, names and addresses come from mail headers
    anyone writes; opened in a spreadsheet, one starting with = + - @ (after any spaces)
    would run as a formula (OWASP "CSV injection"). A quote mark in front keeps it text."""
    return "'" + value if value.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@") or value[:1] in ("\t", "\r") else value


# Tokens in mailed links ----------------------------------------------------------------------

class TokenProblem(Exception):
    """A token that cannot be used: ``problem`` is "expired", "wrong_kind" or "invalid"."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def read_token(token: str, lifetimes: Mapping[str, timedelta | None], others: tuple[str, ...] = ()) -> tuple[str, int]:
    """The purpose and id signed in ``token``: the first of ``lifetimes``' purposes it is
    valid for, within that purpose's lifetime (None: for ever).

    TokenError does not say why a token fails; trying again without the age limit, then
    as ``others``, tells the person something more useful than "invalid".
    """
    secret = current_app.config["SECRET_KEY"]
    for purpose, lifetime in lifetimes.items():
        try:
            return purpose, tokens.read(secret, purpose, token, lifetime)
        except tokens.TokenError:
            continue
    if any(_valid(secret, purpose, token) for purpose, lifetime in lifetimes.items() if lifetime is not None):
        raise TokenProblem("expired")
    if any(_valid(secret, purpose, token) for purpose in others):
        raise TokenProblem("wrong_kind")
    raise TokenProblem("invalid")


def _valid(secret: str, purpose: str, token: str) -> bool:
    try:
        tokens.read(secret, purpose, token)
    except tokens.TokenError:
        return False
    return True
