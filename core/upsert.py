"""INSERT ... ON CONFLICT DO NOTHING, on both supported databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_new(session: Session, model: type, values: dict[str, Any], unique: list[str]) -> Any:
    """Insert a row unless one with the same ``unique`` columns exists; return its new
    primary key, or None when it existed. Safe against concurrent inserts (no race
    between a SELECT and an INSERT, and no IntegrityError that would spoil the transaction).
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model).values(values).on_conflict_do_nothing(index_elements=unique)
    return session.scalar(stmt.returning(*inspect(model).primary_key))
