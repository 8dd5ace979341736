"""The XML edits of `combine`, on the bytes of WordprocessingML parts as annexgen and Word write them.

Each function either does its edit or raises `Unsupported`, never guesses: the
caller then joins the annexes with docxcompose instead. The parts are not
parsed (lxml would take most of a combine's time); the prefixes w:, r:, wp: and
w14: are checked to be bound as usual (`split`), and lists, the rare case, are
edited with lxml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": W}


class Unsupported(Exception):
    """These annexes cannot be joined at the XML level (the reason is the message); docxcompose joins them."""


#: what an XML-level join cannot place correctly: notes and comments (a reference), legacy VML relationship
#: ids (o:relid), section-property revisions, a usual prefix bound to another namespace inside the body,
#: relationship attributes not after a space (the join finds them by " r:"); looked for with a cheap
#: screen first (each `in` scans the body once), then exactly
_SCREEN = {
    b"Reference": (b"<w:footnoteReference", b"<w:endnoteReference", b"<w:commentReference"),
    b"Change": (b"<w:sectPrChange",),
    b"relid": (b"o:relid=",),
    b"xmlns": (b"xmlns:w=", b"xmlns:r=", b"xmlns:wp=", b"xmlns:w14="),
    b"\n": (b"\nr:",),
    b"\t": (b"\tr:",),
    b"\r": (b"\rr:",),
}


def _unsupported(xml: bytes) -> bool:
    return any(any(bad in xml for bad in exact) for screen, exact in _SCREEN.items() if screen in xml)


_BOUND = {
    b"w": b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"r": b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    b"wp": b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    b"w14": b"http://schemas.microsoft.com/office/word/2010/wordml",
}
_BODY = re.compile(rb"<w:body\s*>")
_ROOT_NS = re.compile(rb'\sxmlns:([\w.-]+)="([^"]*)"')
_R_ATTR = re.compile(rb'( r:[A-Za-z]+=")([^"]*)(")')
_P_TAG = re.compile(rb"<w:p(?=[\s>/])[^>]*?(/?)>|</w:p>")
_SECT_TYPE = re.compile(rb'<w:type w:val="(?:continuous|nextColumn)"/>')
_DOCPR = re.compile(rb'(<wp:docPr\b[^>]*?\sid=")(\d+)(")')
_PARA_ID = re.compile(rb'( w14:paraId=")([0-9A-Fa-f]{8})(")')
_BOOKMARK_ID = re.compile(rb'(<w:bookmark(?:Start|End)\b[^>]*?\sw:id=")(-?\d+)(")')
_BOOKMARK_NAME = re.compile(rb'(<w:bookmarkStart\b[^>]*?\sw:name=")([^"]*)(")')
_STYLE = re.compile(rb"<w:style\s[^>]*?(?:/>|>.*?</w:style>)", re.S)
_STYLE_ID = re.compile(rb'\sw:styleId="([^"]*)"')
_STYLE_USES = [re.compile(rb'<w:%sStyle w:val="([^"]*)"' % kind) for kind in (b"p", b"r", b"tbl")]
NUM_USE = re.compile(rb'<w:numId w:val="(\d+)"/>')


def _in_tag(xml: bytes, m: re.Match) -> bool:
    """Whether a match is inside a tag, not in text (where a writer leaves `"` as it is, but never `<` or `>`)."""
    return xml.rfind(b"<", 0, m.start()) > xml.rfind(b">", 0, m.start())


def relationship_ids(xml: bytes) -> list[str]:
    """The relationship ids the r: attributes in this XML name, in order, once each."""
    return list(dict.fromkeys(m.group(2).decode() for m in _R_ATTR.finditer(xml) if _in_tag(xml, m)))


def relate(xml: bytes, ids: dict[str, bytes]) -> bytes:
    """The XML with its r: attributes naming the new relationship ids."""
    return _R_ATTR.sub(lambda m: m.group(1) + ids[m.group(2).decode()] + m.group(3) if _in_tag(xml, m) else m.group(0), xml)


@dataclass
class Body:
    """An annex's document.xml cut in three: everything up to <w:body>, the body's content, its last sectPr."""

    head: bytes
    inner: bytes
    sect: bytes


def split(xml: bytes) -> Body:
    """document.xml as head, content and final section properties; Unsupported for what this module cannot edit."""
    m = _BODY.search(xml)
    end = xml.rfind(b"</w:body>")
    if m is None or end < m.end() or xml[end:].strip() != b"</w:body></w:document>":
        raise Unsupported("document.xml without a <w:body> the join understands")
    head, inner = xml[: m.end()], xml[m.end() : end].rstrip()
    bound = dict(_ROOT_NS.findall(head))
    if any(bound.get(prefix, uri) != uri for prefix, uri in _BOUND.items()) or _unsupported(inner):
        raise Unsupported("document.xml with content the join does not handle")
    if not inner.endswith(b"</w:sectPr>"):
        raise Unsupported("a body without its final section properties")
    start = inner.rfind(b"<w:sectPr")
    if inner.find(b"<w:sectPr", start + 1) != -1 or inner[start + 9 : start + 10] not in (b" ", b">"):
        raise Unsupported("section properties the join cannot find")
    return Body(head, inner[:start], inner[start:])


def _last_paragraph(inner: bytes) -> int | None:
    """Where the body's last top-level element starts, if it is a paragraph (`<w:p …>…</w:p>`)."""
    if not inner.endswith(b"</w:p>"):
        return None
    at = len(inner)
    while (at := inner.rfind(b"<w:p", 0, at)) != -1:
        if inner[at + 4 : at + 5] in (b" ", b">"):
            opened = closed = 0
            for tag in _P_TAG.finditer(inner, at):
                if tag.group(0) == b"</w:p>":
                    closed += 1
                elif not tag.group(1):
                    opened += 1
            if opened == closed:
                return at
    return None


