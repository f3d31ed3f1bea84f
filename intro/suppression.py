"""Addresses forgotten at their owner's request, kept only as keyed hashes, so that the
person is never recorded or mailed again and yet the list names nobody: without the key
(in the database's settings, not in the list) a hash cannot be tested against a guess.

Lifted only at the person's own request: `intro person allow ADDRESS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intro.models import Setting, Suppressed
from intro.timeutil import utcnow
from intro.upsert import insert_new

_KEY = "suppression_key"  # its own key: rotating the secret key must not forget the list


def add(session: Session, email: str) -> None:
    insert_new(session, Suppressed, {"hash": _hash(session, email), "created_at": utcnow()}, ["hash"])


def lift(session: Session, email: str) -> bool:
    """The person asked to be known again. False if the address was not on the list."""
    gone = session.execute(delete(Suppressed).where(Suppressed.hash == _hash(session, email)))
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def suppressed(session: Session, emails: Iterable[str]) -> set[str]:
    """Those of ``emails`` that were forgotten."""
    hashes = {_hash(session, e): e for e in emails}
    if not hashes:
        return set()
    found = session.scalars(select(Suppressed.hash).where(Suppressed.hash.in_(hashes)))
    return {hashes[h] for h in found}


def _hash(session: Session, email: str) -> str:
    return hmac.new(_key(session).encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _key(session: Session) -> str:
    stored = session.get(Setting, _KEY)
    if stored is None:
        insert_new(session, Setting, {"name": _KEY, "value": secrets.token_urlsafe(32)}, ["name"])
        stored = session.get_one(Setting, _KEY)
    return stored.value
