"""Joining, signing in by a mailed link (no passwords), and one's own page with a CSV export.

A mailed link is opened by link scanners before the person does, so opening it (GET)
only shows a button; pressing it (POST, with the page's CSRF token) uses the link.
Asking for a sign-in link answers the same whether or not the address is known.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from werkzeug.wrappers import Response

from intro import links, personal, privacy, tokens, trust, wakeup
from intro.addresses import AddressError, normalize_address
from intro.config import Config
from intro.db import transaction
from intro.models import LinkPurpose, Person
from intro.text import NAME_MAX, one_line
from intro.timeutil import utcnow
from web import csrf
from web.params import whole
from web.surveys import SECURITY_HEADERS

bp = Blueprint("account", __name__)

SESSION_LIFETIME = timedelta(days=14)
_PERSON = "person"  # the session key of the signed-in person's id
_JOINING = (LinkPurpose.JOIN, LinkPurpose.INVITE)
View = TypeVar("View", bound=Callable[..., Any])


def _engine() -> Engine:
    return current_app.extensions["intro"]["engine"]


def _config() -> Config:
    return current_app.extensions["intro"]["config"]  # type: ignore[no-any-return]


def signed_in() -> int | None:
    person = session.get(_PERSON)
    return person if isinstance(person, int) else None


def signed_in_email() -> str | None:
    person_id = signed_in()
    if person_id is None:
        return None
    with transaction(_engine()) as db:
        person = db.get(Person, person_id)
        return person.email if person is not None else None


def is_admin() -> bool:
    """Checked on every request, from the configuration: removing an address there takes
    effect at once, whatever sessions are open."""
    email = signed_in_email()
    return email is not None and email in _config().web.admins


def _sign_in(person_id: int) -> None:
    # A new session, not the old one with a name added: nothing from before signing in
    # (such as a CSRF token an attacker planted) carries over.
    session.clear()
    session.permanent = True
    session[_PERSON] = person_id


@bp.after_request
def _harden(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


@bp.errorhandler(csrf.CSRFError)
def _stale_form(_e: csrf.CSRFError) -> ResponseReturnValue:
    # Pressing "Sign in" twice: the first press signed them in, with a new session and so a
    # new form token, and the second is refused. They are in; take them to their page.
    if signed_in() is not None:
        return redirect(url_for("account.me"), 303)
    page = render_template("form_expired.html", retry=request.path)
    return Response(page, 400, content_type="text/html; charset=utf-8")


@bp.app_context_processor
def _who() -> dict[str, Any]:
    return {"service_name": _config().mail.from_name, "signed_in": signed_in() is not None}


def _address(raw: str) -> str | None:
    try:
        return normalize_address(raw) if raw.strip() else None
    except AddressError:
        return None


def _read(token: str, purposes: tuple[LinkPurpose, ...]) -> int:
    """The link id in ``token`` (signed for one of ``purposes``); renders an error otherwise."""
    secret = current_app.config["SECRET_KEY"]
    for purpose in purposes:
        try:
            return tokens.read(secret, str(purpose), token, links.LIFETIME[purpose])
        except tokens.TokenError:
            continue
    for purpose in purposes:
        try:
            tokens.read(secret, str(purpose), token)
        except tokens.TokenError:
            continue
        abort(_problem("expired", purposes[0]))
    abort(_problem("invalid", purposes[0]))


def _problem(problem: str, purpose: LinkPurpose) -> Response:
    page = render_template("link_error.html", problem=problem, joining=purpose in _JOINING,
                           minutes=int(links.LIFETIME[LinkPurpose.SIGN_IN].total_seconds() // 60))
    return Response(page, 404 if problem == "invalid" else 410, content_type="text/html; charset=utf-8")


# Joining ---------------------------------------------------------------------------------

@bp.get("/join")
def join_page() -> ResponseReturnValue:
    return render_template("join.html", open=_config().web.open_join, year=utcnow().year, form={}, problem="")


@bp.post("/join")
def join_submit() -> ResponseReturnValue:
    if not _config().web.open_join:
        return render_template("join.html", open=False, year=utcnow().year, form={}, problem=""), 403
    raw, name = request.form.get("email", ""), one_line(request.form.get("name", ""), NAME_MAX)
    listed = request.form.get("listed", "yes") == "yes"
    form = {"email": raw, "name": name, "listed": listed}
    email = _address(raw)
    if email is None:
        problem = "Please enter an email address, such as sam@example.com."
        return render_template("join.html", open=True, year=utcnow().year, form=form, problem=problem), 400
    with transaction(_engine(), write=True) as db:
        links.request_join(db, email, name, listed, utcnow().year, utcnow(), request.remote_addr or "")
    wake_sender()
    # The same page whether or not a link was queued (an address that opted out, too many
    # asks in an hour): the form must not tell anyone about an address.
    return render_template("link_sent.html", email=email, joining=True)


@bp.get("/join/<token>")
def join_confirm_page(token: str) -> ResponseReturnValue:
    link_id = _read(token, _JOINING)
    with transaction(_engine()) as db:
        try:
            link = links.peek(db, link_id, _JOINING, utcnow())
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.JOIN)
        return render_template("join_confirm.html", link=link, token=token)


@bp.post("/join/<token>")
def join_confirm(token: str) -> ResponseReturnValue:
    link_id = _read(token, _JOINING)
    with transaction(_engine(), write=True) as db:
        try:
            # Closing the campaign to open joining also stops the join links already sent
            # (an organizer's invitations still work).
            allowed = (LinkPurpose.JOIN, LinkPurpose.INVITE) if _config().web.open_join else (LinkPurpose.INVITE,)
            if links.peek(db, link_id, _JOINING, utcnow()).purpose not in allowed:
                return render_template("join.html", open=False, year=utcnow().year, form={}, problem=""), 403
            person_id, joined = links.use(db, link_id, _JOINING, _config().campaign.goal, utcnow())
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.JOIN)
    _sign_in(person_id)
    return redirect(url_for("account.me", joined=1) if joined else url_for("account.me", already=1), 303)


# Signing in and out ----------------------------------------------------------------------

@bp.get("/sign-in")
def sign_in_page() -> ResponseReturnValue:
    if signed_in() is not None:
        return redirect(url_for("account.me"), 303)
    return render_template("sign_in.html", email="", problem="")


@bp.post("/sign-in")
def sign_in_submit() -> ResponseReturnValue:
    raw = request.form.get("email", "")
    email = _address(raw)
    if email is None:
        problem = "Please enter an email address, such as sam@example.com."
        return render_template("sign_in.html", email=raw, problem=problem), 400
    with transaction(_engine(), write=True) as db:
        links.request_sign_in(db, email, utcnow(), request.remote_addr or "")
    wake_sender()
    return render_template("link_sent.html", email=email, joining=False,
                           minutes=int(links.LIFETIME[LinkPurpose.SIGN_IN].total_seconds() // 60))


_SIGNING_IN = links.SIGNS_IN


@bp.get("/sign-in/<token>")
def sign_in_confirm_page(token: str) -> ResponseReturnValue:
    link_id = _read(token, _SIGNING_IN)
    with transaction(_engine()) as db:
        try:
            link = links.peek(db, link_id, _SIGNING_IN, utcnow())
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.SIGN_IN)
        return render_template("sign_in_confirm.html", email=link.email, token=token)


@bp.post("/sign-in/<token>")
def sign_in_confirm(token: str) -> ResponseReturnValue:
    link_id = _read(token, _SIGNING_IN)
    with transaction(_engine(), write=True) as db:
        try:
            purpose = links.peek(db, link_id, _SIGNING_IN, utcnow()).purpose
            person_id, _ = links.use(db, link_id, _SIGNING_IN, _config().campaign.goal, utcnow())
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.SIGN_IN)
    _sign_in(person_id)
    if purpose == LinkPurpose.PRIVACY:
        return redirect(url_for("account.me") + "#your-data", 303)
    if purpose == LinkPurpose.CONFIRM:
        return redirect(url_for("account.me") + "#held", 303)
    return redirect(url_for("account.me"), 303)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("tallies.index"), 303)


def wake_sender() -> None:
    # In `intro serve` the scheduler runs in this process: tell it a link is waiting, so it
    # goes out at once. Elsewhere (gunicorn) the scheduler looks every few seconds.
    wakeup.link_queued.set()


# One's own page --------------------------------------------------------------------------

def _year(raw: str | None, choices: list[personal.MyCampaign]) -> int | None:
    return whole(raw, 1, 9999) or (choices[0].year if choices else None)


@bp.get("/me")
def me() -> ResponseReturnValue:
    person_id = signed_in()
    if person_id is None:
        return redirect(url_for("account.sign_in_page"), 303)
    with transaction(_engine()) as db:
        person = db.get(Person, person_id)
        if person is None:  # erased meanwhile
            session.clear()
            return redirect(url_for("account.sign_in_page"), 303)
        mine = personal.campaigns(db, person_id)
        year = _year(request.args.get("campaign"), mine)
        made = list(personal.introductions(db, person_id, year)) if year else []
        waiting = list(personal.introductions(db, person_id, awaiting=True))
    shown = next((c for c in mine if c.year == year), None)
    return render_template("me.html", person=person, campaigns=mine, shown=shown, year=year, made=made,
                           waiting=waiting, disowned=trust.DISOWNED,
                           joined=request.args.get("joined") == "1", already=request.args.get("already") == "1",
                           admin=person.email in _config().web.admins,
                           saved=request.args.get("saved") == "1", unsure=request.args.get("unsure") == "1")


@bp.post("/me/listing")
def me_listing() -> ResponseReturnValue:
    person_id = signed_in()
    year = whole(request.form.get("campaign"), 1, 9999)
    if person_id is None:
        return redirect(url_for("account.sign_in_page"), 303)
    if year is None:
        abort(400)
    with transaction(_engine(), write=True) as db:
        if not personal.set_listed(db, person_id, year, request.form.get("listed") == "yes"):
            abort(404)
    return redirect(url_for("account.me", campaign=year, saved=1), 303)


@bp.post("/me/held/<int:intro_id>")
def me_held(intro_id: int) -> ResponseReturnValue:
    """Confirm a held introduction (it counts, its follow-ups go out) or disown it."""
    person_id = signed_in()
    if person_id is None:
        return redirect(url_for("account.sign_in_page"), 303)
    with transaction(_engine(), write=True) as db:
        if request.form.get("action") == "confirm":
            done = trust.release(db, intro_id, person_id, _config(), utcnow())
        else:
            done = trust.disown(db, intro_id, person_id)
    if not done:
        abort(404)
    return redirect(url_for("account.me", saved=1) + "#held", 303)


@bp.get("/me/data.json")
def me_data() -> ResponseReturnValue:
    """Everything held about the signed-in person (what `intro person export` prints)."""
    email = signed_in_email()
    if email is None:
        return redirect(url_for("account.sign_in_page"), 303)
    with transaction(_engine()) as db:
        data = privacy.export(db, email)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, content_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="my-data.json"'})


@bp.post("/me/forget")
def me_forget() -> ResponseReturnValue:
    email = signed_in_email()
    if email is None:
        return redirect(url_for("account.sign_in_page"), 303)
    if request.form.get("sure") != "yes":
        return redirect(url_for("account.me", unsure=1) + "#your-data", 303)
    with transaction(_engine(), write=True) as db:
        privacy.forget(db, email)
    session.clear()
    return render_template("forgotten.html")


CSV_COLUMNS = ("date", "campaign", "subject", "person", "email", "follow_up", "answer", "connected")


@bp.get("/me/introductions.csv")
def me_csv() -> ResponseReturnValue:
    """Every introduction they made, one row per person introduced (a spreadsheet's shape)."""
    person_id = signed_in()
    if person_id is None:
        return redirect(url_for("account.sign_in_page"), 303)
    year = whole(request.args.get("campaign"), 1, 9999)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with transaction(_engine()) as db:
        for intro in personal.introductions(db, person_id, year):
            for party in intro.parties:
                writer.writerow([intro.made_at.date().isoformat(), intro.year, cell(intro.subject),
                                 cell(party.name), cell(party.email), party.followup, party.answer,
                                 "yes" if intro.connected else "no"])
    name = f"introductions-{year}.csv" if year else "introductions.csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def cell(value: str) -> str:
    # Subjects, names and addresses come from mail headers anyone writes; opened in a
    # spreadsheet, one starting with = + - @ (after any spaces) would run as a formula
    # (OWASP "CSV injection"). A quote mark in front keeps it text.
    return "'" + value if value.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@") or value[:1] in ("\t", "\r") else value
