"""Issue 10: the 部门整体支出绩效自评表 and 项目支出绩效自评表 read back from Word into data.

Round trip: every self-evaluation table annexgen builds from data/ reads back to the
department-year's derived data, Decimal precision and units included. Clerk style:
tables typed with python-docx without vertical merges, with spaced labels, units and
thousands separators on figures, blank and template rows, and a cell that fits nowhere.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from annexgen.build import build
from annexgen.check import review
from annexgen.importing.annexes import Annex, split_annexes
from annexgen.importing.grid import read_docx
from annexgen.importing.notes import Notes
from annexgen.importing.selfeval import department_name, read_overall, read_project
from annexgen.load import load
from annexgen.model import Project, SelfEvalTable
from annexgen.values import Percent, unit_of
from clerkdocs import via_odt_all

REPO = Path(__file__).parent.parent
YEARS = ("miluo-hrss/2023", "longhui-hrss/2024", "example-county/2024")
OVERALL, PROJECT = "部门整体支出绩效自评表", "项目支出绩效自评表"


def normal(value: Any) -> Any:
    """A dump compared with its precision and unit: Decimal → ("12.00", "万元"), Percent → its text."""
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    if isinstance(value, Decimal):
        return (str(value), unit_of(value))
    if isinstance(value, Percent):
        return ("%", value.text)
    return value


def dump(model) -> Any:
    return normal(model.model_dump(by_alias=True))


def annexes_of(files: list[Path]) -> list[tuple[str, Annex]]:
    return [(str(f), a) for f in sorted(files, key=lambda f: f.name) for a in split_annexes(read_docx(f))]


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[str, tuple[Any, list[tuple[str, Annex]], list[tuple[str, Annex]]]]:
    """Per data year: its derived submission, the annexes of its built files, and those of the one combined file."""
    out = {}
    for year in YEARS:
        loaded = load(REPO / "data" / year)
        review(loaded, ())
        files = build(REPO / "data" / year, tmp_path_factory.mktemp("built") / year, combine=True).written
        single = [f for f in files if "全部附件" not in f.name]
        out[year] = (loaded.submission, annexes_of(single), annexes_of([f for f in files if f not in single]))
    return out


def trimmed(value: Any) -> Any:
    """Texts without their trailing spaces: LibreOffice drops those at the end of a cell ("100万元        ")."""
    if isinstance(value, dict):
        return {k: trimmed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trimmed(v) for v in value]
    return value.rstrip(" ") if isinstance(value, str) else value


def assert_round_trip(sub, annexes: list[tuple[str, Annex]], same=lambda tree: tree) -> None:
    """The tables read back equal the derived data, precision and units included, without a note."""
    (file, annex), = [(f, a) for f, a in annexes if a.kind == OVERALL]
    notes = Notes()
    tree = read_overall(annex, file, notes)
    assert list(notes) == []
    assert list(tree) == ["标题", "年度资金总额", "按收入性质分", "按支出性质分", "年度总体目标", "绩效指标", "总分", "表注"]
    assert same(dump(SelfEvalTable.model_validate(tree))) == same(dump(sub.整体自评.部门整体支出绩效自评表))
    assert department_name(annex) == sub.部门.部门名称
    found = [(f, a) for f, a in annexes if a.kind == PROJECT]
    assert len(found) == len(sub.项目)
    for (file, annex), project in zip(found, sub.项目):
        notes = Notes()
        tree = read_project(annex, file, notes)
        assert list(notes) == []
        assert list(tree)[:4] == ["项目名称", "主管部门", "实施单位", "标题"]
        expected = project.model_copy(update={"自评报告": None})
        # a 主管部门 / 实施单位 left out of the data prints as the department's name
        for key in ("主管部门", "实施单位"):
            if getattr(expected, key) is None:
                expected = expected.model_copy(update={key: sub.部门.部门名称})
        assert same(dump(Project.model_validate(tree))) == same(dump(expected))


@pytest.mark.parametrize("year", YEARS)
def test_round_trip_one_file_per_annex(years, year: str) -> None:
    sub, single, _ = years[year]
    assert len(sub.项目) == {"miluo-hrss/2023": 4, "longhui-hrss/2024": 0, "example-county/2024": 1}[year]
    assert_round_trip(sub, single)


@pytest.mark.parametrize("year", YEARS)
def test_round_trip_all_annexes_in_one_file(years, year: str) -> None:
    sub, _, combined = years[year]
    assert_round_trip(sub, combined)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed (scripts/setup installs it)")
def test_round_trip_after_libreoffice_rewrote_the_files(years, tmp_path: Path) -> None:
    """docx → odt → docx through LibreOffice: its own table XML (merges, widths, runs), the same data."""
    for year in ("miluo-hrss/2023", "longhui-hrss/2024"):
        sub, single, _ = years[year]
        files = sorted({Path(f) for f, a in single if a.kind in (OVERALL, PROJECT)})
        files = via_odt_all(files, tmp_path / year)
        assert all(f.is_file() for f in files)
        assert_round_trip(sub, annexes_of(files), trimmed)


def test_precision_and_units_survive(years) -> None:
    """12.00 stays 12.00 and "1796.79万元" keeps its unit: the values are the printed text, not just equal numbers."""
    _sub, annexes, _ = years["longhui-hrss/2024"]
    (file, annex), = [(f, a) for f, a in annexes if a.kind == OVERALL]
    tree = read_overall(annex, file, Notes())
    assert tree["年度资金总额"]["年初预算数"] == "1796.79万元"
    assert tree["年度资金总额"]["执行率"] == "100%"
    assert str(tree["按收入性质分"]["其他资金"]) == "232.54"
    assert tree["按支出性质分"] == {"基本支出": "11444.41万元", "项目支出": Decimal("13.82")}  # printed 县级专项资金
    blank_after = [i for g in tree["绩效指标"] for s in g["二级指标"] for i in s["三级指标"] if i.get("其后空行")]
    assert [(i["名称"], i["其后空行"]) for i in blank_after] == [("职业技能培训", 1)]
    _sub, annexes, _ = years["miluo-hrss/2023"]
    (file, annex), = [(f, a) for f, a in annexes if a.kind == OVERALL]
    tree = read_overall(annex, file, Notes())
    assert str(tree["年度资金总额"]["全年预算数"]) == "3897.95" and tree["年度资金总额"]["执行率"] == "100.00%"


# --- clerk-style files: typed with python-docx, no vertical merges ---------------------------------

WIDTH = 9
FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


def clerk_amount(value: Decimal | None) -> str:
    """"3,897.95 万元": thousands separators and the unit, as clerks type amounts."""
    if value is None:
        return ""
    whole, _, fraction = format(value, "f").partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "") + " 万元"


def clerk_score(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f").translate(FULL)


def clerk_percent(value: Percent | None) -> str:
    return "" if value is None else value.text.replace("%", "％")


def write_cell(cell, text: str) -> None:
    """Text as a clerk types it: one paragraph per line, each line in two runs."""
    cell.text = ""
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(text.split("\n")):
        if i:
            paragraph = cell.add_paragraph()
        half = len(line) // 2
        for part in (line[:half], line[half:]):
            if part:
                paragraph.add_run(part)


def add_table(doc, rows: list[list[tuple[str, int]]]) -> None:
    """Rows of (text, grid columns); a row wider than the table gets extra cells (an uneven row)."""
    import copy

    from docx.table import _Cell

    table = doc.add_table(rows=0, cols=WIDTH)
    table.style = "Table Grid"
    for spec in rows:
        row = table.add_row()
        col = 0
        for text, span in spec:
            if col >= WIDTH:
                tc = copy.deepcopy(row.cells[-1]._tc)
                row._tr.append(tc)
                write_cell(_Cell(tc, table), text)
                continue
            cell = row.cells[col]
            if span > 1:
                cell = cell.merge(row.cells[col + span - 1])
            write_cell(cell, text)
            col += span


def indicator_rows(groups, odd: dict[int, list[tuple[str, int]]] | None = None) -> list[list[tuple[str, int]]]:
    """One row per 三级指标, the 一级/二级 labels only on their first row (continuation cells left empty)."""
    rows, n = [], 0
    for group in groups:
        first_group = True
        for sub in group.二级指标:
            first_sub = True
            for ind in sub.三级指标:
                row = [("", 1), (group.名称 if first_group else "", 1), ((sub.名称 or "") if first_sub else "", 1),
                       (ind.名称 or "", 1), (ind.年度指标值 or "", 1), (ind.实际完成值 or "", 1),
                       (clerk_score(ind.分值), 1), (clerk_score(ind.得分), 1), (ind.偏差原因分析及改进措施 or "", 1)]
                rows.append(row + (odd or {}).get(n, []))
                rows.extend([[("", 1)] * WIDTH for _ in range(ind.其后空行)])
                first_group = first_sub = False
                n += 1
    return rows


INDICATOR_HEADER = [("绩 效 指 标", 1), ("一 级 指 标", 1), ("二级指标", 1), ("三级指标", 1), ("年度\n指标值", 1),
                    ("实际完成值", 1), ("分 值", 1), ("得 分", 1), ("偏差原因分析\n及改进措施", 1)]
TEMPLATE_ROWS = [[("", 1), ("", 1), ("", 1), ("指标1", 1)] + [("", 1)] * 5,
                 [("", 1), ("", 1), ("……", 1), ("……", 1), ("……", 1)] + [("", 1)] * 4]


def total_row(total) -> list[tuple[str, int]]:
    return [("总  分", 6), (clerk_score(total.分值), 1), (clerk_score(total.得分), 1), ("", 1)]


def clerk_overall(t: SelfEvalTable, name: str, path: Path, odd=None, after_indicators=()) -> Path:
    f, src, nat, goals = t.年度资金总额, t.按收入性质分, t.按支出性质分, t.年度总体目标
    rows = [
        [("预 算 部 门 名 称", 2), (name, 7)],
        [("年度预算申请（万元）", 1), ("", 2), ("年初预算数", 1), ("全年\n预算数", 1), ("全年执行数", 1), ("分值", 1), ("执行率", 1), ("得分", 1)],
        [("", 1), ("年度资金总额：", 2), (clerk_amount(f.年初预算数), 1), (clerk_amount(f.全年预算数), 1), (clerk_amount(f.全年执行数), 1),
         (clerk_score(f.分值), 1), (clerk_percent(f.执行率), 1), (clerk_score(f.得分), 1)],
        [("", 1), ("按收入性质分：", 4), ("按支出性质分：", 4)],
        # label and figure in two cells on one side, "label：figure" in one cell on the other
        [("", 1), ("其中：一般公共预算", 2), (clerk_amount(src.一般公共预算), 2), (f"其中：基本支出：{clerk_amount(nat.基本支出)}", 4)],
        [("", 1), (f"政府性基金拨款：{clerk_amount(src.政府性基金拨款)}", 4), (f"项目支出：{clerk_amount(nat.项目支出)}", 4)],
        [("", 1), (f"纳入专户管理的非税收入拨款：{clerk_amount(src.纳入专户管理的非税收入拨款)}", 4), ("", 4)],
        [("", 1), (f"其他资金：{clerk_amount(src.其他资金)}", 4), ("", 4)],
        [("年度总体目标", 1), ("预 期 目 标", 4), ("实际完成情况", 4)],
        [("", 1), (goals.预期目标 or "", 4), (goals.实际完成情况 or "", 4)],
        INDICATOR_HEADER,
        *indicator_rows(t.绩效指标, odd),
        *after_indicators,
        total_row(t.总分),
    ]
    doc = Document()
    doc.add_paragraph("附件 2")
    for line in (t.标题 or "").split("\n"):
        doc.add_paragraph(line)
    add_table(doc, rows)
    for note in t.表注:
        doc.add_paragraph(note)
    doc.add_paragraph("填表人：何克  填报日期：2024年10月17日  联系电话：19330096678  单位负责人签字：易贵明")
    doc.save(str(path))
    return path


def loose(value: Any) -> Any:
    """`normal` without the unit: a clerk's "3,897.95 万元" reads as 3897.95万元 where the data wrote 3897.95."""
    if isinstance(value, tuple) and value and value[0] != "%":
        return value[0]
    if isinstance(value, dict):
        return {k: loose(v) for k, v in value.items()}
    if isinstance(value, list):
        return [loose(v) for v in value]
    return value


