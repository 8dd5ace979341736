"""Reading the 部门整体支出绩效自评表 and the 项目支出绩效自评表 back into data.

`read_overall` gives the tree under 整体自评.yaml's `部门整体支出绩效自评表`
(model `SelfEvalTable`), `read_project` the tree of a 项目/*.yaml file without its
自评报告 (model `Project`), `department_name` what the table prints as 预算部门名称.

Rows are recognised by their printed labels, wherever they stand: the name row, the
fund header ("年初预算数 … 得分") and the fund lines under it, the
按收入性质分 / 按支出性质分 cells ("其中：一般公共预算：3795.07", or label and figure
in two cells), the 年度总体目标 header and the row under it, the indicator header
and the indicator rows (`indicators.IndicatorTree`), and the 总分 row. A table split
in several (a page break typed as a new table) is read as one. The paragraphs after
the table are its 表注, except the signature line (read elsewhere). Whatever cannot
be placed is a located note.
"""

from __future__ import annotations

from typing import Any

from .annexes import Annex
from .grid import Cell, Paragraph, Table
from .indicators import (
    INDICATOR_REQUIRED,
    INDICATOR_SPEC,
    Columns,
    IndicatorTree,
    Line,
    Values,
    is_blank,
    is_section,
    put,
    starts,
)
from .signature import is_signature
from .notes import Notes, Where, quote
from .text import label_key

FUND_SPEC = {
    "年初预算数": starts("年初预算"),
    "全年预算数": starts("全年预算"),
    "全年执行数": starts("全年执行", "全年实际执行"),
    "分值": starts("分值"),
    "执行率": starts("执行率"),
    "得分": starts("得分"),
}
FUND_REQUIRED = ("全年执行数",)
FUND_AMOUNTS = ("年初预算数", "全年预算数", "全年执行数")
GOAL_SPEC = {"预期目标": starts("预期目标"), "实际完成情况": starts("实际完成")}
TOTAL_LABELS = frozenset({"总分", "合计", "总计", "合计得分"})

#: printed label (label_key, "其中:" removed) → (part of the tree, key)
NAME_LABELS = ("预算部门名称", "预算单位名称", "部门名称", "单位名称", "部门(单位)名称", "预算部门(单位)名称", "部门", "部门(单位)")
OVERALL_LABELS: dict[str, tuple[str, str]] = {
    **{k: ("名称", "部门名称") for k in NAME_LABELS},
    "一般公共预算": ("按收入性质分", "一般公共预算"),
    "一般公共预算拨款": ("按收入性质分", "一般公共预算"),
    "政府性基金拨款": ("按收入性质分", "政府性基金拨款"),
    "政府性基金": ("按收入性质分", "政府性基金拨款"),
    "纳入专户管理的非税收入拨款": ("按收入性质分", "纳入专户管理的非税收入拨款"),
    "纳入专户管理的非税收入": ("按收入性质分", "纳入专户管理的非税收入拨款"),
    "其他资金": ("按收入性质分", "其他资金"),
    "基本支出": ("按支出性质分", "基本支出"),
    "项目支出": ("按支出性质分", "项目支出"),
    "县级专项资金": ("按支出性质分", "项目支出"),  # as 隆回 prints 项目支出
}
PROJECT_LABELS: dict[str, tuple[str, str]] = {
    "项目支出名称": ("", "项目名称"),
    "项目名称": ("", "项目名称"),
    "主管部门": ("", "主管部门"),
    "实施单位": ("", "实施单位"),
}
#: labels that only head what follows ("按收入性质分：") or introduce it ("其中：")
HEADINGS = frozenset({"按收入性质分", "按支出性质分", "其中"})
PROJECT_LINES = {"年度资金总额": "年度资金总额", "资金总额": "年度资金总额", "当年财政拨款": "当年财政拨款",
                 "本年财政拨款": "当年财政拨款", "财政拨款": "当年财政拨款", "上年结转资金": "上年结转资金", "上年结转": "上年结转资金", "其他资金": "其他资金"}
#: the overall table has the same lines on the 全国 form; its "其他资金" is a fund line only after 当年财政拨款 or
#: 上年结转资金 (elsewhere it is the 按收入性质分 item)
OVERALL_LINES = PROJECT_LINES
PROJECT_LINE_ORDER = ("年度资金总额", "当年财政拨款", "上年结转资金", "其他资金")
SOURCES = ("一般公共预算", "政府性基金拨款", "纳入专户管理的非税收入拨款", "其他资金")
NATURES = ("基本支出", "项目支出")


