"""`annexgen summary`: the bureau's workbook read back with openpyxl, CSV, determinism, bad input."""

from __future__ import annotations

import csv
import io
import os
import shutil
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from annexgen.check import check
from annexgen.cli import app
from annexgen.load import find_department_years
from annexgen.summary import display_width, group_label, unit_name
from helpers import year

DATA = Path(__file__).resolve().parent.parent / "data"
SEEDS = {"汨罗市/人社局": DATA / "miluo-hrss" / "2023", "隆回县/人社局": DATA / "longhui-hrss" / "2024", "贵池区/棠溪镇": DATA / "guichi-tangxi" / "2022"}

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def rows(ws) -> dict[str, dict[str, object]]:
    """A sheet's rows by their first cell, each as header → value."""
    values = list(ws.iter_rows(values_only=True))
    return {r[0]: dict(zip(values[0], r)) for r in values[1:]}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tree") / "各单位"
    for unit, seed in SEEDS.items():
        shutil.copytree(seed, root / unit / seed.name)
    return root


@pytest.fixture(scope="module")
def workbook(tree: Path, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("out") / "汇总.xlsx"
    r = invoke("summary", str(tree), "-o", str(out))
    assert r.exit_code == 0, r.output  # the seeds have errors: the workbook is written all the same
    return out, r.stdout


def test_seed_figures_and_counts_equal_check(tree: Path, workbook) -> None:
    out, stdout = workbook
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "项目", "问题"]
    got = rows(wb["汇总"])
    assert list(got) == [unit_name(tree, root, "") for root in find_department_years(tree)]  # one row per department-year, in tree order
    assert set(got) == set(SEEDS)
    miluo, longhui = got["汨罗市/人社局"], got["隆回县/人社局"]
    assert (miluo["部门名称"], miluo["年度"], miluo["表样"]) == ("汨罗市人力资源和社会保障局", 2023, "汨罗")
    assert Decimal(str(miluo["年初预算数"])) == Decimal("1947")
    assert Decimal(str(miluo["全年预算数"])) == Decimal("3897.95")
    assert Decimal(str(miluo["全年执行数"])) == Decimal("3897.95")
    assert miluo["执行率"] == 1 and miluo["执行率得分"] == 10
    assert Decimal(str(longhui["全年预算数"])) == Decimal("11458.23")
    assert longhui["执行率得分"] == 9 and longhui["总分"] == 97 and longhui["自评等级"] == "优"
    assert miluo["总分"] == 100 and miluo["自评等级"] == "优"
    errors = warnings = 0
    for unit, seed in SEEDS.items():
        findings = check(tree / unit / seed.name)
        e = sum(f.severity == "error" for f in findings)
        assert (got[unit]["错误数"], got[unit]["警告数"]) == (e, len(findings) - e), unit
        errors, warnings = errors + e, warnings + len(findings) - e
    projects = wb["项目"].max_row - 1
    assert stdout.strip() == f"汇总了 3 个年度（{projects} 个项目；{errors} 个错误，{warnings} 个警告），写入 {out}"


def test_group_scores_by_name_and_blank_without_overall_table(workbook) -> None:
    ws = openpyxl.load_workbook(workbook[0])["汇总"]
    got = rows(ws)
    header = next(ws.iter_rows(values_only=True))
    for name in ("产出指标", "效益指标", "满意度指标", "成本指标"):  # printed as "产出指标\n(30分)": one column per name
        assert header.count(name) == 1
    assert not any("分)" in str(h) or "\n" in str(h) for h in header)
    # the overall table's groups sum their indicators: 汨罗 产出 5+5+10+10, 隆回 产出 5×4+4+4+5+5×3
    assert got["汨罗市/人社局"]["产出指标"] == 30 and got["隆回县/人社局"]["产出指标"] == 48
    assert got["隆回县/人社局"]["成本指标"] is None  # 隆回 has no such group
    tangxi = got["贵池区/棠溪镇"]  # its overall table is not written
    assert all(tangxi[h] is None for h in ("年初预算数", "执行率", "产出指标", "总分", "自评等级"))
    assert tangxi["错误数"] > 0


