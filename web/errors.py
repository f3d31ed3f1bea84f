"""The site's own error pages, in the page's language (Werkzeug's are English, with
lang="en"): not found, method not allowed, a bad request (a stale form's CSRF token among
them), a server error. Blueprints with a page of their own for an error keep it."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

_TITLES = {
    400: (_l("The request could not be read"), _l("Something in it was missing or not as expected. Go back, "
                                                   "reload the page and try again.")),
    403: (_l("Not for you"), _l("This page is for someone else, or for the campaign's organizers.")),
    404: (_l("Page not found"), _l("There is no page at this address. A link from a mail may have been cut "
                                   "in two: copy all of it.")),
    405: (_l("Not like this"), _l("This page cannot be used that way. Go back and use its buttons.")),
    413: (_l("Too large"), _l("What was sent is larger than this site takes.")),
    429: (_l("Too many requests"), _l("Too many requests from here in a short time. Wait a little, then try "
                                      "again.")),
}
_OTHER = (_l("Something went wrong"), _l("The site could not answer this time. Try again in a moment."))


def _page(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if request.path.startswith("/api/") or request.path in ("/healthz", "/metrics"):
        return error  # machines get Werkzeug's plain answer, as before
    title, message = _TITLES.get(code, _OTHER)
    # A description written for a person by this site (a CSRFError's) says more than the generic text.
    own = getattr(type(error), "__module__", "").startswith("web.")
    return render_template("error.html", title=title, message=error.description if own else message), code


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _page)
