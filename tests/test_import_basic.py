"""Issue 10: the 基础数据表 and the 隆回 自评基础数据表 read back from Word files, ours and a clerk's."""

from __future__ import annotations

import copy
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from annexgen.build import build
from annexgen.check import review
from annexgen.importing.annexes import split_annexes
from annexgen.importing.basic import read_basic
from annexgen.importing.checklist import read_checklist, ticks
from annexgen.importing.grid import read_docx
from annexgen.importing.notes import Notes
from annexgen.load import load
from annexgen.model import BasicData, Checklist
from annexgen.values import unit_of
from clerkdocs import via_odt_all

REPO = Path(__file__).parent.parent
YEARS = ("miluo-hrss/2023", "longhui-hrss/2024", "example-county/2024")


def normal(value: Any) -> Any:
    """A dump compared with its Decimals as written (precision and unit), so 12.00 ≠ 12.0 ≠ 12."""
    if isinstance(value, Decimal):
        return ("Decimal", format(value, "f") + unit_of(value))
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


def dump(model: Any) -> Any:
    return normal(model.model_dump(by_alias=True))


def derived(year: str):
    loaded = load(REPO / "data" / year)
    review(loaded, ())
    return loaded.submission


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("built")
    return {year: build(REPO / "data" / year, out / year, combine=True).written for year in YEARS}


def annexes_of(path: Path, kind: str):
    return [a for a in split_annexes(read_docx(path)) if a.kind == kind]


# --- round trip: our own files ----------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("combined", [False, True])
def test_basic_round_trip(built, year: str, combined: bool) -> None:
    files = [f for f in built[year] if ("全部附件" in f.name) == combined]
    found = [(f, a) for f in files for a in annexes_of(f, "基础数据表")]
    assert len(found) == 1
    path, annex = found[0]
    notes = Notes()
    tree = read_basic(annex, path.name, notes)
    assert list(notes) == []
    assert list(tree) == [k for k in BasicData.model_fields if k in tree]  # model order
    assert dump(BasicData.model_validate(tree)) == dump(derived(year).基础数据表)


@pytest.mark.parametrize("combined", [False, True])
def test_checklist_round_trip(built, combined: bool) -> None:
    files = [f for f in built["longhui-hrss/2024"] if ("全部附件" in f.name) == combined]
    found = [(f, a) for f in files for a in annexes_of(f, "自评基础数据表")]
    assert len(found) == 1
    path, annex = found[0]
    notes = Notes()
    tree = read_checklist(annex, path.name, notes)
    assert list(notes) == []
    assert tree["实施情况"]["预算执行"]["公开方式"] == {"门户网站": True, "单位内部": True, "其它": False}
    assert dump(Checklist.model_validate(tree)) == dump(derived("longhui-hrss/2024").整体自评.自评基础数据表)


def test_precision_and_units_survive(built) -> None:
    path = next(f for f in built["miluo-hrss/2023"] if f.name.startswith("附件1 "))
    tree = read_basic(annexes_of(path, "基础数据表")[0], path.name, Notes())
    specials = {s["名称"]: s["金额"] for s in tree["经费控制情况"]["专项明细"]}
    assert [str(v) for v in specials["工伤保险监督认定"]] == ["36.78", "12.00", "26.02"]
    assert specials["死亡补助及抚恤金专项"][1] is None
    assert tree["财政供养人员情况"] == {"编制数": 139, "实际在职人数": 139, "控制率": "100%"}
    assert tree["年度标签"] == {"实际在职人数": 2023, "经费控制情况": [2022, 2023, 2023], "楼堂馆所控制情况": 2023}


# --- clerk-style files --------------------------------------------------------------------------

Row = list  # of str or (str, span); "\n" starts a new paragraph, "¦" a new run


def _fill(cell, text: str) -> None:
    paragraphs = text.split("\n")
    first = cell.paragraphs[0]
    for i, para in enumerate(paragraphs):
        p = first if i == 0 else cell.add_paragraph()
        for run in para.split("¦"):
            p.add_run(run)


