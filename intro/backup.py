"""`intro db backup PATH`: a consistent copy of a live SQLite database.

SQLite's online backup API (sqlite3.Connection.backup) copies pages while the service
keeps running; it restarts when a writer changes a page it has copied, so the copy is
one committed state, never a mix. The copy is written next to PATH and renamed into
place, so PATH is either the old file or a whole new backup. PostgreSQL has its own
tools (pg_dump, or base backups with WAL archiving); see docs/DEPLOYMENT.md.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from intro.errors import UserError

PAGES_PER_STEP = 1024  # 4 MiB at a time: writers wait for at most one step, never for the whole copy


def backup(engine: Engine, target: Path) -> int:
    """Copy the database to ``target``; return its size in bytes."""
    if engine.dialect.name != "sqlite":
        raise UserError("`intro db backup` copies an SQLite database; for PostgreSQL use pg_dump "
                        "(see docs/DEPLOYMENT.md, Backups)")
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise UserError("the database is in memory: there is no file to back up")
    target = target.resolve()
    if target == Path(source_path).resolve():
        raise UserError(f"{target} is the database itself; choose another path")
    if not target.parent.is_dir():
        raise UserError(f"{target.parent} is not a folder")
    partial = target.with_name(f".{target.name}.partial")
    source = sqlite3.connect(source_path)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination, pages=PAGES_PER_STEP)
            # A backup that cannot be read is no backup: check it before it replaces anything.
            problem = destination.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise UserError(f"the copy failed its integrity check: {problem}")
        finally:
            destination.close()
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power cut
        finally:
            os.close(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return target.stat().st_size