def _bare(text: str) -> str:
    """A label as compared: label_key without a leading "其中:" and trailing colons."""
    key = label_key(text)
    while key.startswith("其中:"):
        key = key[3:]
    return key.rstrip(":")


def _continued(text: str) -> bool:
    """"续表", "续上表": a table continued on the next page, no content of its own."""
    return label_key(text).rstrip(":") in ("续表", "续上表", "(续表)", "(续上表)")


def _lines(annex: Annex) -> list[Line]:
    return [Line(t.index, r, cells) for t in annex.tables for r, cells in enumerate(t.rows)]


def department_name(annex: Annex) -> str | None:
    """The department (unit) name the table prints beside 预算部门名称 / 预算单位名称, as printed; None without one."""
    for line in _lines(annex):
        for path, value, _cell in _pairs(line, dict.fromkeys(NAME_LABELS, ("名称", "部门名称")), "", Notes()):
            if path == ("名称", "部门名称") and value is not None and value.strip():
                return value
    return None


def _pairs(line: Line, labels: dict[str, tuple[str, str]], file: str, notes: Notes) -> list[tuple[tuple[str, str], str | None, Cell]]:
    """(where it goes, text, value's cell) for every label in the row: "标签：值" in one cell, or label and value side by side.

    A filled cell that is neither a known label nor the value of one is an unknown-cell error.
    """
    out: list[tuple[tuple[str, str], str | None, Cell]] = []
    pending: tuple[tuple[str, str], Cell] | None = None
    for cell in line.cells:
        if cell.continued:
            continue
        found = None if is_blank(cell) else _split(cell.text, labels)
        if pending is not None:
            pending_target, pending = pending[0], None
            if found is None:  # a blank cell or a value, not a label
                out.append((pending_target, Values.text(cell), cell))
                continue
            out.append((pending_target, None, cell))  # the next cell is a label of its own: this one is blank
        if is_blank(cell) or is_section(cell.text):
            continue
        if found is None:
            notes.error(line.where(file, cell), "unknown-cell",
                        f"不认识的内容“{quote(cell.text)}”：此处应为{_expected(labels)}等标签及其数值")
        elif found[0] is not None and (found[1] is None or not found[1].strip()):
            pending = (found[0], cell)  # "主管部门：" or "主管部门": its value, if any, is in the next cell
        elif found[0] is not None:
            out.append((found[0], found[1], cell))
    if pending is not None:
        out.append((pending[0], None, pending[1]))
    return out


def _split(text: str, labels: dict[str, tuple[str, str]]) -> tuple[tuple[str, str] | None, str | None] | None:
    """(target, value text after the colon, or None for a bare label) — target None for a heading; None when not a label."""
    for i, ch in enumerate(text):
        if ch not in ":：":
            continue
        head = _bare(text[:i])
        if head in labels:
            return labels[head], text[i + 1 :]
        if head in HEADINGS and text[i + 1 :].strip():
            return _split(text[i + 1 :], labels)
    key = _bare(text)
    if key in labels:
        return labels[key], None
    if key in HEADINGS or not key:
        return None, None
    return None


def _expected(labels: dict[str, tuple[str, str]]) -> str:
    seen = dict.fromkeys(k for k in labels if not k.startswith("部门") and not k.startswith("单位"))
    return "、".join(f"“{k}”" for k in list(seen)[:6])


