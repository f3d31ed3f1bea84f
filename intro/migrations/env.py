"""Alembic environment: migrates the connection intro.schema hands over, or the configured URL.

`intro db upgrade` passes an open connection in ``config.attributes``; the plain `alembic`
command (for writing new revisions) falls back to the service's own configuration.
"""

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from intro import config as intro_config
from intro.db import make_engine
from intro.models import Base
from intro.timeutil import UTCDateTime


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Revisions must not import the application: they outlive the code as it is today.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        # SQLite's DDL is transactional too: a failed migration leaves nothing half-done.
        transactional_ddl=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(intro_config.load().database.url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `intro db upgrade`")
main()
