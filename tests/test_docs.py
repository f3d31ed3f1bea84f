"""The README's promises: its commands are the ones CI runs, and its config table is complete."""

from __future__ import annotations

import re

from intro import config
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [b.strip() for b in blocks if b.strip().startswith("python3 -m venv")]


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    run, test = _quick_start_commands()
    assert run.endswith("intro serve")
    assert test.endswith("pytest")
    ci = (REPO / ".ci" / "run").read_text()
    assert test in ci.splitlines()


def test_every_setting_is_in_the_readme_table() -> None:
    for name in config.setting_names():
        assert f"`{name}`" in README, name
