"""Render: fill a form set's docxtpl templates with a derived submission.

Step 5 of the pipeline (load → model → derive → check → **render** → write).

Every value reaches the templates as text, formatted as the form prints it
(amounts as written, blank cells empty) and XML-escaped by Jinja's autoescape;
docxtpl turns a newline in a value into a line break. The indicator table's
grouped cells are merged after rendering: a cell whose text is `MERGE` joins
the cell above it, so 一级指标 and 二级指标 span exactly their own group's rows
and the 绩效指标 label spans the whole block, whatever the template's columns.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from pydantic import BaseModel

from .compiled import compiled
from .merge import MERGE
from .errors import AnnexgenError
from .findings import display_path
from .forms import PER_PROJECT, AnnexSpec, FormSet, fill_pattern
from .model import BuildingControl, FundLine, Group, Project, Report, Submission
from .profile import LABELS, annex_label
from .values import Percent, unit_of
from .write import CoreProperties



class RenderError(AnnexgenError):
    """Raised when a template cannot be rendered (a broken tag, an unknown name)."""

    code = "template-error"


@dataclass(frozen=True)
class Rendered:
    """One built annex: its number, its file name and the .docx bytes."""

    number: str
    name: str
    data: bytes

    @property
    def filename(self) -> str:
        return safe_filename(f"附件{self.number} {self.name}", ".docx")


_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]')
#: bytes (UTF-8) a file name may take: file systems hold 255; the rest is a margin for copies ("… (1).docx")
MAX_NAME_BYTES = 200


def safe_filename(name: str, suffix: str = "") -> str:
    """A file name that stays inside its folder and fits the file system, on Linux and Windows.

    Characters a file name cannot hold become "_". A name too long is cut at a character
    boundary and ends in "…", deterministically: the start (附件 number, then the name)
    is kept, so names that differ in their number stay different.
    """
    name = _UNSAFE.sub("_", name).strip(" .") or "_"
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    if len(name.encode("utf-8")) > budget:
        cut = name.encode("utf-8")[: budget - len("…".encode("utf-8"))].decode("utf-8", "ignore")
        name = cut.rstrip(" .") + "…"
    return name + suffix


# --- values as the forms print them ---------------------------------------------------------


def show(value: Any) -> str:
    """A value as printed: amounts as written (with their unit where written so), blanks empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f") + unit_of(value)
    if isinstance(value, Percent):
        return value.text
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    # line ends as Word has them: one line break for \r\n, \r or \n
    return str(value).replace(MERGE, "").replace("\r\n", "\n").replace("\r", "\n")


def _model(obj: Any) -> dict[str, str]:
    """A form's fields as printed text, keyed by field name."""
    return {name: show(getattr(obj, name)) for name in type(obj).model_fields}


def _rows(obj: Any) -> dict[str, list[str]]:
    return {name: [show(v) for v in (getattr(obj, name) or [None, None, None])] for name in type(obj).model_fields if name != "专项明细"}


def title_lines(written: str | None, annex: AnnexSpec, sub: Submission, **names: Any) -> list[str]:
    """The title's paragraphs: as written in the data, else the form set's default."""
    text = written if written else fill_pattern(annex, "默认标题", 年度=sub.年度, 部门名称=sub.部门.部门名称, **names)
    return [show(line) for line in text.split("\n")]


def indicator_rows(groups: list[Group]) -> list[dict[str, str]]:
    """One row per 三级指标 (and per blank row after it); grouped cells carry `MERGE` below their first row."""
    rows: list[dict[str, str]] = []
    for group in groups:
        first_of_group = True
        for sub in group.二级指标:
            first_of_sub = True
            for ind in sub.三级指标:
                rows.append(
                    {
                        "空行": False,
                        "续": MERGE,
                        "一级": show(group.名称) if first_of_group else MERGE,
                        "二级": show(sub.名称) if first_of_sub else MERGE,
                        "三级": show(ind.名称),
                        "年度指标值": show(ind.年度指标值),
                        "实际完成值": show(ind.实际完成值),
                        "分值": show(ind.分值),
                        "得分": show(ind.得分),
                        "偏差": show(ind.偏差原因分析及改进措施),
                    }
                )
                blank = dict.fromkeys(("三级", "年度指标值", "实际完成值", "分值", "得分", "偏差"), "")
                rows.extend({"空行": True, "续": MERGE, "一级": MERGE, "二级": MERGE, **blank} for _ in range(ind.其后空行))
                first_of_group = first_of_sub = False
    return rows


