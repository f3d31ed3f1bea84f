"""The pages of asking first (intro.consent): the person asked answers (/c/<token>), and
the introducer sends the introduction (/c/send/<token>). As for every mailed link,
opening one (GET) only shows; link scanners open every link. Only a button (POST, with
the page's CSRF token) records or sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from intro import consent, tokens, wakeup
from intro.db import transaction
from intro.models import AskStatus, ConsentAsk, Person
from intro.recording import send_asked
from intro.timeutil import utcnow
from web import language
from web.base import TokenProblem, config, engine, private, read_token

bp = Blueprint("consent", __name__, url_prefix="/c")
bp.after_request(private)  # tokens are in the URLs

MAX_SUBJECT = 200
MAX_BODY = 5000


@dataclass(frozen=True)
class Ask:
    """An ask as its pages show it."""

    id: int
    status: AskStatus
    answer: str | None
    introducer: str  # name, else address
    introducer_email: str
    asked: str
    asked_email: str
    other: str
    other_email: str
    unsubscribe: str  # the person asked's own "stop all mail" token
    subject: str
    asked_on: datetime
    problem: str  # why the introduction cannot be sent now ("" if it can)
    # Whose pages these are (web.language): the person asked's, and the introducer's.
    asked_id: int
    asked_language: str | None
    introducer_id: int
    introducer_language: str | None


def _ask(token: str, purpose: str) -> Ask | None:
    try:
        ask_id = read_token(token, {purpose: None})[1]
    except TokenProblem:
        return None
    with transaction(engine()) as db:
        ask = db.get(ConsentAsk, ask_id)
        if ask is None or ask.asked_id is None or ask.other_id is None:
            return None
        introducer, asked, other = (db.get_one(Person, pid) for pid in (ask.introducer_id, ask.asked_id,
                                                                          ask.other_id))
        return Ask(ask.id, ask.status, ask.answer, introducer.display_name or introducer.email, introducer.email,
                   asked.display_name or ask.asked_email or asked.email, ask.asked_email or asked.email,
                   other.display_name or ask.other_name or ask.other_email or other.email,
                   ask.other_email or other.email,
                   tokens.make(current_app.config["SECRET_KEY"], tokens.UNSUBSCRIBE, asked.id),
                   ask.subject, ask.created_at,
                   consent.not_ready(db, ask), asked.id, asked.language, introducer.id, introducer.language)


@bp.get("/<token>")
def answer_page(token: str) -> ResponseReturnValue:
    ask = _ask(token, tokens.CONSENT)
    if ask is None:
        return render_template("token_error.html", problem="invalid"), 404
    language.for_person(ask.asked_id, ask.asked_language)
    choice = request.args.get("answer", "")
    return render_template("consent.html", token=token, ask=ask, choice=choice if choice in consent.ANSWERS else "",
                           done="")


@bp.post("/<token>")
def answer(token: str) -> ResponseReturnValue:
    ask = _ask(token, tokens.CONSENT)
    choice = request.form.get("answer", "")
    if ask is None or choice not in consent.ANSWERS:
        return render_template("token_error.html", problem="invalid"), 404
    language.for_person(ask.asked_id, ask.asked_language)
    with transaction(engine(), write=True) as db:
        taken = consent.answer(db, db.get_one(ConsentAsk, ask.id), choice, "web", utcnow())
    if taken:
        wakeup.link_queued.set()  # the introducer hears of it at once, not at the next pass
    return render_template("consent.html", token=token, ask=ask, choice=choice, done=choice if taken else "late")


@bp.get("/send/<token>")
def send_page(token: str) -> ResponseReturnValue:
    ask = _ask(token, tokens.CONSENT_SEND)
    if ask is None:
        return render_template("token_error.html", problem="invalid"), 404
    language.for_person(ask.introducer_id, ask.introducer_language)  # the words below in their language too
    return render_template("consent_send.html", token=token, ask=ask, subject=_subject(ask), body=_words(ask),
                           sent=False, problem=ask.problem)


@bp.post("/send/<token>")
def send(token: str) -> ResponseReturnValue:
    ask = _ask(token, tokens.CONSENT_SEND)
    if ask is None:
        return render_template("token_error.html", problem="invalid"), 404
    language.for_person(ask.introducer_id, ask.introducer_language)
    subject = " ".join(request.form.get("subject", "").split())[:MAX_SUBJECT] or _subject(ask)
    body = request.form.get("body", "").replace("\r\n", "\n").strip()[:MAX_BODY] or _words(ask)
    try:
        with transaction(engine(), write=True) as db:
            send_asked(db, ask.id, subject, body, config(), utcnow())
    except consent.NotReady as e:
        return render_template("consent_send.html", token=token, ask=ask, subject=subject, body=body, sent=False,
                               problem=str(e)), 409
    wakeup.link_queued.set()  # sent within seconds, not at the next minute's pass
    return render_template("consent_send.html", token=token, ask=ask, subject=subject, body=body, sent=True,
                           problem="")


def _first(name: str) -> str:
    return name.split()[0] if name and "@" not in name else name


def _subject(ask: Ask) -> str:
    return _("Introduction: %(asked)s and %(other)s", asked=ask.asked, other=ask.other)


def _words(ask: Ask) -> str:
    """The introduction's words until its introducer changes them: short, so they will. In
    the language of the page (the introducer's), one paragraph a msgid."""
    asked, other = _first(ask.asked), _first(ask.other)
    sign = _first(ask.introducer)
    meet = _("%(asked)s, meet %(other_full)s. %(other)s, meet %(asked_full)s.",
             asked=asked, other_full=ask.other, other=other, asked_full=ask.asked)
    said_yes = _("%(asked)s said yes when I asked whether you two should meet, so here you are. "
                 "I will let you take it from here.", asked=asked)
    return f"{meet}\n\n{said_yes}\n\n{sign}"
