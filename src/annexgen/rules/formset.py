"""Rules that hold the data to its form set's profile: the weights the form set prescribes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..check import Context, rule
from ..derive import fund_line_path, score_tables
from ..findings import Finding
from ..model import resolve
from ..values import fmt
from .common import group_weight, table_name


@rule(
    "weight-profile",
    "warning",
    "一级指标或预算执行率的分值与表样规定的不同（表样.yaml 的 评分.一级指标、评分.预算执行率；未规定时不检查）",
    "表样“全国”规定产出指标 50 分，这里标明 40 分：请按表样的分值设置指标，或确认本地另有规定",
)
def weight_profile(ctx: Context) -> Iterator[Finding]:
    profile = ctx.profile
    if not profile.weights and profile.rate_weight is None:
        return
    who = f"表样“{profile.name}”" if profile.name else "表样"
    for prefix, table in score_tables(ctx.sub):
        line = resolve(ctx.sub, fund_line_path(prefix))
        if profile.rate_weight is not None and line.分值 is not None and line.分值 != profile.rate_weight:
            yield ctx.finding(
                fund_line_path(prefix) + ("分值",),
                "weight-profile",
                f"{table_name(ctx, prefix)}：{who}规定预算执行率 {fmt(profile.rate_weight)} 分，这里为 {fmt(line.分值)} 分：请按表样的分值填写，或确认本地另有规定",
            )
        for g, group in enumerate(table.绩效指标):
            found = profile.weight_of(group.名称)
            if found is None:
                continue
            key, weight = found
            printed = group_weight(group)
            weights = [ind.分值 for s in group.二级指标 for ind in s.三级指标 if ind.分值 is not None]
            actual, how = (printed, "标明") if printed is not None else (sum(weights, Decimal(0)), "各指标分值合计") if weights else (None, "")
            if actual is not None and actual != weight:
                yield ctx.finding(
                    prefix + ("绩效指标", g, "名称"),
                    "weight-profile",
                    f"{table_name(ctx, prefix)}：{who}规定{key} {fmt(weight)} 分，这里{how} {fmt(actual)} 分：请按表样的分值设置指标，或确认本地另有规定",
                )
