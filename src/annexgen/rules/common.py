"""Helpers shared by the rules: labels of figures, indicator names and values."""

from __future__ import annotations

import re
from decimal import Decimal

from ..check import Context
from ..derive import (
    BASIC,
    OVERALL,
    column_names,
)
from ..model import FundLine, Group, Indicator, resolve
from ..targets import Assessment, Quantity, assess, is_cost, quantity, when  # noqa: F401  (re-exported for the rules)
from ..values import digits_problem, rounded

# --- labels -----------------------------------------------------------------------


def label(ctx: Context, path: tuple) -> str:
    """A short Chinese name of the figure at `path`, as the form labels it."""
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] == "金额":
        item = resolve(ctx.sub, path[:-2])
        return f"专项“{item.名称}”{column_names(ctx.sub.年度)[path[-1]]}"
    if isinstance(path[-1], int) and path[:2] == BASIC:
        return f"{path[-2]} {column_names(ctx.sub.年度)[path[-1]]}"
    if path[-2] in ("年度资金总额", "当年财政拨款", "上年结转资金", "其他资金") and path[-1] in ("年初预算数", "全年预算数", "全年执行数"):
        return f"{ctx.profile.label(path[-2])}{ctx.profile.label(path[-1])}"  # as the form set prints them (本年财政拨款)
    return str(path[-1])


def table_name(ctx: Context, prefix: tuple) -> str:
    if prefix == OVERALL:
        return "部门整体支出绩效自评表"
    return f"项目“{ctx.sub.项目[prefix[1]].项目名称}”自评表"


_WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def indicator_name(ind: Indicator) -> str:
    return (ind.名称 or "（无名称）").replace("\n", "").strip()


def group_weight(group: Group) -> Decimal | None:
    """The weight printed in a 一级指标 cell: 产出指标(30分) → 30."""
    m = _WEIGHT.search(group.名称)
    return Decimal(m[1]) if m and not digits_problem(m[1]) else None


# --- indicator values ----------------------------------------------------------------

_BLANKISH = {"", "无", "/", "—", "-", "——", "无偏差"}


def unfilled_result(text: str | None) -> bool:
    """An indicator's 实际完成值 not written yet (blank; “无” is a result)."""
    return text is None or not text.strip()


def unfilled_line(line: FundLine) -> bool:
    """A 年度资金总额 row with nothing to score yet: neither 全年执行数 nor 执行率 (a year not filled in)."""
    return line.全年执行数 is None and line.执行率 is None


def is_blank(text: str | None) -> bool:
    return text is None or text.strip() in _BLANKISH


def _is_cost(ctx: Context, path: tuple, group: Group) -> bool:
    return is_cost(group.名称, resolve(ctx.sub, path[:-2]).名称)


def assessment(ctx: Context, path: tuple, group: Group, ind: Indicator) -> Assessment | None:
    """The indicator's target and actual compared (numbers of one unit, or dates), or None.

    Several rules ask for it of every indicator: it is worked out once per department-year."""
    key = ("assessment", path)
    if key not in ctx.memo:
        ctx.memo[key] = assess(ind.年度指标值, ind.实际完成值, ctx.sub.年度, _is_cost(ctx, path, group))
    return ctx.memo[key]


def same_value(a: Decimal, b: Decimal) -> bool:
    """Two written values of one fact agree when the more precise, rounded to the other's
    precision, equals it: 1.5 = 1.50 = 1.499, but 10824.19 ≠ 10824.18."""
    if not (a.is_finite() and b.is_finite()):
        return a == b
    places = max(min(-a.as_tuple().exponent, -b.as_tuple().exponent, 28), 0)  # type: ignore[operator]
    return rounded(a, places) == rounded(b, places)

