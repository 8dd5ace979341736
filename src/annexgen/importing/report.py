"""Reading a narrative report (部门整体/项目支出绩效自评报告) back into the tree of a `Report`.

A report annex is paragraphs: an optional cover (部门名称, date), an optional
subtitle ("项目支出绩效评价报告"), the body — headings with their numbering and the
paragraphs under them — and at the end the list of attachments ("附件：1.… 2.…").

Heading levels come from two sources:

- paragraph styles (by name: LibreOffice renames style ids), when the file has them:
  annexgen's templates print level 1 and 2 in the styles 一级标题 and 二级标题 and
  everything else in 正文, so a deeper heading stands in a 正文 paragraph and is
  recognised by its numbering below level 2; Word's own heading styles (heading 1…6,
  标题 1…) give their paragraphs' levels, and the numbering places the rest;
- the numbering, in files without such styles: 一、 / （一） / 1. 1、 / （1） / ①, in
  full-width, half-width and spaced spellings. Levels nest as a reader meets them: a
  numbering kind already open is a sibling of that heading, a new kind opens a level
  under the current heading (so a skipped level, 1. straight under 一、, nests as
  written). A new kind numbered 2 or more right after a heading numbered one less in
  the other script of the same shape ("(2)" after "(一)") is that heading's sibling.

A numbered paragraph is a heading only when it reads like one: at most
MAX_HEADING_CHARS characters, no sentence punctuation before its end, not ending in a
comma. When it ends like a sentence ("(一)项目支出概况。"), it is a heading only if what
follows is prose or a deeper numbering; a run of "（1）…。（2）…。" items is paragraphs.
"一是…" is prose. Word's automatic numbering reads as typed (grid.read_docx puts its label
before the text); a label of another kind ("1.1", "a)") nests by its list level. Without
heading styles, a short bold paragraph without numbering (at most MAX_BOLD_HEADING_CHARS
characters, open-ended, followed by prose) is a heading: a sibling of the bold heading
open around it, else one level under the current heading. Text is kept verbatim (leading
spaces too); only line breaks at a paragraph's ends (page breaks) are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from .annexes import Annex
from .grid import Paragraph, Table
from .notes import Notes, Where, quote
from .signature import is_signature
from .signature import parse_date as numeric_date
from .text import chinese_number, label_key

_SP = r"[\s\u3000]*"
_CN = "一二三四五六七八九十"
_AR = "0-9０-９"

#: numbering kinds: (kind, shape, pattern); shape tells which kinds are one numbering in another script
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("一、", "plain", re.compile(rf"^{_SP}([{_CN}]+){_SP}[、.．]")),
    ("（一）", "paren", re.compile(rf"^{_SP}[(（]{_SP}([{_CN}]+){_SP}[)）]")),
    ("（1）", "paren", re.compile(rf"^{_SP}[(（]{_SP}([{_AR}]{{1,2}}){_SP}[)）]")),
    ("（1）", "paren", re.compile(rf"^{_SP}([\u2474-\u2487])")),  # ⑴…⒇
    # "1.5万元" is a figure, "3.2024年的重点工作" a heading numbered 3
    ("1.", "plain", re.compile(rf"^{_SP}([{_AR}]{{1,2}}){_SP}(?:、|[.．](?![{_AR}])|[.．](?=[{_AR}]{{4}}年))")),
    ("1.", "plain", re.compile(rf"^{_SP}([\u2488-\u249b])")),  # ⒈…⒛
    ("①", "circled", re.compile(rf"^{_SP}([\u2460-\u2473])")),  # ①…⑳
)
MAX_HEADING_CHARS = 60
MAX_BOLD_HEADING_CHARS = 30
_SENTENCE_END = "。！？；!?;…"
_NO_END = "，,、"
#: paragraph style names (or ids, without styles.xml) → heading level
HEADING_STYLES = {"一级标题": 1, "二级标题": 2, "三级标题": 3, "四级标题": 4} | {
    f"{h}{n}": n for h in ("Heading", "heading", "Heading ", "heading ", "标题 ", "标题") for n in range(1, 7)
}
BODY_STYLE = "正文"
OUR_HEADINGS = {"一级标题", "二级标题"}  # annexgen's templates style exactly two heading levels, the rest is 正文
OUR_DEPTH = 2
COVER_STYLES = {"封面", "封面空行"}
SUBTITLE_STYLE = "公文标题"
MAX_SUBTITLE_CHARS = 30
MAX_COVER_NAME_CHARS = 40
COVER_PAGE_NOTE = "(此页为封面)"
BLANK_DATE = "年月日"

_NAME_LABEL = re.compile(r"^(?:部门|单位|报送单位|填报单位|编制单位|预算部门|预算单位|部门\(单位\))(?:名称)?(?:\(盖章\))?(?::|(?<=名称)$)")
_DATE = re.compile(
    r"^(?:(?:填报|报送|编制|评价)?日期:?)?(\d{4}|[〇零一二三四五六七八九]{4})年"
    r"(\d{1,2}|[十一二三四五六七八九]{1,3})月(?:(\d{1,2}|[十一二三四五六七八九]{1,3})日)?$"
)
_ATTACHMENTS = re.compile(rf"^{_SP}附{_SP}[件表]?{_SP}(?:[:：]|$)")
_ITEM_SPLIT = re.compile(rf"[\s\u3000]+(?=[{_AR}]{{1,2}}{_SP}[.．、])")


@dataclass(frozen=True)
class Numbering:
    """A paragraph's leading numbering: its kind ("一、", "（一）", "1.", "（1）", "①"), shape, number, and where it ends."""

    kind: str
    shape: str
    number: int
    end: int


