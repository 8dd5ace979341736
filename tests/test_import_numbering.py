"""Issue 10: Word's automatic numbering and bold headings in imported reports.

Clerks number headings with Word's list numbering (w:numPr → word/numbering.xml) instead of
typing "一、", and set headings apart by bold instead of a style. The files here are written
with python-docx and a raw numbering.xml, as Word writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from lxml import etree

from annexgen.check import review
from annexgen.importing.annexes import split_annexes
from annexgen.importing.grid import W, Paragraph, Table, read_blocks, read_docx
from annexgen.importing.notes import Notes
from annexgen.importing.numbering import Formatting, format_number
from annexgen.importing.report import numbering, read_report
from annexgen.load import load

REPO = Path(__file__).parent.parent
NS = f'xmlns:w="{W}"'
REPORT_KINDS = ("部门整体支出绩效自评报告", "项目支出绩效自评报告")


# --- building files ---------------------------------------------------------------------------


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
            f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>')


def abstract(aid: int, *levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{aid}">{"".join(levels)}</w:abstractNum>'


def num(nid: int, aid: int, overrides: str = "") -> str:
    return f'<w:num w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>{overrides}</w:num>'


#: 一、 / （一） / 1. as clerks number report headings; a bullet list; a restart of level 3 at 5
HEADINGS = abstract(1, lvl(0, "chineseCounting", "%1、"), lvl(1, "chineseCounting", "（%2）"), lvl(2, "decimal", "%3."))
BULLETS = abstract(2, lvl(0, "bullet", "\uf06c"), lvl(1, "bullet", "–"))
RESTART = '<w:lvlOverride w:ilvl="2"><w:startOverride w:val="5"/></w:lvlOverride>'
NUMBERING = f"<w:numbering {NS}>{HEADINGS}{BULLETS}{num(1, 1)}{num(2, 2)}{num(3, 1, RESTART)}</w:numbering>"


def numbered_docx(path: Path, items: list, numbering_xml: str = NUMBERING, styles: dict[str, str] | None = None) -> Path:
    """Paragraphs: a str, or (text, (numId, ilvl)), or (text, style name), or a list of rows (a table whose
    cells are (text, (numId, ilvl)) or str). `styles`: name → numPr XML of new paragraph styles."""
    doc = Document()
    for name, numpr in (styles or {}).items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.get_or_add_pPr().append(parse_xml(f"<w:numPr {NS}>{numpr}</w:numPr>"))

    def put(p, numpr) -> None:
        if isinstance(numpr, tuple):
            nid, ilvl = numpr
            p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{nid}"/></w:numPr>'))

    for item in items:
        if isinstance(item, list):
            table = doc.add_table(rows=len(item), cols=len(item[0]))
            for r, row in enumerate(item):
                for c, cell in enumerate(row):
                    text, numpr = cell if isinstance(cell, tuple) else (cell, None)
                    table.cell(r, c).text = text
                    put(table.cell(r, c).paragraphs[0], numpr)
            continue
        text, how = item if isinstance(item, tuple) else (item, None)
        p = doc.add_paragraph(text, style=how if isinstance(how, str) else None)
        put(p, how)
    doc.part.numbering_part._element = parse_xml(numbering_xml)
    doc.save(str(path))
    return path


def paragraphs(path: Path) -> list[Paragraph]:
    return [b for b in read_docx(path) if isinstance(b, Paragraph)]


def read_one(path: Path) -> tuple[dict | None, Notes]:
    (annex,) = [a for a in split_annexes(read_docx(path)) if a.kind in REPORT_KINDS]
    notes = Notes()
    return read_report(annex, path.name, notes), notes


# --- number formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, fmt, shown",
    [
        (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
        (20, "chineseCounting", "二十"), (35, "chineseCounting", "三十五"), (101, "chineseCounting", "一〇一"),
        (101, "chineseCountingThousand", "一百零一"), (110, "chineseCountingThousand", "一百一十"),
        (2305, "chineseCountingThousand", "二千三百零五"), (12, "chineseCountingThousand", "十二"),
        (3, "chineseLegalSimplified", "叁"), (1, "ideographTraditional", "甲"), (3, "ideographTraditional", "丙"),
        (11, "ideographTraditional", "甲"), (2, "decimalEnclosedCircle", "②"), (20, "decimalEnclosedCircle", "⑳"),
        (21, "decimalEnclosedCircle", "㉑"), (3, "decimalEnclosedParen", "⑶"), (4, "lowerLetter", "d"),
        (28, "lowerLetter", "bb"), (2, "upperLetter", "B"), (14, "lowerRoman", "xiv"), (1994, "upperRoman", "MCMXCIV"),
        (12, "decimalFullWidth", "１２"), (7, "decimalZero", "07"), (3, "decimal", "3"), (40000, "lowerLetter", "40000"),
        (3, "bullet", ""), (3, "none", ""), (3, "someFormatWeDoNotKnow", "3"),
    ],
)
def test_number_formats(n: int, fmt: str, shown: str) -> None:
    assert format_number(n, fmt) == shown


# --- labels -----------------------------------------------------------------------------------


def test_headings_numbered_automatically_get_their_labels(tmp_path: Path) -> None:
    path = numbered_docx(tmp_path / "n.docx", [
        ("部门基本情况", (1, 0)), ("机构设置", (1, 1)), ("主要职能", (1, 2)), ("人员情况", (1, 2)),
        ("预算情况", (1, 1)), ("收入", (1, 2)),  # a new parent: level 3 starts again at 1
        ("支出情况", (1, 0)), ("基本支出", (1, 1)),  # and level 2 too
        "一段正文。", ("培训", (2, 0)), ("宣传", (2, 0)),  # bullets: no label, and no effect on the headings' counters
        ("人员经费", (3, 2)), ("公用经费", (3, 2)),  # numId 3 restarts level 3 at 5 ...
        ("其他经费", (1, 2)),  # ... and numId 1, the same abstract numbering, continues from there
        [[("表中", (1, 0)), "格"]],  # a numbered paragraph in a table counts, its cell keeps its text
        ("其他需要说明的情况", (1, 0)),
    ])
    got = [(p.text, p.label, p.list_level) for p in paragraphs(path)]
    assert got == [
        ("一、部门基本情况", "一、", 1), ("（一）机构设置", "（一）", 2), ("1.主要职能", "1.", 3), ("2.人员情况", "2.", 3),
        ("（二）预算情况", "（二）", 2), ("1.收入", "1.", 3), ("二、支出情况", "二、", 1), ("（一）基本支出", "（一）", 2),
        ("一段正文。", "", 0), ("培训", "", 1), ("宣传", "", 1),
        ("5.人员经费", "5.", 3), ("6.公用经费", "6.", 3), ("7.其他经费", "7.", 3),
        ("四、其他需要说明的情况", "四、", 1),
    ]
    (table,) = [b for b in read_docx(path) if isinstance(b, Table)]
    assert table.grid() == [["表中", "格"]]


def test_start_values_restart_rules_legal_numbering_and_other_formats(tmp_path: Path) -> None:
    xml = (f"<w:numbering {NS}>"
           + abstract(1, lvl(0, "decimal", "%1.", extra='<w:isLgl w:val="0"/>'), lvl(1, "decimal", "%1.%2", extra="<w:isLgl/>"),
                      lvl(2, "decimalEnclosedCircle", "%3", extra='<w:lvlRestart w:val="0"/>'))  # ③ never restarts
           + abstract(2, lvl(0, "upperRoman", "%1.", start=3), lvl(1, "ideographTraditional", "%2、"), lvl(2, "lowerLetter", "%3)"))
           + abstract(3, lvl(0, "chineseCounting", "第%1部分"), lvl(1, "none", "%2"))
           + num(1, 1) + num(2, 2) + num(3, 3)
           + '<w:num w:numId="9"><w:abstractNumId w:val="404"/></w:num>'  # a num whose list is missing: no label
           + "</w:numbering>")
    path = numbered_docx(tmp_path / "n.docx", [
        ("甲", (1, 0)), ("乙", (1, 1)), ("丙", (1, 2)), ("丁", (1, 1)), ("戊", (1, 0)), ("己", (1, 1)), ("庚", (1, 2)),
        ("一", (2, 0)), ("二", (2, 1)), ("三", (2, 2)), ("四", (2, 2)), ("五", (2, 0)),
        ("总体", (3, 0)), ("无号", (3, 1)), ("缺", (9, 0)), ("未知", (7, 0)),
    ], numbering_xml=xml)
    assert [p.text for p in paragraphs(path)] == [
        "1.甲", "1.1乙", "①丙", "1.2丁", "2.戊", "2.1己", "②庚",  # legal numbering prints %1 in decimal; ② does not restart
        "III.一", "甲、二", "a)三", "b)四", "IV.五",  # starts at III
        "第一部分总体", "无号", "缺", "未知",
    ]


def test_numbering_through_paragraph_styles(tmp_path: Path) -> None:
    """A style carries the numbering (its level from the list's w:pStyle); numId 0 on a paragraph switches it off."""
    heading = abstract(1, lvl(0, "chineseCounting", "%1、", extra='<w:pStyle w:val="X1"/>'),
                       lvl(1, "chineseCounting", "（%2）", extra='<w:pStyle w:val="X2"/>'))
    xml = f"<w:numbering {NS}>{heading}{num(1, 1)}</w:numbering>"
    path = numbered_docx(tmp_path / "s.docx", [("概况", "X1"), ("职能", "X2"), ("机构", "X2"), ("绩效", "X1"),
                                               ("不编号", "X1"), ("问题", "X1")],
                         numbering_xml=xml, styles={"X1": '<w:numId w:val="1"/>', "X2": '<w:numId w:val="1"/>'})
    doc = Document(str(path))
    doc.paragraphs[4]._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {NS}><w:numId w:val="0"/></w:numPr>'))
    doc.save(str(path))
    assert [(p.text, p.style) for p in paragraphs(path)] == [
        ("一、概况", "X1"), ("（一）职能", "X2"), ("（二）机构", "X2"), ("二、绩效", "X1"), ("不编号", "X1"), ("三、问题", "X1")]


def test_a_broken_numbering_part_gives_no_labels(tmp_path: Path) -> None:
    path = numbered_docx(tmp_path / "n.docx", [("概况", (1, 0))], numbering_xml=f"<w:numbering {NS}/>")
    assert [(p.text, p.label) for p in paragraphs(path)] == [("概况", "")]
    parser = etree.XMLParser(resolve_entities=False)
    assert Formatting.parse(None, b"<w:numbering", parser).instances == {}


# --- reports ----------------------------------------------------------------------------------


def test_a_report_numbered_automatically_keeps_its_headings_and_levels(tmp_path: Path) -> None:
    path = numbered_docx(tmp_path / "r.docx", [
        "附件4", "2024年度某局部门整体支出绩效自评报告",
        ("部门基本情况", (1, 0)), ("机构设置", (1, 1)), "内设机构5个。", ("主要职能", (1, 2)), "负责全县就业。",
        ("人员情况", (1, 1)), "在职人员30人。",
        ("存在的问题", (1, 0)), "主要有：", ("预算编制不够精准；", (2, 0)), ("资产管理有待加强。", (2, 0)),
        ("改进措施", (1, 0)), ("加强培训", (1, 1)), ("培训3次", (3, 2)), "全年培训3次。",
        ("附件：", None), ("部门整体支出绩效自评表", (1, 2)),
    ])
    tree, notes = read_one(path)
    assert list(notes) == []
    assert tree["正文"] == [
        {"一、部门基本情况": [{"（一）机构设置": ["内设机构5个。", {"1.主要职能": ["负责全县就业。"]}]},
                         {"（二）人员情况": ["在职人员30人。"]}]},
        {"二、存在的问题": ["主要有：", "预算编制不够精准；", "资产管理有待加强。"]},  # bullets are paragraphs
        {"三、改进措施": [{"（一）加强培训": [{"5.培训3次": ["全年培训3次。"]}]}]},
    ]
    assert tree["附件清单"] == ["部门整体支出绩效自评表"]  # the label Word shows ("6.") is a number like a typed one


def test_labels_no_typed_numbering_looks_like_nest_by_their_list_level(tmp_path: Path) -> None:
    xml = f"<w:numbering {NS}>{abstract(1, lvl(0, 'decimal', '第%1章 '), lvl(1, 'decimal', '%1.%2 '))}{num(1, 1)}</w:numbering>"
    path = numbered_docx(tmp_path / "r.docx", [
        "2024年度某局部门整体支出绩效自评报告", ("部门概况", (1, 0)), ("职能", (1, 1)), "负责就业。", ("机构", (1, 1)), "5个。",
        ("绩效情况", (1, 0)), "良好。",
    ], numbering_xml=xml)
    tree, notes = read_one(path)
    assert list(notes) == [] and numbering("1.1 职能") is None
    assert tree["正文"] == [{"第1章 部门概况": [{"1.1 职能": ["负责就业。"]}, {"1.2 机构": ["5个。"]}]}, {"第2章 绩效情况": ["良好。"]}]


# --- bold -------------------------------------------------------------------------------------

STYLES = (f"<w:styles {NS}>"
          '<w:style w:type="paragraph" w:styleId="B"><w:name w:val="粗体段落"/><w:rPr><w:b/></w:rPr></w:style>'
          '<w:style w:type="paragraph" w:styleId="BB"><w:name w:val="继承"/><w:basedOn w:val="B"/></w:style>'
          '<w:style w:type="character" w:styleId="C"><w:name w:val="粗体字"/><w:rPr><w:b/></w:rPr></w:style>'
          "</w:styles>")


def run(text: str, props: str = "") -> str:
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


@pytest.mark.parametrize(
    "xml, bold",
    [
        (run("存在的问题", "<w:b/>"), True),
        (run("存在", "<w:b/>") + run("的问题", '<w:b w:val="1"/>'), True),
        (run("存在", "<w:b/>") + run("的问题"), False),
        (run("存在的问题", '<w:b w:val="0"/>'), False),
        (run("存在的问题", '<w:b w:val="false"/>'), False),
        (run("存在的问题", "<w:bCs/>"), False),  # complex-script bold is not the bold of Chinese text
        (run("存在的问题", "<w:b/>") + run("  "), True),  # a space not bold does not count
        (f'<w:hyperlink>{run("存在的问题", "<w:b/>")}</w:hyperlink>', True),
        ('<w:pPr><w:pStyle w:val="B"/></w:pPr>' + run("存在的问题"), True),
        ('<w:pPr><w:pStyle w:val="BB"/></w:pPr>' + run("存在的问题"), True),
        ('<w:pPr><w:pStyle w:val="B"/></w:pPr>' + run("存在的问题", '<w:b w:val="0"/>'), False),
        ('<w:pPr><w:pStyle w:val="B"/></w:pPr>' + run("存在的问题", '<w:rStyle w:val="C"/>'), False),  # toggles off
        (run("存在的问题", '<w:rStyle w:val="C"/>'), True),
        ('<w:pPr><w:rPr><w:b/></w:rPr></w:pPr>' + run("存在的问题"), False),  # the paragraph mark's bold only
        ("", False),
    ],
)
def test_bold_paragraphs(xml: str, bold: bool) -> None:
    root = etree.fromstring(f"<w:document {NS}><w:body><w:p>{xml}</w:p></w:body></w:document>")
    (p,) = read_blocks(root.find(f"{{{W}}}body"), Formatting(etree.fromstring(STYLES)))
    assert p.bold is bold


def clerk_report(path: Path, items: list, heading_style: bool = False) -> Path:
    """A report without styles: str paragraphs, ("text", "b") bold ones."""
    doc = Document()
    doc.add_paragraph("附件4")
    for item in items:
        text, how = item if isinstance(item, tuple) else (item, None)
        p = doc.add_paragraph(style="Heading 1" if how == "h1" else None)
        p.add_run(text).bold = how == "b" or None
    doc.save(str(path))
    return path


def test_short_bold_paragraphs_are_headings(tmp_path: Path) -> None:
    problem = "一、预算编制不够精准。原因是测算依据不足，未建立动态调整机制。"
    tree, notes = read_one(clerk_report(tmp_path / "r.docx", [
        "2024年度某局部门整体支出绩效自评报告",
        ("部门概况", "b"), ("（一）机构设置", "b"), "内设机构5个。", ("（二）人员情况", "b"), "在职人员30人。",
        ("存在的问题及原因分析", "b"), problem,  # a sibling of the bold heading before
        ("有关建议：", "b"), "加强培训。",
        ("这一段全部加粗，以示强调。", "b"), "其后的正文。",  # ends like a sentence: a paragraph
        ("加粗的短句", "b"), ("加粗的小标题", "b"), "正文。",  # the first is followed by bold: a paragraph
        ("一个很长的加粗段落，超过了三十个字这一小标题长度的限制，所以是正文的一段", "b"), "正文。",
        ("其他需要说明的情况", "b"),  # nothing follows: a paragraph
    ]))
    assert list(notes) == []
    assert tree["正文"] == [
        {"部门概况": [{"（一）机构设置": ["内设机构5个。"]}, {"（二）人员情况": ["在职人员30人。"]}]},
        {"存在的问题及原因分析": [problem]},
        {"有关建议：": ["加强培训。", "这一段全部加粗，以示强调。", "其后的正文。", "加粗的短句"]},
        {"加粗的小标题": ["正文。", "一个很长的加粗段落，超过了三十个字这一小标题长度的限制，所以是正文的一段", "正文。", "其他需要说明的情况"]},
    ]


def test_a_bold_heading_under_a_numbered_one_is_one_level_deeper(tmp_path: Path) -> None:
    tree, notes = read_one(clerk_report(tmp_path / "r.docx", [
        "2024年度某局部门整体支出绩效自评报告", ("一、主要经验及做法", "b"), "建立了制度。",
        ("存在的问题及原因分析", "b"), "预算编制不够精准。", ("二、有关建议", "b"), "加强培训。",
    ]))
    assert list(notes) == []
    assert tree["正文"] == [
        {"一、主要经验及做法": ["建立了制度。", {"存在的问题及原因分析": ["预算编制不够精准。"]}]},
        {"二、有关建议": ["加强培训。"]},
    ]


def test_bold_is_no_heading_where_styles_give_the_headings(tmp_path: Path) -> None:
    tree, _ = read_one(clerk_report(tmp_path / "r.docx", [
        "2024年度某局部门整体支出绩效自评报告", ("部门概况", "h1"), ("重点工作", "b"), "全年完成培训3次。"]))
    assert tree["正文"] == [{"部门概况": ["重点工作", "全年完成培训3次。"]}]


def _without_blanks(blocks: list) -> list:
    out = []
    for b in blocks:
        if isinstance(b, str):
            out += [b] if b.strip() else []
        else:
            out += [{k: (_without_blanks(v) or None) if v else None for k, v in b.items()}]
    return out


def test_a_clerks_bold_headings_give_back_the_transcribed_report(tmp_path: Path) -> None:
    """data/miluo-hrss/2023 project 2's report typed without styles, every heading bold: the same structure as the
    data, "存在的问题及原因分析" (no number) included; the blank paragraph of the original is layout here."""
    loaded = load(REPO / "data" / "miluo-hrss" / "2023")
    review(loaded, ())
    report = loaded.submission.项目[1].自评报告
    assert any("存在的问题及原因分析" in b for block in report.正文 if isinstance(block, dict)
               for inner in block.values() for b in (inner or []) if isinstance(b, dict))

    def flat(blocks: list) -> list:
        out = []
        for b in blocks:
            if isinstance(b, str):
                out.append(b)
            else:
                for heading, inner in b.items():
                    out += [(heading, "b"), *flat(inner or [])]
        return out

    tree, notes = read_one(clerk_report(tmp_path / "r.docx", ["".join(report.标题.split("\n")), *flat(report.正文)]))
    assert list(notes) == []
    assert tree["正文"] == _without_blanks(report.model_dump()["正文"])


def test_a_list_defined_by_a_numbering_style_and_hostile_values(tmp_path: Path) -> None:
    """w:numStyleLink: the list is the numbering style's, its counters shared; huge starts and patterns stay bounded."""
    xml = (f"<w:numbering {NS}>"
           + abstract(1, lvl(0, "chineseCounting", "%1、"))
           + '<w:abstractNum w:abstractNumId="2"><w:numStyleLink w:val="L"/></w:abstractNum>'
           + abstract(3, lvl(0, "lowerLetter", "%1" * 10_000, start=10**9), lvl(1, "upperRoman", "%2", start=99_999_999))
           + num(1, 1) + num(2, 2) + num(3, 3) + "</w:numbering>")
    path = numbered_docx(tmp_path / "n.docx", [("甲", (1, 0)), ("乙", (2, 0)), ("丙", (3, 0)), ("丁", (3, 1))], numbering_xml=xml)
    doc = Document(str(path))
    style = doc.styles.add_style("L", WD_STYLE_TYPE.PARAGRAPH)  # python-docx has no numbering styles: typed by hand
    style.element.set(f"{{{W}}}type", "numbering")
    style.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {NS}><w:numId w:val="1"/></w:numPr>'))
    doc.save(str(path))
    got = [p.text for p in paragraphs(path)]
    assert got[:2] == ["一、甲", "二、乙"]
    assert got[2] == "1000000000" * 32 + "丙"  # the pattern cut to 64 characters (32 × %1), the number too large for letters: decimal
    assert got[3] == "99999999丁"
