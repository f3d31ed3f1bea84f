from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from intro import config
from intro.config import Config
from intro.errors import ConfigError
from tests.conftest import REPO, free_port
from tests.helpers import environ, run_intro


def load(env: dict[str, str] | None = None, path: Path | None = None) -> Config:
    return config.load(path, environ=env or {})


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "intro.toml"
    path.write_text(text)
    return path


def test_defaults_are_safe_for_one_machine() -> None:
    c = load()
    assert c.database.url == "sqlite:///intro.db"
    assert (c.smtp.host, c.smtp.port) == ("127.0.0.1", 2525)
    assert (c.web.host, c.web.port) == ("127.0.0.1", 8000)
    assert c.service.address == ("intro@localhost",)
    assert c.relay.host == ""  # no relay: mail goes to the outbox folder
    assert c.followup.delay == timedelta(days=14)
    assert c.secret_key == ""  # generated on first run, never a default in the code
    assert c.public_url == "http://127.0.0.1:8000"


def test_the_required_environment_names_exist() -> None:
    names = config.setting_names()
    for name in ["INTRO_DATABASE_URL", "INTRO_SMTP_HOST", "INTRO_SMTP_PORT", "INTRO_SERVICE_ADDRESS",
                 "INTRO_WEB_HOST", "INTRO_WEB_PORT", "INTRO_BASE_URL", "INTRO_RELAY_HOST",
                 "INTRO_RELAY_PORT", "INTRO_FOLLOWUP_DELAY", "INTRO_SECRET_KEY"]:
        assert name in names


def test_file_overrides_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, """
base_url = "https://intro.example.com/"
[smtp]
port = 2626
[service]
address = ["Intro@Tally.Example", "intro@other.example"]
[followup]
delay = "36h"
""")
    c = load(path=path)
    assert c.smtp.port == 2626
    assert c.smtp.host == "127.0.0.1"  # untouched keys keep their defaults
    assert c.service.address == ("intro@tally.example", "intro@other.example")
    assert c.followup.delay == timedelta(hours=36)
    assert c.public_url == "https://intro.example.com"


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[smtp]\nport = 2626\nhost = '0.0.0.0'\n")
    c = load({"INTRO_SMTP_PORT": "2727", "INTRO_SERVICE_ADDRESS": "a@x.example, b@y.example"}, path)
    assert (c.smtp.host, c.smtp.port) == ("0.0.0.0", 2727)
    assert c.service.address == ("a@x.example", "b@y.example")


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[web]\nport = 8080\n")
    assert load({"INTRO_CONFIG": str(path)}).web.port == 8080


@pytest.mark.parametrize(("text", "expected"), [
    ("14d", timedelta(days=14)), ("36h", timedelta(hours=36)), ("0", timedelta(0)),
    ("90m", timedelta(minutes=90)), ("1d12h", timedelta(days=1, hours=12)), ("2w", timedelta(weeks=2)),
    (" 30s ", timedelta(seconds=30)),
])
def test_followup_delay_formats(text: str, expected: timedelta) -> None:
    assert load({"INTRO_FOLLOWUP_DELAY": text}).followup.delay == expected


@pytest.mark.parametrize(("env", "message"), [
    ({"INTRO_SMTP_PORT": "smtp"}, "INTRO_SMTP_PORT: expected a whole number, got 'smtp'"),
    ({"INTRO_WEB_PORT": "70000"}, "INTRO_WEB_PORT: expected a port number from 1 to 65535"),
    ({"INTRO_FOLLOWUP_DELAY": "14"}, "INTRO_FOLLOWUP_DELAY: expected a duration such as 14d"),
    ({"INTRO_FOLLOWUP_DELAY": "soon"}, "INTRO_FOLLOWUP_DELAY: expected a duration"),
    ({"INTRO_SERVICE_ADDRESS": "not-an-address"}, "INTRO_SERVICE_ADDRESS: expected addresses"),
    ({"INTRO_SERVICE_ADDRESS": "intro+x@a.example"}, "'+' is reserved for tags"),
    ({"INTRO_SERVICE_ADDRESS": ""}, "INTRO_SERVICE_ADDRESS: expected at least one address"),
    ({"INTRO_DATABASE_URL": "mysql://db/intro"}, "INTRO_DATABASE_URL: expected an SQLite or PostgreSQL URL"),
    ({"INTRO_BASE_URL": "intro.example.com"}, "INTRO_BASE_URL: expected an http(s) URL"),
    ({"INTRO_LOG_LEVEL": "LOUD"}, "INTRO_LOG_LEVEL: expected a log level"),
    ({"INTRO_SMPT_PORT": "25"}, "INTRO_SMPT_PORT: unknown setting"),
])
def test_bad_environment_values_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as e:
        load(env)
    assert message in str(e.value)


