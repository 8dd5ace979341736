"""`annexgen check`: report every finding of one or more department-years."""

from __future__ import annotations

import json
import shutil
import tempfile
from itertools import groupby
from pathlib import Path
from typing import Sequence, TextIO

from ..check import check
from ..findings import Finding, display_path, printable
from ..forms import FormSet
from ..load import find_department_years
from ..pool import ordered, workers_for
from .progress import progress


def _check(job: tuple[Path, tuple[Path, ...]]) -> list[Finding]:
    """One department-year's findings (in a worker process when the batch has several)."""
    return check(*job)


def run(path: Path, fmt: str, strict: bool, out: TextIO, trusted: Sequence[Path] = (), jobs: int | None = None) -> int:
    """Check every department-year at or under `path` on `jobs` cores (default: all); returns the exit code (0, 1)."""
    years = find_department_years(path)
    findings: list[Finding] = []  # for JSON, which is one list
    report = Report()
    found = ordered(_check, [(root, tuple(trusted)) for root in years], workers_for(len(years), jobs))
    with progress(len(years), "检查") as advance:
        for root, year_findings in zip(years, found):
            advance(display_path(root))
            if fmt == "json":
                findings.extend(year_findings)
            report.add(year_findings)
    if fmt == "json":
        write_json(findings, out)
    else:
        report.write(out, len(years))
    return 1 if report.errors or (strict and report.warnings) else 0


def write_json(findings: list[Finding], out: TextIO) -> None:
    """The findings as a JSON list; control, escape and invisible characters are \\u-escaped (see `printable`)."""
    out.write(printable(json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=2)) + "\n")


def write_text(findings: list[Finding], years: int, out: TextIO, used: Sequence[tuple[Path, FormSet]] = ()) -> None:
    """Findings grouped by file, like a compiler, then the form set of each department-year built, then the counts."""
    report = Report()
    report.add(findings)
    report.write(out, years, used)


class Report:
    """The text report of a batch, gathered one department-year at a time: memory stays flat however many.

    Findings are kept as their printed lines, in memory up to 1 MB and on disk past it,
    and counted; `write` prints them as `write_text` does.
    """

    def __init__(self) -> None:
        self.lines = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")
        self.errors = self.warnings = 0

    def add(self, findings: Sequence[Finding]) -> None:
        for _file, group in groupby(findings, key=lambda f: f.file):
            for f in group:
                self.lines.write(f.text() + "\n")
                if f.severity == "error":
                    self.errors += 1
                else:
                    self.warnings += 1
            self.lines.write("\n")

    def write(self, out: TextIO, years: int, used: Sequence[tuple[Path, FormSet]] = ()) -> None:
        self.lines.seek(0)
        shutil.copyfileobj(self.lines, out)
        self.lines.close()
        for root, form_set in used:
            out.write(f"{display_path(root)}: 表样“{form_set.name}”（{form_set.origin()}：{display_path(form_set.folder)}）\n")
        scope = f"{years} 个年度" if years > 1 else "1 个年度"
        if not self.errors + self.warnings:
            out.write(f"检查了 {scope}：没有发现问题。\n")
        else:
            out.write(f"检查了 {scope}：{self.errors} 个错误，{self.warnings} 个警告。\n")
