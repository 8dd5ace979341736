"""The .docx packages `combine` reads and writes, read straight from their bytes.

A rendered annex is a zip annexgen wrote (or Word, for a template): its central directory is read
with struct, its parts inflated on demand (those many annexes share, from their template, once per
process), its relationships and content types parsed once. Only what Word and annexgen write is
read (no zip64, no encryption); anything else raises `Unsupported`, and `combine` falls back.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from functools import lru_cache

from lxml import etree

from .combine_xml import Unsupported
from .write import Entry

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RT_OFFICE_DOCUMENT = _R + "/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
Relationship = tuple[str, str, str, bool]  # (id, type, target part name or external address, external)


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class Package:
    """One annex's zip, read straight from its bytes: parts inflated on demand, relationships parsed once.

    Only what annexgen and Word write is read here (no zip64, no encryption); anything else is Unsupported.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.infos = _directory(data)
        self._read: dict[str, bytes] = {}
        self._rels: dict[str, list[Relationship]] = {}
        self.defaults, self.overrides = _types(self.read("[Content_Types].xml"))
        package = self.rels("")
        self.main = self._one(package, RT_OFFICE_DOCUMENT)
        self.core = self._one(package, RT_CORE)

    @staticmethod
    def _one(rels: list[Relationship], reltype: str) -> str:
        found = [target for _, t, target, external in rels if t == reltype and not external]
        if len(found) != 1:
            raise Unsupported(f"{len(found)} parts of type {reltype}")
        return found[0]

    def has(self, name: str) -> bool:
        return name in self.infos

    def raw(self, name: str) -> bytes:
        """The part's bytes as stored in the zip (compressed)."""
        if name not in self.infos:
            raise Unsupported(f"missing part {name}")
        method, crc, size, start, end = self.infos[name]
        return self.data[start:end]

    def read(self, name: str) -> bytes:
        if name not in self._read:
            method, crc, size, _, _ = self.infos.get(name) or (0, 0, 0, 0, 0)
            inflate = _inflate if size <= _CACHED and name != getattr(self, "main", None) else _inflate.__wrapped__
            self._read[name] = inflate(self.raw(name), method, crc, size)
        return self._read[name]

    def same(self, name: str, other: "Package") -> bool:
        """Whether the part holds the same bytes in the other package (compared compressed first)."""
        if self.infos[name][1:3] != other.infos.get(name, (None, None, None))[1:3]:
            return False
        return self.raw(name) == other.raw(name) or self.read(name) == other.read(name)

    def entry(self, name: str) -> Entry:
        """The part as a zip entry, its compressed bytes reused when it is deflated."""
        method, crc, size, start, end = self.infos[name]
        if method != zipfile.ZIP_DEFLATED:
            return Entry.deflate(name, self.read(name))
        return Entry(name, crc, size, self.data[start:end])

    def content_type(self, name: str) -> str:
        if name in self.overrides:
            return self.overrides[name]
        ext = posixpath.splitext(name)[1].lstrip(".").lower()
        if ext not in self.defaults:
            raise Unsupported(f"no content type for {name}")
        return self.defaults[ext]

    def rels(self, part: str) -> list[Relationship]:
        """(id, type, target, external) of a part's relationships ("" for the package's), targets resolved to part names."""
        if part not in self._rels:
            name = "_rels/.rels" if part == "" else rels_name(part)
            self._rels[part] = _relationships(self.read(name), posixpath.dirname(part)) if self.has(name) else []
        return self._rels[part]