@pytest.mark.parametrize(("text", "message"), [
    ("[smtp]\nprot = 25\n", "unknown key [smtp] prot; known keys in [smtp]: host, port"),
    ("[smpt]\nport = 25\n", "unknown setting 'smpt'"),
    ("colour = 'blue'\n", "unknown setting 'colour'"),
    ("[smtp]\nport = '25x'\n", "[smtp] port: expected a whole number, got '25x'"),
    ("[smtp]\nport = true\n", "[smtp] port: expected a whole number, got True"),
    ("[service]\naddress = 7\n", "[service] address: expected a list of text"),
    ("[smtp\n", "not valid TOML"),
])
def test_bad_file_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load(path=path)
    assert str(path) in str(e.value)
    assert message in str(e.value)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load(path=tmp_path / "absent.toml")


def test_config_is_frozen() -> None:
    c = load()
    with pytest.raises(AttributeError):
        c.smtp.port = 25  # type: ignore[misc]


def test_example_file_has_every_key_at_its_default() -> None:
    example = REPO / "config.example.toml"
    data = tomllib.loads(example.read_text())
    present = {(None, k) for k, v in data.items() if not isinstance(v, dict)}
    present |= {(s, k) for s, table in data.items() if isinstance(table, dict) for k in table}
    assert present == set(config.setting_names().values())
    assert config.load(example, environ={}) == load()


def test_example_file_comments_every_key() -> None:
    lines = (REPO / "config.example.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#"), f"no comment above: {line}"


@pytest.mark.parametrize(("value", "expected"), [("15", "15"), ("year", "year"), ("YEAR", "year"), ("007", "7")])
def test_campaign_goal(value: str, expected: str) -> None:
    assert load({"INTRO_CAMPAIGN_GOAL": value}).campaign.goal == expected


def test_campaign_goal_as_a_toml_number(tmp_path: Path) -> None:
    assert load(path=write(tmp_path, "[campaign]\ngoal = 20\n")).campaign.goal == "20"


@pytest.mark.parametrize("value", ["0", "many", "-3", "1001"])
def test_bad_campaign_goal(value: str) -> None:
    expected = 'INTRO_CAMPAIGN_GOAL: expected a number of introductions from 1 to 1000, or "year"'
    with pytest.raises(ConfigError, match=expected):
        load({"INTRO_CAMPAIGN_GOAL": value})


def test_settings_that_would_send_dead_or_readable_links_are_warned_about() -> None:
    quiet = config.load(environ={})
    assert config.warnings(quiet) == []  # no relay: mail goes to the outbox
    no_base = config.load(environ={"INTRO_RELAY_HOST": "smtp.example.org"})
    [warning] = config.warnings(no_base)
    assert "base_url is not" in warning and "http://127.0.0.1:8000" in warning
    plain = config.load(environ={"INTRO_RELAY_HOST": "smtp.example.org", "INTRO_BASE_URL": "http://i.example.org"})
    [warning] = config.warnings(plain)
    assert "not https" in warning
    good = config.load(environ={"INTRO_RELAY_HOST": "smtp.example.org", "INTRO_BASE_URL": "https://i.example.org"})
    assert config.warnings(good) == []


def test_the_warning_is_in_the_log_of_the_command_that_sends(tmp_path: Path) -> None:
    done = run_intro("followups", "run", cwd=tmp_path, env=environ(
        INTRO_DATABASE_URL=f"sqlite:///{tmp_path / 'i.db'}", INTRO_RELAY_HOST="127.0.0.1",
        INTRO_RELAY_PORT=str(free_port())))
    assert done.returncode == 0, done.stderr
    assert "WARNING" in done.stderr and "base_url is not" in done.stderr
