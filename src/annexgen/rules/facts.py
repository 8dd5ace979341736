"""Rules on facts stated twice: year labels, one figure in two places, figures quoted in prose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ..check import Context, rule
from ..derive import (
    BASIC,
    CHECKLIST,
    OVERALL,
    column_names,
    indicators,
    score_tables,
)
from ..findings import Finding
from ..model import Report, resolve
from ..values import fmt
from .common import indicator_name, quantity, same_value, table_name

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
            yield BASIC + ("专项明细", r, "金额", 2), ("项目", i, "项目资金", "年度资金总额", "全年执行数"), f"基础数据表 专项“{row.名称}”{dec[2]}", "项目自评表 年度资金总额全年执行数"
    c = ctx.checklist
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
        if not same_value(Decimal(a), Decimal(b)):
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
        if candidates and not any(same_value(budget, v) for v in candidates):
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
            overall.setdefault(indicator_name(ind), (ind, q))
    for prefix, table in score_tables(ctx.sub):
        if prefix == OVERALL:
            continue
        for sub_path, _g, ind in indicators(table.绩效指标):
            q = quantity(ind.实际完成值)
            first = overall.get(indicator_name(ind))
            if q is None or q.op or first is None:
                continue
            if first[1].unit == q.unit and first[1].number != q.number:
                yield ctx.finding(
                    prefix + sub_path + ("实际完成值",),
                    "fact-conflict",
                    f"指标“{indicator_name(ind)}”实际完成值为 {ind.实际完成值.strip()}，但部门整体支出绩效自评表中同名指标为 {first[0].实际完成值.strip()}：同一个数应一致，请核对",
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
            name = indicator_name(ind)
            aliases = [name] + [name[: -len(s)] for s in _SUFFIXES if name.endswith(s) and len(name) - len(s) >= 4]
            out.append((tuple(aliases), q.number, q.unit, f"{table_name(ctx, prefix)}指标“{name}”实际完成值"))
    return out


def _quotes(text: str, aliases: tuple[str, ...], unit: str) -> list[tuple[Decimal, str]]:
    """(number, the quoted words) for each place the text quotes one of the aliases."""
    found = []
    taken: list[tuple[int, int]] = []
    for alias in sorted(aliases, key=len, reverse=True):
        if alias not in text:  # the pattern starts with the alias itself: no match (and no pattern to compile)
            continue
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
            if not quoted or any(same_value(q, value) for _, q, _w in quoted):
                continue
            # several quotes, none matching: the nearest one is the one meant
            path, _q, words = min(quoted, key=lambda pq: abs(pq[1] - value))
            yield ctx.finding(path, "narrative-conflict", f"报告中写“{words}”，但 {where}为 {fmt(value)}{unit}：请按表中数字改正")


