"""The JSON API: the public figures exactly as the tally page shows them (same privacy), and
for organizers, every introduction."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from intro import overview
from intro.db import transaction
from intro.timeutil import utcnow
from web.base import engine, is_admin, signed_in
from web.figures import figures as campaign_figures
from web.params import MAX, whole

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/tallies")
def campaign_tallies() -> tuple[Response, int]:
    raw = request.args.get("campaign", "")
    year = whole(raw, 1, 9999) if raw else utcnow().year
    if year is None:
        return jsonify(error=f"campaign must be a year such as {utcnow().year}, not {raw!r}"), 400
    kept = campaign_figures(year)
    if kept is None:
        return jsonify(error=f"no campaign for {year} yet: it starts with its first introduction"), 404
    # Exact as of this request: shared caches may keep it a little while, then must ask again.
    return Response(kept.as_json(), mimetype="application/json",
                    headers={"Cache-Control": "public, max-age=10", "X-Content-Type-Options": "nosniff"}), 200


MAX_LIMIT = 1000


@bp.get("/introductions")
def introductions() -> tuple[Response, int]:
    """Organizers only: the campaign's introductions with everyone's addresses, newest
    first, a page at a time (``after`` = the last id seen; ``next`` links the next page)."""
    if signed_in() is None:
        return jsonify(error="sign in first: this lists addresses, for organizers only"), 401
    if not is_admin():
        return jsonify(error="for organizers only ([web] admins)"), 403
    args = {name: request.args.get(name, "") for name in ("campaign", "after", "limit")}
    ranges = {"campaign": (1, 9999), "after": (1, MAX), "limit": (1, MAX_LIMIT)}
    read = {name: whole(value, *ranges[name]) if value else None for name, value in args.items()}
    for name, value in args.items():
        if value and read[name] is None:
            low, high = ranges[name]
            return jsonify(error=f"{name} must be a whole number from {low} to {high}, not {value!r}"), 400
    year, size = read["campaign"] or utcnow().year, read["limit"] or 100
    with transaction(engine()) as session:
        page = overview.introductions(session, year, read["after"], size)
    following = url_for("api.introductions", campaign=year, after=page[-1]["id"], limit=size) \
        if len(page) == size else None
    response = jsonify(campaign=year, introductions=page, next=following)
    response.headers.update({"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    return response, 200