def only_annex(path: Path, kind: str) -> Annex:
    (annex,) = [a for a in split_annexes(read_docx(path)) if a.kind == kind]
    return annex


@pytest.mark.parametrize("year", YEARS)
def test_clerk_overall_table(years, year: str, tmp_path: Path) -> None:
    """No vertical merges, spaced labels, units and separators, blank, template and uneven rows: same data, located notes."""
    sub, _, _ = years[year]
    t = sub.整体自评.部门整体支出绩效自评表
    path = clerk_overall(t, sub.部门.部门名称, tmp_path / "clerk.docx", odd={1: [("见附件说明", 1)]}, after_indicators=TEMPLATE_ROWS)
    annex = only_annex(path, OVERALL)
    notes = Notes()
    tree = read_overall(annex, str(path), notes)
    assert loose(dump(SelfEvalTable.model_validate(tree))) == loose(dump(t))
    assert department_name(annex) == sub.部门.部门名称
    assert tree["年度资金总额"]["全年预算数"] == f"{format(t.年度资金总额.全年预算数, 'f')}万元"
    assert tree["年度资金总额"]["执行率"] == t.年度资金总额.执行率.text
    # where the rows are: header rows 1–11, then the indicators with their blank rows
    rows = indicator_rows(t.绩效指标)
    second = 12 + 1  # the second indicator row (1-based), before any blank row: no indicator has blank rows before it
    after = 11 + len(rows)
    assert [(n.code, n.severity, n.where.table, n.where.row, n.where.cell) for n in notes] == [
        ("unknown-cell", "error", 1, second, 10),
        ("template-row", "warning", 1, after + 1, 0),
        ("template-row", "warning", 1, after + 2, 0),
    ]
    assert "见附件说明" in notes[0].message and "指标1" in notes[1].message
    assert all(n.where.file == str(path) for n in notes)


