"""Generate the built-in form sets: templates/汨罗/*.docx and templates/隆回/*.docx (docxtpl templates).

    python3 scripts/make_templates.py

The committed .docx files are what `annexgen build` reads; this script is how
they were made, and the starting point when a county's layout is built anew.
A user may open the .docx in Word, WPS or LibreOffice, restyle it and save it:
the Jinja tags ({{ … }}, {%tr … %}, {%p … %}) are plain text in the cells and
paragraphs.

Layout follows GB/T 9704-2012 (DOMAIN.md): A4, margins 37/35/28/26 mm, body
仿宋_GB2312 3号, titles 方正小标宋简体 2号, headings 黑体 / 楷体_GB2312, page numbers
"— 1 —" in 4号 宋体 on the outer side. Tables are set in 五号 仿宋 with full
borders; rows never split across pages. No row repeats at the top of a page:
none of these tables opens with a header of the columns below it (the first
row names the department or project).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates"

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


# --- the annexes ---------------------------------------------------------------------------


MILUO_MONEY_ROWS = [
    ("“三公”经费", "三公经费"),
    ("1、公务用车购置和维护经费", "公务用车购置和维护经费"),
    ("其中：公车购置", "公车购置"),
    ("     公车运行维护", "公车运行维护"),
    ("2、出国经费", "出国经费"),
    ("3、公务接待", "公务接待"),
    ("项目支出：", "项目支出"),
    ("1、业务工作经费", "业务工作经费"),
    ("2、运行维护经费", "运行维护经费"),
    ("3、县级专项资金", "县级专项资金"),
    ("{专项}", None),
    ("公用经费", "公用经费"),
    ("其中：办公经费", "办公经费"),
    ("   水费、电费、差旅费", "水费电费差旅费"),
    ("会议费、培训费", "会议费培训费"),
    ("政府采购金额", "政府采购金额"),
    ("部门基本支出预算调整", "部门基本支出预算调整"),
]

LONGHUI_MONEY_ROWS = [
    ("三公经费：", "三公经费"),
    ("1、 公务用车购置和维护经费", "公务用车购置和维护经费"),
    ("其中：公车购置", "公车购置"),
    ("公车运行维护", "公车运行维护"),
    ("2、出国经费", "出国经费"),
    ("3、公务接待费", "公务接待"),
    ("县级专项资金：", "项目支出"),
    ("1、业务工作经费", "业务工作经费"),
    ("2、运行维护经费", "运行维护经费"),
    ("......", ""),
    ("3、县级专项资金（每个专项一行）", "县级专项资金"),
    ("{专项}", None),
    ("......", ""),
    ("公用经费", "公用经费"),
    ("其中：办公经费", "办公经费"),
    ("水费、电费、差旅费", "水费电费差旅费"),
    ("会议费、培训费", "会议费培训费"),
    ("政府采购金额", "政府采购金额"),
    ("部门基本支出预算调整", "部门基本支出预算调整"),
]


def basic_data_table(doc, money_rows, wording: dict[str, str]) -> None:
    """The 基础数据表 grid: staffing, the money rows (a placeholder row has key ""), 楼堂馆所, 厉行节约."""
    g = Grid(doc, [40, 19.33, 19.33, 19.34, 19.33, 19.33, 19.34])
    if wording.get("单位名称"):
        g.row(wording["单位名称"], ("{{ 部门名称 }}", 6))
    g.row(wording["人员"], ("编制数", 2), ("{{ 在职人数年 }}年实际在职\n人数", 2), ("控制率", 2))
    g.row("", ("{{ 人员.编制数 }}", 2), ("{{ 人员.实际在职人数 }}", 2), ("{{ 人员.控制率 }}", 2))
    g.vmerge(0, len(g.table.rows) - 2, len(g.table.rows) - 1)
    g.row(wording["经费"], ("{{ 列[0] }}", 2), ("{{ 列[1] }}", 2), ("{{ 列[2] }}", 2))
    for label, key in money_rows:
        if key is None:
            g.tag_row("{%tr for 专项 in 专项明细 %}")
            g.row("{{ 专项.名称 }}", *((f"{{{{ 专项.金额[{c}] }}}}", 2) for c in range(3)))
            g.tag_row("{%tr endfor %}")
        elif key == "":
            g.row(label, ("", 2), ("", 2), ("", 2))
        else:
            g.row(label, *((f"{{{{ 经费.{key}[{c}] }}}}", 2) for c in range(3)))
    start = len(g.table.rows)
    g.row(wording["楼堂馆所"], *wording["楼堂馆所列"])
    g.row("", *(f"{{{{ 楼堂馆所.{k} }}}}" for k in ("批复规模", "实际规模", "规模控制率", "预算投资", "实际投资", "投资概算控制率")))
    g.vmerge(0, start, start + 1)
    g.row(wording["节约"], ("{{ 厉行节约保障措施 }}", 6))


def basic_data() -> object:
    """汨罗 附件1 部门整体支出绩效评价基础数据表."""
    doc = new_document()
    title_block(doc)
    para(doc)
    basic_data_table(
        doc,
        MILUO_MONEY_ROWS,
        {
            "人员": "财政供养人员情况(人)",
            "经费": "经费控制情况(万元)",
            "楼堂馆所": "\n楼堂馆所控制情况\n({{ 楼堂馆所年 }}年完工项目)",
            "楼堂馆所列": ("批复规模 (m²)", "实际规模(m²)", "规模控制率", "预算投资\n(万元)", "实际投资 (万元)", "投资概算控制率"),
            "节约": "厉行节约保障措施",
        },
    )
    table_foot(doc)
    return doc


def longhui_basic_data() -> object:
    """隆回 部门整体支出绩效评价基础数据表 (附在附件3 自评报告之后，不印附件号)."""
    doc = new_document()
    title_lines(doc)
    basic_data_table(
        doc,
        LONGHUI_MONEY_ROWS,
        {
            "单位名称": "单位名称",
            "人员": "财政供养人员情况",
            "经费": "经费控制情况（万元）",
            "楼堂馆所": "楼堂馆所控制情况 （{{ 楼堂馆所年 }}年完工项目）",
            "楼堂馆所列": ("批复规模（㎡）", "实际规模（㎡）", "规模控制率", "预算投资（万元）", "实际投资（万元）", "投资概算控制率"),
            "节约": "例行节约保障措施",
        },
    )
    para(doc)
    para(doc)
    notes(doc)
    return doc


# the nine columns of the indicator block; the 8th holds 执行率, wide enough for "102.59%" on one line
FUND_WIDTHS = [10, 16, 16, 24, 20, 20, 12, 20, 18]


def indicator_block(g: Grid, label: str, deviation: str, total_row=None, blank_row=None) -> None:
    """The 绩效指标 header row, one row per 三级指标 (grouped cells merged by the renderer), 总分.

    `blank_row` is the shape of a 其后空行 row where the form prints one differently (隆回: three
    merged cells and one wide blank); otherwise a blank row has the nine cells of any other.
    """
    keys = ("续", "一级", "二级", "三级", "年度指标值", "实际完成值", "分值", "得分", "偏差")
    g.row(label, "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", deviation)
    g.tag_row("{%tr for 行 in 指标行 %}")
    if blank_row:
        g.tag_row("{%tr if 行.空行 %}")
        g.row(*blank_row)
        g.tag_row("{%tr else %}")
    g.row(*(f"{{{{ 行.{k} }}}}" for k in keys))
    if blank_row:
        g.tag_row("{%tr endif %}")
    g.tag_row("{%tr endfor %}")
    g.row(*(total_row or (("总分", 6), "{{ 总分.分值 }}", "{{ 总分.得分 }}", "")))


def fund_row(g: Grid, name: str, key: str) -> None:
    g.row("", (name, 2), *(f"{{{{ 资金.{key}.{k} }}}}" for k in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")))


def overall_table_grid(doc, w: dict) -> None:
    """The 部门整体支出绩效自评表 grid, in a county's wording `w`."""
    g = Grid(doc, FUND_WIDTHS)
    g.row((w["部门"], 2), ("{{ 部门名称 }}", 7))  # the label over two columns: 预算部门 on one line, not one character a line
    g.row(w["预算"], ("", 2), *w["列"], "分值", "执行率", "得分")
    fund_row(g, "年度资金总额", "年度资金总额")
    g.row("", ("按收入性质分：", 4), ("按支出性质分：", 4))
    pairs = [
        (w["一般公共预算"] + "{{ 收入.一般公共预算 }}", "其中：基本支出：{{ 支出.基本支出 }}"),
        ("政府性基金拨款：{{ 收入.政府性基金拨款 }}", w["项目支出"] + "{{ 支出.项目支出 }}"),
        ("纳入专户管理的非税收入拨款：{{ 收入.纳入专户管理的非税收入拨款 }}", ""),
        ("其他资金：{{ 收入.其他资金 }}", ""),
    ]
    for left, right in pairs:
        g.row("", (left, 4), (right, 4), style="表格正文")
    g.vmerge(0, 1, len(g.table.rows) - 1)
    goals(g, w["目标"])
    indicator_block(g, w["绩效指标"], w["偏差"], w.get("总分行"), w.get("空行"))


