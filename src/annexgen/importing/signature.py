"""The signature line under a table: 填表人, 填报日期, 联系电话, 单位负责人(签字).

"填表人：何克 填报日期：2024年10月17日  联系电话：19330096678  单位负责人签字：易贵明" is
read into 部门.yaml's 签字. Clerks type it with full- or half-width colons, spaces
inside labels ("填 表 人"), one line or several, in any order, some fields blank.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: printed label (spaces removed) → key of 部门.yaml's 签字
LABELS = {"填表人": "填表人", "填报日期": "填报日期", "联系电话": "联系电话", "单位负责人签字": "单位负责人", "单位负责人": "单位负责人"}
_SPACED = {label: r"\s*".join(map(re.escape, label)) for label in LABELS}
_LABEL = re.compile("(" + "|".join(_SPACED[label] for label in sorted(LABELS, key=len, reverse=True)) + r")\s*[:：]")
_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")


def is_signature(text: str) -> bool:
    """Whether a paragraph is (part of) a signature line."""
    squeezed = _squeeze(text)
    return bool(_LABEL.search(text)) and ("填表人" in squeezed or "单位负责人" in squeezed or bool(_LABEL.match(text.strip())))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def parse_date(text: str) -> dt.date | None:
    """"2024年10月17日", "2024 年 10 月 17 日", "2024-10-17", "2024.10.17" → a date; None otherwise."""
    m = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_signature(text: str) -> dict:
    """The fields of a signature line, keyed as in 部门.yaml's 签字; blanks are None, a date as printed when not a date."""
    matches = list(_LABEL.finditer(text))
    out: dict = {}
    for m, nxt in zip(matches, matches[1:] + [None]):
        key = LABELS[_squeeze(m.group(1))]
        value = text[m.end() : nxt.start() if nxt else len(text)].strip()
        if key == "填报日期" and value:
            out[key] = parse_date(value) or value
        else:
            out[key] = value or None
    return out
