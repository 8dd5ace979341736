"""Text as clerks type it: labels to compare, annex numbers, and figures as printed.

- `label_key`: a label reduced for comparison — full-width and half-width forms
  unified (NFKC), every kind of space removed ("部 门 名 称" = "部门名称"), and
  bracket and colon variants made one.
- `annex_number`: "附件1", "附件 1", "附件１", "附件一", "附件3-1", "附件三-1" → "1", "3-1".
- `parse_figure`: a cell's figure as printed — thousands separators, full-width digits,
  a unit (万元, 元, %, 人…) and stray spaces allowed — keeping the precision written
  ("12.00" stays 12.00); blanks and dashes are no figure at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..values import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_BRACKETS = str.maketrans({"(": "(", ")": ")", "[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "：": ":"})
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}


def label_key(text: str) -> str:
    """`text` reduced for comparing labels: NFKC, no spaces, one spelling of brackets and colons."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(_BRACKETS).rstrip(":")


def chinese_number(text: str) -> int | None:
    """一 … 九十九 (and 〇/零 digits like 二〇) as an int; None when `text` is not such a numeral."""
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return int("".join(str(_DIGITS[c]) for c in text))


_ANNEX = re.compile(r"^附件\s*([0-9一二三四五六七八九十〇零两]+)(?:\s*[-—–－之]\s*([0-9一二三四五六七八九十〇零两]+))?\s*[:：]?$")


def annex_number(text: str) -> str | None:
    """The number of an annex label ("附件 3-1" → "3-1", "附件一" → "1"), or None when `text` is not one."""
    m = _ANNEX.match(label_key(text).replace(":", ""))
    if not m:
        return None
    parts = []
    for part in m.groups():
        if part is None:
            continue
        value = int(part) if part.isdigit() else chinese_number(part)
        if value is None:
            return None
        parts.append(str(value))
    return "-".join(parts)


@dataclass(frozen=True)
class Figure:
    """A figure as printed: its value (precision kept), the unit written after it, and the text it came from."""

    value: Decimal
    unit: str
    text: str


_UNITS = ("万元", "元", "%", "‰", "人次", "人", "户", "个", "项", "次", "天", "年", "月", "家", "件", "份", "平方米", "米", "公里", "分")
_FIGURE = re.compile(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
BLANKS = frozenset({"", "-", "—", "——", "/", "\\", "无", "－", "…", "……"})


def parse_figure(text: str) -> Figure | None:
    """A cell's figure ("1,234.50 万元", "１２．５", "95%", " 12.00 ") or None: not a figure, blank or a dash.

    A figure beyond the format's digit limits is not a figure either: the importer reports
    the text as found.
    """
    clean = _SPACES.sub("", unicodedata.normalize("NFKC", text)).replace("，", ",")
    if clean in BLANKS:
        return None
    unit = next((u for u in _UNITS if clean.endswith(u)), "")
    number = clean[: len(clean) - len(unit)] if unit else clean
    m = _FIGURE.match(number)
    if not m:
        return None
    sign, whole, fraction = m.groups()
    whole = whole.replace(",", "")
    if len(whole.lstrip("0") or "0") > MAX_INTEGER_DIGITS or len(fraction or "") > MAX_DECIMAL_PLACES:
        return None
    try:
        value = Decimal(f"{sign}{whole}" + (f".{fraction}" if fraction is not None else ""))
    except InvalidOperation:
        return None
    return Figure(value, unit, text)
