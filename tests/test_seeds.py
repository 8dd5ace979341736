"""`annexgen check` on the two seeds finds their real mistakes, and nothing else.

Every expected finding below was verified by hand against the seed text; the
comment gives the seed's line numbers (`sed -n 'A,Bp' ../shared/seeds/FILE`)
and the arithmetic. The lists are exhaustive: a new finding on a seed is either
a newly detected real mistake (add it here, with its verification) or a false
alarm (fix the rule).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annexgen.check import check

REPO = Path(__file__).parent.parent

# (code, needle that must appear in the finding's YAML path or message)
LONGHUI = [
    # 003:67 prints "2023年实际在职人数" in a 2024 submission (columns 77–79 say 2023/2024/2024).
    ("year-label", "基础数据表.年度标签.实际在职人数"),
    # 003:171 "楼堂馆所控制情况 （2023年完工项目）" in a 2024 submission.
    ("year-label", "基础数据表.年度标签.楼堂馆所控制情况"),
    # 003:195 title "2023年度部门整体支出绩效自评基础数据表" of the 2024 附件4-1.
    ("year-label", "整体自评.自评基础数据表.标题"),
    # 003:72–73 编制数 115, 实际在职 131: 16 over 编制 (a reviewer asks; 4-1 003:248 ticks 超编 是).
    ("over-staffed", "实际在职人数 131 超过编制数 115"),
    # 003:72–74 控制率 printed 100%, but 131 / 115 = 113.91%.
    ("rate-mismatch", "131 / 编制数 115 = 113.91%"),
    # 003:111–114 基础数据表 "县级专项资金：" 0/0/0, but 4-2 003:372 "县级专项资金：13.82" (and 4-1 003:233 项目支出 13.82).
    ("fact-conflict", "基础数据表 项目支出 2024年决算数为 0，但 部门整体支出绩效自评表 项目支出为 13.82"),
    # 003:141–159 公用经费 503.86/409.47/620.23, its 其中 lines add up to more in every column:
    # 500.04+89.81+3.61 = 593.46 > 503.86; 409.47+64+15 = 488.47 > 409.47; 618.16+89.81+3.61 = 711.58 > 620.23.
    ("part-exceeds-total", "其中各行合计 593.46"),
    ("part-exceeds-total", "其中各行合计 488.47"),
    ("part-exceeds-total", "其中各行合计 711.58"),
    # 003:355–356 年初预算数 1796.79万元, 全年预算数 11458.23万元: budget multiplied by 6.4 during the year.
    ("budget-adjusted", "增加了 537.7%"),
    # 003:358–360 分值 10, 执行率 100%, 得分 9: the rule gives 10 × 100% = 10.
    ("rate-score", "执行率得分写作 9"),
    # 003:407–409 三支一扶合格人员数: target 15人, actual "100%".
    ("unit-mismatch", "年度指标值 15人，实际完成值却是 100%"),
    # 003:447–452 质量指标 90% → 90%, 分值 5 得分 4, 偏差原因 "无": points deducted although met, and no reason.
    ("deduction-target-met", "绩效指标[0].二级指标[1].三级指标[0]"),
    ("deduction-no-reason", "绩效指标[0].二级指标[1].三级指标[0]"),
    # 003:457–462 各项支出支付及时率 90% → 90%, 分值 5 得分 4, 偏差原因 blank.
    ("deduction-target-met", "绩效指标[0].二级指标[1].三级指标[1]"),
    ("deduction-no-reason", "绩效指标[0].二级指标[1].三级指标[1]"),
    # 003:618–623 群众满意度 90% → 90%, 分值 4 得分 3, 偏差原因 "无".
    ("deduction-target-met", "绩效指标[2].二级指标[0].三级指标[0]"),
    ("deduction-no-reason", "绩效指标[2].二级指标[0].三级指标[0]"),
    # 003:645–647 总分 得分 97; the printed scores add to 9 + 48 (产出) + 30 (效益) + 9 (满意度) = 96.
    ("total-row", "总分行得分写作 97"),
    # 003:266 实际采购金额 46.55 万元, but 基础数据表 003:161–164 政府采购金额 2024年决算数 56.31.
    ("fact-conflict", "实际采购金额为 46.55，但 基础数据表 政府采购金额 2024年决算数为 56.31"),
    # 003:270 "本年度是否追加了预算: 是□ 否☑" while 全年预算数 11458.23 > 年初预算数 1796.79 (003:355–356).
    ("checklist-conflict", "本年度是否追加了预算"),
    # 003:271 结余金额 102.73 万元 with 执行率 100% (003:359).
    ("surplus-full-execution", "填了结余 102.73 万元"),
    # 003:28 "全县建有就业帮扶车间142家，吸纳就业7812人" vs 4-2 003:538–540 吸纳就业人数 7786人 (same 142 workshops, 003:528–530).
    ("narrative-conflict", "吸纳就业7812人"),
    # 003:38 "人员经费10824.19万元" vs 4-2 003:477–479 人员经费支出 10824.18万元 (10824.18 + 620.23 = 11444.41, the 基本支出).
    ("narrative-conflict", "人员经费10824.19万元"),
    # 003:43 "2.公务接待费；1.88万元" for 2024, but 基础数据表 003:106–109 公务接待 2024年决算数 1.37 (1.88 is 2023's).
    ("narrative-conflict", "公务接待费；1.88万元"),
]

MILUO = [
    # 000:66–69 "3、县级专项资金" 275.4 / 154 / 154, but its rows 000:71–154 (one per 专项) add up to
    # 3634.69 / 314.59 / 1517.86 (the printed totals are the sums of the first seven rows only).
    ("sum-mismatch", "县级专项资金 2022年决算数写作 275.4，但其组成部分之和为 3634.69"),
    ("sum-mismatch", "县级专项资金 2023年预算数写作 154，但其组成部分之和为 314.59"),
    ("sum-mismatch", "县级专项资金 2023年决算数写作 154，但其组成部分之和为 1517.86"),
    # 000:233–234 附件2 年初预算数 1947, 全年预算数 3897.95: doubled during the year (a reviewer asks why).
    ("budget-adjusted", "全年预算数 3897.95 比年初预算数 1947 增加了 100.2%"),
    # 000:392–396 成本指标 "年初预算项目经费总额（含年中调整）" target 154万元, actual 625.05万元, full 5 points:
    # a cost four times its target scores 5 × 154 / 625.05 = 1.23 (warning: the target has no ≤ written).
    ("score-ratio", "年初预算项目经费总额（含年中调整）"),
    # 000:462–463 附件3-1 年初预算数 200, 全年预算数 100: halved during the year (a reviewer asks why).
    ("budget-adjusted", "全年预算数 100 比年初预算数 200 减少了 50.0%"),
    # 000:673, 682, 700 附件3-2 年度资金总额 年初预算数 30, but 当年财政拨款 30 + 其他资金 30 = 60.
    ("sum-mismatch", "年度资金总额年初预算数写作 30，但其组成部分之和为 60"),
    # 000:937–1138 附件3-3: every indicator scores points with its 实际完成值 cell blank (11 rows).
    ("score-no-actual", "“全市养老保险参保人员数量”"),
    ("score-no-actual", "“社保征缴参保人员是否合规”"),
    ("score-no-actual", "“2023年12月31日”"),
    ("score-no-actual", "“资金是否节约使用”"),
    ("score-no-actual", "“群众参保意识”"),
    ("score-no-actual", "“生态环境改善情况”"),
    ("score-no-actual", "“促进我市构建和谐稳定的劳动关系”"),
    ("score-no-actual", "“群众是否满意”"),
    ("score-no-actual", "“99万”"),
    ("score-no-actual", "“对社会发展可能造成的负面影响”"),
    ("score-no-actual", "“对生态环境造成的负面影响”"),
    # 000:1179–1185 附件3-4 分值 10, 执行率 100%, 得分 blank (the 10 and 100% are repeated on the next row instead).
    ("score-missing", "预算执行率有分值 10，但得分空白"),
    # 000:1264–1303 "效益指标(30分)" over rows of 10 + 10 + 10 + 5 = 35 points.
    ("weight-mismatch", "“效益指标(30分)”标明 30 分，但其下各指标分值之和为 35"),
    # so all weights add to 10 + 30 + 35 + 10 + 20 = 105, not 100 …
    ("weight-total", "分值合计应为 100，现为 105"),
    # … and 000:1346–1348 总分 prints 100 / 100 where the rows add to 105 points and 0 + 95 scored.
    ("total-row", "总分行分值写作 100"),
    ("total-row", "总分行得分写作 100，但预算执行率得分 空白 与各指标得分 95 之和为 95"),
]

SEEDS = {
    "longhui-hrss/2024": LONGHUI,
    "miluo-hrss/2023": MILUO,
}


@pytest.mark.parametrize("folder", sorted(SEEDS))
def test_seed_findings_are_exactly_its_mistakes(folder: str) -> None:
    findings = check(REPO / "data" / folder)
    expected = SEEDS[folder]
    unmatched = list(findings)
    missing = []
    for code, needle in expected:
        hits = [f for f in unmatched if f.code == code and (needle in f.path or needle in f.message)]
        if len(hits) != 1:
            missing.append((code, needle, len(hits)))
            continue
        unmatched.remove(hits[0])
    assert not missing, f"expected findings not reported exactly once: {missing}"
    assert not unmatched, "findings that are not verified seed mistakes:\n" + "\n".join(f.text() for f in unmatched)


@pytest.mark.parametrize("folder", sorted(SEEDS))
def test_seed_findings_point_at_a_written_line(folder: str) -> None:
    """Each finding's line is a line of data (not blank, not a comment) in its file."""
    for f in check(REPO / "data" / folder):
        line = Path(f.file).read_text(encoding="utf-8").splitlines()[f.line - 1]
        assert line.strip() and not line.lstrip().startswith("#"), f.text()


def test_example_is_clean() -> None:
    assert check(REPO / "data" / "example-county" / "2024") == []