def report_blocks(blocks: list, level: int = 1) -> list[dict[str, Any]]:
    """A report body as paragraphs with their heading level (a paragraph's level is 0)."""
    out: list[dict[str, Any]] = []
    for block in blocks or []:
        if isinstance(block, str):
            out.append({"级别": 0, "文字": show(block)})
        else:
            for heading, inner in block.items():
                out.append({"级别": level, "文字": show(heading)})
                out.extend(report_blocks(inner or [], level + 1))
    return out


# --- contexts per kind of annex --------------------------------------------------------------


def _common(sub: Submission, number: str, title: list[str], notes: list[str]) -> dict[str, Any]:
    sig = sub.部门.签字
    return {
        "部门名称": show(sub.部门.部门名称),
        "年度": str(sub.年度),
        "附件号": number,
        "标题行": title,
        "表注": [show(n) for n in notes],
        "签字": sig is not None,
        "填表人": show(sig.填表人) if sig else "",
        "填报日期": show(sig.填报日期) if sig else "",
        "联系电话": show(sig.联系电话) if sig else "",
        "单位负责人": show(sig.单位负责人) if sig else "",
    }


def _missing(what: str, annex: AnnexSpec) -> RenderError:
    return RenderError(f"错误: 表样的附件{annex.编号}（{annex.名称}）需要 {what}，但数据里没有：请补上这个文件")


def _basic(sub: Submission, annex: AnnexSpec, number: str) -> dict[str, Any]:
    b = sub.基础数据表
    if b is None:
        raise _missing("基础数据表.yaml", annex)
    year = sub.年度
    labels = b.年度标签
    cols = labels.经费控制情况 or [year - 1, year, year]
    ctx = _common(sub, number, title_lines(b.标题, annex, sub), b.表注)
    ctx.update(
        {
            "在职人数年": str(labels.实际在职人数 or year),
            "楼堂馆所年": str(labels.楼堂馆所控制情况 or year),
            "列": [f"{cols[0]}年决算数", f"{cols[1]}年预算数", f"{cols[2]}年决算数"],
            "人员": _model(b.财政供养人员情况),
            "经费": _rows(b.经费控制情况),
            "专项明细": [{"名称": show(s.名称), "金额": [show(v) for v in s.金额]} for s in b.经费控制情况.专项明细],
            "楼堂馆所": _model(b.楼堂馆所控制情况 or BuildingControl()),
            "厉行节约保障措施": show(b.厉行节约保障措施),
        }
    )
    return ctx


def _table(table: Any) -> dict[str, Any]:
    return {
        "目标": _model(table.年度总体目标),
        "指标行": indicator_rows(table.绩效指标),
        "总分": _model(table.总分),
    }


def _ticks(obj: Any) -> dict[str, Any]:
    """A checklist section for the form: answers as ☑/□ marks, figures and text as printed."""
    out: dict[str, Any] = {}
    for name, info in type(obj).model_fields.items():
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            out[name] = _ticks(value)
        elif "bool" in str(info.annotation):
            out[name] = {"是": "☑" if value is True else "□", "否": "☑" if value is False else "□"}
        else:
            out[name] = show(value)
    return out


