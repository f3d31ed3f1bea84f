"""Access to ../shared/ (labelled samples and public corpora), which CI provides beside the
clone; tests that need it skip with a clear reason when it is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"
CORPORA = SHARED / "corpora"


def need(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"{path} is absent (it sits beside the repository in CI; see README)")
    return path


def sample_labels() -> dict[str, dict[str, Any]]:
    path = SAMPLES / "labels.json"
    return json.loads(path.read_text()) if path.exists() else {}


def corpus_files() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    skip = ("LICENSE", "NOTICE", "README")
    return sorted(p for p in CORPORA.rglob("*") if p.is_file() and not p.name.startswith(skip))
