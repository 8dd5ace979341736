"""The sandbox for `{{ … }}` in report text (untrusted, issue 9): read-only data, counted loops, bounded values.

Expressions see the data only through read-only views (fields, list items, plain values; no method of a model or
container), call only an allow-list of str methods, and every operation that can grow a value is size-checked
before it runs. One `Budget` per department-year bounds loop steps of every kind, characters output and built,
and wall time; every hook (loop step, call, operator, concatenation, attribute, output chunk) checks it.
"""

from __future__ import annotations

import datetime as _dt
import operator
import time
from collections.abc import Sequence, Sized
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, Underflow, localcontext
from typing import Any, Iterator

import jinja2
from jinja2 import nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from pydantic import BaseModel

from .values import Percent

MAX_ITERATIONS = 100_000  # loop steps of every kind (for, join, sum, min, max…) per department-year
MAX_OUTPUT = 200_000  # characters all expressions of a department-year may output
MAX_TEXT = 20_000  # characters one paragraph may hold or expand to; also any string or list an expression builds
MAX_BUILT = 2_000_000  # characters all strings built by operators and filters may total per department-year
MAX_SECONDS = 2.0  # wall time of all expressions of a department-year
MAX_DIGITS = 100  # decimal exponent (either way) of any number an expression computes
MAX_INT_BITS = 333  # ≈ 100 digits: an int an expression computes
STR_METHODS = ("strip", "lstrip", "rstrip", "upper", "lower", "startswith", "endswith", "replace", "split", "count", "find")
LOOP_ATTRIBUTES = ("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem", "nextitem", "cycle", "changed")
TESTS = ("defined", "undefined", "none", "number", "string", "even", "odd", "eq", "ne", "lt", "le", "gt", "ge", "in", "divisibleby")
DECIMALS = Context(prec=28, Emax=MAX_DIGITS, Emin=-MAX_DIGITS, traps=[InvalidOperation, DivisionByZero, Overflow, Underflow])


class Exhausted(Exception):
    """A limit of the budget was reached; the text says which."""


class Refused(Exception):
    """The expression uses something the sandbox does not offer; the text is the whole user message."""


def refused_method(name: str) -> Refused:
    return Refused(f"正文里的 {{{{ }}}} 不能使用“{name}”：{{{{ }}}} 只能读数据，不能改变数据或生成大段文字；文字可用的方法只有 {'、'.join(STR_METHODS)}")


class Budget:
    """What the expressions of one department-year may still spend."""

    def __init__(self) -> None:
        self.steps = 0
        self.output = 0
        self.built = 0
        self.seconds = 0.0  # spent in finished paragraphs
        self.started = self.deadline = 0.0
        self.spent: str | None = None  # the limit reached, once reached

    def begin(self) -> None:
        """Start the clock for one paragraph: the deadline is what is left of the year's time."""
        self.started = time.monotonic()
        self.deadline = self.started + MAX_SECONDS - self.seconds

    def end(self) -> None:
        self.seconds += time.monotonic() - self.started

    def exhaust(self, phrase: str) -> None:
        """A limit of the whole department-year is reached: no further expression is computed."""
        self.spent = phrase
        raise Exhausted(phrase)

    @staticmethod
    def refuse(phrase: str) -> None:
        """A limit of one value or paragraph is reached."""
        raise Exhausted(phrase)

    def clock(self) -> None:
        if time.monotonic() > self.deadline:
            self.exhaust(f"计算时间超过 {MAX_SECONDS:g} 秒（每个年度合计）")

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_ITERATIONS:
            self.exhaust(f"循环次数超过 {MAX_ITERATIONS}（每个年度合计）")
        self.clock()

    def build(self, size: int) -> None:
        """Charge a string or list about to be built, before building it."""
        if size > MAX_TEXT:
            self.refuse(f"展开后超过 {MAX_TEXT} 字")
        self.built += size
        if self.built > MAX_BUILT:
            self.exhaust(f"计算中生成的文字超过 {MAX_BUILT} 字（每个年度合计）")
        self.clock()


# --- read-only views of the data ----------------------------------------------


class Record:
    """A model (its fields, by name or printed label) or a report mapping (its headings): nothing else."""

    __slots__ = ("_data",)

    def __init__(self, data: BaseModel | dict) -> None:
        self._data = data

    def field(self, name: Any) -> Any:
        if isinstance(self._data, dict):
            return view(self._data[name]) if name in self._data else _MISSING
        fields = type(self._data).model_fields
        name = name if name in fields else next((n for n, f in fields.items() if f.alias == name), "")
        return view(getattr(self._data, name)) if name in fields else _MISSING

    def methods(self) -> type:
        """The type whose methods the sandbox refuses by name."""
        return dict if isinstance(self._data, dict) else BaseModel


class ListView(Sequence):
    """A list of the data, read-only: items by index or iteration, each item a view."""

    __slots__ = ("_items",)

    def __init__(self, items: list | tuple) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        return ListView(self._items[index]) if isinstance(index, slice) else view(self._items[index])


_MISSING = object()


