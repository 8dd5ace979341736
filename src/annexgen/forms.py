"""Form sets (表样): which annexes a county's submission has, and the .docx template of each.

A form set is a folder with a manifest `表样.yaml` and docxtpl templates. It is
data, not code: a finance bureau copies one and adjusts it in Word.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

from pydantic import Field, ValidationError

from .bundled import REINSTALL, TEMPLATES_PACKAGE, bundled_folder
from .errors import AnnexgenError
from .findings import display_path
from .model import Form, Text
from .profile import DEFAULT, Profile, ProfileKeys

MANIFEST = "表样.yaml"
#: the built-in form sets, shipped as package data (None when this installation lacks them)
BUILTIN = bundled_folder(TEMPLATES_PACKAGE)
NO_FORM_SETS = f"没有任何可用的表样（annexgen 自带的全国、汨罗、隆回表样不在安装里，--forms 也没有指定）。{REINSTALL}，或用 --forms 指定表样文件夹（含 {MANIFEST}）"

Kind = Literal["基础数据表", "部门整体支出绩效自评表", "自评基础数据表", "项目支出绩效自评表", "部门整体支出绩效自评报告", "项目支出绩效自评报告"]
PER_PROJECT = ("项目支出绩效自评表", "项目支出绩效自评报告")


class FormSetError(AnnexgenError):
    """Raised when a form set cannot be found or its manifest is not usable."""

    code = "form-set"


class FormSetNotFound(FormSetError):
    """Raised when no folder on the search path holds the form set named in the data."""

    code = "unknown-form-set"


class AnnexSpec(Form):
    """One annex of a form set, as its manifest declares it."""

    编号: Text
    名称: Text
    模板: Text
    内容: Kind
    默认标题: Text
    必备: bool = Field(True, description="true：数据里必须有这个附件的内容（check 会报缺）；false：数据里有才生成，没有就不生成")


def fill_pattern(annex: "AnnexSpec", key: str, **names: object) -> str:
    """A manifest pattern ({序号}, {项目名称}, {年度}, {部门名称}) with its names filled in.

    Only plain `{name}` fields are filled: no attribute, index, conversion or width
    (`{年度.__class__}`, `{序号:>99999999}`), so a pattern can neither reach inside
    a value nor build a huge string.
    """
    import string

    pattern = str(getattr(annex, key))
    allowed = "、".join("{" + n + "}" for n in names)
    out = []
    try:
        for literal, field, spec, conversion in string.Formatter().parse(pattern):
            out.append(literal)
            if field is None:
                continue
            if field not in names or spec or conversion:
                raise KeyError(field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
            out.append(str(names[field]))
    except (KeyError, ValueError) as e:
        raise FormSetError(f"错误: 表样清单中附件{annex.编号}的“{key}”（{pattern}）写法有误（{e}）：花括号里只能写 {allowed}") from None
    return "".join(out)


#: the names each pattern of an annex may use, with sample values (see `pattern_errors`)
PATTERN_NAMES = {"编号": {"序号": 1}, "名称": {"项目名称": "某项目"}, "默认标题": {"年度": 2024, "部门名称": "某部门", "项目名称": "某项目"}}


def pattern_errors(form_set: "FormSet") -> list[tuple["AnnexSpec", FormSetError]]:
    """Each manifest pattern that cannot be filled with the names its annex has (a project's only for per-project annexes)."""
    out = []
    for annex in form_set.annexes:
        per_project = annex.内容 in PER_PROJECT
        for key, names in PATTERN_NAMES.items():
            if not per_project:
                names = {k: v for k, v in names.items() if k in ("年度", "部门名称")}
            try:
                fill_pattern(annex, key, **names)
            except FormSetError as e:
                out.append((annex, e))
    return out


def check_patterns(form_set: "FormSet") -> None:
    """Refuse a form set whose manifest has a pattern that cannot be filled, naming the manifest."""
    for _annex, e in pattern_errors(form_set)[:1]:
        raise FormSetError(f"{display_path(form_set.folder / MANIFEST)}: {e}")


class Manifest(ProfileKeys):
    """表样.yaml: 名称, 附件, and the profile keys (附件编号, 评分, 审核, 标签; see profile.py)."""

    名称: Text
    附件: list[AnnexSpec] = Field(min_length=1)


@dataclass(frozen=True)
class FormSet:
    """A form set found on disk: its folder, its annexes, and whether it is built in."""

    name: str
    folder: Path
    annexes: tuple[AnnexSpec, ...]
    builtin: bool = False
    profile: Profile = DEFAULT

    def template(self, annex: AnnexSpec) -> Path:
        return self.folder / annex.模板

    def origin(self) -> str:
        """Where the set came from, for the message every build prints: 内置, or the folder given with --forms."""
        return "内置" if self.builtin else "--forms 指定"


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a form set's name (a path, a hidden name, characters a folder cannot have), or None.

    A form set is chosen by name only: 部门.yaml comes from a unit and is untrusted,
    so it must never be able to point at a folder anywhere on disk.
    """
    from .render import safe_filename

    if len(name) > 50:
        return f"表样名称“{name[:20]}…”有 {len(name)} 字，过长：表样名称（文件夹名）不超过 50 字"
    if not name or name.startswith(".") or safe_filename(name) != name:  # covers "." and "..", and any / or \ (made "_")
        return f"表样“{name}”不是表样的名称：这里只写名称（如 全国、汨罗、隆回），不能写路径或 / \\ : * ? \" < > | 等字符"
    return None


def search_path(trusted: Sequence[Path] = ()) -> list[Path]:
    """Where form sets are looked up: the folders the operator named (--forms), then the built-in sets.

    A folder named with --forms may hold form sets (one folder each) or be a form set itself.
    Nothing is ever looked up beside or inside a data folder: data is untrusted.
    """
    paths = [Path(t) for t in trusted]
    if BUILTIN is not None:
        paths.append(BUILTIN)
    return paths


def _sets_in(base: Path) -> list[Path]:
    """The form-set folders in `base` (or `base` itself when it is one), sorted by name."""
    if (base / MANIFEST).is_file():
        return [base]
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if (p / MANIFEST).is_file())


def find_form_set(name: str, trusted: Sequence[Path] = ()) -> FormSet:
    """The form set called `name`, from the first folder of the search path that has it."""
    problem = name_problem(name)
    if problem:
        raise FormSetNotFound(f"错误: {problem}")
    for base in search_path(trusted):
        for folder in _sets_in(base):
            if folder.name == name:
                return read_form_set(folder, builtin=base == BUILTIN)
    raise FormSetNotFound(f"错误: 找不到表样“{name}”：{available_form_sets(trusted)}")


def local_form_sets(data_root: Path, trusted: Sequence[Path] = ()) -> list[Path]:
    """`templates/` folders holding form sets in a data folder or above it, that were not named with --forms.

    They are never used (a submitted folder could otherwise replace a built-in set);
    `check` and `build` say so, with what to do if the set is trusted.
    """
    chosen = {Path(t).resolve() for t in trusted} | ({BUILTIN} if BUILTIN is not None else set())
    out = []
    for folder in (data_root, *data_root.absolute().parents):
        candidate = folder / "templates"
        try:
            if candidate.is_dir() and not candidate.is_symlink() and candidate.resolve() not in chosen and _sets_in(candidate):
                out.append(candidate)
        except OSError:
            continue
    return out


def available_form_sets(trusted: Sequence[Path] = ()) -> str:
    """'可用的表样有 汨罗、隆回' for a message, or what to do when there is none at all."""
    names = sorted({f.name for f in list_form_sets(trusted)})
    return f"可用的表样有 {'、'.join(names)}" if names else NO_FORM_SETS


def _signature(folder: Path) -> tuple:
    """What identifies the state of a form set's files: name, size and modification time of each."""
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        st = entry.stat()
        out.append((entry.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


_READ: dict[tuple[str, bool], tuple[tuple, FormSet]] = {}


def read_form_set(folder: Path, builtin: bool = False) -> FormSet:
    """Read and validate a form set's manifest and templates; once per process while its files stay the same."""
    key = (os.path.abspath(folder), builtin)
    try:
        signature = _signature(folder)
    except OSError:
        signature = None
    cached = _READ.get(key)
    if cached is not None and signature is not None and cached[0] == signature:
        return cached[1]
    form_set = _read_form_set(folder, builtin)
    if signature is not None:
        _READ[key] = (signature, form_set)
    return form_set


def _read_form_set(folder: Path, builtin: bool) -> FormSet:
    from .load import load_document

    from .load import document_findings

    doc, problems = load_document(folder / MANIFEST)
    if problems:  # even a warning (a control character removed): a form set is used only as written and clean
        lines = [dataclasses.replace(p, severity="error").text() for p in problems]
        raise FormSetError("\n".join(lines) + f"\n表样清单 {display_path(folder / MANIFEST)} 有 {len(lines)} 处问题：请按上面的提示改正后再用这套表样")
    if not isinstance(doc.data, dict):
        raise FormSetError(f"{display_path(folder / MANIFEST)}:1:1: 错误: 表样清单应写成“键: 值”的映射（名称、附件、评分……），见 templates/汨罗/{MANIFEST} [form-set]")
    try:
        manifest = Manifest.model_validate(doc.data)
    except ValidationError as e:
        lines = [f.text() for f in document_findings(doc, Manifest, e)]
        raise FormSetError("\n".join(lines) + f"\n表样清单 {display_path(folder / MANIFEST)} 有 {len(lines)} 处格式错误：请按上面的提示改正（写法见 templates/汨罗/{MANIFEST}）") from None
    _distinct_numbers(folder, doc, manifest)
    for annex in manifest.附件:
        template = folder / annex.模板
        if not template.is_file() or template.resolve().parent != folder.resolve():
            raise FormSetError(f"{display_path(folder / MANIFEST)}: 错误: 附件{annex.编号}的模板 {annex.模板} 不存在（模板应放在表样文件夹里）")
        inspect_docx(template)
    return FormSet(folder.name, folder, tuple(manifest.附件), builtin, Profile.of(manifest, folder.name))


def _distinct_numbers(folder: Path, doc, manifest: "Manifest") -> None:
    """Refuse annexes that would be written under one number (one silently replacing the other)."""
    seen: dict[str, int] = {}
    for i, annex in enumerate(manifest.附件):
        where = doc.values.get(("附件", i, "编号"), (1, 1))
        at = f"{display_path(folder / MANIFEST)}:{where[0]}:{where[1]}"
        if annex.内容 in PER_PROJECT and "{序号}" not in annex.编号:
            raise FormSetError(f"{at}: 错误: 附件{annex.编号}（{annex.名称}）每个项目印一份，编号里要有 {{序号}}（如 3-{{序号}}），否则各项目的附件同号、互相覆盖 [form-set]")
        key = annex.编号.strip()
        if key in seen:
            raise FormSetError(f"{at}: 错误: 附件编号“{key}”与第 {seen[key] + 1} 个附件重复：生成的文件会互相覆盖，请给每个附件不同的编号 [form-set]")
        seen[key] = i


MAX_TEMPLATE_BYTES = 50 * 1024 * 1024  # uncompressed, all parts together
MAX_TEMPLATE_PARTS = 2000


def inspect_docx(path: Path) -> None:
    """Refuse a template that is not a .docx, is damaged, unpacks to too much, or declares XML entities."""
    import zipfile
    import zlib

    where = display_path(path)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_TEMPLATE_PARTS or sum(i.file_size for i in infos) > MAX_TEMPLATE_BYTES:
                raise FormSetError(f"{where}: 错误: 模板解压后过大（超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB 或 {MAX_TEMPLATE_PARTS} 个部件），不像是正常的 Word 文件")
            if "word/document.xml" not in z.namelist():
                raise FormSetError(f"{where}: 错误: 这不是 Word 文档（.docx）：请用 Word/WPS“另存为”.docx 格式")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    head = z.read(info)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise FormSetError(f"{where}: 错误: 模板中的 {info.filename} 声明了 XML 实体（DOCTYPE/ENTITY），已拒绝：请用 Word/WPS 重新保存该模板")
            bad = z.testzip()
            if bad is not None:
                raise FormSetError(f"{where}: 错误: 模板已损坏（{bad} 校验不符）：请用 Word/WPS 打开后重新保存")
            for rels, rid, target in broken_relationships(z):
                raise FormSetError(f"{where}: 错误: 模板中 {rels} 的关系 {rid} 指向的部件 {target} 不存在：请用 Word/WPS 打开该模板后重新保存")
    except (zipfile.BadZipFile, zlib.error, EOFError):  # a damaged directory, or a damaged compressed part
        raise FormSetError(f"{where}: 错误: 这不是 Word 文档（.docx），或文件已损坏：请用 Word/WPS“另存为”.docx 格式") from None
    except OSError as e:
        raise FormSetError(f"{where}: 错误: 无法读取模板：{e.strerror}") from None


def broken_relationships(z) -> list[tuple[str, str, str]]:
    """(rels part, relationship id, target) for each internal relationship whose target part is missing."""
    import posixpath
    from urllib.parse import unquote

    from lxml import etree

    names = set(z.namelist())
    out = []
    for rels in sorted(n for n in names if n.endswith(".rels")):
        base = posixpath.dirname(posixpath.dirname(rels))  # word/_rels/document.xml.rels → word
        try:
            root = etree.fromstring(z.read(rels), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            out.append((rels, "-", "（无法解析）"))
            continue
        for rel in root:
            if not isinstance(rel.tag, str) or rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            path = unquote(target)  # a part name is percent-encoded in a relationship, plain in the zip
            name = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(base, path))
            if name not in names:
                out.append((rels, rel.get("Id") or "-", target))
    return out


@dataclass(frozen=True)
class FoundSet:
    """A form set on the search path, and whether it is hidden by one of the same name before it."""

    name: str
    folder: Path
    builtin: bool
    shadowed: bool


def list_form_sets(trusted: Sequence[Path] = ()) -> list[FoundSet]:
    """Every form set on the search path, in lookup order."""
    seen: set[str] = set()
    out = []
    for base in search_path(trusted):
        for folder in _sets_in(base):
            out.append(FoundSet(folder.name, folder, base == BUILTIN, folder.name in seen))
            seen.add(folder.name)
    return out