def clerk_project(p: Project, path: Path, split: int | None = None) -> Path:
    """A 项目支出绩效自评表 typed by a clerk; with `split`, the table breaks into two after that many indicator rows."""
    funds = p.项目资金
    lines = [("年度资金总额", funds.年度资金总额), ("其中：当年财政拨款", funds.当年财政拨款),
             ("上年结转资金", funds.上年结转资金), ("其他资金", funds.其他资金)]
    head = [
        [("项 目 名 称", 2), (p.项目名称, 7)],
        # label and value side by side, the label with a full-width colon
        [("主管部门：", 2), (p.主管部门 or "", 3), ("实施单位", 1), (p.实施单位 or "", 3)],
        [("项目资金\n（万元）", 1), ("", 2), ("年初预算数", 1), ("全年预算数", 1), ("全年执行数", 1), ("分值", 1), ("执行率", 1), ("得分", 1)],
        *[[("", 1), (label, 2), (clerk_amount(line.年初预算数), 1), (clerk_amount(line.全年预算数), 1), (clerk_amount(line.全年执行数), 1),
           (clerk_score(line.分值), 1), (clerk_percent(line.执行率), 1), (clerk_score(line.得分), 1)] for label, line in lines],
        [("年度总体目标", 1), ("预期目标", 4), ("实际完成情况", 4)],
        [("", 1), (p.年度总体目标.预期目标 or "", 4), (p.年度总体目标.实际完成情况 or "", 4)],
        INDICATOR_HEADER,
    ]
    body = indicator_rows(p.绩效指标)
    doc = Document()
    for line in (p.标题 or "").split("\n"):
        doc.add_paragraph(line)
    doc.add_paragraph("单位：万元")
    if split is None:
        add_table(doc, head + body + [total_row(p.总分)])
    else:
        add_table(doc, head + body[:split])
        doc.add_paragraph("")
        add_table(doc, body[split:] + [total_row(p.总分)])  # the rest on the next page, without the header
    for note in p.表注:
        doc.add_paragraph(note)
    doc.add_paragraph("填 表 人：何克")
    doc.add_paragraph("单位负责人签字：")
    doc.save(str(path))
    return path


