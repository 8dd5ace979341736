"""The reference rendering: docxtpl and python-docx as they are, one template read per annex.

This is how annexgen rendered before templates were compiled once per process
(src/annexgen/compiled.py). `test_compiled` holds the two to the same bytes, so the fast
path stays what docxtpl would make of the same template and context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from annexgen import titles
from annexgen.conform import conform
from annexgen.merge import merge_marked_cells
from annexgen.render import _ENV
from annexgen.write import CoreProperties, docx_bytes


def render(template: Path, context: dict[str, Any], props: CoreProperties) -> bytes:
    """One annex with docxtpl: read the template, conform it, fit the title, render, merge, save."""
    tpl = DocxTemplate(str(template))
    tpl.init_docx()
    conform(tpl.docx)
    titles.fit_lines(context, titles.capacity(tpl.docx))
    tpl.render(context, jinja_env=_ENV, autoescape=True)
    merge_marked_cells(tpl.docx.element.body)
    return docx_bytes(tpl.docx, props)