def end_section(inner: bytes, sect: bytes) -> bytes:
    """The body content ending with a paragraph that carries `sect` (the annex's own section properties).

    The last paragraph takes them in its pPr (after its rPr, before a pPrChange) unless it holds a section
    break already or the body ends with a table: then a new empty paragraph carries them.
    """
    start = _last_paragraph(inner)
    if start is not None:
        p = inner[start:]
        open_end = p.index(b">") + 1
        rest = p[open_end:]
        if rest.startswith(b"<w:pPr/>"):
            return inner[:start] + p[:open_end] + b"<w:pPr>" + sect + b"</w:pPr>" + rest[8:]
        if rest.startswith(b"<w:pPr>"):
            close = rest.find(b"</w:pPr>")
            change = rest.find(b"<w:pPrChange", 0, close)
            at = change if change != -1 else close
            if b"<w:sectPr" not in rest[:close] and at != -1:
                return inner[:start] + p[:open_end] + rest[:at] + sect + rest[at:]
        elif not rest.startswith(b"<w:pPr"):
            return inner[:start] + p[:open_end] + b"<w:pPr>" + sect + b"</w:pPr>" + rest
    return inner + b"<w:p><w:pPr>" + sect + b"</w:pPr></w:p>"


def new_page(inner: bytes, sect: bytes) -> tuple[bytes, bytes]:
    """The annex's first section starts on a new page (a "continuous" or "nextColumn" start becomes "nextPage")."""
    first = inner.find(b"<w:sectPr")
    if first == -1:
        return inner, _SECT_TYPE.sub(b'<w:type w:val="nextPage"/>', sect, count=1)
    close = inner.index(b"</w:sectPr>", first)
    fixed = _SECT_TYPE.sub(b'<w:type w:val="nextPage"/>', inner[first:close], count=1)
    return inner[:first] + fixed + inner[close:], sect


# --- styles ---------------------------------------------------------------------------------------


def styles_used(xml: bytes) -> set[bytes]:
    """The ids of the paragraph, character and table styles this XML applies."""
    return {s for pattern in _STYLE_USES for s in pattern.findall(xml)}


def style_ids(styles: bytes) -> set[bytes]:
    return {_STYLE_ID.search(s).group(1) for s in _STYLE.findall(styles) if _STYLE_ID.search(s)}


def merged_styles(distinct: list[bytes]) -> bytes:
    """One styles.xml holding every style of these (the first's, then the others' new ones in order).

    Unsupported when they differ in anything but which styles they hold (document defaults, latent styles)
    or give two different definitions under one style id.
    """
    rest = {_STYLE.sub(b"", s) for s in distinct}
    if len(rest) != 1:
        raise Unsupported("styles.xml differ in their defaults")
    seen: dict[bytes, bytes] = {}
    added = []
    for data in distinct:
        for style in _STYLE.findall(data):
            m = _STYLE_ID.search(style)
            if m is None:
                raise Unsupported("a style without an id")
            if m.group(1) in seen:
                if seen[m.group(1)] != style:
                    raise Unsupported(f"two styles {m.group(1).decode(errors='replace')}")
                continue
            seen[m.group(1)] = style
            if data is not distinct[0]:
                added.append(style)
    first = distinct[0]
    end = first.rfind(b"</w:styles>")
    if end == -1:
        raise Unsupported("styles.xml without </w:styles>")
    return first[:end] + b"".join(added) + first[end:]


