"""Write: deterministic .docx bytes and atomic replacement of a build's output.

Step 6 of the pipeline (load → model → derive → check → render → **write**).

- Deterministic: a .docx is a zip; its entries are rewritten in a fixed order
  with a fixed time stamp, so the same inputs give byte-identical files.
- Valid: the document properties (docProps/core.xml) are written whole by
  `CoreProperties`, each element in its own namespace, whatever another
  library has done to python-docx's prefix map (docxcompose rebinds "cp"); the
  optional stylesWithEffects.xml part, which Word rejects once it is out of step
  with styles.xml, is never written.
- Atomic: every file of a build is first written to a staging folder beside
  the output folder (never inside it); only when all of them are ready are they
  moved into place, each with an atomic rename, and Ctrl-C is held off during
  those renames. A build that fails or is interrupted before that leaves the
  previous output exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Iterator

from lxml import etree

from .errors import AnnexgenError
from .load import XML_FORBIDDEN

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class WriteError(AnnexgenError):
    """Raised when the output cannot be written (read-only folder, full disk)."""


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
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype == RT_STYLES_WITH_EFFECTS:
            doc.part.drop_rel(rid)
    doc.core_properties  # python-docx adds a core-properties part to a template that has none
    core = next(p for p in doc.part.package.iter_parts() if p.content_type == CT_CORE_PROPERTIES)
    buf = BytesIO()
    doc.save(buf)
    return normalize_docx(buf.getvalue(), {str(core.partname).lstrip("/"): properties.xml()})


def normalize_docx(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same package with [Content_Types].xml first, then entries by name, all at a fixed time.

    `replace` gives new bytes for some entries (by name in the zip).
    """
    replace = replace or {}
    src = zipfile.ZipFile(BytesIO(data))
    names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            dst.writestr(info, replace[name] if name in replace else src.read(name))
    return out.getvalue()


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """Hold SIGINT (Ctrl-C) until the block is done; it is delivered afterwards."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, ValueError):  # not on the main thread, or no pthreads
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_files(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write `files` (relative name → bytes) into `out` atomically; returns their paths.

    All files are staged first; then each is moved into place. Should a move fail,
    the files already moved are put back as they were (kept as hard links in the
    staging folder), so the output is either wholly the new build or the old one.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.annexgen-", dir=out.parent))
    except OSError as e:
        raise WriteError(f"{out}: 错误: 无法创建输出文件夹：{e.strerror}。请检查路径和写权限") from None
    try:
        for name, data in files.items():
            target = stage / "new" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        with _no_interrupt():
            _commit(stage, out, list(files))
        return [out / name for name in files]
    except OSError as e:
        raise WriteError(f"{out}: 错误: 写入失败：{e.strerror}。原有文件未改动；请检查磁盘空间和写权限") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _commit(stage: Path, out: Path, names: list[str]) -> None:
    done: list[tuple[Path, Path | None]] = []
    try:
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
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / "new" / name, target)
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        raise