@pytest.mark.parametrize("split", [None, 3])
def test_clerk_project_tables(years, tmp_path: Path, split: int | None) -> None:
    sub, _, _ = years["miluo-hrss/2023"]
    for n, project in enumerate(sub.项目):
        path = clerk_project(project, tmp_path / f"p{n}.docx", split)
        notes = Notes()
        tree = read_project(only_annex(path, PROJECT), str(path), notes)
        expected = project.model_copy(update={"自评报告": None})
        assert loose(dump(Project.model_validate(tree))) == loose(dump(expected))
        assert tree["项目名称"] == project.项目名称 and tree["实施单位"] == project.实施单位
        assert tree["表注"] == project.表注  # the signature lines are not notes
        assert [(n.code, n.severity, n.where.paragraph) for n in notes] == [("skipped-paragraph", "warning", 2)]


def test_figures_that_are_not_figures(years, tmp_path: Path) -> None:
    """A score "五分", an amount in 元, a percent without %: each located, the others read; nothing else reported."""
    sub, _, _ = years["example-county/2024"]
    t = sub.整体自评.部门整体支出绩效自评表
    path = clerk_overall(t, sub.部门.部门名称, tmp_path / "odd.docx")
    doc = Document(str(path))
    table = doc.tables[0]
    write_cell(table.rows[11].cells[6], "五分")  # the first indicator's 分值
    write_cell(table.rows[2].cells[3], "5,000,000元")  # 年初预算数 in 元
    write_cell(table.rows[2].cells[7], "100")  # 执行率 without %
    doc.save(str(path))
    notes = Notes()
    tree = read_overall(only_annex(path, OVERALL), str(path), notes)
    assert [(n.code, n.severity, n.where.row, n.where.cell) for n in notes] == [
        ("wrong-unit", "error", 3, 4),
        ("percent-without-sign", "warning", 3, 8),
        ("not-a-figure", "error", 12, 7),
    ]
    assert "五分" in notes[2].message and "5,000,000元" in notes[0].message
    first = tree["绩效指标"][0]["二级指标"][0]["三级指标"][0]
    assert "分值" not in first and first["得分"] == t.绩效指标[0].二级指标[0].三级指标[0].得分
    assert "年初预算数" not in tree["年度资金总额"] and tree["年度资金总额"]["执行率"] == Decimal("100")
    SelfEvalTable.model_validate(tree)  # what was read is still valid data


