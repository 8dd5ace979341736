"""Validity: whether Microsoft Word opens a .docx without offering to repair it.

LibreOffice and WPS open almost anything; Word does not, and we cannot run Word
here. openxml-audit, a Python port of the Open XML SDK's validator (the one
Microsoft's own tools use), checks every part of a package against the schema
and the relationships between parts. `audit` runs it and returns each finding
with the part, the element and the place inside the part.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree


@dataclass(frozen=True)
class Invalid:
    """One thing Word would repair: in which part, at which element, what."""

    severity: str  # "error" | "warning"
    part: str  # "word/document.xml"
    path: str  # "/document[1]/body[1]/tbl[1]/tblPr[1]", as the validator gives it
    node: str  # the element or attribute the finding is about ("tblStyle", "id")
    message: str  # the validator's own words (English)

    def text(self) -> str:
        return f"{self.part} {self.path} “{self.node}”: {self.message}"


@cache
def _validator():
    from openxml_audit import OpenXmlValidator

    return OpenXmlValidator(max_errors=0)


def audit(path: Path) -> list[Invalid]:
    """Every error and warning the Open XML SDK's rules find in the .docx at `path`."""
    result = _validator().validate(path)
    return [Invalid(e.severity.name.lower(), (e.part_uri or "").lstrip("/"), e.path or "", e.node or "", e.description) for e in result.errors]


_STEP = re.compile(r"([^/\[\]]+)\[(\d+)\]")


def element_at(docx: Path, finding: Invalid):
    """The XML element a finding is about (the node itself where the path names its parent), or None."""
    if not finding.part.endswith(".xml") or not finding.path.startswith("/"):
        return None
    try:
        with zipfile.ZipFile(docx) as z:
            data = z.read(finding.part)
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        here = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    steps = _STEP.findall(finding.path)
    if not steps or etree.QName(here).localname != steps[0][0]:
        return None
    for name, index in steps[1:]:
        same = [c for c in here if isinstance(c.tag, str) and etree.QName(c).localname == name]
        if len(same) < int(index):
            return None
        here = same[int(index) - 1]
    child = next((c for c in here if isinstance(c.tag, str) and etree.QName(c).localname == finding.node), None)
    return child if child is not None else here


def place(el) -> str:
    """Where an element of document.xml is, as a clerk finds it in Word: '第12段', '表格1 第3行第2格', '表格1'."""
    body = next(el.iterancestors(qn("w:body")), None)
    if body is None:
        return ""
    chain = [el, *el.iterancestors()]
    tc = next((a for a in chain if a.tag == qn("w:tc")), None)
    tr = next((a for a in chain if a.tag == qn("w:tr")), None)
    tbl = next((a for a in chain if a.tag == qn("w:tbl")), None)
    if tbl is not None:
        where = f"表格{list(body.iter(qn('w:tbl'))).index(tbl) + 1}"
        if tr is not None:
            where += f" 第{list(tbl.iterchildren(qn('w:tr'))).index(tr) + 1}行"
            if tc is not None:
                where += f"第{list(tr.iterchildren(qn('w:tc'))).index(tc) + 1}格"
        return where
    p = next((a for a in chain if a.tag == qn("w:p") and a.getparent() is body), None)
    if p is not None:
        return f"第{list(body.iterchildren(qn('w:p'))).index(p) + 1}段"
    return "页面设置" if any(a.tag == qn("w:sectPr") for a in chain) else ""


def template_findings(template: Path) -> list[tuple[str, str]]:
    """(where, message) for each thing Word would repair in a file built from this template.

    The template is audited as the build uses it: conformed (`conform`). A
    template python-docx cannot even open (a relationship to a missing part) is
    audited as it is.
    """
    import tempfile

    from docx import Document

    from .conform import conform

    findings = audit(template)
    if not findings:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        audited = template
        try:
            doc = Document(str(template))
            conform(doc)
            audited = Path(tmp) / template.name
            doc.save(str(audited))
            findings = audit(audited)
        except Exception:  # noqa: BLE001 — python-docx cannot open it: report the file as it is
            pass
        out: list[tuple[str, str]] = []
        for f in findings:
            el = element_at(audited, f)
            where = " ".join(x for x in (f.part, place(el) if el is not None else "") if x)
            out.append((where, f"<{f.node}> 不符合 Word 文件格式（{f.message}）：Word 打开用它生成的文件时会提示修复。"
                        "请撤销对模板的这处改动，或用 Word 打开模板“另存为”.docx 后再运行 annexgen forms check"))
        out = list(dict.fromkeys(out))  # the validator can name one fault twice
        return out
