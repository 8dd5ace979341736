"""Build: the whole pipeline for one department-year, from its folder to Word files.

load → model → derive → check → render → write. Structural problems (the
input codes of `load.LOAD_CODES`: the data cannot be rendered) stop the build
with the located messages of `check`; consistency findings are reported and the
files are still written unless `strict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .check import review
from .findings import Finding
from .forms import FormSet
from .load import LOAD_CODES, load
from .render import Rendered, properties, render_all, safe_filename, show

COMBINED_NAME = "全部附件"


@dataclass
class BuildResult:
    """What a build did: the findings of `check`, the files made (name → bytes) and written (none when stopped)."""

    root: Path
    findings: list[Finding]
    written: list[Path] = field(default_factory=list)
    stopped: bool = False
    form_set: FormSet | None = None
    files: dict[str, bytes] = field(default_factory=dict)


def blocking(findings: list[Finding], strict: bool) -> bool:
    """Whether these findings stop a build."""
    if any(f.severity == "error" and f.code in LOAD_CODES for f in findings):
        return True
    return strict and bool(findings)


def build(root: Path, out: Path, combine: bool = False, strict: bool = False, trusted: Sequence[Path] = ()) -> BuildResult:
    """Check and render one department-year into `out`; returns what happened.

    `trusted` are the form-set folders the operator named (--forms); see `check.review`.
    """
    from .write import write_files

    result = make(root, combine, strict, trusted)
    if not result.stopped:
        result.written = write_files(out, result.files)
    return result


def make(root: Path, combine: bool = False, strict: bool = False, trusted: Sequence[Path] = ()) -> BuildResult:
    """Check and render one department-year, writing nothing: its files are in `files` (none when stopped)."""
    loaded = load(root)
    findings, form_set = review(loaded, trusted)
    result = BuildResult(root, findings, form_set=form_set)
    if form_set is None or blocking(findings, strict):
        result.stopped = True
        return result
    sub = loaded.submission
    docs = render_all(sub, form_set)
    result.files = {d.filename: d.data for d in docs}
    if combine:
        name = f"{show(sub.部门.部门名称)}{sub.年度}年度绩效自评{COMBINED_NAME}"
        result.files[safe_filename(name, ".docx")] = combined(docs, sub, name)
    return result


def combined(docs: list[Rendered], sub, title: str) -> bytes:
    """One document holding every annex in order, each in its own section starting on a new page (combine.py)."""
    from .combine import combine

    return combine([d.data for d in docs], properties(sub, title))