def _checklist(sub: Submission, annex: AnnexSpec, number: str) -> dict[str, Any]:
    c = sub.整体自评.自评基础数据表 if sub.整体自评 else None
    if c is None:
        raise _missing("整体自评.yaml 中的“自评基础数据表”", annex)
    ctx = _common(sub, number, title_lines(c.标题, annex, sub), c.表注)
    ctx.update(
        {
            "基本": _ticks(c.基本情况),
            "实施": _ticks(c.实施情况),
            "部门主要绩效": show(c.部门主要绩效),
            "自评结论": show(c.自评结论),
            "问题与建议": show(c.问题与建议),
            "主管部门意见": show(c.主管部门意见),
        }
    )
    return ctx


def _overall_table(sub: Submission, annex: AnnexSpec, number: str) -> dict[str, Any]:
    if sub.整体自评 is None:
        raise _missing("整体自评.yaml", annex)
    t = sub.整体自评.部门整体支出绩效自评表
    title = title_lines(t.标题, annex, sub)
    ctx = _common(sub, number, title, t.表注)
    ctx.update(_table(t))
    funds = {"年度资金总额": _model(t.年度资金总额)} | {p: _model(getattr(t, p) or FundLine()) for p in ("当年财政拨款", "上年结转资金", "其他资金")}
    ctx.update({"资金": funds, "收入": _model(t.按收入性质分), "支出": _model(t.按支出性质分)})
    return ctx


def _project_table(sub: Submission, annex: AnnexSpec, number: str, p: Project) -> dict[str, Any]:
    title = title_lines(p.标题, annex, sub, 项目名称=p.项目名称)
    ctx = _common(sub, number, title, p.表注)
    ctx.update(_table(p))
    ctx.update(
        {
            "项目名称": show(p.项目名称),
            "主管部门": show(p.主管部门 or sub.部门.部门名称),
            "实施单位": show(p.实施单位 or sub.部门.部门名称),
            "资金": {name: _model(getattr(p.项目资金, name)) for name in type(p.项目资金).model_fields},
        }
    )
    return ctx


def _report(sub: Submission, annex: AnnexSpec, number: str, report: Report | None, what: str, **names: Any) -> dict[str, Any]:
    if report is None:
        raise _missing(what, annex)
    title = title_lines(report.标题, annex, sub, **names)
    ctx = _common(sub, number, title, [])
    cover = None
    if report.封面 is not None:
        day = report.封面.日期 or (sub.部门.签字.填报日期 if sub.部门.签字 else None)
        cover = {
            "部门名称": show(report.封面.部门名称 or sub.部门.部门名称),
            "日期": show(day),
            "年": str(day.year) if day else "",
            "月": str(day.month) if day else "",
            "日": str(day.day) if day else "",
        }
    ctx.update({"封面": cover, "副标题": show(report.副标题), "正文": report_blocks(report.正文), "附件清单": [show(a) for a in report.附件清单]})
    return ctx


# --- rendering --------------------------------------------------------------------------------

