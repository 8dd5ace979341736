"""Summary: the bureau's 自评汇总表 of a whole tree, as an .xlsx workbook or CSV files.

`collect` walks a tree of department-years, loads and checks each (`check.review`),
and keeps, from the derived model (the figures check verified), one row per
department-year (sheet 汇总), per project (项目) and per finding (问题). Figures
stay Decimal until a cell is written. `xlsx_bytes` and `csv_bytes` turn the sheets
into bytes that are the same for the same tree (fixed properties, a normalised
zip); `write_file` puts one file in place atomically.

Units are named as the tree names them: the folders between the tree and the
year folder, joined by "/" (人社局/机关); when the tree is itself a year folder,
its 部门名称.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional, Sequence

from .errors import AnnexgenError
from .findings import SEVERITY_ZH, Finding, display_path, printable
from .model import Group

UNIT = "主管部门/单位"
TEXT, INT, NUMBER, RATE = "text", "int", "0.00", "0.00%"
MAX_CELL = 32767  # Excel keeps at most this many characters in a cell
MAX_WIDTH = {TEXT: 60}
SUMMARY_TITLE = "部门整体支出绩效自评汇总"
WHEN = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)  # the workbook's fixed created/modified date
_GROUP_WEIGHT = re.compile(r"[(（][\d.]+分[)）]$")


@dataclass(frozen=True)
class Column:
    """A column: its header and kind (TEXT, INT, NUMBER shown 0.00, RATE shown 0.00%)."""

    header: str
    kind: str = TEXT


@dataclass
class Sheet:
    """A sheet: its name, columns and rows (cells are str, int, Decimal or None for blank)."""

    name: str
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)


@dataclass
class Summary:
    """The three sheets of a tree, and its counts."""

    years: int
    sheets: list[Sheet]
    errors: int = 0
    warnings: int = 0

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)


def group_label(name: str) -> str:
    """A 一级指标 as a column header: its printed name without spaces or the weight ("产出指标\\n(30分)" → 产出指标)."""
    flat = "".join(name.split())
    return _GROUP_WEIGHT.sub("", flat) or flat


def group_scores(groups: list[Group]) -> dict[str, Optional[Decimal]]:
    """Each 一级指标's score: the sum of its indicators' 得分 (None when none has one)."""
    from .values import sum_exactly

    scores: dict[str, Optional[Decimal]] = {}
    for group in groups:
        got = [i.得分 for sub in group.二级指标 for i in sub.三级指标 if i.得分 is not None]
        label = group_label(group.名称)
        total = sum_exactly(got) if got else None
        if label in scores and scores[label] is not None and total is not None:  # the same name twice: one column
            total = sum_exactly([scores[label], total])  # type: ignore[list-item]
        scores[label] = total if total is not None else scores.get(label)
    return scores


def unit_name(tree: Path, root: Path, fallback: str) -> str:
    """The unit as the tree names it: the folders above the year folder, or `fallback` for the tree itself."""
    parts = root.relative_to(tree).parts[:-1] if root != tree else ()
    return "/".join(parts) if parts else fallback


def rate(value) -> Optional[Decimal]:
    """A Percent as a fraction for a 0.00% cell, exactly (98.50 → 0.9850)."""
    return None if value is None else value.value.scaleb(-2)


def collect(
    tree: Path,
    trusted: Sequence[Path] = (),
    advance: Callable[[str], None] = lambda _name: None,
    years: Optional[Sequence[Path]] = None,
    jobs: Optional[int] = None,
) -> Summary:
    """Load and check every department-year at or under `tree`; the sheets 汇总, 项目 and 问题.

    `advance(name)` is called as each department-year is added (a progress bar);
    `years` are the department-years under `tree` when already found. They are read
    on `jobs` cores (default: all; pool.py), in order. A department-year whose form
    set cannot be used is a row with that error.
    """
    from .load import find_department_years
    from .pool import ordered, workers_for

    years = find_department_years(tree) if years is None else years
    units: list[tuple[list[object], dict[str, Optional[Decimal]], list[object]]] = []
    projects: list[tuple[list[object], dict[str, Optional[Decimal]], list[object]]] = []
    issues: list[list[object]] = []
    groups: list[str] = []
    project_groups: list[str] = []
    errors = warnings = 0
    rows = ordered(year_rows, [(tree, root, tuple(trusted)) for root in years], workers_for(len(years), jobs))
    for root, year in zip(years, rows):
        advance(display_path(root))
        errors += year.errors
        warnings += year.warnings
        units.append(year.unit)
        _add(groups, year.unit[1])
        for row in year.projects:
            _add(project_groups, row[1])
            projects.append(row)
        issues += year.issues
    funds = [Column("年初预算数", NUMBER), Column("全年预算数", NUMBER), Column("全年执行数", NUMBER), Column("执行率", RATE), Column("执行率得分", NUMBER)]
    summary = Sheet(
        "汇总",
        [Column(UNIT), Column("部门名称"), Column("年度", INT), Column("表样"), *funds, *[Column(g, NUMBER) for g in groups],
         Column("总分", NUMBER), Column("自评等级"), Column("错误数", INT), Column("警告数", INT)],
        [head + [scores.get(g) for g in groups] + tail for head, scores, tail in units],
    )
    project_sheet = Sheet(
        "项目",
        [Column(UNIT), Column("年度", INT), Column("项目名称"), Column("主管部门"), Column("实施单位"), *funds,
         *[Column(g, NUMBER) for g in project_groups], Column("总分", NUMBER), Column("自评等级")],
        [head + [scores.get(g) for g in project_groups] + tail for head, scores, tail in projects],
    )
    problems = Sheet(
        "问题",
        [Column(UNIT), Column("年度", INT), Column("文件"), Column("行", INT), Column("列", INT), Column("代码"), Column("级别"), Column("消息")],
        issues,
    )
    return Summary(len(years), [summary, project_sheet, problems], errors, warnings)


Row = tuple[list[object], dict[str, Optional[Decimal]], list[object]]  # (head cells, 一级指标 scores, tail cells)


@dataclass
class YearRows:
    """What one department-year adds to the workbook."""

    unit: Row
    projects: list[Row]
    issues: list[list[object]]
    errors: int
    warnings: int


def year_rows(job: tuple[Path, Path, tuple[Path, ...]]) -> YearRows:
    """One department-year (`(tree, root, trusted)`), loaded and checked (in a worker process when there are several)."""
    from .check import review
    from .load import load

    tree, root, trusted = job
    loaded = load(root)
    try:
        findings, form_set = review(loaded, trusted)
    except AnnexgenError as e:  # a form set that cannot be used: the row says so, the others go on
        findings, form_set = sorted(loaded.findings) + [Finding(display_path(root), 0, 0, e.code, "error", str(e))], None
    sub = loaded.submission
    dept = sub.部门 if sub is not None else None
    unit = unit_name(tree, root, dept.部门名称 if dept is not None else root.name)
    year = dept.年度 if dept is not None else (int(root.name) if re.fullmatch(r"(19|20)\d\d", root.name) else None)  # unreadable 部门.yaml: the folder's year
    profile = form_set.profile if form_set is not None else None
    table = sub.整体自评.部门整体支出绩效自评表 if sub is not None and sub.整体自评 is not None else None
    line = table.年度资金总额 if table is not None else None
    scores = group_scores(table.绩效指标) if table is not None else {}
    total = table.总分.得分 if table is not None else None
    checklist = sub.整体自评.自评基础数据表 if sub is not None and sub.整体自评 is not None else None
    grade = checklist.自评结论 if checklist is not None and checklist.自评结论 else None
    if grade is None and total is not None:
        grade = _grade(profile, total)
    n_err = sum(f.severity == "error" for f in findings)
    name = form_set.name if form_set is not None else (dept.表样 if dept is not None else None)
    head = [unit, dept.部门名称 if dept is not None else None, year, name, *_funds(line)]
    projects: list[Row] = []
    for project in sub.项目 if sub is not None else []:
        p_total = project.总分.得分
        p_head = [unit, year, project.项目名称, project.主管部门 or dept.部门名称, project.实施单位 or dept.部门名称]  # type: ignore[union-attr]
        p_tail = [p_total, _grade(profile, p_total) if p_total is not None else None]
        projects.append((p_head + _funds(project.项目资金.年度资金总额), group_scores(project.绩效指标), p_tail))
    issues = [[unit, year, f.file, f.line or None, f.column or None, f.code, SEVERITY_ZH[f.severity], f.message] for f in findings]
    return YearRows((head, scores, [total, grade, n_err, len(findings) - n_err]), projects, issues, n_err, len(findings) - n_err)


def _funds(line) -> list[object]:
    if line is None:
        return [None] * 5
    return [line.年初预算数, line.全年预算数, line.全年执行数, rate(line.执行率), line.得分]


def _grade(profile, total: Decimal) -> str:
    from .profile import DEFAULT

    return (profile or DEFAULT).grade(total)


def _add(names: list[str], scores: dict) -> None:
    names.extend(n for n in scores if n not in names)


# --- cells, widths -----------------------------------------------------------------


def text_of(value: object, kind: str) -> str:
    """A cell as shown: numbers with their format's two decimals, text escaped (see `printable`)."""
    if value is None:
        return ""
    if kind == RATE and isinstance(value, Decimal):
        return f"{value.scaleb(2):.2f}%"
    if kind == NUMBER and isinstance(value, Decimal):
        return f"{value:.2f}"
    return printable(str(value))[:MAX_CELL]


