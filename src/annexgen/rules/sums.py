"""Rules on amounts: totals versus parts, 其中 lines, rates versus their figures."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..check import Context, rule
from ..derive import (
    BASIC,
    CHECKLIST,
    fund_lines,
    sum_relations,
)
from ..findings import Finding
from ..model import resolve
from ..values import Percent, fmt, interval, overlaps, sum_interval, sum_matches
from .common import label

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
    if ctx.checklist is not None:
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
    for lp, line in fund_lines(ctx.sub):
        checks.append((lp + ("执行率",), line.执行率, line.全年执行数, line.全年预算数, f"全年执行数 {fmt(line.全年执行数)} / 全年预算数 {fmt(line.全年预算数)}", False))
    for path, written, num, den, how, exact in checks:
        if written is None or num is None or not den:
            continue
        if not _rate_ok(written, num, den, exact):
            value = Percent.of(num * 100 / den)
            name = path[-1]
            yield ctx.finding(path, "rate-mismatch", f"{name}写作 {written.text}，但 {how} = {value.text}：请改为 {value.text}，或核对这两个数")


