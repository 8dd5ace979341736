"""Warnings: what a reviewer at the finance bureau would ask about (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..check import Context, rule
from ..derive import (
    CHECKLIST,
    every_fund_line,
    fund_lines,
)
from ..findings import Finding
from ..values import fmt

# --- what a reviewer asks about ---------------------------------------------------------

@rule(
    "budget-adjusted",
    "warning",
    "全年预算数比年初预算数调整的幅度超过表样的界限（审核.预算调整幅度，通常 30%）：评审会问调整原因",
    "全年预算数 3897.95 比年初预算数 1947 增加了 100.2%：预算年中调整幅度大，请在报告中说明原因",
)
def budget_adjusted(ctx: Context) -> Iterator[Finding]:
    for lp, line in fund_lines(ctx.sub):
        if not line.年初预算数 or line.全年预算数 is None:
            continue
        change = (line.全年预算数 - line.年初预算数) * 100 / line.年初预算数
        if abs(change) > ctx.profile.adjust_limit:
            verb = "增加" if change > 0 else "减少"
            yield ctx.finding(lp + ("全年预算数",), "budget-adjusted", f"全年预算数 {fmt(line.全年预算数)} 比年初预算数 {fmt(line.年初预算数)} {verb}了 {abs(change):.1f}%：预算年中调整幅度大，请在报告中说明原因")


@rule("low-execution", "warning", "预算执行率低于表样的下限（审核.执行率下限，通常 90%）", "执行率 85.00% 低于 90%：请在报告中说明原因")
def low_execution(ctx: Context) -> Iterator[Finding]:
    low = ctx.profile.low_rate
    for lp, line in fund_lines(ctx.sub):
        if line.执行率 is not None and line.执行率.value < low:
            yield ctx.finding(lp + ("执行率",), "low-execution", f"执行率 {line.执行率.text} 低于 {fmt(low)}%：请在报告中说明原因")


@rule(
    "over-execution",
    "warning",
    "全年执行数大于全年预算数（超预算支出），或执行率写作超过 100%：每一行资金都查，含“其中”各行",
    "执行率 104.17%：全年执行数 125 大于全年预算数 120，超预算支出 5 万元：请核对执行数，或在报告中说明超支的原因和资金来源",
)
def over_execution(ctx: Context) -> Iterator[Finding]:
    for path, line in every_fund_line(ctx.sub):
        spent, budget, rate = line.全年执行数, line.全年预算数, line.执行率
        if spent is not None and budget is not None and spent > budget:
            shown = f"执行率 {rate.text}：" if rate is not None else ""
            yield ctx.finding(
                path + ("全年执行数",) if rate is None or rate.value <= 100 else path + ("执行率",),
                "over-execution",
                f"{shown}{ctx.profile.label(path[-1])}全年执行数 {fmt(spent)} 大于全年预算数 {fmt(budget)}，超预算支出 {fmt(spent - budget)} 万元：请核对执行数，或在报告中说明超支的原因和资金来源",
            )
        elif rate is not None and rate.value > 100:
            yield ctx.finding(path + ("执行率",), "over-execution", f"执行率写作 {rate.text}，超过 100%：全年执行数不应大于全年预算数，请核对")


@rule("over-staffed", "warning", "实际在职人数超过编制数", "实际在职人数 131 超过编制数 115：超编 16 人，评审会问原因")
def over_staffed(ctx: Context) -> Iterator[Finding]:
    if ctx.sub.基础数据表 is None:
        return
    s = ctx.sub.基础数据表.财政供养人员情况
    if s.编制数 is not None and s.实际在职人数 is not None and s.实际在职人数 > s.编制数:
        yield ctx.finding(("基础数据表", "财政供养人员情况", "实际在职人数"), "over-staffed", f"实际在职人数 {s.实际在职人数} 超过编制数 {s.编制数}：超编 {s.实际在职人数 - s.编制数} 人，评审会问原因")


@rule(
    "surplus-full-execution",
    "warning",
    "自评基础数据表填了结余，而执行率为 100%",
    "填了结余 102.73 万元，但年度资金执行率为 100%：有结余时执行率不应为 100%，请核对",
)
def surplus_full_execution(ctx: Context) -> Iterator[Finding]:
    if ctx.checklist is None:
        return
    b = ctx.checklist.实施情况.预算执行
    rate = ctx.sub.整体自评.部门整体支出绩效自评表.年度资金总额.执行率
    if b.本年度是否有结余 and b.结余金额 and rate is not None and rate.value >= 100:
        yield ctx.finding(CHECKLIST + ("实施情况", "预算执行", "结余金额"), "surplus-full-execution", f"填了结余 {fmt(b.结余金额)} 万元，但年度资金执行率为 {rate.text}：有结余时执行率不应为 100%，请核对")


@rule(
    "checklist-conflict",
    "warning",
    "自评基础数据表的是/否勾选与表中数字相反（追加预算、超编、三公经费与公务用车费用是否下降）",
    "勾选“本年度是否追加了预算：否”，但全年预算数 11458.23 大于年初预算数 1796.79：请核对勾选",
)
def checklist_conflict(ctx: Context) -> Iterator[Finding]:
    if ctx.checklist is None:
        return
    c = ctx.checklist.实施情况
    line = ctx.sub.整体自评.部门整体支出绩效自评表.年度资金总额
    impl = CHECKLIST + ("实施情况",)

    def tick(answer: bool) -> str:
        return "是" if answer else "否"

    if c.预算执行.本年度是否追加了预算 is False and line.年初预算数 is not None and line.全年预算数 is not None and line.全年预算数 > line.年初预算数:
        yield ctx.finding(impl + ("预算执行", "本年度是否追加了预算"), "checklist-conflict", f"勾选“本年度是否追加了预算：否”，但全年预算数 {fmt(line.全年预算数)} 大于年初预算数 {fmt(line.年初预算数)}：请核对勾选")
    b = ctx.sub.基础数据表
    if b is None:
        return
    s = b.财政供养人员情况
    over = c.财政供养人员控制情况.是否存在超编超配人员
    if over is not None and s.编制数 is not None and s.实际在职人数 is not None and over != (s.实际在职人数 > s.编制数):
        yield ctx.finding(impl + ("财政供养人员控制情况", "是否存在超编超配人员"), "checklist-conflict", f"勾选“是否存在超编超配人员：{tick(over)}”，但实际在职人数 {s.实际在职人数}、编制数 {s.编制数}：请核对勾选", severity="error")
    fc = b.经费控制情况
    for key, row in (("三公经费是否比年度下降", fc.三公经费), ("公务用车购置运行费是否比上年度下降", fc.公务用车购置和维护经费)):
        answer = getattr(c.三公经费管理情况, key)
        if answer is None or row is None or row[0] is None or row[2] is None:
            continue
        if answer != (row[2] < row[0]):
            yield ctx.finding(impl + ("三公经费管理情况", key), "checklist-conflict", f"勾选“{key}：{tick(answer)}”，但本年决算数 {fmt(row[2])}、上年决算数 {fmt(row[0])}：请核对勾选")

