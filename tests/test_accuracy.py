"""Recognition measured on labelled mail: our own set in tests/data/recognition (many
languages, clients and near misses) and the shared samples, through bench/accuracy.py
as a user runs it. The bars are those the held-out set is judged by, and above."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, REPO
from tests.shared import SAMPLES


def measure(*folders: Path) -> dict[str, Any]:
    run = subprocess.run([sys.executable, str(REPO / "bench" / "accuracy.py"), "--json", *map(str, folders)],
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(run.stdout)  # type: ignore[no-any-return]


SETS = ["recognition", "recognition-holdout", "recognition-third", "recognition-fourth", "recognition-fifth"]


@pytest.fixture(scope="module", params=SETS)
def ours(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Our five sets, each written independently of the code (docs/CLASSIFICATION.md)."""
    return measure(DATA / request.param)


def test_our_set_is_large_and_varied(ours: dict[str, Any]) -> None:
    kinds = ours["kinds"]
    assert kinds["introduction"]["labelled"] >= 40
    assert kinds["other"]["labelled"] + kinds["reply"]["labelled"] >= 30  # near misses


def test_introductions_are_found_and_nothing_else_is(ours: dict[str, Any]) -> None:
    wrong = [f"{w['file']}: {w['problem']}" for w in ours["wrong"]]
    intros = ours["kinds"]["introduction"]
    if intros["labelled"]:
        assert intros["recall"] >= 0.97, wrong
        assert intros["precision"] >= 0.98, wrong
        assert ours["introducer_and_people_exact"] >= 0.97, wrong
    assert ours["kinds_right"] >= 0.97, wrong


def test_answers_are_read(ours: dict[str, Any]) -> None:
    if ours["answers_right"] is not None:
        assert ours["answers_right"] >= 0.95, [w for w in ours["wrong"] if "answer" in w["problem"]]


def test_the_shared_samples_all_right() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"{SAMPLES} is absent (it sits beside the repository in CI)")
    figures = measure(SAMPLES)
    assert figures["kinds_right"] == 1.0 and figures["answers_right"] == 1.0, figures["wrong"]
