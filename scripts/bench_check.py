"""Benchmark: `check` over a tree of N copies of the 汨罗 seed, as a finance bureau would run it.

    python3 scripts/bench_check.py [N]

Prints the total time and the time per department-year; asserts nothing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from annexgen.check import check
from annexgen.load import find_department_years

REPO = Path(__file__).resolve().parent.parent


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", Path(tmp) / f"unit{i:04d}" / "2023")
        start = time.perf_counter()
        years = find_department_years(Path(tmp))
        findings = sum(len(check(y)) for y in years)
        elapsed = time.perf_counter() - start
    print(f"{len(years)} department-years, {findings} findings: {elapsed:.2f} s total, {elapsed / len(years) * 1000:.1f} ms each")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