def display_width(text: str) -> int:
    """Columns a line takes in a spreadsheet: CJK and other wide characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(column: Column, rows: list[list[object]], index: int) -> int:
    """A width that fits the header and the widest cell (its longest line), within reason."""
    widest = max([display_width(column.header)] + [max(map(display_width, text_of(r[index], column.kind).split("\n")), default=0) for r in rows])
    return min(max(widest + 2, 6), MAX_WIDTH.get(column.kind, 24))


# --- xlsx and csv ------------------------------------------------------------------


def xlsx_bytes(summary: Summary) -> bytes:
    """The workbook: one sheet each, header frozen and filtered, widths to fit, numbers as numbers.

    The same summary gives the same bytes: fixed document properties, zip entries
    in a fixed order with a fixed time (`write.normalize_docx`).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from .write import CoreProperties, normalize_docx

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)  # printed as a table: every cell ruled
    shade = PatternFill("solid", fgColor="EEEEEE")
    for sheet in summary.sheets:
        ws = wb.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        ws.page_setup.orientation = "landscape"  # printed: as wide as the page, as many pages down as needed
        ws.page_setup.paperSize = "9"  # A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.print_title_rows = "1:1"
        last = get_column_letter(len(sheet.columns))
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        for i, column in enumerate(sheet.columns):
            ws.column_dimensions[get_column_letter(i + 1)].width = column_width(column, sheet.rows, i)
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, column.header)
            cell.font, cell.border, cell.fill = bold, grid, shade
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            cells = [_cell(WriteOnlyCell(ws), value, column.kind) for value, column in zip(row, sheet.columns)]
            for cell in cells:
                cell.border = grid
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    core = CoreProperties(SUMMARY_TITLE, "annexgen", f"{summary.years} 个年度", WHEN)
    return normalize_docx(buf.getvalue(), {"docProps/core.xml": core.xml()})


