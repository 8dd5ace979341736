"""One YAML document → Python values with the place of every key and value.

Nodes are composed here from the parser's event stream (libyaml's when present,
ten times faster; the pure-Python parser's on a syntax error, for its messages).
Both parsers are state machines, and this composer keeps an explicit stack, so no
recursion depends on the input: nesting deeper than `MAX_DEPTH`, more than
`MAX_NODES` nodes (each alias counted as the nodes it expands to) or a folder's
whole `Budget` are refused as they arrive, located, before anything is expanded.
The nodes are then turned into values:

- no object is ever constructed from a tag (only str, int, Decimal, bool, date, None);
  a tagged scalar whose text does not fit its tag is a located ``wrong-type``;
- a key given twice is an error (PyYAML would silently keep the last one);
- numbers become ``int`` or ``Decimal`` from their source text, never floats, and
  have at most ``MAX_INTEGER_DIGITS`` + ``MAX_DECIMAL_PLACES`` digits.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import yaml

from .values import SourceInt, digits_problem

Loc = tuple[int, int]  # 1-based line and column

MAX_NODES = 200_000  # nodes of one file, aliases counted as what they expand to: bounds "billion laughs"
MAX_DEPTH = 64
MAX_FOLDER_NODES = 200_000  # the same, for all files of a department-year together (a real one has about 1,300)
MAX_FOLDER_BYTES = 20 * 1024 * 1024
MAX_FOLDER_CHARS = MAX_FOLDER_BYTES  # characters of text all values expand to, aliases counted each time they are used
MAX_REPARSE_CHARS = 256 * 1024  # a file re-read by the pure-Python parser for its error messages (about 2 s per MB)

#: characters XML 1.0 forbids (a .docx is XML): C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DEC = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)$")
_YAML = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG, _INT_TAG = _YAML + "str", _YAML + "int"
_SHORT_INT = 10  # an int of fewer characters is within the digit limits
_SHORT_INTS: dict[str, SourceInt] = {}
_SAFE = yaml.constructor.SafeConstructor


@dataclass
class Document:
    """One YAML file as Python values, with the place of every key and value."""

    file: Path
    data: Any
    values: dict[tuple, Loc] = field(default_factory=dict)
    keys: dict[tuple, Loc] = field(default_factory=dict)


@dataclass
class Budget:
    """What one department-year may still spend on reading, over all its files."""

    nodes: int = MAX_FOLDER_NODES
    bytes: int = MAX_FOLDER_BYTES
    chars: int = MAX_FOLDER_CHARS
    spent: bool = False  # once exhausted, no more files are read


class Problem(Exception):
    """A located finding that stops reading a file."""

    def __init__(self, code: str, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.code, self.message, self.loc = code, message, loc


def _loc(mark: Any) -> Loc:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _deep(loc: Loc) -> Problem:
    return Problem("too-complex", f"嵌套层级过深（超过 {MAX_DEPTH} 层），请检查括号和缩进", loc)


class _Scalar(yaml.ScalarNode):
    explicit, size, height = False, 1, 0  # tag written in the file; nodes it expands to; levels below it


class _Sequence(yaml.SequenceNode):
    explicit, size, height = False, 1, 0


class _Mapping(yaml.MappingNode):
    explicit, size, height = False, 1, 0


_STR = yaml.resolver.Resolver.DEFAULT_SCALAR_TAG
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers  # first character → [(tag, pattern)], as Resolver.resolve uses them


_PLAIN_TAGS: dict[str, str] = {}  # short plain scalars seen, and their implicit tags (1, 0, ~, true repeat a lot)


def _plain_tag(value: str) -> str:
    """The implicit tag of a plain scalar, as Resolver.resolve gives it."""
    tag = _STR
    for candidate, pattern in _IMPLICIT.get(value[:1], ()):
        if pattern.match(value):
            tag = candidate
            break
    if len(value) <= 12 and len(_PLAIN_TAGS) < 10_000:
        _PLAIN_TAGS[value] = tag
    return tag


class _Composer:
    """Events → nodes with an explicit stack; counts nodes and alias expansions as they arrive."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.limit = min(MAX_NODES, budget.nodes)
        self.count = 0

    def _spend(self, n: int, mark: Any) -> None:
        self.count += n
        if self.count <= self.limit:
            return
        if self.limit < MAX_NODES:
            self.budget.spent = True
            raise Problem("too-complex", f"这个年度文件夹的文件合计内容过多或别名（&/*）展开过多（超过 {MAX_FOLDER_NODES} 项），从这里起不再读取：请简化", _loc(mark))
        raise Problem("too-complex", f"文件内容过多或别名（&/*）展开过多（超过 {MAX_NODES} 项），请简化", _loc(mark))

    def compose(self, events: Iterable[yaml.Event]) -> yaml.Node | None:
        anchors: dict[str, yaml.Node] = {}
        stack: list[list] = []  # [collection node, key waiting for its value]
        open_ids: set[int] = set()
        root: yaml.Node | None = None
        first_document = None
        for event in events:
            cls = event.__class__
            if cls is yaml.ScalarEvent and event.tag is None and event.anchor is None:  # the common case, inline
                if len(stack) > MAX_DEPTH:
                    raise _deep(_loc(event.start_mark))
                self.count += 1
                if self.count > self.limit:
                    self._spend(0, event.start_mark)
                value = event.value
                tag = _STR
                if event.implicit[0]:
                    tag = _PLAIN_TAGS.get(value) or _plain_tag(value)
                node: yaml.Node = _Scalar(tag, value, event.start_mark, event.end_mark, event.style)
            elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                node = stack.pop()[0]
                open_ids.discard(id(node))
                node.end_mark = event.end_mark
                children = node.value if cls is yaml.SequenceEndEvent else [n for pair in node.value for n in pair]
                node.size = 1 + sum(c.size for c in children)  # type: ignore[attr-defined]
                node.height = 1 + max((c.height for c in children), default=-1)  # type: ignore[attr-defined]
                if not stack:
                    root = node
                continue
            elif cls is yaml.DocumentStartEvent:
                if first_document is not None:
                    raise yaml.composer.ComposerError("expected a single document in the stream", first_document, "but found another document", event.start_mark)
                first_document = event.start_mark
                continue
            elif cls is yaml.StreamStartEvent or cls is yaml.StreamEndEvent or cls is yaml.DocumentEndEvent:
                continue
            else:
                node = self._node(event, anchors, len(stack), open_ids)
            if stack:
                entry = stack[-1]
                parent = entry[0]
                if parent.__class__ is _Sequence:
                    parent.value.append(node)
                elif entry[1] is None:
                    entry[1] = node
                else:
                    parent.value.append((entry[1], node))
                    entry[1] = None
            else:
                root = node
            if (cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent):
                stack.append([node, None])
                open_ids.add(id(node))
        return root

    def _node(self, event: Any, anchors: dict, depth: int, open_ids: set[int]) -> yaml.Node:
        if isinstance(event, yaml.AliasEvent):
            node = anchors.get(event.anchor)
            if node is None:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            if id(node) in open_ids:
                raise Problem("too-complex", f"别名 *{event.anchor} 引用了包含它自己的内容，会无限展开：请把内容直接写出", _loc(event.start_mark))
            if depth + node.height > MAX_DEPTH:
                raise _deep(_loc(event.start_mark))
            self._spend(node.size, event.start_mark)
            return node
        if depth > MAX_DEPTH:
            raise _deep(_loc(event.start_mark))
        self._spend(1, event.start_mark)
        tag = event.tag
        explicit = tag is not None and tag != "!"
        if isinstance(event, yaml.ScalarEvent):
            if not explicit:
                tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
            node: yaml.Node = _Scalar(tag, event.value, event.start_mark, event.end_mark, event.style)
        elif isinstance(event, yaml.SequenceStartEvent):
            node = _Sequence(tag if explicit else _RESOLVER.DEFAULT_SEQUENCE_TAG, [], event.start_mark, None, event.flow_style)
        else:
            node = _Mapping(tag if explicit else _RESOLVER.DEFAULT_MAPPING_TAG, [], event.start_mark, None, event.flow_style)
        node.explicit = explicit  # type: ignore[attr-defined]
        if event.anchor is not None:
            if event.anchor in anchors:
                raise yaml.composer.ComposerError(f"found duplicate anchor {event.anchor!r}; first occurrence", anchors[event.anchor].start_mark, "second occurrence", event.start_mark)
            anchors[event.anchor] = node
        return node