def clerk_docx(path: Path, titles: list[str], width: int, rows: list[Row], below: list[str]) -> Path:
    """A table typed by hand: no vertical merges, horizontal merges where given, a row may end early."""
    doc = Document()
    for t in titles:
        doc.add_paragraph(t)
    table = doc.add_table(rows=len(rows), cols=width)
    for r, spec in enumerate(rows):
        cells = [(c, 1) if isinstance(c, str) else c for c in spec]
        row = table.rows[r]
        col = 0
        for text, span in cells:
            cell = row.cells[col]
            if span > 1:
                cell = cell.merge(row.cells[col + span - 1])
            _fill(cell, text)
            col += span
        tr = row._tr
        if col < width:  # an uneven row: drop the cells never typed, as Word does with w:gridAfter
            for tc in tr.findall(qn("w:tc"))[len(cells):]:
                tr.remove(tc)
            pr = tr.get_or_add_trPr()
            after = OxmlElement("w:gridAfter")
            after.set(qn("w:val"), str(width - col))
            pr.append(after)
    for text in below:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def figures(*values: str) -> list:
    return [(v, 2) for v in values]


def _miluo_clerk_rows() -> tuple[list[Row], dict[str, int]]:
    sub = derived("miluo-hrss/2023").基础数据表
    rows: list[Row] = [
        ["财政供养人员情况（人）", ("编制数", 2), ("2023年实际在职\n人数", 2), ("控制率", 2)],
        ["", ("139人", 2), ("１３９", 2), ("100% ", 2)],  # no vertical merge; a unit, full-width digits, a trailing space
        ["经 费 控 制 情 况（万元）", ("2022年¦决算数", 2), ("2023年预算数", 2), ("2023 年决算数", 2)],
        ["“三 公”经 费", *figures("6.66", "13.9 ", "3.06")],
        ["1．公务用车购置和维护经费", *figures("", "", "")],
        ["其中：公车购置", *figures("", "", "")],
        ["     公车运行维护", *figures("", "", "")],
        ["2、出国经费", *figures("", "", "")],
        ["3、公务接待", *figures("6.66", "13.9", "3.06")],
        ["项目支出：", *figures("", "", "")],
        ["1、业务工作经费", *figures("", "", "")],
        ["2、运行维护经费", *figures("", "", "")],
        ["（三）县级专项资金", *figures("275.4", "154", "154")],
    ]
    at: dict[str, int] = {}
    for i, s in enumerate(sub.经费控制情况.专项明细):
        amounts = ["" if v is None else format(v, "f") for v in s.金额]
        if s.名称 == "机关事业单位退休人员职业年金补偿":
            amounts[0] = "2,385.66万元"
        rows.append([s.名称, *figures(*amounts)])
        if i == 1:
            at["blank"] = len(rows)
            rows.append(["", *figures("", "", "")])
        if i == 3:
            at["template"] = len(rows)
            rows.append(["专项1", *figures("", "", "")])
            rows.append(["……", *figures("", "", "")])
    rows += [
        ["公用经费", "322.82", "", "239.87", "", "210", ""],  # figure cells not merged: the first of each pair holds it
        ["其中：¦办公经费", *figures("9.8", "10.08", "10.84")],
        ["   水费、电费、差旅费", "", "24.16", ("38.92", 2), ("10.59", 2)],  # here the second of the pair
        ["会议费、培训费", *figures("11.89", "13.9", "3.5")],
    ]
    at["unknown"] = len(rows)
    rows.append(["差旅费补贴", *figures("1", "2", "3")])
    at["not-figure"] = len(rows)
    rows.append(["政府采购金额", *figures("84.19", "见附表", "64.21")])
    rows.append(["部门基本支出预算调整", ("", 2)])  # a row that ends early
    rows += [
        ["楼堂馆所控制情况\n(2023年完工项目)", "批复规模 (㎡)", "实际规模(m²)", "规模控制率", "预算投资\n(万元)", "实际投资 (万元)", "投资概算控制率"],
        ["", "", "", "", "", "", ""],
        ["厉 行 节 约 保 障 措 施", (sub.厉行节约保障措施, 6)],
    ]
    return rows, at


