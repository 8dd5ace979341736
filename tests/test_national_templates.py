"""The 全国 form set's two templates (scripts/formsets/national.py): the tables they render.

附件1 部门整体支出绩效自评表 and 附件2-N 项目支出绩效自评表 of 财预〔2020〕10号, as Anhui and
Hebei publish them: nine grid columns, the fund block merged down its label column, the
label 当年财政拨款 printed as the form set's profile names it (标签), "—" where the form
scores only the total, no signature line unless 部门.yaml has 签字. Each built file passes
openxml-audit (conftest.py audits every build; the templates are audited here) and
LibreOffice converts it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from annexgen.build import build
from annexgen.forms import BUILTIN, MANIFEST, find_form_set
from annexgen.validity import audit

REPO = Path(__file__).parent.parent
EXAMPLE = REPO / "data" / "example-county" / "2024"
PROJECT_TEMPLATE = "附件2-项目支出绩效自评表.docx"
OVERALL_TEMPLATE = "附件1-部门整体支出绩效自评表.docx"
INDICATOR_HEADER = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分", "偏差原因\n分析及\n改进措施"]
AMOUNTS = ["年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分"]


def national_copy(tmp_path: Path, label: str) -> Path:
    """The built-in 全国 set copied into a --forms folder, its profile printing 当年财政拨款 as `label`."""
    folder = tmp_path / "forms" / "全国"
    shutil.copytree(BUILTIN / "全国", folder)
    manifest = yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["标签"] = {**(manifest.get("标签") or {}), "当年财政拨款": label}
    (folder / MANIFEST).write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder.parent


def department_year(tmp_path: Path, project: bool = True, overall: bool = True, signature: bool = False) -> Path:
    """A 全国 department-year: the example county's project and/or overall table, titles left to the form set."""
    root = tmp_path / "data" / "测试县人社局" / "2024"
    root.mkdir(parents=True)
    dept = "部门名称: 测试县人力资源和社会保障局\n年度: 2024\n表样: 全国\n"
    if signature:
        dept += "签字:\n  填表人: 张三\n  填报日期: 2025-03-01\n  联系电话: \"07391234567\"\n  单位负责人: 李四\n"
    (root / "部门.yaml").write_text(dept, encoding="utf-8")
    untitled = re.compile(r"^\s*标题:.*\n", re.M)  # the default title of the 全国 manifest is printed instead
    if project:
        (root / "项目").mkdir()
        text = (EXAMPLE / "项目" / "1-就业服务.yaml").read_text(encoding="utf-8")
        (root / "项目" / "1-就业服务.yaml").write_text(untitled.sub("", text), encoding="utf-8")
    if overall:
        text = (EXAMPLE / "整体自评.yaml").read_text(encoding="utf-8")
        (root / "整体自评.yaml").write_text(untitled.sub("", text), encoding="utf-8")
    return root


def built(tmp_path: Path, label: str = "本级财政拨款", **parts) -> dict[str, Path]:
    """Build a 全国 department-year with a set printing `label`; annex number → .docx."""
    forms = national_copy(tmp_path, label)
    result = build(department_year(tmp_path, **parts), tmp_path / "out", trusted=[forms])
    assert not result.stopped, [f.text() for f in result.findings if f.severity == "error"]
    assert result.form_set is not None and result.form_set.name == "全国"
    return {p.name.split(" ")[0]: p for p in result.written}


def texts(row) -> list[str]:
    """The texts of a row's grid cells (a cell spanning columns once)."""
    out, last = [], None
    for cell in row.cells:
        if cell._tc is not last:
            out.append(cell.text)
        last = cell._tc
    return out


def row_of(table, first: str):
    """The first row whose first distinct cells include `first`."""
    return next(r for r in table.rows if first in texts(r))


def grid_widths(table) -> list[int]:
    return [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]


def same_cell(table, rows: range, col: int) -> bool:
    """Whether grid column `col` is one merged cell over `rows`."""
    top = table.cell(rows[0], col)._tc
    return all(table.cell(r, col)._tc is top for r in rows)


def row_index(table, first: str) -> int:
    return next(i for i, r in enumerate(table.rows) if first in texts(r))


