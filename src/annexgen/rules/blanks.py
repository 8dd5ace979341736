"""Guidance for a year not filled in yet (a folder made by `annexgen new`): what is still blank.

A blank that only means "not written yet" is not an arithmetic mistake: these
warnings say where to write, and the arithmetic rules leave such rows alone
(`score-missing` skips a row with nothing to score yet). Each fires only where a
finished submission is never blank (a whole column, a whole section, a score
row with no result), so a transcribed form with some blank cells stays quiet.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..check import Context, rule
from ..derive import BASIC, CHECKLIST, column_names, fund_line_path, indicators, score_tables
from ..findings import Finding
from ..model import Form, Report, is_written, resolve
from .common import indicator_name, table_name, unfilled_line, unfilled_result

FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")


def _values(form: Form | None) -> list:
    return [getattr(form, name) for name in type(form).model_fields] if form is not None else []


def _report_has_text(blocks: list | None) -> bool:
    for block in blocks or []:
        if isinstance(block, str) or isinstance(block, dict) and any(_report_has_text(v) for v in block.values()):
            return True
    return False


@rule(
    "not-filled",
    "warning",
    "本年度尚未填写的内容（annexgen new 生成的新年度）：资金执行数、指标实际完成值和得分、总分、在职人数、经费控制情况本年两列、自评基础数据表、报告正文",
    "尚未填写：部门整体支出绩效自评表 14 个指标的实际完成值、得分（从指标“城镇新增就业人数”起）",
)
def not_filled(ctx: Context) -> Iterator[Finding]:
    yield from _tables(ctx)
    yield from _basic(ctx)
    yield from _checklist(ctx)
    yield from _reports(ctx)


def _tables(ctx: Context) -> Iterator[Finding]:
    for prefix, table in score_tables(ctx.sub):
        name = table_name(ctx, prefix)
        lp = fund_line_path(prefix)
        line = resolve(ctx.sub, lp)
        if unfilled_line(line):
            blank = [c for c in FUND_COLUMNS if getattr(line, c) is None]
            derived = [k for k in ("执行率", "得分") if is_written(ctx.sub, lp + (k,)) and getattr(line, k) is None]
            hint = f"（{'、'.join(derived)}可删去，由程序计算）" if derived else ""
            yield ctx.finding(lp, "not-filled", f"尚未填写：{name} 年度资金总额的 {'、'.join(blank)}{hint}")
        rows = [(p, ind) for p, _g, ind in indicators(table.绩效指标) if ind.分值 is not None and ind.得分 is None and unfilled_result(ind.实际完成值)]
        if rows:
            first_path, first = rows[0]
            yield ctx.finding(
                prefix + first_path + ("实际完成值",),
                "not-filled",
                f"尚未填写：{name} {len(rows)} 个指标的实际完成值、得分（从指标“{indicator_name(first)}”起）",
            )
        goals = table.年度总体目标
        if goals.预期目标 is not None and goals.实际完成情况 is None:
            yield ctx.finding(prefix + ("年度总体目标", "实际完成情况"), "not-filled", f"尚未填写：{name} 年度总体目标的实际完成情况")
        if is_written(ctx.sub, prefix + ("总分", "得分")) and table.总分.得分 is None:
            yield ctx.finding(prefix + ("总分", "得分"), "not-filled", f"尚未填写：{name} 总分行的得分（可删去此项，由程序合计各行得分）")


def _basic(ctx: Context) -> Iterator[Finding]:
    b = ctx.sub.基础数据表
    if b is None:
        return
    staff = ("基础数据表", "财政供养人员情况")
    if b.财政供养人员情况.实际在职人数 is None:
        yield ctx.finding(staff + ("实际在职人数",), "not-filled", "尚未填写：财政供养人员情况的实际在职人数（控制率不写时由程序计算）")
    funds = b.经费控制情况
    rows = [v for v in _values(funds) if isinstance(v, list) and len(v) == 3] + [item.金额 for item in funds.专项明细]
    if rows and all(r[1] is None and r[2] is None for r in rows):
        cols = column_names(ctx.sub.年度)
        yield ctx.finding(BASIC, "not-filled", f"尚未填写：经费控制情况的 {cols[1]}、{cols[2]} 两列")


def _checklist(ctx: Context) -> Iterator[Finding]:
    c = ctx.checklist
    if c is None:
        return
    basics = c.基本情况
    blank = (["实有人数"] if basics.实有人数 is None else []) + [
        name for name in ("年度收入", "年度支出") if all(v is None for v in _values(getattr(basics, name)))
    ]
    if blank:
        yield ctx.finding(CHECKLIST + ("基本情况",), "not-filled", f"尚未填写：自评基础数据表 基本情况的 {'、'.join(blank)}")
    if all(v is None for section in _values(c.实施情况) for v in _values(section) if not isinstance(v, Form)) and all(
        v is None for v in _values(c.实施情况.预算执行.公开方式)
    ):
        yield ctx.finding(CHECKLIST + ("实施情况",), "not-filled", "尚未填写：自评基础数据表 实施情况的各项（勾选写 true 为是、false 为否，金额写数字）")
    if is_written(ctx.sub, CHECKLIST + ("自评结论",)) and c.自评结论 is None:
        yield ctx.finding(CHECKLIST + ("自评结论",), "not-filled", "尚未填写：自评结论（可删去此项，由程序按总分推算）")


def _reports(ctx: Context) -> Iterator[Finding]:
    reports: list[tuple[tuple, Report, str]] = []
    if ctx.sub.自评报告 is not None:
        reports.append((("自评报告", "部门整体支出绩效自评报告"), ctx.sub.自评报告.部门整体支出绩效自评报告, "部门整体支出绩效自评报告"))
    for i, p in enumerate(ctx.sub.项目):
        if p.自评报告 is not None:
            reports.append((("项目", i, "自评报告"), p.自评报告, f"项目“{p.项目名称}”的自评报告"))
    for path, report, name in reports:
        if not _report_has_text(report.正文):
            yield ctx.finding(path + ("正文",), "not-filled", f"尚未填写：{name}正文只有标题，请在各标题下写本年度的内容")
