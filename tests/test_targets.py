"""Indicator targets and actuals (targets.py): dates and deadlines, the expected score, a 得分
left out and computed, and the profile keys 反向指标 / 扣分需说明 / 指标偏离 in check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from annexgen.build import build
from annexgen.check import check
from annexgen.targets import assess, expected_score, quantity, when
from extract import extract_text
from helpers import edited_set, year

D = Decimal


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,first,last,by",
    [
        ("9月前", date(2023, 9, 1), date(2023, 9, 30), True),
        ("9月底前", date(2023, 9, 30), date(2023, 9, 30), True),
        ("9月份前完成", date(2023, 9, 1), date(2023, 9, 30), True),
        ("九月前", date(2023, 9, 1), date(2023, 9, 30), True),
        ("十二月底前", date(2023, 12, 31), date(2023, 12, 31), True),
        ("年底前", date(2023, 12, 31), date(2023, 12, 31), True),
        ("12月31日前", date(2023, 12, 31), date(2023, 12, 31), True),
        ("2023年12月31日前", date(2023, 12, 31), date(2023, 12, 31), True),
        ("6月30日前完成", date(2023, 6, 30), date(2023, 6, 30), True),
        ("6月30号之前", date(2023, 6, 30), date(2023, 6, 30), True),
        ("截至9月", date(2023, 9, 1), date(2023, 9, 30), True),
        ("不晚于2023年11月", date(2023, 11, 1), date(2023, 11, 30), True),
        ("2023年全年", date(2023, 1, 1), date(2023, 12, 31), False),
        ("2023年度", date(2023, 1, 1), date(2023, 12, 31), False),
        ("全年", date(2023, 1, 1), date(2023, 12, 31), False),
        ("年内完成", date(2023, 1, 1), date(2023, 12, 31), False),
        ("本年度内", date(2023, 1, 1), date(2023, 12, 31), False),
        ("7月", date(2023, 7, 1), date(2023, 7, 31), False),
        ("7月底", date(2023, 7, 31), date(2023, 7, 31), False),
        ("7月已完成", date(2023, 7, 1), date(2023, 7, 31), False),
        ("已于7月完成", date(2023, 7, 1), date(2023, 7, 31), False),
        ("9月中旬", date(2023, 9, 11), date(2023, 9, 20), False),
        ("2023年7月15日", date(2023, 7, 15), date(2023, 7, 15), False),
        ("2023/7/15", date(2023, 7, 15), date(2023, 7, 15), False),
        ("2023-07", date(2023, 7, 1), date(2023, 7, 31), False),
        ("年底", date(2023, 12, 31), date(2023, 12, 31), False),
        ("今年年底", date(2023, 12, 31), date(2023, 12, 31), False),
        ("2023年底", date(2023, 12, 31), date(2023, 12, 31), False),
        ("上半年", date(2023, 1, 1), date(2023, 6, 30), False),
        ("第三季度", date(2023, 7, 1), date(2023, 9, 30), False),
        ("2月", date(2023, 2, 1), date(2023, 2, 28), False),
        # full-width digits and spaces as an IME types them
        ("９月前", date(2023, 9, 1), date(2023, 9, 30), True),
        ("２０２３年１２月３１日前", date(2023, 12, 31), date(2023, 12, 31), True),
        (" 9 月 底 前 ", date(2023, 9, 30), date(2023, 9, 30), True),
        # across the year end
        ("2024年3月前", date(2024, 3, 1), date(2024, 3, 31), True),
        ("次年3月底前", date(2024, 3, 31), date(2024, 3, 31), True),
        ("2022年12月", date(2022, 12, 1), date(2022, 12, 31), False),
    ],
)
def test_dates_are_read(text: str, first, last, by) -> None:
    w = when(text, 2023)
    if first is None:
        assert w is None
        return
    assert w is not None, text
    assert (w.first, w.last, w.by) == (first, last, by)
    assert quantity(text) is None  # a date is never a number with a unit


@pytest.mark.parametrize("text", ["按期完成", "及时", "有所提升", "达成", "≥1500次", "100%", "12个月", "30日内", "3年", "2023", "二月三十日", "13月", "", None])
def test_not_dates(text) -> None:
    assert when(text, 2023) is None


def test_the_year_left_out_is_the_department_year() -> None:
    assert when("9月前", 2024).last == date(2024, 9, 30)
    assert when("2月", 2024).last == date(2024, 2, 29)
    assert when("全年", 2021).first == date(2021, 1, 1)


def test_quantities_still_read() -> None:
    q = quantity("≥４６５０人")
    assert (q.op, q.number, q.unit) == ("≥", D(4650), "人")
    q = quantity("95％")
    assert (q.op, q.number, q.unit) == (None, D(95), "%")
    assert quantity("≤100万元").unit == "万元"


@pytest.mark.parametrize(
    "target,actual,met",
    [
        ("9月前", "7月", True),
        ("9月前", "9月", True),
        ("9月前", "9月30日", True),
        ("9月前", "10月", False),
        ("9月前", "10月1日", False),
        ("9月底前", "2023年9月15日", True),
        ("年底前", "全年", True),
        ("9月前", "全年", False),
        ("12月31日前", "年底", True),
        ("2023年12月31日前", "2023年12月31日前", True),
        ("2023年全年", "2023年全年", True),
        ("全年", "12月", True),
        ("2024年3月前", "12月", True),  # cross-year target, actual in the department-year
        ("2024年3月前", "2024年2月", True),
        ("12月前", "2024年1月", False),  # completed in the next year
        ("11月前", "十月", True),
    ],
)
def test_deadlines_compare_as_dates(target: str, actual: str, met: bool) -> None:
    a = assess(target, actual, 2023, cost=False)
    assert a is not None and a.dated
    assert a.met is met
    assert a.expected(D(5), "比例") == (D(5) if met else None)  # a missed deadline is not computed


def test_a_date_and_a_number_are_not_comparable() -> None:
    assert assess("9月前", "100%", 2023, cost=False) is None
    assert assess("≥95%", "7月", 2023, cost=False) is None
    assert assess("有所提升", "有所提升", 2023, cost=False) is None


# --- expected_score -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target,actual,score",
    [("100", "100", "10"), ("100", "120", "10"), ("100", "80", "8.00"), ("100", "0", "0.00"), ("3", "2", "6.67"), ("0", "-1", None)],
)
def test_expected_score_positive(target, actual, score) -> None:
    expected = expected_score(D(10), D(target), D(actual), True, "比例")
    assert expected == (D(score) if score else None)
    if score:
        assert str(expected) == score  # two places when computed, 分值 as written when met


@pytest.mark.parametrize(
    "actual,ratio,linear",
    [
        ("80", "10", "10"),  # below target: full marks either way
        ("100", "10", "10"),  # at target
        ("125", "8.00", "7.50"),  # between: 10 × 100/125; 10 × (1 − 25/100)
        ("150", "6.67", "5.00"),
        ("199", "5.03", "0.10"),
        ("200", "5.00", "0.00"),  # twice the target: 0 by the linear rule
        ("300", "3.33", "0.00"),  # beyond: never below 0
    ],
)
def test_expected_score_reverse_both_rules(actual, ratio, linear) -> None:
    assert expected_score(D(10), D(100), D(actual), False, "比例") == D(ratio)
    assert expected_score(D(10), D(100), D(actual), False, "线性") == D(linear)


def test_expected_score_reverse_zero_target() -> None:
    assert expected_score(D(10), D(0), D(5), False, "比例") == D(0)
    assert expected_score(D(10), D(0), D(5), False, "线性") == D(0)
    assert expected_score(D(10), D(0), D(0), False, "线性") == D(10)


def test_cost_indicator_without_direction_is_reverse() -> None:
    a = assess("154万元", "625.05万元", 2023, cost=True)
    assert not a.higher and not a.explicit and not a.met
    assert a.expected(D(5), "比例") == D("1.23")
    assert a.expected(D(5), "线性") == D("0.00")
    assert assess("154万元", "625.05万元", 2023, cost=False).met


# --- check: dates ------------------------------------------------------------------------------


DATE_ROW = "年度指标值: 2024年全年\n              实际完成值: 2024年全年"


def codes(findings, code: str) -> list[str]:
    return [f.message for f in findings if f.code == code]


@pytest.mark.parametrize("target,actual", [("9月前", "7月"), ("11月前", "10月"), ("年底前", "2024年12月"), ("2024年12月31日前", "12月31日前"), ("2025年3月前", "2024年12月")])
def test_met_deadlines_raise_nothing(tmp_path: Path, target: str, actual: str) -> None:
    root = year(tmp_path, 整体自评=(DATE_ROW, f"年度指标值: {target}\n              实际完成值: {actual}"))
    assert check(root) == []


def test_missed_deadline_with_points_deducted_is_not_a_finding(tmp_path: Path) -> None:
    row = "年度指标值: 9月前\n              实际完成值: 10月\n              分值: 20\n              得分: 15\n              偏差原因分析及改进措施: 验收推迟一个月。"
    root = year(tmp_path, 整体自评=(DATE_ROW + "\n              分值: 20\n              得分: 20\n              偏差原因分析及改进措施: ~", row))
    found = check(root)
    assert "deadline-missed" not in {f.code for f in found}
    assert codes(found, "total-row") == ["总分行得分写作 100，但预算执行率得分 10 与各指标得分 85 之和为 95：请改为 95"]


def test_jinzhai_deadlines_are_not_unit_mismatches() -> None:
    """The 金寨 submission (data/jinzhai-meili) has 9月前 → 7月 and 11月前 → 10月: both met."""
    data = Path(__file__).parent.parent / "data" / "jinzhai-meili" / "2023"
    if not data.exists():
        pytest.skip("the 金寨 example is not in this tree")
    found = {f.code for f in check(data)}
    assert not found & {"unit-mismatch", "deadline-missed", "deduction-target-met"}


# --- derive: a 得分 left out ---------------------------------------------------------------------

FIRST = "年度指标值: ≥4650人\n              实际完成值: 4673人\n              分值: 30\n              得分: 30\n              偏差原因分析及改进措施: ~\n"


def first(target: str = "≥4650人", actual: str = "4673人", score: str | None = None, reason: str = "~") -> tuple[str, str]:
    """The change to the fixture's first indicator (城镇新增就业人数, 分值 30): its 得分 left out unless given."""
    pad = "\n              "
    scored = f"{pad}得分: {score}" if score is not None else ""
    return FIRST, f"年度指标值: {target}{pad}实际完成值: {actual}{pad}分值: 30{scored}{pad}偏差原因分析及改进措施: {reason}\n"


