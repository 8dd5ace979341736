"""The layout library every form set's generator builds on: page, styles, tables, common blocks.

Layout follows GB/T 9704-2012 (DOMAIN.md): A4, margins 37/35/28/26 mm, body
仿宋_GB2312 3号, titles 方正小标宋简体 2号, headings 黑体 / 楷体_GB2312, page numbers
"— 1 —" in 4号 宋体 on the outer side. Tables are set in 五号 仿宋 with full
borders; rows never split across pages.
"""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
TEXT_WIDTH_MM = 156
CELL_MARGIN_TWIPS = 57  # 1 mm


# --- document, styles, page ----------------------------------------------------------


def _fonts(rpr_owner, name: str, size: float, bold: bool = False) -> None:
    """Set the Latin and the east-Asian font, so Word and WPS pick the Chinese face by name."""
    font = rpr_owner.font
    font.name = name
    font.size = Pt(size)
    font.bold = bold
    rfonts = rpr_owner.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _style(doc, name: str, font: str, size: float, align=None, indent_chars: int = 0, spacing: float | None = None, bold: bool = False):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = None
    _fonts(style, font, size, bold)
    pf = style.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if spacing:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(spacing)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align is not None:
        pf.alignment = align
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
    return style


def new_document():
    """A blank A4 document with the GB/T 9704 page, styles and page-number footers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    # 28.95 pt exact spacing gives the standard's 22 lines on a 225 mm text block
    _style(doc, "Normal", FANGSONG, 16, spacing=28.95)
    _style(doc, "附件标签", HEITI, 16, WD_ALIGN_PARAGRAPH.LEFT, spacing=28.95)
    _style(doc, "公文标题", XIAOBIAOSONG, 22, WD_ALIGN_PARAGRAPH.CENTER, spacing=36)
    _style(doc, "正文", FANGSONG, 16, WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2, spacing=28.95)
    _style(doc, "一级标题", HEITI, 16, WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2, spacing=28.95)
    _style(doc, "二级标题", KAITI, 16, WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2, spacing=28.95)
    _style(doc, "封面", FANGSONG, 16, WD_ALIGN_PARAGRAPH.CENTER, spacing=28.95)
    _style(doc, "封面空行", FANGSONG, 12, WD_ALIGN_PARAGRAPH.CENTER, spacing=15)  # 30 of them fit above the cover lines
    _style(doc, "表格文字", FANGSONG, 10.5, WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "表格正文", FANGSONG, 10.5, WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, "表下文字", FANGSONG, 12, WD_ALIGN_PARAGRAPH.LEFT, spacing=20)
    _page_numbers(doc, section)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # python-docx's default template has none, but be sure
        body.remove(p)
    return doc


def _page_field(paragraph) -> None:
    """"— PAGE —" with the number as a field, 4号 宋体."""
    for text in ("— ", None, " —"):
        run = paragraph.add_run()
        _fonts(run, SONGTI, 14)
        if text is not None:
            run.text = text
            continue
        for kind, instr in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                run._r.append(fld)
            else:
                it = OxmlElement("w:instrText")
                it.set(qn("xml:space"), "preserve")
                it.text = f" {instr} "
                run._r.append(it)


def _page_numbers(doc, section) -> None:
    """Odd pages right, even pages left, one character in from the edge (GB/T 9704 7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
        p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        _page_field(p)


def para(doc, text: str = "", style: str = "Normal"):
    return doc.add_paragraph(text, style=style)


# --- tables ----------------------------------------------------------------------------


class Grid:
    """A table laid out on a fixed grid of columns; rows are lists of (text, span) cells."""

    def __init__(self, doc, widths_mm: list[float]) -> None:
        assert abs(sum(widths_mm) - TEXT_WIDTH_MM) < 0.01, sum(widths_mm)
        self.doc = doc
        self.widths = widths_mm
        self.table = doc.add_table(rows=0, cols=len(widths_mm))
        self.table.style = doc.styles["Table Grid"]
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/> in its schema place
        # 1 mm left and right inside each cell (Word's default is 1.9 mm): "102.59%" fits a 20 mm column
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        self.table._tbl.tblPr.find(qn("w:tblLayout")).addnext(margins)  # schema order: … tblLayout, tblCellMar, tblLook
        for col, w in zip(self.table.columns, widths_mm):
            col.width = Mm(w)

    def row(self, *cells, style: str = "表格文字"):
        """Add a row: each cell is text (span 1) or (text, span); text lines become paragraphs."""
        row = self.table.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        col = 0
        for cell in cells:
            text, span = (cell, 1) if isinstance(cell, str) else cell
            first = row.cells[col]
            if span > 1:
                first = first.merge(row.cells[col + span - 1])
            first.width = Mm(sum(self.widths[col : col + span]))
            first.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = text.split("\n")
            first.paragraphs[0].text = lines[0]
            first.paragraphs[0].style = self.doc.styles[style]
            for line in lines[1:]:
                first.add_paragraph(line, style=style)
            col += span
        assert col == len(self.widths), (cells, col)
        return row

    def tag_row(self, tag: str):
        """A row holding only a docxtpl row tag ({%tr for … %} / {%tr endfor %})."""
        return self.row((tag, len(self.widths)))

    def vmerge(self, col: int, first_row: int, last_row: int) -> None:
        """Merge grid column `col` from row `first_row` to `last_row` (indexes into the table's rows)."""
        top = self.table.rows[first_row].cells[col]
        bottom = self.table.rows[last_row].cells[col]
        keep = top.text
        merged = top.merge(bottom)
        # python-docx concatenates the merged cells' paragraphs: keep the top cell's only
        for p in merged.paragraphs[len(keep.split("\n")) :]:
            p._p.getparent().remove(p._p)


SIGNATURE = "填表人：{{ 填表人 }} 填报日期：{{ 填报日期 }}  联系电话：{{ 联系电话 }}  单位负责人签字：{{ 单位负责人 }}"


def title_lines(doc) -> None:
    """The title, one paragraph per line of 标题行."""
    para(doc, "{%p for 行 in 标题行 %}", "公文标题")
    para(doc, "{{ 行 }}", "公文标题")
    para(doc, "{%p endfor %}", "公文标题")


def title_block(doc) -> None:
    """The 附件N label flush left, then the title."""
    para(doc, "附件{{ 附件号 }}", "附件标签")
    title_lines(doc)


def notes(doc) -> None:
    para(doc, "{%p for 注 in 表注 %}", "表下文字")
    para(doc, "{{ 注 }}", "表下文字")
    para(doc, "{%p endfor %}", "表下文字")


def table_foot(doc, gap: bool = False) -> None:
    """Under a 汨罗 table: an empty paragraph, the notes, (an empty paragraph,) the signature line.

    The signature line is printed only when 部门.yaml has 签字 (its fields may be blank, to fill in by hand).
    """
    para(doc)
    notes(doc)
    para(doc, "{%p if 签字 %}", "表下文字")
    if gap:
        para(doc)
    para(doc, SIGNATURE, "表下文字")
    para(doc, "{%p endif %}", "表下文字")


def body(doc) -> None:
    """The report body: one paragraph per block, styled by its level."""
    para(doc, "{%p for 段 in 正文 %}", "正文")
    para(doc, "{%p if 段.级别 == 1 %}", "一级标题")
    para(doc, "{{ 段.文字 }}", "一级标题")
    para(doc, "{%p elif 段.级别 == 2 %}", "二级标题")
    para(doc, "{{ 段.文字 }}", "二级标题")
    para(doc, "{%p else %}", "正文")
    para(doc, "{{ 段.文字 }}", "正文")
    para(doc, "{%p endif %}", "正文")
    para(doc, "{%p endfor %}", "正文")


def page_break_before(paragraph) -> None:
    paragraph.paragraph_format.page_break_before = True


def tick(path: str, yes: str = "是", no: str = "否", between: str = "     ") -> str:
    """A 是☑/否□ pair: the marks come from a true/false answer in the data."""
    return f"{yes}{{{{ {path}.是 }}}}{between}{no}{{{{ {path}.否 }}}}"
