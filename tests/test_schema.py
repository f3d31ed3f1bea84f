"""Migrations on both databases, and agreement between the migrations and the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from intro import schema
from intro.errors import SchemaError
from intro.models import Base


def test_upgrade_creates_every_table(bare_engine: Engine) -> None:
    assert schema.current_revision(bare_engine) is None
    schema.upgrade(bare_engine)
    assert schema.current_revision(bare_engine) == schema.head_revision()
    tables = set(inspect(bare_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model changed without a migration (or the reverse) shows up here."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    schema.downgrade(engine, "base")
    assert schema.current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) & set(Base.metadata.tables) == set()
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()


def test_ensure_current_migrates_embedded_sqlite_or_refuses_shared_databases(bare_engine: Engine) -> None:
    if bare_engine.dialect.name == "sqlite":
        schema.ensure_current(bare_engine)
        assert schema.current_revision(bare_engine) == schema.head_revision()
    else:
        with pytest.raises(SchemaError, match="run `intro db upgrade`"):
            schema.ensure_current(bare_engine)
        assert schema.current_revision(bare_engine) is None
