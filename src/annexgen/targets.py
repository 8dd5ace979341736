"""Indicator values: numbers with units, dates and deadlines, and the score they earn.

An indicator's 年度指标值 and 实际完成值 are free text. Three kinds are compared:

- a number with a unit and perhaps a direction: ≥1500次, ≤100万元, 95%;
- a date or a span of time: 9月前, 9月底前, 年底前, 12月31日前, 2023年12月31日前,
  2023年全年, 上半年, 第三季度 (a target is a deadline: its last day; an actual is met
  when it ends on or before that day, so “7月” meets “9月前” and “10月” does not);
- anything else (有所提升, 达成, 按期完成) is qualitative and not compared.

The expected score (DOMAIN.md, “Scoring variants”): met → 分值; a positive (≥)
indicator short of target → 分值 × actual/target; a reverse (≤, cost) indicator over
target by the form set's rule: 比例 (分值 × target/actual) or 线性 (分值 × (1 − (actual −
target)/target), 0 at twice the target). Pure functions: the rules and `derive` share them.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .values import digits_problem, fmt, rounded

#: values of `when` and `quantity` remembered (a department-year has a few hundred indicator values)
_MEMO = 2048

# full-width digits and signs as an IME types them (９月前, ２０２３／７／１５, ９５％)
_HALF = str.maketrans("０１２３４５６７８９．％／－", "0123456789.%/-")

# --- numbers with units ------------------------------------------------------------

_VALUE = re.compile(
    r"^\s*(?P<op>≥|≤|>=|<=|＞=|＜=|>|<|＞|＜|不低于|不少于|不小于|大于等于|不高于|不超过|不大于|小于等于)?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s]{0,4})\s*$"
)
_GE = {"≥", ">=", "＞=", ">", "＞", "不低于", "不少于", "不小于", "大于等于"}


class Quantity:
    """A parsed indicator value: ≥1500次 → (≥, 1500, 次)."""

    def __init__(self, op: str | None, number: Decimal, unit: str) -> None:
        self.op, self.number, self.unit = op, number, _UNITS.get(unit, unit)


#: unit spellings that mean the same unit
_UNITS = {"％": "%", "百分比": "%", "百分点": "%"}


def same_unit(a: Quantity, b: Quantity) -> bool:
    """Comparable units: equal, or one side writes none and the numbers are of one order ("50" against "≥50个").

    A bare number far from the other ("0.98" against "≥100%", "1000000" against "≤100万元") is
    likely in another unit (a fraction, 元): not comparable, so never scored.
    """
    if a.unit == b.unit:
        return True
    if a.unit and b.unit:
        return False
    low, high = sorted((abs(a.number), abs(b.number)))
    return high == 0 or (low > 0 and high <= low * 10)


def quantity(text: str | None) -> Quantity | None:
    """A number with its unit and direction, or None (qualitative, or a date: see `when`)."""
    return None if text is None else _quantity(text)


@functools.lru_cache(maxsize=_MEMO)
def _quantity(text: str) -> Quantity | None:
    if is_date(text):
        return None
    m = _VALUE.match(text.translate(_HALF))
    if not m or digits_problem(m["num"]):  # a number beyond the limits is not a figure to compare
        return None
    return Quantity(m["op"], Decimal(m["num"]), m["unit"] or "")


# --- dates and deadlines -------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A date or span of time an indicator value names: 7月 → 7月1日–7月31日; 年底前 → 12月31日."""

    first: date
    last: date
    by: bool  # written as a deadline (…前, 截至…, 不晚于…)


