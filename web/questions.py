"""The page behind "was it an introduction?" (intro.questions): tick who it introduced and
log it, or say it was not one; and never being asked again.

As for every mailed link, opening it (GET) only shows the choice, because link scanners
open every link; only the button (POST, with the page's CSRF token) records.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from intro import questions, recording, tokens
from intro.db import transaction
from intro.models import Person, Question
from intro.timeutil import utcnow
from web import language
from web.base import TokenProblem, config, engine, private, read_token

bp = Blueprint("questions", __name__, url_prefix="/q")
bp.after_request(private)  # tokens are in the URLs

_PAGE = {tokens.QUESTION: questions.OPEN_FOR}
_STATUS = {"invalid": 404, "expired": 410, "answered": 409}


def page_url(question_id: int) -> str:
    return url_for("questions.page", token=tokens.make(current_app.config["SECRET_KEY"], tokens.QUESTION, question_id))


def _question_id(token: str) -> int:
    return read_token(token, _PAGE)[1]


def never_url(person_id: int) -> str:
    return url_for("questions.never_page", token=tokens.make(current_app.config["SECRET_KEY"], tokens.NEVER_ASK,
                                                             person_id))


def _page(token: str, question: Question, ticked: set[str], problem: str = "") -> str:
    return render_template("question.html", question=question, token=token, ticked=ticked, problem=problem,
                           choice=request.args.get("choice", ""), never_url=never_url(question.person_id))


def _closed(problem: str) -> ResponseReturnValue:
    return render_template("question_done.html", problem=problem, logged=False), _STATUS.get(problem, 400)


def _sender(db: Session, question_id: int) -> None:
    """The question's pages are its sender's (web.language): in their language, theirs to change."""
    found = db.get(Question, question_id)
    person = db.get(Person, found.person_id) if found is not None else None
    if person is not None:
        language.for_person(person.id, person.language)


@bp.get("/<token>")
def page(token: str) -> ResponseReturnValue:
    try:
        question_id = _question_id(token)
        with transaction(engine()) as db:
            _sender(db, question_id)
            question = questions.open_question(db, question_id, None, utcnow())
    except (TokenProblem, questions.Unanswerable) as e:
        return _closed(e.problem if isinstance(e, questions.Unanswerable) else e.problem)
    return _page(token, question, {str(c["email"]) for c in question.candidates if c.get("suggested")})


@bp.post("/<token>")
def answer(token: str) -> ResponseReturnValue:
    chosen = set(request.form.getlist("person"))
    logging = request.form.get("action") == "log"
    try:
        question_id = _question_id(token)
        with transaction(engine(), write=True) as db:
            _sender(db, question_id)
            owner = db.get(Question, question_id)
            person_id = owner.person_id if owner is not None else None
            if logging:
                recording.log_question(db, question_id, person_id, chosen, config(), utcnow())
            else:
                questions.decline(db, question_id, person_id, utcnow())
    except TokenProblem as e:
        return _closed(e.problem)
    except questions.Unanswerable as e:
        if e.problem != "too_few":
            return _closed(e.problem)
        with transaction(engine()) as db:
            question = questions.open_question(db, question_id, None, utcnow())
        return _page(token, question, chosen, _("Please tick two or more people: an introduction introduces people "
                                                "to each other.")), 400
    return render_template("question_done.html", problem="", logged=logging)


@bp.get("/never/<token>")
def never_page(token: str) -> ResponseReturnValue:
    try:
        person_id = read_token(token, {tokens.NEVER_ASK: None})[1]
    except TokenProblem as e:
        return _closed(e.problem)
    with transaction(engine()) as db:
        person = db.get(Person, person_id)
        if person is None:
            return _closed("invalid")
        language.for_person(person.id, person.language)
        return render_template("never_ask.html", token=token, email=person.email, done=person.never_ask_at is not None)


@bp.post("/never/<token>")
def never(token: str) -> ResponseReturnValue:
    try:
        person_id = read_token(token, {tokens.NEVER_ASK: None})[1]
    except TokenProblem as e:
        return _closed(e.problem)
    with transaction(engine(), write=True) as db:
        if (person := db.get(Person, person_id)) is not None:
            language.for_person(person.id, person.language)
        questions.never_ask(db, person_id, utcnow())
    return render_template("never_ask.html", token=token, email="", done=True)
