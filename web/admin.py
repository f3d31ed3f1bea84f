"""The organizer's pages: participants (hide an entry from the public page), invitations,
merging two people who are one, and every introduction. Only for the addresses in `[web] admins`, signed in."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from flask import Blueprint, abort, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from intro import links, overview, people, questions, recording, review, trust
from intro.addresses import AddressError, normalize_address
from intro.db import transaction
from intro.meaning import AnswerValue
from intro.models import Campaign, Person
from intro.timeutil import utcnow
from web.base import cell, config, engine, is_admin, private, signed_in, to_sign_in
from web.params import whole
from web.sign_in import wake_sender
from web.surveys import LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.after_request(private)

PAGE = 50  # introductions per page
MAX_INVITES = 200  # addresses in one invitation form
_SEPARATORS = re.compile(r"[\s,;]+")


@bp.before_request
def organizers_only() -> ResponseReturnValue | None:
    if signed_in() is None:
        return to_sign_in()
    if not is_admin():
        return Response(render_template("forbidden.html"), 403, content_type="text/html; charset=utf-8")
    return None


def _years() -> list[int]:
    with transaction(engine()) as db:
        return list(db.scalars(select(Campaign.year).order_by(Campaign.year.desc())))


@bp.get("")
def home() -> ResponseReturnValue:
    years = _years()
    year = whole(request.args.get("campaign"), 1, 9999) or (years[0] if years else utcnow().year)
    after = whole(request.args.get("after"), 1)
    with transaction(engine()) as db:
        people = overview.participants(db, year)
        page = overview.introductions(db, year, after, PAGE)
    more = url_for("admin.home", campaign=year, after=page[-1]["id"]) if len(page) == PAGE else None
    with transaction(engine()) as db:
        campaign = db.scalars(select(Campaign).where(Campaign.year == year)).first()
    return render_template("admin.html", years=years, year=year, people=people, intros=page, more=more,
                           invited=request.args.get("invited"), paged=after is not None,
                           goal=campaign.goal if campaign else None, saved=request.args.get("saved") == "1",
                           merge=request.args.get("merge", ""))


@bp.post("/participants/<id:participant_id>/hidden")
def hide(participant_id: int) -> ResponseReturnValue:
    with transaction(engine(), write=True) as db:
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
    with transaction(engine(), write=True) as db:
        queued = sum(links.invite(db, organizer, email, year, utcnow()) is not None for email in dict.fromkeys(good))
    wake_sender()
    return redirect(url_for("admin.home", campaign=year, invited=queued), 303)


@bp.post("/merge")
def merge() -> ResponseReturnValue:
    """Merge the person with the address ``gone`` into the one with ``keep``: a link to
    ``gone`` asks its owner to confirm (intro.merging does it then)."""
    organizer = signed_in()
    try:
        keep, gone = (normalize_address(request.form.get(name, "")) for name in ("keep", "gone"))
    except AddressError:
        return redirect(url_for("admin.home", merge="invalid") + "#merge", 303)
    with transaction(engine(), write=True) as db:
        kept, merged = people.find_id(db, keep), people.find_id(db, gone)
        if kept is None or merged is None:
            return redirect(url_for("admin.home", merge="unknown") + "#merge", 303)
        if kept == merged:
            return redirect(url_for("admin.home", merge="same") + "#merge", 303)
        links.request_address(db, kept, gone, utcnow(), organizer_id=organizer)
    wake_sender()
    return redirect(url_for("admin.home", merge="sent") + "#merge", 303)


@bp.post("/goal")
def goal() -> ResponseReturnValue:
    year = whole(request.form.get("year"), 1, 9999)
    target = whole(request.form.get("goal"), 1, 10_000)
    if year is None or target is None:
        return render_template("admin_goal_problem.html", year=year or utcnow().year), 400
    with transaction(engine(), write=True) as db:
        overview.set_goal(db, year, target)
    return redirect(url_for("admin.home", campaign=year, saved=1), 303)


CSV_COLUMNS = ("id", "date", "campaign", "introducer_name", "introducer_email", "subject", "person", "email",
               "follow_up", "answer", "connected")


@bp.get("/introductions.csv")
def introductions_csv() -> ResponseReturnValue:
    """Every introduction of the campaign, one row per person introduced, streamed a page
    at a time (a million introductions do not sit in memory)."""
    year = whole(request.args.get("campaign"), 1, 9999) or utcnow().year
    db_engine = engine()

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        after = None
        while True:
            with transaction(db_engine) as db:
                page = overview.introductions(db, year, after, 1000)
            for intro in page:
                for party in intro["parties"]:
                    writer.writerow([intro["id"], intro["made_at"][:10], year, cell(intro["introducer"]["name"]),
                                     cell(intro["introducer"]["email"]), cell(intro["subject"]), cell(party["name"]),
                                     cell(party["email"]), party["follow_up"], party["answer"],
                                     "yes" if intro["connected"] else "no"])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(page) < 1000:
                return
            after = page[-1]["id"]

    return Response(stream_with_context(rows()), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="introductions-{year}-all.csv"'})


# Review ------------------------------------------------------------------------------------

_ANSWERS = {value.value: value for value in AnswerValue}


@bp.get("/review")
def review_page() -> ResponseReturnValue:
    """Answers by mail that could not be read, and questions nobody answered: one click each."""
    with transaction(engine()) as db:
        answers = review.unclear_answers(db, config().service.address)
        asked = questions.unanswered(db, utcnow())
        senders = {q.person_id: db.get_one(Person, q.person_id).email for q in asked}
        held = [(intro, intro.introducer.email, sorted(p.person.email for p in intro.parties))
                for intro in trust.for_organizer(db)]
    return render_template("admin_review.html", answers=answers, asked=asked, senders=senders, held=held,
                           labels=LABELS, done=request.args.get("done") == "1")


@bp.post("/review/held/<id:intro_id>")
def review_held(intro_id: int) -> ResponseReturnValue:
    """Release an introduction held by the service-wide hourly limit (it counts, and its
    follow-ups are scheduled), or keep it held for good."""
    with transaction(engine(), write=True) as db:
        done = trust.release(db, intro_id, None, config(), utcnow()) if request.form.get("action") == "release" \
            else trust.refuse(db, intro_id)
    if not done:
        abort(404)
    wake_sender()
    return redirect(url_for("admin.review_page", done=1), 303)


@bp.post("/review/answers/<id:message_id>")
def review_answer(message_id: int) -> ResponseReturnValue:
    value = request.form.get("answer", "")
    with transaction(engine(), write=True) as db:
        if not review.settle_answer(db, message_id, _ANSWERS.get(value), config().service.address, utcnow()):
            abort(404)
    return redirect(url_for("admin.review_page", done=1), 303)


@bp.post("/review/questions/<id:question_id>")
def review_question(question_id: int) -> ResponseReturnValue:
    try:
        with transaction(engine(), write=True) as db:
            if request.form.get("action") == "log":
                recording.log_question(db, question_id, None, set(request.form.getlist("person")), config(),
                                       utcnow())
            else:
                questions.decline(db, question_id, None, utcnow())
    except questions.Unanswerable as e:
        if e.problem == "too_few":
            abort(400, _("Tick two or more people: an introduction introduces people to each other."))
        abort(404)
    return redirect(url_for("admin.review_page", done=1), 303)
