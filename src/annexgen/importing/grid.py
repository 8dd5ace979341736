"""A Word document's body as paragraphs and tables on their grid, read from the XML itself.

python-docx's table API assumes tidy tables; files typed by clerks in Word and WPS
are not (python-docx issues #344 and #232). Following the approach of
Unstructured-IO/unstructured PR #2134, rows and cells are walked in the XML and
placed on the table grid:

- `w:gridSpan` widens a cell; `w:gridBefore` / `w:gridAfter` leave grid columns empty
  at the start or end of a row (rows of uneven width);
- `w:vMerge` without `restart` continues the cell above: the grid position shows the
  text of the cell where the merge started;
- legacy `w:hMerge` continuation cells widen the cell to their left;
- rows and cells wrapped in content controls (`w:sdt`) or custom XML are read through;
- a cell's text is its paragraphs joined by newlines; runs are joined; `w:tab` is a
  tab, `w:br`/`w:cr` a newline; deleted text (tracked changes) is left out, and the
  fallback copy of alternate content is read once, not twice; a table row deleted with
  changes tracked is left out;
- the text of a text box is read as paragraphs of its own before the paragraph it is
  anchored in (in a cell: as further lines of the cell).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Iterator, Union

from lxml import etree

from .numbering import Formatting

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_WRAPPERS = {f"{{{W}}}sdt", f"{{{W}}}customXml", f"{{{W}}}smartTag", f"{{{W}}}sdtContent"}
_SKIP = {f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{MC}}}Fallback", f"{{{W}}}rPr", f"{{{W}}}pPr", f"{{{W}}}tblPr", f"{{{W}}}trPr", f"{{{W}}}tcPr"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Cell:
    """One physical cell: where it starts on the grid, how many grid columns it covers, its text."""

    row: int  # 0-based row of the table
    col: int  # 0-based grid column where the cell starts
    span: int  # grid columns covered
    text: str
    continued: bool = False  # a vertical-merge continuation: the text shown is the origin's above


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: its text and style name (the style id when styles.xml gives no name; empty when none),
    what Word's automatic numbering shows before it, and whether it is bold (see numbering.py).

    Names, not ids: LibreOffice renames the ids of custom styles ("一级标题" becomes
    "Style17") but keeps their names.
    """

    index: int  # 1-based among the body's paragraphs
    text: str  # with the label of Word's automatic numbering in front, as Word shows it
    style: str = ""
    label: str = ""  # the automatic numbering's label ("一、", "（一）"; '' when typed or none)
    list_level: int = 0  # 1-based level of that numbering (0: not in a numbered list)
    bold: bool = False  # every run with text is bold


