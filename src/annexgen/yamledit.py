"""Edit a YAML file in place, at the exact spans of its values, and prove the edit did only that.

`spans` gives the character span of every value and key by YAML path (keys as
written, list indexes), from the parser's events; `YamlEdit` collects edits at
those spans (a value replaced, a list item's lines removed, a key or a text
rewritten) together with the values the file must hold afterwards, and `result`
applies them, parses the text again (with `yamlread`, as `load` does) and compares
every value, with its written precision, against those expected. Everything not
edited (comments, the ``# yaml-language-server`` line, quoting, flow or block
style, line ends) stays byte for byte; a trailing comment keeps its column.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import AnnexgenError
from .files import shown
from .values import SourceInt
from .yamlread import Budget, Document, Problem, parse


class EditError(AnnexgenError):
    """An edit that cannot be made in place: `where: 错误: message [code]`."""

    def __init__(self, where: str, message: str, code: str = "cannot-edit", exit_code: int = 1) -> None:
        self.code, self.exit_code = code, exit_code
        super().__init__(f"{where}: 错误: {message} [{code}]")


@dataclass
class Span:
    """A node of the YAML text: its character span, and how it is written."""

    start: int
    end: int
    kind: str  # scalar, alias, seq, map
    flow: bool = False
    bare: bool = True  # no anchor, no tag


@dataclass
class _Frame:
    kind: str
    path: tuple
    index: int = 0
    key: Any = None
    has_key: bool = False


def spans(text: str) -> tuple[dict[tuple, Span], dict[tuple, Span]]:
    """(values, keys): the span of every value and of every mapping key, by YAML path (keys as written)."""
    values: dict[tuple, Span] = {}
    keys: dict[tuple, Span] = {}
    stack: list[_Frame] = []
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            values[stack.pop().path].end = ev.end_mark.index
            continue
        if not isinstance(ev, yaml.NodeEvent):
            continue
        path: tuple = ()
        if stack:
            top = stack[-1]
            if top.kind == "map" and not top.has_key:
                if isinstance(ev, yaml.ScalarEvent):  # a key: the files have only text keys (the loader refused others)
                    top.key, top.has_key = ev.value, True
                    keys[top.path + (ev.value,)] = Span(ev.start_mark.index, ev.end_mark.index, "scalar")
                continue
            if top.kind == "map":
                path, top.has_key = top.path + (top.key,), False
            else:
                path, top.index = top.path + (top.index,), top.index + 1
        kind = {yaml.ScalarEvent: "scalar", yaml.AliasEvent: "alias", yaml.SequenceStartEvent: "seq", yaml.MappingStartEvent: "map"}[type(ev)]
        bare = getattr(ev, "anchor", None) is None and getattr(ev, "tag", None) in (None, "!")
        values[path] = Span(ev.start_mark.index, ev.end_mark.index, kind, bool(getattr(ev, "flow_style", False)), bare)
        if kind in ("seq", "map"):
            stack.append(_Frame(kind, path))
    return values, keys


def get(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data or isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def scalar_text(value: Any) -> str:
    """How a value is written in YAML by this module: ~, true/false, numbers as written, text double-quoted."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, SourceInt):
        return value.src
    if isinstance(value, (int, Decimal)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


class YamlEdit:
    """The edits of one YAML file, and the values it must hold after them (checked by `result`)."""

    def __init__(self, file: Path, text: str, data: Any) -> None:
        self.file, self.text, self.data = file, text, data
        self.counts: Counter[str] = Counter()  # cleared, retexted, removed
        self.values, self.keys = spans(text)
        self.expected = _copy(data)
        self.edits: list[tuple[int, int, str]] = []

    def refuse(self, path: tuple, what: str) -> EditError:
        pos = self.values[path].start if path in self.values else 0
        line = self.text.count("\n", 0, pos) + 1
        col = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return EditError(f"{shown(self.file)}:{line}:{col}", f"{what}，无法在原处修改：请改用普通写法（不用 &锚点、*别名、!!标签）后再试")

    def _put(self, path: tuple, value: Any) -> None:
        parent = get(self.expected, path[:-1])
        parent[path[-1]] = value

    def _span(self, path: tuple) -> tuple[int, int]:
        span = self.values[path]
        if span.kind in ("seq", "map") and not span.flow:
            raise self.refuse(path, "这里应是一个值，现为一段列表或映射")
        end = span.start + len(self.text[span.start:span.end].rstrip())  # a block scalar's span takes its line breaks
        return span.start, end

    def set(self, path: tuple, value: Any, text: str | None = None) -> None:
        """Write `value` at `path` (as `text`, or as `scalar_text(value)`)."""
        if path not in self.values:
            return
        start, end = self._span(path)
        self.edits.append((start, end, scalar_text(value) if text is None else text))
        self._put(path, value)

    def clear(self, path: tuple) -> None:
        """Write ~ where a value is written (a key left out stays left out: annexgen computes it)."""
        if path in self.values and get(self.data, path) is not None:
            self.set(path, None)
            self.counts["cleared"] += 1

    def clear_all(self, path: tuple) -> None:
        """Clear every value below `path`."""
        value = get(self.data, path)
        if isinstance(value, dict):
            for key in value:
                self.clear_all(path + (key,))
        elif isinstance(value, list):
            for i in range(len(value)):
                self.clear_all(path + (i,))
        else:
            self.clear(path)

    def retext(self, path: tuple, change: Callable[[str], str], pattern: re.Pattern, key: bool = False) -> str:
        """Apply `change` (which rewrites what `pattern` finds) to the text at `path`, or to the key at its end:
        in place when the source spells those parts as they read, else the whole text double-quoted."""
        old = path[-1] if key else get(self.data, path)
        if not isinstance(old, str) or change(old) == old:
            return old
        new = change(old)
        span = (self.keys if key else self.values).get(path)
        if span is None:
            return old
        raw = self.text[span.start:span.start + len(self.text[span.start:span.end].rstrip())]
        if not span.bare:
            raise self.refuse(path, "这段文字带锚点或标签")
        inline = change(raw)
        same = [m[0] for m in pattern.finditer(raw)] == [m[0] for m in pattern.finditer(old)]
        self.edits.append((span.start, span.start + len(raw), inline if same else scalar_text(new)))
        if not key:
            self._put(path, new)
        self.counts["retexted"] += 1
        return new

    def delete_item(self, path: tuple) -> None:
        """Remove a list item written on lines of its own (“- text”), with its trailing comment."""
        start, end = self._span(path)
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end < 0 else line_end + 1
        if not re.fullmatch(r"[ \t]*-[ \t]+", self.text[line_start:start]) or not re.fullmatch(r"\s*(#.*)?\s*", self.text[end:line_end]):
            raise self.refuse(path, "这段正文与别的内容写在同一行")
        self.edits.append((line_start, line_end, ""))
        self.counts["removed"] += 1

    def comment(self, text: str) -> str:
        """A comment as it should read after the edits (unchanged here; see subclasses)."""
        return text

    def comments(self) -> list[tuple[int, int, str]]:
        """The comments `comment` changes, outside the other edits."""
        scalars = sorted((s.start, s.end) for s in [*self.values.values(), *self.keys.values()] if s.kind in ("scalar", "alias"))
        starts = [a for a, _ in scalars]
        out = []
        for m in re.finditer(r"(?:^|(?<=[ \t]))#[^\n]*", self.text, re.M):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and scalars[i][0] <= m.start() < scalars[i][1]:
                continue  # a # inside a quoted or block text
            new = self.comment(m[0])
            if new != m[0] and not any(a < m.end() and m.start() < b for a, b, _ in self.edits):
                out.append((m.start(), m.end(), new))
        return out

    def _aligned(self, edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Keep a trailing comment in its column: the spaces before it take up what the values on its line gained or lost."""
        out = list(edits)
        line_delta = 0
        for n, (start, end, new) in enumerate(edits):
            old = self.text[start:end]
            if "\n" in old or "\n" in new:
                line_delta = 0
                continue
            same_line = n > 0 and "\n" not in self.text[edits[n - 1][1]:start] and "\n" not in self.text[edits[n - 1][0]:edits[n - 1][1]]
            line_delta = (line_delta if same_line else 0) + len(old) - len(new)
            m = re.match(r"([\]}]*)( +)#", self.text[end:])  # the value's closing brackets, the spaces, the comment
            if m and line_delta and (n + 1 == len(edits) or edits[n + 1][0] >= end + len(m[0]) - 1):
                out[n] = (start, end + len(m[0]) - 1, new + m[1] + " " * max(1, len(m[2]) + line_delta))
        return out

    def result(self) -> str:
        """The edited text, checked: parsed again, it must hold exactly the expected values."""
        edits = self._aligned(sorted(self.edits + self.comments()))
        for (a0, a1, _), (b0, _b1, _) in zip(edits, edits[1:]):
            if b0 < a1:
                raise EditError(shown(self.file), "两处修改重叠（程序错误），没有写出", "internal")
        text = self.text
        for start, end, new in reversed(edits):
            text = text[:start] + new + text[end:]
        doc = Document(file=self.file, data=None)
        try:
            parse(text, doc, Budget())
        except Problem as p:
            raise EditError(f"{shown(self.file)}:{p.loc[0]}:{p.loc[1]}", f"改写后无法读取（{p.message}）：请用普通写法（不用 &锚点、*别名）后再试") from None
        if _normal(doc.data) != _normal(self.expected):
            raise EditError(shown(self.file), "改写后的内容与应有的不一致，可能用了程序不支持的写法：请用普通写法后再试")
        return text


def _copy(value: Any) -> Any:
    """The containers copied; the scalars (immutable) shared."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _normal(value: Any) -> Any:
    """Values compared with their written precision and spelling (12.00 ≠ 12.0; 0731 ≠ 731)."""
    if isinstance(value, dict):
        return [(k, _normal(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, (SourceInt, Decimal)):
        return (type(value).__name__, str(value) if isinstance(value, Decimal) else value.src)
    return (type(value).__name__, value)
