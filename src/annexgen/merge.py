"""Tables after rendering (part of render): grouped cells merged, each grid fitted to its rows.

A cell whose text is `MERGE` joins the cell above it in its grid column, so
一级指标 and 二级指标 span exactly their own group's rows whatever the template's columns.
`fix_tables` is docxtpl's grid repair, done here on the element the build already parsed.
"""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import qn
from lxml import etree

#: the text of a table cell that continues the vertical merge of the cell above it
MERGE = "\ue000"


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BEFORE_V_MERGE = (qn("w:tcW"), qn("w:gridSpan"), qn("w:hMerge"))
_T, _TBL, _TR, _TC, _TC_PR, _GRID_SPAN, _V_MERGE, _VAL, _TBL_GRID, _GRID_COL, _WIDTH = (
    qn(f"w:{n}") for n in ("t", "tbl", "tr", "tc", "tcPr", "gridSpan", "vMerge", "val", "tblGrid", "gridCol", "w")
)


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(_T))


def _props(tc):
    """(grid span, vMerge value) as python-docx reads them (1 and None when absent, "continue" for a bare vMerge)."""
    pr = next(tc.iterchildren(_TC_PR), None)  # iterchildren, not find: lxml's find parses its path in Python
    if pr is None:
        return 1, None
    span, merge = next(pr.iterchildren(_GRID_SPAN), None), next(pr.iterchildren(_V_MERGE), None)
    return (1 if span is None else int(span.get(_VAL))), (None if merge is None else merge.get(_VAL, "continue"))


def _set_vmerge(tc, value: str) -> None:
    """Give the cell a w:vMerge (restart or continue), where the schema puts it; as python-docx would add it."""
    tc_pr = next(tc.iterchildren(_TC_PR), None)
    if tc_pr is None:
        tc_pr = etree.Element(_TC_PR, nsmap={"w": _W})
        tc.insert(0, tc_pr)  # tcPr always comes first in a cell
    old = next(tc_pr.iterchildren(_V_MERGE), None)
    if old is not None:
        tc_pr.remove(old)
    el = etree.Element(_V_MERGE, nsmap={"w": _W})
    if value == "restart":
        el.set(_VAL, "restart")
    # schema order in tcPr: tcW, gridSpan, hMerge, vMerge, … — insert after the last of the first three
    anchor = None
    for tag in _BEFORE_V_MERGE:
        found = next(tc_pr.iterchildren(tag), None)
        if found is not None:
            anchor = found
    if anchor is None:
        tc_pr.insert(0, el)
    else:
        anchor.addnext(el)


def merge_marked_cells(body) -> None:
    """Join every cell whose text is `MERGE` to the nearest unmarked cell above it in its grid column.

    `body` is a w:body element; plain lxml is enough (python-docx's element classes are not needed, and slow here).
    """
    for tbl in body.iter(_TBL):
        top: dict[int, Any] = {}
        for tr in tbl.iterchildren(_TR):
            col = 0
            for tc in tr.iterchildren(_TC):
                span, merge = _props(tc)
                if _cell_text(tc) == MERGE:
                    for t in tc.iter(_T):
                        t.text = ""
                    _set_vmerge(tc, "continue")
                    first = top.get(col)
                    if first is not None and _props(first)[1] is None:
                        _set_vmerge(first, "restart")
                elif merge != "continue":
                    top[col] = tc
                col += span


def fix_tables(body) -> None:
    """docxtpl's `DocxTemplate.fix_tables`, on the parsed body: the same grid columns added or removed.

    A `{% for %}` over cells can leave a row with more cells than the table's grid has
    columns, or a grid wider than its rows: the grid is widened or narrowed, keeping the
    table's width. The same arithmetic as docxtpl's, counting cells without its per-cell
    Python calls (tests/reference.py runs docxtpl's own, and the bytes are compared).
    """
    for t in body.iter(_TBL):
        grid = t.find(_TBL_GRID)
        columns = grid.findall(_GRID_COL)
        rows = list(t.iter(_TR))  # as docxtpl: a nested table's rows count for the outer one too
        cells = [list(r.iterchildren(_TC)) for r in rows]
        to_add = max([len(c) - len(columns) for c in cells] + [0])
        if to_add > 0:
            width = sum(float(c.get(_WIDTH)) for c in columns if c.get(_WIDTH) is not None)
            if width > 0:
                old_average = width / len(columns)
                new_average = width / (len(columns) + to_add)
                for c in columns:
                    c.set(_WIDTH, str(int(float(c.get(_WIDTH)) * new_average / old_average)))
                for _ in range(to_add):
                    etree.SubElement(grid, _GRID_COL, {_WIDTH: str(int(new_average))})
        columns = grid.findall(_GRID_COL)
        widest = max([sum(_span(tc) for tc in row) for row in cells] + [0])
        to_remove = len(columns) - widest
        if to_remove > 0:
            removed = 0.0
            for c in columns[-to_remove:]:
                removed += float(c.get(_WIDTH))
                grid.remove(c)
            left = grid.findall(_GRID_COL)
            extra = int(removed / len(left)) if left else 0
            for c in left:
                c.set(_WIDTH, str(int(float(c.get(_WIDTH)) + extra)))


def _span(tc) -> int:
    """A cell's grid span as docxtpl reads it: the first tcPr's first gridSpan."""
    pr = next(tc.iterchildren(_TC_PR), None)
    span = None if pr is None else next(pr.iterchildren(_GRID_SPAN), None)
    return 1 if span is None else int(span.get(_VAL))
