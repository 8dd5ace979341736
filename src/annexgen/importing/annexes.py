"""Finding the annexes in a Word file by their content: label, title, table headers — never the file name.

One file may hold several annexes (a report with its 基础数据表 attached, everything
in one file), and an annex may lack its label. The body is cut where a label
paragraph ("附件 3-1", "附件一") or, failing that, a new title begins; each piece's
kind comes from its title ("…项目支出绩效自评表") or, when the title says nothing,
from the first cell of its first table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Iterator

from .grid import Block, Paragraph, Table
from .text import annex_number, label_key

#: title words → kind of annex, most specific first (a title is compared without spaces)
TITLE_KINDS: tuple[tuple[str, str], ...] = (
    ("项目支出绩效自评报告", "项目支出绩效自评报告"),
    ("项目支出绩效自评表", "项目支出绩效自评表"),
    ("部门整体支出绩效自评报告", "部门整体支出绩效自评报告"),
    ("自评基础数据表", "自评基础数据表"),
    ("基础数据表", "基础数据表"),
    ("部门整体支出绩效自评表", "部门整体支出绩效自评表"),
)
#: the first cell of an annex's first table → kind, for an annex whose title does not say
HEADER_KINDS: tuple[tuple[str, str], ...] = (
    ("项目支出名称", "项目支出绩效自评表"),
    ("项目名称", "项目支出绩效自评表"),
    ("预算部门名称", "部门整体支出绩效自评表"),
    ("预算单位名称", "部门整体支出绩效自评表"),
    ("财政供养人员情况", "基础数据表"),
    ("基本情况", "自评基础数据表"),
)
MAX_TITLE_LINES = 4
#: the year line under a title, as the national forms print it: "（2023年度）", "(2023 年度)"
_YEAR_LINE = re.compile(r"^[（(]\s*\d{4}\s*年度?\s*[)）]$")
_LISTED = re.compile(r"^(附件|附表|\d+[.、)]|\(\d+\)|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")  # lists and numbered headings
MAX_TITLE_CHARS = 40  # a longer paragraph, or one ending like a sentence, is prose that names a form, not a title


def title_kind(text: str) -> str | None:
    key = label_key(text)
    if len(key) > MAX_TITLE_CHARS or key.endswith(("。", "；", ",", "，", "、")) or _LISTED.match(key):
        return None  # prose, or a report's list of attachments ("附件：1.…基础数据表", "2.…自评表")
    return next((kind for words, kind in TITLE_KINDS if words in key), None)


def header_kind(table: Table) -> str | None:
    first = label_key(table.rows[0][0].text) if table.rows and table.rows[0] else ""
    return next((kind for words, kind in HEADER_KINDS if first.startswith(words)), None)


@dataclass
class Annex:
    """One annex found in a file: its number (from its label, None without one), kind, title lines and content."""

    number: str | None
    kind: str | None
    title: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    _scanned: int = field(default=0, repr=False, compare=False)  # blocks counted so far (blocks are only appended)
    _filled: int = field(default=0, repr=False, compare=False)  # tables count as 2: content at once

    def has_content(self) -> bool:
        """A table, or more than one non-blank paragraph (counted once each: asked after every paragraph)."""
        for j in range(self._scanned, len(self.blocks)):
            block = self.blocks[j]
            self._filled += 2 if isinstance(block, Table) else bool(block.text.strip())
        self._scanned = len(self.blocks)
        return self._filled > 1


def _split_title(blocks: list[Block], i: int) -> str | None:
    """The kind of a title typed over several paragraphs starting at `i` ("…项目支出" / "绩效自评报告"), else None."""
    lines: list[str] = []
    for block in blocks[i : i + 2 * MAX_TITLE_LINES]:
        if not isinstance(block, Paragraph):
            return None
        text = block.text.strip()
        if not text:
            continue
        lines.append(text)
        if len(lines) > 1:
            kind = title_kind("".join(lines))
            if kind is not None:
                return kind if all(title_kind(line) is None and not line.endswith(("。", "；", "，", "：", ":")) for line in lines[:-1]) else None
        if len(lines) >= MAX_TITLE_LINES:
            return None
    return None


_NUMBER = "[0-9０-９一二三四五六七八九十〇零两]"
#: "附件2：", "附件 3-1 ", "附件3-12023年度" before a title in the same paragraph (not "附件1.", a list item)
_LABEL_PREFIX = re.compile(rf"^[\s\u3000]*附[\s\u3000]*件[\s\u3000]*({_NUMBER}{{1,2}}(?:[\s\u3000]*[-—–－之][\s\u3000]*{_NUMBER}{{1,2}})?)(?:(?=(?:19|20)[0-9]{{2}}[\s\u3000]*年)|(?![0-9０-９\-—–－之]))[\s\u3000]*[:：]?[\s\u3000]*(?![.．、)）])")


def _labelled(blocks: list[Block], i: int) -> tuple[str, str] | None:
    """(number, title) of a label with its title in one paragraph ("附件2：2023年度部门整体支出绩效自评表"), else None.

    The title may go on in the next paragraphs. A run of such lines is a list of attachments, not annexes."""
    block = blocks[i]
    m = _LABEL_PREFIX.match(block.text) if isinstance(block, Paragraph) else None
    number = annex_number("附件" + m.group(1)) if m else None
    rest = block.text[m.end() :].strip() if m else ""
    if number is None or not rest:
        return None
    kind = title_kind(rest) or _split_title([replace(block, text=rest)] + blocks[i + 1 : i + 2 * MAX_TITLE_LINES], 0)
    if kind is None:
        return None
    after = list(islice(_filled(blocks, i + 1, 1), MAX_TITLE_LINES + 2))
    before = next(_filled(blocks, i - 1, -1), None)
    if any(isinstance(b, Paragraph) and _listed(b.text) for b in after[:1] + [before]) or isinstance(before, Paragraph) and label_key(before.text) in ("附件:", "附件"):
        return None  # a list of attachments at the end of a report
    if "报告" not in kind and not any(isinstance(b, Table) for b in after):
        return None  # a table's title with no table under it: a line of a list, not an annex
    return number, rest


def _filled(blocks: list[Block], start: int, step: int, limit: int = 2 * MAX_TITLE_LINES + 2) -> Iterator[Block]:
    """The tables and non-blank paragraphs from `start` on (backwards for step -1), within `limit` blocks."""
    stop = start + step * limit
    for j in range(start, max(stop, -1) if step < 0 else min(stop, len(blocks)), step):
        if not isinstance(blocks[j], Paragraph) or blocks[j].text.strip():
            yield blocks[j]


def _listed(text: str) -> bool:
    """A label with text after it ("附件2：…"), as a list of attachments writes its lines."""
    m = _LABEL_PREFIX.match(text)
    return bool(m) and bool(text[m.end() :].strip())


def _completes(title: list[str], blocks: list[Block], start: int) -> bool:
    """Whether the next non-blank paragraph (from `start`, not far) completes a title whose kind is not known yet."""
    nxt = next(_filled(blocks, start, 1), None)
    return isinstance(nxt, Paragraph) and title_kind("".join(title) + nxt.text.strip()) is not None and title_kind("".join(title)) is None


def split_annexes(blocks: list[Block]) -> list[Annex]:
    """The annexes of a document body, in order; text before the first annex is dropped only if it is blank."""
    annexes: list[Annex] = []
    current: Annex | None = None
    titling = False  # still reading the current annex's title lines
    for i, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            text = block.text.strip()
            number = annex_number(text) if text else None
            labelled = _labelled(blocks, i) if text and number is None else None
            if labelled is not None:
                number, text = labelled
            if number is not None:
                current = Annex(number, None)
                annexes.append(current)
                titling = True
                if labelled is None:
                    continue
            kind = title_kind(text) if text else None
            if kind is None and text and not titling and (current is None or current.has_content()) and len(label_key(text)) <= MAX_TITLE_CHARS:
                kind = _split_title(blocks, i)
            if kind is not None and (current is None or (not titling and current.has_content())):
                current = Annex(None, None)  # a new annex without its label
                annexes.append(current)
                titling = True
            if current is None:
                if text:
                    current = Annex(None, None)
                    annexes.append(current)
                else:
                    continue
            if titling and text and current.kind is None and len(current.title) < MAX_TITLE_LINES:
                current.title.append(text)
                current.kind = title_kind("".join(current.title))
                if current.kind is not None:
                    titling = False
                continue
            if titling and not text and (not current.title or _completes(current.title, blocks, i + 1)):
                continue  # blank paragraphs before the title, or between its lines
            if text and current.title and current.kind is not None and not current.has_content() and _YEAR_LINE.match(text):
                current.title.append(text)  # the national forms' "（2023年度）" line under the title
                titling = False
                continue
            titling = False
            current.blocks.append(block)
        else:
            if current is None:
                current = Annex(None, None)
                annexes.append(current)
            titling = False
            if current.kind is None:
                current.kind = header_kind(block)
            current.blocks.append(block)
    return annexes
