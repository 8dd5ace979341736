"""Derive: compute every figure the rules define that the author left out.

Step 3 of the pipeline (load → model → **derive** → check → render → write).

A key the author wrote (even as ``~``, a blank cell) is kept as written and
checked later; a key left out is computed here: totals from their parts, 执行率
from 全年执行数 / 全年预算数, the 执行率 score, an indicator's 得分 from its target
and actual (`targets.assess`), the 总分 row and the grade. The relations are
declared once (`sum_relations`) and used both here and by the ``sum-mismatch``
rule, so what is computed and what is checked cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from .model import (
    Form,
    FundLine,
    Group,
    Indicator,
    Submission,
    fill,
    is_written,
    resolve,
)
from .profile import DEFAULT, Profile
from .targets import assess, is_cost
from .values import Percent, exact_sum, rounded, sum_exactly

BASIC = ("基础数据表", "经费控制情况")
OVERALL = ("整体自评", "部门整体支出绩效自评表")
CHECKLIST = ("整体自评", "自评基础数据表")
FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")
SOURCES = ("一般公共预算", "政府性基金拨款", "纳入专户管理的非税收入拨款", "其他资金")
NATURES = ("基本支出", "项目支出")
PROJECT_PARTS = ("当年财政拨款", "上年结转资金", "其他资金")


@dataclass(frozen=True)
class SumRel:
    """A total and the parts it must equal (paths as written in the YAML)."""

    total: tuple
    parts: tuple[tuple, ...]


def column_names(year: int) -> tuple[str, str, str]:
    """The three year-columns of the 基础数据表, labelled as the fiscal year requires."""
    return (f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数")


def score_tables(sub: Submission) -> Iterator[tuple[tuple, Form]]:
    """Every self-evaluation table with an indicator block: the overall one, then each project's."""
    if sub.整体自评 is not None:
        yield OVERALL, sub.整体自评.部门整体支出绩效自评表
    for i, project in enumerate(sub.项目):
        yield ("项目", i), project


def fund_line_path(prefix: tuple) -> tuple:
    return prefix + (("年度资金总额",) if prefix == OVERALL else ("项目资金", "年度资金总额"))


def indicators(groups: list[Group]) -> Iterator[tuple[tuple, Group, Indicator]]:
    """(path below the table, its 一级 group, indicator) for every 三级指标 row."""
    for g, group in enumerate(groups):
        for s, sub in enumerate(group.二级指标):
            for k, ind in enumerate(sub.三级指标):
                yield ("绩效指标", g, "二级指标", s, "三级指标", k), group, ind


def fund_lines(sub: Submission) -> Iterator[tuple[tuple, FundLine]]:
    """(path, line) of the 年度资金总额 row of every table: the row that carries the 执行率 score."""
    for prefix, _table in score_tables(sub):
        path = fund_line_path(prefix)
        yield path, resolve(sub, path)


def every_fund_line(sub: Submission) -> Iterator[tuple[tuple, FundLine]]:
    """(path, line) of every fund line written or derived: each table's 年度资金总额 and the parts under it."""
    for prefix, _table in score_tables(sub):
        total = fund_line_path(prefix)
        for name in ("年度资金总额",) + PROJECT_PARTS:
            path = total[:-1] + (name,)
            line = resolve(sub, path)
            if line is not None:
                yield path, line


def scored_indicators(sub: Submission) -> Iterator[tuple[tuple, Group, Indicator]]:
    """(full path, its 一级 group, indicator) for every 三级指标 row of every table."""
    for prefix, table in score_tables(sub):
        for path, group, ind in indicators(table.绩效指标):  # type: ignore[attr-defined]
            yield prefix + path, group, ind


def sum_relations(sub: Submission) -> list[SumRel]:
    """Every total-equals-parts relation of the submission, parts before the totals they feed."""
    rels: list[SumRel] = []
    if sub.基础数据表 is not None:
        b = BASIC
        specials = len(sub.基础数据表.经费控制情况.专项明细)
        for c in range(3):
            rels.append(SumRel(b + ("公务用车购置和维护经费", c), (b + ("公车购置", c), b + ("公车运行维护", c))))
            rels.append(SumRel(b + ("三公经费", c), tuple(b + (k, c) for k in ("公务用车购置和维护经费", "出国经费", "公务接待"))))
            rels.append(SumRel(b + ("县级专项资金", c), tuple(b + ("专项明细", i, "金额", c) for i in range(specials))))
            rels.append(SumRel(b + ("项目支出", c), tuple(b + (k, c) for k in ("业务工作经费", "运行维护经费", "县级专项资金"))))
    for i in range(len(sub.项目)):
        funds = ("项目", i, "项目资金")
        for col in FUND_COLUMNS:
            rels.append(SumRel(funds + ("年度资金总额", col), tuple(funds + (p, col) for p in PROJECT_PARTS)))
    if sub.整体自评 is not None:
        table = sub.整体自评.部门整体支出绩效自评表
        if any(getattr(table, p) is not None for p in PROJECT_PARTS):  # the 全国 form's rows under 年度资金总额
            for col in FUND_COLUMNS:
                rels.append(SumRel(OVERALL + ("年度资金总额", col), tuple(OVERALL + (p, col) for p in PROJECT_PARTS)))
        total = OVERALL + ("年度资金总额", "全年执行数")
        rels.append(SumRel(total, tuple(OVERALL + ("按收入性质分", k) for k in SOURCES)))
        rels.append(SumRel(total, tuple(OVERALL + ("按支出性质分", k) for k in NATURES)))
        if sub.整体自评.自评基础数据表 is not None:
            basics = CHECKLIST + ("基本情况",)
            rels.append(SumRel(basics + ("年度收入", "合计"), tuple(basics + ("年度收入", k) for k in ("县财政预算安排", "非税收入", "中央省市安排资金", "其他收入"))))
            rels.append(SumRel(basics + ("年度支出", "合计"), tuple(basics + ("年度支出", k) for k in NATURES)))
    return rels