def numbering(text: str) -> Numbering | None:
    """The numbering a paragraph begins with, or None ("一是…", "1.5万元…", plain prose)."""
    for kind, shape, pattern in _KINDS:
        m = pattern.match(text)
        if not m:
            continue
        digits = m.group(1)
        if "\u2460" <= digits <= "\u249b":
            number = int(unicodedata.normalize("NFKC", digits).strip("().") or 0)
        elif kind in ("一、", "（一）"):
            number = chinese_number(digits)
        else:
            number = int(unicodedata.normalize("NFKC", digits))
        if number:
            return Numbering(kind, shape, number, m.end())
    return None


def heading_shape(text: str) -> str | None:
    """'open' for a heading-like line, 'closed' for one ending like a sentence, None for prose."""
    body = text.strip()
    if not body or len(body) > MAX_HEADING_CHARS or body[-1] in _NO_END:
        return None
    if any(c in _SENTENCE_END for c in body[:-1]):
        return None
    return "closed" if body[-1] in _SENTENCE_END else "open"


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """(the date, whether the line is a date at all): "2024  年 10 月 17 日", "二〇二四年十月十七日", "填报日期：…", "2024-10-17"."""
    m = _DATE.match(label_key(text))
    if not m:
        day = numeric_date(text)  # "2024-10-17", "2024.10.17"
        return day, day is not None
    parts = [p if p is None or p.isdigit() else chinese_number(p) for p in m.groups()]
    if any(p is None for p in parts):
        return None, True
    try:
        return dt.date(*(int(p) for p in parts)), True
    except ValueError:
        return None, True


def cover_name(text: str) -> str | None:
    """The department named on a cover line ("部 门 名 称 ： 汨罗市…局"; "" when left blank), or None when the line is no such label."""
    if not _NAME_LABEL.match(label_key(text)):
        return None
    colons = [i for i in (text.find("："), text.find(":")) if i >= 0]
    return text[min(colons) + 1 :].strip() if colons else ""


#: the pseudo-numbering of an unnumbered bold heading: bold headings are siblings of each other
BOLD = Numbering("bold", "bold", 0, 0)


def list_numbering(p: Paragraph) -> Numbering | None:
    """The numbering of a paragraph Word numbers automatically with a label not typed-like ("1.1", "a)"): its list level."""
    if not p.label.strip() or not p.list_level:
        return None
    return Numbering(f"list{p.list_level}", "list", 1, len(p.label))


def _attachment_items(text: str) -> list[str]:
    """The items written on one line ("1.部门整体…", "1.A  2.B"), without their numbers."""
    if not text.strip():
        return []
    pieces = _ITEM_SPLIT.split(text.strip()) if len(_ITEM_SPLIT.findall(text.strip())) else [text]
    out = []
    for piece in pieces:
        n = numbering(piece)
        out.append(re.sub(rf"^{_SP}", "", piece[n.end :]) if n else piece)
    return out


@dataclass
class _Line:
    """A body paragraph: text, heading level by style (None: none), numbering, bold where bold may make a heading."""

    index: int
    text: str
    level: int | None
    number: Numbering | None
    bold: bool = False


@dataclass
class _Open:
    """A heading whose content is being read."""

    kind: str | None
    shape: str | None
    number: int | None
    level: int
    children: list = field(default_factory=list)


def _place(stack: list[_Open], n: Numbering, styled_depth: int) -> tuple[int, int]:
    """(how many open headings stay open, the level) for a heading numbered `n`."""
    for j in range(len(stack) - 1, -1, -1):
        if stack[j].kind == n.kind:
            return j, stack[j].level
    if stack:
        last = stack[-1]
        if n.number > 1 and last.number == n.number - 1 and last.shape == n.shape and last.level > styled_depth:
            return len(stack) - 1, last.level
    return len(stack), (stack[-1].level + 1 if stack else 1)