def test_score_left_out_is_computed_and_totalled(tmp_path: Path) -> None:
    """30 × 4000 / 4650 = 25.81; the 总分 (left out too) adds the computed score; no score-missing."""
    root = year(tmp_path / "d", 整体自评=first(actual="4000人"))
    text = (root / "整体自评.yaml").read_text(encoding="utf-8").replace("  总分:\n    分值: 100\n    得分: 100\n", "")
    (root / "整体自评.yaml").write_text(text.replace("  自评结论: 优\n", ""), encoding="utf-8")
    found = check(root)
    assert "score-missing" not in {f.code for f in found}
    assert codes(found, "deduction-no-reason") == ["指标“城镇新增就业人数”扣了 4.19 分（分值 30，得分 25.81），但偏差原因分析及改进措施空白：请写明扣分原因和改进措施"]
    result = build(root, tmp_path / "out")
    overall = next(p for p in result.written if "部门整体支出绩效自评表" in p.name)
    printed = extract_text(overall)
    assert "\t4000人\n\t30\n\t25.81\n" in printed  # printed like a written score
    assert "\t95.81\n" in printed  # the 总分 row: 10 + 25.81 + 20 + 30 + 10


@pytest.mark.parametrize(
    "actual,score",
    [("4673人", "30"), ("3487.5人", "22.5"), ("4650人", "30")],
)
def test_computed_score_drops_trailing_zeros(tmp_path: Path, actual: str, score: str) -> None:
    root = year(tmp_path, 整体自评=first(actual=actual, reason="差一些。"))
    found = codes(check(root), "total-row")
    assert found == ([] if score == "30" else [f"总分行得分写作 100，但预算执行率得分 10 与各指标得分 {D(60) + D(score)} 之和为 {D(70) + D(score)}：请改为 {D(70) + D(score)}"])


