"""Load: read a department-year folder into the model, keeping where every value came from.

Step 1 of the pipeline (**load** → model → derive → check → render → write).

YAML is composed into nodes by PyYAML's safe composer and turned into Python
values here, node by node, so that

- no object is ever constructed from a tag (only str, int, Decimal, bool, date, None);
- a key given twice is an error (PyYAML would silently keep the last one);
- numbers become ``int`` or ``Decimal`` from their source text, never floats;
- every key and value keeps its line and column, so a pydantic error on
  ``('项目', 2, '绩效指标', 0, '分值')`` is reported at its place in the file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import UnusableInputError
from .findings import Finding, display_path, dotted
from .model import FILES, PROJECT_DIR, REQUIRED_FILE, Project, Submission
from .values import SourceInt, source_text

Loc = tuple[int, int]  # 1-based line and column
FILES_BY_FIELD = {attr: cls for attr, cls in FILES.values()}

MAX_NODES = 200_000  # nodes visited, aliases expanded: bounds "billion laughs"
MAX_DEPTH = 64
MAX_FILE_BYTES = 5 * 1024 * 1024

#: the codes of findings about the input itself: code → (meaning, example message)
LOAD_CODES: dict[str, tuple[str, str]] = {
    "yaml-syntax": ("YAML 写法错误：Tab 缩进、缩进不齐、引号不成对、文字里的“: ”", "有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"),
    "duplicate-key": ("同一个键写了两次（YAML 本会悄悄只留后一个）", "键“年度”重复：第 2 行已写过。同一个键只能写一次，请删去或合并其中一处"),
    "unknown-key": ("不认识的键，并给出最接近的正确写法", "不认识的键“单位负责任”：是不是“单位负责人”？可用的键见 annexgen schema 或示例文件"),
    "wrong-type": ("类型不对：该写数字处写了文字、百分数写法不对、列表项数不对等", "金额（万元）应为数字，现为文本“2万”：只写数字（或“数字万元”），不写其他单位、千分位逗号或全角数字"),
    "missing-key": ("缺少必填的键", "缺少必填的键“表样”：请补上"),
    "bad-date": ("日期不存在", "日期“2025-02-30”不存在：请检查年、月、日"),
    "empty-file": ("文件是空的", "文件是空的：请按示例填写内容"),
    "not-mapping": ("文件最外层不是“键: 值”映射", "文件最外层应为“键: 值”的映射，不能是列表或单个值"),
    "encoding": ("文件不是 UTF-8 编码：带 BOM 的 UTF-16/32 照读；GBK/GB18030 在键名读得通时照读并警告；其余报错", "文件不是 UTF-8 编码：请在记事本或 WPS 中“另存为”，编码选 UTF-8"),
    "too-complex": ("文件过大、嵌套过深或别名展开过多（防止恶意文件）", "文件内容过多或别名（&/*）展开过多（超过 200000 项），请简化"),
    "missing-file": ("年度文件夹里没有 部门.yaml", "缺少 部门.yaml：每个年度的数据文件夹都应有它（部门名称、年度、表样）"),
    "control-char": ("文件中有控制字符：未转义的直接报错；文字里转义写出的（如 \\x07）删除并警告，生成的 Word 文件不会损坏", "这里有不允许的控制字符（U+0007），常见于从网页或其他软件粘贴的文字：请删除它"),
    "text-expression": ("报告正文里的 {{ }} 引用了不存在的名称、写法有误，或试图访问程序内部", "正文里 {{ }} 中的名称“公务接代”不存在：可用的名称有 部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目，其下用“.”接表上的栏目名"),
    "unknown-form-set": ("部门.yaml 的“表样”不是已有的表样（annexgen build 报告）", "找不到表样“汨罗县”：可用的表样有 汨罗、隆回"),
    "unknown-file": ("文件夹里有不认识的 .yaml 文件（警告，已忽略）", "不认识的数据文件，已忽略，是不是“基础数据表.yaml”？"),
    "bad-file": ("不是普通文件或无法读取：指向文件夹外的符号链接、循环链接、管道、设备、没有读权限（不读取，不等待）", "这不是普通文件（是指向年度文件夹以外的符号链接），没有读取：请把文件本身复制到这里"),
    "duplicate-heading": ("报告中同一层有两个相同的标题（含 {{ }} 展开后相同的），后一个的内容会被覆盖", "标题“一、基本情况”与第 5 行的标题相同：同一层的标题不能重复，请修改其中一个"),
    "missing-part": ("所用表样需要的数据文件或部分，数据里没有（annexgen build 会因此无法生成）", "表样“汨罗”的附件5-1（项目支出绩效自评报告）需要 项目/1-….yaml 中的“自评报告”，但这里没有：请补上"),
    "too-long": ("文字过长，Word 文件或文件名容纳不下", "签字.填表人有 256 字，超过 Word 文档属性能容纳的 255 字：请缩短"),
    "local-forms-ignored": ("数据文件夹里（或上级）有 templates/ 表样，出于安全没有使用（警告）", "这里的 templates/ 里有表样，但数据文件夹里的表样不会被自动使用：确认可信后用 --forms 指定"),
}
#: codes of LOAD_CODES whose findings are warnings (the others are errors)
LOAD_WARNINGS = frozenset({"unknown-file", "local-forms-ignored"})

#: characters XML 1.0 forbids (a .docx is XML): C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DEC = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)$")


@dataclass
class Document:
    """One YAML file as Python values, with the place of every key and value."""

    file: Path
    data: Any
    values: dict[tuple, Loc] = field(default_factory=dict)
    keys: dict[tuple, Loc] = field(default_factory=dict)


class _Problem(Exception):
    def __init__(self, code: str, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.code, self.message, self.loc = code, message, loc


class _Builder:
    """Turns a composed node tree into values, refusing what the format does not allow."""

    _scalars = yaml.constructor.SafeConstructor()

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.warnings: list[tuple[Loc, str]] = []

    def build(self, node: yaml.Node, path: tuple, depth: int = 0) -> Any:
        self.count += 1
        loc = (node.start_mark.line + 1, node.start_mark.column + 1)
        if self.count > MAX_NODES:
            raise _Problem("too-complex", f"文件内容过多或别名（&/*）展开过多（超过 {MAX_NODES} 项），请简化", loc)
        if depth > MAX_DEPTH:
            raise _Problem("too-complex", f"嵌套层级过深（超过 {MAX_DEPTH} 层），请检查缩进", loc)
        self.doc.values[path] = loc
        if isinstance(node, yaml.MappingNode) and node.tag != "tag:yaml.org,2002:map" or isinstance(node, yaml.SequenceNode) and node.tag != "tag:yaml.org,2002:seq":
            raise _Problem("wrong-type", f"不支持的 YAML 标签“{node.tag}”：数据文件里只写文字、数字、日期和 true/false", loc)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, loc)

    def _mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            kloc = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Problem("yaml-syntax", "不支持 << 合并键：请把内容直接写出", kloc)
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Problem("wrong-type", "键应为文字，不能是列表或映射", kloc)
            key = key_node.value
            if key in out:
                first = self.doc.keys[path + (key,)]
                raise _Problem(
                    "duplicate-key",
                    f"键“{key}”重复：第 {first[0]} 行已写过。同一个键只能写一次，请删去或合并其中一处",
                    kloc,
                )
            self.doc.keys[path + (key,)] = kloc
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def _scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        tag, text = node.tag, node.value
        if tag == "tag:yaml.org,2002:str":
            clean = XML_FORBIDDEN.sub("", text)
            if clean != text:
                bad = "、".join(sorted({f"U+{ord(c):04X}" for c in XML_FORBIDDEN.findall(text)}))
                self.warnings.append((loc, f"文字中有 Word 文件不能容纳的控制字符（{bad}），已删除：请检查这段文字是否完整"))
            return clean
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return self._scalars.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:int":
            # 0731, 1_000, 1:20 and 0x1F are ints to YAML 1.1 but not to a clerk: keep the text
            return SourceInt(int(text), text) if _INT.match(text) else text
        if tag == "tag:yaml.org,2002:float":
            return Decimal(text) if _DEC.match(text) else text
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                value = self._scalars.construct_yaml_timestamp(node)
            except ValueError:
                raise _Problem("bad-date", f"日期“{text}”不存在：请检查年、月、日", loc) from None
            return value.date() if isinstance(value, _dt.datetime) else value
        raise _Problem("wrong-type", f"不支持的 YAML 标签“{tag}”：数据文件里只写文字、数字、日期和 true/false", loc)


def _known_keys() -> set[str]:
    """Every key the format has (field names and printed labels), to recognise a Chinese file in GBK."""
    keys: set[str] = set()

    def walk(cls: Any) -> None:
        for name, info in cls.model_fields.items():
            if name in keys:
                continue
            keys.add(info.alias or name)
            inner = _unwrap(info.annotation)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                walk(inner)

    walk(Submission)
    return {k for k in keys if not k.isascii()}


_KEY_LINE = re.compile(r"^[ \t-]*([^\s:#]+)\s*:", re.M)


def _read_text(file: Path) -> tuple[str, str | None]:
    """The file's text, and a warning when it had to be read in another encoding than UTF-8.

    UTF-8 (with or without a BOM) is the format's encoding. UTF-16 and UTF-32 files
    are read when they start with their byte-order mark: the mark says which they are.
    A file that is not UTF-8 but reads as GB18030 (which contains GBK, what Notepad and
    WPS on Chinese Windows save) is read that way only when the result contains keys
    of the format: the Chinese key names are then proof of the encoding. Anything else
    is refused with the way to save it as UTF-8.
    """
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Problem("too-complex", f"文件过大（{size // 1024} KB），单个数据文件不应超过 {MAX_FILE_BYTES // 1024 // 1024} MB", (1, 1))
        raw = file.read_bytes()
    except OSError as e:
        raise UnusableInputError(f"{display_path(file)}: 错误: 无法读取文件：{e.strerror}") from None
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
            keys = set(_KEY_LINE.findall(text)) & _known_keys()
            if keys:
                return text, f"文件是 GBK/GB18030 编码（记事本、WPS 的“ANSI”），已按此读取：其中的键名“{sorted(keys)[0]}”只有这样才读得通。建议另存为 UTF-8"
    raise _Problem("encoding", "文件不是 UTF-8 编码：请在记事本或 WPS 中“另存为”，编码选 UTF-8", utf8_error)


def load_document(file: Path) -> tuple[Document | None, list[Finding]]:
    """Parse one YAML file. Returns the document, or None and the findings that stopped it."""
    doc = Document(file=file, data=None)
    where = display_path(file)
    try:
        text, encoding_note = _read_text(file)
        try:
            node = _compose(text)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            loc = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise _Problem("yaml-syntax", _syntax_message(e), loc) from None
        except yaml.reader.ReaderError as e:
            line = text.count("\n", 0, e.position) + 1
            col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
            raise _Problem("control-char", f"这里有不允许的控制字符（U+{e.character if isinstance(e.character, int) else ord(e.character):04X}），常见于从网页或其他软件粘贴的文字：请删除它", (line, col)) from None
        except RecursionError:
            raise _Problem("too-complex", f"嵌套层级过深（超过 {MAX_DEPTH} 层），请检查括号和缩进", (1, 1)) from None
        if node is None:
            raise _Problem("empty-file", "文件是空的：请按示例填写内容", (1, 1))
        if not isinstance(node, yaml.MappingNode):
            loc = (node.start_mark.line + 1, node.start_mark.column + 1)
            raise _Problem("not-mapping", "文件最外层应为“键: 值”的映射，不能是列表或单个值", loc)
        builder = _Builder(doc)
        doc.data = builder.build(node, ())
    except _Problem as p:
        return None, [Finding(where, p.loc[0], p.loc[1], p.code, "error", p.message)]
    notes = [Finding(where, 1, 1, "encoding", "warning", encoding_note)] if encoding_note else []
    return doc, notes + [Finding(where, line, col, "control-char", "warning", message) for (line, col), message in builder.warnings]


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml when present (ten times faster); on a syntax error, compose again
    with the pure-Python parser, whose error messages `_syntax_message` knows."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _syntax_message(e: yaml.MarkedYAMLError) -> str:
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
    }
    for needle, zh in hints.items():
        if needle in problem:
            return zh
    if "while scanning a quoted scalar" in str(e.context):
        return "引号没有闭合：请检查这段文字两端的引号"
    return f"YAML 格式错误（{problem}）：请检查这一行的缩进、冒号和引号"


# --- a whole department-year ---------------------------------------------------


@dataclass
class Loaded:
    """A department-year folder: the model (None when it could not be built) and its findings."""

    root: Path
    submission: Submission | None
    findings: list[Finding]
    docs: dict[tuple, Document] = field(default_factory=dict)  # model path prefix → document

    def where(self, path: tuple) -> tuple[str, int, int]:
        """File, line and column of a model path; falls back to the nearest written ancestor."""
        return _locate(self.docs, self.root, path, key=False)

    def finding(self, path: tuple, code: str, severity: str, message: str) -> Finding:
        file, line, col = self.where(path)
        return Finding(file, line, col, code, severity, message, dotted(path))  # type: ignore[arg-type]


def _split(docs: dict[tuple, Document], path: tuple) -> tuple[Document | None, tuple]:
    for n in (2, 1):
        if path[:n] in docs:
            return docs[path[:n]], path[n:]
    return None, path


def _locate(docs: dict[tuple, Document], root: Path, path: tuple, key: bool) -> tuple[str, int, int]:
    doc, rest = _split(docs, path)
    if doc is None:
        return display_path(root), 1, 1
    while True:
        table = doc.keys if key else doc.values
        if rest in table:
            line, col = table[rest]
            return display_path(doc.file), line, col
        if key and rest in doc.values:
            line, col = doc.values[rest]
            return display_path(doc.file), line, col
        if not rest:
            return display_path(doc.file), 1, 1
        rest = rest[:-1]


def _natural_key(p: Path) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name))


def find_department_years(path: Path) -> list[Path]:
    """The department-year folders at or under `path` (a folder holding 部门.yaml)."""
    if not path.exists():
        raise UnusableInputError(f"{path}: 错误: 没有这个文件夹：请检查路径")
    if not path.is_dir():
        raise UnusableInputError(f"{path}: 错误: 不是文件夹：请给出年度数据所在的文件夹，如 data/miluo-hrss/2023")
    if (path / REQUIRED_FILE).is_file():
        return [path]
    found = sorted({p.parent for p in path.rglob(REQUIRED_FILE) if PROJECT_DIR not in p.parent.parts[len(path.parts):]})
    if not found:
        raise UnusableInputError(f"{path}: 错误: 这里和下级文件夹里都没有 {REQUIRED_FILE}：每个年度的数据文件夹都应有一个 {REQUIRED_FILE}")
    return found


def load(root: Path) -> Loaded:
    """Read and validate one department-year folder."""
    findings: list[Finding] = []
    docs: dict[tuple, Document] = {}
    raw: dict[str, Any] = {}

    def take(file: Path, prefix: tuple) -> Any:
        doc, problems = load_document(file)
        findings.extend(problems)
        if doc is None:
            return None
        docs[prefix] = doc
        return doc.data

    if not (root / REQUIRED_FILE).is_file():
        findings.append(Finding(display_path(root), 1, 1, "missing-file", "error", f"缺少 {REQUIRED_FILE}：每个年度的数据文件夹都应有它（部门名称、年度、表样）"))
    for name, (attr, _cls) in FILES.items():
        if (root / name).is_file():
            data = take(root / name, (attr,))
            if data is not None:
                raw[attr] = data
    projects = sorted((root / PROJECT_DIR).glob("*.yaml"), key=_natural_key) if (root / PROJECT_DIR).is_dir() else []
    raw_projects = []
    for file in projects:
        data = take(file, ("项目", len(raw_projects)))
        if data is not None:
            raw_projects.append(data)
    raw["项目"] = raw_projects
    for extra in sorted(root.iterdir()):
        if extra.suffix in (".yaml", ".yml") and extra.name not in FILES:
            known = difflib.get_close_matches(extra.name, list(FILES), n=1, cutoff=0.3)
            hint = f"，是不是“{known[0]}”？" if known else f"。数据文件为：{'、'.join(FILES)} 和 {PROJECT_DIR}/ 下每个项目一个文件"
            findings.append(Finding(display_path(extra), 1, 1, "unknown-file", "warning", f"不认识的数据文件，已忽略{hint}"))

    loaded = Loaded(root=root, submission=None, findings=findings, docs=docs)
    # Validate each file on its own, so that one broken file does not hide the others' findings.
    parts: dict[str, Any] = {"项目": []}
    for prefix in docs:
        cls = Project if prefix[0] == "项目" else FILES_BY_FIELD[prefix[0]]
        try:
            model = cls.model_validate(docs[prefix].data)
        except ValidationError as e:
            findings.extend(_validation_findings(loaded, raw, e, prefix))
            continue
        if prefix[0] == "项目":
            parts["项目"].append(model)
        else:
            parts[prefix[0]] = model
    if not any(f.severity == "error" for f in findings):
        loaded.submission = Submission.model_validate(parts)
    return loaded


# --- pydantic errors → located findings -----------------------------------------


def _data_path(raw: Any, loc: tuple) -> tuple:
    """Keep the parts of a pydantic loc that are real keys/indexes of the data (drop union tags)."""
    out: tuple = ()
    node = raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            out += (part,)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out += (part,)
            node = node[part]
        elif isinstance(node, dict) and not isinstance(part, int):
            # a missing or unknown key: keep it as the last part
            return out + (part,)
    return out


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        elif origin is list:
            tp = typing.get_args(tp)[0]
        else:
            return tp


def _model_keys(path: tuple) -> list[str]:
    """The keys allowed in the mapping at `path` of a submission."""
    cls: Any = Submission
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return []
        fields = {(f.alias or n): f for n, f in cls.model_fields.items()}
        if part not in fields:
            return []
        cls = _unwrap(fields[part].annotation)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [(f.alias or n) for n, f in cls.model_fields.items()]
    return []


_TYPE_MESSAGES = {
    "list_type": "应为列表（每项一行，以“- ”开头）",
    "model_type": "应为映射（下一层写“键: 值”）",
    "model_attributes_type": "应为映射（下一层写“键: 值”）",
    "dict_type": "应为映射（下一层写“键: 值”）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
}


def _message(err: dict, raw: Any, path: tuple) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = _model_keys(path[:-1])
        near = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.0)
        hint = f"是不是“{near[0]}”？" if near else ""
        return "unknown-key", f"不认识的键“{key}”：{hint}可用的键见 annexgen schema 或示例文件"
    if kind == "missing":
        return "missing-key", f"缺少必填的键“{path[-1]}”：请补上"
    if kind in ("too_short", "too_long"):
        n = ctx.get("actual_length")
        want = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return "wrong-type", f"应有 {want} 项，现有 {n} 项：每行三个数依次为上年决算数、本年预算数、本年决算数，空白写 ~"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "wrong-type", f"应为 {'、'.join(choices)} 之一，现为“{source_text(err.get('input'))}”"
    if not err.get("msg", "").isascii():  # our own validators (values.py) speak Chinese already
        return ("bad-date" if kind == "date_invalid" else "wrong-type"), err["msg"]
    if kind in _TYPE_MESSAGES:
        return "wrong-type", _TYPE_MESSAGES[kind].format(**ctx)
    return "wrong-type", f"内容不符合格式：{err.get('msg', kind)}"


def _validation_findings(loaded: Loaded, raw: Any, error: ValidationError, prefix: tuple = ()) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple] = set()
    for err in error.errors(include_url=False):
        path = _data_path(raw, prefix + tuple(err["loc"]))
        code, message = _message(err, raw, path)
        if code == "unknown-key":
            file, line, col = _locate(loaded.docs, loaded.root, path, key=True)
        elif code == "missing-key":
            file, line, col = _locate(loaded.docs, loaded.root, path[:-1], key=True)
        else:
            file, line, col = _locate(loaded.docs, loaded.root, path, key=False)
        if (file, line, col) in seen:  # a union reports each member's failure: keep the first
            continue
        seen.add((file, line, col))
        out.append(Finding(file, line, col, code, "error", message, dotted(path)))
    return out
