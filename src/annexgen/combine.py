"""Combine: one document holding every annex in order (`annexgen build --combine`).

The annexes of a department-year come from one form set, whose templates share
their settings, fonts, theme and styles (each template holds the styles it
uses, never two different styles under one id). Then the annexes are joined at
the XML level, working on the bytes of their parts, without parsing them:

- one document.xml whose body is each annex's body in order; every annex but the
  last ends with a paragraph carrying its own section properties (page size,
  orientation, margins, columns, header and footer references), so each annex
  keeps its page setup, and each starts on a new page (a section starting
  "continuous" or "nextColumn" is made "nextPage"); page numbers run on
  through the document, as when annexes are bound together (GB/T 9704);
- header, footer, image and other parts an annex's body refers to are carried
  over under new names and relationship ids (identical ones are shared);
- styles.xml is the union of the annexes' styles; lists (w:numId) in every
  annex but the first restart, as in a document of their own;
- drawing ids (wp:docPr), w14:paraId and bookmark ids and names are made unique.

Anything else (shared parts that differ, as when a template was edited in Word;
footnotes, comments, unknown relationships) falls back to docxcompose, which
keeps the first annex's page setup and footers for the whole document.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from functools import lru_cache
from io import BytesIO
from typing import Sequence

from lxml import etree

from . import write
from .combine_xml import R_ATTR, Body, Numbering, Unsupported, end_section, merged_styles, new_page, split, style_ids, styles_used
from .combine_xml import unique_bookmarks, unique_drawing_ids, unique_paragraph_ids
from .write import CoreProperties, Entry

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RT_OFFICE_DOCUMENT = _R + "/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_STYLES = _R + "/styles"
RT_NUMBERING = _R + "/numbering"
#: parts an annex's body may refer to, carried over into the combined document
CARRIED = {"header", "footer", "image", "hyperlink", "oleObject", "package", "chart", "video", "audio", "media",
           "diagramData", "diagramLayout", "diagramQuickStyle", "diagramColors", "diagramDrawing"}
_CARRIED_PREFIXES = (_R + "/", "http://schemas.microsoft.com/office/2007/relationships/", "http://schemas.microsoft.com/office/2011/relationships/")
def combine(docs: Sequence[bytes], properties: CoreProperties) -> bytes:
    """The combined .docx bytes of these annexes' .docx bytes, in order, each starting on a new page; deterministic."""
    if not docs:
        raise ValueError("no annexes to combine")
    try:
        return compose(docs, properties)
    except Unsupported:
        return with_docxcompose(docs, properties)


def with_docxcompose(docs: Sequence[bytes], properties: CoreProperties) -> bytes:
    """docxcompose's join (the first annex's page setup and footers throughout), each annex from a new page.

    docxcompose gives each list it copies a random w:nsid; it draws them here from a fixed seed, so the
    same annexes give the same bytes.
    """
    import random

    from docx import Document
    from docxcompose import composer

    drawn, composer.random = composer.random, random.Random(len(docs))
    try:
        joined = composer.Composer(Document(BytesIO(docs[0])))
        for data in docs[1:]:
            part = Document(BytesIO(data))
            if part.paragraphs:
                part.paragraphs[0].paragraph_format.page_break_before = True
            joined.append(part)
    finally:
        composer.random = drawn
    return write.docx_bytes(joined.doc, properties)


def compose(docs: Sequence[bytes], properties: CoreProperties) -> bytes:
    """The XML-level join; raises Unsupported when the annexes do not share their settings, styles or fonts."""
    return Joined([Package(d) for d in docs]).bytes(properties)


# --- reading a package ---------------------------------------------------------------------------


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
        self._rels: dict[str, list[tuple[str, str, str, bool]]] = {}
        self.defaults, self.overrides = _types(self.read("[Content_Types].xml"))
        package = self.rels("")
        self.main = self._one(package, RT_OFFICE_DOCUMENT)
        self.core = self._one(package, RT_CORE)

    @staticmethod
    def _one(rels: list[tuple[str, str, str, bool]], reltype: str) -> str:
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

    def rels(self, part: str) -> list[tuple[str, str, str, bool]]:
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
def _relationships(data: bytes, base: str) -> list[tuple[str, str, str, bool]]:
    out = []
    for rel in etree.fromstring(data).iter(f"{{{_PKG_RELS}}}Relationship"):
        target = rel.get("Target") or ""
        external = rel.get("TargetMode") == "External"
        if not external:
            target = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(base, target))
        out.append((rel.get("Id"), rel.get("Type"), target, external))
    return out


def carried(reltype: str) -> bool:
    """Whether a relationship of this type belongs to the annex that refers to it (a footer, an image), not to all."""
    prefix, _, last = reltype.rpartition("/")
    return prefix + "/" in _CARRIED_PREFIXES and last in CARRIED


