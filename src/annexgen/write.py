"""Write: deterministic .docx bytes and atomic replacement of a build's output.

Step 6 of the pipeline (load → model → derive → check → render → **write**).

- Deterministic: a .docx is a zip; its entries are rewritten in a fixed order
  with a fixed time stamp, so the same inputs give byte-identical files.
- Valid: the document properties (docProps/core.xml) are written whole by
  `CoreProperties`, each element in its own namespace, whatever another
  library has done to python-docx's prefix map (docxcompose rebinds "cp"); the
  optional stylesWithEffects.xml part, which Word rejects once it is out of step
  with styles.xml, is never written.
- Atomic: every file of a department-year is first written to a staging folder
  *beside* the output folder given with `-o` (in its parent, paths resolved, so
  `-o .` or `-o x/..` stage outside it too: a staging folder is never created
  inside the output folder, and it is removed on every exit path). Then, with
  SIGINT, SIGTERM and SIGHUP held off (`output.held`), the files are moved into
  place one atomic rename each; should a rename fail, the files already moved
  are put back (kept as hard links in the staging folder), so each
  department-year is wholly old or wholly new. The output folder is locked for
  the whole build (`output.batch`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from lxml import etree

from .findings import display_path
from .load import XML_FORBIDDEN
from .output import Batch, WriteError, absolute, batch, covering, held

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


CT_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_PROPERTY = 255  # Word and python-docx keep a core property to 255 characters


@dataclass(frozen=True)
class CoreProperties:
    """What Word shows under 文件 → 信息 → 属性: title, author, subject and one date for all."""

    title: str
    author: str
    subject: str
    when: dt.datetime

    def xml(self) -> bytes:
        """docProps/core.xml, every element named by its namespace URI (never by a shared prefix map)."""
        root = etree.Element(f"{{{_CP}}}coreProperties", nsmap={"cp": _CP, "dc": _DC, "dcterms": _DCTERMS, "xsi": _XSI})

        def add(ns: str, name: str, text: str) -> etree._Element:
            el = etree.SubElement(root, f"{{{ns}}}{name}")
            el.text = XML_FORBIDDEN.sub("", text)[:MAX_PROPERTY]
            return el

        add(_DC, "title", self.title)
        add(_DC, "subject", self.subject)
        add(_DC, "creator", self.author)
        add(_CP, "lastModifiedBy", self.author)
        add(_CP, "revision", "1")
        stamp = self.when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for name in ("created", "modified"):
            add(_DCTERMS, name, stamp).set(f"{{{_XSI}}}type", "dcterms:W3CDTF")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def docx_bytes(doc, properties: CoreProperties) -> bytes:
    """A python-docx document as deterministic .docx bytes with these properties and no stylesWithEffects part."""
    core = prepare(doc)
    buf = BytesIO()
    doc.save(buf)
    return normalize_docx(buf.getvalue(), {core: properties.xml()})


def prepare(doc) -> str:
    """Drop the stylesWithEffects part and make sure of a core-properties part; returns its name in the zip."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype == RT_STYLES_WITH_EFFECTS:
            doc.part.drop_rel(rid)
    doc.core_properties  # python-docx adds a core-properties part to a template that has none
    core = next(p for p in doc.part.package.iter_parts() if p.content_type == CT_CORE_PROPERTIES)
    return str(core.partname).lstrip("/")


