"""Benchmark: `annexgen build` over a tree of N copies of the 汨罗 seed, against plain docxtpl in the same run.

    python3 scripts/bench_build.py [N ...]          # default: 10 100
    python3 scripts/bench_build.py 10 100 1000

For each N, a fresh process builds the tree (N department-years, 11 annexes each) the way
`annexgen build TREE -o OUT` does, and reports wall time, CPU time (its own and its pool
workers') per annex and peak memory: the largest resident set of the main process and of
any worker, and the peak of the whole family's PSS (sampled every 0.25 s; pages the forked
workers share with the main process are counted once).
The anchor is plain docxtpl re-rendering the same templates with the same contexts and saving
them (`DocxTemplate(t).render(ctx); save()`), the way a script built on docxtpl alone would,
timed in this run. Prints figures; asserts nothing.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "miluo-hrss" / "2023"


def make_tree(root: Path, n: int) -> None:
    for i in range(n):
        shutil.copytree(SEED, root / f"单位{i:04d}" / "2023")


def pss_mb(pid: int) -> float:
    """Proportional set size of a process: its own pages, plus its share of pages shared with others (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def family_pss(parent: int) -> float:
    """PSS of this process and its children (the pool's workers), in MB."""
    total = pss_mb(parent)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                total += pss_mb(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return total


def one(n: int, extra: list[str]) -> None:
    """Run in a fresh process: build a tree of n copies; print figures as JSON."""
    import threading

    from annexgen.commands.build import run

    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], family_pss(os.getpid()))

    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        make_tree(tree, n)
        out = Path(tmp) / "out"
        t0, c0 = time.perf_counter(), os.times()
        sink = io.StringIO()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        jobs = int(extra[extra.index("--jobs") + 1]) if "--jobs" in extra else None
        code = run(tree, out, combine="--combine" in extra, strict=False, stdout=sink, jobs=jobs)
        wall = time.perf_counter() - t0
        done.set()
        c1 = os.times()
        annexes = sum(1 for p in out.rglob("*.docx") if "全部附件" not in p.name)
        files = sum(1 for _ in out.rglob("*.docx"))
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"n": n, "code": code, "annexes": annexes, "files": files, "wall": wall, "cpu": cpu, "rss": self_rss, "child_rss": child_rss, "pss": peak[0]}))


def measure(n: int, extra: list[str] = ()) -> dict:
    cmd = [sys.executable, __file__, "--one", str(n), *extra]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def docxtpl_anchor(repeat: int = 3) -> float:
    """ms per annex: plain docxtpl rendering the seed's annexes from the same templates and contexts."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    from annexgen.check import review
    from annexgen.load import load
    from annexgen.render import annexes

    loaded = load(SEED)
    _, form_set = review(loaded)
    jobs = [(form_set.template(a), ctx) for a, _, _, ctx in annexes(loaded.submission, form_set)]
    env = Environment(autoescape=True)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for template, ctx in jobs:
            tpl = DocxTemplate(str(template))
            tpl.render(ctx, jinja_env=env, autoescape=True)
            tpl.save(io.BytesIO())
        best = min(best, (time.perf_counter() - t0) / len(jobs) * 1000)
    return best


def main(sizes: list[int]) -> None:
    cores = os.cpu_count() or 1
    anchor = docxtpl_anchor()
    print(f"plain docxtpl (anchor, one core): {anchor:.1f} ms per annex (render + save, best of 3 × 11 annexes)")
    print(f"annexgen build, {cores} cores:")
    print(f"{'years':>6} {'annexes':>8} {'wall s':>8} {'ms/annex':>9} {'× docxtpl':>10} {'CPU ms/annex':>13} {'main RSS MB':>12} {'worker RSS MB':>14} {'all PSS MB':>11}")
    for n in sizes:
        r = measure(n)
        per = r["wall"] / r["annexes"] * 1000
        print(f"{n:>6} {r['annexes']:>8} {r['wall']:>8.2f} {per:>9.2f} {anchor / per:>9.1f}× {r['cpu'] / r['annexes'] * 1000:>13.2f} {r['rss']:>12.0f} {r['child_rss']:>14.0f} {r['pss']:>11.0f}")
    n = min(max(sizes), 100)
    one_core = measure(n, ["--jobs", "1"])
    per = one_core["wall"] / one_core["annexes"] * 1000
    print(f"{n:>6} {one_core['annexes']:>8} {one_core['wall']:>8.2f} {per:>9.2f} {anchor / per:>9.1f}× {one_core['cpu'] / one_core['annexes'] * 1000:>13.2f}   (one core: --jobs 1)")
    plain, combined = measure(n), measure(n, ["--combine"])
    print(f"--combine over {n} years: {combined['wall']:.2f} s against {plain['wall']:.2f} s without: {combined['wall'] / plain['wall']:.2f}×")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(int(sys.argv[2]), sys.argv[3:])
    else:
        main([int(a) for a in sys.argv[1:]] or [10, 100])
