"""The consistency rules of `check`, one function per stable code.

Each rule states the figures involved and the value expected, in Chinese. A
rule is an error when a reviewer at the finance bureau would send the
submission back (散总不符, 计分错误, 评分与等级不符, wrong year), a warning when
a reviewer would only ask about it (DOMAIN.md). Amounts compare by intervals
(`values.sum_matches`); scores and weights are exact.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterator

from .check import Context, rule
from .derive import (
    BASIC,
    CHECKLIST,
    OVERALL,
    column_names,
    fund_line_path,
    grade,
    indicators,
    score_tables,
    score_value,
    sum_relations,
)
from .findings import Finding
from .model import Group, Indicator, Report, resolve
from .values import Percent, fmt, interval, overlaps, sum_interval, sum_matches

# --- labels -----------------------------------------------------------------------


def label(ctx: Context, path: tuple) -> str:
    """A short Chinese name of the figure at `path`, as the form labels it."""
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] == "金额":
        item = resolve(ctx.sub, path[:-2])
        return f"专项“{item.名称}”{column_names(ctx.sub.年度)[path[-1]]}"
    if isinstance(path[-1], int) and path[:2] == BASIC:
        return f"{path[-2]} {column_names(ctx.sub.年度)[path[-1]]}"
    if path[-2] in ("年度资金总额", "当年财政拨款", "上年结转资金", "其他资金") and path[-1] in ("年初预算数", "全年预算数", "全年执行数"):
        return f"{path[-2]}{path[-1]}"
    return str(path[-1])


def table_name(ctx: Context, prefix: tuple) -> str:
    if prefix == OVERALL:
        return "部门整体支出绩效自评表"
    return f"项目“{ctx.sub.项目[prefix[1]].项目名称}”自评表"


# --- sums ---------------------------------------------------------------------------


@rule(
    "sum-mismatch",
    "error",
    "合计与其组成部分之和不符（散总不符）：年度资金总额与按收入性质分、按支出性质分之和，项目资金三行之和，"
    "“三公”经费、公务用车经费、项目支出、县级专项资金与明细之和，自评基础数据表的收入、支出合计",
    "县级专项资金 2023年预算数写作 154，但其组成部分之和为 314.59（专项“老干福利费”2023年预算数 3 + …）：请核对合计或明细",
)
def sum_mismatch(ctx: Context) -> Iterator[Finding]:
    for rel in sum_relations(ctx.sub):
        total = resolve(ctx.sub, rel.total)
        values = [(p, resolve(ctx.sub, p)) for p in rel.parts]
        parts = [v for _, v in values if v is not None]
        if total is None or not parts or sum_matches(parts, total):
            continue
        shown = [f"{label(ctx, p)} {fmt(v)}" for p, v in values if v is not None]
        if len(shown) > 4:
            shown = shown[:3] + [f"…共 {len(parts)} 项"]
        lo, hi = sum_interval(parts)
        expected = fmt(sum(parts, Decimal(0)))
        yield ctx.finding(
            rel.total,
            "sum-mismatch",
            f"{label(ctx, rel.total)}写作 {fmt(total)}，但其组成部分之和为 {expected}（{' + '.join(shown)}）：请核对合计或各项",
        )


def _qizhong(ctx: Context) -> Iterator[tuple[tuple, list[tuple]]]:
    """其中 lines and the total above them."""
    if ctx.sub.基础数据表 is not None:
        for c in range(3):
            yield BASIC + ("公用经费", c), [BASIC + (k, c) for k in ("办公经费", "水费、电费、差旅费", "会议费、培训费")]
    if ctx.sub.整体自评 is not None and ctx.sub.整体自评.自评基础数据表 is not None:
        spend = CHECKLIST + ("基本情况", "年度支出")
        yield spend + ("合计",), [spend + ("其中三公经费支出",)]


@rule(
    "part-exceeds-total",
    "error",
    "“其中”各行（单独或合起来）超过了它所属的合计行",
    "公用经费 2024年决算数为 620.23，其中各行合计 711.58（办公经费 618.16 + 水费、电费、差旅费 89.81 + 会议费、培训费 3.61），超过了合计：“其中”是合计的一部分，请核对",
)
def part_exceeds_total(ctx: Context) -> Iterator[Finding]:
    for total_path, part_paths in _qizhong(ctx):
        total = resolve(ctx.sub, total_path)
        if total is None:
            continue
        values = [(p, resolve(ctx.sub, p)) for p in part_paths]
        values = [(p, v) for p, v in values if v is not None]
        for p, v in values:
            if interval(v)[0] > interval(total)[1]:
                yield ctx.finding(p, "part-exceeds-total", f"{label(ctx, p)} 为 {fmt(v)}，超过了它所属的{label(ctx, total_path)} {fmt(total)}：“其中”不能大于合计")
        if len(values) > 1 and sum_interval([v for _, v in values])[0] > interval(total)[1]:
            shown = " + ".join(f"{label(ctx, p).split(' ')[0]} {fmt(v)}" for p, v in values)
            yield ctx.finding(
                total_path,
                "part-exceeds-total",
                f"{label(ctx, total_path)}为 {fmt(total)}，其中各行合计 {fmt(sum((v for _, v in values), Decimal(0)))}（{shown}），超过了合计：“其中”是合计的一部分，请核对",
            )


# --- rates --------------------------------------------------------------------------


def _rate_interval(numerator: Decimal, denominator: Decimal, exact: bool) -> tuple[Decimal, Decimal]:
    """The interval of numerator/denominator in percent, from the intervals of both figures."""
    if exact:
        v = numerator * 100 / denominator
        return v, v
    nlo, nhi = interval(numerator)
    dlo, dhi = interval(denominator)
    return max(nlo, Decimal(0)) * 100 / dhi, nhi * 100 / dlo


def _rate_ok(written: Percent, numerator: Decimal, denominator: Decimal, exact: bool = False) -> bool:
    return overlaps(interval(written.value), _rate_interval(numerator, denominator, exact))


@rule(
    "rate-mismatch",
    "error",
    "执行率 ≠ 全年执行数 / 全年预算数，控制率 ≠ 实际在职人数 / 编制数（或实际规模/批复规模、实际投资/预算投资）",
    "控制率写作 100%，但 实际在职人数 131 / 编制数 115 = 113.91%：请改为 113.91%，或核对人数",
)
def rate_mismatch(ctx: Context) -> Iterator[Finding]:
    checks: list[tuple[tuple, Percent | None, Decimal | None, Decimal | None, str, bool]] = []
    if ctx.sub.基础数据表 is not None:
        s = ctx.sub.基础数据表.财政供养人员情况
        staff = ("基础数据表", "财政供养人员情况", "控制率")
        n = Decimal(s.实际在职人数) if s.实际在职人数 is not None else None
        d = Decimal(s.编制数) if s.编制数 is not None else None
        checks.append((staff, s.控制率, n, d, f"实际在职人数 {s.实际在职人数} / 编制数 {s.编制数}", True))
        b = ctx.sub.基础数据表.楼堂馆所控制情况
        if b is not None:
            bp = ("基础数据表", "楼堂馆所控制情况")
            checks.append((bp + ("规模控制率",), b.规模控制率, b.实际规模, b.批复规模, f"实际规模 {fmt(b.实际规模)} / 批复规模 {fmt(b.批复规模)}", False))
            checks.append((bp + ("投资概算控制率",), b.投资概算控制率, b.实际投资, b.预算投资, f"实际投资 {fmt(b.实际投资)} / 预算投资 {fmt(b.预算投资)}", False))
    for prefix, _table in score_tables(ctx.sub):
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        checks.append((lp + ("执行率",), line.执行率, line.全年执行数, line.全年预算数, f"全年执行数 {fmt(line.全年执行数)} / 全年预算数 {fmt(line.全年预算数)}", False))
    for path, written, num, den, how, exact in checks:
        if written is None or num is None or not den:
            continue
        if not _rate_ok(written, num, den, exact):
            value = Percent.of(num * 100 / den)
            name = path[-1]
            yield ctx.finding(path, "rate-mismatch", f"{name}写作 {written.text}，但 {how} = {value.text}：请改为 {value.text}，或核对这两个数")


@rule(
    "rate-score",
    "error",
    "预算执行率得分 ≠ 分值 × min(执行率, 100%)",
    "执行率得分写作 9，但 分值 10 × 执行率 100% = 10：请改为 10",
)
def rate_score(ctx: Context) -> Iterator[Finding]:
    for prefix, _table in score_tables(ctx.sub):
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        if line.分值 is None or line.执行率 is None or line.得分 is None:
            continue
        rate_lo, rate_hi = interval(line.执行率.value)
        lo = line.分值 * min(rate_lo, Decimal(100)) / 100
        hi = line.分值 * min(rate_hi, Decimal(100)) / 100
        if not overlaps(interval(line.得分), (lo, hi)):
            expected = score_value(line.分值, line.执行率.value)
            yield ctx.finding(
                lp + ("得分",),
                "rate-score",
                f"执行率得分写作 {fmt(line.得分)}，但 分值 {fmt(line.分值)} × 执行率 {line.执行率.text} = {fmt(expected)}：请改为 {fmt(expected)}",
            )


@rule(
    "score-missing",
    "error",
    "有分值、没有得分：得分栏空白",
    "预算执行率有分值 10，但得分空白：请填写得分（分值 × 执行率 = 10）",
)
def score_missing(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        if line.分值 is not None and line.得分 is None:
            hint = f"（分值 × 执行率 = {fmt(score_value(line.分值, line.执行率.value))}）" if line.执行率 is not None else ""
            yield ctx.finding(lp + ("得分",), "score-missing", f"预算执行率有分值 {fmt(line.分值)}，但得分空白：请填写得分{hint}")
        for sub_path, _group, ind in indicators(table.绩效指标):
            if ind.分值 is not None and ind.得分 is None:
                yield ctx.finding(prefix + sub_path + ("得分",), "score-missing", f"指标“{_name(ind)}”有分值 {fmt(ind.分值)}，但得分空白：请填写得分")


# --- weights and scores -------------------------------------------------------------

_WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def _name(ind: Indicator) -> str:
    return (ind.名称 or "（无名称）").replace("\n", "").strip()


def group_weight(group: Group) -> Decimal | None:
    """The weight printed in a 一级指标 cell: 产出指标(30分) → 30."""
    m = _WEIGHT.search(group.名称)
    return Decimal(m[1]) if m else None


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
    for prefix, table in score_tables(ctx.sub):
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        if line.分值 is not None and line.得分 is not None and line.得分 > line.分值:
            yield ctx.finding(lp + ("得分",), "score-exceeds", f"预算执行率得分 {fmt(line.得分)} 大于分值 {fmt(line.分值)}：得分不能超过分值")
        for sub_path, _g, ind in indicators(table.绩效指标):
            if ind.分值 is not None and ind.得分 is not None and ind.得分 > ind.分值:
                yield ctx.finding(prefix + sub_path + ("得分",), "score-exceeds", f"指标“{_name(ind)}”得分 {fmt(ind.得分)} 大于分值 {fmt(ind.分值)}：得分不能超过分值")


# --- indicator values ----------------------------------------------------------------

_VALUE = re.compile(
    r"^\s*(?P<op>≥|≤|>=|<=|＞=|＜=|>|<|＞|＜|不低于|不少于|不小于|大于等于|不高于|不超过|不大于|小于等于)?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s]{0,4})\s*$"
)
_GE = {"≥", ">=", "＞=", ">", "＞", "不低于", "不少于", "不小于", "大于等于"}
_BLANKISH = {"", "无", "/", "—", "-", "——", "无偏差"}


class Quantity:
    """A parsed indicator value: ≥1500次 → (≥, 1500, 次)."""

    def __init__(self, op: str | None, number: Decimal, unit: str) -> None:
        self.op, self.number, self.unit = op, number, unit.replace("％", "%")


def quantity(text: str | None) -> Quantity | None:
    if text is None:
        return None
    m = _VALUE.match(text)
    if not m:
        return None
    return Quantity(m["op"], Decimal(m["num"]), m["unit"] or "")


def _blank(text: str | None) -> bool:
    return text is None or text.strip() in _BLANKISH


def _is_cost(group: Group, ind_path: tuple, table) -> bool:
    sub = table.绩效指标[ind_path[1]].二级指标[ind_path[3]]
    return "成本" in group.名称 or "成本" in (sub.名称 or "")


def _assessment(group: Group, sub_path: tuple, table, ind: Indicator) -> tuple[Quantity, Quantity, bool, bool] | None:
    """(target, actual, higher-is-better, direction written?) for a quantitative indicator."""
    target, actual = quantity(ind.年度指标值), quantity(ind.实际完成值)
    if target is None or actual is None or target.unit != actual.unit:
        return None
    if target.op:
        return target, actual, target.op in _GE, True
    return target, actual, not _is_cost(group, sub_path, table), False


@rule(
    "score-no-actual",
    "error",
    "指标得了分，但实际完成值空白",
    "指标“全市养老保险参保人员数量”得分 10，但实际完成值空白：请填写实际完成值",
)
def score_no_actual(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        for sub_path, _g, ind in indicators(table.绩效指标):
            if ind.得分 and _blank(ind.实际完成值) and ind.实际完成值 != "无":
                yield ctx.finding(prefix + sub_path + ("实际完成值",), "score-no-actual", f"指标“{_name(ind)}”得分 {fmt(ind.得分)}，但实际完成值空白：请填写实际完成值")


@rule(
    "deduction-no-reason",
    "error",
    "扣了分（得分 < 分值），但偏差原因分析及改进措施空白或写“无”",
    "指标“各项支出支付及时率”扣了 1 分（分值 5，得分 4），但偏差原因分析及改进措施空白：请写明扣分原因和改进措施",
)
def deduction_no_reason(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        for sub_path, _g, ind in indicators(table.绩效指标):
            if ind.分值 is None or ind.得分 is None or ind.得分 >= ind.分值:
                continue
            if _blank(ind.偏差原因分析及改进措施):
                shown = "空白" if not (ind.偏差原因分析及改进措施 or "").strip() else f"写“{ind.偏差原因分析及改进措施.strip()}”"
                yield ctx.finding(
                    prefix + sub_path + ("偏差原因分析及改进措施",),
                    "deduction-no-reason",
                    f"指标“{_name(ind)}”扣了 {fmt(ind.分值 - ind.得分)} 分（分值 {fmt(ind.分值)}，得分 {fmt(ind.得分)}），但偏差原因分析及改进措施{shown}：请写明扣分原因和改进措施",
                )


@rule(
    "deduction-target-met",
    "error",
    "定量指标实际完成值已达到年度指标值，却扣了分",
    "指标“群众满意度”实际完成值 90% 已达到年度指标值 90%，却只得 3 分（分值 4）：达标应得满分，请核对得分",
)
def deduction_target_met(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        for sub_path, group, ind in indicators(table.绩效指标):
            a = _assessment(group, sub_path, table, ind)
            if a is None or ind.分值 is None or ind.得分 is None or ind.得分 >= ind.分值:
                continue
            target, actual, higher, _explicit = a
            met = actual.number >= target.number if higher else actual.number <= target.number
            if met:
                yield ctx.finding(
                    prefix + sub_path + ("得分",),
                    "deduction-target-met",
                    f"指标“{_name(ind)}”实际完成值 {ind.实际完成值.strip()} 已达到年度指标值 {ind.年度指标值.strip()}，却只得 {fmt(ind.得分)} 分（分值 {fmt(ind.分值)}）：达标应得满分，请核对得分",
                )


@rule(
    "score-ratio",
    "error",
    "定量指标未达标，得分却高于 分值 × 完成比例（正向指标 实际/目标，反向指标 目标/实际）；年度指标值未写 ≥/≤、按成本指标推定为反向时为警告",
    "指标“年初预算项目经费总额（含年中调整）”实际 625.05万元 超出目标 154万元，按 分值 5 × 154 / 625.05 应得 1.23 分，现得 5 分：请核对得分",
)
def score_ratio(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        for sub_path, group, ind in indicators(table.绩效指标):
            a = _assessment(group, sub_path, table, ind)
            if a is None or ind.分值 is None or ind.得分 is None:
                continue
            target, actual, higher, explicit = a
            if higher and actual.number < target.number and target.number > 0:
                ratio, how = actual.number / target.number, f"实际 {ind.实际完成值.strip()} 未达目标 {ind.年度指标值.strip()}，按 分值 {fmt(ind.分值)} × {fmt(actual.number)} / {fmt(target.number)}"
            elif not higher and actual.number > target.number and actual.number > 0:
                ratio, how = target.number / actual.number, f"实际 {ind.实际完成值.strip()} 超出目标 {ind.年度指标值.strip()}，按 分值 {fmt(ind.分值)} × {fmt(target.number)} / {fmt(actual.number)}"
            else:
                continue
            expected = (ind.分值 * ratio).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
            if interval(ind.得分)[0] > expected:
                note = "" if explicit else "（年度指标值未写 ≥ 或 ≤，按成本指标推定为越低越好）"
                yield ctx.finding(
                    prefix + sub_path + ("得分",),
                    "score-ratio",
                    f"指标“{_name(ind)}”{how} 应得 {fmt(expected)} 分，现得 {fmt(ind.得分)} 分{note}：请核对得分",
                    severity="error" if explicit else "warning",
                )


@rule(
    "unit-mismatch",
    "warning",
    "定量指标的实际完成值与年度指标值单位不同，无法比较",
    "指标“三支一扶合格人员数”年度指标值 15人，实际完成值却是 100%：单位不同，无法判断是否达标，请按指标值的单位填写",
)
def unit_mismatch(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        for sub_path, _g, ind in indicators(table.绩效指标):
            t, a = quantity(ind.年度指标值), quantity(ind.实际完成值)
            if t is not None and a is not None and t.unit != a.unit:
                yield ctx.finding(
                    prefix + sub_path + ("实际完成值",),
                    "unit-mismatch",
                    f"指标“{_name(ind)}”年度指标值 {ind.年度指标值.strip()}，实际完成值却是 {ind.实际完成值.strip()}：单位不同，无法判断是否达标，请按指标值的单位填写",
                )


@rule(
    "grade-mismatch",
    "error",
    "自评结论（优/良/中/差）与总分不符（优 90–100、良 80–89、中 60–79、差 60 以下）",
    "自评结论写作“优”，但总分 85 对应“良”：请改为“良”",
)
def grade_mismatch(ctx: Context) -> Iterator[Finding]:
    o = ctx.sub.整体自评
    if o is None or o.自评基础数据表 is None or o.自评基础数据表.自评结论 is None:
        return
    total = o.部门整体支出绩效自评表.总分.得分
    if total is not None and grade(total) != o.自评基础数据表.自评结论:
        yield ctx.finding(CHECKLIST + ("自评结论",), "grade-mismatch", f"自评结论写作“{o.自评基础数据表.自评结论}”，但总分 {fmt(total)} 对应“{grade(total)}”：请改为“{grade(total)}”")


# --- years ----------------------------------------------------------------------------

_TITLE_YEAR = re.compile(r"(\d{4})\s*年度")


def _titles(ctx: Context) -> Iterator[tuple[tuple, str]]:
    s = ctx.sub
    if s.基础数据表 is not None and s.基础数据表.标题:
        yield ("基础数据表", "标题"), s.基础数据表.标题
    if s.整体自评 is not None:
        if s.整体自评.部门整体支出绩效自评表.标题:
            yield OVERALL + ("标题",), s.整体自评.部门整体支出绩效自评表.标题
        if s.整体自评.自评基础数据表 is not None and s.整体自评.自评基础数据表.标题:
            yield CHECKLIST + ("标题",), s.整体自评.自评基础数据表.标题
    if s.自评报告 is not None and s.自评报告.部门整体支出绩效自评报告.标题:
        yield ("自评报告", "部门整体支出绩效自评报告", "标题"), s.自评报告.部门整体支出绩效自评报告.标题
    for i, p in enumerate(s.项目):
        if p.标题:
            yield ("项目", i, "标题"), p.标题
        if p.自评报告 is not None and p.自评报告.标题:
            yield ("项目", i, "自评报告", "标题"), p.自评报告.标题


@rule(
    "year-label",
    "error",
    "标题或表头中的年份与自评年度不符（如 2024 年度的材料写“2023年度”“2023年实际在职人数”）",
    "标题写“2023年度”，但这是 2024 年度的自评：请改为“2024年度”",
)
def year_label(ctx: Context) -> Iterator[Finding]:
    year = ctx.sub.年度
    for path, title in _titles(ctx):
        for m in _TITLE_YEAR.finditer(title):
            if int(m[1]) != year:
                yield ctx.finding(path, "year-label", f"标题“{title.replace(chr(10), '')}”写“{m[0]}”，但这是 {year} 年度的自评：请改为“{year}年度”")
    if ctx.sub.基础数据表 is None:
        return
    labels = ctx.sub.基础数据表.年度标签
    lp = ("基础数据表", "年度标签")
    if labels.实际在职人数 is not None and labels.实际在职人数 != year:
        yield ctx.finding(lp + ("实际在职人数",), "year-label", f"表头“{labels.实际在职人数}年实际在职人数”的年份应为本年度 {year}：请改为“{year}年实际在职人数”")
    if labels.楼堂馆所控制情况 is not None and labels.楼堂馆所控制情况 != year:
        yield ctx.finding(lp + ("楼堂馆所控制情况",), "year-label", f"表头“({labels.楼堂馆所控制情况}年完工项目)”的年份应为本年度 {year}：请改为“({year}年完工项目)”")
    if labels.经费控制情况 is not None:
        want = [year - 1, year, year]
        for c, (got, exp) in enumerate(zip(labels.经费控制情况, want)):
            if got != exp:
                kind = ("决算数", "预算数", "决算数")[c]
                yield ctx.finding(lp + ("经费控制情况", c), "year-label", f"经费控制情况第 {c + 1} 列表头“{got}年{kind}”应为“{exp}年{kind}”（{year} 年度的自评）")


# --- one fact, two values ---------------------------------------------------------------


def _same(a: Decimal, b: Decimal) -> bool:
    """Two written values of one fact agree when the more precise, rounded to the other's
    precision, equals it: 1.5 = 1.50 = 1.499, but 10824.19 ≠ 10824.18."""
    places = min(-a.as_tuple().exponent, -b.as_tuple().exponent, 28)  # type: ignore[operator]
    q = Decimal(1).scaleb(-max(places, 0))
    return a.quantize(q, rounding="ROUND_HALF_UP") == b.quantize(q, rounding="ROUND_HALF_UP")


def _fact_pairs(ctx: Context) -> Iterator[tuple[tuple, tuple, str, str]]:
    """(path, path of the same fact elsewhere, name here, name there)."""
    s = ctx.sub
    year = s.年度
    dec = column_names(year)
    if s.基础数据表 is not None and s.整体自评 is not None:
        yield BASIC + ("项目支出", 2), OVERALL + ("按支出性质分", "项目支出"), f"基础数据表 项目支出 {dec[2]}", "部门整体支出绩效自评表 项目支出"
    if s.基础数据表 is not None:
        names = {p.项目名称.strip(): i for i, p in enumerate(s.项目)}
        for r, row in enumerate(s.基础数据表.经费控制情况.专项明细):
            i = names.get(row.名称.strip())
            if i is None:
                continue
            yield BASIC + ("专项明细", r, "金额", 2), ("项目", i, "项目资金", "年度资金总额", "全年执行数"), f"基础数据表 专项“{row.名称}”{dec[2]}", f"项目自评表 年度资金总额全年执行数"
    c = s.整体自评.自评基础数据表 if s.整体自评 is not None else None
    if c is not None:
        basics = CHECKLIST + ("基本情况",)
        if s.基础数据表 is not None:
            yield basics + ("编制人数",), ("基础数据表", "财政供养人员情况", "编制数"), "自评基础数据表 编制人数", "基础数据表 编制数"
            yield basics + ("实有人数",), ("基础数据表", "财政供养人员情况", "实际在职人数"), "自评基础数据表 实有人数", "基础数据表 实际在职人数"
            yield basics + ("年度支出", "其中三公经费支出"), BASIC + ("三公经费", 2), "自评基础数据表 其中三公经费支出", f"基础数据表 三公经费 {dec[2]}"
            yield CHECKLIST + ("实施情况", "政府采购及金额", "实际采购金额"), BASIC + ("政府采购金额", 2), "自评基础数据表 实际采购金额", f"基础数据表 政府采购金额 {dec[2]}"
        yield basics + ("年度收入", "县财政预算安排"), OVERALL + ("按收入性质分", "一般公共预算"), "自评基础数据表 县财政预算安排", "部门整体支出绩效自评表 一般公共预算"
        yield basics + ("年度收入", "其他收入"), OVERALL + ("按收入性质分", "其他资金"), "自评基础数据表 其他收入", "部门整体支出绩效自评表 其他资金"
        yield basics + ("年度支出", "基本支出"), OVERALL + ("按支出性质分", "基本支出"), "自评基础数据表 基本支出", "部门整体支出绩效自评表 基本支出"
        yield basics + ("年度支出", "项目支出"), OVERALL + ("按支出性质分", "项目支出"), "自评基础数据表 项目支出", "部门整体支出绩效自评表 项目支出"
        yield basics + ("年度支出", "合计"), OVERALL + ("年度资金总额", "全年执行数"), "自评基础数据表 年度支出合计", "部门整体支出绩效自评表 年度资金总额全年执行数"


@rule(
    "fact-conflict",
    "error",
    "同一个数在两处填了不同的值：基础数据表与自评表、基础数据表的专项与项目自评表、自评基础数据表与其他表、部门整体自评表与项目自评表中的同名指标",
    "自评基础数据表 实际采购金额为 46.55，但 基础数据表 政府采购金额 2024年决算数为 56.31：同一个数应一致，请核对",
)
def fact_conflict(ctx: Context) -> Iterator[Finding]:
    for here, there, name_here, name_there in _fact_pairs(ctx):
        a, b = resolve(ctx.sub, here), resolve(ctx.sub, there)
        if a is None or b is None:
            continue
        if not _same(Decimal(a), Decimal(b)):
            yield ctx.finding(here, "fact-conflict", f"{name_here}为 {fmt(Decimal(a))}，但 {name_there}为 {fmt(Decimal(b))}：同一个数应一致，请核对")
    yield from _special_budget(ctx)
    yield from _same_indicator(ctx)


def _special_budget(ctx: Context) -> Iterator[Finding]:
    """基础数据表 本年预算数 of a 专项 must be the project's 年初预算数 or 全年预算数."""
    if ctx.sub.基础数据表 is None:
        return
    names = {p.项目名称.strip(): p for p in ctx.sub.项目}
    dec = column_names(ctx.sub.年度)
    for r, row in enumerate(ctx.sub.基础数据表.经费控制情况.专项明细):
        p = names.get(row.名称.strip())
        budget = row.金额[1]
        if p is None or budget is None:
            continue
        line = p.项目资金.年度资金总额
        candidates = [v for v in (line.年初预算数, line.全年预算数) if v is not None]
        if candidates and not any(_same(budget, v) for v in candidates):
            yield ctx.finding(
                BASIC + ("专项明细", r, "金额", 1),
                "fact-conflict",
                f"基础数据表 专项“{row.名称}”{dec[1]}为 {fmt(budget)}，但项目自评表年初预算数为 {fmt(line.年初预算数)}、全年预算数为 {fmt(line.全年预算数)}：同一个数应一致，请核对",
            )


