"""Signed-in browsers, kept on the server: a cookie alone, however well signed, signs
nobody in once its session has ended (signing out, out everywhere, being forgotten)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from intro.models import WebSession

LIFETIME = timedelta(days=14)


def start(db: Session, person_id: int, now: datetime) -> str:
    """A new session for ``person_id``; returns the token the cookie keeps. Their ended
    and expired ones go at the same time."""
    db.execute(delete(WebSession).where(WebSession.person_id == person_id, WebSession.created_at < now - LIFETIME))
    token = secrets.token_urlsafe(32)
    db.add(WebSession(token_hash=_hash(token), person_id=person_id, created_at=now))
    return token


def holder(db: Session, token: str, now: datetime) -> int | None:
    """Whose session ``token`` is, while it lasts; None once ended or expired."""
    return db.scalar(select(WebSession.person_id).where(WebSession.token_hash == _hash(token),
                                                        WebSession.created_at >= now - LIFETIME))


def end(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def end_all(db: Session, person_id: int, now: datetime) -> None:
    """Every session of theirs, on every browser ("sign out everywhere"); expired ones of
    anyone go too."""
    db.execute(delete(WebSession).where(or_(WebSession.person_id == person_id,
                                            WebSession.created_at < now - LIFETIME)))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
