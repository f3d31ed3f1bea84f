"""The secret key that signs links and sessions.

Configured explicitly, or generated on first run and kept in the database, so every
web and mail node that shares the database signs with the same key, and nobody ever
runs with a key that was written in the source.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from intro.db import transaction
from intro.models import Setting

_NAME = "secret_key"


def secret_key(engine: Engine, configured: str) -> str:
    if configured:
        return configured
    with transaction(engine) as session:
        stored = session.get(Setting, _NAME)
        if stored is not None:
            return stored.value
    try:
        with transaction(engine, write=True) as session:
            session.add(Setting(name=_NAME, value=secrets.token_urlsafe(32)))
    except IntegrityError:
        pass  # another node generated it first; use theirs
    with transaction(engine) as session:
        return session.get_one(Setting, _NAME).value
