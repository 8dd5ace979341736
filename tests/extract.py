"""Text of a .docx by the seed's extraction rules (shared/seeds/README.md, Apache Tika style).

- a paragraph outside a table: its text and a newline;
- a table cell: a TAB, its paragraphs joined by newlines, a newline; a row ends with one more newline;
- a vertically merged cell shows its text in the first row and is an empty cell ("\\t\\n") below;
- a horizontally merged cell (gridSpan) appears once.
Line breaks inside a paragraph are newlines, tabs are tabs. Headers and footers are not body text.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn


def paragraph_text(p) -> str:
    out = []
    for el in p.iter():
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag == qn("w:tab") and el.getparent().tag == qn("w:r"):
            out.append("\t")
        elif el.tag in (qn("w:br"), qn("w:cr")) and el.get(qn("w:type")) != "page":
            out.append("\n")
    return "".join(out)


def _cell(tc) -> str:
    pr = tc.tcPr
    vmerge = pr.find(qn("w:vMerge")) if pr is not None else None
    if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
        return "\t\n"
    return "\t" + "\n".join(paragraph_text(p) for p in tc.iterchildren(qn("w:p"))) + "\n"


def extract_text(path: Path | str) -> str:
    body = Document(str(path)).element.body
    out = []
    for block in body.iterchildren():
        if block.tag == qn("w:p"):
            out.append(paragraph_text(block) + "\n")
        elif block.tag == qn("w:tbl"):
            for tr in block.iterchildren(qn("w:tr")):
                for tc in tr.iterchildren(qn("w:tc")):
                    out.append(_cell(tc))
                out.append("\n")
    return "".join(out)