def test_projects_sheet_one_row_per_project(tree: Path, workbook) -> None:
    ws = openpyxl.load_workbook(workbook[0])["项目"]
    values = list(ws.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    assert header[:5] == ("主管部门/单位", "年度", "项目名称", "主管部门", "实施单位")
    for unit, seed in SEEDS.items():
        names = [r[2] for r in body if r[0] == unit]
        assert len(names) == len(list((seed / "项目").glob("*.yaml"))), unit
    row = dict(zip(header, next(r for r in body if r[2] == "城乡居民养老保险征收及死亡认证奖励经费")))
    assert row["实施单位"] == "汨罗市社会保险服务中心" and row["主管部门"] == "汨罗市人力资源和社会保障局"
    assert Decimal(str(row["全年执行数"])) == Decimal("99") and row["执行率"] == 1 and row["自评等级"] == "优"


def test_problems_sheet_is_check(tree: Path, workbook) -> None:
    ws = openpyxl.load_workbook(workbook[0])["问题"]
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("主管部门/单位", "年度", "文件", "行", "列", "代码", "级别", "消息")
    for unit, seed in SEEDS.items():
        findings = check(tree / unit / seed.name)
        mine = [r for r in values[1:] if r[0] == unit]
        assert Counter((r[2], r[3], r[5], r[7]) for r in mine) == Counter((f.file, f.line, f.code, f.message) for f in findings)
        assert Counter(r[6] for r in mine) == Counter({"error": "错误", "warning": "警告"}[f.severity] for f in findings)


def test_layout_frozen_filtered_formatted_and_wide_enough(workbook) -> None:
    wb = openpyxl.load_workbook(workbook[0])
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(c.font.bold for c in ws[1])
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    second = ws[2]
    assert second[header.index("执行率")].number_format == "0.00%"
    assert second[header.index("全年预算数")].number_format == "0.00"
    assert second[header.index("总分")].number_format == "0.00"
    width = ws.column_dimensions["B"].width  # 部门名称: Chinese, 2 columns a character
    assert width >= max(display_width(str(r[1].value)) for r in ws.iter_rows(min_row=2))
    assert width >= 2 * len("汨罗市人力资源和社会保障局")


def test_same_tree_same_bytes(tree: Path, workbook, tmp_path: Path) -> None:
    again = tmp_path / "again.xlsx"
    assert invoke("summary", str(tree), "-o", str(again)).exit_code == 0
    assert again.read_bytes() == workbook[0].read_bytes()
    with zipfile.ZipFile(again) as z:
        core = z.read("docProps/core.xml").decode()
        assert z.namelist()[0] == "[Content_Types].xml" and all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified: fixed, not the time of the run


def test_several_units_and_the_tree_itself(tmp_path: Path) -> None:
    a = year(tmp_path / "树" / "人社局" / "机关" / "2024")
    year(tmp_path / "树" / "人社局" / "就业中心" / "2024")
    year(tmp_path / "树" / "教育局" / "2024")
    assert unit_name(tmp_path / "树", a, "x") == "人社局/机关"
    out = tmp_path / "x.xlsx"
    assert invoke("summary", str(tmp_path / "树"), "-o", str(out)).exit_code == 0
    got = rows(openpyxl.load_workbook(out)["汇总"])
    assert set(got) == {"人社局/机关", "人社局/就业中心", "教育局"}
    assert invoke("summary", str(a), "-o", str(out)).exit_code == 0  # the tree is one year folder: its 部门名称
    assert list(rows(openpyxl.load_workbook(out)["汇总"])) == ["测试县人力资源和社会保障局"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    root = year(tmp_path / "t" / "2024", 就业服务=("项目名称: 就业服务", "项目名称: \"=HYPERLINK(1)\""))
    out = tmp_path / "s.xlsx"
    assert invoke("summary", str(root), "-o", str(out)).exit_code == 0
    cell = openpyxl.load_workbook(out)["项目"]["C2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")
    assert invoke("summary", str(root), "--format", "csv", "-o", str(tmp_path / "c")).exit_code == 0
    text = (tmp_path / "c" / "项目.csv").read_text(encoding="utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][2] == "'=HYPERLINK(1)"


def test_csv_folder_and_single_file(tree: Path, tmp_path: Path) -> None:
    r = invoke("summary", str(tree), "--format", "csv", "-o", str(tmp_path / "csv"))
    assert r.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(["汇总.csv", "项目.csv", "问题.csv"])
    data = (tmp_path / "csv" / "汇总.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    miluo = next(r for r in table if r["主管部门/单位"] == "汨罗市/人社局")
    assert (miluo["全年预算数"], miluo["执行率"], miluo["年度"]) == ("3897.95", "1.0000", "2023")  # exact, as derived
    problems = list(csv.reader(io.StringIO((tmp_path / "csv" / "问题.csv").read_text(encoding="utf-8-sig"))))
    assert len(problems) - 1 == sum(int(r["错误数"]) + int(r["警告数"]) for r in table)
    one = tmp_path / "只汇总.csv"  # a .csv file: the 汇总 sheet alone; the format follows the name
    assert invoke("summary", str(tree), "-o", str(one)).exit_code == 0
    assert one.read_bytes() == data


@pytest.mark.parametrize(
    "args, code, says",
    [
        (["没有这个"], 2, "没有这个文件夹"),
        (["TREE", "-o", "汇总.txt"], 2, "应以 .xlsx 结尾"),
        (["TREE", "-o", "没有/汇总.xlsx"], 2, "不存在"),
        (["TREE", "--format", "pdf"], 2, "只能是 xlsx 或 csv"),
    ],
)
def test_bad_input_is_said_and_nothing_written(tree: Path, tmp_path: Path, monkeypatch, args, code, says) -> None:
    monkeypatch.chdir(tmp_path)
    r = invoke("summary", *[str(tree) if a == "TREE" else a for a in args])
    assert r.exit_code == code
    assert says in r.stderr and "[" in r.stderr and "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []


def test_replaces_the_old_file_and_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    root = year(tmp_path / "t" / "2024")
    out = tmp_path / "o" / "汇总.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"old")
    assert invoke("summary", str(root), "-o", str(out.parent)).exit_code == 0  # a folder: 汇总.xlsx in it
    assert out.read_bytes().startswith(b"PK") and [p.name for p in out.parent.iterdir()] == ["汇总.xlsx"]
    monkeypatch.chdir(tmp_path / "o")
    r = invoke("summary", str(root))  # the default: 汇总.xlsx here
    assert r.exit_code == 0 and r.stdout.strip().endswith("写入 汇总.xlsx") and len(r.stdout.splitlines()) == 1


def test_group_label() -> None:
    assert group_label("产出指标\n(30分)") == "产出指标"
    assert group_label("成本指标\n（20分）") == "成本指标"
    assert group_label("满意度指标（10.5分）") == "满意度指标"
    assert group_label("效益指标") == "效益指标"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_only_one_line_elsewhere(tmp_path: Path, monkeypatch) -> None:
    import sys

    from annexgen.commands.summary import run
    from annexgen.findings import SafeStream

    root = tmp_path / "各单位"
    year(root / "甲局" / "2024")
    year(root / "乙局" / "2024")
    for stderr in (Terminal(), io.StringIO()):
        monkeypatch.setattr(sys, "stderr", stderr)
        out = io.StringIO()
        assert run(root, tmp_path / "s.xlsx", None, SafeStream(out)) == 0
        assert out.getvalue().count("\n") == 1 and out.getvalue().startswith("汇总了 2 个年度")
        shown = stderr.getvalue()
        if isinstance(stderr, Terminal):
            assert "汇总" in shown and "2/2" in shown and "乙局" in shown
        else:
            assert shown == ""


CALC = Path("/usr/lib/libreoffice/program/libsclo.so")


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and CALC.exists()) and not os.environ.get("CI"),
    reason="LibreOffice Calc (libreoffice-calc-nogui) or poppler not installed (scripts/setup installs them; required in CI)",
)
def test_a_spreadsheet_application_opens_it(workbook, tmp_path: Path) -> None:
    import subprocess

    src = tmp_path / "s.xlsx"
    src.write_bytes(workbook[0].read_bytes())
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    assert "3897.95" in text and "11458.23" in text and "100.00%" in text  # numbers in their formats, as Calc shows them


def test_a_broken_year_is_a_row_with_its_errors_and_the_rest_go_on(tmp_path: Path, monkeypatch) -> None:
    import annexgen.check
    from annexgen.forms import FormSetError

    tree_ = tmp_path / "各单位"
    year(tree_ / "甲局" / "2024", 部门="部门名称: [\n")  # 部门.yaml unreadable
    year(tree_ / "乙局" / "2024")
    bad = year(tree_ / "丙局" / "2024")
    real = annexgen.check.review

    def review(loaded, trusted=()):
        if loaded.root == bad:
            raise FormSetError("表样坏了")
        return real(loaded, trusted)

    monkeypatch.setattr(annexgen.check, "review", review)
    out = tmp_path / "s.xlsx"
    assert invoke("summary", str(tree_), "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    got = rows(wb["汇总"])
    assert (got["甲局"]["年度"], got["甲局"]["部门名称"], got["甲局"]["错误数"]) == (2024, None, 1)
    assert got["丙局"]["错误数"] == 1 and got["乙局"]["错误数"] == 0 and got["乙局"]["总分"] == 100
    problems = [r for r in wb["问题"].iter_rows(values_only=True) if r[0] == "丙局"]
    assert [(r[5], r[7]) for r in problems] == [("form-set", "表样坏了")]
