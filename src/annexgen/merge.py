"""Merging the indicator table's grouped cells after rendering (part of render).

A cell whose text is `MERGE` joins the cell above it in its grid column, so
一级指标 and 二级指标 span exactly their own group's rows whatever the template's columns.
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

#: the text of a table cell that continues the vertical merge of the cell above it
MERGE = "\ue000"


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _set_vmerge(tc, value: str) -> None:
    tc_pr = tc.get_or_add_tcPr()
    old = tc_pr.find(qn("w:vMerge"))
    if old is not None:
        tc_pr.remove(old)
    el = OxmlElement("w:vMerge")
    if value == "restart":
        el.set(qn("w:val"), "restart")
    # schema order in tcPr: tcW, gridSpan, hMerge, vMerge, … — insert after the last of the first three
    anchor = None
    for tag in ("w:tcW", "w:gridSpan", "w:hMerge"):
        found = tc_pr.find(qn(tag))
        if found is not None:
            anchor = found
    if anchor is None:
        tc_pr.insert(0, el)
    else:
        anchor.addnext(el)


def merge_marked_cells(doc) -> None:
    """Join every cell whose text is `MERGE` to the nearest unmarked cell above it in its grid column."""
    for tbl in doc.element.body.iter(qn("w:tbl")):
        top: dict[int, Any] = {}
        for tr in tbl.iterchildren(qn("w:tr")):
            col = 0
            for tc in tr.iterchildren(qn("w:tc")):
                span = tc.grid_span
                if _cell_text(tc) == MERGE:
                    for t in tc.iter(qn("w:t")):
                        t.text = ""
                    _set_vmerge(tc, "continue")
                    first = top.get(col)
                    if first is not None and first.vMerge is None:
                        _set_vmerge(first, "restart")
                elif tc.vMerge != "continue":
                    top[col] = tc
                col += span
