"""Issue 10, first step: Word tables read on their grid from the XML (gridSpan, vMerge, hMerge, gridBefore, wrappers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from annexgen.build import build
from annexgen.importing.grid import W, Paragraph, Table, read_blocks, read_docx
from clerkdocs import via_odt_all

REPO = Path(__file__).parent.parent
YEARS = ["miluo-hrss/2023", "longhui-hrss/2024", "example-county/2024"]


@pytest.mark.parametrize("year", YEARS)
def test_grid_agrees_with_python_docx_on_tidy_files(tmp_path: Path, year: str) -> None:
    """On files python-docx reads well (our own), every grid position and paragraph reads the same."""
    result = build(REPO / "data" / year, tmp_path / "out")
    assert result.written
    for f in result.written:
        blocks = read_docx(f)
        doc = Document(str(f))
        tables = [b for b in blocks if isinstance(b, Table)]
        assert [t.index for t in tables] == list(range(1, len(doc.tables) + 1))
        for ours, theirs in zip(tables, doc.tables):
            expected = [[cell.text for cell in row.cells] for row in theirs.rows]
            assert ours.grid() == expected, f.name
        assert [b.text for b in blocks if isinstance(b, Paragraph)] == [p.text for p in doc.paragraphs], f.name


def body(xml: str) -> list:
    root = etree.fromstring(
        f'<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{xml}</w:body></w:document>'
    )
    return read_blocks(root.find(f"{{{W}}}body"))


def tc(text: str = "", span: int = 1, vmerge: str | None = None, hmerge: str | None = None) -> str:
    pr = ""
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if hmerge is not None:
        pr += "<w:hMerge/>" if hmerge == "continue" else f'<w:hMerge w:val="{hmerge}"/>'
    if vmerge is not None:
        pr += "<w:vMerge/>" if vmerge == "continue" else f'<w:vMerge w:val="{vmerge}"/>'
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("\n")) if text else "<w:p/>"
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{paras}</w:tc>"


def test_a_clerks_table_uneven_rows_no_vertical_merge() -> None:
    """Rows of uneven width (gridBefore, a wide cell), continuation cells left empty instead of merged."""
    xml = (
        "<w:tbl>"
        f"<w:tr>{tc('一级指标')}{tc('二级指标')}{tc('三级指标')}{tc('指标值')}</w:tr>"
        f"<w:tr>{tc('产出指标')}{tc('数量指标')}{tc('培训人数')}{tc('≥100人')}</w:tr>"
        f"<w:tr>{tc()}{tc()}{tc('发放人数')}{tc('≥50人')}</w:tr>"
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{tc("说明", span=3)}</w:tr>'
        "</w:tbl>"
    )
    [table] = body(xml)
    assert table.width == 4
    assert table.grid() == [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人数", "≥100人"],
        ["", "", "发放人数", "≥50人"],
        ["", "说明", "说明", "说明"],
    ]
    assert [c.col for c in table.rows[3]] == [1]


def test_vertical_and_legacy_horizontal_merges() -> None:
    xml = (
        "<w:tbl>"
        f"<w:tr>{tc('绩效指标', vmerge='restart')}{tc('产出', vmerge='restart')}{tc('a')}</w:tr>"
        f"<w:tr>{tc(vmerge='continue')}{tc(vmerge='continue')}{tc('b')}</w:tr>"
        f"<w:tr>{tc(vmerge='continue')}{tc('效益')}{tc('c')}</w:tr>"
        f"<w:tr>{tc('合计', hmerge='restart')}{tc(hmerge='continue')}{tc('100')}</w:tr>"
        "</w:tbl>"
    )
    [table] = body(xml)
    assert table.grid() == [
        ["绩效指标", "产出", "a"],
        ["绩效指标", "产出", "b"],
        ["绩效指标", "效益", "c"],
        ["合计", "合计", "100"],
    ]
    assert [(c.col, c.span) for c in table.rows[3]] == [(0, 2), (2, 1)]
    assert table.origin(2, 0) is table.rows[0][0]


def test_wrappers_runs_breaks_and_tracked_changes() -> None:
    """Content controls around rows and cells, a label split into runs and paragraphs, a deletion, a text box."""
    xml = (
        "<w:tbl>"
        "<w:sdt><w:sdtContent><w:tr>"
        "<w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>部 门</w:t></w:r><w:r><w:t xml:space=\"preserve\"> 名</w:t></w:r>"
        "<w:del><w:r><w:delText>旧</w:delText></w:r></w:del><w:r><w:t>称</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt>"
        "<w:tc><w:p><w:r><w:t>12.00</w:t><w:tab/><w:t>万元</w:t><w:br/><w:t>（调整后）</w:t></w:r></w:p><w:p/></w:tc>"
        "</w:tr></w:sdtContent></w:sdt>"
        "</w:tbl>"
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:t>框</w:t></w:pict></mc:Fallback></mc:AlternateContent><w:t>附件 1</w:t></w:r></w:p>"
    )
    table, box, para = body(xml)
    assert table.grid() == [["部 门 名称", "12.00\t万元\n（调整后）\n"]]
    assert para == Paragraph(1, "附件 1")
    assert box == Paragraph(1, "框")  # the text box's text: a paragraph of its own, once (the fallback copy is not read)


def test_broken_span_values_do_not_stop_reading() -> None:
    xml = f'<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="x"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>{tc("b")}</w:tr></w:tbl>'
    [table] = body(xml)
    assert table.grid() == [["a", "b"]]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by scripts/setup (required in CI)")
def test_tables_rewritten_by_libreoffice_read_the_same(tmp_path: Path) -> None:
    """docx → odt → docx through LibreOffice changes the XML (widths, merges, runs); the grid text stays."""
    result = build(REPO / "data" / "miluo-hrss" / "2023", tmp_path / "out")
    files = [f for f in result.written if f.name.startswith(("附件1 ", "附件2 ", "附件3-1 "))]
    for f, back in zip(files, via_odt_all(files, tmp_path / "back")):
        assert back.read_bytes() != f.read_bytes()
        ours = [trimmed(b.grid()) for b in read_docx(f) if isinstance(b, Table)]
        theirs = [trimmed(b.grid()) for b in read_docx(back) if isinstance(b, Table)]
        assert theirs == ours, f.name


def trimmed(grid: list[list[str]]) -> list[list[str]]:
    """LibreOffice drops the trailing spaces of a cell's last run (the seed's "100万元        ")."""
    return [[cell.rstrip(" ") for cell in row] for row in grid]
