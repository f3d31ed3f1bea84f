"""INSERT ... ON CONFLICT DO NOTHING, on both supported databases."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@cache
def _statement(model: type, unique: tuple[str, ...], dialect_name: str) -> Insert:
    # Built once per table: these run for every message and every person, and building
    # (and cache-keying) a new statement each time costs more than the insert itself.
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    return (dialect.insert(model).on_conflict_do_nothing(index_elements=list(unique))
            .returning(*inspect(model).primary_key))


def insert_new(session: Session | Connection, model: type, values: dict[str, Any], unique: list[str]) -> Any:
    """Insert a row unless one with the same ``unique`` columns exists; return its new
    primary key, or None when it existed. Safe against concurrent inserts (no race
    between a SELECT and an INSERT, and no IntegrityError that would spoil the transaction).
    """
    bind = session if isinstance(session, Connection) else session.get_bind()
    return session.execute(_statement(model, tuple(unique), bind.dialect.name), values).scalar()