# --- the templates --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [OVERALL_TEMPLATE, PROJECT_TEMPLATE])
def test_templates_have_nine_columns_on_the_text_width_and_pass_openxml_audit(name: str) -> None:
    template = BUILTIN / "全国" / name
    assert audit(template) == []
    doc = Document(str(template))
    assert len(doc.tables) == 1
    widths = grid_widths(doc.tables[0])
    assert len(widths) == 9
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, portrait
    text_width = section.page_width - section.left_margin - section.right_margin
    assert abs(sum(widths) * 635 - text_width) <= Mm(0.1)  # twips → EMU: the table fills the text block


def test_manifest_names_the_two_templates() -> None:
    form_set = find_form_set("全国")
    assert {a.模板: a.内容 for a in form_set.annexes} == {OVERALL_TEMPLATE: "部门整体支出绩效自评表", PROJECT_TEMPLATE: "项目支出绩效自评表"}


# --- the project table -------------------------------------------------------------------------


def test_project_table_layout_of_the_national_form(tmp_path: Path) -> None:
    files = built(tmp_path, project=True, overall=False)
    assert list(files) == ["附件2-1"]
    doc = Document(str(files["附件2-1"]))
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    assert paragraphs[:3] == ["附件2-1", "项目支出绩效自评表", "（2024年度）"]
    (table,) = doc.tables
    assert len(grid_widths(table)) == 9
    assert texts(table.rows[0]) == ["项目名称", "就业服务"]
    assert texts(table.rows[1]) == ["主管部门", "测试县人力资源和社会保障局", "实施单位", "测试县就业服务中心"]
    assert texts(table.rows[2]) == ["项目资金（万元）", "", *AMOUNTS]
    assert texts(table.rows[3]) == ["项目资金（万元）", "年度资金总额", "50", "50", "48.5", "10", "97.00%", "9.7"]
    assert texts(row_of(table, "绩效指标")) == INDICATOR_HEADER
    total = texts(table.rows[-1])
    assert total[0] == "总分" and total[1:3] == ["100", "98.7"]


def test_project_fund_rows_print_the_profile_label_and_dashes(tmp_path: Path) -> None:
    doc = Document(str(built(tmp_path, label="本年财政拨款", overall=False)["附件2-1"]))
    (table,) = doc.tables
    rows = [texts(table.rows[i]) for i in range(4, 7)]
    assert [r[1] for r in rows] == ["其中：本年财政拨款", "上年结转资金", "其他资金"]
    assert rows[0][2:5] == ["50", "50", "48.5"]
    for r in rows:
        assert (r[5], r[7]) == ("—", "—"), r  # 分值 and 得分: only the total is scored
    assert "当年财政拨款" not in "".join(c.text for row in table.rows for c in row.cells)


def test_builtin_profile_label_is_what_the_table_prints(tmp_path: Path) -> None:
    """Whatever the built-in manifest says of 当年财政拨款 is what the built table prints."""
    form_set = find_form_set("全国")
    result = build(department_year(tmp_path, overall=False), tmp_path / "out")
    assert not result.stopped, [f.text() for f in result.findings if f.severity == "error"]
    (table,) = Document(str(result.written[0])).tables
    assert texts(table.rows[4])[1] == "其中：" + form_set.profile.label("当年财政拨款")


def test_project_table_merges_the_label_columns(tmp_path: Path) -> None:
    (table,) = Document(str(built(tmp_path, overall=False)["附件2-1"])).tables
    fund = row_index(table, "项目资金（万元）")
    assert same_cell(table, range(fund, fund + 5), 0)  # header + 年度资金总额 + three parts
    assert not same_cell(table, range(fund - 1, fund + 1), 0)
    goals = row_index(table, "年度总体目标")
    assert same_cell(table, range(goals, goals + 2), 0)
    header = row_index(table, "一级指标")
    last = len(table.rows) - 2  # the row above 总分
    assert same_cell(table, range(header, last + 1), 0)  # 绩效指标 spans the whole indicator block
    assert not same_cell(table, range(last, last + 2), 0)  # but not 总分
    # the example has one 三级指标 per group: 产出指标(50分) and 效益指标(40分) each a cell of their own
    assert [texts(table.rows[r])[1] for r in range(header + 1, last + 1)] == ["产出指标(50分)", "效益指标(40分)"]


