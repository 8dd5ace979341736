"""Benchmark: `--combine` for the 汨罗 seed (11 annexes), against rendering the annexes, in the same run.

    python3 scripts/bench_combine.py [REPEATS]      # default 15

Times, each the median (and the best) of REPEATS runs, interleaved so that a busy machine slows
all alike:

- render: `render.render_all` for the department-year (the anchor: what the annexes cost);
- combine: `combine.combine` of those annexes (the XML-level join);
- docxcompose: `combine.with_docxcompose`, the join `build --combine` used before (and the fallback);
- make / make --combine: `build.make` (load, check, render, no writing) without and with --combine.

Prints the figures and the ratios combine/render and make --combine / make (issue 12: at most 1.3).
Asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "miluo-hrss" / "2023"
sys.path.insert(0, str(REPO / "src"))

from annexgen.build import make  # noqa: E402
from annexgen.check import review  # noqa: E402
from annexgen.combine import combine, compose, with_docxcompose  # noqa: E402
from annexgen.load import load  # noqa: E402
from annexgen.render import properties, render_all  # noqa: E402


def timed(f) -> float:
    start = time.perf_counter()
    f()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    loaded = load(SEED)
    _, form_set = review(loaded, [])
    sub = loaded.submission
    props = properties(sub, "全部附件")
    docs = [d.data for d in render_all(sub, form_set)]
    first = timed(lambda: compose(docs, props))  # the first in this process: nothing of the templates' parts inflated yet
    compose(docs, props)  # raises if the seed fell back to docxcompose: then this benchmark would not measure the join
    runs: dict[str, list[float]] = {k: [] for k in ("render", "combine", "docxcompose", "make", "make --combine")}
    for i in range(repeats):
        runs["render"].append(timed(lambda: render_all(sub, form_set)))
        runs["combine"].append(timed(lambda: combine(docs, props)))
        runs["make"].append(timed(lambda: make(SEED)))
        runs["make --combine"].append(timed(lambda: make(SEED, combine=True)))
        if i < max(10, repeats // 3):
            runs["docxcompose"].append(timed(lambda: with_docxcompose(docs, props)))
    median = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{SEED.relative_to(REPO)}: {len(docs)} annexes; median (best) of {repeats} runs, docxcompose of {len(runs['docxcompose'])}")
    for name, values in runs.items():
        print(f"  {name:<15} {median[name]:8.1f} ms  ({min(values):.1f})  {median[name] / len(docs):6.2f} ms per annex")
    print(f"  combine, first call in the process: {first:.1f} ms")
    print(f"combine / render:          {median['combine'] / median['render']:.2f}   (docxcompose / render: {median['docxcompose'] / median['render']:.2f})")
    print(f"combine vs docxcompose:    {median['docxcompose'] / median['combine']:.0f}× faster")
    print(f"make --combine / make:     {median['make --combine'] / median['make']:.2f}   (issue 12: at most 1.3)")
    print(f"(make + combine) / make:   {(median['make'] + median['combine']) / median['make']:.2f}   (what make --combine costs once build.combined calls combine)")


if __name__ == "__main__":
    main()