def _followed_by_content(lines: list[_Line], i: int, kinds: set[str]) -> bool:
    """Whether the next non-blank line is prose or a numbering deeper than `kinds` (what a heading has under it)."""
    nxt = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].text.strip()), None)
    if nxt is None or (nxt.level or 0) > 0:
        return False
    return nxt.number is None or nxt.number.kind not in kinds


def _bold_heading(lines: list[_Line], i: int, kinds: set[str]) -> bool:
    """Whether bold, unnumbered `lines[i]` is a heading: short, open-ended, followed by prose or a deeper numbering."""
    line = lines[i]
    if len(line.text.strip()) > MAX_BOLD_HEADING_CHARS or heading_shape(line.text) != "open":
        return False
    nxt = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].text.strip()), None)
    if nxt is None or (nxt.level or 0) > 0 or (nxt.bold and nxt.number is None):
        return False
    return nxt.number is None or heading_shape(nxt.text) is None or nxt.number.kind not in kinds


def _tree(lines: list[_Line], styled_depth: int) -> list[Any]:
    """The body's nested blocks: a paragraph a str, a heading {text: [blocks]} or {text: None}."""
    root: list[Any] = []
    stack: list[_Open] = []

    def add_heading(line: _Line, keep: int, level: int, number: Numbering | None = None) -> None:
        del stack[keep:]
        number = number or line.number
        opened = _Open(number.kind if number else None, number.shape if number else None, number.number if number else None, level)
        (stack[-1].children if stack else root).append({line.text: opened.children})
        stack.append(opened)

    for i, line in enumerate(lines):
        if line.level:  # a heading by its style
            keep = len(stack)
            while keep and stack[keep - 1].level >= line.level:
                keep -= 1
            add_heading(line, keep, line.level)
            continue
        if line.bold and line.number is None:
            keep, level = _place(stack, BOLD, styled_depth)
            if level > styled_depth and _bold_heading(lines, i, {o.kind for o in stack[:keep] if o.kind} | {BOLD.kind}):
                add_heading(line, keep, level, BOLD)
                continue
        shape = heading_shape(line.text) if line.number else None
        if shape is not None:
            keep, level = _place(stack, line.number, styled_depth)
            kinds = {o.kind for o in stack[:keep] if o.kind} | {line.number.kind}
            if level > styled_depth and (shape == "open" or _followed_by_content(lines, i, kinds)):
                add_heading(line, keep, level)
                continue
        (stack[-1].children if stack else root).append(line.text)
    return [_close(block) for block in root]


def _close(block: Any) -> Any:
    """A heading with nothing under it is {heading: None}."""
    if isinstance(block, dict):
        return {k: ([_close(b) for b in v] if v else None) for k, v in block.items()}
    return block


def _styled_depth(styles: set[str]) -> int:
    """Heading levels only a style can give (0: the numbering may make a heading of any level).

    annexgen's templates style levels 1 and 2 and print everything deeper in 正文, so in
    such a file a 正文 paragraph is a heading only below level 2. Word's own heading
    styles promise nothing about the paragraphs a clerk left unstyled.
    """
    return OUR_DEPTH if styles & OUR_HEADINGS else 0


