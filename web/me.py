"""One's own page: the introductions one made, the people in them (one introduced them,
so one knows them), follow-up status and answers; the choice to be listed; confirming
held introductions; a CSV export; one's addresses, and adding one; and one's data, to
download or erase.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from babel.dates import format_date, format_skeleton
from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from intro import languages, links, people, personal, privacy, questions, trust
from intro.addresses import AddressError, normalize_address
from intro.db import transaction
from intro.models import Person
from intro.timeutil import utcnow
from web import csrf, language
from web.base import cell, config, engine, login_required, private, stale_form
from web.params import whole
from web.questions import page_url
from web.sign_in import wake_sender

bp = Blueprint("me", __name__, url_prefix="/me")
bp.after_request(private)
bp.register_error_handler(csrf.CSRFError, stale_form)

CSV_COLUMNS = ("date", "campaign", "subject", "person", "email", "follow_up", "answer", "connected")


def _flag(name: str) -> bool:
    return request.args.get(name) == "1"


@bp.get("")
@login_required
def page() -> ResponseReturnValue:
    person_id = g.person_id
    with transaction(engine()) as db:
        person = db.get_one(Person, person_id)
        mine = personal.campaigns(db, person_id)
        year = whole(request.args.get("campaign"), 1, 9999) or (mine[0].year if mine else None)
        made = list(personal.introductions(db, person_id, year)) if year else []
        waiting = list(personal.introductions(db, person_id, awaiting=True))
        asked = [(q, page_url(q.id)) for q in questions.waiting(db, person_id, utcnow())]
        emails = people.addresses(db, person_id)
    shown = next((c for c in mine if c.year == year), None)
    return render_template("me.html", person=person, campaigns=mine, shown=shown, year=year, made=made,
                           waiting=waiting, asked=asked, disowned=trust.DISOWNED, joined=_flag("joined"),
                           already=_flag("already"), admin=person.email in config().web.admins, saved=_flag("saved"),
                           unsure=_flag("unsure"), emails=emails, address_sent=_sent(),
                           address_added=_flag("added"), address_problem=_problem(),
                           short_day_month=_short_day_month)


def _short_day_month(value: datetime) -> str:
    """A day of the year shown above, short: "2 Mar" (in English as ever), "2. März", "2 mrt"."""
    page = language.current()
    if page == languages.DEFAULT:
        return format_date(value, "d MMM", locale=page)
    return format_skeleton("MMMd", value, locale=page)


def _sent() -> str:
    """The address a confirmation link was just queued for (from the redirect)."""
    try:
        return normalize_address(request.args.get("sent", "")) if request.args.get("sent") else ""
    except AddressError:
        return ""


def _problem() -> str:
    problem = request.args.get("problem", "")
    return problem if problem in ("invalid", "yours") else ""


@bp.post("/addresses")
@login_required
def add_address() -> ResponseReturnValue:
    """Another address of theirs: a link mailed to it confirms it. The answer is the same
    whoever holds the address (confirming one that was someone else's merges the two)."""
    try:
        email = normalize_address(request.form.get("email", ""))
    except AddressError:
        return redirect(url_for("me.page", problem="invalid") + "#addresses", 303)
    with transaction(engine(), write=True) as db:
        if email in people.addresses(db, g.person_id):
            return redirect(url_for("me.page", problem="yours") + "#addresses", 303)
        links.request_address(db, g.person_id, email, utcnow(), request.remote_addr or "")
    wake_sender()
    return redirect(url_for("me.page", sent=email) + "#addresses", 303)


@bp.post("/listing")
@login_required
def listing() -> ResponseReturnValue:
    year = whole(request.form.get("campaign"), 1, 9999)
    if year is None:
        abort(400)
    with transaction(engine(), write=True) as db:
        if not personal.set_listed(db, g.person_id, year, request.form.get("listed") == "yes"):
            abort(404)
    return redirect(url_for("me.page", campaign=year, saved=1), 303)


@bp.post("/held/<id:intro_id>")
@login_required
def held(intro_id: int) -> ResponseReturnValue:
    """Confirm a held introduction (it counts, its follow-ups go out) or disown it."""
    with transaction(engine(), write=True) as db:
        if request.form.get("action") == "confirm":
            done = trust.release(db, intro_id, g.person_id, config(), utcnow())
        else:
            done = trust.disown(db, intro_id, g.person_id)
    if not done:
        abort(404)
    return redirect(url_for("me.page", saved=1) + "#held", 303)


@bp.get("/data.json")
@login_required
def data() -> ResponseReturnValue:
    """Everything held about the signed-in person (what `intro person export` prints)."""
    with transaction(engine()) as db:
        held_data = privacy.export(db, g.email)
    body = json.dumps(held_data, ensure_ascii=False, indent=2)
    return Response(body, content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="my-data.json"'})


@bp.post("/forget")
@login_required
def forget() -> ResponseReturnValue:
    if request.form.get("sure") != "yes":
        return redirect(url_for("me.page", unsure=1) + "#your-data", 303)
    language.current()  # the page that says so in their language: read before they and the session go
    with transaction(engine(), write=True) as db:
        emails = privacy.addresses_of(db, g.email)
        privacy.forget(db, g.email)
    privacy.scrub(engine(), emails, config().relay.outbox)
    session.clear()
    return render_template("forgotten.html")


@bp.get("/introductions.csv")
@login_required
def introductions_csv() -> ResponseReturnValue:
    """Every introduction they made, one row per person introduced (a spreadsheet's shape)."""
    year = whole(request.args.get("campaign"), 1, 9999)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with transaction(engine()) as db:
        for intro in personal.introductions(db, g.person_id, year):
            for party in intro.parties:
                writer.writerow([intro.made_at.date().isoformat(), intro.year, cell(intro.subject),
                                 cell(party.name), cell(party.email), party.followup, party.answer,
                                 "yes" if intro.connected else "no"])
    name = f"introductions-{year}.csv" if year else "introductions.csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
