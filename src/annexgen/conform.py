"""Conform: a template's XML spelled the way Word's own validator expects, before it is rendered.

Word, WPS and LibreOffice each save a template a little differently. Where
another writer uses a spelling the Open XML SDK rejects (and Word would offer
to repair), it is put right here, once, on the template as read: every
annex built from it inherits a valid form, and `annexgen forms check` audits
the template as the build will use it.

- LibreOffice writes `<w:cantSplit w:val="true"/>`. A handful of elements
  (CT_OnOffOnly in the schema: cantSplit, tblHeader, hideMark, noWrap, the
  style flags qFormat/semiHidden/unhideWhenUsed …) accept only "on" and "off",
  where every other on/off property also accepts true/false/1/0.
"""

from __future__ import annotations

from docx.oxml.ns import qn

#: the elements whose w:val is ST_OnOffOnly ("on" | "off") in the WordprocessingML schema
ON_OFF_ONLY = (
    "autoRedefine", "bidiVisual", "cantSplit", "flatBorders", "hidden", "hideMark", "linkedToFile", "locked",
    "noBorder", "noResizeAllowed", "noWrap", "personal", "personalCompose", "personalReply", "qFormat",
    "semiHidden", "tblHeader", "tcFitText", "unhideWhenUsed",
)  # fmt: skip
_SPELLING = {"true": "on", "1": "on", "false": "off", "0": "off"}


def content_roots(doc) -> list:
    """The XML of the document's body, headers and footers: where its text and tables are."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    parts = [rel.target_part.element for rel in doc.part.rels.values() if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)]
    return [doc.element, *parts]


def conform(doc) -> None:
    """Respell what other writers spell differently, in the body, headers, footers and styles."""
    tags = [qn(f"w:{name}") for name in ON_OFF_ONLY]
    val = qn("w:val")
    for root in (*content_roots(doc), doc.styles.element):
        for el in root.iter(*tags):
            spelled = _SPELLING.get(el.get(val, "").strip().lower())
            if spelled:
                el.set(val, spelled)
