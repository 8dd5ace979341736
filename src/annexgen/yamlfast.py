"""The common case of `yamlread.parse` in one pass: libyaml's events straight to values.

A data file is almost always one mapping of plain mappings, lists and untagged
scalars. For such a file this module builds the values, and the place of every key
and value, directly from libyaml's event stream, without composing nodes first and
walking them again. It gives exactly what the general path (`yamlread._Composer`,
then `yamlread._Builder`) gives: the same values, places, warnings, and the same
spending of the department-year's `Budget`.

It handles only files that read without any problem. On anything else it gives up
(returns None) before touching the document or the budget, and the general path
reads the file from the start and reports the problem exactly as before: a syntax
error, an anchor or alias, a tag, a key that is not text, a ``<<`` key, a key given
twice, a scalar the builder refuses, a root that is not a mapping, an empty file, a
second document, nesting deeper than `MAX_DEPTH`, more nodes than the limits, more
text than the folder's budget. Giving up is bounded too: it stops at the first such
event, so a hostile file costs at most twice the (bounded) general path.
"""

from __future__ import annotations

from typing import Any

import yaml

from .yamlread import (
    _INT,
    _INT_TAG,
    _PLAIN_TAGS,
    _SHORT_INT,
    _SHORT_INTS,
    _STR,
    MAX_DEPTH,
    MAX_NODES,
    XML_FORBIDDEN,
    Budget,
    Document,
    Problem,
    _Builder,
    _plain_tag,
    _Scalar,
)
from .values import SourceInt

_LOADER = getattr(yaml, "CSafeLoader", None)
_SCALAR, _MAP_START, _SEQ_START = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_DOC_START, _DOC_END, _STREAM_END = yaml.DocumentStartEvent, yaml.DocumentEndEvent, yaml.StreamEndEvent


class _GiveUp(Exception):
    """The file needs the general path."""


def parse(text: str, doc: Document, budget: Budget) -> list | None:
    """Fill `doc` from `text` and spend from `budget`, returning the warnings, as `yamlread.parse` would;
    or None, with `doc` and `budget` untouched, when the file is not a problem-free common one."""
    if _LOADER is None:
        return None
    loader = _LOADER(text)
    try:
        return _read(loader.get_event, doc, budget)
    except (_GiveUp, Problem, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


def _read(get: Any, doc: Document, budget: Budget) -> list:
    values: dict[tuple, tuple[int, int]] = {}
    keys: dict[tuple, tuple[int, int]] = {}
    builder: _Builder | None = None  # for the uncommon scalars (numbers with decimals, dates, true/false, ~)
    limit = min(MAX_NODES, budget.nodes)
    count = chars = 0
    # one frame per open collection: [container, its path, the key waiting for its value (mappings)]
    stack: list[list] = []
    root: dict | None = None
    if get().__class__ is not yaml.StreamStartEvent or get().__class__ is not _DOC_START:
        raise _GiveUp  # an empty file
    while True:
        event = get()
        cls = event.__class__
        if cls is _MAP_END or cls is _SEQ_END:
            stack.pop()
            continue
        if cls is _SCALAR or cls is _MAP_START or cls is _SEQ_START:
            if event.anchor is not None or event.tag is not None or not (stack or cls is _MAP_START):
                raise _GiveUp  # anchors, tags and a root that is not a mapping: the general path
            count += 1
            if count > limit or len(stack) > MAX_DEPTH:
                raise _GiveUp
            mark = event.start_mark
            loc = (mark.line + 1, mark.column + 1)
            if not stack:
                root = {}
                values[()] = loc
                stack.append([root, (), None])
                continue
            frame = stack[-1]
            parent = frame[0]
            if parent.__class__ is dict:
                key = frame[2]
                if key is None:  # this event is a key
                    if cls is not _SCALAR:
                        raise _GiveUp
                    key = event.value
                    if key in parent or key == "<<":  # a key given twice, or a merge key: the general path says so
                        raise _GiveUp
                    frame[2] = key
                    keys[frame[1] + (key,)] = loc
                    continue
                frame[2] = None
                path = frame[1] + (key,)
            else:
                key = len(parent)
                path = frame[1] + (key,)
            values[path] = loc
            if cls is _SCALAR:
                text = event.value
                chars += len(text)
                tag = (_PLAIN_TAGS.get(text) or _plain_tag(text)) if event.implicit[0] else _STR
                if tag == _STR and not XML_FORBIDDEN.search(text):
                    value: Any = text
                else:
                    value = None
                    if tag == _INT_TAG and len(text) < _SHORT_INT:
                        value = _SHORT_INTS.get(text)
                        if value is None and _INT.match(text):
                            value = SourceInt(int(text), text)
                            if len(_SHORT_INTS) < 10_000:
                                _SHORT_INTS[text] = value
                    if value is None:
                        if builder is None:
                            builder = _Builder(doc, budget)
                        value = builder._scalar(_Scalar(tag, text, mark, event.end_mark, event.style), loc)
            else:
                value = {} if cls is _MAP_START else []
                stack.append([value, path, None])
            if parent.__class__ is dict:
                parent[key] = value
            else:
                parent.append(value)
        elif cls is _DOC_END:
            continue
        elif cls is _STREAM_END:
            break
        else:
            raise _GiveUp  # an alias, or a second document
    if root is None or chars > budget.chars:
        raise _GiveUp
    budget.nodes -= count
    budget.chars -= chars
    doc.data, doc.values, doc.keys = root, values, keys
    return builder.warnings if builder is not None else []