def test_rows_and_tables_that_fit_nowhere(years, tmp_path: Path) -> None:
    sub, _, _ = years["example-county/2024"]
    t = sub.整体自评.部门整体支出绩效自评表
    stray = [[("", 1), ("另有说明：本表数据未经审计", 8)]]
    path = clerk_overall(t, sub.部门.部门名称, tmp_path / "stray.docx", after_indicators=[])
    doc = Document(str(path))
    doc.tables[0].rows[3].cells[1].text = "按资金来源分"  # an unknown heading over the 按收入性质分 rows
    doc.save(str(path))
    notes = Notes()
    tree = read_overall(only_annex(path, OVERALL), str(path), notes)
    assert [(n.code, n.where.row, n.where.cell) for n in notes] == [("unknown-cell", 4, 2)]
    assert "按资金来源分" in notes[0].message
    assert tree["按收入性质分"]["一般公共预算"] == "500万元"
    path = clerk_overall(t, sub.部门.部门名称, tmp_path / "stray2.docx", after_indicators=stray)
    notes = Notes()
    read_overall(only_annex(path, OVERALL), str(path), notes)
    assert [(n.code, n.severity) for n in notes] == [("unknown-row", "error")] and "未经审计" in notes[0].message
    annex = Annex("2", OVERALL, ["2024年度部门整体支出绩效自评表"], [])
    notes = Notes()
    assert read_overall(annex, "x.docx", notes) is None
    assert [(n.code, n.severity) for n in notes] == [("missing-table", "error")]


