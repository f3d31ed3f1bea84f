"""What `pip install` ships: every package of ours, and no top-level name but ours.

An editable install (the quick start's) finds any folder, so a package left out of
pyproject.toml would only be missed by a real install; this test reads the list."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO

OURS = ("intro", "inbound", "mailer", "web")


def _setuptools() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]  # type: ignore[no-any-return]


def test_every_package_of_ours_is_installed() -> None:
    found = {".".join(p.parent.relative_to(REPO).parts) for top in OURS for p in (REPO / top).rglob("__init__.py")}
    found.add("intro.templates")  # templates/, mapped into the domain package
    assert set(_setuptools()["packages"]) == found  # type: ignore[arg-type]


def test_only_our_names_at_the_top() -> None:
    tops = {name.split(".")[0] for name in _setuptools()["packages"]}  # type: ignore[attr-defined]
    assert tops == set(OURS)
    assert _setuptools()["package-dir"] == {"intro.templates": "templates"}