def _same_indicator(ctx: Context) -> Iterator[Finding]:
    """An indicator of the overall table repeated by name in a project table states one fact.

    Two projects may well share an indicator name (预算批复金额) with different values:
    only the department's own table and a project's are compared.
    """
    if ctx.sub.整体自评 is None:
        return
    overall = {}
    for _p, _g, ind in indicators(ctx.sub.整体自评.部门整体支出绩效自评表.绩效指标):
        q = quantity(ind.实际完成值)
        if q is not None and not q.op:
            overall.setdefault(_name(ind), (ind, q))
    for prefix, table in score_tables(ctx.sub):
        if prefix == OVERALL:
            continue
        for sub_path, _g, ind in indicators(table.绩效指标):
            q = quantity(ind.实际完成值)
            first = overall.get(_name(ind))
            if q is None or q.op or first is None:
                continue
            if first[1].unit == q.unit and first[1].number != q.number:
                yield ctx.finding(
                    prefix + sub_path + ("实际完成值",),
                    "fact-conflict",
                    f"指标“{_name(ind)}”实际完成值为 {ind.实际完成值.strip()}，但部门整体支出绩效自评表中同名指标为 {first[0].实际完成值.strip()}：同一个数应一致，请核对",
                )


# --- narrative -------------------------------------------------------------------------

