"""The web site: a Flask app factory and one blueprint per area. In reading order:

- ``create_app`` (below): the configuration, the database, the blueprints;
- ``base``: what every blueprint shares: engine, configuration, who is signed in
  (``login_required``), security headers, token reading;
- ``csrf`` and ``params``: forms' CSRF tokens, and numbers read strictly;
- ``tallies`` and ``figures``: the public tally page and the campaign figures behind it;
- ``surveys``: the pages behind a follow-up's links (answer, unsubscribe);
- ``questions``: "was it an introduction?": log it, say it was not, never be asked;
- ``pace``: the weekly pace note's "pause for a month" and "stop these";
- ``errors``: the site's own error pages (not found, bad request...), in the page's language;
- ``language``: the pages' language (the person's choice, then Accept-Language) and the
  form on every page that changes it;
- ``consent``: asking first: the person asked answers, the introducer sends the introduction;
- ``sign_in``: joining and signing in by mailed link; ``me``: one's own page;
- ``admin`` and ``api``: the organizer's pages, and the JSON API; ``webhooks``: the
  organizer's webhook endpoints and their delivery logs;
- ``metrics``: `/metrics` for Prometheus, counted from the database (off by default);
- ``server`` and ``cli``: the site as a component of `intro serve`, and `intro web`.
"""

from __future__ import annotations

from flask import Flask
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
    from web import (
        admin,
        api,
        base,
        consent,
        csrf,
        errors,
        language,
        me,
        metrics,
        pace,
        questions,
        sign_in,
        surveys,
        tallies,
        webhooks,
    )

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
        PERMANENT_SESSION_LIFETIME=base.SESSION_LIFETIME,
    )
    # Row ids in URLs: a number beyond what the database's integer holds is no row (404),
    # not a query the database refuses (500).
    app.url_map.converters["id"] = base.RowId
    base.init_app(app, {"config": config, "engine": engine, "figures": FiguresCache(), "https": secure})

    if config.web.proxies:
        # Each trusted proxy appends one X-Forwarded-For entry; werkzeug takes the entry
        # that many hops from the end, which a client cannot forge.
        n = config.web.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    csrf.init_app(app)
    language.init_app(app)
    errors.init_app(app)
    for area in (tallies, surveys, questions, pace, consent, sign_in, me, admin, webhooks, api, language):
        app.register_blueprint(area.bp)
    if config.web.metrics:
        app.register_blueprint(metrics.bp)
    return app