def rels_xml(rels: list[tuple[str, str, str, bool]], part: str) -> bytes:
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
    root = etree.Element(f"{{{_CT}}}Types", nsmap={None: _CT})
    for ext in sorted(defaults):
        etree.SubElement(root, f"{{{_CT}}}Default", Extension=ext, ContentType=defaults[ext])
    for name in sorted(overrides):
        etree.SubElement(root, f"{{{_CT}}}Override", PartName="/" + name, ContentType=overrides[name])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _quick(name: str, data: bytes) -> Entry:
    """An entry compressed at zlib's fastest level: the joined document.xml is most of a combine's work otherwise."""
    z = zlib.compressobj(1, zlib.DEFLATED, -15)
    return Entry(name, zlib.crc32(data), len(data), z.compress(data) + z.flush())


# --- the join ------------------------------------------------------------------------------------

_FIRST = object()  # a part of the first annex written as it is (its compressed bytes reused)
Rel = tuple[str, str, bool]  # (type, target part name or external address, external)


class Joined:
    """The annexes joined at the XML level: the combined package's parts, made once from the annexes'."""

    def __init__(self, packages: list[Package]) -> None:
        self.packages = packages
        first = packages[0]
        self.main = first.main
        if any(p.main != self.main for p in packages):
            raise Unsupported("main document parts named differently")
        self.bodies = [split(p.read(self.main)) for p in packages]
        if len({b.head for b in self.bodies}) != 1:
            raise Unsupported("document.xml differ before their body (namespaces, background)")
        self.rels = [{rid: (t, target, ext) for rid, t, target, ext in p.rels(self.main) if t != write.RT_STYLES_WITH_EFFECTS} for p in packages]
        self.used = [list(dict.fromkeys(m.group(2).decode() for m in R_ATTR.finditer(b.inner + b.sect))) for b in self.bodies]
        self.shared = self._shared()
        self.out: dict[str, object] = {}
        self.defaults = dict(first.defaults)
        self.overrides: dict[str, str] = {}
        self.known: dict[tuple, str] = {}
        self.main_rels = [(rid, *rel) for rid, rel in self.rels[0].items() if rid not in self.used[0]]
        self.rel_ids = {tuple(rel): rid for rid, *rel in self.main_rels}
        self.stories: list[str] = []  # carried headers and footers, whose ids must be unique with the body's
        numbers = [int(rid[3:]) for rid, *_ in self.main_rels if rid.startswith("rId") and rid[3:].isdigit()]
        self.next_rid = max(numbers, default=0) + 1

    def _shared(self) -> dict[str, str]:
        """reltype → part of the relationships every annex has alike (settings, fonts, theme, styles…); checks them."""
        def alike(k: int) -> list[Rel]:
            return sorted(rel for rid, rel in self.rels[k].items() if rid not in self.used[k])

        first = self.packages[0]
        base = alike(0)
        for k, p in enumerate(self.packages):
            if alike(k) != base:
                raise Unsupported("annexes relate to different settings, fonts or styles")
            for rid in self.used[k]:
                if rid not in self.rels[k] or not carried(self.rels[k][rid][0]):
                    raise Unsupported(f"relationship {rid} the join does not carry")
            for reltype, target, external in base:
                if k == 0 or external or reltype == RT_STYLES:
                    continue
                if not p.same(target, first) or p.has(rels_name(target)) != first.has(rels_name(target)) or (p.has(rels_name(target)) and not p.same(rels_name(target), first)):
                    raise Unsupported(f"{target} differs between annexes")
        return {reltype: target for reltype, target, external in base if not external}

    # --- parts

    def _closure(self, p: Package, parts: list[str]) -> set[str]:
        """These parts, the parts they relate to (and so on), and their .rels parts."""
        seen: set[str] = set()
        todo = list(parts)
        while todo:
            part = todo.pop()
            if part in seen:
                continue
            seen.update((part, rels_name(part)))
            todo += [target for _, _, target, external in p.rels(part) if not external]
        return seen

    def _fresh(self, name: str) -> str:
        folder, file = posixpath.split(name)
        stem, ext = posixpath.splitext(file)
        base = stem.rstrip("0123456789") or stem
        taken = {self.main, rels_name(self.main), "[Content_Types].xml", self.packages[0].core}
        return next(c for n in range(1, len(self.out) + 3) if (c := posixpath.join(folder, f"{base}{n}{ext}")) not in self.out and c not in taken)

    def _carry(self, p: Package, part: str, within: tuple[str, ...] = ()) -> str:
        """An annex's part (and what it relates to) in the combined package; the name it has there."""
        if part in within or part == p.main or part in self.shared.values():
            raise Unsupported(f"{part} is related to in a circle or from elsewhere")
        rels = [(rid, t, target if ext else self._carry(p, target, (*within, part)), ext) for rid, t, target, ext in p.rels(part)]
        data, ctype = p.read(part), p.content_type(part)
        key = (ctype, data, tuple(rels))
        if key in self.known:
            return self.known[key]
        name = self.known[key] = self._fresh(part)
        self.out[name] = data
        if rels:
            self.out[rels_name(name)] = rels_xml(rels, name)
        ext = posixpath.splitext(name)[1].lstrip(".").lower()
        if ext not in self.defaults and p.defaults.get(ext) == ctype:
            self.defaults[ext] = ctype
        elif self.defaults.get(ext) != ctype:
            self.overrides[name] = ctype
        if ctype.endswith(("wordprocessingml.header+xml", "wordprocessingml.footer+xml")):
            self.stories.append(name)
        return name

    def _relate(self, p: Package, rel: Rel) -> str:
        """The combined document's relationship id for an annex's relationship (a part carried over once)."""
        reltype, target, external = rel
        key = (reltype, target if external else self._carry(p, target), external)
        if key not in self.rel_ids:
            rid = f"rId{self.next_rid}"
            self.next_rid += 1
            self.rel_ids[key] = rid
            self.main_rels.append((rid, *key))
        return self.rel_ids[key]

    # --- the document

    def _styles(self) -> tuple[bytes | None, list[set[bytes]]]:
        """The merged styles.xml (None when every annex has the same) and each annex's style ids."""
        part = self.shared.get(RT_STYLES)
        if part is None:
            return None, [set() for _ in self.packages]
        each = [p.read(part) for p in self.packages]
        distinct = list(dict.fromkeys(each))
        if len(distinct) == 1:
            return None, [set() for _ in self.packages]
        ids = {d: style_ids(d) for d in distinct}
        merged = merged_styles(distinct)
        every = set().union(*ids.values())
        for data, body in zip(each, self.bodies):
            if styles_used(body.inner) - ids[data] & every:
                raise Unsupported("an annex uses a style only another annex defines")
        return merged, [ids[d] for d in each]

    def bytes(self, properties: CoreProperties) -> bytes:
        first = self.packages[0]
        mine = self._closure(first, [self.rels[0][rid][1] for rid in self.used[0] if not self.rels[0][rid][2]])
        skip = {self.main, rels_name(self.main), "[Content_Types].xml", first.core, *mine}
        skip |= {target for reltype, target, ext in self.rels[0].values() if reltype == write.RT_STYLES_WITH_EFFECTS}
        for name in first.infos:
            if name not in skip and not name.endswith("/"):
                self.out[name] = _FIRST
        self.overrides = {n: t for n, t in first.overrides.items() if n in self.out or n in (self.main, first.core)}
        styles, _ = self._styles()
        if styles is not None:
            self.out[self.shared[RT_STYLES]] = styles
        numbering = None
        if RT_NUMBERING in self.shared:
            numbering = Numbering(first.read(self.shared[RT_NUMBERING]), styles or first.read(self.shared[RT_STYLES]))
        inners, sects = [], []
        for k, (p, body) in enumerate(zip(self.packages, self.bodies)):
            ids = {rid: self._relate(p, self.rels[k][rid]).encode() for rid in self.used[k]}

            def remap(xml: bytes) -> bytes:
                return R_ATTR.sub(lambda m: m.group(1) + ids[m.group(2).decode()] + m.group(3), xml)

            inner, sect = remap(body.inner), remap(body.sect)
            if k:
                if numbering is not None:
                    inner = numbering.restart(body.head, inner)
                inner, sect = new_page(inner, sect)
            inners.append(inner)
            sects.append(sect)
        inners = unique_bookmarks(inners)
        content = b"".join(end_section(i, s) for i, s in zip(inners[:-1], sects)) + inners[-1] + sects[-1]
        *stories, content = unique_paragraph_ids(unique_drawing_ids([*(self.out[n] for n in self.stories), content]))
        self.out.update(zip(self.stories, stories))
        if numbering is not None and (changed := numbering.xml()) is not None:
            self.out[self.shared[RT_NUMBERING]] = changed
        document = self.bodies[0].head + content + b"</w:body></w:document>"
        entries = [first.entry(n) if v is _FIRST else Entry.deflate(n, v) for n, v in self.out.items()]
        entries += [
            _quick(self.main, document),
            Entry.deflate(rels_name(self.main), rels_xml(self.main_rels, self.main)),
            Entry.deflate("[Content_Types].xml", types_xml(self.defaults, self.overrides)),
            Entry.deflate(first.core, properties.xml()),
        ]
        return write.zip_bytes(entries)
