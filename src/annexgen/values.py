"""Value types of the model: amounts (万元), percentages, scores and cell text.

Amounts keep the precision their author wrote. The loader builds every YAML
number as ``int`` or ``Decimal`` from its source text (never a float), and the
validators here refuse anything that would lose or invent precision. Each
validator raises ``PydanticCustomError`` with a Chinese message; the loader
turns it into a located finding.

Interval arithmetic (``interval``, ``sum_matches``) follows DOMAIN.md: a figure
written with d decimals stands for [v − ½·10⁻ᵈ, v + ½·10⁻ᵈ].
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from typing import Annotated, Any, Iterable

from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

# --- source-preserving scalars built by the loader -------------------------


class SourceInt(int):
    """An int that remembers the text it was written as (``0731`` stays ``0731``)."""

    src: str

    def __new__(cls, value: int, src: str) -> "SourceInt":
        obj = super().__new__(cls, value)
        obj.src = src
        return obj


def source_text(value: Any) -> str:
    """The text a scalar was written as in YAML."""
    if isinstance(value, SourceInt):
        return value.src
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


# --- limits on written numbers ---------------------------------------------

#: at most this many digits before the decimal point (999 999 999 999 999 999 万元 is plenty)
MAX_INTEGER_DIGITS = 18
#: at most this many decimal places
MAX_DECIMAL_PLACES = 10
_SHORT = min(MAX_INTEGER_DIGITS, MAX_DECIMAL_PLACES + 1)
_LIMIT_HINT = f"数字最多 {MAX_INTEGER_DIGITS} 位整数、{MAX_DECIMAL_PLACES} 位小数"


def digits_problem(text: str) -> str | None:
    """Why a number written as `text` (``[-+]?digits[.digits]``) is refused, or None when it is within the limits."""
    if len(text) <= _SHORT:  # too short to break either limit
        return None
    whole, _, fraction = text.strip().lstrip("+-").partition(".")
    if len(whole.lstrip("0")) <= MAX_INTEGER_DIGITS and len(fraction) <= MAX_DECIMAL_PLACES:
        return None
    shown = text if len(text) <= 40 else text[:20] + "…" + text[-10:]
    return f"数字“{shown}”位数过多：{_LIMIT_HINT}，请核对"


def _bounded(value: Decimal, what: str) -> Decimal:
    """`value` when it is finite and within the digit limits (Python callers can pass any Decimal)."""
    if not value.is_finite():
        raise PydanticCustomError("number_type", "{what}应为数字，现为“{got}”", {"what": what, "got": str(value)})
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if value.adjusted() >= MAX_INTEGER_DIGITS or -exponent > MAX_DECIMAL_PLACES:
        raise PydanticCustomError("number_type", "{what}位数过多：{hint}，请核对", {"what": what, "hint": _LIMIT_HINT})
    return value


def rounded(value: Decimal, places: int) -> Decimal:
    """`value` rounded half-up to `places` decimals, exactly, whatever its size (never raises; NaN and ∞ unchanged)."""
    if not value.is_finite():
        return value
    context = Context(prec=max(value.adjusted(), 0) + places + 3, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)
    return value.quantize(Decimal((0, (1,), -places)), context=context)


# --- validators -------------------------------------------------------------

_NUMBER_HINT = re.compile(r"^\s*[-+]?[\d,，.．０-９]+\s*(万元|万|元|%|％)?\s*$")


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        raise PydanticCustomError(
            "number_type", "{what}应为数字，现为 {got}", {"what": what, "got": "true/false"}
        )
    if isinstance(value, int):
        if abs(value) >= 10**MAX_INTEGER_DIGITS:
            raise PydanticCustomError("number_type", "{what}位数过多：{hint}，请核对", {"what": what, "hint": _LIMIT_HINT})
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return _bounded(value, what)
    if isinstance(value, float):  # only reachable from Python callers, never from YAML
        raise PydanticCustomError(
            "number_type", "{what}不能是二进制浮点数，请用 Decimal 或整数", {"what": what}
        )
    if isinstance(value, str):
        hint = (
            "只写数字（或“数字万元”），不写其他单位、千分位逗号或全角数字"
            if _NUMBER_HINT.match(value)
            else "请改为数字；表上空白的格子写 ~"
        )
        raise PydanticCustomError(
            "number_type",
            "{what}应为数字，现为文本“{got}”：{hint}",
            {"what": what, "got": value, "hint": hint},
        )
    raise PydanticCustomError(
        "number_type", "{what}应为数字，现为 {got}", {"what": what, "got": _kind(value)}
    )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "映射（键: 值）"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
    return type(value).__name__


class AmountWithUnit(Decimal):
    """An amount written with its unit, as some forms print it: ``1796.79万元``."""

    unit: str = "万元"


_WITH_UNIT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*万元\s*$")


def _signed_amount(value: Any) -> Decimal:
    if isinstance(value, str):
        m = _WITH_UNIT.match(value)
        if m:
            problem = digits_problem(m[1])
            if problem:
                raise PydanticCustomError("number_type", problem, {})
            return AmountWithUnit(m[1])
    return _number(value, "金额（万元）")


def _amount(value: Any) -> Decimal:
    number = _signed_amount(value)
    if number < 0:
        raise PydanticCustomError(
            "number_negative", "金额不能是负数，现为 {got}：支出、预算、决算都应写正数", {"got": format(number, "f")}
        )
    return number


def unit_of(value: Decimal | None) -> str:
    """The unit text an amount was written with ("万元" or "")."""
    return value.unit if isinstance(value, AmountWithUnit) else ""


def _score(value: Any) -> Decimal:
    number = _number(value, "分值/得分")
    if number < 0:
        raise PydanticCustomError("number_negative", "分值/得分不能是负数，现为 {got}", {"got": format(number, "f")})
    return number


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise PydanticCustomError("int_type", "人数不能是负数，现为 {got}", {"got": source_text(value)})
    if isinstance(value, int) and value >= 10**MAX_INTEGER_DIGITS:
        raise PydanticCustomError("int_type", "人数位数过多：{hint}，请核对", {"hint": _LIMIT_HINT})
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            raise PydanticCustomError(
                "int_type", "人数应为整数，现为 {got}：去掉小数点", {"got": str(value)}
            )
        raise PydanticCustomError(
            "int_type", "人数应为整数，现为“{got}”", {"got": source_text(value)}
        )
    return int(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise PydanticCustomError(
            "string_type", "应为文字，现为 true/false：如要原样印出，请加引号", {}
        )
    if isinstance(value, (int, Decimal)):
        return source_text(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    raise PydanticCustomError("string_type", "应为文字，现为{got}", {"got": _kind(value)})


_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        m = _CN_DATE.match(value)
        if m:
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise PydanticCustomError(
                    "date_invalid", "日期“{got}”不存在：请检查月和日", {"got": value}
                ) from None
    raise PydanticCustomError(
        "date_type",
        "应为日期，如 2024-10-17 或 2024年10月17日，现为“{got}”",
        {"got": source_text(value)},
    )


def _answer(value: Any) -> bool:
    """A checklist answer: true/false, or 是/否/有/无 as printed on the form."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() in ("是", "有"):
        return True
    if isinstance(value, str) and value.strip() in ("否", "无"):
        return False
    raise PydanticCustomError(
        "bool_type", "应为 true（是/有）或 false（否/无），现为“{got}”", {"got": source_text(value)}
    )


