"""Trim a python-docx document to what a form-set template needs, before make_templates.py saves it.

python-docx starts every document from its own default template, which carries
a page thumbnail, a customXml item, a numbering part, 174 styles (Heading 1…9,
List Bullet, 90 table looks…) and a stylesWithEffects.xml copy of them. A
template built from it keeps only:

- the styles its paragraphs, runs and tables use, the defaults of each kind, and
  whatever those are based on, linked to or followed by;
- the latent-style list (w:latentStyles) as it is: it describes Word's built-in
  styles whether or not they are defined in the file, so Word's style gallery
  still offers 标题 1 and the rest, and creates them when a clerk uses one;
- numbering only when a kept style or paragraph numbers its lines (none do).

stylesWithEffects.xml is dropped by annexgen.write.docx_bytes, for templates
and built annexes alike. The East Asian language of the document defaults is
set to zh-CN, so Word and WPS apply Chinese line-breaking rules (no line starts
with "，" or "。").
"""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from annexgen.conform import content_roots

STYLE_REFS = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink")
DROPPED = (RT.THUMBNAIL, RT.CUSTOM_XML)


def trim(doc) -> None:
    """Remove the parts and styles the template does not use (see the module docstring)."""
    package = doc.part.package
    for owner in (package, doc.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in DROPPED:
                owner.rels.pop(rid)
    styles = doc.styles.element
    keep = _used_styles(doc)
    for style in list(styles.iterchildren(qn("w:style"))):
        if style.get(qn("w:styleId")) not in keep:
            styles.remove(style)
    if not any(any(xml.iter(qn("w:numPr"))) for xml in [*content_roots(doc), styles]):
        for rid, rel in list(doc.part.rels.items()):
            if rel.reltype == RT.NUMBERING:
                doc.part.rels.pop(rid)
    lang = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _used_styles(doc) -> set[str]:
    """Style ids referred to anywhere, the defaults, and everything they are based on, link or lead to."""
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.iterchildren(qn("w:style"))}
    wanted = {s.get(qn("w:styleId")) for s in by_id.values() if s.get(qn("w:default")) in ("1", "true", "on")}
    for xml in content_roots(doc):
        for tag in STYLE_REFS:
            wanted.update(el.get(qn("w:val")) for el in xml.iter(qn(tag)))
    keep: set[str] = set()
    while wanted:
        sid = wanted.pop()
        if sid in keep or sid not in by_id:
            continue
        keep.add(sid)
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = by_id[sid].find(qn(tag))
            if ref is not None:
                wanted.add(ref.get(qn("w:val")))
    return keep
