"""The web site: a Flask app factory and one blueprint per area."""

from __future__ import annotations

from flask import Flask, Response
from intro.templates import FOLDER
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from intro import config as intro_config
from intro.config import Config
from intro.db import make_engine
from intro.secret import secret_key
from web.figures import FiguresCache

TEMPLATES = FOLDER / "web"


def create_app(config: Config | None = None, engine: Engine | None = None) -> Flask:
    """Build the app. With no arguments (e.g. under gunicorn) it loads the configuration."""
    from web import account, admin, api, csrf, surveys, tallies

    config = config or intro_config.load()
    engine = engine or make_engine(config.database.url)
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    secure = config.public_url.startswith("https://")
    app.config.update(
        SECRET_KEY=secret_key(engine, config.secret_key),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        # The __Host- prefix: the browser takes the cookie only over HTTPS, for this host
        # alone (no Domain), for every path; a sibling subdomain cannot plant one.
        SESSION_COOKIE_NAME="__Host-intro" if secure else "intro",
        PERMANENT_SESSION_LIFETIME=account.SESSION_LIFETIME,
    )
    app.extensions["intro"] = {"config": config, "engine": engine, "figures": FiguresCache()}

    if config.web.proxies:
        # Each trusted proxy appends one X-Forwarded-For entry; werkzeug takes the entry
        # that many hops from the end, which a client cannot forge.
        n = config.web.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    csrf.init_app(app)
    for area in (tallies, surveys, account, admin, api):
        app.register_blueprint(area.bp)
    app.after_request(_safe_defaults)
    return app


# Every response, whatever view made it (404s and 405s too); a view may be stricter.
_DEFAULTS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # old browsers; the CSP's frame-ancestors for the rest
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def _safe_defaults(response: Response) -> Response:
    for name, value in _DEFAULTS.items():
        response.headers.setdefault(name, value)
    return response
