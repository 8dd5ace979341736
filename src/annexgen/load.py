"""Load: read a department-year folder into the model, keeping where every value came from.

Step 1 of the pipeline (**load** → model → derive → check → render → write).

Each file is opened through `files.read_regular` (only regular files inside the
folder, never blocking) and read by `yamlread` into values with the place of every
key and value (no object constructed, duplicate keys refused, numbers as ``int`` or
``Decimal``), all files of a department-year within one `yamlread.Budget` of nodes,
alias expansions and bytes, and at most `MAX_PROJECT_FILES` project files. The
values are then validated by the model, and a pydantic error on
``('项目', 2, '绩效指标', 0, '分值')`` is reported at its place in the file.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import UnusableInputError
from .files import MAX_FILE_BYTES, BadFile, TooLarge, list_folder, read_regular, shown, walk_folders
from .findings import Finding, display_path, dotted
from .model import FILES, PROJECT_DIR, REQUIRED_FILE, Project, Submission
from .values import source_text
from .yamlread import MAX_DEPTH, MAX_FOLDER_BYTES, MAX_FOLDER_NODES, MAX_NODES, XML_FORBIDDEN, Budget, Document, Loc, Problem, decode, parse

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_FOLDER_BYTES", "MAX_FOLDER_NODES", "MAX_NODES", "XML_FORBIDDEN", "Document", "LOAD_CODES", "Loaded", "Loc", "find_department_years", "load", "load_document"]

FILES_BY_FIELD = {attr: cls for attr, cls in FILES.values()}
MAX_PROJECT_FILES = 1000  # files in 项目/ of one department-year

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
    "text-expression": ("报告正文里的 {{ }} 引用了不存在的名称、写法有误、试图访问程序内部或改变数据、超过循环次数/文字长度/计算时间的上限，或算出了 Word 文件不能容纳的字符", "正文里 {{ }} 中的名称“公务接代”不存在：可用的名称有 部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目，其下用“.”接表上的栏目名"),
    "unknown-form-set": ("部门.yaml 的“表样”不是已有的表样（annexgen build 报告）", "找不到表样“汨罗县”：可用的表样有 全国、汨罗、隆回"),
    "unknown-file": ("文件夹里有不认识的 .yaml 文件（警告，已忽略）", "不认识的数据文件，已忽略，是不是“基础数据表.yaml”？"),
    "bad-file": ("不是普通文件或无法读取：指向文件夹外的符号链接、循环链接、管道、设备、没有读权限（不读取，不等待）", "这不是普通文件（是指向年度文件夹以外的符号链接），没有读取：请把文件本身复制到这里"),
    "duplicate-heading": ("报告中同一层有两个相同的标题（含 {{ }} 展开后相同的），后一个的内容会被覆盖", "标题“一、基本情况”与第 5 行的标题相同：同一层的标题不能重复，请修改其中一个"),
    "missing-part": ("所用表样需要的数据文件或部分，数据里没有（annexgen build 会因此无法生成）", "表样“汨罗”的附件5-1（项目支出绩效自评报告）需要 项目/1-….yaml 中的“自评报告”，但这里没有：请补上"),
    "nothing-to-build": ("所用表样的附件都是可选的，但数据里一项也没有，生成不出任何附件", "表样“全国”的附件所需的数据这里都没有（整体自评.yaml、项目/1-项目名称.yaml）：请至少补上其中一项"),
    "unused-part": ("数据里有所用表样没有附件可印的部分（警告）：生成时不会印出它", "基础数据表.yaml 在表样“全国”的附件里没有位置，生成时不会印出：若它应当报送，请改用含这个附件的表样（部门.yaml 的“表样”）"),
    "local-forms-ignored": ("数据文件夹里（或上级）有 templates/ 表样，出于安全没有使用（警告）", "这里的 templates/ 里有表样，但数据文件夹里的表样不会被自动使用：确认可信后用 --forms 指定"),
}
#: codes of LOAD_CODES whose findings are warnings (the others are errors)
YAML_SUFFIXES = (".yaml", ".yml")  # compared in lower case: 1-x.YAML and 1-x.yml are project files too
LOAD_WARNINGS = frozenset({"unknown-file", "local-forms-ignored", "unused-part"})

@functools.lru_cache(maxsize=1)
def _known_keys() -> frozenset[str]:
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
    return frozenset(k for k in keys if not k.isascii())


def load_document(file: Path, budget: Budget | None = None, root: Path | None = None) -> tuple[Document | None, list[Finding]]:
    """Parse one YAML file inside `root` (by default its own folder), spending from a department-year's
    `budget` when given. Returns the document, or None and the findings that stopped it."""
    budget = budget if budget is not None else Budget()
    doc = Document(file=file, data=None)
    where = shown(file)
    try:
        try:
            raw = read_regular(file, root if root is not None else file.parent, min(MAX_FILE_BYTES, budget.bytes))
        except TooLarge as e:
            if e.size > MAX_FILE_BYTES:
                raise Problem("too-complex", f"文件过大（{e.size // 1024} KB），单个数据文件不应超过 {MAX_FILE_BYTES // 1024 // 1024} MB", (1, 1)) from None
            budget.spent = True
            raise Problem("too-complex", f"这个年度文件夹的文件合计超过 {MAX_FOLDER_BYTES // 1024 // 1024} MB，从这里起不再读取：请检查是否放错了文件", (1, 1)) from None
        except BadFile as e:
            raise Problem("bad-file", e.message, (1, 1)) from None
        budget.bytes -= len(raw)
        text, encoding_note = decode(raw, _known_keys())
        warnings = parse(text, doc, budget)
    except Problem as p:
        return None, [Finding(where, p.loc[0], p.loc[1], p.code, "error", p.message)]
    notes = [Finding(where, 1, 1, "encoding", "warning", encoding_note)] if encoding_note else []
    return doc, notes + [Finding(where, line, col, "control-char", "warning", message) for (line, col), message in warnings]

# --- a whole department-year ---------------------------------------------------


@dataclass
class Loaded:
    """A department-year folder: the model (None when it could not be built) and its findings."""

    root: Path
    submission: Submission | None
    findings: list[Finding]
    docs: dict[tuple, Document] = field(default_factory=dict)  # model path prefix → document

    def where(self, path: tuple, key: bool = False) -> tuple[str, int, int]:
        """File, line and column of a model path (of its key when `key`); falls back to the nearest written ancestor."""
        return _locate(self.docs, self.root, path, key=key)

    def finding(self, path: tuple, code: str, severity: str, message: str) -> Finding:
        file, line, col = self.where(path)
        return Finding(file, line, col, code, severity, message, dotted(path))  # type: ignore[arg-type]


def _split(docs: dict[tuple, Document], path: tuple) -> tuple[Document | None, tuple]:
    for n in (2, 1, 0):  # a department-year's files by their model prefix; a lone document (a manifest) at ()
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
            return shown(doc.file), line, col
        if key and rest in doc.values:
            line, col = doc.values[rest]
            return shown(doc.file), line, col
        if not rest:
            return shown(doc.file), 1, 1
        rest = rest[:-1]


def find_department_years(path: Path) -> list[Path]:
    """The department-year folders at or under `path` (a folder holding 部门.yaml), in `natural_key` order.

    Symbolic links to folders are not followed (so the walk stays in the tree and cannot
    loop), 项目 folders are not entered, and folders that cannot be listed are passed over."""
    if not path.exists():
        raise UnusableInputError(f"{path}: 错误: 没有这个文件夹：请检查路径")
    if not path.is_dir():
        raise UnusableInputError(f"{path}: 错误: 不是文件夹：请给出年度数据所在的文件夹，如 data/miluo-hrss/2023")
    if os.path.lexists(path / REQUIRED_FILE):
        return [path]
    found = [folder for folder in walk_folders(path, PROJECT_DIR) if os.path.lexists(folder / REQUIRED_FILE)]
    if not found:
        raise UnusableInputError(f"{path}: 错误: 这里和下级文件夹里都没有 {REQUIRED_FILE}：每个年度的数据文件夹都应有一个 {REQUIRED_FILE}")
    return found


def load(root: Path) -> Loaded:
    """Read and validate one department-year folder, within one `Budget` for all its files."""
    findings: list[Finding] = []
    docs: dict[tuple, Document] = {}
    raw: dict[str, Any] = {}
    budget = Budget()

    def take(file: Path, prefix: tuple) -> Any:
        if budget.spent:
            return None
        doc, problems = load_document(file, budget, root)
        findings.extend(problems)
        if doc is None:
            return None
        docs[prefix] = doc
        return doc.data

    try:
        names = list_folder(root, root)
    except BadFile as e:
        return Loaded(root=root, submission=None, findings=[Finding(display_path(root), 1, 1, "bad-file", "error", e.message)])
    if REQUIRED_FILE not in names:
        findings.append(Finding(display_path(root), 1, 1, "missing-file", "error", f"缺少 {REQUIRED_FILE}：每个年度的数据文件夹都应有它（部门名称、年度、表样）"))
    for name, (attr, _cls) in FILES.items():
        if name in names:
            data = take(root / name, (attr,))
            if data is not None:
                raw[attr] = data
    raw_projects: list = []
    for file in _project_files(root, names, findings):
        data = take(file, ("项目", len(raw_projects)))
        if data is not None:
            raw_projects.append(data)
    raw["项目"] = raw_projects
    for extra in names:
        if extra.lower().endswith(YAML_SUFFIXES) and extra not in FILES:
            known = difflib.get_close_matches(extra, list(FILES), n=1, cutoff=0.3)
            hint = f"，是不是“{known[0]}”？" if known else f"。数据文件为：{'、'.join(FILES)} 和 {PROJECT_DIR}/ 下每个项目一个文件"
            findings.append(Finding(shown(root / extra), 1, 1, "unknown-file", "warning", f"不认识的数据文件，已忽略{hint}"))

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


def _project_files(root: Path, names: list[str], findings: list[Finding]) -> list[Path]:
    """The YAML files in 项目/ (.yaml or .yml, in any case), at most MAX_PROJECT_FILES of them.

    Hidden files (".2-x.yaml", the "._x.yaml" macOS leaves on a USB stick) are not projects:
    each is named in a warning, never read silently nor dropped silently.
    """
    if PROJECT_DIR not in names:
        return []
    folder = root / PROJECT_DIR
    try:
        listed = [n for n in list_folder(folder, root) if n.lower().endswith(YAML_SUFFIXES)]
    except BadFile as e:
        findings.append(Finding(shown(folder), 1, 1, "bad-file", "error", e.message))
        return []
    files = []
    for name in listed:
        if name.startswith("."):
            findings.append(Finding(shown(folder / name), 1, 1, "unknown-file", "warning", "隐藏文件（名称以“.”开头），不当作项目，已忽略：若是项目，请去掉名称前的“.”"))
        else:
            files.append(folder / name)
    if len(files) > MAX_PROJECT_FILES:
        findings.append(Finding(shown(folder), 1, 1, "too-complex", "error", f"{PROJECT_DIR}/ 里有 {len(files)} 个 .yaml 文件，超过 {MAX_PROJECT_FILES} 个，只读取了前 {MAX_PROJECT_FILES} 个：请检查是否放错了文件夹"))
    return files[:MAX_PROJECT_FILES]


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


def _model_keys(path: tuple, root: Any = Submission) -> list[str]:
    """The keys allowed in the mapping at `path` of a submission (or of another `root` model)."""
    cls: Any = root
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
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
}


def _message(err: dict, raw: Any, path: tuple, root: Any = Submission) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = _model_keys(path[:-1], root)
        near = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.0)
        hint = f"是不是“{near[0]}”？" if near else ""
        return "unknown-key", f"不认识的键“{key}”：{hint}可用的键见 annexgen schema 或示例文件"
    if kind == "missing":
        return "missing-key", f"缺少必填的键“{path[-1]}”：请补上"
    if kind in ("too_short", "too_long"):
        n = ctx.get("actual_length")
        want = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        if want == 3 and root is Submission:  # the three-column rows of 基础数据表 and their year labels
            return "wrong-type", f"应有 {want} 项，现有 {n} 项：每行三个数依次为上年决算数、本年预算数、本年决算数，空白写 ~"
        return "wrong-type", f"应{'至少' if kind == 'too_short' else '至多'}有 {want} 项，现有 {n} 项"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "wrong-type", f"应为 {'、'.join(choices)} 之一，现为“{source_text(err.get('input'))}”"
    if not err.get("msg", "").isascii():  # our own validators (values.py) speak Chinese already
        return ("bad-date" if kind == "date_invalid" else "wrong-type"), err["msg"]
    if kind in _TYPE_MESSAGES:
        return "wrong-type", _TYPE_MESSAGES[kind].format(**ctx)
    return "wrong-type", f"内容不符合格式：{err.get('msg', kind)}"


def document_findings(doc: Document, root: Any, error: ValidationError) -> list[Finding]:
    """Located findings for a single YAML document validated as the model `root` (a form set's manifest)."""
    return sorted(_findings({(): doc}, doc.file.parent, doc.data, error, (), root))


def _validation_findings(loaded: Loaded, raw: Any, error: ValidationError, prefix: tuple = ()) -> list[Finding]:
    return _findings(loaded.docs, loaded.root, raw, error, prefix, Submission)


def _findings(docs: dict[tuple, Document], folder: Path, raw: Any, error: ValidationError, prefix: tuple, root: Any) -> list[Finding]:
    """pydantic's errors for `raw` (validated as `root`) as findings located in `docs`."""
    out: list[Finding] = []
    seen: set[tuple] = set()
    for err in error.errors(include_url=False):
        path = _data_path(raw, prefix + tuple(err["loc"]))
        code, message = _message(err, raw, path, root)
        if code == "unknown-key":
            file, line, col = _locate(docs, folder, path, key=True)
        elif code == "missing-key":
            file, line, col = _locate(docs, folder, path[:-1], key=True)
        else:
            file, line, col = _locate(docs, folder, path, key=False)
        # a union reports each member's failure: keep the first at a place; but every key missing
        # from one mapping (all located at that mapping) is its own finding, so all are said at once
        mark = (file, line, col, path) if code == "missing-key" else (file, line, col)
        if mark in seen:
            continue
        seen.add(mark)
        out.append(Finding(file, line, col, code, "error", message, dotted(path)))
    return out
