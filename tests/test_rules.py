"""Every consistency rule: the consistent fixture passes it, one changed figure fails it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annexgen.check import RULES, check
from helpers import year


def codes(findings):
    return {f.code for f in findings}


def test_consistent_year_has_no_findings(tmp_path: Path) -> None:
    assert check(year(tmp_path)) == []


# (rule code, file, old text, new text, expected severity, expected file, expected path, words in the message)
CASES = [
    ("sum-mismatch", "基础数据表", "三公经费: [3.50, 4, 2.87]", "三公经费: [3.50, 4, 2.97]", "error",
     "基础数据表.yaml", "基础数据表.经费控制情况.三公经费[2]", ["三公经费 2024年决算数写作 2.97", "之和为 2.87"]),
    ("sum-mismatch", "基础数据表", "金额: [40, 50, 48.5]", "金额: [40, 50, 47.5]", "error",
     "基础数据表.yaml", "基础数据表.经费控制情况.县级专项资金[2]", ["县级专项资金 2024年决算数写作 48.5", "之和为 47.5"]),
    ("sum-mismatch", "整体自评", "其他资金: 20", "其他资金: 25", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.年度资金总额.全年执行数", ["年度资金总额全年执行数写作 520", "之和为 525"]),
    ("sum-mismatch", "就业服务", "当年财政拨款: {年初预算数: 50,", "当年财政拨款: {年初预算数: 45,", "error",
     "项目/1-就业服务.yaml", "项目[0].项目资金.年度资金总额.年初预算数", ["年度资金总额年初预算数写作 50", "之和为 45"]),
    ("part-exceeds-total", "基础数据表", "办公经费: [10, 11, 10.5]", "办公经费: [10, 11, 60]", "error",
     "基础数据表.yaml", "基础数据表.经费控制情况.公用经费[2]", ["公用经费 2024年决算数为 61.3", "其中各行合计 84.8"]),
    ("part-exceeds-total", "基础数据表", "办公经费: [10, 11, 10.5]", "办公经费: [10, 11, 70]", "error",
     "基础数据表.yaml", "基础数据表.经费控制情况.办公经费[2]", ["办公经费 2024年决算数 为 70", "超过了它所属的公用经费"]),
    ("rate-mismatch", "基础数据表", "控制率: 95.00%", "控制率: 100%", "error",
     "基础数据表.yaml", "基础数据表.财政供养人员情况.控制率", ["控制率写作 100%", "19 / 编制数 20 = 95.00%"]),
    ("rate-mismatch", "就业服务", "执行率: 97.00%", "执行率: 100.00%", "error",
     "项目/1-就业服务.yaml", "项目[0].项目资金.年度资金总额.执行率", ["执行率写作 100.00%", "= 97.00%"]),
    ("rate-score", "整体自评", "    得分: 10\n  按收入", "    得分: 9\n  按收入", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.年度资金总额.得分", ["执行率得分写作 9", "分值 10 × 执行率 100.00% = 10"]),
    ("score-missing", "就业服务", "执行率: 97.00%, 得分: 9.7}", "执行率: 97.00%, 得分: ~}", "error",
     "项目/1-就业服务.yaml", "项目[0].项目资金.年度资金总额.得分", ["有分值 10，但得分空白", "= 9.7"]),
    ("score-missing", "就业服务", "分值: 50\n            得分: 50", "分值: 50\n            得分: ~", "error",
     "项目/1-就业服务.yaml", "项目[0].绩效指标[0].二级指标[0].三级指标[0].得分", ["指标“招聘会场次”有分值 50，但得分空白"]),
    ("weight-mismatch", "就业服务", "名称: 效益指标(40分)", "名称: 效益指标(30分)", "error",
     "项目/1-就业服务.yaml", "项目[0].绩效指标[1].名称", ["“效益指标(30分)”标明 30 分", "之和为 40"]),
    ("weight-total", "就业服务", "分值: 50\n            得分: 50", "分值: 55\n            得分: 50", "error",
     "项目/1-就业服务.yaml", "项目[0].绩效指标", ["分值合计应为 100，现为 105"]),
    ("total-row", "就业服务", "总分: {分值: 100, 得分: 98.7}", "总分: {分值: 100, 得分: 100}", "error",
     "项目/1-就业服务.yaml", "项目[0].总分.得分", ["总分行得分写作 100", "之和为 98.7"]),
    ("score-exceeds", "就业服务", "分值: 40\n            得分: 39", "分值: 40\n            得分: 41", "error",
     "项目/1-就业服务.yaml", "项目[0].绩效指标[1].二级指标[0].三级指标[0].得分", ["得分 41 大于分值 40"]),
    ("score-no-actual", "整体自评", "实际完成值: 4673人", "实际完成值: ~", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[0].实际完成值", ["得分 30，但实际完成值空白"]),
    ("deduction-no-reason", "就业服务", "偏差原因分析及改进措施: 宣传不足，下年加强。", "偏差原因分析及改进措施: 无", "error",
     "项目/1-就业服务.yaml", "项目[0].绩效指标[1].二级指标[0].三级指标[0].偏差原因分析及改进措施", ["扣了 1 分", "写“无”"]),
    ("deduction-target-met", "整体自评", "实际完成值: 92%\n              分值: 10\n              得分: 10", "实际完成值: 92%\n              分值: 10\n              得分: 8", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[2].二级指标[0].三级指标[0].得分", ["实际完成值 92% 已达到年度指标值 ≥90%", "只得 8 分"]),
    ("score-ratio", "整体自评", "实际完成值: 4673人", "实际完成值: 2000人", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[0].得分", ["未达目标 ≥4650人", "应得 12.90 分，现得 30 分"]),
    ("unit-mismatch", "整体自评", "实际完成值: 4673人", "实际完成值: 100%", "warning",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[0].实际完成值", ["年度指标值 ≥4650人，实际完成值却是 100%"]),
    # a date target: met (earlier is better) and scored below 分值; missed with full marks; compared with a number
    ("deduction-target-met", "整体自评", "实际完成值: 2024年全年\n              分值: 20\n              得分: 20", "实际完成值: 10月\n              分值: 20\n              得分: 15", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[1].得分", ["实际完成值 10月 已按时完成（年度指标值 2024年全年）", "只得 15 分"]),
    ("deadline-missed", "整体自评", "实际完成值: 2024年全年", "实际完成值: 2025年3月", "warning",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[1].得分", ["年度指标值 2024年全年，实际完成值 2025年3月，晚于期限", "满分 20 分"]),
    ("unit-mismatch", "整体自评", "实际完成值: 2024年全年", "实际完成值: 100%", "warning",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[1].实际完成值", ["年度指标值 2024年全年，实际完成值却是 100%", "请填写完成的时间"]),
    # a reverse (≤) indicator over its target, by the default 比例 rule: 30 × 4000 / 4673 = 25.68
    ("score-ratio", "整体自评", "年度指标值: ≥4650人", "年度指标值: ≤4000人", "error",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.绩效指标[0].二级指标[0].三级指标[0].得分", ["超出目标 ≤4000人", "按反向指标比例计分 分值 30 × 4000 / 4673 应得 25.68 分，现得 30 分"]),
    ("grade-mismatch", "整体自评", "自评结论: 优", "自评结论: 良", "error",
     "整体自评.yaml", "整体自评.自评基础数据表.自评结论", ["自评结论写作“良”，但总分 100 对应“优”"]),
    ("year-label", "基础数据表", "标题: 2024年度部门", "标题: 2023年度部门", "error",
     "基础数据表.yaml", "基础数据表.标题", ["写“2023年度”", "请改为“2024年度”"]),
    ("year-label", "基础数据表", "  实际在职人数: 2024", "  实际在职人数: 2023", "error",
     "基础数据表.yaml", "基础数据表.年度标签.实际在职人数", ["“2023年实际在职人数”的年份应为本年度 2024"]),
    ("year-label", "基础数据表", "经费控制情况: [2023, 2024, 2024]", "经费控制情况: [2022, 2023, 2023]", "error",
     "基础数据表.yaml", "基础数据表.年度标签.经费控制情况[0]", ["第 1 列表头“2022年决算数”应为“2023年决算数”"]),
    ("fact-conflict", "整体自评", "实际采购金额: 14", "实际采购金额: 16", "error",
     "整体自评.yaml", "整体自评.自评基础数据表.实施情况.政府采购及金额.实际采购金额", ["实际采购金额为 16", "政府采购金额 2024年决算数为 14"]),
    ("fact-conflict", "基础数据表", "金额: [40, 50, 48.5]", "金额: [40, 45, 48.5]", "error",
     "基础数据表.yaml", "基础数据表.经费控制情况.专项明细[0].金额[1]", ["专项“就业服务”2024年预算数为 45", "年初预算数为 50"]),
    ("narrative-conflict", "自评报告", "公务接待费1.37万元", "公务接待费1.88万元", "error",
     "自评报告.yaml", "自评报告.部门整体支出绩效自评报告.正文[1].二、“三公”经费情况[0]", ["报告中写“公务接待费1.88万元”", "为 1.37万元"]),
    ("narrative-conflict", "自评报告", "全年城镇新增就业4673人", "全年城镇新增就业4600人", "error",
     "自评报告.yaml", "自评报告.部门整体支出绩效自评报告.正文[2].三、其他需要说明的情况[0]", ["报告中写“城镇新增就业4600人”", "实际完成值为 4673人"]),
    ("budget-adjusted", "整体自评", "年初预算数: 500", "年初预算数: 300", "warning",
     "整体自评.yaml", "整体自评.部门整体支出绩效自评表.年度资金总额.全年预算数", ["比年初预算数 300 增加了 73.3%"]),
    ("low-execution", "就业服务", "全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}", "全年执行数: 40, 分值: 10, 执行率: 80.00%, 得分: 8}", "warning",
     "项目/1-就业服务.yaml", "项目[0].项目资金.年度资金总额.执行率", ["执行率 80.00% 低于 90%"]),
    ("over-execution", "就业服务", "全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}", "全年执行数: 52, 分值: 10, 执行率: 104.00%, 得分: 10}", "warning",
     "项目/1-就业服务.yaml", "项目[0].项目资金.年度资金总额.执行率", ["执行率 104.00%", "全年执行数 52 大于全年预算数 50", "超预算支出 2 万元"]),
    ("over-staffed", "基础数据表", "实际在职人数: 19\n  控制率: 95.00%", "实际在职人数: 21\n  控制率: 105.00%", "warning",
     "基础数据表.yaml", "基础数据表.财政供养人员情况.实际在职人数", ["实际在职人数 21 超过编制数 20"]),
    ("surplus-full-execution", "整体自评", "本年度是否有结余: false", "本年度是否有结余: true\n      结余金额: 3", "warning",
     "整体自评.yaml", "整体自评.自评基础数据表.实施情况.预算执行.结余金额", ["填了结余 3 万元", "执行率为 100.00%"]),
    ("checklist-conflict", "整体自评", "本年度是否追加了预算: true", "本年度是否追加了预算: false", "warning",
     "整体自评.yaml", "整体自评.自评基础数据表.实施情况.预算执行.本年度是否追加了预算", ["“本年度是否追加了预算：否”", "全年预算数 520 大于年初预算数 500"]),
    ("not-filled", "就业服务", "实际完成值: 30场\n            分值: 50\n            得分: 50", "实际完成值: ~\n            分值: 50\n            得分: ~", "warning",
     "项目/1-就业服务.yaml", "项目[0].绩效指标[0].二级指标[0].三级指标[0].实际完成值", ["尚未填写", "1 个指标的实际完成值、得分", "“招聘会场次”"]),
]


@pytest.mark.parametrize("code,stem,old,new,severity,file,path,words", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails_on_changed_figure(tmp_path: Path, code, stem, old, new, severity, file, path, words) -> None:
    findings = [f for f in check(year(tmp_path, **{stem: (old, new)})) if f.code == code]
    assert len(findings) >= 1, f"{code} not reported"
    f = next((f for f in findings if f.path == path), findings[0])
    assert f.path == path
    assert f.severity == severity
    assert f.file.endswith(file)
    line = (tmp_path / file).read_text(encoding="utf-8").splitlines()[f.line - 1]
    assert line.strip(), "finding points at an empty line"
    for w in words:
        assert w in f.message, f.message


#: rules whose failing case needs a form set with a profile key set, tested where that key is
ELSEWHERE = {"weight-profile": "test_profile.py", "target-deviation": "test_targets.py"}


def test_every_rule_has_a_failing_case() -> None:
    assert {r.code for r in RULES} == {c[0] for c in CASES} | set(ELSEWHERE)


def test_rule_codes_are_unique_and_documented() -> None:
    seen = [r.code for r in RULES]
    assert len(seen) == len(set(seen))
    for r in RULES:
        assert r.severity in ("error", "warning")
        assert r.meaning and r.example


def test_rules_table_is_current() -> None:
    from annexgen.check import rules_markdown

    committed = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "docs/rules.md is stale: regenerate it from annexgen.check.rules_markdown()"


def test_same_indicator_in_overall_and_project_tables(tmp_path: Path) -> None:
    from helpers import PROJECT

    changed = PROJECT.replace("名称: 招聘会场次\n            年度指标值: ≥20场\n            实际完成值: 30场", "名称: 城镇新增就业人数\n            年度指标值: ≥20人\n            实际完成值: 4600人")
    findings = [f for f in check(year(tmp_path, 就业服务=changed)) if f.code == "fact-conflict"]
    assert [f.message for f in findings] == ["指标“城镇新增就业人数”实际完成值为 4600人，但部门整体支出绩效自评表中同名指标为 4673人：同一个数应一致，请核对"]
    assert findings[0].path == "项目[0].绩效指标[0].二级指标[0].三级指标[0].实际完成值"


def test_same_indicator_in_two_projects_may_differ(tmp_path: Path) -> None:
    from helpers import PROJECT

    root = year(tmp_path)
    (root / "项目" / "2-另一项目.yaml").write_text(PROJECT.replace("项目名称: 就业服务", "项目名称: 另一项目").replace("实际完成值: 30场", "实际完成值: 25场"), encoding="utf-8")
    assert "fact-conflict" not in {f.code for f in check(root)}


def test_over_execution_is_found_when_the_rate_rounds_to_100(tmp_path: Path) -> None:
    """48.51 spent of 48.5: the rate rounds to 100.00% but the spending is still above the budget; parts are checked too."""
    line = "全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}"
    root = year(tmp_path / "d", 就业服务=(line, "全年执行数: 50.001, 分值: 10}"))
    found = [f for f in check(root) if f.code == "over-execution"]
    assert [(f.path, f.message) for f in found][:1] == [
        ("项目[0].项目资金.年度资金总额.全年执行数", "执行率 100.00%：年度资金总额全年执行数 50.001 大于全年预算数 50，超预算支出 0.001 万元：请核对执行数，或在报告中说明超支的原因和资金来源")
    ]


def test_score_missing_says_what_the_score_would_be(tmp_path: Path) -> None:
    """A 得分 written blank (~, as `annexgen new` leaves it) is reported, with the value the rules compute, or why there is none."""
    root = year(tmp_path / "d", 整体自评=("实际完成值: 4673人\n              分值: 30\n              得分: 30", "实际完成值: 4600人\n              分值: 30\n              得分: ~"))
    found = [f.message for f in check(root) if f.code == "score-missing"]
    assert found == ["指标“城镇新增就业人数”有分值 30，但得分空白：请填写得分（按实际完成值应得 29.68 分；得分一格不写时程序自动算出并印上）"]
    late = year(tmp_path / "e", 整体自评=("实际完成值: 2024年全年\n              分值: 20\n              得分: 20", "实际完成值: 2025年3月\n              分值: 20\n              得分: ~"))
    found = [f.message for f in check(late) if f.code == "score-missing"]
    assert found == ["指标“完成时间”有分值 20，但得分空白：请填写得分（实际完成 2025年3月 晚于 2024年全年：请按逾期情况评分，并写明偏差原因）"]
