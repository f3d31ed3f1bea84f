"""The JSON API: the public figures exactly as the tally page shows them (same privacy)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from core.db import transaction
from core.tallies import tallies
from core.timeutil import utcnow

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/tallies")
def campaign_tallies() -> tuple[Response, int]:
    raw = request.args.get("campaign", "")
    if raw and not raw.isdigit():
        return jsonify(error=f"campaign must be a year such as {utcnow().year}, not {raw!r}"), 400
    year = int(raw) if raw else utcnow().year
    with transaction(current_app.extensions["intro"]["engine"]) as session:
        figures = tallies(session, year)
    if figures is None:
        return jsonify(error=f"no campaign for {year} yet: it starts with its first introduction"), 404
    response = jsonify(figures.as_dict())
    response.headers["Cache-Control"] = "public, max-age=60"
    return response, 200
