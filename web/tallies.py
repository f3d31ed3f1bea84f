"""Public pages: the tally and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, make_response, render_template, request
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from core.timeutil import utcnow
from web.figures import figures as campaign_figures
from web.figures import shown_year

# The public page makes no request of its own to anywhere: no scripts, no fonts, no CDN.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; " \
      "frame-ancestors 'none'; base-uri 'none'"

bp = Blueprint("tallies", __name__)
log = logging.getLogger(__name__)


def _engine() -> Engine:
    return current_app.extensions["intro"]["engine"]


@bp.get("/")
def index() -> Response:
    raw = request.args.get("campaign", "")
    year = int(raw) if raw.isdigit() else shown_year(utcnow().year)
    figures = campaign_figures(year) if year else None
    config = current_app.extensions["intro"]["config"]
    status = 404 if raw and figures is None else 200
    response = make_response(render_template("tally.html", t=figures, asked=raw,
                                             service=config.service.address[0]), status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    plain = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        with _engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        return "database unavailable\n", 503, plain
    return "ok\n", 200, plain
