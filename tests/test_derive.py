"""Derived figures: computed when the author leaves them out, checked when written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from annexgen.check import check
from annexgen.derive import derive, score_value
from annexgen.profile import DEFAULT

grade = DEFAULT.grade
from annexgen.load import load
from helpers import year


def derived(root: Path):
    sub = load(root).submission
    assert sub is not None
    return derive(sub)


def test_totals_rates_scores_and_grade_are_computed(tmp_path: Path) -> None:
    root = year(
        tmp_path,
        基础数据表=("  三公经费: [3.50, 4, 2.87]\n", ""),
        整体自评=("    执行率: 100.00%\n    得分: 10\n", ""),
        就业服务=("{年初预算数: 50, 全年预算数: 50, 全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}", "{分值: 10}"),
    )
    root.joinpath("整体自评.yaml").write_text(
        root.joinpath("整体自评.yaml").read_text(encoding="utf-8").replace("  自评结论: 优\n", ""), encoding="utf-8"
    )
    sub = derived(root)
    assert sub.基础数据表.经费控制情况.三公经费 == [Decimal("3.50"), Decimal("4"), Decimal("2.87")]
    assert str(sub.基础数据表.经费控制情况.三公经费[0]) == "3.50"  # precision of the most precise part
    table = sub.整体自评.部门整体支出绩效自评表
    assert table.年度资金总额.执行率.text == "100.00%"
    assert table.年度资金总额.得分 == 10
    line = sub.项目[0].项目资金.年度资金总额
    assert (line.年初预算数, line.全年预算数, line.全年执行数) == (50, 50, Decimal("48.5"))
    assert line.执行率.text == "97.00%" and line.得分 == Decimal("9.7")
    assert sub.整体自评.自评基础数据表.自评结论 == "优"
    assert check(root) == []


def test_derived_values_stay_not_written(tmp_path: Path) -> None:
    sub = derived(year(tmp_path, 整体自评=("    执行率: 100.00%\n    得分: 10\n", "")))
    line = sub.整体自评.部门整体支出绩效自评表.年度资金总额
    assert line.得分 == 10 and not line.written("得分") and line.written("分值")


def test_blank_cell_is_not_computed(tmp_path: Path) -> None:
    sub = derived(year(tmp_path, 基础数据表=("三公经费: [3.50, 4, 2.87]", "三公经费: [~, ~, ~]")))
    assert sub.基础数据表.经费控制情况.三公经费 == [None, None, None]


def test_written_value_is_kept_and_checked(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表=("三公经费: [3.50, 4, 2.87]", "三公经费: [3.50, 4, 3.00]"))
    assert derived(root).基础数据表.经费控制情况.三公经费[2] == Decimal("3.00")
    # the written total disagrees with its parts, and with the checklist's 其中三公经费支出 2.87
    assert sorted(f.code for f in check(root)) == ["fact-conflict", "sum-mismatch"]


def test_score_value_and_grade_bands() -> None:
    assert score_value(Decimal(10), Decimal("100.00")) == 10
    assert score_value(Decimal(10), Decimal("112")) == 10
    assert score_value(Decimal(10), Decimal("95.33")) == Decimal("9.53")
    assert [grade(Decimal(s)) for s in ("100", "90", "89.9", "80", "79", "60", "59.5")] == ["优", "优", "良", "良", "中", "中", "差"]