class _Reader:
    """One pass over a report annex: front matter (cover, subtitle), body, attachment list."""

    def __init__(self, annex: Annex, file: str, notes: Notes) -> None:
        self.annex, self.file, self.notes = annex, file, notes
        self.titles = {label_key(t) for t in annex.title} | {label_key("".join(annex.title))}
        self.cover: dict[str, Any] | None = None
        self.subtitle: list[str] = []
        self.lines: list[_Line] = []
        self.attachments: list[str] | None = None
        styles = {b.style for b in annex.blocks if isinstance(b, Paragraph)}
        self.depth = _styled_depth(styles)
        self.ours = bool(styles & OUR_HEADINGS)  # printed by annexgen (or edited from such a file)
        self.bold_headings = not styles & set(HEADING_STYLES)  # without heading styles, bold may set a heading apart

    def where(self, p: Paragraph) -> Where:
        return Where(self.file, paragraph=p.index)

    def read(self) -> dict | None:
        phase = "front"
        for k, block in enumerate(self.annex.blocks):
            if isinstance(block, Table):
                self.table(block)
                continue
            text = block.text.strip("\n")
            if is_signature(text):  # "填表人：… 单位负责人签字：…" is read elsewhere; prose naming them stays
                continue
            if phase == "front":
                rest = (self.annex.blocks[j] for j in range(k + 1, len(self.annex.blocks)))  # not a copy: linear
                if self.front(block, text, rest):
                    continue
                phase = "body"
            if phase == "body":
                m = _ATTACHMENTS.match(text)
                if m and text.strip():
                    self.attachments = _attachment_items(text[m.end() :])
                    phase = "list"
                    continue
                self.body(block, text)
            else:
                self.item(block, text)
        body = _tree(self.lines, self.depth)
        if not (self.annex.title or self.cover is not None or self.subtitle or body or self.attachments):
            self.notes.error(Where(self.file), "empty-report", "自评报告中没有找到任何内容：应有标题、正文的小标题和段落")
            return None
        tree: dict[str, Any] = {}
        if self.annex.title:
            tree["标题"] = "\n".join(self.annex.title)
        if self.cover is not None:
            tree["封面"] = {k: self.cover[k] for k in ("部门名称", "日期") if k in self.cover}
        if self.subtitle:
            tree["副标题"] = "\n".join(self.subtitle)
        tree["正文"] = body
        if self.attachments:
            tree["附件清单"] = self.attachments
        return tree

    def table(self, table: Table) -> None:
        first = next((c.text for row in table.rows for c in row if c.text.strip()), "")
        self.notes.error(
            Where(self.file, table.index), "table-in-report",
            f"自评报告中有一张表格（{len(table.rows)}行，首格“{quote(first)}”），报告只收标题和文字段落："
            "请把表格内容写成文字，或作为单独的附件",
        )

    def front(self, p: Paragraph, text: str, rest: Iterable) -> bool:
        """Read `p` as front matter (cover, title again, subtitle); False when the body begins with it."""
        key = label_key(text)
        if not key:
            return True
        if p.style in HEADING_STYLES or (self.ours and p.style == BODY_STYLE):
            return False
        if p.style in COVER_STYLES or key == COVER_PAGE_NOTE or key == COVER_PAGE_NOTE[1:-1]:
            self.cover = self.cover if self.cover is not None else {}
            if key in (COVER_PAGE_NOTE, COVER_PAGE_NOTE[1:-1]):
                return True
        name = cover_name(text)
        day, is_date = parse_date(text)
        if name is not None or is_date:
            self.cover = self.cover if self.cover is not None else {}
            if name is not None:
                if name:
                    self.cover["部门名称"] = name
            elif day is not None:
                self.cover["日期"] = day
            else:
                self.notes.error(self.where(p), "bad-date", f"封面上的日期“{quote(text)}”不完整或不存在：应为年月日，如“2024年10月17日”")
            return True
        if key in self.titles or key == BLANK_DATE:  # the title again; a cover's date left blank ("    年  月  日")
            self.cover = {} if key == BLANK_DATE and self.cover is None else self.cover
            return True
        if numbering(text) is None and not any(c in key for c in "，。；：:,;"):
            if p.style == SUBTITLE_STYLE or (not self.subtitle and len(key) <= MAX_SUBTITLE_CHARS and key.endswith("报告")):
                self.subtitle.append(text.strip())
                return True
            if len(key) <= MAX_COVER_NAME_CHARS and self._date_follows(rest):
                self.cover = self.cover if self.cover is not None else {}
                self.cover["部门名称"] = text.strip()
                return True
        if p.style in COVER_STYLES:
            self.notes.error(self.where(p), "unknown-cover-text", f"封面上的“{quote(text)}”无法放入报告：封面只应有部门名称和日期")
            return True
        return False

    @staticmethod
    def _date_follows(rest: Iterable) -> bool:
        nxt = next((b for b in rest if not isinstance(b, Paragraph) or b.text.strip()), None)
        return isinstance(nxt, Paragraph) and parse_date(nxt.text.strip())[1]

    def body(self, p: Paragraph, text: str) -> None:
        if not text.strip():
            if self.ours and p.style == BODY_STYLE:  # a blank paragraph annexgen printed from the data, not layout
                self.lines.append(_Line(p.index, text, None, None))
            return
        number = numbering(text) or list_numbering(p)
        self.lines.append(_Line(p.index, text, HEADING_STYLES.get(p.style), number, p.bold and self.bold_headings))

    def item(self, p: Paragraph, text: str) -> None:
        if not text.strip():
            return
        if numbering(text) is not None:
            self.attachments.extend(_attachment_items(text))
            return
        self.notes.error(
            self.where(p), "after-attachments",
            f"附件清单之后的“{quote(text)}”无法放入报告：附件清单的每一项应以编号开头，如“2.部门整体支出绩效自评表”",
        )


def read_report(annex: Annex, file: str, notes: Notes) -> dict | None:
    """The tree of a `Report` (标题, 封面, 副标题, 正文, 附件清单) read from a report annex; problems go to `notes`."""
    return _Reader(annex, file, notes).read()
