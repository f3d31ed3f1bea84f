"""Schema migrations (Alembic), run from the code rather than from alembic.ini.

`intro db upgrade` migrates any database. An embedded SQLite database is migrated by
the service itself when it starts, so a new user has no extra step; a shared database
(PostgreSQL) is only migrated on request, because several nodes may be running an
older version against it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from intro import migrations
from intro.db import is_sqlite
from intro.errors import SchemaError

log = logging.getLogger(__name__)


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "intro/migrations/versions has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` in one transaction."""
    _migrate(engine, command.upgrade, revision)
    log.info("database schema at revision %s", current_revision(engine))


def downgrade(engine: Engine, revision: str) -> None:
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[AlembicConfig, str], None], revision: str) -> None:
    cfg = _alembic_config()
    with engine.connect() as conn:
        sqlite = is_sqlite(engine)
        if sqlite:
            # SQLite changes a table by copying it and dropping the original; with foreign
            # keys on, that DROP deletes every row that refers to it (ON DELETE CASCADE),
            # e.g. all answers when `followups` is rebuilt. The pragma only takes effect
            # outside a transaction, hence on the driver's connection before BEGIN.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                step(cfg, revision)
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").first()):
                    raise SchemaError(f"migrating to {revision} would break a reference: {tuple(broken)}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def ensure_current(engine: Engine) -> None:
    """Make sure the schema is the one this code needs, migrating embedded SQLite."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if is_sqlite(engine):
        log.info("migrating the embedded database from %s to %s", current or "empty", head)
        upgrade(engine)
        return
    raise SchemaError(
        f"the database schema is at {current or 'no revision (empty)'}, this version needs "
        f"{head}; run `intro db upgrade` once, then start the service again"
    )