def normalize_docx(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same package with [Content_Types].xml first, then entries by name, all at a fixed time.

    `replace` gives new bytes for some entries (by name in the zip).
    """
    replace = replace or {}
    src = zipfile.ZipFile(BytesIO(data))
    return zip_bytes([Entry.deflate(name, replace[name] if name in replace else src.read(name)) for name in src.namelist()])


@dataclass(frozen=True)
class Entry:
    """One zip entry, already compressed: a part that does not change is compressed once and its bytes reused."""

    name: str
    crc: int
    size: int
    data: bytes  # raw deflate stream

    @classmethod
    def deflate(cls, name: str, content: bytes) -> "Entry":
        """Compressed as zipfile compresses (zlib's default level, raw deflate), so the bytes are the same."""
        z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return cls(name, zlib.crc32(content), len(content), z.compress(content) + z.flush())


def zip_bytes(entries: list[Entry]) -> bytes:
    """A zip of these entries in package order ([Content_Types].xml first, then by name), at a fixed time.

    One pass, no recompression: the bytes are those zipfile writes for the same entries
    (version 2.0, deflate, UNIX mode 644, no extra fields), which `test_write` checks.
    """
    entries = sorted(entries, key=lambda e: (e.name != "[Content_Types].xml", e.name))
    date = (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2]
    out, central, offset = [], [], 0
    for e in entries:
        name = e.name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        if len(e.data) >= zipfile.ZIP64_LIMIT or e.size >= zipfile.ZIP64_LIMIT:
            raise ValueError(f"{e.name}: too large for a .docx")
        local = struct.pack(zipfile.structFileHeader, zipfile.stringFileHeader, 20, 0, flags, zipfile.ZIP_DEFLATED, 0, date, e.crc, len(e.data), e.size, len(name), 0)
        central.append(
            struct.pack(zipfile.structCentralDir, zipfile.stringCentralDir, 20, 3, 20, 0, flags, zipfile.ZIP_DEFLATED, 0, date, e.crc, len(e.data), e.size, len(name), 0, 0, 0, 0, 0o644 << 16, offset)
            + name
        )
        out += (local, name, e.data)
        offset += len(local) + len(name) + len(e.data)
    directory = b"".join(central)
    end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(out) + directory + end


def write_files(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write `files` (relative name → bytes) into the folder `out` atomically; returns their paths.

    Inside a `batch` whose root holds `out`, its lock and staging place are used;
    otherwise this call takes its own. All files are staged first; then, with
    signals held off, each is moved into place, all or none.
    """
    target = absolute(out)
    ours = covering(target)
    if ours is None:
        with batch(out) as ours:
            return _write(ours, out, target, files)
    return _write(ours, out, target, files)


def _write(b: Batch, shown: Path, target: Path, files: dict[str, bytes]) -> list[Path]:
    stage: Path | None = None
    keep = False
    try:
        with held():
            stage = _stage(b, shown)
        for name, data in files.items():
            staged = stage / "new" / name
            staged.parent.mkdir(parents=True, exist_ok=True)
            with open(staged, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        with held():
            _commit(stage, target, list(files))
            b.committed.append(target)
        return [shown / name for name in files]
    except OSError as e:
        raise WriteError(shown, f"写入失败：{e.strerror or e}。原有文件未改动；请检查磁盘空间和写权限后再运行") from None
    except _NotPutBack as e:
        keep = True  # the only copies of those files
        raise WriteError(
            shown,
            f"写入失败，且有 {len(e.files)} 个原有文件未能放回原处（如 {display_path(e.files[0])}）："
            f"它们保存在 {display_path(stage / 'old')} 中，请手动移回；请检查磁盘空间和写权限",
        ) from None
    finally:
        if stage is not None and not keep:
            with held():
                shutil.rmtree(stage, ignore_errors=True)


def _stage(b: Batch, shown: Path) -> Path:
    """A new staging folder beside the batch's root, on the same file system (renames must not cross one)."""
    beside = b.root.parent
    try:
        if os.stat(beside).st_dev != os.stat(b.root).st_dev:
            raise WriteError(
                shown,
                f"输出文件夹 {display_path(b.root)} 是一个挂载点，它旁边无法暂存文件以便原子替换：请改用它下面的一个文件夹作为输出",
            )
        return Path(tempfile.mkdtemp(prefix=f".{b.root.name}.annexgen-", dir=beside))
    except OSError as e:
        raise WriteError(
            shown, f"无法在输出文件夹旁（{display_path(beside)}）创建暂存文件夹：{e.strerror or e}。请检查写权限，或换一个输出文件夹"
        ) from None


class _NotPutBack(Exception):
    """Some files `_commit` replaced could not be put back; their only copies are in the staging folder."""

    def __init__(self, files: list[Path]) -> None:
        super().__init__(files)
        self.files = files


def _commit(stage: Path, out: Path, names: list[str]) -> None:
    """Move the staged files into `out`; should one move fail, undo the others (and folders made) and re-raise."""
    made: list[Path] = []
    done: list[tuple[Path, Path | None]] = []

    def makedirs(folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for p in reversed(missing):
            p.mkdir()
            made.append(p)

    try:
        makedirs(out)
        for name in names:
            target = out / name
            backup = None
            if target.exists():
                backup = stage / "old" / name
                backup.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(target, backup)
                except OSError:  # a file system without hard links
                    shutil.copy2(target, backup)
            makedirs(target.parent)
            os.replace(stage / "new" / name, target)
            done.append((target, backup))
    except BaseException:
        lost = _undo(done, made)
        if lost:
            raise _NotPutBack(lost) from None
        raise


def _undo(done: list[tuple[Path, Path | None]], made: list[Path]) -> list[Path]:
    """Put back what `_commit` replaced, remove folders it made; returns the files that could not be put back."""
    lost = []
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        except OSError:
            if backup is not None:
                lost.append(target)
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass
    return lost