def overall_table() -> object:
    """汨罗 附件2 部门整体支出绩效自评表."""
    doc = new_document()
    title_block(doc)
    para(doc)
    overall_table_grid(
        doc,
        {
            "部门": "预算部门\n名称",
            "预算": "\n年度预算申请(万元)",
            "列": ("年初\n预算数", "全年\n预算数", "全年\n执行数"),
            "一般公共预算": "其中：一般公共预算：",
            "项目支出": "项目支出：",
            "目标": "年度总体 目标",
            "绩效指标": "\n绩效指标\n\n",
            "偏差": "偏差原因\n分析及\n改进措施",
        },
    )
    table_foot(doc)
    return doc


def longhui_overall_table() -> object:
    """隆回 附件4-2 部门整体支出绩效自评表."""
    doc = new_document()
    title_block(doc)
    overall_table_grid(
        doc,
        {
            "部门": "预算单位名称",
            "预算": "年度预\n算申请\n（万元）",
            "列": ("年初预算数", "全年预算数", "全年执行数"),
            "一般公共预算": "其中：  一般公共预算：",
            "项目支出": "县级专项资金：",
            "目标": "年度总体目标",
            "绩效指标": "绩\n效\n指\n标",
            "偏差": "偏差原因分析及改进措施",
            "总分行": (("总分", 6), "{{ 总分.分值 }}", ("{{ 总分.得分 }}", 2)),
            "空行": ("{{ 行.续 }}", "{{ 行.一级 }}", "{{ 行.二级 }}", ("", 6)),
        },
    )
    notes(doc)
    return doc