_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_N = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
_HEAD = re.compile(r"^(?:截至|截止到|截止至|截止|不晚于|不迟于|已于|已在|于|在)")
_DEADLINE_HEADS = ("截至", "截止", "不晚于", "不迟于")
_TAIL = re.compile(
    r"^(?P<body>.*?)(?P<by>以前|之前|前|为止|止)?(?:以内|之内|内)?(?:已|全部|均)?"
    r"(?:完成|完工|办结|结束|验收|到位|实施|启动|开工|兑现|发放|拨付|上线|交付|竣工)?$"
)
_YEAR = re.compile(r"^(?:(?P<y>\d{4})|(?P<rel>次|下|明|翌|上|去|当|本|今))年(?:度)?")
_MONTH = re.compile(rf"^(?P<m>{_N})月份?(?:(?P<d>{_N})[日号]|(?P<part>底|末|初|上旬|中旬|下旬))?$")
_QUARTER = re.compile(r"^第?(?P<q>[一二三四1234])季度$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)|^(\d{4})[-/](\d{1,2})(?![\d.])")
_RELATIVE = {"次": 1, "下": 1, "明": 1, "翌": 1, "上": -1, "去": -1, "当": 0, "本": 0, "今": 0}


def _number(text: str) -> int | None:
    """12 → 12, 十二 → 12, 二十一 → 21, 三十一 → 31 (days and months)."""
    if text.isdigit():
        return int(text)
    tens, ten, ones = text.partition("十")
    if not ten:
        return _CN.get(text)
    t = _CN.get(tens, 0) if tens else 1
    o = _CN.get(ones, 0) if ones else 0
    return t * 10 + o if (not tens or tens in _CN) and (not ones or ones in _CN) else None


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _body(body: str, year: int, had_year: bool) -> tuple[date, date] | None:
    if body in ("年", "全年", "年度", "全年度", "度") or (body == "" and had_year):
        return date(year, 1, 1), date(year, 12, 31)
    if body in ("年底", "年末", "年终") or (body in ("底", "末", "终") and had_year):
        return date(year, 12, 31), date(year, 12, 31)
    if body == "上半年":
        return date(year, 1, 1), date(year, 6, 30)
    if body == "下半年":
        return date(year, 7, 1), date(year, 12, 31)
    if m := _QUARTER.match(body):
        q = _number(m["q"]) or 0
        return _month_span(year, 3 * q - 2)[0], _month_span(year, 3 * q)[1]
    if not (m := _MONTH.match(body)):
        return None
    month = _number(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    first, last = _month_span(year, month)
    if m["d"] is not None:
        day = _number(m["d"])
        if day is None or not 1 <= day <= last.day:
            return None
        return date(year, month, day), date(year, month, day)
    part = m["part"]
    if part in ("底", "末"):
        return last, last
    if part in ("初", "上旬"):
        return first, date(year, month, 10)
    if part == "中旬":
        return date(year, month, 11), date(year, month, 20)
    if part == "下旬":
        return date(year, month, 21), last
    return first, last


def when(text: str | None, year: int) -> When | None:
    """The date or span `text` names, a year left out being `year` (the department-year), or None."""
    return None if text is None else _when_in(text, year)


@functools.lru_cache(maxsize=_MEMO)
def _when_in(text: str, year: int) -> When | None:
    s = "".join(text.translate(_HALF).split())
    return _when(s, year) if may_be_date(s) else None


def forget() -> None:
    """Empty the memos of `when` and `quantity` (`check` does so for each department-year).

    Their values are pure functions of the text, so a memo is never wrong; emptying it keeps
    one department-year's repeated values (every rule parses the same indicator values) from
    being counted as work saved for the next."""
    _when_in.cache_clear()
    _quantity.cache_clear()


def may_be_date(s: str) -> bool:
    """False when `_when` surely finds no date in `s` (most indicator values: 95%, 有所提升): every span
    `_body` knows names a 年, 月, 季度 or 度, or `s` starts with an ISO date's four digits."""
    return "年" in s or "月" in s or "度" in s or "季" in s or s[:4].isdigit()


def _when(s: str, year: int) -> When | None:
    """`when` of a text already in half-width characters, without white space."""
    s = _ISO.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日" if m[1] else f"{m[4]}年{int(m[5])}月", s)
    head = _HEAD.match(s)
    by = bool(head) and head[0].startswith(_DEADLINE_HEADS)
    s = s[head.end() :] if head else s
    had_year = False
    if y := _YEAR.match(s):
        year = int(y["y"]) if y["y"] else year + _RELATIVE[y["rel"]]
        if not 1900 <= year <= 2200:
            return None
        had_year, s = True, s[y.end() :]
    tail = _TAIL.match(s)
    assert tail is not None  # the body may be all of it
    span = _body(tail["body"], year, had_year)
    if span is None:
        return None
    return When(span[0], span[1], by or bool(tail["by"]))


def is_date(text: str) -> bool:
    """True when `text` names a date or a span of time (the year does not matter here)."""
    return when(text, 2000) is not None


# --- comparing a target and an actual --------------------------------------------------

_COST = "成本"


def is_cost(*names: str | None) -> bool:
    """An indicator under a 成本指标 group or subgroup: lower is better when no ≤ is written."""
    return any(_COST in (n or "") for n in names)


@dataclass(frozen=True)
class Assessment:
    """A target and an actual of one kind that can be compared."""

    target: Quantity | When
    actual: Quantity | When
    higher: bool  # numbers: higher is better (≥); dates: False (earlier is better)
    explicit: bool  # the direction is written (≥/≤) or implied (a date); False when presumed from 成本

    @property
    def dated(self) -> bool:
        return isinstance(self.target, When)

    @property
    def met(self) -> bool:
        t, a = self.target, self.actual
        if isinstance(t, When) and isinstance(a, When):
            return a.last <= t.last
        assert isinstance(t, Quantity) and isinstance(a, Quantity)
        return a.number >= t.number if self.higher else a.number <= t.number

    def expected(self, weight: Decimal, reverse: str) -> Decimal | None:
        """The score the indicator earns (None when it cannot be computed: a missed deadline, a zero target)."""
        if self.met:
            return weight
        if isinstance(self.target, When) or isinstance(self.actual, When):
            return None
        return expected_score(weight, self.target.number, self.actual.number, self.higher, reverse)


def assess(target: str | None, actual: str | None, year: int, cost: bool) -> Assessment | None:
    """Target and actual compared, or None when either is qualitative or blank, or their units differ.

    `year` is the department-year (for dates that leave it out); `cost` whether the
    indicator is a 成本 one (lower is better when the target writes no ≥ or ≤).
    """
    t, a = when(target, year), when(actual, year)
    if t is not None and a is not None:
        return Assessment(t, a, False, True)
    tq, aq = quantity(target), quantity(actual)
    if tq is None or aq is None or not same_unit(tq, aq):
        return None
    if tq.op:
        return Assessment(tq, aq, tq.op in _GE, True)
    return Assessment(tq, aq, not cost, False)


def expected_score(weight: Decimal, target: Decimal, actual: Decimal, higher: bool, reverse: str) -> Decimal | None:
    """The score of a quantitative indicator, to two places (full marks when met).

    higher (≥): 分值 × actual/target below target. Not higher (≤): above target,
    `reverse` "比例" gives 分值 × target/actual, "线性" 分值 × (1 − (actual − target)/target),
    0 at twice the target or more. Never below 0; None when no ratio exists (target ≤ 0
    for a positive indicator, or an actual ≤ 0 above a negative target).
    """
    if (actual >= target) if higher else (actual <= target):
        return weight
    if higher:
        if target <= 0:
            return None
        ratio = actual / target
    elif reverse == "线性":
        ratio = 1 - (actual - target) / target if target > 0 else Decimal(0)
    else:
        if actual <= 0:
            return None
        ratio = target / actual
    return rounded(weight * max(ratio, Decimal(0)), 2)


def score_formula(weight: Decimal, target: Decimal, actual: Decimal, higher: bool, reverse: str) -> str:
    """How `expected_score` computes the score of an indicator short of its target: “按 分值 30 × 2000 / 4650”."""
    w, t, a = fmt(weight), fmt(target), fmt(actual)
    if higher:
        return f"按 分值 {w} × {a} / {t}"
    if reverse == "线性":
        return f"按反向指标线性计分（实际达目标两倍时为 0）分值 {w} × (1 − ({a} − {t}) / {t})"
    return f"按反向指标比例计分 分值 {w} × {t} / {a}"


def excess_percent(target: Decimal, actual: Decimal) -> Decimal | None:
    """How far an actual exceeds a positive target, in percent of the target (None when target ≤ 0)."""
    if target <= 0:
        return None
    return (actual - target) * 100 / target