def test_reverse_score_left_out_follows_the_profile(tmp_path: Path) -> None:
    """≤4000人 with 4673: 比例 30 × 4000/4673 = 25.68; 线性 30 × (1 − 673/4000) = 24.95."""
    root = year(tmp_path / "d", 整体自评=first(target="≤4000人", reason="超出。"))
    assert codes(check(root), "total-row") == ["总分行得分写作 100，但预算执行率得分 10 与各指标得分 85.68 之和为 95.68：请改为 95.68"]
    sets = edited_set(tmp_path, "汨罗", "  反向指标: 比例", "  反向指标: 线性")
    assert codes(check(root, [sets]), "total-row") == ["总分行得分写作 100，但预算执行率得分 10 与各指标得分 84.95 之和为 94.95：请改为 94.95"]


@pytest.mark.parametrize(
    "target,actual",
    [("有所提升", "有所提升"), ("9月前", "10月"), ("≥4650人", "100%")],
    ids=["qualitative", "missed-deadline", "units-differ"],
)
def test_score_that_cannot_be_computed_is_reported_missing(tmp_path: Path, target: str, actual: str) -> None:
    root = year(tmp_path, 整体自评=first(target=target, actual=actual))
    late = f"（实际完成 {actual} 晚于 {target}：请按逾期情况评分，并写明偏差原因）" if target == "9月前" else ""
    assert codes(check(root), "score-missing") == [f"指标“城镇新增就业人数”有分值 30，但得分空白：请填写得分{late}"]