def goals(g: Grid, label: str) -> None:
    start = len(g.table.rows)
    g.row(label, ("预期目标", 4), ("实际完成情况", 4))
    g.row("", ("{{ 目标.预期目标 }}", 4), ("{{ 目标.实际完成情况 }}", 4), style="表格正文")
    g.vmerge(0, start, start + 1)


def project_table() -> object:
    """附件3-N 项目支出绩效自评表."""
    doc = new_document()
    title_block(doc)
    para(doc)
    g = Grid(doc, FUND_WIDTHS)
    g.row(("项目支出名称", 2), ("{{ 项目名称 }}", 7))
    g.row(("主管部门", 2), ("{{ 主管部门 }}", 3), "实施\n单位", ("{{ 实施单位 }}", 3))
    start = len(g.table.rows)
    g.row("项目资金 (万元)", ("", 2), "年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分")
    fund_row(g, "年度资金总额", "年度资金总额")
    fund_row(g, "其中：当年财政拨款", "当年财政拨款")
    fund_row(g, "上年结转资金", "上年结转资金")
    fund_row(g, "其他资金", "其他资金")
    g.vmerge(0, start, len(g.table.rows) - 1)
    goals(g, "年度总体目标")
    indicator_block(g, "\n绩效指标", "偏差原因分析及改进措施")
    table_foot(doc, gap=True)
    return doc


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


