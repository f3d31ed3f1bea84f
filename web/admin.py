"""The organizer's pages: participants (hide an entry from the public page), invitations,
and every introduction. Only for the addresses in `[web] admins`, signed in."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine, select
from werkzeug.wrappers import Response

from core import links, overview
from core.addresses import AddressError, normalize_address
from core.db import transaction
from core.models import Campaign
from core.timeutil import utcnow
from web.account import is_admin, signed_in, wake_sender
from web.params import whole
from web.surveys import SECURITY_HEADERS

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE = 50  # introductions per page
MAX_INVITES = 200  # addresses in one invitation form
_SEPARATORS = re.compile(r"[\s,;]+")


def _engine() -> Engine:
    return current_app.extensions["intro"]["engine"]


@bp.before_request
def _organizers_only() -> ResponseReturnValue | None:
    if signed_in() is None:
        return redirect(url_for("account.sign_in_page"), 303)
    if not is_admin():
        return Response(render_template("forbidden.html"), 403, content_type="text/html; charset=utf-8")
    return None


@bp.after_request
def _harden(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _years() -> list[int]:
    with transaction(_engine()) as db:
        return list(db.scalars(select(Campaign.year).order_by(Campaign.year.desc())))


@bp.get("")
def home() -> ResponseReturnValue:
    years = _years()
    year = whole(request.args.get("campaign"), 1, 9999) or (years[0] if years else utcnow().year)
    after = whole(request.args.get("after"), 1)
    with transaction(_engine()) as db:
        people = overview.participants(db, year)
        page = overview.introductions(db, year, after, PAGE)
    more = url_for("admin.home", campaign=year, after=page[-1]["id"]) if len(page) == PAGE else None
    return render_template("admin.html", years=years, year=year, people=people, intros=page, more=more,
                           invited=request.args.get("invited"), paged=after is not None)


@bp.post("/participants/<int:participant_id>/hidden")
def hide(participant_id: int) -> ResponseReturnValue:
    with transaction(_engine(), write=True) as db:
        if not overview.set_hidden(db, participant_id, request.form.get("hidden") == "yes"):
            abort(404)
    return redirect(url_for("admin.home", campaign=request.form.get("campaign", "")), 303)


@bp.post("/invite")
def invite() -> ResponseReturnValue:
    year = whole(request.form.get("year"), 1, 9999) or utcnow().year
    good, bad = [], []
    words = [word for word in _SEPARATORS.split(request.form.get("emails", "")) if word]
    if len(words) > MAX_INVITES:
        return render_template("admin_invite_problem.html", bad=[], too_many=len(words), most=MAX_INVITES,
                               year=year), 400
    for word in words:
        try:
            good.append(normalize_address(word.strip("<>")))
        except AddressError:
            bad.append(word)
    if bad or not good:
        return render_template("admin_invite_problem.html", bad=bad, too_many=0, most=MAX_INVITES, year=year), 400
    organizer = signed_in()
    if organizer is None:  # checked before the view; kept explicit all the same
        abort(403)
    with transaction(_engine(), write=True) as db:
        queued = sum(links.invite(db, organizer, email, year, utcnow()) is not None for email in dict.fromkeys(good))
    wake_sender()
    return redirect(url_for("admin.home", campaign=year, invited=queued), 303)