def test_score_written_blank_stays_blank(tmp_path: Path) -> None:
    """得分: ~ is written (a blank cell on the form): reported, not computed."""
    root = year(tmp_path, 整体自评=first(score="~"))
    found = check(root)
    assert codes(found, "score-missing") == ["指标“城镇新增就业人数”有分值 30，但得分空白：请填写得分（按实际完成值应得 30 分；得分一格不写时程序自动算出并印上）"]
    assert codes(found, "total-row") == ["总分行得分写作 100，但预算执行率得分 10 与各指标得分 60 之和为 70：请改为 70"]


def test_date_score_left_out_is_computed(tmp_path: Path) -> None:
    root = year(tmp_path, 整体自评=("实际完成值: 2024年全年\n              分值: 20\n              得分: 20\n", "实际完成值: 11月\n              分值: 20\n"))
    assert check(root) == []


# --- the profile: 反向指标, 扣分需说明, 指标偏离 ----------------------------------------------------


def test_reverse_rule_of_the_profile_changes_score_ratio(tmp_path: Path) -> None:
    """≤4000人, actual 4673人, 25.5 points written: 比例 allows 25.68 (no finding); 线性 24.95 (finding)."""
    root = year(tmp_path / "d", 整体自评=first(target="≤4000人", score="25.5", reason="超出。"))
    assert codes(check(root), "score-ratio") == []
    sets = edited_set(tmp_path, "汨罗", "  反向指标: 比例", "  反向指标: 线性")
    assert codes(check(root, [sets]), "score-ratio") == [
        "指标“城镇新增就业人数”实际 4673人 超出目标 ≤4000人，按反向指标线性计分（实际达目标两倍时为 0）分值 30 × (1 − (4673 − 4000) / 4000) 应得 24.95 分，现得 25.5 分：请核对得分"
    ]