def _short(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


#: what an explicitly tagged scalar must look like, in words
_TAG_WANTS = {"bool": "真假值 true 或 false", "int": "整数（如 12）", "float": "数字（如 12.5）", "null": "空值（~ 或 null）", "timestamp": "日期（如 2024-10-17）"}
_CONSTRUCTOR = _SAFE()


class _Builder:
    """Turns a composed node tree into values, refusing what the format does not allow.

    The composer has already bounded the depth (so this recursion is shallow) and the
    number of nodes, aliases expanded (so this walk is short)."""

    def __init__(self, doc: Document, budget: Budget) -> None:
        self.doc = doc
        self.budget = budget
        self.warnings: list[tuple[Loc, str]] = []

    def build(self, node: yaml.Node, path: tuple) -> Any:
        mark = node.start_mark
        loc = (mark.line + 1, mark.column + 1)
        self.doc.values[path] = loc
        if node.__class__ is _Scalar:
            text = node.value
            self.budget.chars -= len(text)  # an alias of a long text counts each time it is used
            if self.budget.chars < 0:
                self.budget.spent = True
                raise Problem("too-complex", f"这个年度文件夹的文字合计（别名 * 每用一次都算）超过 {MAX_FOLDER_CHARS // 1024 // 1024} M 字，从这里起不再读取：请不要用别名重复长文字", loc)
            if node.tag == _STR_TAG and not XML_FORBIDDEN.search(text):  # the common cases first
                return text
            if node.tag == _INT_TAG and len(text) < _SHORT_INT:
                number = _SHORT_INTS.get(text)
                if number is None and _INT.match(text):
                    number = SourceInt(int(text), text)
                    if len(_SHORT_INTS) < 10_000:
                        _SHORT_INTS[text] = number  # immutable: one object may stand at many places
                if number is not None:
                    return number
            return self._scalar(node, loc)
        if isinstance(node, yaml.MappingNode) and node.tag != _YAML + "map" or isinstance(node, yaml.SequenceNode) and node.tag != _YAML + "seq":
            raise self._unsupported(node.tag, loc)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, loc)

    @staticmethod
    def _unsupported(tag: str, loc: Loc) -> Problem:
        return Problem("wrong-type", f"不支持的 YAML 标签“{tag}”：数据文件里只写文字、数字、日期和 true/false", loc)

    def _mapping(self, node: yaml.MappingNode, path: tuple) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            kloc = _loc(key_node.start_mark)
            if key_node.tag == _YAML + "merge":
                raise Problem("yaml-syntax", "不支持 << 合并键：请把内容直接写出", kloc)
            if not isinstance(key_node, yaml.ScalarNode):
                raise Problem("wrong-type", "键应为文字，不能是列表或映射", kloc)
            key = key_node.value
            if key in out:
                first = self.doc.keys[path + (key,)]
                raise Problem("duplicate-key", f"键“{key}”重复：第 {first[0]} 行已写过。同一个键只能写一次，请删去或合并其中一处", kloc)
            self.doc.keys[path + (key,)] = kloc
            out[key] = self.build(value_node, path + (key,))
        return out

    def _scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        tag, text, explicit = node.tag, node.value, getattr(node, "explicit", False)
        kind = tag[len(_YAML):] if tag.startswith(_YAML) else None
        if kind == "str":
            clean = XML_FORBIDDEN.sub("", text)
            if clean != text:
                bad = "、".join(sorted({f"U+{ord(c):04X}" for c in XML_FORBIDDEN.findall(text)}))
                self.warnings.append((loc, f"文字中有 Word 文件不能容纳的控制字符（{bad}），已删除：请检查这段文字是否完整"))
            return clean
        if kind not in _TAG_WANTS:
            raise self._unsupported(tag, loc)
        number = kind == "int" and _INT.match(text) or kind == "float" and (_DEC.match(text) or explicit and _INT.match(text))
        if number:
            problem = digits_problem(text)
            if problem:
                raise Problem("wrong-type", problem, loc)
            return SourceInt(int(text), text) if kind == "int" else Decimal(text)
        if kind in ("int", "float") and not explicit:
            return text  # 0731, 1_000, 1:20, 0x1F, 1e5 and .inf are numbers to YAML 1.1 but not to a clerk: keep the text
        if kind == "null" and text in ("", "~", "null", "Null", "NULL"):
            return None
        if kind == "bool" and text.lower() in _SAFE.bool_values:
            return _SAFE.bool_values[text.lower()]
        if kind == "timestamp" and _SAFE.timestamp_regexp.match(text):
            try:
                value = _CONSTRUCTOR.construct_yaml_timestamp(node)
            except Exception:  # noqa: BLE001 - any failure of the constructor is a date that does not exist
                raise Problem("bad-date", f"日期“{text}”不存在：请检查年、月、日", loc) from None
            return value.date() if isinstance(value, _dt.datetime) else value
        return_text = text if len(text) <= 40 else text[:40] + "…"
        raise Problem("wrong-type", f"标签“{_short(tag)}”要求{_TAG_WANTS[kind]}，现为“{return_text}”：请按标签改写，或去掉标签", loc)