def small_overall(path: Path, indicators: list[list[tuple[str, int]]], before: list[str] = (), between: str | None = None) -> Annex:
    """A hand-typed 部门整体支出绩效自评表: a few rows, labels spelt as clerks do."""
    head = [
        [("预 算 单 位 名 称：", 2), ("某县某局 ", 7)],
        [("年度预算申请(万元)", 3), ("年初预算数", 1), ("全年预算数", 1), ("全年执行数", 1), ("分值", 1), ("执行率", 1), ("得分", 1)],
        [("年度资金总额", 3), ("１２．００", 1), ("12.00万元", 1), ("１２", 1), ("10", 1), ("100.00 %", 1), ("10", 1)],
        [("按收入性质分：其中：一般公共预算：12.00", 4), ("按支出性质分：县级专项资金：12", 5)],
        [("年度总体目标", 1), ("预期目标", 4), ("实际完成情况", 4)],
        [("", 1), (" 稳就业 ", 4), ("", 4)],
        INDICATOR_HEADER,
    ]
    doc = Document()
    doc.add_paragraph("部门整体支出绩效自评表")
    for text in before:
        doc.add_paragraph(text)
    if between is None:
        add_table(doc, head + indicators)
    else:
        add_table(doc, head + indicators[:1])
        doc.add_paragraph(between)
        add_table(doc, indicators[1:])
    doc.add_paragraph("注：本表金额单位为万元。")
    doc.save(str(path))
    return only_annex(path, OVERALL)


def ind(l1: str, l2: str, name: str, score: str = "5") -> list[tuple[str, int]]:
    return [("", 1), (l1, 1), (l2, 1), (name, 1), ("≥1", 1), ("1", 1), (score, 1), (score, 1), ("", 1)]


def names(tree: dict) -> list[tuple[str, list[tuple[str | None, list[str]]]]]:
    return [(g["名称"], [(s["名称"], [i["名称"] for i in s["三级指标"]]) for s in g["二级指标"]]) for g in tree["绩效指标"]]


def test_labels_repeated_on_every_row_are_one_group(tmp_path: Path) -> None:
    rows = [ind("产出指标", "数量指标", "甲"), ind("产出指标", "数量指标", "乙"), ind("产出指标", "质量指标", "丙"),
            ind("效益指标", "质量指标", "丁"), ind("", "", "戊"), [("", 1)] * 9, [("", 1)] * 9]
    annex = small_overall(tmp_path / "a.docx", rows)
    notes = Notes()
    tree = read_overall(annex, "a.docx", notes)
    assert list(notes) == []
    assert names(tree) == [("产出指标", [("数量指标", ["甲", "乙"]), ("质量指标", ["丙"])]),
                           ("效益指标", [("质量指标", ["丁", "戊"])])]
    assert tree["绩效指标"][1]["二级指标"][0]["三级指标"][1]["其后空行"] == 2
    assert department_name(annex) == "某县某局 "
    assert tree["年度资金总额"] == {"年初预算数": Decimal("12.00"), "全年预算数": "12.00万元", "全年执行数": Decimal("12"),
                                "分值": Decimal("10"), "执行率": "100.00%", "得分": Decimal("10")}
    assert str(tree["年度资金总额"]["年初预算数"]) == "12.00"
    assert tree["按收入性质分"] == {"一般公共预算": Decimal("12.00")} and tree["按支出性质分"] == {"项目支出": Decimal("12")}
    assert tree["年度总体目标"] == {"预期目标": " 稳就业 ", "实际完成情况": None}
    assert tree["表注"] == ["注：本表金额单位为万元。"] and "总分" not in tree
    SelfEvalTable.model_validate(tree)


def test_paragraphs_around_the_table(tmp_path: Path) -> None:
    rows = [[("", 1)] * 9, ind("产出指标", "数量指标", "甲"), ind("", "", "乙")]
    annex = small_overall(tmp_path / "b.docx", rows, before=["单位：万元", "本表由办公室填报"], between="续表")
    notes = Notes()
    tree = read_overall(annex, "b.docx", notes)
    assert names(tree) == [("产出指标", [("数量指标", ["甲", "乙"])])]  # the table continued after "续表"
    assert [(n.code, n.severity, n.where.paragraph, n.where.row) for n in notes] == [
        ("skipped-paragraph", "warning", 2, 0),
        ("unknown-paragraph", "error", 3, 0),
    ]
    assert "本表由办公室填报" in notes[1].message
