"""Long runs and replays of the hostile fuzz (tests/test_fuzz.py) outside pytest.

    python3 scripts/fuzz.py --cases 3000 --jobs 2        # the long run: table of outcomes per class, reproducers
    python3 scripts/fuzz.py --only 17 --verbose           # replay one case: its steps, exit codes, times, outcomes
    python3 scripts/fuzz.py --only 17 --make /tmp/case17  # write case 17's folder to look at (no CLI run)

The seed defaults to the test's; environment variables of the test (ANNEXGEN_FUZZ_TIMEOUT…) apply too.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


class Printing(list):
    """The run's results list: with --verbose, one line per case as it finishes."""

    def __init__(self, results: list, verbose: bool) -> None:
        super().__init__()
        self.results, self.verbose = results, verbose

    def append(self, item) -> None:
        self.results.append(item)
        case, found = item
        if self.verbose:
            ends = {e[1]: e for e in case.events if e[0] == "end"}
            steps = " ".join(f"{kind}={ends[k][2]}/{ends[k][4]:.2f}s" if k in ends else f"{kind}=-" for k, (kind, _) in enumerate(case.steps))
            print(f"case {case.number} [{case.builder}] {case.made.description[:100]} | {steps} | {', '.join(found) or 'ok'}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--only", help="comma-separated case numbers")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--make", type=Path, help="only write the folder of the (single) --only case here")
    parser.add_argument("--verbose", action="store_true", help="one line per case: steps, exit codes, seconds, outcomes")
    args = parser.parse_args()
    if args.seed is not None:
        os.environ["ANNEXGEN_FUZZ_SEED"] = str(args.seed)
    if args.jobs is not None:
        os.environ["ANNEXGEN_FUZZ_JOBS"] = str(args.jobs)
    import test_fuzz  # reads the environment when imported
    from hostile_cases import make_case

    numbers = [int(n) for n in args.only.split(",")] if args.only else list(range(args.cases))
    if args.make:
        cls, builder, made = make_case(args.make, test_fuzz.SEED, numbers[0])
        print(f"{args.make}/单位/2024: [{cls} {builder}] {made.description}")
        return 0
    with tempfile.TemporaryDirectory(prefix="annexgen-fuzz-") as tmp:
        base = Path(tmp)
        print(f"fuzz seed {test_fuzz.SEED}: {len(numbers)} cases, {test_fuzz.JOBS} at a time")
        test_fuzz.warm_up(base)
        started = time.monotonic()
        results: list = []
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            test_fuzz.run_all(numbers, base, done=Printing(results, args.verbose))
        except KeyboardInterrupt:  # a long run cut short: report the cases that finished
            print(f"interrupted after {len(results)} cases")
        elapsed = time.monotonic() - started
        results.sort(key=lambda r: r[0].number)
    seconds: dict[str, list[float]] = defaultdict(list)
    first: dict[tuple[str, str], str] = {}
    for case, found in results:
        ends = {e[1]: e for e in case.events if e[0] == "end"}
        for k, (kind, _) in enumerate(case.steps):
            if k in ends:
                seconds[kind].append(ends[k][4])
        for outcome, what in found.items():
            first.setdefault((outcome, case.cls), f"case {case.number} [{case.builder}] {case.made.description[:160]} → {what}")
    print(test_fuzz.table(results))
    print(f"{len(results)} cases in {elapsed:.1f} s: {len(results) / elapsed:.2f} cases/s; mean seconds per command: "
          + ", ".join(f"{kind} {sum(v) / len(v):.2f} (n={len(v)})" for kind, v in sorted(seconds.items())))
    for (outcome, cls), line in sorted(first.items()):
        print(f"{outcome:>13} {cls:<11} {line}")
    return 1 if first else 0


if __name__ == "__main__":
    sys.exit(main())