class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Jinja for the templates: sandboxed and immutable even though templates are trusted.

    A form set is data a bureau edits in Word and passes around; the sandbox keeps even
    an edited template from reaching Python internals (``lipsum.__globals__``,
    ``''.__class__``) or changing the values it is given. Only ``range`` is global
    (the sandbox bounds it); the template tags docxtpl adds need nothing else.
    """

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined)
        self.globals = {"range": self.globals["range"]}


_ENV = TemplateEnvironment()


def annexes(sub: Submission, form_set: FormSet) -> list[tuple[AnnexSpec, str, str, dict[str, Any]]]:
    """(annex, number, name, context) for every document the form set makes of this submission.

    An annex the manifest marks `必备: false` is made only when its data is there.
    """
    from .requirements import has_data

    out = []
    for annex in form_set.annexes:
        if annex.内容 in PER_PROJECT:
            for n, p in enumerate(sub.项目, 1):
                if not annex.必备 and not has_data(sub, annex, p):
                    continue
                number = fill_pattern(annex, "编号", 序号=n)
                name = fill_pattern(annex, "名称", 项目名称=p.项目名称)
                if annex.内容 == "项目支出绩效自评表":
                    ctx = _project_table(sub, annex, number, p)
                else:
                    ctx = _report(sub, annex, number, p.自评报告, f"项目/{n}-… 中的“自评报告”", 项目名称=p.项目名称)
                out.append((annex, number, name, _profiled(ctx, form_set)))
        else:
            if not annex.必备 and not has_data(sub, annex):
                continue
            number = annex.编号
            if annex.内容 == "基础数据表":
                ctx = _basic(sub, annex, number)
            elif annex.内容 == "部门整体支出绩效自评表":
                ctx = _overall_table(sub, annex, number)
            elif annex.内容 == "自评基础数据表":
                ctx = _checklist(sub, annex, number)
            else:
                report = sub.自评报告.部门整体支出绩效自评报告 if sub.自评报告 else None
                ctx = _report(sub, annex, number, report, "自评报告.yaml")
            out.append((annex, number, annex.名称, _profiled(ctx, form_set)))
    return out


def _profiled(ctx: dict[str, Any], form_set: FormSet) -> dict[str, Any]:
    """What every template gets from the profile: the 附件号 as the set writes it, and 标签 (printed labels)."""
    profile = form_set.profile
    ctx["附件号"] = annex_label(ctx["附件号"], profile.numbering)
    ctx["标签"] = {name: show(profile.label(name)) for name in LABELS}
    return ctx


def render_all(sub: Submission, form_set: FormSet) -> list[Rendered]:
    """Every annex of the submission as .docx bytes, in the form set's order."""
    out = []
    for annex, number, name, ctx in annexes(sub, form_set):
        data = render_annex(form_set.template(annex), ctx, properties(sub, f"附件{number} {name}"))
        out.append(Rendered(number, name, data))
    return out


def render_annex(template: Path, context: dict[str, Any], props: CoreProperties) -> bytes:
    """One annex as .docx bytes; the template is read and compiled once per process (compiled.py)."""
    with _said(template):
        return compiled(template, _ENV).render(context, props)


@contextmanager
def _said(template: Path) -> Iterator[None]:
    """A template that cannot be compiled or filled in raises a RenderError saying so in Chinese, naming it."""
    try:
        yield
    except SecurityError as e:
        raise RenderError(f"{display_path(template)}: 错误: 模板试图访问程序内部，已拒绝（{e}）：请只用表上的名称，并运行 annexgen forms check 找出位置") from None
    except jinja2.TemplateError as e:
        raise RenderError(f"{display_path(template)}: 错误: 模板无法填写（{e}）：请运行 annexgen forms check 查看模板中的问题") from None
    except (ArithmeticError, TypeError) as e:  # an expression in the template failed ({{ 1/0 }}, {{ 年度 + "x" }})
        what = "除以零" if isinstance(e, ZeroDivisionError) else f"{type(e).__name__}: {e}"
        raise RenderError(f"{display_path(template)}: 错误: 模板中的 {{{{ }}}} 表达式算不出结果（{what}）：请在 Word/WPS 中打开该模板改正这个表达式，再运行 annexgen forms check") from None
    except (KeyboardInterrupt, MemoryError, RenderError):
        raise
    except Exception as e:  # a broken template still gets a message, not a traceback
        raise RenderError(f"{display_path(template)}: 错误: 模板无法填写（{type(e).__name__}: {e}）：请用 Word/WPS 重新保存该模板，并运行 annexgen forms check") from None


def properties(sub: Submission, title: str) -> CoreProperties:
    """Document properties from the data, not the clock: author 填表人 (else the department), date 填报日期."""
    sig = sub.部门.签字
    author = show(sig.填表人) if sig and sig.填表人 else show(sub.部门.部门名称)
    day = sig.填报日期 if sig and sig.填报日期 else dt.date(sub.年度 + 1, 1, 1)
    when = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    return CoreProperties(title=title, author=author, subject=show(sub.部门.部门名称), when=when)
