"""`intro inspect`, `intro import`, `intro intros` and `intro smtp`, run as a user runs them."""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import signal
import smtplib
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from tests.conftest import DATA, free_port
from tests.helpers import environ, intro_command, run_intro, wait_for_port
from tests.shared import SAMPLES, need, sample_labels
from tests.smtp_helpers import load

MESSAGES = ["plain_introduction.eml", "group_introduction_de.eml", "newsletter.eml", "reply_from_party.eml"]


def test_inspect_classifies_the_samples_as_labelled(tmp_path: Path) -> None:
    need(SAMPLES)
    by_rcpt: dict[tuple[str, ...], list[str]] = defaultdict(list)
    labels = sample_labels()
    for name, label in labels.items():
        by_rcpt[tuple(label["rcpt"])].append(name)
    for rcpts, names in by_rcpt.items():
        args = ["inspect", "--service", "intro@tally.example"]
        for rcpt in rcpts:
            args += ["--rcpt", rcpt]
        out = run_intro(*args, *[str(SAMPLES / n) for n in names], cwd=tmp_path, env=environ())
        assert out.returncode == 0, out.stderr
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        assert [Path(x["file"]).name for x in lines] == names
        for got in lines:
            label = labels[Path(got["file"]).name]
            assert set(got) == {"file", "kind", "introducer", "parties", "answer"}
            assert got["kind"] == label["kind"], got["file"]
            assert got["introducer"] == label["introducer"] and got["parties"] == label["parties"], got["file"]
            assert got["answer"] == label.get("answer"), got["file"]
    assert not (tmp_path / "intro.db").exists()  # inspect never touches the database


def test_inspect_without_rcpt_assumes_the_service_address(tmp_path: Path) -> None:
    file = tmp_path / "m.eml"
    shutil.copy(DATA / "plain_introduction.eml", file)
    out = run_intro("inspect", "--service", "Intro@Tally.Example", "m.eml", cwd=tmp_path, env=environ())
    assert json.loads(out.stdout) == {"file": "m.eml", "kind": "introduction", "introducer": "sam@example.com",
                                      "parties": ["dana@example.net", "lee@example.org"], "answer": None}


def test_inspect_explain_adds_score_and_evidence_for_every_kind(tmp_path: Path) -> None:
    files = [str(DATA / name) for name in (*MESSAGES, "miss_no_words.eml", "out_of_office.eml", "answer_yes.eml")]
    plain = run_intro("inspect", "--service", "intro@tally.example", *files, cwd=tmp_path, env=environ())
    explained = run_intro("inspect", "--explain", "--service", "intro@tally.example", *files, cwd=tmp_path,
                          env=environ())
    assert explained.returncode == 0, explained.stderr
    for line, extra in zip(plain.stdout.splitlines(), explained.stdout.splitlines(), strict=True):
        shown, more = json.loads(line), json.loads(extra)
        assert {k: more[k] for k in shown} == shown  # the five keys stay as they are
        assert set(more) == {*shown, "score", "evidence"} and more["evidence"], more
    by_file = {Path(x["file"]).name: x for x in map(json.loads, explained.stdout.splitlines())}
    intro, miss = by_file["plain_introduction.eml"], by_file["miss_no_words.eml"]
    assert intro["score"] >= 3 and any(e.startswith("+") for e in intro["evidence"])
    assert miss["kind"] == "other" and miss["score"] < 3


def test_inspect_refuses_a_bad_service_address(tmp_path: Path) -> None:
    out = run_intro("inspect", "--service", "nope", str(DATA / "newsletter.eml"), cwd=tmp_path, env=environ())
    assert out.returncode == 2 and "--service" in out.stderr and "Traceback" not in out.stderr


def _mailboxes(tmp_path: Path) -> list[str]:
    box = mailbox.mbox(tmp_path / "sent.mbox")
    for name in MESSAGES[:2]:
        box.add(load(name))
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    maildir.add(load(MESSAGES[2]))
    maildir.close()
    (tmp_path / "emls").mkdir()
    shutil.copy(DATA / MESSAGES[3], tmp_path / "emls" / "reply.eml")
    return ["sent.mbox", "Maildir", "emls"]


def test_import_reads_mbox_maildir_and_eml_and_is_idempotent(tmp_path: Path, db_url: str) -> None:
    env = environ(INTRO_DATABASE_URL=db_url, INTRO_SERVICE_ADDRESS="intro@tally.example")
    paths = _mailboxes(tmp_path)
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    first = run_intro("import", *paths, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "read 4, new 4, duplicates 0, introductions found 2, failed 0" in first.stdout
    again = run_intro("import", *paths, cwd=tmp_path, env=env)
    assert "read 4, new 0, duplicates 4, introductions found 0, failed 0" in again.stdout
    listed = run_intro("intros", "--json", cwd=tmp_path, env=env)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["subject"] for r in rows] == ["Vorstellung: Anna, Ben und Chloé", "Dana, meet Lee"]
    assert set(rows[0]) == {"id", "introducer", "parties", "subject", "made_at", "campaign", "message_id"}
    only_2025 = run_intro("intros", "--json", "--campaign", "2025", cwd=tmp_path, env=env)
    assert only_2025.stdout == ""


def test_import_refuses_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    out = run_intro("import", "empty", cwd=tmp_path, env=environ())
    assert out.returncode == 1 and "empty file" in out.stderr


def _wait_for_intros(folder: Path, env: dict[str, str]) -> list[str]:
    """`intro intros --json`, once the processor (working in the background) has recorded one."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = run_intro("intros", "--json", cwd=folder, env=env).stdout.splitlines()
        if rows:
            return rows
        time.sleep(0.1)
    return []


def test_intro_smtp_receives_and_processes(tmp_path: Path) -> None:
    port = free_port()
    env = environ(INTRO_SMTP_PORT=str(port), INTRO_SERVICE_ADDRESS="intro@tally.example")
    proc = subprocess.Popen([*intro_command(), "smtp"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc=proc)
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("sam@example.com", ["intro@tally.example"], load("plain_introduction.eml"))
        rows = _wait_for_intros(tmp_path, env)
        assert json.loads(rows[0])["parties"] == ["dana@example.net", "lee@example.org"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err


def test_a_processor_that_dies_is_replaced(tmp_path: Path) -> None:
    port = free_port()
    env = environ(INTRO_SMTP_PORT=str(port), INTRO_SERVICE_ADDRESS="intro@tally.example")
    proc = subprocess.Popen([*intro_command(), "smtp"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc=proc)
        children = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "spawn_main"], capture_output=True,
                                  text=True, check=False).stdout.split()
        assert children, "no processor child found"
        for child in children:
            os.kill(int(child), signal.SIGKILL)  # stands in for a crash on some message
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("sam@example.com", ["intro@tally.example"], load("plain_introduction.eml"))
        assert _wait_for_intros(tmp_path, env), "the message was not processed after the processor died"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "the processor stopped" in err
