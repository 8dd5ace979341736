"""Rules on scoring: the 执行率 score, weights, the 总分 row, indicator scores, grade."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..check import Context, rule
from ..derive import (
    CHECKLIST,
    fund_line_path,
    fund_lines,
    indicators,
    plain,
    score_tables,
    score_value,
    scored_indicators,
)
from ..findings import Finding
from ..model import resolve
from ..values import fmt, interval, overlaps, rounded
from ..targets import excess_percent, expected_score, same_unit, score_formula
from .common import assessment, group_weight, indicator_name, is_blank, quantity, unfilled_line, unfilled_result, when


@rule(
    "rate-score",
    "error",
    "预算执行率得分 ≠ 分值 × min(执行率, 100%)",
    "执行率得分写作 9，但 分值 10 × 执行率 100% = 10：请改为 10",
)
def rate_score(ctx: Context) -> Iterator[Finding]:
    for lp, line in fund_lines(ctx.sub):
        if line.分值 is None or line.执行率 is None or line.得分 is None:
            continue
        cap = ctx.profile.rate_cap
        rate_lo, rate_hi = interval(line.执行率.value)
        lo = line.分值 * min(rate_lo, cap) / 100
        hi = line.分值 * min(rate_hi, cap) / 100
        if not overlaps(interval(line.得分), (lo, hi)):
            expected = score_value(line.分值, line.执行率.value, cap)
            capped = f"（执行率超过 {fmt(cap)}% 按 {fmt(cap)}% 计分）" if line.执行率.value > cap else ""
            yield ctx.finding(
                lp + ("得分",),
                "rate-score",
                f"执行率得分写作 {fmt(line.得分)}，但 分值 {fmt(line.分值)} × 执行率 {line.执行率.text} = {fmt(expected)}{capped}：请改为 {fmt(expected)}",
            )


@rule(
    "score-missing",
    "error",
    "有分值、没有得分：得分栏空白",
    "预算执行率有分值 10，但得分空白：请填写得分（分值 × 执行率 = 10）",
)
def score_missing(ctx: Context) -> Iterator[Finding]:
    for lp, line in fund_lines(ctx.sub):
        if line.分值 is not None and line.得分 is None and not unfilled_line(line):  # nothing to score yet: not-filled says so
            hint = f"（分值 × 执行率 = {fmt(score_value(line.分值, line.执行率.value, ctx.profile.rate_cap))}）" if line.执行率 is not None else ""
            yield ctx.finding(lp + ("得分",), "score-missing", f"预算执行率有分值 {fmt(line.分值)}，但得分空白：请填写得分{hint}")
    for path, group, ind in scored_indicators(ctx.sub):
        if ind.分值 is not None and ind.得分 is None and not unfilled_result(ind.实际完成值):
            a = assessment(ctx, path, group, ind)
            expected = a.expected(ind.分值, ctx.profile.reverse) if a is not None else None
            if expected is not None:
                hint = f"（按实际完成值应得 {fmt(plain(expected))} 分；得分一格不写时程序自动算出并印上）"
            elif a is not None and a.dated and not a.met:
                hint = f"（实际完成 {ind.实际完成值.strip()} 晚于 {ind.年度指标值.strip()}：请按逾期情况评分，并写明偏差原因）"
            else:
                hint = ""
            yield ctx.finding(path + ("得分",), "score-missing", f"指标“{indicator_name(ind)}”有分值 {fmt(ind.分值)}，但得分空白：请填写得分{hint}")


@rule(
    "weight-mismatch",
    "error",
    "一级指标格中印的分值（如“产出指标(30分)”）≠ 该组各三级指标分值之和",
    "一级指标“效益指标(30分)”标明 30 分，但其下各指标分值之和为 35：请核对各指标分值或标明的分值",
)
def weight_mismatch(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        for g, group in enumerate(table.绩效指标):
            weight = group_weight(group)
            weights = [ind.分值 for s in group.二级指标 for ind in s.三级指标 if ind.分值 is not None]
            if weight is None or not weights:
                continue
            total = sum(weights, Decimal(0))
            if total != weight:
                name = group.名称.replace("\n", "")
                yield ctx.finding(prefix + ("绩效指标", g, "名称"), "weight-mismatch", f"一级指标“{name}”标明 {fmt(weight)} 分，但其下各指标分值之和为 {fmt(total)}：请核对各指标分值或标明的分值")


@rule(
    "weight-total",
    "error",
    "预算执行率分值与全部指标分值之和 ≠ 100",
    "分值合计应为 100，现为 105（预算执行率 10 + 各指标 95）：请调整分值",
)
def weight_total(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        line = resolve(ctx.sub, fund_line_path(prefix))
        weights = [ind.分值 for _, _, ind in indicators(table.绩效指标)]
        if line.分值 is None or not weights or None in weights:
            continue
        rest = sum(weights, Decimal(0))
        total = line.分值 + rest
        if total != 100:
            yield ctx.finding(prefix + ("绩效指标",), "weight-total", f"分值合计应为 100，现为 {fmt(total)}（预算执行率 {fmt(line.分值)} + 各指标 {fmt(rest)}）：请调整分值")


@rule(
    "total-row",
    "error",
    "总分行的分值或得分 ≠ 各行分值或得分之和（计分错误）",
    "总分行得分写作 97，但预算执行率得分 9 与各指标得分 87 之和为 96：请改为 96",
)
def total_row(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        line = resolve(ctx.sub, fund_line_path(prefix))
        rows = [ind for _, _, ind in indicators(table.绩效指标)]
        for key, what in (("分值", "分值"), ("得分", "得分")):
            written = getattr(table.总分, key)
            first = getattr(line, key)
            rest = sum((getattr(r, key) for r in rows if getattr(r, key) is not None), Decimal(0))
            total = (first or Decimal(0)) + rest
            if written is not None and written != total:
                advice = f"请改为 {fmt(total)}" if key == "得分" else "总分行应等于各行之和，请核对（分值合计应为 100）"
                yield ctx.finding(
                    prefix + ("总分", key),
                    "total-row",
                    f"总分行{what}写作 {fmt(written)}，但预算执行率{what} {fmt(first) if first is not None else '空白'} 与各指标{what} {fmt(rest)} 之和为 {fmt(total)}：{advice}",
                )


@rule("score-exceeds", "error", "得分大于分值", "指标“群众满意度”得分 6 大于分值 5：得分不能超过分值")
def score_exceeds(ctx: Context) -> Iterator[Finding]:
    for lp, line in fund_lines(ctx.sub):
        if line.分值 is not None and line.得分 is not None and line.得分 > line.分值:
            yield ctx.finding(lp + ("得分",), "score-exceeds", f"预算执行率得分 {fmt(line.得分)} 大于分值 {fmt(line.分值)}：得分不能超过分值")
    for path, _g, ind in scored_indicators(ctx.sub):
        if ind.分值 is not None and ind.得分 is not None and ind.得分 > ind.分值:
            yield ctx.finding(path + ("得分",), "score-exceeds", f"指标“{indicator_name(ind)}”得分 {fmt(ind.得分)} 大于分值 {fmt(ind.分值)}：得分不能超过分值")


@rule(
    "score-no-actual",
    "error",
    "指标得了分，但实际完成值空白",
    "指标“全市养老保险参保人员数量”得分 10，但实际完成值空白：请填写实际完成值",
)
def score_no_actual(ctx: Context) -> Iterator[Finding]:
    for path, _g, ind in scored_indicators(ctx.sub):
        if ind.得分 and is_blank(ind.实际完成值) and ind.实际完成值 != "无":
            yield ctx.finding(path + ("实际完成值",), "score-no-actual", f"指标“{indicator_name(ind)}”得分 {fmt(ind.得分)}，但实际完成值空白：请填写实际完成值")


@rule(
    "deduction-no-reason",
    "error",
    "扣了分（得分 < 分值），但偏差原因分析及改进措施空白或写“无”（表样的 审核.扣分需说明 大于 0 时，扣分超过它才要求说明）",
    "指标“各项支出支付及时率”扣了 1 分（分值 5，得分 4），但偏差原因分析及改进措施空白：请写明扣分原因和改进措施",
)
def deduction_no_reason(ctx: Context) -> Iterator[Finding]:
    allowed = ctx.profile.reason_over
    for path, _g, ind in scored_indicators(ctx.sub):
        if ind.分值 is None or ind.得分 is None or ind.分值 - ind.得分 <= allowed:
            continue
        if is_blank(ind.偏差原因分析及改进措施):
            shown = "空白" if not (ind.偏差原因分析及改进措施 or "").strip() else f"写“{ind.偏差原因分析及改进措施.strip()}”"
            over = f"，超过表样允许不说明的 {fmt(allowed)} 分" if allowed else ""
            yield ctx.finding(
                path + ("偏差原因分析及改进措施",),
                "deduction-no-reason",
                f"指标“{indicator_name(ind)}”扣了 {fmt(ind.分值 - ind.得分)} 分（分值 {fmt(ind.分值)}，得分 {fmt(ind.得分)}）{over}，但偏差原因分析及改进措施{shown}：请写明扣分原因和改进措施",
            )


@rule(
    "deduction-target-met",
    "error",
    "定量指标实际完成值已达到年度指标值（或时间指标已按时完成），却扣了分",
    "指标“群众满意度”实际完成值 90% 已达到年度指标值 90%，却只得 3 分（分值 4）：达标应得满分，请核对得分",
)
def deduction_target_met(ctx: Context) -> Iterator[Finding]:
    for path, group, ind in scored_indicators(ctx.sub):
        a = assessment(ctx, path, group, ind)
        if a is None or ind.分值 is None or ind.得分 is None or ind.得分 >= ind.分值 or not a.met:
            continue
        target, actual = ind.年度指标值.strip(), ind.实际完成值.strip()
        if a.dated:
            how = f"实际完成值 {actual} 已按时完成（年度指标值 {target}），却只得 {fmt(ind.得分)} 分（分值 {fmt(ind.分值)}）：按时完成应得满分"
        else:
            how = f"实际完成值 {actual} 已达到年度指标值 {target}，却只得 {fmt(ind.得分)} 分（分值 {fmt(ind.分值)}）：达标应得满分"
        yield ctx.finding(path + ("得分",), "deduction-target-met", f"指标“{indicator_name(ind)}”{how}，请核对得分")


@rule(
    "deadline-missed",
    "warning",
    "时间指标未按时完成（实际完成时间晚于年度指标值的期限），却得满分",
    "指标“完成验收时间”年度指标值 9月前，实际完成值 10月，晚于期限，却得满分 5 分：请核对得分，或在偏差原因分析及改进措施中说明",
)
def deadline_missed(ctx: Context) -> Iterator[Finding]:
    for path, group, ind in scored_indicators(ctx.sub):
        a = assessment(ctx, path, group, ind)
        if a is None or not a.dated or a.met or ind.分值 is None or ind.得分 is None or ind.得分 < ind.分值:
            continue
        yield ctx.finding(
            path + ("得分",),
            "deadline-missed",
            f"指标“{indicator_name(ind)}”年度指标值 {ind.年度指标值.strip()}，实际完成值 {ind.实际完成值.strip()}，晚于期限，却得满分 {fmt(ind.得分)} 分：请核对得分，或在偏差原因分析及改进措施中说明",
        )


@rule(
    "score-ratio",
    "error",
    "定量指标未达标，得分却高于按完成比例应得的分（正向指标 分值 × 实际/目标；反向指标按表样的 评分.反向指标：比例 = 分值 × 目标/实际，线性 = 分值 × (1 − (实际 − 目标)/目标)）；年度指标值未写 ≥/≤、按成本指标推定为反向时为警告",
    "指标“年初预算项目经费总额（含年中调整）”实际 625.05万元 超出目标 154万元，按反向指标比例计分 分值 5 × 154 / 625.05 应得 1.23 分，现得 5 分：请核对得分",
)
def score_ratio(ctx: Context) -> Iterator[Finding]:
    reverse = ctx.profile.reverse
    for path, group, ind in scored_indicators(ctx.sub):
        a = assessment(ctx, path, group, ind)
        if a is None or a.dated or a.met or ind.分值 is None or ind.得分 is None:
            continue
        t, n = a.target.number, a.actual.number
        expected = expected_score(ind.分值, t, n, a.higher, reverse)
        if expected is None or interval(ind.得分)[0] <= expected:
            continue
        verb = "未达目标" if a.higher else "超出目标"
        note = "" if a.explicit else "（年度指标值未写 ≥ 或 ≤，按成本指标推定为越低越好）"
        yield ctx.finding(
            path + ("得分",),
            "score-ratio",
            f"指标“{indicator_name(ind)}”实际 {ind.实际完成值.strip()} {verb} {ind.年度指标值.strip()}，{score_formula(ind.分值, t, n, a.higher, reverse)} 应得 {fmt(expected)} 分，现得 {fmt(ind.得分)} 分{note}：请核对得分",
            severity="error" if a.explicit else "warning",
        )


@rule(
    "unit-mismatch",
    "warning",
    "定量指标的实际完成值与年度指标值单位不同（或一个是时间、一个是数量），无法比较",
    "指标“三支一扶合格人员数”年度指标值 15人，实际完成值却是 100%：单位不同，无法判断是否达标，请按指标值的单位填写",
)
def unit_mismatch(ctx: Context) -> Iterator[Finding]:
    year = ctx.sub.年度
    for path, _g, ind in scored_indicators(ctx.sub):
        t, a = quantity(ind.年度指标值), quantity(ind.实际完成值)
        td, ad = when(ind.年度指标值, year), when(ind.实际完成值, year)
        name, target = indicator_name(ind), (ind.年度指标值 or "").strip()
        actual = (ind.实际完成值 or "").strip()
        if t is not None and a is not None and not same_unit(t, a):
            advice = "单位不同，无法判断是否达标，请按指标值的单位填写"
        elif td is not None and a is not None:
            advice = "年度指标值是完成时间，实际完成值却是数量，无法判断是否按时完成：请填写完成的时间，如 7月、2023年7月15日"
        elif t is not None and ad is not None:
            advice = "年度指标值是数量，实际完成值却是时间，无法判断是否达标：请按指标值的单位填写完成的数量"
        else:
            continue
        yield ctx.finding(path + ("实际完成值",), "unit-mismatch", f"指标“{name}”年度指标值 {target}，实际完成值却是 {actual}：{advice}")


@rule(
    "target-deviation",
    "warning",
    "正向定量指标的实际完成值超出年度指标值的百分比大于表样的 审核.指标偏离（不写则不检查），且偏差原因未说明：目标可能定得过低",
    "指标“培训人数”实际完成值 150人 超出年度指标值 100人 50%，超过 30%：目标是否定得过低？请在偏差原因分析及改进措施中说明",
)
def target_deviation(ctx: Context) -> Iterator[Finding]:
    limit = ctx.profile.deviation
    if limit is None:
        return
    for path, group, ind in scored_indicators(ctx.sub):
        a = assessment(ctx, path, group, ind)
        if a is None or a.dated or not a.higher or not is_blank(ind.偏差原因分析及改进措施):
            continue
        excess = excess_percent(a.target.number, a.actual.number)
        if excess is None or excess <= limit:
            continue
        yield ctx.finding(
            path + ("实际完成值",),
            "target-deviation",
            f"指标“{indicator_name(ind)}”实际完成值 {ind.实际完成值.strip()} 超出年度指标值 {ind.年度指标值.strip()} {fmt(plain(rounded(excess, 1)))}%，超过 {fmt(limit)}%：目标是否定得过低？请在偏差原因分析及改进措施中说明",
        )


@rule(
    "grade-mismatch",
    "error",
    "自评结论（优/良/中/差）与总分不符（按表样的等级界限；通常优 90–100、良 80–89、中 60–79、差 60 以下）",
    "自评结论写作“优”，但总分 85 对应“良”（优 ≥90、良 ≥80、中 ≥60、差 <60）：请改为“良”",
)
def grade_mismatch(ctx: Context) -> Iterator[Finding]:
    written = ctx.checklist.自评结论 if ctx.checklist is not None else None
    if written is None:
        return
    total = ctx.sub.整体自评.部门整体支出绩效自评表.总分.得分
    expected = ctx.profile.grade(total) if total is not None else None
    if expected is not None and expected != written:
        yield ctx.finding(
            CHECKLIST + ("自评结论",),
            "grade-mismatch",
            f"自评结论写作“{written}”，但总分 {fmt(total)} 对应“{expected}”（{ctx.profile.bands_text()}）：请改为“{expected}”",
        )


