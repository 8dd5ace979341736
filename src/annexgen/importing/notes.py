"""What an import reports: located notes, `file:表2:第5行:第3格: 错误: 消息 [code]`.

Every reader returns the data it placed and a list of `Note`s for what it could not
place (or placed with a doubt). A note names the Word file and the place in it — a
table, row and cell (all 1-based, cells counted on the table's grid), or a body
paragraph — quotes the text found there and says what was expected. Nothing a
reader skips goes unreported.

Severity: "error" for content that could not be placed (the import then exits 1),
"warning" for what was placed or skipped with a doubt (a template row like "指标1"
left in, a figure read without its unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..findings import SEVERITY_ZH, printable

Severity = Literal["error", "warning"]
MAX_QUOTE = 40  # characters of the found text quoted in a message


@dataclass(frozen=True, order=True)
class Where:
    """A place in a Word file. `table`/`row`/`cell` are 1-based; `paragraph` is a 1-based body paragraph."""

    file: str
    table: int = 0
    row: int = 0
    cell: int = 0
    paragraph: int = 0

    def at(self, row: int = 0, cell: int = 0) -> "Where":
        """The same table, at a 1-based row (and cell)."""
        return Where(self.file, self.table, row, cell, 0)

    def text(self) -> str:
        parts = [self.file]
        if self.table:
            parts.append(f"表{self.table}")
            if self.row:
                parts.append(f"第{self.row}行")
            if self.cell:
                parts.append(f"第{self.cell}格")
        elif self.paragraph:
            parts.append(f"第{self.paragraph}段")
        return ":".join(parts)


def quote(text: str) -> str:
    """Found text as a message quotes it: one line, cut to MAX_QUOTE characters."""
    one = " ".join(text.split())
    return one if len(one) <= MAX_QUOTE else one[: MAX_QUOTE - 1] + "…"


@dataclass(frozen=True, order=True)
class Note:
    """One import problem: where, a stable code, severity, and a Chinese message (found text, what was expected)."""

    where: Where
    code: str
    severity: Severity
    message: str

    def text(self) -> str:
        return printable(f"{self.where.text()}: {SEVERITY_ZH[self.severity]}: {self.message} [{self.code}]", newlines=False)

    def as_json(self) -> dict:
        w = self.where
        return {"code": self.code, "severity": self.severity, "message": self.message, "file": w.file,
                "table": w.table, "row": w.row, "cell": w.cell, "paragraph": w.paragraph}


class Notes(list):
    """The notes of one import, in the order found."""

    def error(self, where: Where, code: str, message: str) -> None:
        self.append(Note(where, code, "error", message))

    def warning(self, where: Where, code: str, message: str) -> None:
        self.append(Note(where, code, "warning", message))

    @property
    def errors(self) -> int:
        return sum(n.severity == "error" for n in self)
