"""Findings: what `check` reports, located at a file, line and column.

Every step that can find a problem (load, model validation, the consistency
rules) returns findings instead of raising, so that `check` reports all of them
at once, like a compiler.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

SEVERITY_ZH = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: a stable code, a Chinese message and where it is."""

    file: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    path: str = ""

    def text(self) -> str:
        """`file:line:col: 错误: 消息 [code]`, the form compilers and editors understand."""
        return f"{self.file}:{self.line}:{self.column}: {SEVERITY_ZH[self.severity]}: {self.message} [{self.code}]"

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
        }


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user typed it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return str(path)


def dotted(path: tuple) -> str:
    """('项目', 0, '绩效指标') → '项目[0].绩效指标'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
