"""The pages behind the follow-up mail's links: answer "did it help?", and stop all mail.

The links carry signed tokens (intro.tokens) and are opened by link scanners (Outlook Safe
Links, Proofpoint, Gmail) before, or instead of, the person: so a GET only shows a page,
and only a POST with the page's CSRF token records anything. The one exception is the
RFC 8058 one-click unsubscribe POST, which mail providers send without a session; there
the signed token in the URL is the authorization.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from babel.lists import format_list
from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from markupsafe import Markup

from intro import languages, privacy, tokens
from intro.answers import MAX_COMMENT, opt_out, person_of_followup, question, record_answer
from intro.db import transaction
from intro.followups import language_of
from intro.meaning import AnswerValue
from intro.models import Person
from intro.timeutil import utcnow
from web import csrf, language
from web.base import TokenProblem, engine, private, read_token

bp = Blueprint("surveys", __name__)
bp.after_request(private)  # tokens are in the URLs

LABELS = {AnswerValue.HELPED: lazy_gettext("It helped"), AnswerValue.NOT_YET: lazy_gettext("Not yet"),
          AnswerValue.NO: lazy_gettext("It did not help")}
# An answer link is good for a while after the mail; an unsubscribe link for ever (a
# person must always be able to stop the mail, RFC 8058).
_LIFETIMES = {tokens.ANSWER: tokens.ANSWER_LIFETIME, tokens.UNSUBSCRIBE: None, tokens.NEVER_RECORD: None}
# RFC 8058 section 3.1: the body a mail client POSTs for one-click unsubscribe.
_ONE_CLICK = {"List-Unsubscribe": ["One-Click"]}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Control characters but tab and newline: PostgreSQL text cannot hold NUL, and none belong in a comment.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class LinkError(Exception):
    """A link that cannot be used: ``problem`` is expired, wrong_kind, invalid or unknown."""

    def __init__(self, purpose: str, problem: str, status: int = 400) -> None:
        super().__init__(problem)
        self.purpose, self.problem, self.status = purpose, problem, status


def _read(purpose: str, token: str) -> int:
    """The id in ``token``; LinkError saying what is wrong with it otherwise."""
    other = tokens.UNSUBSCRIBE if purpose == tokens.ANSWER else tokens.ANSWER
    try:
        return read_token(token, {purpose: _LIFETIMES[purpose]}, others=(other,))[1]
    except TokenProblem as e:
        raise LinkError(purpose, e.problem) from None


def _answer(value: str | None) -> AnswerValue | None:
    try:
        return AnswerValue(value) if value else None
    except ValueError:
        return None


def _one_click() -> bool:
    """Exactly the RFC 8058 one-click body, nothing else."""
    return (request.mimetype in _FORM_TYPES and not request.files
            and request.form.to_dict(flat=False) == _ONE_CLICK)


@bp.errorhandler(LinkError)
def _bad_link(e: LinkError) -> ResponseReturnValue:
    return render_template("token_error.html", purpose=e.purpose, problem=e.problem,
                           lifetime_days=tokens.ANSWER_LIFETIME.days), e.status


@bp.errorhandler(csrf.CSRFError)
def _bad_form(_e: csrf.CSRFError) -> ResponseReturnValue:
    # Usually a session cookie that expired or was blocked: send them back to the page,
    # keeping the answer they chose.
    on_answer = request.endpoint == "surveys.answer_submit"
    args = dict(request.view_args or {})
    if on_answer and _answer(request.form.get("answer")):
        args["answer"] = request.form["answer"]
    never = request.endpoint == "surveys.never_record"
    page = "surveys.answer_page" if on_answer else "surveys.never_record_page" if never else "surveys.unsubscribe_page"
    retry = url_for(page, **args)
    purpose = tokens.ANSWER if on_answer else tokens.NEVER_RECORD if never else tokens.UNSUBSCRIBE
    return render_template("token_error.html", purpose=purpose, problem="csrf", retry_url=retry), 400


def _together(names: Sequence[str], page: str) -> Markup:
    """The names, each in <bdi>, listed as ``page``'s language lists them ("A, B and C" in
    English as ever; CLDR's "A, B y C", "A, B und C" elsewhere)."""
    each = [Markup("<bdi>%s</bdi>") % name for name in names]
    if len(each) < 2:
        return Markup("").join(each)
    if page == languages.DEFAULT:
        return Markup(", ").join(each[:-1]) + Markup(" and ") + each[-1]
    # The patterns ("{0}, {1}", "{0} y {1}") hold no markup; the names are escaped above.
    return Markup(format_list(each, locale=page))


