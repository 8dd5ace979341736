"""Titles: a title too long for one printed line is broken between words, never inside one.

GB/T 9704-2012 7.3.3: a title that runs over a line "回行时，要做到词意完整，
排列对称，长短适宜". Word breaks Chinese text after any character, so a long
title left to Word comes out as "…部门整体支 / 出绩效自评报告". `wrap` breaks
each line that does not fit at word boundaries instead:

- words come from jieba (the standard Chinese word segmenter); the places
  before and after a department or project name the title contains are the
  preferred breaks, and a break inside a name costs most;
- a number stays with the word after it (2023 / 年度 never part), and
  punctuation stays on the side Chinese typesetting keeps it;
- of all the ways that fit, the fewest lines; then the one whose lines are
  fullest (the last line may be short), preferring the names' edges.

Widths are counted in em: a Chinese character is 1, a Latin letter or digit ½,
which is how the 方正小标宋简体 and 仿宋 faces set them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache

NOT_AT_LINE_START = set("，。、；：？！）》」』】〕’”％%,.;:?!)]}·…—")
NOT_AT_LINE_END = set("（《「『【〔‘“([{")
OTHER_BREAK = 16  # em² a break between two other words costs over one at a name's edge
NAME_BREAK = 36  # em² a break inside a department or project name costs


def width(text: str) -> float:
    """The printed width of `text` in em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)  # “—” are wide in Chinese


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba announces loading its dictionary on stderr
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def warm() -> None:
    """Load the word list now: before a batch forks its workers (pool.py), so they share it instead of each loading it."""
    _tokenizer()


def _words(text: str) -> list[str]:
    if not text:
        return []
    if width(text) <= 1:
        return [text]
    return _tokenizer().lcut(text, HMM=False)


def _tokens(line: str, keep: tuple[str, ...]) -> tuple[list[str], list[float]]:
    """Unbreakable pieces of the line, and what a break before each piece costs (em²)."""
    spans = []  # (start, end) of each name found in the line, longest names first, not overlapping
    for name in sorted({k for k in keep if k}, key=len, reverse=True):
        for m in re.finditer(re.escape(name), line):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    cuts = sorted({0, len(line), *(x for span in spans for x in span)})
    words = [w for a, b in zip(cuts, cuts[1:]) for w in _words(line[a:b])]
    tokens: list[str] = []
    costs: list[float] = []
    offset = 0
    for word in words:
        if tokens and _glued(tokens[-1], word):
            tokens[-1] += word
        else:
            tokens.append(word)
            edge = any(offset in span for span in spans)
            inside = any(a < offset < b for a, b in spans)
            costs.append(0.0 if edge else NAME_BREAK if inside else OTHER_BREAK)
        offset += len(word)
    return tokens, costs


def _glued(before: str, word: str) -> bool:
    """Whether no line may break between these two words."""
    latin = before[-1].isascii() and before[-1].isalnum() and word[0].isascii() and word[0].isalnum()
    number = re.fullmatch(r"[0-9０-９.．]+", before) is not None
    return word[0] in NOT_AT_LINE_START or before[-1] in NOT_AT_LINE_END or number or latin


def wrap(line: str, capacity: float, keep: tuple[str, ...] = ()) -> list[str]:
    """`line` as printed lines of at most `capacity` em, broken between words (the module docstring)."""
    if width(line) <= capacity or capacity <= 1:
        return [line]
    tokens, costs = [], []
    for token, cost in zip(*_tokens(line, keep)):
        split = list(token) if width(token) > capacity else [token]  # a word wider than a line: by characters
        tokens.extend(split)
        costs.extend([cost] + [NAME_BREAK] * (len(split) - 1))
    n = len(tokens)
    widths = [width(t) for t in tokens]
    # best[i] = (lines, cost, previous break) for the tokens before i
    best: list[tuple[int, float, int] | None] = [None] * (n + 1)
    best[0] = (0, 0.0, -1)
    for end in range(1, n + 1):
        for start in range(end - 1, -1, -1):
            w = sum(widths[start:end])
            if w > capacity:
                break
            if best[start] is None:
                continue
            lines, cost, _ = best[start]
            slack = 0.0 if end == n else (capacity - w) ** 2 + costs[end]
            candidate = (lines + 1, cost + slack, start)
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    out, end = [], n
    while end > 0:
        start = best[end][2]
        out.append("".join(tokens[start:end]))
        end = start
    return out[::-1]


TITLE_STYLE = "公文标题"
DEFAULT_SIZE_PT = 22  # 2号, GB/T 9704's size for a title


def capacity(doc) -> float:
    """How many em of the title style fit on one line of the document's first section."""
    from docx.shared import Pt

    section = doc.sections[0]
    if not (section.page_width and section.left_margin is not None and section.right_margin is not None):
        return float("inf")
    size = next((s.font.size for s in doc.styles if s.name == TITLE_STYLE and s.font.size), None) or Pt(DEFAULT_SIZE_PT)
    return (section.page_width - section.left_margin - section.right_margin) / size


def fit_lines(context: dict, room: float) -> None:
    """Break the context's title lines (标题行) wider than `room` em (see `capacity`), keeping its names whole."""
    if "标题行" in context:
        keep = (context.get("部门名称", ""), context.get("项目名称", ""))
        context["标题行"] = [part for line in context["标题行"] for part in wrap(line, room, keep)]