def test_a_clerks_basic_data_table(tmp_path: Path) -> None:
    sub = derived("miluo-hrss/2023").基础数据表
    rows, at = _miluo_clerk_rows()
    path = clerk_docx(tmp_path / "clerk.docx", ["附件 1", "2023年度部门整体支出绩效评价基础数据表"], 7, rows,
                      ["", sub.表注[0], "填表人：何克 填报日期：2024年10月17日"])
    annex = annexes_of(path, "基础数据表")[0]
    notes = Notes()
    tree = read_basic(annex, "clerk.docx", notes)

    expected = sub.model_dump(by_alias=True)
    expected["标题"] = "2023年度部门整体支出绩效评价基础数据表"
    funds = expected["经费控制情况"]
    funds["政府采购金额"][1] = None  # not a figure: kept out
    pension = next(s for s in funds["专项明细"] if s["名称"] == "机关事业单位退休人员职业年金补偿")
    pension["金额"][0] = "2385.66万元"  # printed with its unit: reprinted so
    assert dump(BasicData.model_validate(tree)) == dump(BasicData.model_validate(expected))
    read = next(s for s in tree["经费控制情况"]["专项明细"] if s["名称"] == "机关事业单位退休人员职业年金补偿")
    assert read["金额"][0] == "2385.66万元"
    assert tree["经费控制情况"]["三公经费"] == [Decimal("6.66"), Decimal("13.9"), Decimal("3.06")]

    found = sorted((n.code, n.severity, n.where.table, n.where.row, n.where.cell) for n in notes)
    assert found == sorted([
        ("unknown-row", "error", 1, at["unknown"] + 1, 1),
        ("not-a-figure", "error", 1, at["not-figure"] + 1, 4),
        ("template-row", "warning", 1, at["template"] + 1, 1),
    ])
    message = next(n for n in notes if n.code == "not-a-figure").text()
    assert "见附表" in message and "clerk.docx:表1:" in message


def test_a_clerks_longhui_table_with_a_label_column_for_each_level(tmp_path: Path) -> None:
    """Section labels in one column, row labels in the next; 县级专项资金： is the 项目支出 total; named 专项 rows."""
    sub = derived("longhui-hrss/2024").基础数据表
    f = sub.经费控制情况

    def row(label: str, values: list) -> Row:
        return ["", label, *figures(*("" if v is None else format(v, "f") for v in values))]

    rows: list[Row] = [
        [("单 位 名 称", 2), ("隆回县人力资源和社会保障局", 6)],
        ["财政供养人员情况", "", ("编制数", 2), ("2023年实际在职人数", 2), ("控制率", 2)],
        ["", "", ("115", 2), ("131", 2), ("100%", 2)],
        ["经费控制情况（万元）", "", ("2023年决算数", 2), ("2024年预算数", 2), ("2024年决算数", 2)],
        row("三公经费：", f.三公经费), row("1、 公务用车购置和维护经费", f.公务用车购置和维护经费),
        row("其中：公车购置", f.公车购置), row("公车运行维护", f.公车运行维护), row("2、出国经费", f.出国经费),
        row("3、公务接待费", f.公务接待), row("县级专项资金：", f.项目支出), row("1、业务工作经费", f.业务工作经费),
        row("2、运行维护经费", f.运行维护经费), row("......", [None] * 3),
        row("3、县级专项资金（每个专项一行）", [Decimal("1"), Decimal("7"), Decimal("7.5")]),
        row("就业补助", [Decimal("1"), Decimal("2"), Decimal("3")]),
        row("人才引进", [None, Decimal("5"), Decimal("4.50")]),
        row("......", [None] * 3),
        row("公用经费", f.公用经费), row("其中：办公经费", f.办公经费), row("水费、电费、差旅费", f.水费电费差旅费),
        row("会议费、培训费", f.会议费培训费), row("政府采购金额", f.政府采购金额), row("部门基本支出预算调整", f.部门基本支出预算调整),
        [("楼堂馆所控制情况 （2023年完工项目）", 2), "批复规模（㎡）", "实际规模（㎡）", "规模控制率", "预算投资（万元）", "实际投资（万元）", "投资概算控制率"],
        [("", 2), "0", "0", "0", "0", "0", "0"],
        [("例行节约保障措施", 2), ("", 6)],
    ]
    path = clerk_docx(tmp_path / "longhui.docx", ["部门整体支出绩效评价基础数据表"], 8, rows, ["", sub.表注[0]])
    notes = Notes()
    tree = read_basic(annexes_of(path, "基础数据表")[0], "longhui.docx", notes)
    assert list(notes) == []
    expected = sub.model_dump(by_alias=True)
    expected["经费控制情况"]["县级专项资金"] = [Decimal("1"), Decimal("7"), Decimal("7.5")]
    expected["经费控制情况"]["专项明细"] = [
        {"名称": "就业补助", "金额": [Decimal("1"), Decimal("2"), Decimal("3")]},
        {"名称": "人才引进", "金额": [None, Decimal("5"), Decimal("4.50")]},
    ]
    assert dump(BasicData.model_validate(tree)) == normal(expected)


