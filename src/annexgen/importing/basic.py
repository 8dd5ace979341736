"""Reading the 基础数据表 (部门整体支出绩效评价基础数据表) back into the tree of 基础数据表.yaml.

Both form sets print it as one table: 财政供养人员情况 (a header row and a row of
figures), 经费控制情况 (a header row naming three figure columns …决算数 / …预算数 /
…决算数, then one row per printed label), 楼堂馆所控制情况 (header and figures) and
厉行节约保障措施 (隆回 prints 例行…). Sections and rows are found by their printed
labels, figure columns by their header labels, never by position. The rows between
“3、县级专项资金” and the next known row are the 专项明细, in order. 隆回 prints the
项目支出 total as “县级专项资金：”. Paragraphs below the table are the 表注.

The value helpers here (`amount_value`, `percent_value`, `count_value`,
`text_value`, `norm`) are shared with the checklist reader.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..model import BuildingControl, FundControl, Staffing
from .annexes import Annex
from .grid import Cell, Paragraph, Table
from .notes import Notes, Where, quote
from .signature import is_signature
from .text import BLANKS, label_key, parse_figure

OUT = object()  # a value that could not be read: its key is kept out of the tree (a note says why)

_WORD = re.compile(r"[^\W_]")
_NUMBERING = re.compile(r"^(?:\(?[0-9一二三四五六七八九十]+[)、.．]|\([0-9一二三四五六七八九十]+\)|[一二三四五六七八九十]+、)")
_PARENS = re.compile(r"\([^()]*\)")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_DOTS = re.compile(r"^[.…。·、,，\s]+$")
_PLACEHOLDER = re.compile(r"^(专项|项目|指标|名称|资金)\s*[0-9一二三四五六七八九十]+$")
_TRAILING_LINES = re.compile(r"(?:\n[ \t\u3000]*)+$")


# --- values as printed ---------------------------------------------------------------------------


def norm(text: str) -> str:
    """`text` reduced to its letters and digits (NFKC, no spaces, no punctuation): labels and field names compare so."""
    return "".join(_WORD.findall(unicodedata.normalize("NFKC", text)))


def key_of(model: type, name: str) -> str:
    """The YAML key of a model field: its alias where it has one, else its name."""
    return model.model_fields[name].alias or name


def is_blank(text: str) -> bool:
    return label_key(text) in BLANKS


def text_value(text: str) -> str | None:
    """A free-text cell verbatim (inner and edge spaces kept), without trailing empty paragraphs; None when blank."""
    if not text.strip():
        return None
    return _TRAILING_LINES.sub("", text)


def _not_figure(notes: Notes, where: Where, text: str, what: str) -> object:
    notes.error(where, "not-a-figure", f"应为{what}，现为“{quote(text)}”：这一格没有读入，请核对原件")
    return OUT


def amount_value(text: str, where: Where, notes: Notes, *, signed: bool = False, units: tuple[str, ...] = ()) -> Any:
    """An amount cell: None when blank, Decimal as printed, "12.50万元" when printed with its unit, else OUT with a note.

    `units` are further units that may follow the figure and are dropped (such as ㎡ for a floor area).
    """
    if is_blank(text):
        return None
    clean = unicodedata.normalize("NFKC", text).strip()
    for unit in units:
        if clean.endswith(unit):
            clean = clean[: -len(unit)]
            break
    figure = parse_figure(clean)
    if figure is None:
        return _not_figure(notes, where, text, "金额（数字，如 12.50）")
    if figure.unit not in ("", "万元"):
        notes.error(where, "wrong-unit", f"金额应以万元为单位，现为“{quote(text)}”（单位“{figure.unit}”）：这一格没有读入，请换算为万元")
        return OUT
    if figure.value < 0 and not signed:
        notes.error(where, "negative-amount", f"金额不能是负数，现为“{quote(text)}”：这一格没有读入，请核对原件")
        return OUT
    return f"{figure.value:f}万元" if figure.unit == "万元" else figure.value


def percent_value(text: str, where: Where, notes: Notes) -> Any:
    """A percentage cell: "100.00%" as printed (a str), a bare number as a Decimal ratio, None when blank, else OUT."""
    if is_blank(text):
        return None
    figure = parse_figure(text)
    if figure is None or figure.unit not in ("", "%") or figure.value < 0:
        return _not_figure(notes, where, text, "百分数（如 100.00%）")
    return f"{figure.value:f}%" if figure.unit == "%" else figure.value


def count_value(text: str, where: Where, notes: Notes) -> Any:
    """A count of people: an int (a unit 人 allowed), None when blank, else OUT with a note."""
    if is_blank(text):
        return None
    figure = parse_figure(text)
    if figure is None or figure.unit not in ("", "人") or figure.value < 0 or figure.value.as_tuple().exponent != 0:
        return _not_figure(notes, where, text, "人数（整数）")
    return int(figure.value)


def title_of(annex: Annex) -> str | None:
    return "\n".join(annex.title) if annex.title else None


def ordered(model: type, found: dict[str, Any]) -> dict[str, Any]:
    """`found` (by field name) as a YAML-level dict: keys as written in data/ files, in model field order."""
    return {key_of(model, name): found[name] for name in model.model_fields if name in found}


# --- the 基础数据表 ---------------------------------------------------------------------------------

#: printed row label (reduced by `_row_key`) → FundControl field
FUND_ROWS: dict[str, str] = {name: name for name in FundControl.model_fields if name != "专项明细"} | {"公务接待费": "公务接待"}
STAFF_COLUMNS = (("编制数", "编制数"), ("实际在职人数", "实际在职人数"), ("控制率", "控制率"))
BUILDING_COLUMNS = tuple((name, name) for name in BuildingControl.model_fields)
_AREA_UNITS = ("m2", "平方米", "平米")


def _row_key(text: str) -> tuple[str, bool]:
    """(a row label reduced for matching, whether it was numbered): “1、公务用车…” → 公务用车…, “其中：办公经费” → 办公经费."""
    key = label_key(text)
    numbered = bool(_NUMBERING.match(key))
    key = _NUMBERING.sub("", key)
    key = _PARENS.sub("", key)
    if key.startswith("其中"):
        key = key[2:]
    return norm(key), numbered


def _section(key: str) -> str | None:
    for name in ("财政供养人员情况", "经费控制情况", "楼堂馆所控制情况", "厉行节约保障措施", "例行节约保障措施", "单位名称"):
        if key.startswith(name):
            return "厉行节约保障措施" if name == "例行节约保障措施" else name
    return None


class _BasicReader:
    def __init__(self, file: str, notes: Notes) -> None:
        self.file, self.notes = file, notes
        self.staff: dict[str, Any] = {}
        self.funds: dict[str, Any] = {}
        self.specials: list[dict[str, Any]] = []
        self.building: dict[str, Any] | None = None
        self.saving: Any = OUT
        self.years: dict[str, Any] = {}
        self.sections: set[str] = set()
        self.fund_cols: list[tuple[int, int]] | None = None  # grid ranges of [上年决算, 本年预算, 本年决算]
        self.pending: tuple[str, list[tuple[str, int, int]]] | None = None  # a header waiting for its row of figures
        self.in_specials = False
        self.blank_figures = False

    def where(self, table: Table, r: int, cell: Cell | None = None) -> Where:
        return Where(self.file, table.index, r + 1, (cell.col + 1) if cell else 0)

    # a row's cells: continuation cells of a vertical merge count as empty
    @staticmethod
    def _text(cell: Cell) -> str:
        return "" if cell.continued else cell.text

    def table(self, table: Table) -> None:
        for r, row in enumerate(table.rows):
            filled = [c for c in row if self._text(c).strip()]
            if not filled:
                self.blank_figures |= self.pending is not None  # a blank row under a header: its figures are blank
                continue
            head = filled[0]
            section = _section(label_key(self._text(head)))
            if section is not None:
                self.sections.add(section)
                self._unanswered(Where(self.file, table.index, r + 1))
                if section != "单位名称":  # the department's name is read with 部门.yaml
                    getattr(self, "_" + section)(table, r, row, head)
                continue
            if self.pending is not None and self._label_free(row, self.pending[1]):
                self._figures_row(table, r, row)
                continue
            if self.fund_cols is not None:
                self._fund_row(table, r, row)
                continue
            self.notes.error(self.where(table, r, head), "unknown-row", f"不认识的一行“{quote(self._text(head))}”：应为基础数据表的栏目（财政供养人员情况、经费控制情况、楼堂馆所控制情况等）")

    def _unanswered(self, where: Where) -> None:
        """A header whose row of figures never came is reported before the next section begins."""
        if self.pending is not None and self.blank_figures:
            kind, columns = self.pending
            target = self.staff if kind == "staff" else self.building
            assert target is not None
            target.update((name, None) for name, _, _ in columns)
        elif self.pending is not None:
            what = "财政供养人员情况" if self.pending[0] == "staff" else "楼堂馆所控制情况"
            self.notes.error(where, "missing-row", f"{what}的表头下面没有数字行：{what}没有读入")
        self.pending, self.blank_figures = None, False

    @staticmethod
    def _label_free(row: list[Cell], columns: list[tuple[str, int, int]]) -> bool:
        """True when nothing is written left of the first header column (the row holds only figures)."""
        first = min(start for _, start, _ in columns)
        return not any((c.text.strip() and not c.continued) for c in row if c.col + c.span <= first)

    def _headers(self, table: Table, r: int, row: list[Cell], head: Cell, known: tuple[tuple[str, str], ...]) -> list[tuple[str, int, int]]:
        """The named columns of a header row (name, first grid column, end), reporting cells that name none."""
        columns = []
        for cell in row:
            if cell.col <= head.col or not self._text(cell).strip():
                continue
            key = norm(_YEAR.sub("", label_key(self._text(cell))))
            name = next((n for words, n in known if key.startswith(words) or (n == "实际在职人数" and words in key)), None)
            if name is None:
                self.notes.error(self.where(table, r, cell), "unknown-column", f"不认识的栏目“{quote(self._text(cell))}”：应为{'、'.join(w for w, _ in known)}之一")
            else:
                columns.append((name, cell.col, cell.col + cell.span))
        return columns

    def _财政供养人员情况(self, table: Table, r: int, row: list[Cell], head: Cell) -> None:
        columns = self._headers(table, r, row, head, STAFF_COLUMNS)
        for cell in row:
            if cell.col > head.col and "实际在职" in label_key(self._text(cell)):
                m = _YEAR.search(label_key(self._text(cell)))
                if m:
                    self.years["实际在职人数"] = int(m[1])
        self.pending = ("staff", columns) if columns else None

    def _楼堂馆所控制情况(self, table: Table, r: int, row: list[Cell], head: Cell) -> None:
        m = _YEAR.search(label_key(self._text(head)))
        if m:
            self.years["楼堂馆所控制情况"] = int(m[1])
        columns = self._headers(table, r, row, head, BUILDING_COLUMNS)
        self.building = {}
        self.pending = ("building", columns) if columns else None
        self.fund_cols = None

    def _厉行节约保障措施(self, table: Table, r: int, row: list[Cell], head: Cell) -> None:
        texts = [self._text(c) for c in row if c.col > head.col and self._text(c).strip()]
        self.saving = text_value("\n".join(texts)) if texts else None
        self.fund_cols = None

    def _经费控制情况(self, table: Table, r: int, row: list[Cell], head: Cell) -> None:
        final, budget = [], []
        for cell in row:
            key = label_key(self._text(cell))
            if cell.col <= head.col or not key:
                continue
            m = _YEAR.search(key)
            year = int(m[1]) if m else None
            if "决算" in key:
                final.append((cell, year))
            elif "预算" in key:
                budget.append((cell, year))
            else:
                self.notes.error(self.where(table, r, cell), "unknown-column", f"不认识的栏目“{quote(self._text(cell))}”：应为“…决算数”或“…预算数”")
        if len(final) != 2 or len(budget) != 1:
            self.notes.error(self.where(table, r, head), "missing-column", "经费控制情况的表头应有三栏：上年决算数、本年预算数、本年决算数，"
                             f"现有决算数 {len(final)} 栏、预算数 {len(budget)} 栏：经费控制情况没有读入")
            self.fund_cols = None
            return
        order = [final[0], budget[0], final[1]]
        self.fund_cols = [(c.col, c.col + c.span) for c, _ in order]
        if all(y is not None for _, y in order):
            self.years["经费控制情况"] = [y for _, y in order]

    def _values(self, table: Table, r: int, row: list[Cell], columns: list[tuple[int, int]]) -> list[tuple[str, Where]]:
        """The text under each column range and where it is; other filled cells right of the labels are reported."""
        found = [("", Where(self.file, table.index, r + 1, start + 1)) for start, _ in columns]
        first = min(start for start, _ in columns)
        for cell in row:
            text = self._text(cell)
            if cell.col + cell.span <= first or not text.strip():
                continue
            hits = [i for i, (start, end) in enumerate(columns) if cell.col < end and start < cell.col + cell.span]
            if len(hits) == 1 and not found[hits[0]][0].strip():
                found[hits[0]] = (text, self.where(table, r, cell))
            else:
                self.notes.error(self.where(table, r, cell), "unknown-cell", f"这一格“{quote(text)}”不在任何一栏之下（或与同一栏的另一格重复）：没有读入")
        return found

    def _figures_row(self, table: Table, r: int, row: list[Cell]) -> None:
        assert self.pending is not None
        kind, columns = self.pending
        self.pending, self.blank_figures = None, False
        found = self._values(table, r, row, [(s, e) for _, s, e in columns])
        for (name, _, _), (text, where) in zip(columns, found):
            if kind == "staff":
                value = percent_value(text, where, self.notes) if name == "控制率" else count_value(text, where, self.notes)
                target = self.staff
            else:
                if name.endswith("控制率"):
                    value = percent_value(text, where, self.notes)
                else:
                    value = amount_value(text, where, self.notes, units=_AREA_UNITS if name.endswith("规模") else ())
                target = self.building
                assert target is not None
            if value is not OUT:
                target[name] = value

    def _fund_row(self, table: Table, r: int, row: list[Cell]) -> None:
        assert self.fund_cols is not None
        first = self.fund_cols[0][0]
        labels = [c for c in row if c.col + c.span <= first and self._text(c).strip()]
        label_cell = labels[-1] if labels else None
        found = self._values(table, r, row, self.fund_cols)
        label = self._text(label_cell) if label_cell else ""
        key, numbered = _row_key(label)
        field = FUND_ROWS.get(key)
        if key == "县级专项资金":
            colon = unicodedata.normalize("NFKC", label).strip().endswith(":")
            before_parts = "业务工作经费" not in self.funds and "运行维护经费" not in self.funds
            field = "项目支出" if "项目支出" not in self.funds and not numbered and (colon or before_parts) else "县级专项资金"
        where = self.where(table, r, label_cell or row[0])
        if field is not None:
            if field in self.funds:
                self.notes.error(where, "duplicate-row", f"“{quote(label)}”一行出现了两次：只读入第一次出现的")
                return
            self.funds[field] = self._amounts(found, signed=field == "部门基本支出预算调整")
            self.in_specials = field == "县级专项资金"
            return
        filled = [t for t, _ in found if not is_blank(t)]
        if not key or _DOTS.match(label) or _PLACEHOLDER.match(key):
            if filled:
                self.notes.error(where, "unnamed-row", f"这一行没有专项名称（“{quote(label)}”），却填了数字“{quote(' '.join(filled))}”：没有读入，请补上名称")
            elif key and not _DOTS.match(label):
                self.notes.warning(where, "template-row", f"表样的示例行“{quote(label)}”没有填写：已跳过")
            return
        if self.in_specials:
            self.specials.append({"名称": label, "金额": self._amounts(found)})
            return
        self.notes.error(where, "unknown-row", f"不认识的行名“{quote(label)}”：应为经费控制情况的行（如“三公”经费、公用经费、政府采购金额），或“县级专项资金”下的专项")

    def _amounts(self, found: list[tuple[str, Where]], signed: bool = False) -> list[Any]:
        values = [amount_value(text, where, self.notes, signed=signed) for text, where in found]
        return [None if value is OUT else value for value in values]

    def tree(self, title: str | None, notes_below: list[str]) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        if title is not None:
            tree["标题"] = title
        years = {k: self.years[k] for k in ("实际在职人数", "经费控制情况", "楼堂馆所控制情况") if k in self.years}
        if years:
            tree["年度标签"] = years
        tree["财政供养人员情况"] = ordered(Staffing, self.staff)
        funds = dict(self.funds)
        funds["专项明细"] = self.specials
        tree["经费控制情况"] = ordered(FundControl, funds)
        if self.building is not None:
            tree["楼堂馆所控制情况"] = ordered(BuildingControl, self.building)
        if self.saving is not OUT:
            tree["厉行节约保障措施"] = self.saving
        tree["表注"] = notes_below
        return tree


def below_table(annex: Annex, file: str, notes: Notes, skip: tuple[str, ...] = ()) -> list[str]:
    """The note paragraphs of an annex: text after its first table, less signature lines and `skip` labels.

    Text before the first table that is not the title is reported, unless it starts with a `skip` label.
    """
    out: list[str] = []
    seen_table = False
    for block in annex.blocks:
        if isinstance(block, Table):
            seen_table = True
            continue
        assert isinstance(block, Paragraph)
        text = block.text
        key = label_key(text)
        if not key or is_signature(text) or any(key.startswith(s) for s in skip):
            continue
        if seen_table:
            out.append(_TRAILING_LINES.sub("", text))  # a page break after the paragraph reads as a line break
        else:
            notes.error(Where(file, paragraph=block.index), "unknown-text", f"表格之前的文字“{quote(text)}”不是表的标题：没有读入")
    return out


def read_basic(annex: Annex, file: str, notes: Notes) -> dict | None:
    """The tree of 基础数据表.yaml read from a 基础数据表 annex; None when it has no table."""
    if not annex.tables:
        notes.error(Where(file), "missing-table", "基础数据表里没有找到表格：基础数据表没有读入")
        return None
    reader = _BasicReader(file, notes)
    for table in annex.tables:
        reader.table(table)
    last = annex.tables[-1]
    reader._unanswered(Where(file, last.index, len(last.rows)))
    first = annex.tables[0]
    for section in ("财政供养人员情况", "经费控制情况"):
        if section not in reader.sections:
            notes.error(Where(file, first.index), "missing-section", f"基础数据表里没有找到“{section}”：这一部分没有读入")
    return reader.tree(title_of(annex), below_table(annex, file, notes, skip=("单位名称", "单位:万元")))
