"""The `intro` command line, run as a user runs it: the installed script in a subprocess."""

from __future__ import annotations

import json
import signal
import smtplib
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.helpers import environ, intro_command, port_is_free, run_intro, wait_for_port

COMMANDS = ["serve", "smtp", "web", "db", "stats", "intros", "inspect", "import", "followups", "demo"]


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = run_intro("--help", cwd=tmp_path, env=environ())
    assert out.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in out.stdout


@pytest.mark.parametrize("args", [["serve"], ["smtp"], ["db"], ["db", "upgrade"], ["db", "current"], ["stats"],
                                  ["intros"], ["inspect"], ["import"], ["followups"], ["followups", "run"],
                                  ["web"], ["demo"], ["demo", "seed"]])
def test_every_command_has_help(tmp_path: Path, args: list[str]) -> None:
    out = run_intro(*args, "--help", cwd=tmp_path, env=environ())
    assert out.returncode == 0 and "Usage: intro" in out.stdout
    assert not list(tmp_path.iterdir())  # --help touches nothing


def test_db_upgrade_then_stats_json(tmp_path: Path, db_url: str) -> None:
    env = environ(INTRO_DATABASE_URL=db_url)
    up = run_intro("db", "upgrade", cwd=tmp_path, env=env)
    assert up.returncode == 0, up.stderr
    assert "database at revision" in up.stdout
    assert run_intro("db", "current", cwd=tmp_path, env=env).stdout.startswith("database: 0")
    out = run_intro("stats", "--json", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    for key in ["messages", "introductions", "people", "followups_sent", "answers"]:
        assert figures[key] == 0


def test_stats_on_a_fresh_sqlite_file_needs_no_setup(tmp_path: Path) -> None:
    out = run_intro("stats", "--json", cwd=tmp_path, env=environ())
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["messages"] == 0
    assert (tmp_path / "intro.db").exists()  # the default: a file in the working directory


def test_a_bad_setting_fails_with_a_readable_line(tmp_path: Path) -> None:
    out = run_intro("stats", cwd=tmp_path, env=environ(INTRO_SMTP_PORT="twenty-five"))
    assert out.returncode == 1
    assert "Error: INTRO_SMTP_PORT: expected a whole number, got 'twenty-five'" in out.stderr
    assert "Traceback" not in out.stderr


def test_config_option_reads_the_file(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[database]\nurl = "sqlite:///other.db"\n')
    out = run_intro("--config", "c.toml", "stats", cwd=tmp_path, env=environ())
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "other.db").exists() and not (tmp_path / "intro.db").exists()


def _serve(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*intro_command(), "serve"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check_serving(proc: subprocess.Popen[str], smtp_port: int, web_port: int) -> None:
    try:
        wait_for_port(smtp_port, proc=proc)
        wait_for_port(web_port, proc=proc)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            code, _ = client.ehlo()
            assert code == 250
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/", timeout=10) as page:
            assert page.status == 200 and b"No introductions yet" in page.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=10) as health:
            assert health.read() == b"ok\n"
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert "stopping" in err


def test_serve_answers_smtp_and_http_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    smtp_port, web_port = free_port(), free_port()
    env = environ(INTRO_SMTP_PORT=str(smtp_port), INTRO_WEB_PORT=str(web_port))
    _check_serving(_serve(tmp_path, env), smtp_port, web_port)
    assert (tmp_path / "intro.db").exists()  # migrated by itself


def test_serve_with_no_configuration_uses_2525_and_8000(tmp_path: Path) -> None:
    if not (port_is_free(2525) and port_is_free(8000)):
        pytest.skip("port 2525 or 8000 is in use on this machine")
    _check_serving(_serve(tmp_path, environ()), 2525, 8000)


def test_serve_stops_on_sigterm(tmp_path: Path) -> None:
    smtp_port, web_port = free_port(), free_port()
    proc = _serve(tmp_path, environ(INTRO_SMTP_PORT=str(smtp_port), INTRO_WEB_PORT=str(web_port)))
    wait_for_port(web_port, proc=proc)
    proc.terminate()
    assert proc.wait(timeout=20) == 0


def test_serve_reports_a_port_in_use(tmp_path: Path) -> None:
    smtp_port, web_port = free_port(), free_port()
    env = environ(INTRO_SMTP_PORT=str(smtp_port), INTRO_WEB_PORT=str(web_port))
    first = _serve(tmp_path, env)
    try:
        wait_for_port(web_port, proc=first)
        second = run_intro("serve", cwd=tmp_path, env=env, timeout=30)
        assert second.returncode == 1
        assert "cannot listen for SMTP on 127.0.0.1" in second.stderr
        assert "address already in use" in second.stderr and "INTRO_SMTP_PORT" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=20)