def view(value: Any) -> Any:
    """The read-only view of a value of the data: plain values as they are, containers wrapped."""
    if isinstance(value, (BaseModel, dict)):
        return Record(value)
    return ListView(value) if isinstance(value, (list, tuple)) else value


class StrMethod:
    """An allowed method of a str, bound; `replace` is size-checked before it runs."""

    __slots__ = ("_text", "_name", "_budget")

    def __init__(self, text: str, name: str, budget: Budget) -> None:
        self._text, self._name, self._budget = text, name, budget

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._name == "replace":
            return safe_replace(self._budget, self._text, *args, **kwargs)
        result = getattr(self._text, self._name)(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_TEXT:  # upper() of 'ß' grows
            self._budget.refuse(f"展开后超过 {MAX_TEXT} 字")
        return result


def safe_replace(budget: Budget, text: Any, old: str, new: str, count: int = -1) -> str:
    if not all(isinstance(v, str) for v in (text, old, new)) or not isinstance(count, int):
        raise TypeError("replace")
    n = text.count(old) if old else len(text) + 1
    if count >= 0:
        n = min(n, count)
    budget.build(len(text) + n * max(len(new) - len(old), 0))
    return text.replace(old, new, count)


# --- numbers and text ------------------------------------------------------------


def check_number(budget: Budget, value: Any) -> Any:
    """Refuse an int or Decimal whose printed form would be huge (before anyone prints it)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        budget.refuse(f"算出的数超过 {MAX_DIGITS} 位")
    if isinstance(value, Decimal) and (not value.is_finite() or len(value.as_tuple().digits) + abs(int(value.as_tuple().exponent)) > 2 * MAX_DIGITS):
        budget.refuse(f"算出的数超过 {MAX_DIGITS} 位")
    return value


def text_of(budget: Budget, value: Any) -> str:
    """How a value reads in the report; a whole table or list is refused."""
    if isinstance(value, jinja2.Undefined):
        return str(value)  # StrictUndefined: raises, naming what is missing
    if value is None or isinstance(value, (str, bool, _dt.date, Percent)):
        return "" if value is None else value if isinstance(value, str) else str(value)
    if isinstance(value, (int, Decimal)):
        check_number(budget, value)
        return format(value, "f") if isinstance(value, Decimal) else str(int(value))
    raise Refused("正文里的 {{ }} 只能输出文字和数字，不能直接输出整张表或一组数：请用“.”接栏目名，一组数中的一个用 [0]、[1]、[2]")


# --- the environment ------------------------------------------------------------------


def _paced(items: Iterator, step: Any) -> Iterator:
    for item in items:
        step()
        yield item


def counted(budget: Budget, value: Any) -> Iterator:
    """Iterate `value`, charging every step: a sized value up front (cheap refusal), others one by one."""
    if isinstance(value, jinja2.Undefined):
        iter(value)  # raises
    if isinstance(value, (Record, Percent)) or not hasattr(value, "__iter__"):
        raise TypeError("not iterable")
    if isinstance(value, Sized):
        budget.tick(len(value))
        return _paced(iter(value), budget.clock)
    return _paced(iter(value), budget.tick)


class SandboxEnv(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with its doors closed: see the module docstring."""

    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])

    def __init__(self, budget: Budget, filters: dict[str, Any]) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False, finalize=self._finalize)
        self.budget = budget
        self.filters = {**filters, **HOOKS}
        self.tests = {name: self.tests[name] for name in TESTS}
        self.globals = {"range": self._range}

    def _finalize(self, value: Any) -> str:
        self.budget.clock()
        return text_of(self.budget, value)

    def _range(self, *args: Any) -> range:
        if not all(isinstance(a, int) for a in args):
            raise TypeError("range")
        r = range(*args)
        if self.budget.steps + max(0, -(-(r.stop - r.start) // r.step)) > MAX_ITERATIONS:
            self.budget.exhaust(f"循环次数超过 {MAX_ITERATIONS}（每个年度合计）")
        return r

    # attributes and items: only fields of views, items of sequences, allowed methods

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.clock()
        return self._member(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.clock()
        if isinstance(obj, jinja2.Undefined):
            return obj[argument]  # raises, naming what is missing
        if isinstance(obj, (str, tuple, list, ListView)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except IndexError:
                pass
        elif isinstance(obj, dict) and not isinstance(argument, (dict, list)) and argument in obj:
            return obj[argument]
        elif isinstance(argument, str) and not isinstance(obj, dict):
            return self._member(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def _member(self, obj: Any, name: str) -> Any:
        if name.startswith("_"):
            return self.unsafe_undefined(obj, name)
        if isinstance(obj, Record):
            value = obj.field(name)
            if value is _MISSING and hasattr(obj.methods(), name):
                raise refused_method(name)
            return self.undefined(obj=obj, name=name) if value is _MISSING else value
        if isinstance(obj, str) and name in STR_METHODS:
            return StrMethod(obj, name, self.budget)
        if isinstance(obj, Percent) and name in ("value", "text"):
            return getattr(obj, name)
        if isinstance(obj, _dt.date) and name in ("year", "month", "day"):
            return getattr(obj, name)
        if isinstance(obj, LoopContext) and name in LOOP_ATTRIBUTES:
            return getattr(obj, name)
        if isinstance(obj, jinja2.Undefined):
            return getattr(obj, name)  # raises, naming what is missing
        if hasattr(type(obj), name) or hasattr(list, name) or hasattr(dict, name):
            raise refused_method(name)
        return self.undefined(obj=obj, name=name)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.budget.tick()
        if isinstance(__obj, jinja2.Undefined):
            return __obj()  # raises
        if isinstance(__obj, StrMethod) or __obj == __self._range:
            return __context.call(__obj, *args, **kwargs)
        if isinstance(getattr(__obj, "__self__", None), LoopContext) and __obj.__name__ in ("cycle", "changed"):
            return __context.call(__obj, *args, **kwargs)
        raise refused_method(getattr(__obj, "__name__", type(__obj).__name__))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return binop(self.budget, operator, left, right)

    def compile_text(self, text: str) -> jinja2.Template:
        """Parse, refuse what report text has no use for, hook loops/concatenation/decimals, compile."""
        ast = self.parse(text)
        for kind, what in _REFUSED:
            if any(True for _ in ast.find_all(kind)):
                raise Refused(f"正文里的 {{{{ }}}} 不支持 {what}：正文只能用 {{{{ }}}}、{{% if %}}、{{% for %}} 和 {{% set 名称 = … %}}")
        if any(f.recursive for f in ast.find_all(nodes.For)):
            raise Refused("正文里的 {{ }} 不支持 recursive 循环：正文只能用 {{ }}、{% if %}、{% for %} 和 {% set 名称 = … %}")
        return self.from_string(_Hooks().visit(ast))


_REFUSED = [
    (nodes.Macro, "{% macro %}"),
    (nodes.CallBlock, "{% call %}"),
    ((nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends), "引用其他文件"),
    (nodes.Block, "{% block %}"),
    (nodes.AssignBlock, "{% set 名称 %}…{% endset %}"),
    (nodes.FilterBlock, "{% filter %}"),
    (nodes.NSRef, "给数据赋值（{% set 名称.栏目 = … %}）"),
]


def _hook(expr: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(expr, name, [], [], None, None, lineno=expr.lineno)


class _Hooks(NodeTransformer):
    """Loops go through `_loop` (counted), `~` through `_concat` (size-checked), float literals become Decimal."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = _hook(node.iter, "_loop")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return _hook(nodes.List(node.nodes, lineno=node.lineno), "_concat")

    def visit_Const(self, node: nodes.Const) -> nodes.Node:
        if isinstance(node.value, float):
            return _hook(nodes.Const(repr(node.value), lineno=node.lineno), "_decimal")
        return node


# --- operators ------------------------------------------------------------------------------

_SEQUENCES = (str, list, tuple)


def is_number(value: Any) -> bool:
    """An int or Decimal, not a bool."""
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def binop(budget: Budget, op: str, left: Any, right: Any) -> Any:
    """`left op right`, refused before computing when the result would be huge."""
    budget.clock()
    if op == "**":
        raise Refused("正文里的 {{ }} 不支持乘方（**）：请直接写出结果")
    if op == "%" and isinstance(left, str):
        raise Refused("正文里的 {{ }} 不支持用 % 格式化文字：请直接写出文字，数字用 {{ 名称 }} 引用")
    if op == "*" and (isinstance(left, _SEQUENCES) or isinstance(right, _SEQUENCES)):
        seq, n = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
        if not isinstance(n, int):
            raise TypeError("*")
        budget.build(len(seq) * max(n, 0))
        return seq * n
    if op == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        budget.build(len(left) + len(right))
        return left + right
    if is_number(left) and is_number(right):
        check_number(budget, left)
        check_number(budget, right)
        if isinstance(left, int) and isinstance(right, int) and op != "/":
            bits = (operator.add if op == "*" else max)(left.bit_length(), right.bit_length())
            if bits > MAX_INT_BITS:
                budget.refuse(f"算出的数超过 {MAX_DIGITS} 位")
            return check_number(budget, _OPS[op](int(left), int(right)))
        with localcontext(DECIMALS):
            try:
                result = _OPS[op](Decimal(left), Decimal(right))
            except (Overflow, Underflow):
                budget.refuse(f"算出的数超过 {MAX_DIGITS} 位")
        return check_number(budget, result)
    return _OPS[op](left, right)


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv, "%": operator.mod}


# --- the hooks the template is rewritten to call; pass_context, so never folded at compile time --------


@jinja2.pass_context
def _loop(context: Any, value: Any) -> Iterator:
    return counted(context.environment.budget, value)


@jinja2.pass_context
def _concat(context: Any, items: list) -> str:
    budget = context.environment.budget
    texts = [text_of(budget, v) for v in items]
    budget.build(sum(len(t) for t in texts))
    return "".join(texts)


@jinja2.pass_context
def _decimal(context: Any, text: str) -> Decimal:
    return check_number(context.environment.budget, Decimal(text))


HOOKS = {"_loop": _loop, "_concat": _concat, "_decimal": _decimal}
