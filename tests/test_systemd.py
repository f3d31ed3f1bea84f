"""docs/systemd/: each unit starts a command intro has, all are shut in alike, and
systemd's own checker finds nothing to say about them (where it is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import environ, intro_command, run_intro

UNITS = REPO / "docs" / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
INSTALLED = "/opt/intro/bin/intro"
# What every service has the same: who it runs as, where, with which settings, and how it
# is shut in (from CapabilityBoundingSet= to the end of [Service]).
SHARED = ("User=", "Group=", "Environment=", "EnvironmentFile=", "StateDirectory=", "StateDirectoryMode=",
          "WorkingDirectory=", "UMask=")


def _settings(unit: Path) -> list[str]:
    return [line for line in unit.read_text().splitlines() if line and not line.startswith("#")]


def _shut_in(unit: Path) -> list[str]:
    lines = _settings(unit)
    start = lines.index("CapabilityBoundingSet=")
    return lines[start:lines.index("[Install]")] if "[Install]" in lines else lines[start:]


def test_the_units_are_there_and_listed() -> None:
    assert {u.name for u in SERVICES} == {"intro.service", "intro-smtp.service", "intro-web.service",
                                         "intro-scheduler.service"}
    readme = (UNITS / "README.md").read_text()
    for unit in UNITS.iterdir():
        if unit.suffix in (".service", ".timer"):
            assert f"`{unit.name}`" in readme, f"docs/systemd/README.md does not list {unit.name}"


@pytest.mark.parametrize("unit", SERVICES, ids=lambda u: u.name)
def test_each_starts_a_command_intro_has(unit: Path, tmp_path: Path) -> None:
    [start] = [line for line in _settings(unit) if line.startswith("ExecStart=")]
    program, *args = start.removeprefix("ExecStart=").split()
    assert program == INSTALLED
    out = run_intro(*args, "--help", cwd=tmp_path, env=environ())
    assert out.returncode == 0, out.stderr


def test_all_are_shut_in_alike() -> None:
    first, *others = SERVICES
    for unit in others:
        assert _shut_in(unit) == _shut_in(first), f"{unit.name} is shut in otherwise than {first.name}"
        for key in SHARED:
            assert ([line for line in _settings(unit) if line.startswith(key)]
                    == [line for line in _settings(first) if line.startswith(key)]), f"{unit.name}: {key}"
    assert "CapabilityBoundingSet=" in _shut_in(first) and "NoNewPrivileges=yes" in _shut_in(first)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_finds_nothing_to_say(tmp_path: Path) -> None:
    # As installed, but starting the intro installed here (verify checks that it exists).
    [intro] = intro_command()
    units = []
    for unit in UNITS.iterdir():
        if unit.suffix in (".service", ".timer"):
            (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, intro))
            units.append(f"./{unit.name}")
    out = subprocess.run(["systemd-analyze", "verify", *units], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr
    for unit in SERVICES:
        out = subprocess.run(["systemd-analyze", "security", "--offline=true", f"./{unit.name}"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60, check=False)
        if "--offline" in out.stderr:
            pytest.skip("this systemd-analyze cannot rate a unit file offline")
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out.stdout)
        assert found and float(found[1]) <= 2.0, out.stdout[-2000:]