_QUOTE_TAIL = r"(?:[：:；;，,\s]|为|是|达到?|共计?|合计|约){0,3}(\d+(?:\.\d+)?)\s*(万元|元|万人|人次|人|个|家|次|场|件|%|％)"
_MONEY_FACTS: list[tuple[tuple[str, ...], tuple, str]] = [
    (("公务接待费", "公务接待"), BASIC + ("公务接待", 2), "基础数据表 公务接待"),
    (("公务用车购置及运行费", "公务用车购置和维护经费", "公务用车购置和运行维护费", "公务用车运行维护费"), BASIC + ("公务用车购置和维护经费", 2), "基础数据表 公务用车购置和维护经费"),
    (("因公出国（境）费用", "因公出国(境)费用", "出国经费"), BASIC + ("出国经费", 2), "基础数据表 出国经费"),
    (("“三公”经费", "三公经费"), BASIC + ("三公经费", 2), "基础数据表 三公经费"),
    (("日常公用经费", "公用经费"), BASIC + ("公用经费", 2), "基础数据表 公用经费"),
    (("决算支出",), OVERALL + ("年度资金总额", "全年执行数"), "部门整体支出绩效自评表 年度资金总额全年执行数"),
]
_COUNT_FACTS: list[tuple[tuple[str, ...], tuple, str]] = [
    (("编制人数", "编制数"), ("基础数据表", "财政供养人员情况", "编制数"), "基础数据表 编制数"),
    (("实际在岗人数", "实际在职人数", "实有人数"), ("基础数据表", "财政供养人员情况", "实际在职人数"), "基础数据表 实际在职人数"),
]
_SUFFIXES = ("人数", "次数", "数量", "支出", "数")


