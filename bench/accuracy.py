"""How well intro understands labelled mail: per kind, precision and recall; exact
introducer-and-people and answer accuracy; and the files it gets wrong.

Each FOLDER holds .eml files and labels in the format of ../shared/samples/labels.json
(``labels.json``, or several ``labels*.json`` that together name every file). Every
message goes through what `intro inspect` runs, with the label's envelope.

    .venv/bin/python bench/accuracy.py tests/data/recognition ../shared/samples [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from inbound.cli import labelled
from inbound.understanding.classify import classify
from inbound.understanding.parse import parse
from intro.meaning import KINDS

SERVICE = ("intro@tally.example",)


def labels(folder: Path) -> dict[Path, dict[str, Any]]:
    found: dict[Path, dict[str, Any]] = {}
    for file in sorted(folder.glob("labels*.json")):
        found.update({folder / name: label for name, label in json.loads(file.read_text()).items()})
    return found


def measure(folders: list[Path]) -> dict[str, Any]:
    """The figures for every labelled message in ``folders``."""
    confusion: Counter[tuple[str, str]] = Counter()
    exact = introductions = answered = answers_right = 0
    wrong: list[dict[str, Any]] = []
    for folder in folders:
        for path, label in labels(folder).items():
            found = classify(parse(path.read_bytes()), label["rcpt"], SERVICE, label["mail_from"])
            got = labelled(found)
            confusion[label["kind"], got["kind"]] += 1
            problem = "" if got["kind"] == label["kind"] else f"{label['kind']} read as {got['kind']}"
            if label["kind"] == "introduction":
                introductions += 1
                same = (got["introducer"], got["parties"]) == (label["introducer"], sorted(label["parties"]))
                exact += same
                if got["kind"] == "introduction" and not same:
                    problem = f"people: {got['introducer']} {got['parties']}"
            if label["kind"] == "survey_reply":
                answered += 1
                answers_right += got["answer"] == label.get("answer")
                if got["kind"] == "survey_reply" and got["answer"] != label.get("answer"):
                    problem = f"answer {got['answer']!r}, labelled {label.get('answer')!r}"
            if problem:
                wrong.append({"file": str(path), "problem": problem, "score": found.score,
                              "reason": found.reason, "note": label.get("note", "")})
    kinds = {}
    for kind in KINDS:
        labelled_as = sum(n for (want, _), n in confusion.items() if want == kind)
        read_as = sum(n for (_, got), n in confusion.items() if got == kind)
        hits = confusion[kind, kind]
        kinds[kind] = {"labelled": labelled_as, "precision": round(hits / read_as, 3) if read_as else None,
                       "recall": round(hits / labelled_as, 3) if labelled_as else None}
    total = sum(confusion.values())
    hits = sum(n for (want, got), n in confusion.items() if want == got)
    return {
        "messages": total,
        "kinds_right": round(hits / total, 3) if total else None,
        "kinds": kinds,
        "introducer_and_people_exact": round(exact / introductions, 3) if introductions else None,
        "answers_right": round(answers_right / answered, 3) if answered else None,
        "wrong": sorted(wrong, key=lambda w: w["file"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.folders)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"{figures['messages']} messages; kind right for {figures['kinds_right']}")
    print(f"{'kind':<14}{'labelled':>9}{'precision':>11}{'recall':>8}")
    for kind, row in figures["kinds"].items():
        print(f"{kind:<14}{row['labelled']:>9}{_show(row['precision']):>11}{_show(row['recall']):>8}")
    print(f"introducer and people exactly right: {_show(figures['introducer_and_people_exact'])}")
    print(f"answers right: {_show(figures['answers_right'])}")
    for item in figures["wrong"]:
        print(f"  {item['file']}: {item['problem']} (score {item['score']}; {item['reason']}) -- {item['note']}")
    sys.exit(0)


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
