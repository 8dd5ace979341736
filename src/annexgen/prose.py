"""Figures quoted in prose: `{{ … }}` in a report paragraph is filled from the data.

Part of the derive step: after the figures are derived, each report paragraph
or heading holding `{{ … }}` is rendered in a sandboxed Jinja environment with
StrictUndefined, so a figure in the narrative is the table's figure by
construction. Data is untrusted: the sandbox refuses Python internals, ranges
are bounded by Jinja's sandbox, and the output of one paragraph is bounded.
A name that does not exist is a located finding at the paragraph's line.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .findings import Finding
from .load import Loaded
from .values import Percent

MAX_OUTPUT = 20_000  # characters one paragraph may expand to
MAX_RANGE = 10_000  # numbers all `range()` calls of one paragraph may produce together
CODE = "text-expression"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Percent):
        return value.text
    return str(value)


class _Budget(Exception):
    """Raised when a paragraph's expression loops or writes beyond its budget."""


SAFE_FILTERS = ("abs", "default", "first", "last", "length", "join", "lower", "upper", "trim", "round", "replace", "sum", "min", "max", "string")


class _Env(SandboxedEnvironment):
    """Jinja's sandbox, with only harmless filters and no operator that can build a huge value."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False, finalize=_plain)
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.globals = {}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("不支持乘方")
        if operator == "*" and any(isinstance(v, (str, list, tuple)) for v in (left, right)):
            count = right if isinstance(left, (str, list, tuple)) else left
            seq = left if isinstance(left, (str, list, tuple)) else right
            if isinstance(count, int) and len(seq) * max(count, 0) > MAX_OUTPUT:
                raise _Budget(f"展开后超过 {MAX_OUTPUT} 字")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_OUTPUT:
            raise _Budget(f"展开后超过 {MAX_OUTPUT} 字")
        return result


_ENV = _Env()
NAMES = "部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目"


def _names(loaded: Loaded, project: int | None) -> dict[str, Any]:
    sub = loaded.submission
    assert sub is not None
    overall = sub.整体自评
    return {
        "部门名称": sub.部门.部门名称,
        "年度": sub.年度,
        "基础数据表": sub.基础数据表,
        "整体自评表": overall.部门整体支出绩效自评表 if overall else None,
        "自评基础数据表": overall.自评基础数据表 if overall else None,
        "项目": sub.项目,
        "本项目": sub.项目[project] if project is not None else None,
    }


def _message(error: Exception) -> str:
    text = str(error)
    if isinstance(error, SecurityError):
        return "正文里的 {{ }} 试图访问程序内部的属性，已拒绝：只能引用数据中的名称"
    if isinstance(error, jinja2.UndefinedError):
        m = re.search(r"has no attribute '([^']+)'", text) or re.search(r"'([^']+)' is undefined", text)
        name = m[1] if m else text
        return f"正文里 {{{{ }}}} 中的名称“{name}”不存在：可用的名称有 {NAMES}，其下用“.”接表上的栏目名"
    if isinstance(error, _Budget):
        return f"正文里的 {{{{ }}}} {error}，已停止：正文只应引用数据中的数字和文字"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"正文里的 {{{{ }}}} 写法有误（{error.message}）：请检查括号是否成对、名称是否写对"
    return f"正文里的 {{{{ }}}} 无法计算（{text}）：请检查写法"


def _expand(text: str, names: dict[str, Any]) -> str:
    """Render one paragraph, stopping as soon as it loops or writes more than its budget."""
    if "{{" not in text and "{%" not in text:
        return text
    left = [MAX_RANGE]

    def bounded_range(*args: int) -> range:
        r = range(*args)
        left[0] -= len(r)
        if left[0] < 0:
            raise _Budget(f"循环次数超过 {MAX_RANGE}")
        return r

    out: list[str] = []
    size = 0
    for chunk in _ENV.from_string(text).generate({**names, "range": bounded_range}):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise _Budget(f"展开后超过 {MAX_OUTPUT} 字")
        out.append(chunk)
    return "".join(out)


def _walk(blocks: list, path: tuple, names: dict[str, Any], loaded: Loaded, findings: list[Finding]) -> list:
    out: list = []
    for i, block in enumerate(blocks or []):
        here = path + (i,)
        if isinstance(block, str):
            out.append(_try(block, here, names, loaded, findings))
        else:
            new = {}
            for heading, inner in block.items():
                new[_try(heading, here, names, loaded, findings)] = _walk(inner or [], here + (heading,), names, loaded, findings)
            out.append(new)
    return out


def _try(text: str, path: tuple, names: dict[str, Any], loaded: Loaded, findings: list[Finding]) -> str:
    try:
        return _expand(text, names)
    except Exception as e:  # every failure of a data expression is the data's, reported at its place
        findings.append(loaded.finding(path, CODE, "error", _message(e)))
        return text


def expand_prose(loaded: Loaded) -> list[Finding]:
    """Fill every `{{ … }}` in the report bodies, in place; returns the findings for those that fail."""
    sub = loaded.submission
    if sub is None:
        return []
    findings: list[Finding] = []
    if sub.自评报告 is not None:
        report = sub.自评报告.部门整体支出绩效自评报告
        report.正文 = _walk(report.正文, ("自评报告", "部门整体支出绩效自评报告", "正文"), _names(loaded, None), loaded, findings)
    for i, project in enumerate(sub.项目):
        if project.自评报告 is not None:
            project.自评报告.正文 = _walk(project.自评报告.正文, ("项目", i, "自评报告", "正文"), _names(loaded, i), loaded, findings)
    return findings
