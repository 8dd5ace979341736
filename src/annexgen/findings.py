"""Findings: what `check` reports, located at a file, line and column.

Every step that can find a problem (load, model validation, the consistency
rules) returns findings instead of raising, so that `check` reports all of them
at once, like a compiler.
"""

from __future__ import annotations

import functools
import os
import re
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
        """`file:line:col: 错误: 消息 [code]`, the form compilers and editors understand, on one line, escaped."""
        return printable(f"{self.file}:{self.line}:{self.column}: {SEVERITY_ZH[self.severity]}: {self.message} [{self.code}]", newlines=False)

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
    """A path as the user typed it: relative to the working folder when it is inside it.

    Symbolic links are not followed: a link in a submitted folder is named as it
    appears there, never by where it points.
    """
    return _display(os.fspath(path), None if base is None else os.fspath(base), os.getcwd())


@functools.lru_cache(maxsize=4096)
def _display(path: str, base: str | None, cwd: str) -> str:
    """`display_path` for one working folder (every finding of a file names it: worked out once)."""
    here = Path(os.path.abspath(base if base is not None else cwd))
    try:
        return str(Path(os.path.abspath(path)).relative_to(here))
    except ValueError:
        return path


#: what must never reach a terminal raw: C0 and C1 controls (ESC starts terminal commands), DEL,
#: lone surrogates, and the invisible marks that reorder or hide text (bidi overrides, zero-width)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")


def _escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"  # the same spelling in text and in JSON strings


def printable(text: str, newlines: bool = True) -> str:
    """`text` safe to print: every control, escape or invisible character shown as \\uNNNN.

    Messages quote what the data holds (a key, a value, a file name); data is untrusted,
    so an ESC sequence or a bidi override in it must be shown, never obeyed. Tabs stay;
    line breaks stay only where a message has several lines (`newlines`).
    """
    text = _UNPRINTABLE.sub(_escape, text)
    return text if newlines else text.replace("\n", "\\n")  # \r is a control character: escaped above


def dotted(path: tuple) -> str:
    """('项目', 0, '绩效指标') → '项目[0].绩效指标'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class SafeStream:
    """A text stream that shows control, escape and invisible characters escaped (see `printable`).

    The CLI writes everything through it, so nothing a data folder holds reaches the
    terminal raw, whichever message quotes it.
    """

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def flush(self) -> None:
        self.stream.flush()
