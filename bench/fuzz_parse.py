"""Fuzzing the parser and classifier: hostile messages through what the service runs on each.

The strategies are those of tests/test_properties.py, run at scale with a random seed, and
every message goes through ``tests.test_properties.run_service``: the SMTP handler's
``envelope_id``, then the processor's ``understand`` (parse and classify), with the same
properties (no exception, a documented kind, storable text). Exceptions are counted and
shown, not stopped at; any at all is a failure (exit status 1).

The baseline, in the same run on the same inputs, is the email package alone:
``email.message_from_bytes(raw, policy=email.policy.default)``, which reads the structure
but decodes no header until asked. The ratio says what reading everything costs on top.
Peak RSS is the whole process's (ru_maxrss), hypothesis included; the figure after imports
is printed beside it.

    .venv/bin/python bench/fuzz_parse.py [--examples 20000] [--seed 0] [--engine hypothesis]

With ``--engine atheris`` (``pip install atheris``; not a project dependency), libFuzzer
mutates raw bytes under coverage guidance instead, starting from tests/data/**/*.eml.
"""

from __future__ import annotations

import argparse
import atexit
import email
import email.policy
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.test_properties import FAMILIES, SAMPLES, Case, run_service  # noqa: E402

# Shares of the examples: the costly families (a megabyte of headers, thousands of
# recipients, hundreds of MIME levels) get fewer, so that the run stays in minutes.
WEIGHTS = {"any_bytes": 3.0, "messages": 3.0, "introductions": 3.0, "truncated": 3.0, "hostile_headers": 3.0,
           "deep_nesting": 1.0, "enormous_headers": 0.1, "many_recipients": 0.25}
SHOWN = 10  # distinct failures printed


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


@dataclass
class Tally:
    family: str
    examples: int = 0
    seconds: float = 0.0
    baseline_seconds: float = 0.0
    baseline_errors: int = 0  # the email package alone raised (RecursionError on deep nesting)
    slowest: float = 0.0
    largest: int = 0
    failures: list[tuple[str, Case]] = field(default_factory=list)

    def run(self, case: Case) -> None:
        start = time.perf_counter()
        try:
            run_service(case)
        except Exception as e:  # counted and shown at the end; the run goes on
            where = traceback.extract_tb(e.__traceback__)[-1]
            self.failures.append((f"{type(e).__name__}: {e} at {Path(where.filename).name}:{where.lineno}"[:300], case))
        middle = time.perf_counter()
        try:
            email.message_from_bytes(case.raw, policy=email.policy.default)
        except Exception:
            self.baseline_errors += 1
        end = time.perf_counter()
        self.examples += 1
        self.seconds += middle - start
        self.baseline_seconds += end - middle
        self.slowest = max(self.slowest, middle - start)
        self.largest = max(self.largest, len(case.raw))

    def line(self) -> str:
        per = self.seconds / max(self.examples, 1) * 1000
        base = self.baseline_seconds / max(self.examples, 1) * 1000
        ratio = self.seconds / self.baseline_seconds if self.baseline_seconds else 0.0
        return (f"{self.family:<17} {self.examples:>7} {len(self.failures):>10} {per:>9.2f} {base:>11.2f} "
                f"{ratio:>6.1f} {self.slowest * 1000:>10.0f} {self.largest:>11,} {self.baseline_errors:>9}")


def fuzzer(tally: Tally, strategy: st.SearchStrategy[Case], examples: int, at: int) -> Callable[[], None]:
    """A hypothesis test that feeds ``examples`` random cases to ``tally``: generation only, no shrinking."""

    @seed(at)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one(case: Case) -> None:
        tally.run(case)

    return one


def fuzz_hypothesis(examples: int, start_seed: int, tallies: dict[str, Tally]) -> None:
    total = sum(WEIGHTS.values())
    for n, (name, strategy) in enumerate(FAMILIES.items()):
        fuzzer(tallies[name], strategy(), max(1, round(examples * WEIGHTS[name] / total)), start_seed + n)()
        print(f"  {name}: {tallies[name].examples} examples, peak RSS so far {rss_mb():.0f} MB", file=sys.stderr)


def fuzz_atheris(examples: int, tallies: dict[str, Tally]) -> None:
    """libFuzzer mutates raw bytes, starting from the sample messages in tests/data."""
    import atheris  # type: ignore[import-not-found]  # optional: pip install atheris

    corpus = Path(tempfile.mkdtemp(prefix="fuzz_parse-"))
    for n, sample in enumerate(SAMPLES):
        shutil.copy(sample, corpus / f"{n}.eml")
    atexit.register(shutil.rmtree, corpus, True)
    tally = tallies["atheris"] = Tally("atheris")

    def one(data: bytes) -> None:
        tally.run(Case(data))

    atheris.instrument_all()  # coverage of every loaded module (email.*, inbound.*): takes a minute or two
    atheris.Setup([sys.argv[0], f"-atheris_runs={examples}", "-max_len=65536", "-rss_limit_mb=4096", str(corpus)],
                  one)
    atheris.Fuzz()  # exits the process when done: the report runs at exit


def report(tallies: dict[str, Tally], started: float, rss_start: float) -> None:
    wall = time.perf_counter() - started
    print(f"{'family':<17} {'examples':>7} {'exceptions':>10} {'intro ms':>9} {'baseline ms':>11} {'ratio':>6} "
          f"{'slowest ms':>10} {'largest B':>11} {'base exc':>9}")
    for tally in tallies.values():
        print(tally.line())
    run = sum(t.examples for t in tallies.values())
    failures = [(t.family, f) for t in tallies.values() for f in t.failures]
    intro = sum(t.seconds for t in tallies.values())
    base = sum(t.baseline_seconds for t in tallies.values())
    print(f"examples run: {run}; exceptions found: {len(failures)}; time: {wall:.1f} s wall "
          f"(intro {intro:.1f} s, email package alone {base:.1f} s, ratio {intro / base if base else 0:.1f}); "
          f"peak RSS {rss_mb():.0f} MB (after imports {rss_start:.0f} MB)")
    # One line per distinct error (its message and where it came from), with its smallest input.
    distinct: dict[tuple[str, str], list[Case]] = {}
    for family, (error, case) in failures:
        distinct.setdefault((family, error), []).append(case)
    for (family, error), cases in list(distinct.items())[:SHOWN]:
        smallest = min(cases, key=lambda c: len(c.raw))
        print(f"  {family}: {error} ({len(cases)}x); smallest:\n    {smallest!r:.500}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    args = parser.parse_args()
    tallies = {name: Tally(name) for name in FAMILIES} if args.engine == "hypothesis" else {}
    rss_start, started = rss_mb(), time.perf_counter()
    if args.engine == "atheris":
        def finish() -> None:  # atheris ends the process itself when its runs are done
            report(tallies, started, rss_start)
            sys.stdout.flush()
            os._exit(1 if any(t.failures for t in tallies.values()) else 0)

        atexit.register(finish)
        fuzz_atheris(args.examples, tallies)
    fuzz_hypothesis(args.examples, args.seed, tallies)
    report(tallies, started, rss_start)
    sys.exit(1 if any(t.failures for t in tallies.values()) else 0)


if __name__ == "__main__":
    main()