def test_grouped_indicator_cells_merge_over_their_rows(tmp_path: Path) -> None:
    """金寨 2023 (data/jinzhai-meili): 产出指标 over its eight rows, 数量指标 over four, 质量指标 over two."""
    result = build(REPO / "data" / "jinzhai-meili" / "2023", tmp_path)
    assert not result.stopped and [p.name.split(" ")[0] for p in result.written] == ["附件1"]
    (table,) = Document(str(result.written[0])).tables
    header = row_index(table, "一级指标")
    rows = [texts(table.rows[r]) for r in range(header + 1, len(table.rows) - 1)]
    assert [r[2] for r in rows[:8]] == ["数量指标"] * 4 + ["质量指标"] * 2 + ["时效指标"] * 2
    assert same_cell(table, range(header + 1, header + 9), 1)  # 产出指标
    assert same_cell(table, range(header + 1, header + 5), 2) and not same_cell(table, range(header + 4, header + 6), 2)
    assert same_cell(table, range(header + 5, header + 7), 2)


def test_signature_line_only_when_the_department_has_one(tmp_path: Path) -> None:
    without = Document(str(built(tmp_path / "a", overall=False)["附件2-1"]))
    assert not any("填表人" in p.text for p in without.paragraphs)
    signed = Document(str(built(tmp_path / "b", overall=False, signature=True)["附件2-1"]))
    assert any(p.text.startswith("填表人：张三") and "单位负责人签字：李四" in p.text for p in signed.paragraphs)


# --- the overall table ---------------------------------------------------------------------------


def test_overall_table_layout(tmp_path: Path) -> None:
    files = built(tmp_path, project=False, overall=True)
    assert list(files) == ["附件1"]
    doc = Document(str(files["附件1"]))
    assert [p.text for p in doc.paragraphs if p.text][:3] == ["附件1", "部门整体支出绩效自评表", "（2024年度）"]
    (table,) = doc.tables
    assert len(grid_widths(table)) == 9
    assert texts(table.rows[0]) == ["部门", "测试县人力资源和社会保障局"]
    assert texts(table.rows[1]) == ["预算资金（万元）", "", *AMOUNTS]
    assert texts(table.rows[2])[1:5] == ["年度资金总额", "500", "520", "520"]
    assert texts(table.rows[2])[5:] == ["10", "100.00%", "10"]  # 执行率 and 得分 derived
    # the three rows under 年度资金总额, as the Anhui form prints them: blank amounts here, "—" for 分值 and 得分
    assert [texts(table.rows[r])[1] for r in (3, 4, 5)] == ["其中：本级财政拨款", "上年结转资金", "其他资金"]  # the label `built` gives
    assert texts(table.rows[3])[2:] == ["", "", "", "—", "", "—"]
    assert same_cell(table, range(1, 6), 0)
    assert texts(table.rows[6]) == ["年度总体目标", "预期目标", "实际完成情况"]
    assert texts(row_of(table, "绩效指标")) == INDICATOR_HEADER
    everything = "".join(c.text for row in table.rows for c in row.cells)
    assert "按收入性质分" not in everything and "一般公共预算" not in everything  # the national form has no such block
    assert texts(table.rows[-1])[0] == "总分"


def test_both_annexes_from_one_department_year(tmp_path: Path) -> None:
    assert sorted(built(tmp_path)) == ["附件1", "附件2-1"]


# --- LibreOffice ------------------------------------------------------------------------------


LIBREOFFICE = bool(shutil.which("soffice") and shutil.which("pdfinfo"))


@pytest.mark.skipif(not LIBREOFFICE and not os.environ.get("CI"), reason="LibreOffice is installed by scripts/setup (required in CI)")
def test_libreoffice_converts_both_annexes(tmp_path: Path) -> None:
    files = built(tmp_path, signature=True)
    out = tmp_path / "pdf"
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, files.values())]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    for docx in files.values():
        pdf = out / (docx.stem + ".pdf")
        assert pdf.is_file(), docx.name
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        assert 1 <= int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1]) <= 2, docx.name
