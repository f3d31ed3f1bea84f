"""The parts `intro serve` runs in one process, found through entry points.

Each package registers its component under the ``intro.components`` entry-point group
(see pyproject.toml), so intro/ starts the SMTP server and the web site without
importing inbound/ or web/.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol

from sqlalchemy import Engine

from intro.config import Config

GROUP = "intro.components"


class Component(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class ComponentFactory(Protocol):
    def __call__(self, config: Config, engine: Engine) -> Component: ...


def factories() -> dict[str, ComponentFactory]:
    found = {ep.name: ep.load() for ep in entry_points(group=GROUP)}
    if not found:
        raise RuntimeError(f"no {GROUP} entry points: is intro-service installed (pip install -e .)?")
    return dict(sorted(found.items()))
