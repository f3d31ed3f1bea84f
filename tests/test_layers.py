"""The import rules (docs/ARCHITECTURE.md): the arrows point one way, into the domain.

Read from the source, so a rule also holds for code no test happens to import, and
followed through every module a module imports, so "not even indirectly" is checked.
"""

from __future__ import annotations

import ast
from functools import cache

import pytest

from tests.conftest import REPO

OURS = ("intro", "inbound", "mailer", "web")
# Who may not reach whom. The modules that understand messages are pure: bytes in, a
# meaning out; no database, so they can be tested and measured alone.
RULES = [
    ("intro", ("inbound", "mailer", "web")),
    ("web", ("mailer",)),
    ("inbound.understanding", ("sqlalchemy", "alembic", "intro.db", "intro.models")),
]
MODULES = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
           for top in OURS for p in (REPO / top).rglob("*.py")}


@cache
def imports(module: str) -> frozenset[str]:
    """What ``module`` imports directly: module names, ours and others'."""
    found = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return frozenset(found)


def reach(module: str) -> set[str]:
    """Every module ``module`` imports, directly or through modules of ours."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in imports(todo.pop()):
            for step in (*_parents(name), name):
                if step not in seen:
                    seen.add(step)
                    if step in MODULES:
                        todo.append(step)
    return seen


def _parents(name: str) -> list[str]:
    # Importing a.b.c runs a/__init__ and a/b/__init__ first.
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize(("package", "forbidden"), RULES, ids=[p for p, _ in RULES])
def test_no_arrow_points_the_wrong_way(package: str, forbidden: tuple[str, ...]) -> None:
    wrong = {f"{module} -> {name}" for module in MODULES if _inside(module, package)
             for name in reach(module) if any(_inside(name, f) for f in forbidden)}
    assert not wrong, sorted(wrong)


def test_the_rules_see_every_package() -> None:
    assert {m.split(".")[0] for m in MODULES} == set(OURS)
    assert any(_inside(m, "inbound.understanding") for m in MODULES)
