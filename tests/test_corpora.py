"""Every message in ../shared/corpora goes through parsing and classification without an exception."""

from __future__ import annotations

import pytest

from inbound.understanding.classify import classify
from inbound.understanding.parse import parse
from tests.shared import CORPORA, corpus_files, need

FILES = corpus_files()


@pytest.mark.parametrize("path", FILES or [None], ids=[str(p.relative_to(CORPORA)) for p in FILES] or ["none"])
def test_parse_and_classify_never_raise(path) -> None:
    need(CORPORA)
    parsed = parse(path.read_bytes())
    found = classify(parsed, ["intro@tally.example"], ("intro@tally.example",))
    assert found.kind in {"introduction", "reply", "survey_reply", "auto_reply", "bounce", "other"}
