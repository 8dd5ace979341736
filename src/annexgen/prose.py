"""Figures quoted in prose: `{{ … }}` in a report paragraph is filled from the data.

Part of the derive step: after the figures are derived, each report paragraph
or heading holding `{{ … }}` is rendered in the sandbox of `sandbox.py`
(read-only data, StrictUndefined, one budget of loop steps, characters and time
per department-year), so a figure in the narrative is the table's figure by
construction. Every failure is a located `text-expression` finding at the
paragraph's line; what an expression produces is checked as data is (no
character XML 1.0 forbids). Headings equal after expansion are a
`duplicate-heading` error, and neither section is dropped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sized
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from .findings import Finding, dotted
from .load import XML_FORBIDDEN, Loaded
from .sandbox import DECIMALS, MAX_OUTPUT, MAX_TEXT, Budget, Exhausted, Record, Refused, SandboxEnv, binop, check_number, counted, is_number, safe_replace, text_of, view

CODE = "text-expression"
MAX_TAGS = 200  # `{{ }}` and `{% %}` in one paragraph
NAMES = "部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目"
#: what an expression may not produce: what XML 1.0 forbids, and the other control characters (DEL, C1)
_BAD_OUTPUT = re.compile(XML_FORBIDDEN.pattern[:-1] + "\x7f-\x9f]")


# --- the filters report text may use: each charges its steps and sizes to the budget ---------------


def _rounded(budget: Budget, value: Any, precision: int = 0, method: str = "common") -> Decimal:
    if not is_number(value) or not isinstance(precision, int) or not 0 <= precision <= 10 or method not in _ROUNDING:
        raise TypeError("round")
    check_number(budget, value)
    with localcontext(DECIMALS):
        return Decimal(value).quantize(Decimal(1).scaleb(-precision), rounding=_ROUNDING[method])


_ROUNDING = {"common": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING}


def _items(context: Any, value: Any, attribute: Any = None) -> list:
    env = context.environment
    items = list(counted(env.budget, value))
    for part in [] if attribute is None else str(attribute).split("."):
        key = int(part) if part.isascii() and part.isdigit() else part  # "²" is a digit to isdigit, not to int
        items = [env.getitem(item, key) for item in items]
    return items


@jinja2.pass_context
def _join(context: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    budget = context.environment.budget
    texts = [text_of(budget, v) for v in _items(context, value, attribute)]
    budget.build(sum(len(t) for t in texts) + len(d) * max(len(texts) - 1, 0))
    return str(d).join(texts)


@jinja2.pass_context
def _sum(context: Any, value: Any, attribute: Any = None, start: Any = 0) -> Any:
    budget = context.environment.budget
    total = start
    for item in _items(context, value, attribute):
        total = binop(budget, "+", total, item)
    return total


def _extreme(pick: Any) -> Any:
    @jinja2.pass_context
    def f(context: Any, value: Any, case_sensitive: bool = False, attribute: Any = None) -> Any:
        items = _items(context, value, attribute)
        return pick(items) if items else context.environment.undefined("没有可比较的值")

    return f


@jinja2.pass_context
def _length(context: Any, value: Any) -> int:
    context.environment.budget.clock()
    if isinstance(value, Record) or not isinstance(value, Sized):
        raise TypeError("length")
    return len(value)


@jinja2.pass_context
def _first(context: Any, value: Any) -> Any:
    for item in counted(context.environment.budget, value):
        return item
    return context.environment.undefined("没有第一项")


@jinja2.pass_context
def _last(context: Any, value: Any) -> Any:
    items = _items(context, value)
    return items[-1] if items else context.environment.undefined("没有最后一项")


@jinja2.pass_context
def _default(context: Any, value: Any, default: Any = "", boolean: bool = False) -> Any:
    return default if isinstance(value, jinja2.Undefined) or (boolean and not value) else value


@jinja2.pass_context
def _abs(context: Any, value: Any) -> Any:
    if not is_number(value):
        raise TypeError("abs")
    return abs(value)


def _text_filter(convert: Any) -> Any:
    @jinja2.pass_context
    def f(context: Any, value: Any) -> str:
        budget = context.environment.budget
        text = text_of(budget, value)
        budget.build(len(text))
        return convert(text)

    return f


@jinja2.pass_context
def _replace(context: Any, value: Any, old: str, new: str, count: Any = None) -> str:
    budget = context.environment.budget
    return safe_replace(budget, text_of(budget, value), old, new, -1 if count is None else count)


@jinja2.pass_context
def _round(context: Any, value: Any, precision: int = 0, method: str = "common") -> Decimal:
    return _rounded(context.environment.budget, value, precision, method)


FILTERS = {
    "abs": _abs,
    "default": _default,
    "first": _first,
    "last": _last,
    "length": _length,
    "join": _join,
    "lower": _text_filter(str.lower),
    "upper": _text_filter(str.upper),
    "trim": _text_filter(str.strip),
    "string": _text_filter(str),
    "round": _round,
    "replace": _replace,
    "sum": _sum,
    "min": _extreme(min),
    "max": _extreme(max),
}


# --- expanding the report bodies --------------------------------------------------------------------


def _names(loaded: Loaded, project: int | None) -> dict[str, Any]:
    sub = loaded.submission
    assert sub is not None
    overall = sub.整体自评
    return {
        "部门名称": sub.部门.部门名称,
        "年度": sub.年度,
        "基础数据表": view(sub.基础数据表),
        "整体自评表": view(overall.部门整体支出绩效自评表) if overall else None,
        "自评基础数据表": view(overall.自评基础数据表) if overall else None,
        "项目": view(sub.项目),
        "本项目": view(sub.项目[project]) if project is not None else None,
    }


def _shown(text: str, quoted: bool = True, limit: int = 40) -> str:
    """A name from the text as a message shows it: unquoted, control characters escaped, at most `limit` characters."""
    if quoted:
        try:
            text = str(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            pass
    text = _BAD_OUTPUT.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return text if len(text) <= limit else text[:limit] + "…"


def _message(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, Refused):
        return text
    if isinstance(error, SecurityError):
        return "正文里的 {{ }} 试图访问程序内部的属性，已拒绝：只能引用数据中的名称"
    if isinstance(error, jinja2.UndefinedError):
        m = re.search(r"has no element (.+)$", text)
        if m:
            return f"正文里 {{{{ }}}} 引用的第 {_shown(m[1])} 项不存在（从 0 数起）：请检查 [ ] 中的编号"
        m = re.search(r"has no attribute (.+)$", text) or re.search(r"^(.+) is undefined$", text)
        return f"正文里 {{{{ }}}} 中的名称“{_shown(m[1] if m else text)}”不存在：可用的名称有 {NAMES}，其下用“.”接表上的栏目名"
    if isinstance(error, (Exhausted, RecursionError, MemoryError, SyntaxError)):
        phrase = str(error) if isinstance(error, Exhausted) else "嵌套太深"
        return f"正文里的 {{{{ }}}} {phrase}，已停止：正文只应引用数据中的数字和文字，请删去多余的循环和计算"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"正文里的 {{{{ }}}} 写法有误（{_shown(str(error.message), quoted=False, limit=200)}）：请检查括号是否成对、名称是否写对"
    if isinstance(error, (ZeroDivisionError, DivisionByZero)):
        return "正文里的 {{ }} 除数为零：请检查除号后面的名称"
    if isinstance(error, (TypeError, InvalidOperation)):
        return "正文里的 {{ }} 无法计算：参与计算的值类型不符（如文字与数字相加、对整张表求和）或数值无效，请检查写法"
    return "正文里的 {{ }} 无法计算：请检查写法"


class _Expander:
    """Renders the paragraphs of one department-year under one budget."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.budget = Budget()
        self.env = SandboxEnv(self.budget, FILTERS)
        self.findings: list[Finding] = []

    def expand(self, text: str, names: dict[str, Any]) -> str:
        """One paragraph, stopping as soon as it loops, builds or writes beyond the budget."""
        if "{{" not in text and "{%" not in text:
            return text
        budget = self.budget
        if budget.spent is not None:
            raise Refused(f"正文里的 {{{{ }}}} 未计算：本年度前面的 {{{{ }}}} {budget.spent}，已停止计算；请先修改报错的那一段")
        budget.begin()
        try:
            if len(text) > MAX_TEXT:
                budget.refuse(f"所在的一段超过 {MAX_TEXT} 字")
            if text.count("{{") + text.count("{%") > MAX_TAGS:  # compiling is not interruptible: keep it short
                budget.refuse(f"在一段中超过 {MAX_TAGS} 处")
            budget.clock()
            out: list[str] = []
            size = 0
            for chunk in self.env.compile_text(text).generate(names):
                size += len(chunk)
                budget.output += len(chunk)
                if size > MAX_TEXT:
                    budget.refuse(f"展开后超过 {MAX_TEXT} 字")
                if budget.output > MAX_OUTPUT:
                    budget.exhaust(f"输出合计超过 {MAX_OUTPUT} 字（每个年度合计）")
                budget.clock()
                out.append(chunk)
        finally:
            budget.end()
        result = "".join(out)
        bad = _BAD_OUTPUT.findall(result)
        if bad:
            codes = "、".join(sorted({f"U+{ord(c):04X}" for c in bad}))
            raise Refused(f"正文里的 {{{{ }}}} 算出了 Word 文件不能容纳的字符（{codes}）：请删去产生它的写法")
        return result

    def attempt(self, text: str, path: tuple, names: dict[str, Any], key: bool = False) -> str:
        try:
            return self.expand(text, names)
        except Exception as e:  # every failure of a data expression is the data's, reported at its place
            self.findings.append(self.finding(path, CODE, _message(e), key))
            return text

    def finding(self, path: tuple, code: str, message: str, key: bool) -> Finding:
        file, line, col = self.loaded.where(path, key=key)
        return Finding(file, line, col, code, "error", message, dotted(path))

    def walk(self, blocks: list, path: tuple, names: dict[str, Any]) -> list:
        """The blocks of one level, expanded; a heading equal to an earlier one of the level is reported, and kept."""
        out: list = []
        seen: dict[str, tuple] = {}  # expanded heading → path of its first occurrence
        for i, block in enumerate(blocks or []):
            here = path + (i,)
            if isinstance(block, str):
                out.append(self.attempt(block, here, names))
                continue
            new: dict = {}
            for heading, inner in block.items():
                at = here + (heading,)
                title = self.attempt(heading, at, names, key=True)
                body = self.walk(inner or [], at, names)
                if title in seen:
                    first = self.loaded.where(seen[title], key=True)[1]
                    message = f"标题“{title}”与第 {first} 行的标题相同：同一层的标题不能重复，请修改其中一个"
                    self.findings.append(self.finding(at, "duplicate-heading", message, key=True))
                    if title in new:  # keep both sections: the second starts a new block
                        out.append(new)
                        new = {}
                seen.setdefault(title, at)
                new[title] = body
            out.append(new)
        return out


def expand_prose(loaded: Loaded) -> list[Finding]:
    """Fill every `{{ … }}` in the report bodies, in place; returns the findings for those that fail."""
    sub = loaded.submission
    if sub is None:
        return []
    expander = _Expander(loaded)
    if sub.自评报告 is not None:
        report = sub.自评报告.部门整体支出绩效自评报告
        report.正文 = expander.walk(report.正文, ("自评报告", "部门整体支出绩效自评报告", "正文"), _names(loaded, None))
    for i, project in enumerate(sub.项目):
        if project.自评报告 is not None:
            project.自评报告.正文 = expander.walk(project.自评报告.正文, ("项目", i, "自评报告", "正文"), _names(loaded, i))
    return expander.findings
