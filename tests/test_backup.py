"""`intro db backup`: a consistent copy of a live SQLite database, taken while it is written."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import func, insert, select

from intro import schema
from intro.db import make_engine, transaction
from intro.models import Person
from intro.timeutil import utcnow
from tests.helpers import environ, run_intro


def test_a_backup_taken_while_the_database_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intro.db'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    stop, written = threading.Event(), [0]

    def write() -> None:  # commits of 50 people each, as fast as it can, until told to stop
        while not stop.is_set():
            with transaction(engine, write=True) as s:
                n = written[0]
                s.execute(insert(Person), [{"email": f"p{n + i}@example.com", "display_name": "",
                                            "created_at": utcnow()} for i in range(50)])
            written[0] += 50

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 500:
            stop.wait(0.01)
        done = run_intro("db", "backup", str(tmp_path / "copy.db"), cwd=tmp_path, env=environ(INTRO_DATABASE_URL=url))
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert "backed up to" in done.stdout
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    people = copy.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    assert people % 50 == 0 and 500 <= people <= written[0]  # whole transactions only
    copied = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    assert schema.current_revision(copied) == schema.head_revision()
    with transaction(copied) as s:
        assert s.scalar(select(func.count()).select_from(Person)) == people


def test_backup_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intro.db'}"
    schema.upgrade(make_engine(url))
    same = run_intro("db", "backup", str(tmp_path / "intro.db"), cwd=tmp_path, env=environ(INTRO_DATABASE_URL=url))
    assert same.returncode != 0 and "is the database itself" in same.stderr
    nowhere = run_intro("db", "backup", str(tmp_path / "no" / "copy.db"), cwd=tmp_path,
                        env=environ(INTRO_DATABASE_URL=url))
    assert nowhere.returncode != 0 and "is not a folder" in nowhere.stderr
    postgres = run_intro("db", "backup", str(tmp_path / "x.db"), cwd=tmp_path,
                         env=environ(INTRO_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none"))
    assert postgres.returncode != 0 and "pg_dump" in postgres.stderr
