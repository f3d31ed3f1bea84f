"""The docs' promises: the README's commands are the ones CI runs, the settings table is
complete, every link leads somewhere, a file shown on a page is that file, and each
package's docstring lists all its modules."""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest

from intro import config
from tests.conftest import REPO

README = (REPO / "README.md").read_text()
DOCS = sorted((REPO / "docs").glob("*.md"))
PACKAGES = ["intro", "inbound", "inbound/understanding", "mailer", "web"]


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


def test_the_readme_is_a_door() -> None:
    # What intro is, the two commands, the tests, the map; the manual lives in docs/.
    assert len(README.splitlines()) <= 160
    for heading in ("## Quick start", "## The map of the code"):
        assert heading in README


def test_every_setting_is_in_the_configuration_table() -> None:
    text = (REPO / "docs" / "CONFIGURATION.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `INTRO_")]
    documented = set(re.findall(r"`(INTRO_[A-Z0-9_]+)`", "\n".join(rows)))
    assert documented == set(config.setting_names())  # config.example.toml: tests/test_config.py


@pytest.mark.parametrize("page", [REPO / "README.md", *DOCS], ids=lambda p: p.name)
def test_links_lead_somewhere(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
        if not target.startswith(("http://", "https://", "mailto:")):
            assert (page.parent / target).exists(), f"{page.name}: {target}"


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_lists_its_modules(package: str) -> None:
    folder = REPO / package
    listed = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    missing = {m for m in modules if f"``{m}``" not in listed}
    assert not missing, f"{package}/__init__.py does not list {sorted(missing)}"


def _fenced_blocks(text: str) -> list[list[str]]:
    """The lines inside each ``` fence of a Markdown page (fences at the start of a line)."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _copies() -> list[tuple[str, str, str]]:
    """(page, path, text) for each block whose first line is "# docs/<path>": a file shown."""
    found = []
    for page in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for block in _fenced_blocks(page.read_text()):
            if block and (named := re.fullmatch(r"# (docs/\S+)\n", block[0])):
                found.append((str(page.relative_to(REPO)), named.group(1), "".join(block[1:])))
    return found


def test_a_file_shown_in_the_docs_is_the_file() -> None:
    # A block that starts "# docs/<path>" shows that file, and the rest of the block must be
    # its text exactly: what a page tells people to install is what the tests run
    # (docs/postfix/ by tests/test_postfix.py).
    copies = _copies()
    assert {"docs/postfix/main.cf", "docs/postfix/transport", "docs/postfix/relay_recipients"} <= {
        path for _, path, _ in copies}
    for page, path, shown in copies:
        assert (REPO / path).is_file(), f"{page} shows {path}, which does not exist"
        text = (REPO / path).read_text()
        diff = "".join(difflib.unified_diff(text.splitlines(True), shown.splitlines(True), path, page))
        assert shown == text, f"{page} shows {path} otherwise than it is:\n{diff}"
