"""The annexes of a department-year typed clerk-style into a `clerkdocs.ClerkDoc` (see clerkdocs.py).

Each writer prints the same labels, rows and columns as the official form of its form set
(templates/汨罗, templates/隆回) and the same figures and texts as the derived model; only
the layout and the typing vary. Labels go through `label` (spaces, widths, runs), amounts
through `amount` (separators, 万元, full-width digits, trailing spaces); everything else is
printed verbatim.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from annexgen.model import Group, Project, Report, Submission
from annexgen.render import show
from annexgen.values import unit_of
from clerkdocs import Cell, ClerkDoc, Planned, Row, Year

_SWAP = str.maketrans({"(": "（", ")": "）", "（": "(", "）": ")", "：": ":", ":": "："})
_FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


# --- cells -------------------------------------------------------------------------------------------------


#: a value as the form prints it (amounts with the precision and unit written, percents as written)
printed = show


def label(doc: ClerkDoc, text: str, spaced: bool = True) -> list[list[str]]:
    """A label as a clerk types it: widths swapped, short labels spaced out, each line split into runs."""
    s = doc.style
    if s.swapped_widths and doc.next(2):
        text = text.translate(_SWAP)
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if s.spaced_labels and spaced and 2 <= len(line) <= 5 and not any(c.isdigit() for c in line) and doc.next(2):
            line = ("  " if len(line) == 2 else " ").join(line)
        if s.split_runs and len(line) >= 4:
            a, b = len(line) // 3, 2 * len(line) // 3
            out.append([line[:a], line[a:b], line[b:]])
        else:
            out.append([line])
    return out


def L(doc: ClerkDoc, text: str, span: int = 1) -> Cell:
    return Cell(label(doc, text), span)


def V(doc: ClerkDoc, value: Any, span: int = 1) -> Cell:
    """A value cell, verbatim: several lines as several paragraphs, or as line breaks in one."""
    text = printed(value)
    if "\n" in text and doc.next(2):
        return Cell([[text]], span)
    return Cell([[line] if line else [] for line in text.split("\n")], span)


def E(span: int = 1) -> Cell:
    return Cell([[]], span)


def amount(doc: ClerkDoc, value: Decimal | None, unit: str = "万元") -> str:
    """An amount as a clerk types it; the value and its decimals never change. `unit` "" for m²."""
    if value is None:
        return ""
    written = unit_of(value)
    plain = format(value, "f")
    if not doc.style.amounts:
        return plain + written
    grouped = format(value, ",f")
    k = doc.next(6)
    if written:
        return [plain + written, grouped + written, plain + written + " ", grouped + " " + written, plain + written, grouped + written][k]
    variants = [plain, grouped, plain + unit, plain.translate(_FULL) if value >= 0 else plain, plain + "  ", grouped + " " + unit]
    return variants[k]


def A(doc: ClerkDoc, value: Decimal | None, span: int = 1, unit: str = "万元") -> Cell:
    return Cell([[amount(doc, value, unit)]], span)


def signature(doc: ClerkDoc, sub: Submission) -> None:
    """The signature line below a table (only where the department has one)."""
    sig = sub.部门.签字
    if sig is None:
        return
    parts = [f"填表人：{printed(sig.填表人)}", f"填报日期：{printed(sig.填报日期)}", f"联系电话：{printed(sig.联系电话)}", f"单位负责人签字：{printed(sig.单位负责人)}"]
    k = doc.next(3)
    if k == 0:
        doc.paragraph("  ".join(parts))
    elif k == 1:
        doc.paragraph([parts[0], "\t\t", parts[1]])
        doc.paragraph([parts[2], "\t\t", parts[3]])
    else:
        doc.paragraph(["\u3000".join(parts[:2]), "\u3000\u3000", "\u3000".join(parts[2:])])


def notes(doc: ClerkDoc, texts: list[str]) -> None:
    for text in texts:
        doc.paragraph(text)


# --- 基础数据表 ---------------------------------------------------------------------------------------------

_FUNDS = {
    "汨罗": [("“三公”经费", "三公经费"), ("1、公务用车购置和维护经费", "公务用车购置和维护经费"), ("其中：公车购置", "公车购置"), ("公车运行维护", "公车运行维护"),
             ("2、出国经费", "出国经费"), ("3、公务接待", "公务接待"), ("项目支出：", "项目支出"), ("1、业务工作经费", "业务工作经费"),
             ("2、运行维护经费", "运行维护经费"), ("3、县级专项资金", "县级专项资金"), ("", "专项明细"), ("公用经费", "公用经费"),
             ("其中：办公经费", "办公经费"), ("水费、电费、差旅费", "水费电费差旅费"), ("会议费、培训费", "会议费培训费"), ("政府采购金额", "政府采购金额"),
             ("部门基本支出预算调整", "部门基本支出预算调整")],
    "隆回": [("三公经费：", "三公经费"), ("1、 公务用车购置和维护经费", "公务用车购置和维护经费"), ("其中：公车购置", "公车购置"), ("公车运行维护", "公车运行维护"),
             ("2、出国经费", "出国经费"), ("3、公务接待费", "公务接待"), ("县级专项资金：", "项目支出"), ("1、业务工作经费", "业务工作经费"),
             ("2、运行维护经费", "运行维护经费"), ("......", None), ("3、县级专项资金（每个专项一行）", "县级专项资金"), ("", "专项明细"), ("......", None),
             ("公用经费", "公用经费"), ("其中：办公经费", "办公经费"), ("水费、电费、差旅费", "水费电费差旅费"), ("会议费、培训费", "会议费培训费"),
             ("政府采购金额", "政府采购金额"), ("部门基本支出预算调整", "部门基本支出预算调整")],
}
_BUILDING = {
    "汨罗": ("楼堂馆所控制情况\n({y}年完工项目)", ["批复规模 (m²)", "实际规模(m²)", "规模控制率", "预算投资\n(万元)", "实际投资 (万元)", "投资概算控制率"], "厉行节约保障措施"),
    "隆回": ("楼堂馆所控制情况 （{y}年完工项目）", ["批复规模（㎡）", "实际规模（㎡）", "规模控制率", "预算投资（万元）", "实际投资（万元）", "投资概算控制率"], "例行节约保障措施"),
}


def _set(year: Year) -> str:
    return "隆回" if year.form_set.name == "隆回" else "汨罗"


def basic_data(doc: ClerkDoc, year: Year, planned: Planned) -> None:
    sub, b, form = year.sub, year.sub.基础数据表, _set(year)
    uneven = doc.style.uneven_rows
    lab = 2 if uneven else 1  # the clerk's label column is two grid columns wide
    widths = [1200] * lab + [1050] * 6 if uneven else [2400] + [1050] * 6
    y = sub.年度
    cols = b.年度标签.经费控制情况 or [y - 1, y, y]
    staff = b.财政供养人员情况
    rows: list[Row] = []
    if form == "隆回":
        rows.append(Row([L(doc, "单位名称", lab), V(doc, sub.部门.部门名称, 6)]))
    rows.append(Row([L(doc, "财政供养人员情况(人)" if form == "汨罗" else "财政供养人员情况", lab), L(doc, "编制数", 2),
                     L(doc, f"{b.年度标签.实际在职人数 or y}年实际在职\n人数", 2), L(doc, "控制率", 2)]))
    values = [V(doc, staff.编制数, 2), V(doc, staff.实际在职人数, 2), V(doc, staff.控制率, 2)]
    rows.append(Row(values, before=lab) if uneven else Row([E(lab)] + values))
    rows.append(Row([L(doc, "经费控制情况(万元)" if form == "汨罗" else "经费控制情况（万元）", lab)] + [L(doc, f"{c}年{w}算数", 2) for c, w in zip(cols, "决预决")]))
    funds = b.经费控制情况
    for text, name in _FUNDS[form]:
        if name == "专项明细":
            rows.extend(Row([V(doc, s.名称, lab)] + [A(doc, v, 2) for v in s.金额]) for s in funds.专项明细)
        elif name is None:
            rows.append(Row([L(doc, text, lab), E(2), E(2), E(2)]))
        else:
            row = getattr(funds, name) or [None, None, None]
            rows.append(Row([L(doc, text, lab)] + [A(doc, v, 2) for v in row]))
    head, columns, saving = _BUILDING[form]
    building = b.楼堂馆所控制情况
    rows.append(Row([L(doc, head.format(y=b.年度标签.楼堂馆所控制情况 or y), lab)] + [L(doc, c) for c in columns]))
    fields = ["批复规模", "实际规模", "规模控制率", "预算投资", "实际投资", "投资概算控制率"]
    cells = []
    for name in fields:
        value = getattr(building, name) if building is not None else None
        cells.append(V(doc, value) if "率" in name else A(doc, value, unit="" if "规模" in name else "万元"))
    rows.append(Row([E(lab)] + cells))
    rows.append(Row([L(doc, saving, lab), V(doc, b.厉行节约保障措施, 5)], after=1) if uneven else Row([L(doc, saving, lab), V(doc, b.厉行节约保障措施, 6)]))
    doc.table(widths, rows)
    doc.blank()
    notes(doc, b.表注)
    signature(doc, sub)


# --- 部门整体支出绩效自评表 and 项目支出绩效自评表 -------------------------------------------------------------------

_FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
WIDTHS9 = [500, 900, 1000, 1500, 1000, 1000, 600, 600, 1300]


def _fund_header(doc: ClerkDoc, text: str) -> Row:
    heads = [L(doc, c[:2] + "\n" + c[2:] if doc.next(2) and len(c) > 3 else c) for c in _FUND_COLUMNS]
    if doc.style.uneven_rows:  # the label cell merged with the blank cell beside it
        return Row([L(doc, text, 3)] + heads)
    return Row([L(doc, text), E(2)] + heads)


def _fund_line(doc: ClerkDoc, text: str, line: Any) -> Row:
    return Row([E(), L(doc, text, 2), A(doc, line.年初预算数), A(doc, line.全年预算数), A(doc, line.全年执行数),
                V(doc, line.分值), V(doc, line.执行率), V(doc, line.得分)])


def _goals(doc: ClerkDoc, goals: Any, text: str) -> list[Row]:
    texts = [V(doc, goals.预期目标, 4), V(doc, goals.实际完成情况, 4)]
    return [Row([L(doc, text), L(doc, "预期目标", 4), L(doc, "实际完成情况", 4)]),
            Row(texts, before=1) if doc.style.uneven_rows else Row([E()] + texts)]


def indicator_rows(doc: ClerkDoc, groups: list[Group], head: str, total: Any, wide_score: bool) -> list[Row]:
    """The 绩效指标 block: header, one row per 三级指标 (no merges: a continued cell is left empty), its blank rows, 总分."""
    uneven, extra = doc.style.uneven_rows, doc.style.extra_rows
    rows = [Row([L(doc, head)] + [L(doc, c) for c in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")]
                + [L(doc, "偏差原因\n分析及\n改进措施" if doc.next(2) else "偏差原因分析及改进措施")])]
    if extra:
        rows.append(Row([E() for _ in range(9)]))
    n = 0
    for group in groups:
        first_group = True
        for sub in group.二级指标:
            first_sub = True
            for ind in sub.三级指标:
                n += 1
                cells = [V(doc, group.名称 if first_group else None), V(doc, sub.名称 if first_sub else None), V(doc, ind.名称),
                         V(doc, ind.年度指标值), V(doc, ind.实际完成值), V(doc, ind.分值), V(doc, ind.得分), V(doc, ind.偏差原因分析及改进措施)]
                rows.append(Row(cells, before=1) if uneven and n % 3 == 0 else Row([E()] + cells))
                for _ in range(ind.其后空行):
                    rows.append(Row([E(), E(), E(6)], before=1) if uneven else Row([E() for _ in range(9)]))
                first_group = first_sub = False
    if extra:
        rows.extend(Row([E(), E(), E(), Cell([[t]]), E(), E(), E(), E(), E()]) for t in ("指标1", "……"))
    if wide_score:
        rows.append(Row([L(doc, "总分", 6), V(doc, total.分值), V(doc, total.得分, 2)]))
    elif uneven:
        rows.append(Row([L(doc, "总分", 6), V(doc, total.分值), V(doc, total.得分)], after=1))
    else:
        rows.append(Row([L(doc, "总分", 6), V(doc, total.分值), V(doc, total.得分), E()]))
    return rows


def overall_table(doc: ClerkDoc, year: Year, planned: Planned) -> None:
    sub, form = year.sub, _set(year)
    t = sub.整体自评.部门整体支出绩效自评表
    rows = [Row([L(doc, "预算部门\n名称" if form == "汨罗" else "预算单位名称", 2), V(doc, sub.部门.部门名称, 7)]),
            _fund_header(doc, "年度预算申请(万元)"), _fund_line(doc, "年度资金总额", t.年度资金总额),
            Row([E(), L(doc, "按收入性质分：", 4), L(doc, "按支出性质分：", 4)])]
    inc, out = t.按收入性质分, t.按支出性质分
    lines = [("其中：一般公共预算：", inc.一般公共预算, "其中：基本支出：", out.基本支出),
             ("政府性基金拨款：", inc.政府性基金拨款, "项目支出：" if form == "汨罗" else "县级专项资金：", out.项目支出),
             ("纳入专户管理的非税收入拨款：", inc.纳入专户管理的非税收入拨款, None, None), ("其他资金：", inc.其他资金, None, None)]
    def typed(text: str, value: Any) -> Cell:  # "其中：基本支出：" and its figure in one cell
        runs = [text, amount(doc, value)]
        return Cell([runs if doc.style.split_runs else ["".join(runs)]], 4)

    for i, (left, a, right, b) in enumerate(lines):
        cells = [E(), typed(left, a)]
        if right is not None:
            rows.append(Row(cells + [typed(right, b)]))
        elif not doc.style.uneven_rows:
            rows.append(Row(cells + [E(4)]))
        elif i == 2:
            rows.append(Row(cells, after=4))  # the row ends where its text ends
        else:  # the figure in a cell of its own beside its label
            rows.append(Row([E(), L(doc, left, 2), Cell([[amount(doc, a)]], 2)], after=4))
    rows += _goals(doc, t.年度总体目标, "年度总体目标")
    rows += indicator_rows(doc, t.绩效指标, "绩效指标" if form == "汨罗" else "绩\n效\n指\n标", t.总分, form == "隆回")
    doc.table(WIDTHS9, rows)
    doc.blank()
    notes(doc, t.表注)
    signature(doc, sub)


def project_table(doc: ClerkDoc, year: Year, planned: Planned) -> None:
    sub = year.sub
    p: Project = sub.项目[planned.project]
    funds = p.项目资金
    rows = [Row([L(doc, "项目支出名称", 2), V(doc, p.项目名称, 7)]),
            Row([L(doc, "主管部门", 2), V(doc, p.主管部门 or sub.部门.部门名称, 3), L(doc, "实施\n单位"), V(doc, p.实施单位 or sub.部门.部门名称, 3)]),
            _fund_header(doc, "项目资金(万元)")]
    for text, name in (("年度资金总额", "年度资金总额"), ("其中：当年财政拨款", "当年财政拨款"), ("上年结转资金", "上年结转资金"), ("其他资金", "其他资金")):
        rows.append(_fund_line(doc, text, getattr(funds, name)))
    rows += _goals(doc, p.年度总体目标, "年度总体目标")
    rows += indicator_rows(doc, p.绩效指标, "绩效指标", p.总分, _set(year) == "隆回")
    doc.table(WIDTHS9, rows)
    doc.blank()
    notes(doc, p.表注)
    signature(doc, sub)


# --- the 隆回 自评基础数据表 (是☑/否□) ------------------------------------------------------------------------------

_HAS = {"有无截留坐支转移等现象", "资金拨付有完整的审批程序"}  # answered 有/无 rather than 是/否


def _ticks(doc: ClerkDoc, question: str, value: bool | None, words: str) -> str:
    yes, no = ("☑" if value is True else "□"), ("☑" if value is False else "□")
    colon = "：" if doc.next(2) else ":"
    gap = ["  ", "   ", "\u3000"][doc.next(3)]
    if question == "年度是否制定了政府采购计划":  # the form prints this one "是 ☑    □否"
        return f"{question}{colon}{words[0]} {yes}    {no}{words[1]}"
    return f"{question}{colon}{words[0]}{yes}{gap}{words[1]}{no}"


def _section_lines(doc: ClerkDoc, section: Any) -> list[str]:
    lines = []
    for name, info in type(section).model_fields.items():
        value = getattr(section, name)
        question = info.alias or name
        if name in ("应采购金额", "结余金额", "公开时间", "公开方式"):
            continue
        if name == "实际采购金额":
            lines.append(f"应采购金额 {amount(doc, section.应采购金额, '')}\u3000万元，实际采购金额{amount(doc, value, '')}\u3000万元")
            continue
        line = _ticks(doc, question, value, "有无" if name in _HAS else "是否")
        if name == "本年度是否有结余":
            line += f"，结余金额{amount(doc, section.结余金额, '')} 万元"
        lines.append(line)
        if name == "预决算信息是否公开":
            lines.append(f"公开时间：{printed(section.公开时间)}")
            way = section.公开方式
            lines.append("公开方式：" + "     ".join(f"{w}{'☑' if getattr(way, w) else '□'}" for w in ("门户网站", "单位内部", "其它")))
    return lines


def checklist(doc: ClerkDoc, year: Year, planned: Planned) -> None:
    sub = year.sub
    c = sub.整体自评.自评基础数据表
    uneven = doc.style.uneven_rows
    basics, inc, out = c.基本情况, c.基本情况.年度收入, c.基本情况.年度支出
    doc.paragraph(f"单位名称（盖章）：{sub.部门.部门名称}" if doc.next(2) else f"单位名称(盖章）:{sub.部门.部门名称}")
    tail = {"after": 2} if uneven else {}
    blank2 = [] if uneven else [E(), E()]
    rows = [Row([L(doc, "基本情况"), L(doc, "编制人数"), V(doc, basics.编制人数, 2), L(doc, "实有人数"), V(doc, basics.实有人数, 3)]),
            Row([E(), L(doc, "部门职能概述"), V(doc, basics.部门职能概述, 6)]),
            Row([E(), L(doc, "年度收入（万元）"), L(doc, "县财政预算安排"), A(doc, inc.县财政预算安排), L(doc, "非税收入"), A(doc, inc.非税收入), L(doc, "合计"), A(doc, inc.合计)]),
            Row([E(), E(), L(doc, "中央省市安排资金"), A(doc, inc.中央省市安排资金), L(doc, "其他收入"), A(doc, inc.其他收入)] + blank2, **tail),
            Row([E(), L(doc, "年度支出\n（万元）"), L(doc, "基本支出"), A(doc, out.基本支出), L(doc, "项目支出"), A(doc, out.项目支出), L(doc, "合计"), A(doc, out.合计)]),
            Row([E(), E(), L(doc, "其中三公经费支出"), A(doc, out.其中三公经费支出), E(), E()] + blank2, **tail)]
    for i, (name, section) in enumerate((n, getattr(c.实施情况, n)) for n in type(c.实施情况).model_fields):
        lines = _section_lines(doc, section)
        cell = Cell([[line] for line in lines], 6) if doc.next(2) else Cell([["\n".join(lines)]], 6)
        rows.append(Row([L(doc, "实\n施\n情\n况") if i == 0 else E(), L(doc, name), cell]))
    for text, value in (("部门\n主要绩效", c.部门主要绩效), ("自评结论", c.自评结论), ("问题与建议", c.问题与建议), ("主管部门意见", c.主管部门意见)):
        rows.append(Row([L(doc, text), V(doc, value, 6)], before=1) if uneven and text == "自评结论" else Row([L(doc, text, 2), V(doc, value, 6)]))
    doc.table([700, 1500, 1300, 1100, 1000, 1100, 700, 1100], rows)
    doc.blank(2)
    doc.paragraph("主管部门（盖章）：")
    doc.blank(2)
    notes(doc, c.表注)


# --- reports ------------------------------------------------------------------------------------------------


def _body(doc: ClerkDoc, blocks: list, level: int = 1) -> None:
    fonts = {1: "黑体", 2: "楷体_GB2312"}
    for block in blocks or []:
        if isinstance(block, str):
            doc.paragraph(block, indent=True)
            continue
        for heading, inner in block.items():
            doc.paragraph(heading, bold=True, font=fonts.get(level), indent=True)
            _body(doc, inner or [], level + 1)


def report(doc: ClerkDoc, year: Year, planned: Planned) -> None:
    sub = year.sub
    rep: Report = sub.项目[planned.project].自评报告 if planned.project is not None else sub.自评报告.部门整体支出绩效自评报告
    doc.title(planned.title)
    if rep.封面 is not None:
        name = rep.封面.部门名称 or sub.部门.部门名称
        day = rep.封面.日期 or (sub.部门.签字.填报日期 if sub.部门.签字 else None)
        doc.blank(6)
        spaced = planned.project is not None
        doc.paragraph(f"部 门 名 称 ： {name}" if spaced else f"部门名称：{name}", size=32, center=True)
        if day is not None:
            doc.paragraph(f"{day.year}  年 {day.month} 月 {day.day} 日" if spaced else printed(day), size=32, center=True)
        if planned.project is None:
            doc.paragraph("（此页为封面）", center=True)
        doc.page_break()
    else:
        doc.blank()
    if rep.副标题:
        doc.paragraph(rep.副标题, bold=True, size=36, center=True)
        doc.blank()
    _body(doc, rep.正文)
    if rep.附件清单:
        doc.blank(2)
        for i, item in enumerate(rep.附件清单, 1):
            doc.paragraph(f"附件：{i}.{item}" if i == 1 else f"      {i}.{item}")


WRITERS = {"基础数据表": basic_data, "部门整体支出绩效自评表": overall_table, "项目支出绩效自评表": project_table,
           "自评基础数据表": checklist, "部门整体支出绩效自评报告": report, "项目支出绩效自评报告": report}


def write_annex(doc: ClerkDoc, year: Year, planned: Planned) -> None:
    """One annex: its label (as the style says), its title, its content, what follows the table."""
    doc.label(planned.printed_number)
    if planned.kind not in ("部门整体支出绩效自评报告", "项目支出绩效自评报告"):
        doc.title(planned.title)
        doc.blank()
    WRITERS[planned.kind](doc, year, planned)
