"""Public pages: the tally and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, make_response, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from intro.timeutil import utcnow
from web.base import config, engine
from web.figures import figures as campaign_figures
from web.figures import shown_year
from web.params import whole

bp = Blueprint("tallies", __name__)
log = logging.getLogger(__name__)


PER_PAGE = 100  # participants on one page: a campaign of thousands still loads fast on a phone


@bp.get("/")
def index() -> Response:
    raw = request.args.get("campaign", "")
    year = whole(raw, 1, 9999) if raw else shown_year(utcnow().year)
    kept = campaign_figures(year) if year else None
    figures = kept.figures if kept else None
    listed = len(figures.listed) if figures else 0
    pages = max(1, -(-listed // PER_PAGE))
    page = min(whole(request.args.get("page"), 1) or 1, pages)
    status = 404 if raw and figures is None else 200
    shown = figures.listed[(page - 1) * PER_PAGE: page * PER_PAGE] if figures else ()
    response = make_response(render_template("tally.html", t=figures, asked=raw, shown=shown, page=page, pages=pages,
                                             first=(page - 1) * PER_PAGE + 1, service=config().service.address[0]),
                             status)
    return response


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    plain = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: the database does not answer")
        return "database unavailable\n", 503, plain
    return "ok\n", 200, plain
