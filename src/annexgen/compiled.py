"""Compiled templates: each form template read, conformed, patched and compiled once per process (part of render).

docxtpl, for every document it renders, re-reads the template package, re-runs its
regular expressions over the XML and compiles the same Jinja source again; python-docx
then serializes and compresses every part, changed or not. Here that work is done once
per template and process (`compiled`, cached by the file's path, size and time):

- the template is read with docxtpl and python-docx as before, `conform`ed, its
  stylesWithEffects part dropped and a core-properties part ensured, then saved once:
  every part the rendering does not change (styles, theme, settings, fonts, footers
  without tags…) is compressed once and its bytes reused for every annex;
- the body and each header or footer holding tags is patched by docxtpl's own
  `patch_xml` and compiled by Jinja once;
- an annex then costs only: Jinja rendering, docxtpl's post-processing of the result
  (`resolve_listing`, `fix_tables`, the docPr ids) and the merge of grouped cells, on
  the template's own document element, one serialization, and one zip pass.

The bytes are those of rendering with docxtpl and saving with python-docx (tests/reference.py
is that path; `test_compiled` compares the two on every example department-year).
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2 import nodes
from lxml import etree

from . import titles
from .conform import conform
from .merge import MERGE, fix_tables, merge_marked_cells
from .write import CoreProperties, Entry, prepare, zip_bytes

_NEWLINE_BEFORE_P = re.compile(r"<w:p([ >])")
_NEWLINE_P = re.compile(r"\n<w:p([ >])")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl's resolve_listing finds paragraphs
_LISTING = ("\t", "\a", "\n", "\f")  # what docxtpl's resolve_listing turns into tabs, paragraphs, breaks and pages


@dataclass
class _Part:
    """A part rendered per annex: its Jinja template, and how its result becomes the part's bytes."""

    name: str  # in the zip
    template: jinja2.Template
    finish: Callable[[str], bytes]


class CompiledTemplate:
    """One form template, ready to render many annexes (see the module docstring)."""

    def __init__(self, path: Path, env: jinja2.Environment) -> None:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docxtpl import DocxTemplate

        self.path = path
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
        doc = tpl.docx
        conform(doc)
        self.capacity = titles.capacity(doc)
        self._tpl = tpl
        self._core = prepare(doc)
        # the body as it sits in the document (no namespace declarations of its own), between the rest
        whole = etree.tostring(doc.element, encoding="unicode")
        start, end = whole.index("<w:body"), whole.rindex("</w:body>") + len("</w:body>")
        self._prefix, self._suffix = whole[:start], whole[end:]
        self._body = env.from_string(_for_jinja(tpl.patch_xml(whole[start:end])))
        self._document = str(doc.part.partname).lstrip("/")
        parts: list[_Part] = []
        constant: dict[str, bytes] = {}
        sources = [  # (part, its XML for Jinja, how the rendered text becomes its bytes): as docxtpl renders them
            (rel.target_part, tpl.get_part_xml(rel.target_part), self._header_bytes)
            for rel in doc.part.rels.values()
            if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.blob
        ]
        sources += [(p, p.blob.decode("utf-8"), self._text_bytes) for p in doc.part.package.iter_parts() if p.content_type == CT_FOOTNOTES]
        for source_part, xml, finish in sources:
            name = str(source_part.partname).lstrip("/")
            source = _for_jinja(tpl.patch_xml(xml))
            template = env.from_string(source)
            part = _Part(name, template, finish)
            if _constant(env, source):
                constant[name] = part.finish(template.render())
            else:
                parts.append(part)
        self._parts = parts
        buf = BytesIO()
        doc.save(buf)
        with zipfile.ZipFile(buf) as z:
            dynamic = {self._document, self._core, *(p.name for p in parts)}
            self._static = [Entry.deflate(n, constant.get(n) or z.read(n)) for n in z.namelist() if n not in dynamic]
            missing = dynamic - set(z.namelist())
        if missing:  # a part the package does not save (cannot happen for a template python-docx read)
            raise ValueError(f"{path}: parts not saved: {sorted(missing)}")

    def render(self, context: dict[str, Any], properties: CoreProperties) -> bytes:
        """The annex's .docx bytes: `context` filled in, grouped cells merged, these document properties.

        Jinja's errors reach the caller as they are (render.py says them in Chinese).
        """
        titles.fit_lines(context, self.capacity)
        text = self._finish(self._body.render(context))
        root = etree.fromstring(self._prefix + text + self._suffix, _PARSER)
        body = root.find(_BODY)
        fix_tables(body)
        for n, el in enumerate(body.iter(_DOC_PR), 1001):  # docxtpl's fix_docpr_ids
            el.attrib["id"] = str(n)
        if MERGE in text:
            merge_marked_cells(body)
        entries = [Entry.deflate(p.name, p.finish(p.template.render(context))) for p in self._parts]
        entries.append(Entry.deflate(self._document, etree.tostring(root, encoding="UTF-8", standalone=True)))
        entries.append(Entry.deflate(self._core, properties.xml()))
        return zip_bytes([*self._static, *entries])

    def _finish(self, xml: str) -> str:
        """docxtpl's render_xml_part after Jinja: newlines it added removed, escaped braces, listings."""
        xml = _NEWLINE_P.sub(r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in _LISTING):
            xml = _PARAGRAPH.sub(self._listing, xml)
        return xml

    def _listing(self, m: re.Match) -> str:
        """docxtpl's resolve_listing, for one paragraph of its match: run only where there is something to resolve."""
        text = m.group(0)
        return self._tpl.resolve_listing(text) if any(c in text for c in _LISTING) else text

    def _text_bytes(self, xml: str) -> bytes:
        """A rendered footnotes part: python-docx keeps it as bytes (docxtpl's render_footnotes, done once)."""
        return self._finish(xml).encode("utf-8")

    def _header_bytes(self, xml: str) -> bytes:
        """A rendered header or footer as python-docx saves it (parsed, then serialized standalone)."""
        from docx.oxml.parser import parse_xml

        return etree.tostring(parse_xml(self._finish(xml).encode("utf-8")), encoding="UTF-8", standalone=True)


CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_BODY = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body"
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PARSER = etree.XMLParser(recover=True)  # as docxtpl's fix_tables parses the rendered body


def _for_jinja(xml: str) -> str:
    """docxtpl's render_xml_part before Jinja: each paragraph on its own line (for error line numbers)."""
    return _NEWLINE_BEFORE_P.sub(r"\n<w:p\1", xml)


def _constant(env: jinja2.Environment, source: str) -> bool:
    """Whether a template's output is always the same: nothing in it but text."""
    return all(
        isinstance(node, nodes.Output) and all(isinstance(child, nodes.TemplateData) for child in node.nodes) for node in env.parse(source).body
    )


_CACHE: dict[tuple[str, int, int, int], CompiledTemplate] = {}
_CACHE_LOCK = threading.Lock()


def compiled(path: Path, env: jinja2.Environment) -> CompiledTemplate:
    """The compiled template at `path`: made once per process while the file stays the same."""
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns, id(env))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = CompiledTemplate(path, env)
        return found
