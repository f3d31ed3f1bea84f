"""Joining, signing in by a mailed link (no passwords), and confirming an address.

A mailed link is opened by link scanners before the person does, so opening it (GET)
only shows a button; pressing it (POST, with the page's CSRF token) uses the link.
Asking for a link answers the same whether or not the address is known.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from intro import links, people, wakeup
from intro.addresses import AddressError, normalize_address
from intro.db import transaction
from intro.models import Link, LinkPurpose, Person
from intro.text import NAME_MAX, one_line
from intro.timeutil import utcnow
from web import base, csrf
from web.base import TokenProblem, config, engine, private, read_token, sign_in, signed_in, stale_form
from web.language import language_of_page

bp = Blueprint("sign_in", __name__)
bp.after_request(private)
bp.register_error_handler(csrf.CSRFError, stale_form)

_JOINING = (LinkPurpose.JOIN, LinkPurpose.INVITE)
_SIGNING_IN = links.SIGNS_IN
_NO_ADDRESS = lazy_gettext("Please enter an email address, such as sam@example.com.")


def _address(raw: str) -> str | None:
    try:
        return normalize_address(raw) if raw.strip() else None
    except AddressError:
        return None


def _link_id(token: str, purposes: tuple[LinkPurpose, ...]) -> int:
    """The link id in ``token`` (signed for one of ``purposes``); renders the problem otherwise."""
    try:
        return read_token(token, {str(p): links.LIFETIME[p] for p in purposes})[1]
    except TokenProblem as e:
        abort(_problem(e.problem, purposes[0]))


def _usable(token: str, purposes: tuple[LinkPurpose, ...]) -> Link:
    """The link in ``token``, if it could be used now (for the page with the button)."""
    with transaction(engine()) as db:
        try:
            return links.peek(db, _link_id(token, purposes), purposes, utcnow())
        except links.LinkUnusable as e:
            abort(_problem(e.problem, purposes[0]))


def _problem(problem: str, purpose: LinkPurpose) -> Response:
    page = render_template("link_error.html", problem=problem, joining=purpose in _JOINING,
                           adding=purpose == LinkPurpose.ADDRESS,
                           minutes=int(links.LIFETIME[LinkPurpose.SIGN_IN].total_seconds() // 60))
    return Response(page, 404 if problem == "invalid" else 410, content_type="text/html; charset=utf-8")


def wake_sender() -> None:
    # In `intro serve` the scheduler runs in this process: tell it a link is waiting, so it
    # goes out at once. Elsewhere (gunicorn) the scheduler looks every few seconds.
    wakeup.link_queued.set()


# Joining ---------------------------------------------------------------------------------

def _closed() -> ResponseReturnValue:
    return render_template("join.html", open=False, year=utcnow().year, form={}, problem=""), 403


@bp.get("/join")
def join_page() -> ResponseReturnValue:
    return render_template("join.html", open=config().web.open_join, year=utcnow().year, form={}, problem="")


@bp.post("/join")
def join_submit() -> ResponseReturnValue:
    if not config().web.open_join:
        return _closed()
    raw, name = request.form.get("email", ""), one_line(request.form.get("name", ""), NAME_MAX)
    listed = request.form.get("listed", "yes") == "yes"
    form = {"email": raw, "name": name, "listed": listed}
    email = _address(raw)
    if email is None:
        return render_template("join.html", open=True, year=utcnow().year, form=form, problem=_NO_ADDRESS), 400
    with transaction(engine(), write=True) as db:
        links.request_join(db, email, name, listed, utcnow().year, utcnow(), request.remote_addr or "",
                           language=language_of_page())  # the link's mail in the page's language
    wake_sender()
    # The same page whether or not a link was queued (an address that opted out, too many
    # asks in an hour): the form must not tell anyone about an address.
    return render_template("link_sent.html", email=email, joining=True)


@bp.get("/join/<token>")
def join_confirm_page(token: str) -> ResponseReturnValue:
    return render_template("join_confirm.html", link=_usable(token, _JOINING), token=token)


@bp.post("/join/<token>")
def join_confirm(token: str) -> ResponseReturnValue:
    link_id = _link_id(token, _JOINING)
    with transaction(engine(), write=True) as db:
        try:
            # Closing the campaign to open joining also stops the join links already sent
            # (an organizer's invitations still work).
            allowed = _JOINING if config().web.open_join else (LinkPurpose.INVITE,)
            if links.peek(db, link_id, _JOINING, utcnow()).purpose not in allowed:
                return _closed()
            given = request.form.get("name")  # absent: the name the link carries stays
            name = one_line(given, NAME_MAX) if given is not None else None
            person_id, joined = links.use(db, link_id, _JOINING, config().campaign.goal, utcnow(), name=name)
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.JOIN)
    sign_in(person_id)
    return redirect(url_for("me.page", joined=1) if joined else url_for("me.page", already=1), 303)


# Signing in and out ----------------------------------------------------------------------

@bp.get("/sign-in")
def sign_in_page() -> ResponseReturnValue:
    if signed_in() is not None:
        return redirect(url_for("me.page"), 303)
    return render_template("sign_in.html", email="", problem="")


@bp.post("/sign-in")
def sign_in_submit() -> ResponseReturnValue:
    raw = request.form.get("email", "")
    email = _address(raw)
    if email is None:
        return render_template("sign_in.html", email=raw, problem=_NO_ADDRESS), 400
    with transaction(engine(), write=True) as db:
        links.request_sign_in(db, email, utcnow(), request.remote_addr or "", language=language_of_page())
    wake_sender()
    return render_template("link_sent.html", email=email, joining=False,
                           minutes=int(links.LIFETIME[LinkPurpose.SIGN_IN].total_seconds() // 60))


@bp.get("/sign-in/<token>")
def sign_in_confirm_page(token: str) -> ResponseReturnValue:
    return render_template("sign_in_confirm.html", email=_usable(token, _SIGNING_IN).email, token=token)


# Where each kind of sign-in link lands on one's page.
_LANDING = {LinkPurpose.PRIVACY: "#your-data", LinkPurpose.CONFIRM: "#held"}


@bp.post("/sign-in/<token>")
def sign_in_confirm(token: str) -> ResponseReturnValue:
    link_id = _link_id(token, _SIGNING_IN)
    with transaction(engine(), write=True) as db:
        try:
            purpose = links.peek(db, link_id, _SIGNING_IN, utcnow()).purpose
            person_id, _ = links.use(db, link_id, _SIGNING_IN, config().campaign.goal, utcnow())
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.SIGN_IN)
    sign_in(person_id)
    if purpose == LinkPurpose.HELD:  # an organizer: the introductions that wait for them
        return redirect(url_for("admin.review_page") + "#held", 303)
    return redirect(url_for("me.page") + _LANDING.get(purpose, ""), 303)


# Another address of one's own ----------------------------------------------------------

_ADDING = (LinkPurpose.ADDRESS,)


@bp.get("/address/<token>")
def address_confirm_page(token: str) -> ResponseReturnValue:
    link = _usable(token, _ADDING)
    with transaction(engine()) as db:
        owner = db.get(Person, link.person_id) if link.person_id else None
        holder = people.find_id(db, link.email)
    if owner is None:
        abort(_problem("invalid", LinkPurpose.ADDRESS))
    # Whoever holds this mailbox learns here only whether the address is in use already,
    # which they may know: it is theirs.
    return render_template("address_confirm.html", link=link, owner=owner, token=token,
                           merging=holder is not None and holder != owner.id)


@bp.post("/address/<token>")
def address_confirm(token: str) -> ResponseReturnValue:
    """The address is theirs: it is added (merging whoever had it, intro.merging), and the
    browser is signed in as the person it was added to (the address now signs in there)."""
    link_id = _link_id(token, _ADDING)
    with transaction(engine(), write=True) as db:
        try:
            person_id, _ = links.use(db, link_id, _ADDING, config().campaign.goal, utcnow())
        except links.LinkUnusable as e:
            return _problem(e.problem, LinkPurpose.ADDRESS)
    sign_in(person_id)
    return redirect(url_for("me.page", added=1) + "#addresses", 303)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """Ends the session on the server, so the cookie (wherever a copy of it is) signs in no
    more; with ``everywhere``, every session of theirs, on every device."""
    base.sign_out(everywhere=request.form.get("everywhere") == "yes")
    return redirect(url_for("tallies.index"), 303)
