"""The organizer's webhooks, /admin/webhooks: endpoints added (the secret shown once, on
the page that answers the form, and never again), disabled, enabled, deleted, sent a
test event; and each one's delivery log. For organizers only, as the rest of /admin."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from intro import webhooks
from intro.db import transaction
from intro.models import WebhookEndpoint
from intro.timeutil import utcnow
from web.admin import organizers_only
from web.base import config, engine, private, signed_in
from web.sign_in import wake_sender

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
bp.after_request(private)
bp.before_request(organizers_only)

BY_ORGANIZER = "disabled by an organizer"


@bp.get("")
def page() -> ResponseReturnValue:
    return _page()


def _page(problem: str = "", url: str = "", events: tuple[str, ...] = ()) -> str:
    with transaction(engine()) as db:
        endpoints = webhooks.endpoints(db)
    return render_template("admin_webhooks.html", endpoints=endpoints, events=webhooks.EVENTS, problem=problem,
                           url=url, chosen=events, by_organizer=BY_ORGANIZER)


@bp.post("")
def add() -> ResponseReturnValue:
    url, events = request.form.get("url", "").strip(), tuple(request.form.getlist("event"))
    try:
        # Outside the transaction: it asks DNS, which may take a while.
        webhooks.check(url, config().webhooks.allow_private)
        with transaction(engine(), write=True) as db:
            endpoint = webhooks.add(db, url, list(events), signed_in())
    except webhooks.Refused as e:
        return _page(e.problem, url, events), 400
    # The only time the secret is shown: this answer is not kept (no-store) nor redirected to.
    return render_template("admin_webhook_added.html", endpoint=endpoint)


@bp.get("/<id:endpoint_id>")
def log(endpoint_id: int) -> ResponseReturnValue:
    with transaction(engine()) as db:
        endpoint = db.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            abort(404)
        deliveries = webhooks.deliveries(db, endpoint_id)
    return render_template("admin_webhook.html", endpoint=endpoint, deliveries=deliveries,
                           by_organizer=BY_ORGANIZER, done=request.args.get("done", ""))


# Its own path, not the log's with POST: werkzeug answers 405 rather than 404 for an id
# out of range when the same path has a GET rule (tests/test_security_headers.py).
@bp.post("/<id:endpoint_id>/action")
def change(endpoint_id: int) -> ResponseReturnValue:
    """The endpoint's buttons: "disable", "enable", "test" or "delete"."""
    action = request.form.get("action", "")
    with transaction(engine(), write=True) as db:
        if action == "disable":
            done = webhooks.disable(db, endpoint_id, BY_ORGANIZER, utcnow())
        elif action == "enable":
            done = webhooks.enable(db, endpoint_id)
        elif action == "test":
            done = webhooks.test(db, endpoint_id)
        elif action == "delete":
            done = webhooks.delete(db, endpoint_id)
        else:
            abort(400)
    if not done:
        abort(404)
    wake_sender()  # a test event, or deliveries that waited, go now
    if action == "delete":
        return redirect(url_for("webhooks.page"), 303)
    return redirect(url_for("webhooks.log", endpoint_id=endpoint_id, done=action), 303)