def _paragraphs(blocks: list, path: tuple) -> Iterator[tuple[tuple, str]]:
    for i, block in enumerate(blocks or []):
        if isinstance(block, str):
            yield path + (i,), block
        elif isinstance(block, dict):
            for heading, inner in block.items():
                yield path + (i,), heading
                yield from _paragraphs(inner or [], path + (i, heading))


def _facts(ctx: Context, prefixes: list[tuple]) -> list[tuple[tuple[str, ...], Decimal, str, str]]:
    """(aliases, value, unit, where) of every fact a narrative may quote."""
    out = []
    if prefixes == [OVERALL] or OVERALL in prefixes:
        for aliases, path, where in _MONEY_FACTS:
            v = resolve(ctx.sub, path)
            if v is not None:
                out.append((aliases, Decimal(v), "万元", where))
        for aliases, path, where in _COUNT_FACTS:
            v = resolve(ctx.sub, path)
            if v is not None:
                out.append((aliases, Decimal(v), "人", where))
    for prefix in prefixes:
        table = resolve(ctx.sub, prefix) if prefix != OVERALL else (ctx.sub.整体自评.部门整体支出绩效自评表 if ctx.sub.整体自评 else None)
        if table is None:
            continue
        for _p, _g, ind in indicators(table.绩效指标):
            q = quantity(ind.实际完成值)
            if q is None or q.op or not q.unit or q.unit == "%":
                continue
            name = _name(ind)
            aliases = [name] + [name[: -len(s)] for s in _SUFFIXES if name.endswith(s) and len(name) - len(s) >= 4]
            out.append((tuple(aliases), q.number, q.unit, f"{table_name(ctx, prefix)}指标“{name}”实际完成值"))
    return out


