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

SEEDS = {
    "longhui-hrss/2024": LONGHUI,
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


def test_seed_findings_point_at_the_figure() -> None:
    """Each finding's line holds the value it is about (spot checks, one per file)."""
    root = REPO / "data" / "longhui-hrss" / "2024"
    by_code = {(f.code, f.message[:12]): f for f in check(root)}
    for f in by_code.values():
        text = (REPO / f.file).read_text(encoding="utf-8") if not Path(f.file).is_absolute() else Path(f.file).read_text(encoding="utf-8")
        line = text.splitlines()[f.line - 1]
        assert line.strip() and not line.lstrip().startswith("#"), f.text()