def overall_report() -> object:
    """附件4 部门整体支出绩效自评报告: cover, body, attachment list."""
    doc = new_document()
    para(doc, "附件{{ 附件号 }}", "附件标签")
    para(doc, "{%p if 封面 %}", "公文标题")
    para(doc, "", "公文标题")
    para(doc, "", "公文标题")
    title_lines(doc)
    for _ in range(11):
        para(doc, "", "封面")
    para(doc, "部门名称：{{ 封面.部门名称 }}", "封面")
    para(doc, "{{ 封面.日期 }}", "封面")
    para(doc, "（此页为封面）", "封面")
    page_break_before(para(doc))
    for _ in range(3):
        para(doc)
    para(doc, "{%p else %}", "公文标题")
    title_lines(doc)
    para(doc)
    para(doc, "{%p endif %}", "公文标题")
    body(doc)
    para(doc, "{%p if 附件清单 %}")
    for _ in range(4):
        para(doc)
    para(doc, "{%p for 附 in 附件清单 %}", "正文")
    para(doc, "{% if loop.first %}附件：{% endif %}{{ loop.index }}.{{ 附 }}", "正文")
    para(doc, "{%p endfor %}", "正文")
    para(doc, "{%p endif %}")
    return doc


def project_report() -> object:
    """附件5-N 项目支出绩效自评报告: cover with the project title, body."""
    doc = new_document()
    title_block(doc)
    para(doc, "{%p if 封面 %}", "封面")
    for _ in range(30):
        para(doc, "", "封面空行")
    para(doc, "部 门 名 称 ： {{ 封面.部门名称 }}", "封面")
    para(doc, "{{ 封面.年 }}  年 {{ 封面.月 }} 月 {{ 封面.日 }} 日", "封面")
    page_break_before(para(doc))
    for _ in range(3):
        para(doc)
    para(doc, "{%p endif %}", "封面")
    para(doc, "{%p if 副标题 %}", "公文标题")
    para(doc, "{{ 副标题 }}", "公文标题")
    para(doc)
    para(doc, "{%p endif %}", "公文标题")
    body(doc)
    return doc


def tick(path: str, yes: str = "是", no: str = "否", between: str = "     ") -> str:
    """A 是☑/否□ pair: the marks come from a true/false answer in the data."""
    return f"{yes}{{{{ {path}.是 }}}}{between}{no}{{{{ {path}.否 }}}}"


