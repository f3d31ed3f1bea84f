"""The JSON API: the public figures exactly as the tally page shows them (same privacy)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from core.timeutil import utcnow
from web.figures import figures as campaign_figures

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/tallies")
def campaign_tallies() -> tuple[Response, int]:
    raw = request.args.get("campaign", "")
    if raw and not raw.isdigit():
        return jsonify(error=f"campaign must be a year such as {utcnow().year}, not {raw!r}"), 400
    year = int(raw) if raw else utcnow().year
    figures = campaign_figures(year)
    if figures is None:
        return jsonify(error=f"no campaign for {year} yet: it starts with its first introduction"), 404
    response = jsonify(figures.as_dict())
    response.headers["Cache-Control"] = "public, max-age=60"
    return response, 200