@dataclass
class Table:
    """A body table: its physical cells per row, placed on the grid."""

    index: int  # 1-based among the body's tables
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Grid columns: the widest row (a table's w:tblGrid can be missing or wrong in hand-made files)."""
        return max((c.col + c.span for row in self.rows for c in row), default=0)

    def origin(self, row: int, col: int) -> Cell | None:
        """The cell covering grid position (row, col), followed up through vertical merges; None for an empty spot."""
        cell = next((c for c in self.rows[row] if c.col <= col < c.col + c.span), None) if 0 <= row < len(self.rows) else None
        while cell is not None and cell.continued and row > 0:
            row -= 1
            above = next((c for c in self.rows[row] if c.col == cell.col), None)
            if above is None:
                break
            cell = above
        return cell

    def grid(self) -> list[list[str]]:
        """Text at every grid position: spans and vertical merges show their origin's text, empty spots ''."""
        out = []
        for r in range(len(self.rows)):
            line = []
            for c in range(self.width):
                cell = self.origin(r, c)
                line.append(cell.text if cell is not None else "")
            out.append(line)
        return out


Block = Union[Paragraph, Table]


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Child elements, looking through content controls and custom-XML wrappers."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _WRAPPERS:
            yield from _children(child)
        else:
            yield child


def _runs_text(node: etree._Element, parts: list[str]) -> None:
    for child in node:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _w("t"):
            parts.append(child.text or "")
        elif tag == _w("tab"):
            parts.append("\t")
        elif tag in (_w("br"), _w("cr")):
            parts.append("\n")
        elif tag == _w("noBreakHyphen"):
            parts.append("-")
        elif tag != _w("txbxContent"):  # a text box is a drawing's, not the paragraph's text
            _runs_text(child, parts)


def paragraph_text(p: etree._Element) -> str:
    """One paragraph's visible text: runs joined, tabs and breaks kept, deletions left out."""
    parts: list[str] = []
    _runs_text(p, parts)
    return "".join(parts)


def _outermost(box: etree._Element, p: etree._Element) -> bool:
    for above in box.iterancestors():
        if above is p:
            return True
        if above.tag in (_w("txbxContent"), f"{{{MC}}}Fallback"):
            return False
    return True


def boxed(p: etree._Element) -> list[str]:
    """The text of the text boxes anchored in paragraph `p`, one line per paragraph (the fallback copy not again).

    A clerk may type an annex label, a title or a figure into a floating text box: it is
    read where it is anchored, not dropped."""
    lines = []
    for box in p.iter(_w("txbxContent")):
        if not _outermost(box, p):
            continue  # a box in a box is read with the outer one; the fallback copy repeats the choice
        lines.extend(line for line in text_of(box).split("\n") if line.strip())
    return lines


def text_of(container: etree._Element) -> str:
    """A cell's (or any container's) text: its paragraphs, those of nested tables and text boxes too, one per line."""
    lines = []
    for el in _children(container):
        if el.tag == _w("p"):
            lines.append(paragraph_text(el))
            lines.extend(boxed(el))
        elif el.tag == _w("tbl"):
            for tr in (c for c in _children(el) if c.tag == _w("tr")):
                for tc in (c for c in _children(tr) if c.tag == _w("tc")):
                    lines.append(text_of(tc))
    return "\n".join(lines)


def _cell_props(tc: etree._Element) -> tuple[int, str | None, str | None]:
    """(gridSpan, vMerge value or None, hMerge value or None); a vMerge/hMerge without w:val is 'continue'."""
    pr = tc.find(_w("tcPr"))
    span, vmerge, hmerge = 1, None, None
    if pr is not None:
        g = pr.find(_w("gridSpan"))
        if g is not None:
            try:
                span = max(1, int(g.get(_w("val")) or 1))
            except ValueError:
                span = 1
        v = pr.find(_w("vMerge"))
        if v is not None:
            vmerge = v.get(_w("val")) or "continue"
        h = pr.find(_w("hMerge"))
        if h is not None:
            hmerge = h.get(_w("val")) or "continue"
    return span, vmerge, hmerge


def _skip_before(tr: etree._Element) -> int:
    pr = tr.find(_w("trPr"))
    g = pr.find(_w("gridBefore")) if pr is not None else None
    try:
        return max(0, int(g.get(_w("val")) or 0)) if g is not None else 0
    except ValueError:
        return 0


def read_table(tbl: etree._Element, index: int) -> Table:
    table = Table(index)
    rows = (c for c in _children(tbl) if c.tag == _w("tr") and c.find(f"{_w('trPr')}/{_w('del')}") is None)  # a deleted row (tracked) is gone
    for r, tr in enumerate(rows):
        row: list[Cell] = []
        col = _skip_before(tr)
        for tc in (c for c in _children(tr) if c.tag == _w("tc")):
            span, vmerge, hmerge = _cell_props(tc)
            if hmerge == "continue" and row:
                last = row[-1]
                row[-1] = Cell(last.row, last.col, last.span + span, last.text, last.continued)
            else:
                row.append(Cell(r, col, span, text_of(tc), vmerge == "continue"))
            col += span
        table.rows.append(row)
    return table


def read_blocks(body: etree._Element, formatting: Formatting | None = None) -> list[Block]:
    """The body's paragraphs and tables in document order; `formatting` gives style names, list labels and bold."""
    formatting = formatting if formatting is not None else Formatting()
    labels = formatting.labels(body)
    blocks: list[Block] = []
    paragraphs = tables = 0
    for el in _children(body):
        if el.tag == _w("p"):
            paragraphs += 1
            style = el.find(f"{_w('pPr')}/{_w('pStyle')}")
            sid = (style.get(_w("val")) or "") if style is not None else ""
            label, level = labels.get(el, ("", -1))
            text = paragraph_text(el)
            blocks.extend(Paragraph(paragraphs, line) for line in boxed(el))  # text boxes, where they are anchored
            blocks.append(Paragraph(paragraphs, label + text, formatting.style_name(sid), label, level + 1, formatting.bold(el)))
        elif el.tag == _w("tbl"):
            tables += 1
            blocks.append(read_table(el, tables))
    return blocks


#: the most a part of a submitted file may inflate to: a larger one is not a self-evaluation annex
MAX_PART_BYTES = 64 * 1024 * 1024


class TooLarge(ValueError):
    """A part of the file inflates beyond MAX_PART_BYTES (a zip bomb, or not an annex)."""


def _part(z: zipfile.ZipFile, name: str) -> bytes | None:
    """A part of the package, read no further than MAX_PART_BYTES whatever its header claims."""
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise TooLarge(name)
    with z.open(info) as stream:
        data = stream.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise TooLarge(name)
    return data


def read_docx(source: Path | bytes) -> list[Block]:
    """The body of a .docx file (a path or its bytes) as paragraphs and tables.

    Raises zipfile.BadZipFile, KeyError (no word/document.xml), etree.XMLSyntaxError or
    TooLarge for a file that is not a readable .docx; XML entities are never resolved.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    with zipfile.ZipFile(BytesIO(data)) as z:
        xml = _part(z, "word/document.xml")
        if xml is None:
            raise KeyError("word/document.xml")
        styles = _part(z, "word/styles.xml")
        numbering = _part(z, "word/numbering.xml")
    root = etree.fromstring(xml, parser)
    body = root.find(_w("body"))
    return read_blocks(body, Formatting.parse(styles, numbering, parser)) if body is not None else []