def score_value(weight: Decimal, rate: Decimal, cap: Decimal = Decimal(100)) -> Decimal:
    """分值 × min(执行率, cap), to two places, trailing zeros dropped (10.00 → 10); the profile gives the cap (100%)."""
    return plain(rounded(weight * min(rate, cap) / 100, 2))


def plain(value: Decimal) -> Decimal:
    """A computed score as a form prints it: trailing zeros dropped (10.00 → 10, 2.50 → 2.5)."""
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def _unset(sub: Submission, path: tuple) -> bool:
    """A figure annexgen may compute: left out by the author and not computed yet."""
    if isinstance(path[-1], int):  # a cell of a three-column row: the row is written or not
        return not is_written(sub, path[:-1])
    return not is_written(sub, path) and resolve(sub, path) is None


def _set(sub: Submission, path: tuple, value: object) -> None:
    if isinstance(path[-1], int):
        row = resolve(sub, path[:-1])
        if row is None:
            row = [None, None, None]
            fill(sub, path[:-1], row)
        row[path[-1]] = value
    else:
        fill(sub, path, value)


def derive(sub: Submission, profile: Profile = DEFAULT) -> Submission:
    """Fill in, in place, every derivable figure the author left out; returns `sub`.

    `profile` is the form set's: its execution-rate cap, reverse-indicator rule and grade bands.
    """
    for rel in sum_relations(sub):
        if not _unset(sub, rel.total) or resolve(sub, rel.total) is not None:
            continue
        parts = [v for v in (resolve(sub, p) for p in rel.parts) if v is not None]
        if parts:
            _set(sub, rel.total, exact_sum(parts))

    if sub.基础数据表 is not None:
        staff = ("基础数据表", "财政供养人员情况")
        s = sub.基础数据表.财政供养人员情况
        if _unset(sub, staff + ("控制率",)) and s.编制数 and s.实际在职人数 is not None:
            _set(sub, staff + ("控制率",), Percent.of(Decimal(s.实际在职人数) * 100 / s.编制数))

    for i, project in enumerate(sub.项目):  # the form prints the department where a project names no other
        for name in ("主管部门", "实施单位"):
            if _unset(sub, ("项目", i, name)) and getattr(project, name) is None:
                _set(sub, ("项目", i, name), sub.部门.部门名称)

    for prefix, table in score_tables(sub):
        _derive_scores(sub, prefix, table, profile)

    if sub.整体自评 is not None and sub.整体自评.自评基础数据表 is not None:
        total = sub.整体自评.部门整体支出绩效自评表.总分.得分
        if total is not None and _unset(sub, CHECKLIST + ("自评结论",)):
            _set(sub, CHECKLIST + ("自评结论",), profile.grade(total))
    return sub


def _derive_scores(sub: Submission, prefix: tuple, table: Form, profile: Profile) -> None:
    line_path = fund_line_path(prefix)
    line = resolve(sub, line_path)
    rows = [ind for _, _, ind in indicators(table.绩效指标)]  # type: ignore[attr-defined]
    weights = [r.分值 for r in rows]
    if _unset(sub, line_path + ("分值",)) and profile.rate_weight is not None:  # the form set prescribes it (全国: 10)
        _set(sub, line_path + ("分值",), profile.rate_weight)
    if _unset(sub, line_path + ("分值",)) and weights and None not in weights:
        rest = Decimal(100) - sum_exactly(weights)
        if rest >= 0:
            _set(sub, line_path + ("分值",), rest)
    if _unset(sub, line_path + ("执行率",)) and line.全年预算数 and line.全年执行数 is not None:
        _set(sub, line_path + ("执行率",), Percent.of(line.全年执行数 * 100 / line.全年预算数))
    if _unset(sub, line_path + ("得分",)) and line.分值 is not None and line.执行率 is not None:
        _set(sub, line_path + ("得分",), score_value(line.分值, line.执行率.value, profile.rate_cap))

    for path, group, ind in indicators(table.绩效指标):  # type: ignore[attr-defined]
        _derive_indicator_score(sub, prefix + path, group, ind, profile)

    total = prefix + ("总分",)
    if _unset(sub, total + ("分值",)):
        parts = [line.分值] + [r.分值 for r in rows]
        if any(p is not None for p in parts):
            _set(sub, total + ("分值",), sum_exactly(p for p in parts if p is not None))
    if _unset(sub, total + ("得分",)):
        parts = [line.得分] + [r.得分 for r in rows]
        if any(p is not None for p in parts):
            _set(sub, total + ("得分",), sum_exactly(p for p in parts if p is not None))


def _derive_indicator_score(sub: Submission, path: tuple, group: Group, ind: Indicator, profile: Profile) -> None:
    """An indicator's 得分 left out, from its target and actual (numbers of one unit, or dates).

    Met → 分值; a positive one short of target → 分值 × actual/target; a reverse one over
    target by the profile's rule. A qualitative one, or a missed deadline, is left blank
    (score-missing asks for it).
    """
    if ind.分值 is None or not _unset(sub, path + ("得分",)):
        return
    subgroup = group.二级指标[path[-3]]
    assessed = assess(ind.年度指标值, ind.实际完成值, sub.年度, is_cost(group.名称, subgroup.名称))
    expected = assessed.expected(ind.分值, profile.reverse) if assessed is not None else None
    if expected is not None:
        _set(sub, path + ("得分",), plain(rounded(expected, 2)))