def test_seed_cost_indicator_by_the_linear_rule(tmp_path: Path) -> None:
    """The 汨罗 seed's 成本 indicator 154万元 → 625.05万元 is beyond twice its target: 0 by the linear rule."""
    seed = Path(__file__).parent.parent / "data" / "miluo-hrss" / "2023"
    sets = edited_set(tmp_path, "汨罗", "  反向指标: 比例", "  反向指标: 线性")
    found = codes(check(seed, [sets]), "score-ratio")
    assert len(found) == 1 and "按反向指标线性计分" in found[0] and "应得 0.00 分，现得 5 分" in found[0]
    assert "按反向指标比例计分 分值 5 × 154 / 625.05 应得 1.23 分" in codes(check(seed), "score-ratio")[0]


def test_deduction_allowed_without_reason(tmp_path: Path) -> None:
    """审核.扣分需说明: 1 → a 1-point deduction needs no reason, a 2-point one does."""
    one = year(tmp_path / "one", 就业服务=("偏差原因分析及改进措施: 宣传不足，下年加强。", "偏差原因分析及改进措施: ~"))
    assert len(codes(check(one), "deduction-no-reason")) == 1  # default 0: every deduction
    sets = edited_set(tmp_path, "汨罗", "  扣分需说明: 0", "  扣分需说明: 1")
    assert codes(check(one, [sets]), "deduction-no-reason") == []
    two = year(tmp_path / "two", 就业服务=("得分: 39\n            偏差原因分析及改进措施: 宣传不足，下年加强。", "得分: 38\n            偏差原因分析及改进措施: ~"))
    assert codes(check(two, [sets]), "deduction-no-reason") == [
        "指标“服务满意度”扣了 2 分（分值 40，得分 38），超过表样允许不说明的 1 分，但偏差原因分析及改进措施空白：请写明扣分原因和改进措施"
    ]


def test_target_deviation(tmp_path: Path) -> None:
    """审核.指标偏离: 30 → 6100人 against ≥4650人 (31.2% over) is asked about; 6000人 (29.0%) is not; unset, never."""
    over = year(tmp_path / "over", 整体自评=("实际完成值: 4673人", "实际完成值: 6100人"))
    assert codes(check(over), "target-deviation") == []  # not declared: off
    sets = edited_set(tmp_path, "汨罗", "  扣分需说明: 0\n", "  扣分需说明: 0\n  指标偏离: 30\n")
    assert codes(check(over, [sets]), "target-deviation") == [
        "指标“城镇新增就业人数”实际完成值 6100人 超出年度指标值 ≥4650人 31.2%，超过 30%：目标是否定得过低？请在偏差原因分析及改进措施中说明",
        "指标“招聘会场次”实际完成值 30场 超出年度指标值 ≥20场 50%，超过 30%：目标是否定得过低？请在偏差原因分析及改进措施中说明",  # the project's, as in the fixture
    ]
    f = next(f for f in check(over, [sets]) if f.code == "target-deviation")
    assert f.path == "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[0].实际完成值" and f.severity == "warning"
    near = year(tmp_path / "near", 整体自评=("实际完成值: 4673人", "实际完成值: 6000人"))
    assert [m for m in codes(check(near, [sets]), "target-deviation") if "城镇新增就业人数" in m] == []
    explained = year(tmp_path / "explained", 整体自评=("实际完成值: 4673人\n              分值: 30\n              得分: 30\n              偏差原因分析及改进措施: ~", "实际完成值: 6100人\n              分值: 30\n              得分: 30\n              偏差原因分析及改进措施: 新建园区吸纳就业。"))
    assert [m for m in codes(check(explained, [sets]), "target-deviation") if "城镇新增就业人数" in m] == []