Amount = Annotated[
    Decimal,
    PlainValidator(_amount),
    WithJsonSchema(
        {
            "oneOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[-+]?\d+(\.\d+)?\s*万元\s*$"}],
            "description": "金额（万元），如 13.9；表上印作“1796.79万元”的，照写",
        }
    ),
]
SignedAmount = Annotated[
    Decimal,
    PlainValidator(_signed_amount),
    WithJsonSchema({"oneOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[-+]?\d+(\.\d+)?\s*万元\s*$"}], "description": "金额（万元），可为负数（调减）"}),
]
Score = Annotated[
    Decimal, PlainValidator(_score), WithJsonSchema({"type": "number", "minimum": 0})
]
Count = Annotated[int, PlainValidator(_count), WithJsonSchema({"type": "integer", "minimum": 0})]
Text = Annotated[str, PlainValidator(_text), WithJsonSchema({"type": ["string", "number"]})]
Date = Annotated[
    _dt.date,
    PlainValidator(_date),
    WithJsonSchema({"type": "string", "description": "日期，如 2024-10-17"}),
]
Answer = Annotated[
    bool,
    PlainValidator(_answer),
    WithJsonSchema({"oneOf": [{"type": "boolean"}, {"enum": ["是", "否", "有", "无"]}]}),
]