def test_missing_figure_columns_are_reported(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["财政供养人员情况", "编制数", "实际在职人数", "控制率"],
        ["", "10", "9", "90%"],
        ["经费控制情况", "2023年决算数", "2024年决算数", "备注"],
        ["公用经费", "1", "2", "3"],
    ]
    path = clerk_docx(tmp_path / "short.docx", ["部门整体支出绩效评价基础数据表"], 4, rows, [])
    notes = Notes()
    tree = read_basic(annexes_of(path, "基础数据表")[0], "short.docx", notes)
    assert tree["财政供养人员情况"] == {"编制数": 10, "实际在职人数": 9, "控制率": "90%"}
    assert "公用经费" not in tree["经费控制情况"]
    codes = [(n.code, n.where.row, n.where.cell) for n in notes]
    assert ("unknown-column", 3, 4) in codes and ("missing-column", 3, 1) in codes and ("unknown-row", 4, 1) in codes


# --- the checklist, typed by a clerk ------------------------------------------------------------


def _checklist_rows(c) -> tuple[list[Row], dict[str, int]]:
    b = c.基本情况
    rows: list[Row] = [
        ["基 本 情 况", "编制人数", ("１１５人", 2), "实有人数", ("131", 3)],
        ["", "部门职能概述", (b.部门职能概述 + "\n", 6)],
        ["", "年度收入(万元)", "县财政预算安排", "11,225.69", "非税收入", "待核实", "合计", "11458.23"],
        ["", "", "中央省市安排资金", "0", "其他收入", "232.54", "", ""],
        ["", "年度支出（万元）", "基本支出", "11444.41", "项目支出", "13.82", "合 计", "11458.23万元"],
        ["", "", "其中三公经费支出", "2.87", "", "", "", ""],
        ["实施情况", "财政供养人员控制情况", ("是否存在超编超配人员：是✓ 否☐", 6)],
        ["", "三公经费管理情况", ("是否制定“三公”经费管理办法：☑是 □否\n招待费用是否明确招待标准和招待人数：是√ 否□\n"
                                  "公务用车购置运行费是否比上年度下降: 是■ 否□\n三公经费是否比年度下降：是☑  否□", 6)],
        ["", "非税收入完成情况", ("年度非税收入是否完成: 是☑ 否□\n是否实行收支两条线管理：是☑ 否□\n有无截留、坐支、转移等现象: 有☐ 无✔", 6)],
        ["", "政府采购及金额", ("年度是否制定了政府采购计划：是 ☑  □否\n应采购金额 46.55 万元，实际采购金额¦46.55 万元", 6)],
        ["", "预算执行", ("本年度是否追加了预算:是□ 否☑,\n本年度是否有结余: 是☑ 否□，结余金额 102.73万元\n预决算信息是否公开: 是☑ 否□\n"
                          "公开时间：预算：2024 年 3 月  11日\n公开方式：门户网站☑ 单位内部☑ 其它□", 6)],
        ["", "预算绩效管理", ("\n".join(f"{q}：是☑ 否□" for q in ("部门预算和专项资金是否编制绩效目标", "是否开展绩效运行监控", "是否开展绩效评价",
                                                             "年度绩效目标和绩效评价报告是否信息公开", "上年度绩效评价反馈的问题是否整改到位", "绩效监控发现的问题是否及时纠正")), 6)],
        ["", "财务管理", ("会计机构或会计人员是否按规定设置: 是☑ 否□\n会计核算是否严格执行政府会计制度准则：是☑ 否□\n是否制定财务管理、会计核算等制度：是☑ 否□\n"
                          "内部控制报告编制是否规范：是☑ 否□\n会计人员是否具备从事会计工作所需要的专业能力：是☑ 否□", 6)],
        ["", "资金管理", ("是否制定资金管理办法: 是☑ 否□\n资金拨付有完整的审批程序: 有☑ 无□\n资金使用是否存在违规使用资金、乱发津补贴奖金现象：是□ 否☑", 6)],
    ]
    at = {"not-figure": 2, "unknown-question": len(rows), "both-ticked": len(rows) + 1}
    rows += [
        ["", "资产管理", ("是否制定资产管理制度: 是☑ 否□\n是否建立内控制度：是☑ 否□\n资产管理、保存、处置是否合理规范: 是☑ 否□\n"
                          "资产是否产权清晰、两证齐全：是☑ 否□\n账、表、实、卡是否相符: 是☑否□", 6)],
        ["", "职责履行", ("重点工作是否全部完成且质量达标: 是☑ 否☑", 6)],
        [("部门\n主要绩效", 2), (c.部门主要绩效, 6)],
        [("自 评 结 论", 2), ("优", 6)],
        [("问题与建议", 2), (c.问题与建议, 6)],
        [("主管部门意见", 2), ("", 6)],
    ]
    return rows, at


