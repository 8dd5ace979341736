"""Benchmark: `check` over a tree of N copies of the 汨罗 seed, as a finance bureau would run it.

    python3 scripts/bench_check.py [N ...]        # default: 10 100
    python3 scripts/bench_check.py 10 100 1000

For each N, a fresh process makes the tree (N department-years), checks one department-year
to warm up (per-process work done once: imports, form sets, compiled patterns), then:

- ``check``: `annexgen.check.check` of every department-year on one core, CPU ms per department-year;
- ``anchor``: reading the same YAML files with PyYAML's C loader (`yaml.load(text, CSafeLoader)`),
  nothing else, CPU ms per department-year: the cheapest read of the same data there is, so
  ``check / anchor`` compares across machines;
- ``batch``: `annexgen check TREE --format json` the way the CLI runs it (`commands.check.run`,
  all cores), wall ms per department-year;
- ``peak``: the largest resident set (ru_maxrss) of the process and of any pool worker.

check and anchor alternate (``--rounds``, default 3) and the median is printed. Other programs
running at the same time slow every figure; the ratio suffers least. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "miluo-hrss" / "2023"


def one(n: int, rounds: int) -> dict:
    """In a fresh process: the figures for a tree of n copies."""
    import yaml

    from annexgen.check import check
    from annexgen.commands.check import run
    from annexgen.load import find_department_years

    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        for i in range(n):
            shutil.copytree(SEED, tree / f"单位{i:04d}" / "2023")
        years = find_department_years(tree)
        files = [p for y in years for p in sorted(y.rglob("*.yaml"))]
        findings = len(check(years[0]))  # warm-up
        check_ms, anchor_ms = [], []
        for _ in range(rounds):
            start = time.process_time()
            for y in years:
                check(y)
            check_ms.append((time.process_time() - start) / n * 1000)
            start = time.process_time()
            for f in files:
                yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            anchor_ms.append((time.process_time() - start) / n * 1000)
        start = time.perf_counter()
        code = run(tree, "json", False, io.StringIO())
        batch_ms = (time.perf_counter() - start) / n * 1000
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "n": n,
        "findings": findings,
        "exit": code,
        "check": statistics.median(check_ms),
        "anchor": statistics.median(anchor_ms),
        "batch": batch_ms,
        "cores": os.cpu_count(),
        "peak": max(own, workers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.rounds)))
        return
    print(f"{'N':>5}  {'check ms/年度':>12}  {'anchor ms/年度':>13}  {'check/anchor':>12}  {'batch wall ms/年度':>18}  {'peak MB':>8}")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--rounds", str(args.rounds)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{n:>5}  {r['check']:>12.1f}  {r['anchor']:>13.1f}  {r['check'] / r['anchor']:>12.2f}  "
            f"{r['batch']:>13.1f} ({r['cores']} 核)  {r['peak']:>8.0f}"
        )
    print(f"check: one core, CPU time (median of {args.rounds}); anchor: yaml.load(CSafeLoader) of the same files; "
          "batch: commands.check.run on all cores, wall time; peak: largest ru_maxrss of the process and its workers")


if __name__ == "__main__":
    main()