# --- percentages ------------------------------------------------------------

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[%％]\s*$")


class Percent:
    """A percentage as written (``100.00%``): its value in percent and its text."""

    __slots__ = ("value", "text")

    def __init__(self, value: Decimal, text: str) -> None:
        self.value = value
        self.text = text

    @classmethod
    def of(cls, value: Decimal, decimals: int = 2) -> "Percent":
        """A computed percentage, rounded half-up to ``decimals`` places."""
        q = rounded(value, decimals)
        return cls(q, f"{fmt(q)}%")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Percent) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Percent({self.text!r})"

    def __str__(self) -> str:
        return self.text

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict:
        return {
            "oneOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*[%％]\s*$"},
                {"type": "number"},
            ],
            "description": "百分数，如 100% 或 100.00%（照印）；写数字时按比率，1 即 100%",
        }

    @classmethod
    def _validate(cls, value: Any) -> "Percent":
        if isinstance(value, Percent):
            return value
        if isinstance(value, str):
            m = _PERCENT.match(value)
            if m:
                problem = digits_problem(m[1])
                if problem:
                    raise PydanticCustomError("percent_type", problem, {})
                return cls(Decimal(m[1]), value.strip())
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            # a bare number is a ratio (1 = 100%), printed as written
            return cls(_number(value, "百分数") * 100, source_text(value))
        raise PydanticCustomError(
            "percent_type",
            "应为百分数，如 100% 或 100.00%，现为“{got}”",
            {"got": source_text(value) if value is not None else "空值"},
        )


# --- interval arithmetic ----------------------------------------------------


def half_ulp(d: Decimal) -> Decimal:
    """Half a unit in the last written place: 13.9 → 0.05, 12.00 → 0.005, 154 → 0.5."""
    exp = d.as_tuple().exponent
    assert isinstance(exp, int)
    return Decimal(5).scaleb(exp - 1)


def interval(d: Decimal) -> tuple[Decimal, Decimal]:
    """The interval a written figure stands for."""
    h = half_ulp(d)
    return d - h, d + h


def sum_interval(parts: list[Decimal]) -> tuple[Decimal, Decimal]:
    lo = sum((interval(p)[0] for p in parts), Decimal(0))
    hi = sum((interval(p)[1] for p in parts), Decimal(0))
    return lo, hi


def overlaps(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def sum_matches(parts: list[Decimal], total: Decimal) -> bool:
    """True when the written total is consistent with the written parts."""
    return overlaps(sum_interval(parts), interval(total))


def exact_sum(parts: list[Decimal]) -> Decimal:
    """The sum written with the precision of its most precise part."""
    total = sum_exactly(parts)
    places = max((-p.as_tuple().exponent for p in parts if p.is_finite()), default=0)  # type: ignore[operator]
    return rounded(total, max(places, 0))


def sum_exactly(parts: "Iterable[Decimal]") -> Decimal:
    """The sum of `parts` without rounding (the default context keeps 28 digits), never raising."""
    context = Context(prec=MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES + 20, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])
    total = Decimal(0)
    for p in parts:
        total = context.add(total, p)
    return total


def fmt(d: Decimal | None) -> str:
    """A figure as it would be written on the form (no exponent notation)."""
    if d is None:
        return "空白"
    return format(d, "f")
