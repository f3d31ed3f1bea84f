"""How fast messages are understood (parsed and classified), in one process, on real mail:
tests/data and, when present, ../shared/samples and ../shared/corpora, sizes as they come.

The baseline, in the same run on the same messages, is the email package alone reading
each one (``email.message_from_bytes`` with the default policy, and the text body), the
floor any understanding pays. The ratio says what understanding costs on top.

    .venv/bin/python bench/understand.py [--rounds 5] [FOLDER ...]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import time
from pathlib import Path

from inbound.processor import understand

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [ROOT / "tests" / "data", ROOT.parent / "shared" / "samples", ROOT.parent / "shared" / "corpora"]
SERVICE = ("intro@tally.example",)


def messages(folders: list[Path]) -> list[bytes]:
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"
                      and not p.name.startswith(("LICENSE", "NOTICE", "README", "labels"))]
    return found


def baseline(raw: bytes) -> None:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        body = message.get_body(("plain", "html"))  # type: ignore[attr-defined]
        if body is not None:
            body.get_content()
    except Exception:  # the email package alone raises on some of the corpora
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("folders", nargs="*", type=Path, default=FOLDERS, metavar="FOLDER",
                        help="where the messages are (default: tests/data and ../shared)")
    args = parser.parse_args()
    raws = messages(args.folders)
    best = {"baseline": float("inf"), "intro": float("inf")}
    for _ in range(args.rounds):  # interleaved, the best round of each: the least disturbed
        started = time.perf_counter()
        for raw in raws:
            baseline(raw)
        best["baseline"] = min(best["baseline"], time.perf_counter() - started)
        started = time.perf_counter()
        for raw in raws:
            understand(raw, SERVICE, "<unknown>", SERVICE)
        best["intro"] = min(best["intro"], time.perf_counter() - started)
    size = sum(map(len, raws)) / 1024 / 1024
    print(f"{len(raws)} messages, {size:.1f} MiB: email package alone {len(raws) / best['baseline']:.0f}/s, "
          f"understood {len(raws) / best['intro']:.0f}/s, ratio {best['baseline'] / best['intro']:.2f}")


if __name__ == "__main__":
    main()