def test_a_clerks_checklist(tmp_path: Path) -> None:
    c = derived("longhui-hrss/2024").整体自评.自评基础数据表
    rows, at = _checklist_rows(c)
    path = clerk_docx(tmp_path / "checklist.docx", ["附件4-1", c.标题, "单位名称(盖章）:隆回县人力资源和社会保障局"], 8, rows,
                      ["", "主管部门（盖章）：", "", c.表注[0]])
    notes = Notes()
    tree = read_checklist(annexes_of(path, "自评基础数据表")[0], "checklist.docx", notes)

    expected = copy.deepcopy(c.model_dump(by_alias=True))
    expected["基本情况"]["年度收入"]["非税收入"] = None  # not a figure: kept out
    expected["基本情况"]["年度支出"]["合计"] = "11458.23万元"
    expected["实施情况"]["职责履行"]["重点工作是否全部完成且质量达标"] = None  # both ticked: kept out
    assert dump(Checklist.model_validate(tree)) == dump(Checklist.model_validate(expected))
    assert tree["基本情况"]["年度收入"]["县财政预算安排"] == Decimal("11225.69")  # thousands separator dropped, precision kept
    assert tree["基本情况"]["编制人数"] == 115 and tree["基本情况"]["部门职能概述"] == c.基本情况.部门职能概述

    found = sorted((n.code, n.severity, n.where.table, n.where.row, n.where.cell) for n in notes)
    assert found == sorted([
        ("not-a-figure", "error", 1, at["not-figure"] + 1, 6),
        ("unknown-question", "error", 1, at["unknown-question"] + 1, 3),
        ("both-ticked", "error", 1, at["both-ticked"] + 1, 3),
    ])
    assert any("是否建立内控制度" in n.message for n in notes)


