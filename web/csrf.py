"""CSRF protection for the site's forms: a random token per browser session, sent back in a hidden field.

The token lives in Flask's signed session cookie; a form carries it in the field
``csrf_token``; every POST (and PUT, PATCH, DELETE) must send it back, or it is refused
with CSRFError (400) before the view runs. A view that must accept requests made without
a browser session (RFC 8058 one-click unsubscribe, sent by mail providers' servers) says
exactly which ones with ``exempt_when``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request, session
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

FIELD = "csrf_token"
_SESSION_KEY = "csrf"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_EXEMPT = "_csrf_exempt_when"

View = TypeVar("View", bound=Callable[..., Any])


class CSRFError(BadRequest):
    @property
    def description(self) -> str:  # type: ignore[override]
        # Read when the 400 page is made, within the request: in the page's language.
        return _("The form's security token is missing or does not match this browser's session.")


def token() -> str:
    """This session's token, made on first use (which sets the session cookie)."""
    value = session.get(_SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = value
    return value


def exempt_when(allowed: Callable[[], bool]) -> Callable[[View], View]:
    """Let a request without a valid token reach this view when ``allowed()`` is true for it."""

    def mark(view: View) -> View:
        setattr(view, _EXEMPT, allowed)
        return view

    return mark


def _valid() -> bool:
    expected = session.get(_SESSION_KEY)
    sent = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not expected:
        return False
    # Constant time, so the token cannot be guessed byte by byte from response times.
    return hmac.compare_digest(expected.encode(), sent.encode())


def _protect() -> None:
    # No rule matched: let routing answer 404 or 405 rather than a misleading 400.
    if request.method in _SAFE_METHODS or request.url_rule is None or _valid():
        return
    allowed = getattr(current_app.view_functions.get(request.endpoint or ""), _EXEMPT, None)
    if allowed is not None and allowed():
        return
    raise CSRFError()


def init_app(app: Flask) -> None:
    """Check every state-changing request of ``app``; templates get ``csrf_token()``."""
    app.before_request(_protect)
    app.jinja_env.globals["csrf_token"] = token
