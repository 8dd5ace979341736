"""Benchmark: `pdf.to_pdf` over the annexes of N department-years, against plain soffice in the same run.

    python3 scripts/bench_pdf.py [N] [--repeat R] [--sample S]     # default: N=10, R=2, S=6

Builds N copies of the 汨罗 seed (data/miluo-hrss/2023), each with its own phone number so
that no two annexes have the same bytes (to_pdf converts identical files once), 11 annexes
each, and prints seconds per annex (wall, amortised over the batch) for:

- to_pdf, workers=2 (one soffice per core for the whole batch), with and without the
  byte-reproducibility pass (`reproducible=False`);
- anchor: one plain `soffice --convert-to pdf` call for all files, one process;
- anchor: one plain soffice call per file, on a sample of S files.

Each figure is the fastest of R runs (other programs share this machine). Needs LibreOffice.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "miluo-hrss" / "2023"
sys.path.insert(0, str(REPO / "src"))


def make_annexes(root: Path, n: int) -> list[Path]:
    from annexgen.build import build

    written: list[Path] = []
    for i in range(n):
        year = root / "data" / f"单位{i:04d}" / "2023"
        shutil.copytree(SEED, year)
        dept = year / "部门.yaml"
        text, count = re.subn(r'联系电话: "(\d+?)\d{4}"', lambda m: f'联系电话: "{m[1]}{i:04d}"', dept.read_text(encoding="utf-8"))
        assert count == 1, "部门.yaml of the seed has no 联系电话 to vary"
        dept.write_text(text, encoding="utf-8")
        written += build(year, root / "out" / f"单位{i:04d}").written
    return written


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def plain_soffice(files: list[Path], out: Path) -> None:
    """The README's hint: one soffice call for these files, with a fresh profile of its own."""
    profile = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    try:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
            check=True, capture_output=True, timeout=3600,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def timed(label: str, count: int, repeat: int, fn) -> float:
    best = None
    for _ in range(repeat):
        w0, c0, s0 = time.perf_counter(), children_cpu(), self_cpu()
        fn()
        w, c, s = time.perf_counter() - w0, children_cpu() - c0, self_cpu() - s0
        if best is None or w < best[0]:
            best = (w, c, s)
    w, c, s = best
    print(f"{label:<52} {w / count:7.3f} s/annex wall   soffice CPU {c / count:6.3f} s/annex   python CPU {s / count:6.3f} s/annex   ({count} files, {w:.1f} s)", flush=True)
    return w / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10, help="department-years (11 annexes each)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sample", type=int, default=6, help="files for the one-call-per-file anchor")
    args = parser.parse_args()

    from annexgen.pdf import to_pdf

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        root = Path(tmp)
        files = make_annexes(root, args.n)
        jobs = [(str(p.relative_to(root / "out")), p.read_bytes()) for p in files]
        print(f"{len(files)} annexes of {args.n} department-years; {os.cpu_count()} cores; LibreOffice: {soffice_version()}", flush=True)

        def ours(reproducible: bool) -> None:
            pdfs, failures = to_pdf(jobs, workers=2, reproducible=reproducible)
            assert len(pdfs) == len(jobs) and not failures, failures

        def one_call() -> None:
            out = root / "plain-all"
            shutil.rmtree(out, ignore_errors=True)
            staged = stage(root / "plain-in", files)
            plain_soffice(staged, out)

        def per_file() -> None:
            out = root / "plain-each"
            shutil.rmtree(out, ignore_errors=True)
            for f in stage(root / "plain-in-sample", files[: args.sample]):
                plain_soffice([f], out)

        a = timed("to_pdf, workers=2", len(jobs), args.repeat, lambda: ours(True))
        timed("to_pdf, workers=2, reproducible=False", len(jobs), args.repeat, lambda: ours(False))
        b = timed("anchor: one soffice call for all files, 1 process", len(jobs), args.repeat, one_call)
        c = timed(f"anchor: one soffice call per file (sample of {args.sample})", min(args.sample, len(files)), args.repeat, per_file)
        print(f"to_pdf is {b / a:.1f}x one call for all, {c / a:.1f}x one call per file (target: at most 0.150 s/annex)")


def stage(folder: Path, files: list[Path]) -> list[Path]:
    """Copies with unique flat names (soffice names its output after the input's file name)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    staged = []
    for i, f in enumerate(files):
        target = folder / f"{i:05d}-{f.name}"
        shutil.copyfile(f, target)
        staged.append(target)
    return staged


def soffice_version() -> str:
    try:
        return subprocess.run(["soffice", "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "not found"


if __name__ == "__main__":
    main()