# --- ids ------------------------------------------------------------------------------------------


def unique_drawing_ids(stories: list[bytes]) -> list[bytes]:
    """wp:docPr ids numbered 1, 2, … through all stories when two would be the same."""
    ids = [m.group(2) for s in stories if b"<wp:docPr" in s for m in _DOCPR.finditer(s)]
    if len(ids) == len(set(ids)):
        return stories
    n = count(1)
    return [_DOCPR.sub(lambda m: m.group(1) + str(next(n)).encode() + m.group(3), s) for s in stories]


def unique_paragraph_ids(stories: list[bytes]) -> list[bytes]:
    """w14:paraId kept where first seen, a new one (below 0x80000000, as Word requires) for each repeat."""
    ids = [m.group(2).upper() for s in stories if b"w14:paraId" in s for m in _PARA_ID.finditer(s) if _in_tag(s, m)]
    if len(ids) == len(set(ids)):
        return stories
    used, seen, fresh = set(ids), set(), (f"{i:08X}".encode() for i in count(1))

    def one(m: re.Match) -> bytes:
        if not _in_tag(m.string, m):
            return m.group(0)
        value = m.group(2).upper()
        if value in seen:
            value = next(v for v in fresh if v not in used)
            used.add(value)
        seen.add(value)
        return m.group(1) + value + m.group(3)

    return [_PARA_ID.sub(one, s) for s in stories]


def unique_bookmarks(inners: list[bytes]) -> list[bytes]:
    """Bookmark ids numbered through the annexes, and a name already taken renamed (name_2, …) with its references."""
    if not any(b"<w:bookmark" in i for i in inners):
        return inners
    ids = [set(_BOOKMARK_ID.findall(i)) for i in inners]
    names = [_BOOKMARK_NAME.findall(i) for i in inners]
    if not any(names) and not any(ids):
        return inners
    out, taken, next_id = [], set(), 0
    for k, inner in enumerate(inners):
        numbers = sorted({int(m[1]) for m in ids[k]})
        mapping = {str(old).encode(): str(next_id + i).encode() for i, old in enumerate(numbers)}
        next_id += len(numbers)
        inner = _BOOKMARK_ID.sub(lambda m: m.group(1) + mapping[m.group(2)] + m.group(3), inner)
        for _, name, _ in names[k]:
            if name in taken:
                new = next(n for i in count(2) if (n := name[:34] + b"_%d" % i) not in taken)
                inner = _rename_bookmark(inner, name, new)
                name = new
            taken.add(name)
        out.append(inner)
    return out


def _rename_bookmark(inner: bytes, old: bytes, new: bytes) -> bytes:
    word = re.compile(rb"(?<![\w.])" + re.escape(old) + rb"(?![\w.])")
    inner = inner.replace(b'w:name="' + old + b'"', b'w:name="' + new + b'"').replace(b'w:anchor="' + old + b'"', b'w:anchor="' + new + b'"')
    inner = re.sub(rb"(<w:instrText\b[^>]*>)([^<]*)", lambda m: m.group(1) + word.sub(new, m.group(2)), inner)
    return re.sub(rb'(\sw:instr=")([^"]*)', lambda m: m.group(1) + word.sub(new, m.group(2)), inner)


# --- lists ----------------------------------------------------------------------------------------


