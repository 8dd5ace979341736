"""Reading a self-evaluation table's columns, cell values and indicator block.

Shared by the readers of the 部门整体支出绩效自评表 and the 项目支出绩效自评表
(`selfeval`):

- `Columns`: a header row's labels placed on the grid ("年初\n预算数", "三 级 指 标"),
  and the cells of a later row sorted under them by grid column, never by position;
- `Values`: a cell's text as the model's value — amounts, scores and percents as
  printed (precision kept, "1796.79万元" kept with its unit), free text verbatim,
  blanks as None — with a located note for whatever is not such a value;
- `IndicatorTree`: one row per 三级指标 into 一级 → 二级 → 三级, carrying the 一级 and
  二级 labels down where a clerk left continuation cells empty instead of merging,
  counting blank rows as 其后空行 and skipping template rows ("指标1", "……").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .grid import Cell
from .notes import Notes, Where, quote
from .text import BLANKS, label_key, parse_figure

#: a value that could not be read: its key is left out of the tree (and a note says why)
MISSING: Any = object()

#: section labels printed down the table's first column; they carry no data
SECTION_LABELS = frozenset({"年度预算申请", "年度预算申请(万元)", "项目资金", "项目资金(万元)", "预算资金", "预算资金(万元)", "部门预算资金(万元)", "年度总体目标", "绩效指标", "年度绩效指标"})


def is_section(text: str) -> bool:
    return label_key(text) in SECTION_LABELS


def is_blank(cell: Cell | None) -> bool:
    """An empty cell, or the continuation of a vertical merge (its text is the origin's, above)."""
    return cell is None or cell.continued or not cell.text.strip()


@dataclass(frozen=True)
class Line:
    """One table row as read: the table's 1-based index, the 0-based row, its physical cells."""

    table: int
    row: int
    cells: list[Cell]

    def where(self, file: str, cell: Cell | None = None) -> Where:
        return Where(file, self.table, self.row + 1, cell.col + 1 if cell is not None else 0)

    def filled(self) -> list[Cell]:
        return [c for c in self.cells if not is_blank(c)]

    def blank(self) -> bool:
        return not self.filled()


Matcher = Callable[[str], bool]


def starts(*stems: str) -> Matcher:
    return lambda key: key.startswith(stems)


@dataclass
class Columns:
    """Header labels on the grid: field → [first, end) grid columns, in the order printed."""

    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    header: set[int] = field(default_factory=set)  # ids of the header row's cells that named a field

    @classmethod
    def find(cls, line: Line, spec: dict[str, Matcher], required: tuple[str, ...]) -> "Columns | None":
        """The columns a header row names (each field once, the first match), or None if `required` are not all there."""
        cols = cls()
        for cell in line.cells:
            if is_blank(cell):
                continue
            key = label_key(cell.text)
            name = next((f for f, match in spec.items() if f not in cols.ranges and match(key)), None)
            if name is not None:
                cols.ranges[name] = (cell.col, cell.col + cell.span)
                cols.header.add(id(cell))
        return cols if all(f in cols.ranges for f in required) else None

    def only(self, *names: str) -> "Columns":
        return Columns({n: r for n, r in self.ranges.items() if n in names})

    def assign(self, line: Line, file: str, notes: Notes, skip: tuple[Cell, ...] = ()) -> dict[str, Cell]:
        """The cells of `line` under each field; a filled cell under no field, or a second one under a field, is an error."""
        out: dict[str, Cell] = {}
        for cell in line.cells:
            if any(cell is s for s in skip) or (is_blank(cell) and cell.continued):
                continue
            lo, hi = cell.col, cell.col + cell.span
            names = [n for n, (a, b) in self.ranges.items() if a < hi and lo < b]
            if not names:
                if not is_blank(cell) and not is_section(cell.text):
                    notes.error(line.where(file, cell), "unknown-cell",
                                f"“{quote(cell.text)}”不在任何一栏之下：此行只应有{self.expected()}各栏的内容")
                continue
            name = names[0]
            if len(names) > 1 and not is_blank(cell):
                shown = "”“".join(names)
                notes.warning(line.where(file, cell), "merged-cells", f"“{quote(cell.text)}”一格跨“{shown}”几栏：已读作“{name}”")
            if name in out and not is_blank(out[name]):
                if not is_blank(cell):
                    notes.error(line.where(file, cell), "unknown-cell",
                                f"“{quote(cell.text)}”与“{quote(out[name].text)}”同在“{name}”一栏之下：一栏只应有一格内容")
                continue
            out[name] = cell
        return out

    def covered(self, cell: Cell, names: tuple[str, ...]) -> list[str]:
        """The fields among `names` whose columns the cell covers."""
        lo, hi = cell.col, cell.col + cell.span
        return [n for n, (a, b) in self.ranges.items() if n in names and a < hi and lo < b]

    def expected(self) -> str:
        return "、".join(f"“{n}”" for n in self.ranges)


class Values:
    """Cell text → model values, as printed; every text that is not such a value gets a located note."""

    def __init__(self, file: str, notes: Notes) -> None:
        self.file = file
        self.notes = notes

    @staticmethod
    def text(cell: Cell | None) -> str | None:
        """Free text verbatim (paragraphs joined by newlines, spaces kept); a blank cell is None."""
        if is_blank(cell):
            return None
        assert cell is not None
        return cell.text

    def _figure(self, cell: Cell | None, line: Line, what: str, units: tuple[str, ...]):
        if is_blank(cell):
            return None
        assert cell is not None
        if label_key(cell.text) in BLANKS:
            return None
        fig = parse_figure(cell.text)
        where = line.where(self.file, cell)
        if fig is None:
            self.notes.error(where, "not-a-figure", f"{what}应为数字，现为“{quote(cell.text)}”：未读入，请核对后在数据中填写")
            return MISSING
        if fig.unit not in units:
            shown = "或".join(u or "不带单位" for u in units)
            self.notes.error(where, "wrong-unit", f"{what}“{quote(cell.text)}”的单位不对：应为{shown}，未读入，请核对")
            return MISSING
        if fig.value < 0:
            self.notes.error(where, "negative", f"{what}不能是负数，现为“{quote(cell.text)}”：未读入，请核对")
            return MISSING
        return fig

    def amount(self, cell: Cell | None, line: Line, what: str) -> Any:
        """An amount in 万元: Decimal as printed; printed with its unit → "1796.79万元", so it reprints the same."""
        fig = self._figure(cell, line, what, ("", "万元"))
        if fig is None or fig is MISSING:
            return fig
        return f"{format(fig.value, 'f')}万元" if fig.unit else fig.value

    def score(self, cell: Cell | None, line: Line, what: str) -> Any:
        fig = self._figure(cell, line, what, ("", "分"))
        return fig if fig is None or fig is MISSING else fig.value

    def percent(self, cell: Cell | None, line: Line, what: str) -> Any:
        """A percent as printed ("100.00%"); a bare number is a ratio, as the data format reads it (1 = 100%)."""
        fig = self._figure(cell, line, what, ("%", ""))
        if fig is None or fig is MISSING:
            return fig
        if fig.unit:
            return f"{format(fig.value, 'f')}%"
        if fig.value > 1:
            self.notes.warning(line.where(self.file, cell), "percent-without-sign",
                               f"{what}写作“{quote(fig.text)}”，没有 %：按比率读入（1 即 100%），如指 {fig.text}% 请在表中补上 %")
        return fig.value


def put(tree: dict, key: str, value: Any) -> None:
    """Set `key` unless the value could not be read (a note already says why)."""
    if value is not MISSING:
        tree[key] = value


# --- the indicator block ------------------------------------------------------------------------

INDICATOR_SPEC: dict[str, Matcher] = {
    "一级": starts("一级指标"),
    "二级": starts("二级指标"),
    "名称": starts("三级指标"),
    "年度指标值": lambda k: "指标值" in k and not k.startswith(("实际", "完成")),
    "实际完成值": starts("实际完成", "实际值", "完成值"),
    "分值": starts("分值", "权重"),
    "得分": starts("得分", "自评得分"),
    "偏差原因分析及改进措施": starts("偏差"),
}
INDICATOR_REQUIRED = ("名称", "得分")
#: an indicator's keys in the model's order
INDICATOR_FIELDS = ("名称", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
SCORE_FIELDS = ("分值", "得分")
MAX_BLANK_ROWS = 20  # as the model allows for 其后空行
_PLACEHOLDER = re.compile(r"^(指标[0-9一二三四五六七八九十]*|[…\.。·]{2,}|…|等|xx+|XX+)$")


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.match(label_key(text)))


class IndicatorTree:
    """The 一级 → 二级 → 三级 tree, built one table row at a time."""

    def __init__(self, columns: Columns, file: str, notes: Notes) -> None:
        self.columns = columns
        self.file = file
        self.notes = notes
        self.values = Values(file, notes)
        self.groups: list[dict] = []
        self.last: dict | None = None  # the last indicator read, for blank rows after it

    @staticmethod
    def _label(cell: Cell | None) -> tuple[str, str | None]:
        """("carry", None) for an empty cell or a merge's continuation (not assigned), ("new", text) otherwise."""
        if is_blank(cell):
            return "carry", None
        assert cell is not None
        return "new", cell.text

    def row(self, line: Line) -> None:
        wide = next((c for c in line.filled() if len(self.columns.covered(c, INDICATOR_FIELDS)) > 1), None)
        if wide is not None:  # a note typed across the table, or cells merged over several columns: no indicator row
            shown = "”“".join(self.columns.covered(wide, INDICATOR_FIELDS))
            self.notes.error(line.where(self.file, wide), "unknown-row",
                             f"指标表中的“{quote(wide.text)}”一格跨“{shown}”几栏，不是一个指标行：此行未读入，应每栏一格")
            return
        cells = self.columns.assign(line, self.file, self.notes)
        (kind1, text1), (kind2, text2) = self._label(cells.get("一级")), self._label(cells.get("二级"))
        fields = [n for n in self.columns.ranges if n not in ("一级", "二级")]
        filled = [cells[n] for n in fields if n in cells and not is_blank(cells[n])]
        labels = [cells[n] for n, k in (("一级", kind1), ("二级", kind2)) if k == "new"]
        if not filled and not labels:
            self._blank(line)
            return
        if all(is_placeholder(c.text) for c in filled + labels):
            shown = " ".join(quote(c.text) for c in labels + filled)
            self.notes.warning(line.where(self.file), "template-row", f"表样的示例行“{shown}”没有填写内容：已跳过")
            return
        group = self.groups[-1] if self.groups else None
        new_group = kind1 == "new" and (group is None or text1 != group["名称"])
        if new_group:
            group = {"名称": text1, "二级指标": []}
            self.groups.append(group)
        elif group is None:
            self.notes.warning(line.where(self.file, cells.get("一级")), "missing-label", "第一个指标行没有一级指标：一级指标名称按空白读入")
            group = {"名称": "", "二级指标": []}
            self.groups.append(group)
        subs = group["二级指标"]
        if new_group or not subs or (kind2 == "new" and text2 != subs[-1]["名称"]):
            # a new 一级 whose 二级 cell is empty: a 二级 without a label
            subs.append({"名称": text2, "三级指标": []})
        indicator: dict[str, Any] = {}
        for name in INDICATOR_FIELDS:
            if name not in self.columns.ranges:
                continue
            cell = cells.get(name)
            if name in SCORE_FIELDS:
                put(indicator, name, self.values.score(cell, line, name))
            else:
                indicator[name] = Values.text(cell)
        subs[-1]["三级指标"].append(indicator)
        self.last = indicator

    def _blank(self, line: Line) -> None:
        if self.last is None:
            return  # a blank row before the first indicator holds nothing and prints as nothing in the model
        count = self.last.get("其后空行", 0)
        if count >= MAX_BLANK_ROWS:
            self.notes.warning(line.where(self.file), "blank-row", f"一个指标之后的空白行超过 {MAX_BLANK_ROWS} 行：多出的已跳过")
            return
        self.last["其后空行"] = count + 1

    def result(self) -> list[dict]:
        return self.groups