@pytest.mark.parametrize(
    "answer,expected",
    [
        ("：是☑  否□", (True, False)),
        (": 是□ 否☑, ", (False, True)),
        ("：是 ☑    □否", (True, False)),
        ("☐是 ✔否", (False, True)),
        ("是√否□", (True, False)),
        ("有□     无■", (False, True)),
        ("是□ 否□", (False, False)),
        ("", (None, None)),
    ],
)
def test_ticks_go_with_the_word_beside_them(answer: str, expected: tuple) -> None:
    assert ticks(answer)[:2] == expected


def test_checklist_answers_typed_as_words_and_unknown_grade(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["", "资金管理", "是否制定资金管理办法：是\n资金拨付有完整的审批程序：是 否"],  # no 实施情况 label: found by the questions
        ["", "资产管理", "是否制定资产管理制度：☑"],
        [("自评结论", 2), "优秀"],
    ]
    path = clerk_docx(tmp_path / "words.docx", ["部门整体支出绩效自评基础数据表"], 3, rows, [])
    notes = Notes()
    tree = read_checklist(annexes_of(path, "自评基础数据表")[0], "words.docx", notes)
    assert tree["实施情况"] == {"资金管理": {"是否制定资金管理办法": True}}
    assert "自评结论" not in tree
    assert sorted((n.code, n.where.row, n.where.cell) for n in notes) == [("no-tick", 1, 3), ("no-tick", 2, 3), ("not-a-grade", 3, 3)]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by scripts/setup (required in CI)")
def test_files_rewritten_by_libreoffice_read_the_same(built, tmp_path: Path) -> None:
    """docx → odt → docx: LibreOffice rewrites the structure (styles, breaks); both readers give the same data."""
    combined = next(f for f in built["longhui-hrss/2024"] if "全部附件" in f.name)
    (back,) = via_odt_all([combined], tmp_path / "back")
    sub = derived("longhui-hrss/2024")
    notes = Notes()
    basic = read_basic(annexes_of(back, "基础数据表")[0], back.name, notes)
    checklist = read_checklist(annexes_of(back, "自评基础数据表")[0], back.name, notes)
    assert list(notes) == []
    assert dump(BasicData.model_validate(basic)) == dump(sub.基础数据表)
    assert dump(Checklist.model_validate(checklist)) == dump(sub.整体自评.自评基础数据表)


def test_a_header_without_its_row_of_figures_is_reported(tmp_path: Path) -> None:
    rows: list[Row] = [
        ["财政供养人员情况", "编制数", "实际在职人数", "控制率"],
        ["经费控制情况", "2023年决算数", "2024年预算数", "2024年决算数"],
        ["公用经费", "1", "2", "3.00"],
        ["楼堂馆所控制情况", "批复规模", "实际规模", "规模控制率"],
    ]
    path = clerk_docx(tmp_path / "nofigures.docx", ["部门整体支出绩效评价基础数据表"], 4, rows, [])
    notes = Notes()
    tree = read_basic(annexes_of(path, "基础数据表")[0], "nofigures.docx", notes)
    assert tree["经费控制情况"]["公用经费"] == [Decimal("1"), Decimal("2"), Decimal("3.00")]
    assert tree["财政供养人员情况"] == {}
    assert sorted((n.code, n.where.row) for n in notes) == [("missing-row", 2), ("missing-row", 4)]


def test_a_missing_value_cell_does_not_swallow_the_next_label(tmp_path: Path) -> None:
    rows: list[Row] = [["基本情况", "编制人数", "实有人数", "131"], [("自评结论", 2), ("良", 2)]]
    path = clerk_docx(tmp_path / "gap.docx", ["部门整体支出绩效自评基础数据表"], 4, rows, [])
    notes = Notes()
    tree = read_checklist(annexes_of(path, "自评基础数据表")[0], "gap.docx", notes)
    assert tree["基本情况"] == {"编制人数": None, "实有人数": 131} and tree["自评结论"] == "良"
    assert list(notes) == []