def _compose(text: str, budget: Budget) -> yaml.Node | None:
    """Compose with libyaml when present; on a syntax error, compose again with the pure-Python
    parser, whose error messages `syntax_message` knows. Both are bounded the same way."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _Composer(budget).compose(yaml.parse(text, Loader=fast))
        except yaml.YAMLError:
            if len(text) > MAX_REPARSE_CHARS:
                raise  # libyaml's own message and place: the slow parser would take seconds on a large file
    return _Composer(budget).compose(yaml.parse(text, Loader=yaml.SafeLoader))


def parse(text: str, doc: Document, budget: Budget) -> list[tuple[Loc, str]]:
    """Fill `doc` from `text`; returns the warnings (removed escaped control characters). Raises Problem."""
    warnings = yamlfast.parse(text, doc, budget)  # the common file in one pass; None: this general path
    if warnings is not None:
        return warnings
    composer_budget = Budget(nodes=budget.nodes)
    try:
        node = _compose(text, composer_budget)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise Problem("yaml-syntax", syntax_message(e), _loc(mark)) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        code = e.character if isinstance(e.character, int) else ord(e.character)
        raise Problem("control-char", f"这里有不允许的控制字符（U+{code:04X}），常见于从网页或其他软件粘贴的文字：请删除它", (line, col)) from None
    except yaml.YAMLError as e:
        raise Problem("yaml-syntax", f"YAML 格式错误（{e}）：请检查缩进、冒号和引号", (1, 1)) from None
    finally:
        budget.spent = budget.spent or composer_budget.spent
    if node is None:
        raise Problem("empty-file", "文件是空的：请按示例填写内容", (1, 1))
    budget.nodes -= node.size  # type: ignore[attr-defined]
    if not isinstance(node, yaml.MappingNode):
        raise Problem("not-mapping", "文件最外层应为“键: 值”的映射，不能是列表或单个值", _loc(node.start_mark))
    builder = _Builder(doc, budget)
    doc.data = builder.build(node, ())
    return builder.warnings


def syntax_message(e: yaml.MarkedYAMLError) -> str:
    problem = (e.problem or "").strip()
    hints = {
        "found character '\\t' that cannot start any token": "有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格",
        "found unexpected end of stream": "文件在引号或括号闭合前就结束了：请检查引号是否成对",
        "mapping values are not allowed here": "这里不能出现“: ”：若是文字内容，请给整段文字加引号；否则检查缩进",
        "found unexpected ':'": "这里不能出现冒号：若是文字内容，请给整段文字加引号",
        "could not find expected ':'": "缺少“: ”，或缩进不对齐：请检查这一行和上一行",
        "expected <block end>, but found '<block mapping start>'": "缩进不对齐：同一层的键应对齐",
        "expected <block end>, but found '-'": "缩进不对齐：列表项“- ”应与同一列表的其他项对齐",
        "found undefined alias": "引用了未定义的别名（*）",
        "found unknown escape character": "双引号里有无效的转义（\\）：请改用单引号或去掉反斜杠",
        "but found another document": "一个文件只能写一份内容：请删去“---”或“...”及其后的第二份",
        "second occurrence": "锚点（&名称）重复：同一个名称只能定义一次，请改名",
    }
    for needle, zh in hints.items():
        if needle in problem:
            return zh
    if "while scanning a quoted scalar" in str(e.context):
        return "引号没有闭合：请检查这段文字两端的引号"
    return f"YAML 格式错误（{problem}）：请检查这一行的缩进、冒号和引号"


def decode(raw: bytes, known_keys: set[str]) -> tuple[str, str | None]:
    """The file's text, and a warning when it had to be read in another encoding than UTF-8.

    UTF-8 (with or without a BOM) is the format's encoding. UTF-16 and UTF-32 files
    are read when they start with their byte-order mark: the mark says which they are.
    A file that is not UTF-8 but reads as GB18030 (which contains GBK, what Notepad and
    WPS on Chinese Windows save) is read that way only when the result contains keys
    of the format (`known_keys`): the Chinese key names are then proof of the encoding.
    Anything else is refused with the way to save it as UTF-8.
    """
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), None
            except UnicodeDecodeError:
                break
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        utf8_error = (line, col)
    if b"\x00" not in raw:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            keys = set(_KEY_LINE.findall(text)) & known_keys
            if keys:
                return text, f"文件是 GBK/GB18030 编码（记事本、WPS 的“ANSI”），已按此读取：其中的键名“{sorted(keys)[0]}”只有这样才读得通。建议另存为 UTF-8"
    raise Problem("encoding", "文件不是 UTF-8 编码：请在记事本或 WPS 中“另存为”，编码选 UTF-8", utf8_error)


_KEY_LINE = re.compile(r"^[ \t-]*([^\s:#]+)\s*:", re.M)

from . import yamlfast  # noqa: E402  (it builds on this module's pieces)