def _directory(data: bytes) -> dict[str, tuple[int, int, int, int, int]]:
    """Part name → (method, CRC-32, size, start, end of the stored bytes), from the zip's central directory."""
    end = data.rfind(zipfile.stringEndArchive, max(0, len(data) - zipfile.sizeEndCentDir - 0xFFFF))
    if end == -1 or len(data) < end + zipfile.sizeEndCentDir:
        raise Unsupported("not a zip")
    record = struct.unpack(zipfile.structEndArchive, data[end : end + zipfile.sizeEndCentDir])
    count, at = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_OFFSET]
    out = {}
    try:
        for _ in range(count):
            d = struct.unpack(zipfile.structCentralDir, data[at : at + zipfile.sizeCentralDir])
            if d[0] != zipfile.stringCentralDir or d[zipfile._CD_FLAG_BITS] & 1 or d[zipfile._CD_COMPRESS_TYPE] not in (0, 8):
                raise Unsupported("a zip entry the join does not read")
            n, m, k = d[zipfile._CD_FILENAME_LENGTH], d[zipfile._CD_EXTRA_FIELD_LENGTH], d[zipfile._CD_COMMENT_LENGTH]
            raw = data[at + zipfile.sizeCentralDir : at + zipfile.sizeCentralDir + n]
            name = raw.decode("utf-8" if d[zipfile._CD_FLAG_BITS] & 0x800 else "cp437")
            local = d[zipfile._CD_LOCAL_HEADER_OFFSET]
            head = struct.unpack(zipfile.structFileHeader, data[local : local + zipfile.sizeFileHeader])
            if head[0] != zipfile.stringFileHeader:
                raise Unsupported("a broken zip")
            start = local + zipfile.sizeFileHeader + head[zipfile._FH_FILENAME_LENGTH] + head[zipfile._FH_EXTRA_FIELD_LENGTH]
            out[name] = (d[zipfile._CD_COMPRESS_TYPE], d[zipfile._CD_CRC], d[zipfile._CD_UNCOMPRESSED_SIZE], start, start + d[zipfile._CD_COMPRESSED_SIZE])
            at += zipfile.sizeCentralDir + n + m + k
    except struct.error:
        raise Unsupported("a broken zip") from None
    return out


_CACHED = 32 * 1024  # parts up to this size are inflated once per process (templates' parts); larger ones each time


@lru_cache(maxsize=128)
def _inflate(raw: bytes, method: int, crc: int, size: int) -> bytes:
    """A part's bytes (the same stored bytes are inflated once: many annexes share their template's parts)."""
    try:
        data = zlib.decompress(raw, -15) if method == zipfile.ZIP_DEFLATED else raw
    except zlib.error:
        raise Unsupported("a broken zip entry") from None
    if len(data) != size or zlib.crc32(data) != crc:
        raise Unsupported("a zip entry that fails its check")
    return data


@lru_cache(maxsize=64)
def _types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """[Content_Types].xml: content type by extension, and by part name."""
    root = etree.fromstring(data)
    defaults = {e.get("Extension").lower(): e.get("ContentType") for e in root.iter(f"{{{_CT}}}Default")}
    return defaults, {e.get("PartName").lstrip("/"): e.get("ContentType") for e in root.iter(f"{{{_CT}}}Override")}


@lru_cache(maxsize=256)
def _relationships(data: bytes, base: str) -> list[Relationship]:
    out = []
    for rel in etree.fromstring(data).iter(f"{{{_PKG_RELS}}}Relationship"):
        target = rel.get("Target") or ""
        external = rel.get("TargetMode") == "External"
        if not external:
            target = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(base, target))
        out.append((rel.get("Id"), rel.get("Type"), target, external))
    return out


def rels_xml(rels: list[Relationship], part: str) -> bytes:
    """A .rels part for `part` from (id, type, target part name or external address, external)."""
    root = etree.Element(f"{{{_PKG_RELS}}}Relationships", nsmap={None: _PKG_RELS})
    base = posixpath.dirname(part)
    for rid, reltype, target, external in rels:
        el = etree.SubElement(root, f"{{{_PKG_RELS}}}Relationship", Id=rid, Type=reltype)
        el.set("Target", target if external else posixpath.relpath(target, base or "."))
        if external:
            el.set("TargetMode", "External")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def types_xml(defaults: dict[str, str], overrides: dict[str, str]) -> bytes:
    """[Content_Types].xml from content types by extension and by part name (sorted: the same bytes every time)."""
    root = etree.Element(f"{{{_CT}}}Types", nsmap={None: _CT})
    for ext in sorted(defaults):
        etree.SubElement(root, f"{{{_CT}}}Default", Extension=ext, ContentType=defaults[ext])
    for name in sorted(overrides):
        etree.SubElement(root, f"{{{_CT}}}Override", PartName="/" + name, ContentType=overrides[name])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def quick_entry(name: str, data: bytes) -> Entry:
    """An entry compressed at zlib's fastest level: the joined document.xml is most of a combine's work otherwise."""
    z = zlib.compressobj(1, zlib.DEFLATED, -15)
    return Entry(name, zlib.crc32(data), len(data), z.compress(data) + z.flush())