class Numbering:
    """numbering.xml with the lists restarted per annex: a new w:num (same abstractNum, every level's start
    overridden) for each list an annex uses, as Word's "restart at 1" makes."""

    def __init__(self, data: bytes, styles: bytes | None) -> None:
        self.data = data
        root = etree.fromstring(data)
        self.nums = {n.get(f"{{{W}}}numId"): n for n in root.iterfind("w:num", _NS)}
        self.starts = {a.get(f"{{{W}}}abstractNumId"): {lvl.get(f"{{{W}}}ilvl"): _start(lvl) for lvl in a.iterfind("w:lvl", _NS)} for a in root.iterfind("w:abstractNum", _NS)}
        self.next = max((int(i) for i in self.nums if i and i.isdigit()), default=0) + 1
        self.added: list[bytes] = []
        self.by_style = _style_lists(styles) if styles else {}

    def restart(self, head: bytes, inner: bytes) -> bytes:
        """An annex's body with its lists on new w:num ids (a paragraph listed by its style gets that list directly)."""
        used = {n.decode() for n in NUM_USE.findall(inner)} - {"0"}
        styled = {s.decode() for s in styles_used(inner)} & set(self.by_style)
        if not used and not styled:
            return inner
        root = etree.fromstring(head + inner + b"</w:body></w:document>")
        mapping: dict[str, str] = {}

        def new(num_id: str) -> str:
            if num_id not in mapping:
                mapping[num_id] = self._copy(num_id)
            return mapping[num_id]

        for el in root.iter(f"{{{W}}}numId"):
            value = el.get(f"{{{W}}}val")
            if value in self.nums and value != "0":
                el.set(f"{{{W}}}val", new(value))
        for ppr in root.iter(f"{{{W}}}pPr"):
            style = ppr.find("w:pStyle", _NS)
            if style is None or ppr.find("w:numPr", _NS) is not None or style.get(f"{{{W}}}val") not in self.by_style:
                continue
            num_id, ilvl = self.by_style[style.get(f"{{{W}}}val")]
            if num_id not in self.nums:
                continue
            num_pr = etree.Element(f"{{{W}}}numPr")
            etree.SubElement(num_pr, f"{{{W}}}ilvl").set(f"{{{W}}}val", ilvl)
            etree.SubElement(num_pr, f"{{{W}}}numId").set(f"{{{W}}}val", new(num_id))
            before = [c for c in ppr if etree.QName(c).localname in _BEFORE_NUMPR]
            ppr.insert(ppr.index(before[-1]) + 1 if before else 0, num_pr)
        xml = etree.tostring(root, encoding="UTF-8")
        return xml[_BODY.search(xml).end() : xml.rindex(b"</w:body>")]

    def _copy(self, num_id: str) -> str:
        old = self.nums[num_id]
        abstract = old.find("w:abstractNumId", _NS).get(f"{{{W}}}val")
        new_id = str(self.next)
        self.next += 1
        overrides = {o.get(f"{{{W}}}ilvl"): o for o in old.iterfind("w:lvlOverride", _NS)}
        parts = [b'<w:num w:numId="%s"><w:abstractNumId w:val="%s"/>' % (new_id.encode(), abstract.encode())]
        for ilvl, start in sorted(self.starts.get(abstract, {}).items()):
            o = overrides.get(ilvl)
            if o is not None and o.find("w:startOverride", _NS) is not None:
                parts.append(etree.tostring(o))
            elif o is not None:
                inner = b"".join(etree.tostring(c) for c in o)
                parts.append(b'<w:lvlOverride w:ilvl="%s"><w:startOverride w:val="%s"/>%s</w:lvlOverride>' % (ilvl.encode(), start.encode(), inner))
            else:
                parts.append(b'<w:lvlOverride w:ilvl="%s"><w:startOverride w:val="%s"/></w:lvlOverride>' % (ilvl.encode(), start.encode()))
        self.added.append(b"".join(parts) + b"</w:num>")
        return new_id

    def xml(self) -> bytes | None:
        """numbering.xml with the new lists, or None when no annex needed one."""
        if not self.added:
            return None
        at = self.data.find(b"<w:numIdMacAtCleanup")
        at = at if at != -1 else self.data.rindex(b"</w:numbering>")
        return self.data[:at] + b"".join(self.added) + self.data[at:]


_BEFORE_NUMPR = {"pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl"}


def _start(lvl: etree._Element) -> str:
    start = lvl.find("w:start", _NS)
    return start.get(f"{{{W}}}val", "0") if start is not None else "0"


def _style_lists(styles: bytes) -> dict[str, tuple[str, str]]:
    """Paragraph style id → (numId, ilvl) of the list it puts its paragraphs in (through basedOn), numId 0 left out."""
    root = etree.fromstring(styles)
    own: dict[str, tuple[str | None, str]] = {}
    based: dict[str, str | None] = {}
    for s in root.iterfind("w:style", _NS):
        sid = s.get(f"{{{W}}}styleId")
        base = s.find("w:basedOn", _NS)
        based[sid] = base.get(f"{{{W}}}val") if base is not None else None
        num = s.find("w:pPr/w:numPr", _NS)
        if num is not None:
            num_id, ilvl = num.find("w:numId", _NS), num.find("w:ilvl", _NS)
            own[sid] = (num_id.get(f"{{{W}}}val") if num_id is not None else None, ilvl.get(f"{{{W}}}val", "0") if ilvl is not None else "0")
    out = {}
    for sid in based:
        seen, at = set(), sid
        while at is not None and at not in own and at not in seen:
            seen.add(at)
            at = based.get(at)
        if at in own and own[at][0] not in (None, "0"):
            out[sid] = own[at]
    return out
