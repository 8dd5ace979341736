"""How long `annexgen --help` takes, against the anchor of a bare Python start in the same run.

    python3 scripts/bench_help.py [runs]

Prints the median wall time of each over `runs` processes (default 15), and annexgen's part
(the difference). The issue's target (at most 150 ms) is for annexgen's own part: a bare
interpreter start on this machine already costs a large share of it.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def median_ms(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    annexgen = shutil.which("annexgen") or "annexgen"
    anchor = median_ms([sys.executable, "-c", "pass"], runs)
    rows = [("python -c pass (anchor)", anchor)]
    for args in (["--help"], ["check", "--help"], ["build", "--help"]):
        rows.append((f"annexgen {' '.join(args)}", median_ms([annexgen, *args], runs)))
    for name, ms in rows:
        extra = "" if name.startswith("python") else f"   annexgen's part {ms - anchor:6.1f} ms"
        print(f"{name:28s} {ms:7.1f} ms{extra}")


if __name__ == "__main__":
    main()
