"""Public pages: the tally and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from core.db import transaction
from core.stats import counts

bp = Blueprint("tallies", __name__)
log = logging.getLogger(__name__)


def _engine() -> Engine:
    return current_app.extensions["intro"]["engine"]


@bp.get("/")
def index() -> str:
    with transaction(_engine()) as session:
        figures = counts(session)
    return render_template("index.html", counts=figures)


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
