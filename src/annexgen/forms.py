"""Form sets (表样): which annexes a county's submission has, and the .docx template of each.

A form set is a folder with a manifest `表样.yaml` and docxtpl templates. It is
data, not code: a finance bureau copies one and adjusts it in Word.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from .bundled import REINSTALL, TEMPLATES_PACKAGE, bundled_folder
from .errors import AnnexgenError
from .findings import display_path
from .model import Form, Text

MANIFEST = "表样.yaml"
#: the built-in form sets, shipped as package data (None when this installation lacks them)
BUILTIN = bundled_folder(TEMPLATES_PACKAGE)
NO_FORM_SETS = f"没有任何可用的表样（annexgen 自带的汨罗、隆回表样不在安装里，数据旁边或上级的 templates/ 里也没有）。{REINSTALL}，或把表样文件夹（含 {MANIFEST}）放在数据旁边的 templates/ 里"

Kind = Literal["基础数据表", "部门整体支出绩效自评表", "自评基础数据表", "项目支出绩效自评表", "部门整体支出绩效自评报告", "项目支出绩效自评报告"]
PER_PROJECT = ("项目支出绩效自评表", "项目支出绩效自评报告")


class FormSetError(AnnexgenError):
    """Raised when a form set cannot be found or its manifest is not usable."""


class FormSetNotFound(FormSetError):
    """Raised when no folder on the search path holds the form set named in the data."""


class AnnexSpec(Form):
    """One annex of a form set, as its manifest declares it."""

    编号: Text
    名称: Text
    模板: Text
    内容: Kind
    默认标题: Text


def fill_pattern(annex: "AnnexSpec", key: str, **names: object) -> str:
    """A manifest pattern ({序号}, {项目名称}, {年度}, {部门名称}) with its names filled in."""
    pattern = str(getattr(annex, key))
    try:
        return pattern.format(**names)
    except (KeyError, IndexError, ValueError) as e:
        allowed = "、".join("{" + n + "}" for n in names)
        raise FormSetError(f"错误: 表样清单中附件{annex.编号}的“{key}”（{pattern}）写法有误（{e}）：花括号里只能写 {allowed}") from None


class Manifest(Form):
    名称: Text
    附件: list[AnnexSpec]


@dataclass(frozen=True)
class FormSet:
    """A form set found on disk: its folder and its annexes."""

    name: str
    folder: Path
    annexes: tuple[AnnexSpec, ...]

    def template(self, annex: AnnexSpec) -> Path:
        return self.folder / annex.模板


def search_path(data_root: Path | None = None) -> list[Path]:
    """Where form sets are looked up: `templates/` beside the data first, then the built-in sets."""
    paths = []
    if data_root is not None:
        for folder in (data_root, *data_root.resolve().parents):
            if (folder / "templates").is_dir():
                if (folder / "templates").resolve() != BUILTIN:  # inside this repository: the built-in sets
                    paths.append(folder / "templates")
                break
    if BUILTIN is not None:
        paths.append(BUILTIN)
    return paths


def find_form_set(name: str, data_root: Path | None = None) -> FormSet:
    """The form set called `name`, from the first folder of the search path that has it."""
    tried = search_path(data_root)
    for base in tried:
        folder = base / name
        if (folder / MANIFEST).is_file():
            return read_form_set(folder)
    raise FormSetNotFound(f"错误: 找不到表样“{name}”：{available_form_sets(data_root)}")


def available_form_sets(data_root: Path | None = None) -> str:
    """'可用的表样有 汨罗、隆回' for a message, or what to do when there is none at all."""
    names = sorted({f.name for f in list_form_sets(data_root)})
    return f"可用的表样有 {'、'.join(names)}" if names else NO_FORM_SETS


def read_form_set(folder: Path) -> FormSet:
    """Read and validate a form set's manifest."""
    from .load import load_document

    doc, problems = load_document(folder / MANIFEST)
    if problems:
        raise FormSetError("\n".join(p.text() for p in problems))
    try:
        manifest = Manifest.model_validate(doc.data)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        raise FormSetError(f"{display_path(folder / MANIFEST)}: 错误: 表样清单格式不对（{'.'.join(map(str, first['loc']))}：{first['msg']}）") from None
    for annex in manifest.附件:
        template = folder / annex.模板
        if not template.is_file() or template.resolve().parent != folder.resolve():
            raise FormSetError(f"{display_path(folder / MANIFEST)}: 错误: 附件{annex.编号}的模板 {annex.模板} 不存在（模板应放在表样文件夹里）")
        inspect_docx(template)
    return FormSet(manifest.名称, folder, tuple(manifest.附件))


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


def list_form_sets(data_root: Path | None = None) -> list[FoundSet]:
    """Every form set on the search path, in lookup order."""
    seen: set[str] = set()
    out = []
    for base in search_path(data_root):
        if not base.is_dir():
            continue
        for folder in sorted(p for p in base.iterdir() if (p / MANIFEST).is_file()):
            out.append(FoundSet(folder.name, folder, base == BUILTIN, folder.name in seen))
            seen.add(folder.name)
    return out


def new_form_set(name: str, source: str, data_root: Path) -> Path:
    """Copy form set `source` to templates/<name> beside the data, as the start of a county's own."""
    import shutil

    from .render import safe_filename

    if safe_filename(name) != name or name.startswith("."):
        raise FormSetError(f"错误: 表样名称“{name}”不能含 / \\ : * ? \" < > | 等字符")
    origin = find_form_set(source, data_root)
    first = search_path(data_root)[0]
    target = (first if first != BUILTIN else data_root / "templates") / name
    if target.exists():
        raise FormSetError(f"{display_path(target)}: 错误: 已经有这个表样了：换一个名称，或先删除它")
    shutil.copytree(origin.folder, target)
    manifest = target / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace(f"名称: {origin.name}", f"名称: {name}", 1), encoding="utf-8")
    return target