def _quotes(text: str, aliases: tuple[str, ...], unit: str) -> list[tuple[Decimal, str]]:
    """(number, the quoted words) for each place the text quotes one of the aliases."""
    found = []
    taken: list[tuple[int, int]] = []
    for alias in sorted(aliases, key=len, reverse=True):
        for m in re.finditer(re.escape(alias) + _QUOTE_TAIL, text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            number, got = Decimal(m[1]), m[2].replace("％", "%")
            if unit == "万元" and got == "元":
                number, got = number / 10000, "万元"
            if got == unit:
                found.append((number, m[0].strip()))
    return found


@rule(
    "narrative-conflict",
    "error",
    "报告正文引用的数字与它所出自的表不一致（三公经费各项、公用经费、决算支出、编制与在职人数、定量指标的实际完成值）",
    "报告中“公务接待费”写作 1.88万元，但 基础数据表 公务接待 2024年决算数为 1.37万元：请按表中数字改正",
)
def narrative_conflict(ctx: Context) -> Iterator[Finding]:
    reports: list[tuple[tuple, Report, list[tuple]]] = []
    if ctx.sub.自评报告 is not None:
        reports.append((("自评报告", "部门整体支出绩效自评报告"), ctx.sub.自评报告.部门整体支出绩效自评报告, [OVERALL]))
    for i, p in enumerate(ctx.sub.项目):
        if p.自评报告 is not None:
            reports.append((("项目", i, "自评报告"), p.自评报告, [("项目", i)]))
    for rpath, report, prefixes in reports:
        paragraphs = list(_paragraphs(report.正文, rpath + ("正文",)))
        for aliases, value, unit, where in _facts(ctx, prefixes):
            quoted = [(path, q, words) for path, text in paragraphs for q, words in _quotes(text, aliases, unit)]
            if not quoted or any(_same(q, value) for _, q, _w in quoted):
                continue
            # several quotes, none matching: the nearest one is the one meant
            path, q, words = min(quoted, key=lambda pq: abs(pq[1] - value))
            yield ctx.finding(path, "narrative-conflict", f"报告中写“{words}”，但 {where}为 {fmt(value)}{unit}：请按表中数字改正")


# --- what a reviewer asks about ---------------------------------------------------------

ADJUSTMENT_LIMIT = Decimal(30)  # percent of 年初预算数


@rule(
    "budget-adjusted",
    "warning",
    f"全年预算数比年初预算数调整了 {ADJUSTMENT_LIMIT}% 以上：评审会问调整原因",
    "全年预算数 3897.95 比年初预算数 1947 增加了 100.2%：预算年中调整幅度大，请在报告中说明原因",
)
def budget_adjusted(ctx: Context) -> Iterator[Finding]:
    for prefix, _t in score_tables(ctx.sub):
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        if not line.年初预算数 or line.全年预算数 is None:
            continue
        change = (line.全年预算数 - line.年初预算数) * 100 / line.年初预算数
        if abs(change) > ADJUSTMENT_LIMIT:
            verb = "增加" if change > 0 else "减少"
            yield ctx.finding(lp + ("全年预算数",), "budget-adjusted", f"全年预算数 {fmt(line.全年预算数)} 比年初预算数 {fmt(line.年初预算数)} {verb}了 {abs(change):.1f}%：预算年中调整幅度大，请在报告中说明原因")


@rule("low-execution", "warning", "预算执行率低于 90%", "执行率 85.00% 低于 90%：请在偏差原因中说明")
def low_execution(ctx: Context) -> Iterator[Finding]:
    for prefix, _t in score_tables(ctx.sub):
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        if line.执行率 is not None and line.执行率.value < 90:
            yield ctx.finding(lp + ("执行率",), "low-execution", f"执行率 {line.执行率.text} 低于 90%：请在报告中说明原因")


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
    o = ctx.sub.整体自评
    if o is None or o.自评基础数据表 is None:
        return
    b = o.自评基础数据表.实施情况.预算执行
    rate = o.部门整体支出绩效自评表.年度资金总额.执行率
    if b.本年度是否有结余 and b.结余金额 and rate is not None and rate.value >= 100:
        yield ctx.finding(CHECKLIST + ("实施情况", "预算执行", "结余金额"), "surplus-full-execution", f"填了结余 {fmt(b.结余金额)} 万元，但年度资金执行率为 {rate.text}：有结余时执行率不应为 100%，请核对")


@rule(
    "checklist-conflict",
    "warning",
    "自评基础数据表的是/否勾选与表中数字相反（追加预算、超编、三公经费与公务用车费用是否下降）",
    "勾选“本年度是否追加了预算：否”，但全年预算数 11458.23 大于年初预算数 1796.79：请核对勾选",
)
def checklist_conflict(ctx: Context) -> Iterator[Finding]:
    o = ctx.sub.整体自评
    if o is None or o.自评基础数据表 is None:
        return
    c = o.自评基础数据表.实施情况
    line = o.部门整体支出绩效自评表.年度资金总额
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