def longhui_checklist() -> object:
    """隆回 附件4-1 部门整体支出绩效自评基础数据表: figures and 是☑/否□ answers."""
    doc = new_document()
    title_block(doc)
    para(doc, "单位名称(盖章）:{{ 部门名称 }}", "表下文字")
    g = Grid(doc, [12, 22, 24, 22, 20, 20, 14, 22])
    b, i = "基本.", "实施."
    g.row("基本情况", "编制人数", ("{{ 基本.编制人数 }}", 2), "实有人数", ("{{ 基本.实有人数 }}", 3))
    g.row("", "部门职能概述", ("{{ 基本.部门职能概述 }}\n\n", 6), style="表格正文")
    r = len(g.table.rows)
    g.row("", "年度收入（万元）", "县财政预算安排", f"{{{{ {b}年度收入.县财政预算安排 }}}}", "非税收入", f"{{{{ {b}年度收入.非税收入 }}}}", "合计", f"{{{{ {b}年度收入.合计 }}}}")
    g.row("", "", "中央省市安排资金", f"{{{{ {b}年度收入.中央省市安排资金 }}}}", "其他收入", f"{{{{ {b}年度收入.其他收入 }}}}", "", "")
    for col in (1, 6, 7):
        g.vmerge(col, r, r + 1)
    g.row("", "年度支出\n（万元）", "基本支出", f"{{{{ {b}年度支出.基本支出 }}}}", "项目支出", f"{{{{ {b}年度支出.项目支出 }}}}", "合计", f"{{{{ {b}年度支出.合计 }}}}")
    g.row("", "", "其中三公经费支出", f"{{{{ {b}年度支出.其中三公经费支出 }}}}", "", "", "", "")
    for col in (1, 6, 7):
        g.vmerge(col, r + 2, r + 3)
    g.vmerge(0, 0, r + 3)
    checks = [
        ("财政供养人员控制情况", [f"是否存在超编超配人员：   {tick(i + '财政供养人员控制情况.是否存在超编超配人员')}"]),
        ("三公经费管理情况", [
            f"是否制定“三公”经费管理办法：{tick(i + '三公经费管理情况.是否制定三公经费管理办法')}",
            f"招待费用是否明确招待标准和招待人数：{tick(i + '三公经费管理情况.招待费用是否明确招待标准和招待人数')}",
            f"公务用车购置运行费是否比上年度下降: {tick(i + '三公经费管理情况.公务用车购置运行费是否比上年度下降', between='    ')}",
            f"三公经费是否比年度下降：{tick(i + '三公经费管理情况.三公经费是否比年度下降', between='  ')}",
        ]),
        ("非税收入完成情况", [
            f"年度非税收入是否完成: {tick(i + '非税收入完成情况.年度非税收入是否完成', between='    ')}",
            f"是否实行收支两条线管理：{tick(i + '非税收入完成情况.是否实行收支两条线管理')}",
            f"有无截留、坐支、转移等现象:{tick(i + '非税收入完成情况.有无截留坐支转移等现象', '有', '无')}",
        ]),
        ("政府采购及金额", [
            f"年度是否制定了政府采购计划：是 {{{{ {i}政府采购及金额.年度是否制定了政府采购计划.是 }}}}    {{{{ {i}政府采购及金额.年度是否制定了政府采购计划.否 }}}}否",
            f"应采购金额 {{{{ {i}政府采购及金额.应采购金额 }}}}\u3000万元，实际采购金额{{{{ {i}政府采购及金额.实际采购金额 }}}}\u3000万元",
        ]),
        ("预算执行", [
            f"本年度是否追加了预算:{tick(i + '预算执行.本年度是否追加了预算', between='  ')}, ",
            f"本年度是否有结余: {tick(i + '预算执行.本年度是否有结余', between='   ')},结余金额{{{{ {i}预算执行.结余金额 }}}} 万元",
            f"预决算信息是否公开: {tick(i + '预算执行.预决算信息是否公开', between='   ')}",
            f"公开时间: {{{{ {i}预算执行.公开时间 }}}}   ",
            f"公开方式:门户网站{{{{ {i}预算执行.公开方式.门户网站.是 }}}}     单位内部{{{{ {i}预算执行.公开方式.单位内部.是 }}}}      其它{{{{ {i}预算执行.公开方式.其它.是 }}}}",
        ]),
        ("预算绩效管理", [
            f"部门预算和专项资金是否编制绩效目标: {tick(i + '预算绩效管理.部门预算和专项资金是否编制绩效目标', between='    ')}",
            f"是否开展绩效运行监控： {tick(i + '预算绩效管理.是否开展绩效运行监控', between='    ')}",
            f"是否开展绩效评价： {tick(i + '预算绩效管理.是否开展绩效评价', between='    ')}",
            f"年度绩效目标和绩效评价报告是否信息公开： {tick(i + '预算绩效管理.年度绩效目标和绩效评价报告是否信息公开', between='    ')}",
            f"上年度绩效评价反馈的问题是否整改到位： {tick(i + '预算绩效管理.上年度绩效评价反馈的问题是否整改到位', between='    ')}",
            f"绩效监控发现的问题是否及时纠正： {tick(i + '预算绩效管理.绩效监控发现的问题是否及时纠正', between='    ')}",
            "",
        ]),
        ("财务管理", [
            f"会计机构或会计人员是否按规定设置: {tick(i + '财务管理.会计机构或会计人员是否按规定设置', between='  ')}",
            f"会计核算是否严格执行政府会计制度准则： {tick(i + '财务管理.会计核算是否严格执行政府会计制度准则', between='    ')}",
            f"是否制定财务管理、会计核算等制度: {tick(i + '财务管理.是否制定财务管理会计核算等制度', between='  ')}",
            f"内部控制报告编制是否规范：{tick(i + '财务管理.内部控制报告编制是否规范', between='   ')}",
            f"会计人员是否具备从事会计工作所需要的专业能力: {tick(i + '财务管理.会计人员是否具备从事会计工作所需要的专业能力', between='  ')}",
            "",
        ]),
        ("资金管理", [
            f"是否制定资金管理办法: {tick(i + '资金管理.是否制定资金管理办法', between='  ')}",
            f"资金拨付有完整的审批程序: {tick(i + '资金管理.资金拨付有完整的审批程序', '有', '无', '  ')}",
            f"资金使用是否存在违规使用资金、乱发津补贴奖金现象：{tick(i + '资金管理.资金使用是否存在违规使用资金乱发津补贴奖金现象', between='  ')}",
        ]),
        ("资产管理", [
            f"是否制定资产管理制度: {tick(i + '资产管理.是否制定资产管理制度', between=' ')}",
            f"资产管理、保存、处置是否合理规范: {tick(i + '资产管理.资产管理保存处置是否合理规范', between='  ')}",
            f"资产是否产权清晰、两证齐全：{tick(i + '资产管理.资产是否产权清晰两证齐全', between='   ')}",
            f"账、表、实、卡是否相符: {tick(i + '资产管理.账表实卡是否相符', between='')}",
        ]),
        ("职责履行", [f"重点工作是否全部完成且质量达标: {tick(i + '职责履行.重点工作是否全部完成且质量达标', between=' ')}", ""]),
    ]
    first = len(g.table.rows)
    for k, (label, lines) in enumerate(checks):
        g.row("实施情况" if k == 0 else "", label, ("\n".join(lines), 6), style="表格正文")
    g.vmerge(0, first, len(g.table.rows) - 1)
    for label, key in (("部门\n主要绩效", "部门主要绩效"), ("自评结论", "自评结论"), ("问题与建议", "问题与建议"), ("主管部门意见", "主管部门意见")):
        g.row((label, 2), (f"{{{{ {key} }}}}", 6), style="表格正文")
    for _ in range(3):
        para(doc)
    para(doc, "主管部门（盖章）：", "表下文字")
    for _ in range(3):
        para(doc)
    notes(doc)
    return doc


