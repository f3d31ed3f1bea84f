"""The 40 labelled samples in ../shared/samples, classified as labelled, through `intro inspect`'s logic."""

from __future__ import annotations

import pytest

from inbound.cli import labelled
from inbound.understanding.classify import classify
from inbound.understanding.parse import parse
from tests.shared import SAMPLES, need, sample_labels

LABELS = sample_labels()
SERVICE = ("intro@tally.example",)


@pytest.mark.parametrize("name", sorted(LABELS) or ["(no samples)"])
def test_sample_is_classified_as_labelled(name: str) -> None:
    need(SAMPLES)
    label = LABELS[name]
    found = classify(parse((SAMPLES / name).read_bytes()), label["rcpt"], SERVICE, label["mail_from"])
    got = labelled(found)
    expected = {k: label[k] for k in ("kind", "introducer", "parties")}
    assert {k: got[k] for k in expected} == expected, f"{name}: {label['note']} ({found.reason})"
    if label["kind"] == "survey_reply":
        assert got["answer"] == label["answer"], label["note"]
