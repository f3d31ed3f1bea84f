"""The links in the weekly pace note (intro.pace): pause the notes for a month, or stop
them. As for every mailed link, opening it (GET) only shows the choice, because link
scanners open every link; only the button (POST, with the page's CSRF token) records.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from intro import pace, tokens
from intro.db import transaction
from intro.models import Participant, Person
from intro.timeutil import utcnow
from web import language
from web.base import TokenProblem, engine, private, read_token

bp = Blueprint("pace", __name__, url_prefix="/pace")
bp.after_request(private)  # tokens are in the URLs

_CHOICES = ("pause", "stop")


def _participant(token: str) -> Participant | None:
    """The participant of the note, whose page this is (in their language, web.language)."""
    try:
        participant_id = read_token(token, {tokens.PACE: None})[1]
    except TokenProblem:
        return None
    with transaction(engine()) as db:
        found = db.get(Participant, participant_id)
        if found is not None:
            person = db.get(Person, found.person_id)
            language.for_person(found.person_id, person.language if person is not None else None)
            db.expunge(found)
        return found


@bp.get("/<token>")
def page(token: str) -> ResponseReturnValue:
    participant = _participant(token)
    if participant is None:
        return render_template("token_error.html", problem="invalid"), 404
    choice = request.args.get("do", "pause")
    return render_template("pace.html", token=token, choice=choice if choice in _CHOICES else "pause",
                           stopped=participant.pace_stopped, paused_until=participant.pace_paused_until,
                           done="")


@bp.post("/<token>")
def choose(token: str) -> ResponseReturnValue:
    participant = _participant(token)
    choice = request.form.get("do", "")
    if participant is None or choice not in _CHOICES:
        return render_template("token_error.html", problem="invalid"), 404
    with transaction(engine(), write=True) as db:
        if choice == "stop":
            pace.stop(db, participant.id)
            until = None
        else:
            until = pace.pause(db, participant.id, utcnow())
    return render_template("pace.html", token=token, choice=choice, stopped=choice == "stop", paused_until=until,
                           done=choice)