def _cell(cell, value: object, kind: str):
    """`cell` holding `value`: a number as a number in its format, text always as text, None blank."""
    if value is None:
        return cell
    if isinstance(value, Decimal):
        cell.value = value
        cell.number_format = kind if kind in (NUMBER, RATE) else "General"
    elif isinstance(value, int):
        cell.value = int(value)
    else:
        cell.value = text_of(value, TEXT)
        cell.data_type = "s"  # text, never a formula, whatever it starts with
    return cell


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(sheet: Sheet) -> bytes:
    """One sheet as CSV: UTF-8 with a BOM (so Excel reads the Chinese), figures exactly as derived.

    Numbers are written in full (98.50% as 0.9850, no rounding); a text cell that
    a spreadsheet would take for a formula (=, +, -, @) is preceded by an apostrophe.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(int(value))
    text = text_of(value, TEXT)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- writing one file --------------------------------------------------------------


def write_file(target: Path, data: bytes) -> None:
    """Put `data` at `target` atomically: a temporary file beside it, synced, then renamed over it.

    An interruption or a failure leaves the old file (or none) and no temporary file.
    """
    from .output import WriteError, held

    folder = target.parent
    temp: Optional[str] = None
    try:
        mode = _mode(target)
        with held():
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".annexgen", dir=folder)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # as a new file (or the old one) would be, not mkstemp's 0600
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with held():
            os.replace(temp, target)
            temp = None
    except OSError as e:
        raise WriteError(target, f"写入失败：{e.strerror or e}。原有文件未改动；请检查文件夹是否存在、磁盘空间和写权限后再运行") from None
    finally:
        if temp is not None:
            with held():
                try:
                    os.unlink(temp)
                except OSError:
                    pass


def _mode(target: Path) -> int:
    """The permissions the file gets: the old file's, else those the umask gives a new file."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
