"""`annexgen build`: check and render every department-year at or under PATH."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..build import build
from ..findings import display_path
from ..load import find_department_years
from .check import write_text


def run(path: Path, out: Path, combine: bool, strict: bool, stdout: TextIO) -> int:
    """Build each department-year into `out` (mirroring the folders under `path`); returns the exit code."""
    years = find_department_years(path)
    findings = []
    stopped = []
    written = 0
    for root in years:
        target = out / root.relative_to(path) if root != path else out
        result = build(root, target, combine=combine, strict=strict)
        findings.extend(result.findings)
        written += len(result.written)
        if result.stopped:
            stopped.append(root)
    write_text(findings, len(years), stdout)
    for root in stopped:
        why = "有警告或错误（--strict）" if strict else "数据有格式错误，无法生成"
        stdout.write(f"{display_path(root)}: 未生成：{why}。请按上面的提示改正后再运行。\n")
    if written:
        stdout.write(f"已生成 {written} 个文件，在 {display_path(out)}/\n")
    errors = any(f.severity == "error" for f in findings)
    return 1 if errors or stopped else 0
