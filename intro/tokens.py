"""Signed tokens in links: which follow-up an answer link is for, whose unsubscribe link it is,
which mailed link (intro.links) a sign-in or join link is.

itsdangerous signs with the service's secret key; each purpose has its own salt, so a
token made for one purpose is refused for another.
"""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

ANSWER = "answer"
UNSUBSCRIBE = "unsubscribe"
# Links mailed on request (intro.links): the same names as LinkPurpose.
SIGN_IN = "sign_in"
JOIN = "join"
INVITE = "invite"
PRIVACY = "privacy"
# "Was this an introduction?" (intro.questions): the question, and never asking again.
QUESTION = "question"
NEVER_ASK = "never_ask"
# The weekly pace note's "pause" and "stop" (intro.pace): a participant's id.
PACE = "pace"
# Asking first (intro.consent): the person asked answers (CONSENT), and the introducer
# sends the introduction (CONSENT_SEND); an ask's id.
CONSENT = "consent"
CONSENT_SEND = "consent_send"
# "Never record me", on the page a follow-up links to: a person's id, for ever.
NEVER_RECORD = "never_record"
# An answer link is good for this long after the mail; an unsubscribe link for ever (a
# person must always be able to stop the mail, RFC 8058).
ANSWER_LIFETIME = timedelta(days=120)


class TokenError(ValueError):
    """A token that was tampered with, expired, or made for another purpose."""


def make(secret: str, purpose: str, subject_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=f"intro.{purpose}").dumps(subject_id)


def read(secret: str, purpose: str, token: str, max_age: timedelta | None = None) -> int:
    """The id a token was made for; TokenError if it is not a valid token for ``purpose``."""
    serializer = URLSafeTimedSerializer(secret, salt=f"intro.{purpose}")
    try:
        value = serializer.loads(token, max_age=int(max_age.total_seconds()) if max_age else None)
    except BadData as e:
        raise TokenError(str(e)) from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TokenError("not a token of this service")
    return value
