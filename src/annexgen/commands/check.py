"""`annexgen check`: report every finding of one or more department-years."""

from __future__ import annotations

import json
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
    findings: list[Finding] = []
    found = ordered(_check, [(root, tuple(trusted)) for root in years], workers_for(len(years), jobs))
    with progress(len(years), "检查") as advance:
        for root, year_findings in zip(years, found):
            advance(display_path(root))
            findings.extend(year_findings)
    if fmt == "json":
        write_json(findings, out)
    else:
        write_text(findings, len(years), out)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    return 1 if errors or (strict and warnings) else 0


def write_json(findings: list[Finding], out: TextIO) -> None:
    """The findings as a JSON list; control, escape and invisible characters are \\u-escaped (see `printable`)."""
    out.write(printable(json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=2)) + "\n")


def write_text(findings: list[Finding], years: int, out: TextIO, used: Sequence[tuple[Path, FormSet]] = ()) -> None:
    """Findings grouped by file, like a compiler, then the form set of each department-year built, then the counts."""
    for _file, group in groupby(findings, key=lambda f: f.file):
        for f in group:
            out.write(f.text() + "\n")
        out.write("\n")
    for root, form_set in used:
        out.write(f"{display_path(root)}: 表样“{form_set.name}”（{form_set.origin()}：{display_path(form_set.folder)}）\n")
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    scope = f"{years} 个年度" if years > 1 else "1 个年度"
    if not findings:
        out.write(f"检查了 {scope}：没有发现问题。\n")
    else:
        out.write(f"检查了 {scope}：{errors} 个错误，{warnings} 个警告。\n")
