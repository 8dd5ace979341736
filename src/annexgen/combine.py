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
from io import BytesIO
from typing import Sequence

from . import write
from .combine_package import Package, quick_entry, rels_name, rels_xml, types_xml
from .combine_xml import Numbering, Unsupported, end_section, merged_styles, new_page, relate, relationship_ids, split, style_ids, styles_used
from .combine_xml import unique_bookmarks, unique_drawing_ids, unique_paragraph_ids
from .write import CoreProperties, Entry

__all__ = ["Unsupported", "combine", "compose", "with_docxcompose"]

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
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
    return Joined([Package(d) for d in docs]).docx(properties)


def carried(reltype: str) -> bool:
    """Whether a relationship of this type belongs to the annex that refers to it (a footer, an image), not to all."""
    prefix, _, last = reltype.rpartition("/")
    return prefix + "/" in _CARRIED_PREFIXES and last in CARRIED


# --- the join ------------------------------------------------------------------------------------

_FIRST = object()  # a part of the first annex written as it is (its compressed bytes reused)
Rel = tuple[str, str, bool]  # (type, target part name or external address, external): a relationship but its id


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
        self.used = [relationship_ids(b.inner + b.sect) for b in self.bodies]
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

    def _styles(self) -> bytes | None:
        """The merged styles.xml, or None when every annex has the same."""
        part = self.shared.get(RT_STYLES)
        each = [p.read(part) for p in self.packages] if part else []
        distinct = list(dict.fromkeys(each))
        if len(distinct) <= 1:
            return None
        ids = {d: style_ids(d) for d in distinct}
        merged = merged_styles(distinct)
        every = set().union(*ids.values())
        for data, body in zip(each, self.bodies):
            if styles_used(body.inner) - ids[data] & every:
                raise Unsupported("an annex uses a style only another annex defines")
        return merged

    def docx(self, properties: CoreProperties) -> bytes:
        """The combined .docx: the first annex's package-wide parts, the joined body, styles and lists, the carried parts."""
        first = self.packages[0]
        mine = self._closure(first, [self.rels[0][rid][1] for rid in self.used[0] if not self.rels[0][rid][2]])
        skip = {self.main, rels_name(self.main), "[Content_Types].xml", first.core, *mine}
        skip |= {target for reltype, target, ext in self.rels[0].values() if reltype == write.RT_STYLES_WITH_EFFECTS}
        for name in first.infos:
            if name not in skip and not name.endswith("/"):
                self.out[name] = _FIRST
        self.overrides = {n: t for n, t in first.overrides.items() if n in self.out or n in (self.main, first.core)}
        styles = self._styles()
        if styles is not None:
            self.out[self.shared[RT_STYLES]] = styles
        numbering = None
        if RT_NUMBERING in self.shared:
            numbering = Numbering(first.read(self.shared[RT_NUMBERING]), styles or (first.read(self.shared[RT_STYLES]) if RT_STYLES in self.shared else None))
        inners, sects = [], []
        for k, (p, body) in enumerate(zip(self.packages, self.bodies)):
            ids = {rid: self._relate(p, self.rels[k][rid]).encode() for rid in self.used[k]}
            inner, sect = relate(body.inner, ids), relate(body.sect, ids)
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
            quick_entry(self.main, document),
            Entry.deflate(rels_name(self.main), rels_xml(self.main_rels, self.main)),
            Entry.deflate("[Content_Types].xml", types_xml(self.defaults, self.overrides)),
            Entry.deflate(first.core, properties.xml()),
        ]
        return write.zip_bytes(entries)