def longhui_report() -> object:
    """隆回 附件3 部门整体支出绩效自评报告: no cover; the attachment list at the end."""
    doc = new_document()
    title_block(doc)
    para(doc)
    body(doc)
    para(doc, "{%p if 附件清单 %}")
    para(doc)
    para(doc, "{%p for 附 in 附件清单 %}", "正文")
    para(doc, "{% if loop.first %}附件：{% endif %}{{ loop.index }}.{{ 附 }}", "正文")
    para(doc, "{%p endfor %}", "正文")
    para(doc, "{%p endif %}")
    return doc


FORM_SETS = {
    "汨罗": {
        "附件1-基础数据表.docx": basic_data,
        "附件2-部门整体支出绩效自评表.docx": overall_table,
        "附件3-项目支出绩效自评表.docx": project_table,
        "附件4-部门整体支出绩效自评报告.docx": overall_report,
        "附件5-项目支出绩效自评报告.docx": project_report,
    },
    "隆回": {
        "附件3-部门整体支出绩效自评报告.docx": longhui_report,
        "附件3附-基础数据表.docx": longhui_basic_data,
        "附件4-1-自评基础数据表.docx": longhui_checklist,
        "附件4-2-部门整体支出绩效自评表.docx": longhui_overall_table,
    },
}


def main(out: Path = OUT) -> None:
    """Write every form set's templates under `out`; the same script gives the same bytes."""
    for form_set, templates in FORM_SETS.items():
        write_set(out / form_set, templates)


def write_set(out: Path, templates: dict) -> None:
    """Write one form set's templates, trimmed, with fixed document properties and zip layout."""
    import datetime as dt

    from annexgen.write import CoreProperties, docx_bytes
    from template_package import trim

    out.mkdir(parents=True, exist_ok=True)
    when = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    for name, make in templates.items():
        doc = make()
        trim(doc)
        (out / name).write_bytes(docx_bytes(doc, CoreProperties(title=name.removesuffix(".docx"), author="annexgen", subject="", when=when)))
        print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