def _survey(token: str, chosen: AnswerValue | None, comment: str | None, missing: bool = False) -> str:
    followup_id = _read(tokens.ANSWER, token)
    with transaction(engine()) as session:
        asked = question(session, followup_id)
        person = person_of_followup(session, followup_id)
        if person is not None:
            # The page of the person followed up: in their choice, else their mail's language.
            language.for_person(person.id, person.language or language_of(session, followup_id))
    if asked is None or person is None:
        raise LinkError(tokens.ANSWER, "unknown", 404)
    secret = current_app.config["SECRET_KEY"]
    page = language.current()
    return render_template(
        "survey.html", q=asked, token=token, labels=LABELS, missing=missing, max_comment=MAX_COMMENT,
        chosen=chosen or asked.answer, comment=asked.comment if comment is None else comment,
        made_on=languages.day(asked.made_at, page), others=_together(asked.others, page),
        unsubscribe_url=url_for("surveys.unsubscribe_page", token=tokens.make(secret, tokens.UNSUBSCRIBE, person.id)),
        never_record_url=url_for("surveys.never_record_page",
                                 token=tokens.make(secret, tokens.NEVER_RECORD, person.id)),
    )


@bp.get("/a/<token>")
def answer_page(token: str) -> ResponseReturnValue:
    # Shows, never records: link scanners open every link in a mail.
    return _survey(token, _answer(request.args.get("answer")), None)


@bp.post("/a/<token>")
def answer_submit(token: str) -> ResponseReturnValue:
    followup_id = _read(tokens.ANSWER, token)
    value = _answer(request.form.get("answer"))
    comment = _CONTROLS.sub("", request.form.get("comment", "").replace("\r\n", "\n"))
    if value is None:
        return _survey(token, None, comment, missing=True), 400
    with transaction(engine(), write=True) as session:
        if question(session, followup_id) is None:
            raise LinkError(tokens.ANSWER, "unknown", 404)
        record_answer(session, followup_id, value, comment, source="web")
        if (person := person_of_followup(session, followup_id)) is not None:
            language.for_person(person.id, person.language or language_of(session, followup_id))
    return render_template("survey_done.html", label=LABELS[value], comment=comment.strip(),
                           change_url=url_for("surveys.answer_page", token=token))


@bp.get("/u/<token>")
def unsubscribe_page(token: str) -> ResponseReturnValue:
    person_id = _read(tokens.UNSUBSCRIBE, token)
    with transaction(engine()) as session:
        person = session.get(Person, person_id)
        if person is None:
            raise LinkError(tokens.UNSUBSCRIBE, "unknown", 404)
        email, already = person.email, person.opted_out_at is not None
        language.for_person(person.id, person.language)
    return render_template("unsubscribe.html", token=token, email=email, already=already)


@bp.post("/u/<token>")
@csrf.exempt_when(_one_click)
def unsubscribe(token: str) -> ResponseReturnValue:
    person_id = _read(tokens.UNSUBSCRIBE, token)
    with transaction(engine(), write=True) as session:
        if (person := session.get(Person, person_id)) is None:
            raise LinkError(tokens.UNSUBSCRIBE, "unknown", 404)
        language.for_person(person.id, person.language)
        opt_out(session, person_id)
    return render_template("unsubscribed.html")


@bp.get("/n/<token>")
def never_record_page(token: str) -> ResponseReturnValue:
    person_id = _read(tokens.NEVER_RECORD, token)
    with transaction(engine()) as session:
        person = session.get(Person, person_id)
        if person is None:
            raise LinkError(tokens.NEVER_RECORD, "unknown", 404)
        email, already = person.email, person.never_record_at is not None
        language.for_person(person.id, person.language)
    return render_template("never_record.html", token=token, email=email, already=already, done=False)


@bp.post("/n/<token>")
def never_record(token: str) -> ResponseReturnValue:
    person_id = _read(tokens.NEVER_RECORD, token)
    with transaction(engine(), write=True) as session:
        if (person := session.get(Person, person_id)) is None:
            raise LinkError(tokens.NEVER_RECORD, "unknown", 404)
        language.for_person(person.id, person.language)
        privacy.never_record(session, person_id, utcnow())
    return render_template("never_record.html", token=token, email="", already=True, done=True)