class _Reader:
    """One self-evaluation table, read row by row; `project` tells the two forms apart."""

    def __init__(self, annex: Annex, file: str, notes: Notes, project: bool) -> None:
        self.annex, self.file, self.notes, self.project = annex, file, notes, project
        self.values = Values(file, notes)
        self.labels = PROJECT_LABELS if project else OVERALL_LABELS
        self.fund_lines = PROJECT_LINES if project else OVERALL_LINES
        self.found: dict[str, Any] = {}  # project header fields: 项目名称, 主管部门, 实施单位
        self.funds: dict[str, dict] = {}
        self.parts: dict[str, dict] = {"按收入性质分": {}, "按支出性质分": {}}
        self.fund_cols: Columns | None = None
        self.goal_cols: Columns | None = None
        self.goals: dict[str, Any] | None = None
        self.tree: IndicatorTree | None = None
        self.total: dict[str, Any] | None = None

    def read(self) -> dict | None:
        if not self.annex.tables:
            self.notes.error(Where(self.file), "missing-table", f"附件“{quote(' '.join(self.annex.title))}”中没有表格：应有{self._what()}")
            return None
        for line in _lines(self.annex):
            self.row(line)
        self._paragraphs_before()
        return self.result()

    def _what(self) -> str:
        return "项目支出绩效自评表" if self.project else "部门整体支出绩效自评表"

    # --- rows --------------------------------------------------------------------------------

    def row(self, line: Line) -> None:
        if self.goal_cols is not None and self.goals is None and not self._header(line, probe=True):
            self._goals(line)  # the row under 预期目标 / 实际完成情况, even when blank
            return
        if line.blank():
            if self.tree is not None and self.total is None:
                self.tree.row(line)
            return
        if any(label_key(c.text).startswith(("填表人", "单位负责人")) for c in line.filled()):
            return  # a signature line typed into the table: read elsewhere
        if self._header(line):
            return
        total = next((c for c in line.filled() if label_key(c.text) in TOTAL_LABELS), None)
        if total is not None:
            self._total(line, total)
            return
        if self.tree is not None and self.total is None:
            self.tree.row(line)
            return
        fund = next((c for c in line.filled() if self._fund_label(c.text)), None)
        if fund is not None:
            self._fund(line, fund)
            return
        filled = [c for c in line.filled() if not is_section(c.text)]
        if not filled:
            return  # only the section labels printed down the first column
        if not any(_split(c.text, self.labels) is not None for c in filled):
            self.notes.error(line.where(self.file, filled[0]), "unknown-row",
                             f"不认识的行“{quote(filled[0].text)}”：{self._what()}中没有这样的行")
            return
        for (part, key), value, cell in _pairs(line, self.labels, self.file, self.notes):
            if part == "名称":
                continue  # the department's name: `department_name`
            into = self.found if part == "" else self.parts[part]
            if key in into:
                self.notes.error(line.where(self.file, cell), "duplicate-row", f"“{key}”第二次出现（“{quote(cell.text)}”）：未读入")
            elif part == "":
                into[key] = value
            else:  # "其他资金：102.88": the figure after the label, located at its cell
                figure = None if value is None else Cell(cell.row, cell.col, cell.span, value)
                put(into, key, self.values.amount(figure, line, key))

    def _header(self, line: Line, probe: bool = False) -> bool:
        """Whether the row is a header (indicator, fund or goal columns); unless probing, take its columns."""
        ind = Columns.find(line, INDICATOR_SPEC, INDICATOR_REQUIRED)
        if ind is not None:
            if not probe:
                self._unknown_headers(line, ind)
                if self.tree is None:
                    self.tree = IndicatorTree(ind, self.file, self.notes)
                else:
                    self.tree.columns = ind  # the header repeated on a new page or in a second table
            return True
        fund = Columns.find(line, FUND_SPEC, FUND_REQUIRED)
        if fund is not None:
            if not probe:
                self._unknown_headers(line, fund)
                self.fund_cols = fund
            return True
        goals = Columns.find(line, GOAL_SPEC, tuple(GOAL_SPEC))
        if goals is not None:
            if not probe:
                self._unknown_headers(line, goals)
                self.goal_cols = goals
            return True
        return False

    def _unknown_headers(self, line: Line, cols: Columns) -> None:
        for cell in line.filled():
            if id(cell) not in cols.header and not is_section(cell.text):
                self.notes.error(line.where(self.file, cell), "unknown-column",
                                 f"不认识的栏目“{quote(cell.text)}”：此行表头应为{cols.expected()}")

    def _goals(self, line: Line) -> None:
        assert self.goal_cols is not None
        cells = self.goal_cols.assign(line, self.file, self.notes)
        self.goals = {name: Values.text(cells.get(name)) for name in GOAL_SPEC}

    def _fund_label(self, text: str) -> bool:
        name = self.fund_lines.get(_bare(text))
        if name == "其他资金" and not self.project:
            return bool({"当年财政拨款", "上年结转资金"} & self.funds.keys()) and not self.parts["按收入性质分"]
        return name is not None

    def _fund(self, line: Line, label: Cell) -> None:
        name = self.fund_lines[_bare(label.text)]
        if self.fund_cols is None:
            self.notes.error(line.where(self.file, label), "missing-header",
                             f"“{quote(label.text)}”一行之前没有“年初预算数、全年预算数、全年执行数”表头：此行未读入")
            return
        if name in self.funds:
            self.notes.error(line.where(self.file, label), "duplicate-row", f"“{quote(label.text)}”一行重复：后一行未读入")
            return
        cells = self.fund_cols.assign(line, self.file, self.notes, skip=(label,))
        tree: dict[str, Any] = {}
        for key in FUND_SPEC:
            if key not in self.fund_cols.ranges:
                continue
            cell = cells.get(key)
            scored = key not in FUND_AMOUNTS
            if scored and name != "年度资金总额" and is_blank(cell):
                continue  # a part line prints its score cells blank: left unwritten, as in the data
            if key in FUND_AMOUNTS:
                put(tree, key, self.values.amount(cell, line, f"{name}的{key}"))
            elif key == "执行率":
                put(tree, key, self.values.percent(cell, line, f"{name}的执行率"))
            else:
                put(tree, key, self.values.score(cell, line, f"{name}的{key}"))
        self.funds[name] = tree

    def _total(self, line: Line, label: Cell) -> None:
        if self.total is not None:
            self.notes.error(line.where(self.file, label), "duplicate-row", f"第二个“{quote(label.text)}”行：未读入")
            return
        self.total = {}
        cols = self.tree.columns.only("分值", "得分") if self.tree is not None else None
        if cols is None or not cols.ranges:
            self.notes.error(line.where(self.file, label), "missing-header", "总分行之前没有指标表头（分值、得分）：总分未读入")
            return
        cells = cols.assign(line, self.file, self.notes, skip=(label,))
        for key in ("分值", "得分"):
            if key in cols.ranges:
                put(self.total, key, self.values.score(cells.get(key), line, f"总分行的{key}"))

    # --- paragraphs and the result -----------------------------------------------------------

    def _paragraphs_before(self) -> None:
        last = max(i for i, b in enumerate(self.annex.blocks) if isinstance(b, Table))
        for block in self.annex.blocks[:last]:
            if isinstance(block, Paragraph) and block.text.strip() and not is_signature(block.text) and not _continued(block.text):
                where = Where(self.file, paragraph=block.index)
                if label_key(block.text).startswith(("单位:", "金额单位:")):
                    self.notes.warning(where, "skipped-paragraph", f"表外的“{quote(block.text)}”：表中金额按万元读入，此段未读入")
                else:
                    self.notes.error(where, "unknown-paragraph", f"表格之前或之间的段落“{quote(block.text)}”：{self._what()}在此处只有标题")

    def _table_notes(self) -> list[str]:
        last = max(i for i, b in enumerate(self.annex.blocks) if isinstance(b, Table))
        # a page break left in the paragraph reads as a line break at its edge: not part of the note
        return [b.text.strip("\n") for b in self.annex.blocks[last + 1 :] if isinstance(b, Paragraph) and b.text.strip() and not is_signature(b.text)]

    def _missing(self, what: str) -> None:
        self.notes.error(Where(self.file, self.annex.tables[0].index), "missing-row", f"表中没有找到{what}")

    def result(self) -> dict:
        out: dict[str, Any] = {}
        if self.project:
            if "项目名称" in self.found:
                out["项目名称"] = self.found["项目名称"]
            else:
                self._missing("“项目支出名称”一行")
            for key in ("主管部门", "实施单位"):
                if key in self.found:
                    out[key] = self.found[key]
        out["标题"] = "\n".join(self.annex.title) if self.annex.title else None
        if "年度资金总额" not in self.funds:
            self._missing("“年度资金总额”一行")
        if self.project:
            out["项目资金"] = {k: self.funds.get(k, {}) for k in PROJECT_LINE_ORDER if k in self.funds or k == "年度资金总额"}
        else:
            out["年度资金总额"] = self.funds.get("年度资金总额", {})
            out.update({k: self.funds[k] for k in PROJECT_LINE_ORDER[1:] if k in self.funds})
            for part, order in (("按收入性质分", SOURCES), ("按支出性质分", NATURES)):
                if self.parts[part]:
                    out[part] = {k: self.parts[part][k] for k in order if k in self.parts[part]}
        if self.goals is not None:
            out["年度总体目标"] = self.goals
        elif self.goal_cols is not None:
            out["年度总体目标"] = {k: None for k in GOAL_SPEC}
        if self.tree is None:
            self._missing("指标表头（一级指标、二级指标、三级指标、年度指标值、实际完成值、分值、得分）")
        out["绩效指标"] = self.tree.result() if self.tree is not None else []
        if self.total is not None:
            out["总分"] = self.total
        out["表注"] = self._table_notes()
        return out


def read_overall(annex: Annex, file: str, notes: Notes) -> dict | None:
    """The tree under 整体自评.yaml's 部门整体支出绩效自评表, as printed; None when the annex has no table."""
    return _Reader(annex, file, notes, project=False).read()


def read_project(annex: Annex, file: str, notes: Notes) -> dict | None:
    """The tree of a 项目/*.yaml file without its 自评报告, as printed; None when the annex has no table."""
    return _Reader(annex, file, notes, project=True).read()
