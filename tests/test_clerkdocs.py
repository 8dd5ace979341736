"""The clerk-style Word files of clerkdocs.py: what they hold and how they are laid out (no importer needed).

They must carry the data's figures and texts (amounts typed differently, same value and
decimals; text verbatim), be laid out unlike annexgen's output (no vMerge, uneven rows,
no paragraph styles), split into the planned annexes in every layout, and survive
LibreOffice (.doc; docx → odt → docx).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from annexgen.importing.annexes import Annex, split_annexes
from annexgen.importing.grid import W, Paragraph, Table, read_docx
from annexgen.importing.text import annex_number, label_key, parse_figure
from clerkdocs import LAYOUTS, ClerkFile, Style, load_year, plan, to_doc_all, via_odt_all, write_annexes, write_intake, write_year

REPO = Path(__file__).resolve().parents[1]
MILUO, LONGHUI, EXAMPLE = REPO / "data" / "miluo-hrss" / "2023", REPO / "data" / "longhui-hrss" / "2024", REPO / "data" / "example-county" / "2024"
YEARS = (MILUO, LONGHUI, EXAMPLE)
NS = {"w": W}


@pytest.fixture(scope="session")
def years():
    return {root: load_year(root) for root in YEARS}


@pytest.fixture(scope="session")
def written(tmp_path_factory, years) -> dict[tuple[Path, str], list[ClerkFile]]:
    out = tmp_path_factory.mktemp("clerk")
    return {(root, layout): write_year(years[root], out / root.parent.name / layout, layout) for root in YEARS for layout in LAYOUTS}


def found(path: Path) -> list[tuple[str | None, str | None]]:
    return [(a.number, a.kind) for a in split_annexes(read_docx(path))]


def annex(files: list[ClerkFile], kind: str, n: int = 0) -> Annex:
    """The n-th annex of a kind in a list of clerk files."""
    annexes = [a for f in files for a in split_annexes(read_docx(f.path)) if a.kind == kind]
    return annexes[n]


def body_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


# --- layouts and labels -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("root", YEARS, ids=lambda r: r.parent.name)
def test_every_layout_splits_into_the_planned_annexes(written, years, root, layout):
    files = written[root, layout]
    for f in files:
        assert found(f.path) == [(p.number, p.kind) for p in f.parts], f.path.name
    planned = [(a.printed_number, a.kind) for a in plan(years[root])]
    assert sorted(((p.number, p.kind) for f in files for p in f.parts), key=str) == sorted(planned, key=str)
    counts = {"per-annex": len(planned), "one-file": 1, "attached": len(planned) - 1}
    assert len(files) == counts[layout]
    if layout == "attached":
        assert [p.kind for p in files[0].parts] == ["部门整体支出绩效自评报告", "基础数据表"]


def test_the_longhui_basic_data_table_is_unlabelled_after_its_report(written):
    (first, *_rest) = written[LONGHUI, "attached"]
    report, basic = split_annexes(read_docx(first.path))
    assert (report.number, basic.number, basic.title) == ("3", None, ["部门整体支出绩效评价基础数据表"])
    assert any(isinstance(b, Paragraph) and b.text.startswith("附件：1.") for b in report.blocks)


@pytest.mark.parametrize("labels, printed", [("digits", "附件3-1"), ("spaced", "附件 3－1"), ("chinese", "附件三-1")])
def test_annex_labels_typed_three_ways_give_the_same_numbers(tmp_path, years, labels, printed):
    year = years[MILUO]
    (f,) = write_year(year, tmp_path, "one-file", Style(labels=labels))
    texts = [b.text for b in read_docx(f.path) if isinstance(b, Paragraph)]
    assert printed in texts
    assert [n for n, _ in found(f.path)] == [a.printed_number for a in plan(year)]


@pytest.mark.parametrize("root", YEARS, ids=lambda r: r.parent.name)
def test_unlabelled_annexes_are_found_by_their_titles(tmp_path, years, root):
    (f,) = write_year(years[root], tmp_path, "one-file", Style(labels="none", title_breaks="line-breaks"))
    assert not [b.text for b in read_docx(f.path) if isinstance(b, Paragraph) and annex_number(b.text)]
    assert found(f.path) == [(None, a.kind) for a in plan(years[root])]
    titles = [a.title for a in split_annexes(read_docx(f.path))]
    assert titles == [["\n".join(a.title)] for a in plan(years[root])]


@pytest.mark.parametrize("root", (MILUO, LONGHUI), ids=lambda r: r.parent.name)
def test_unlabelled_titles_on_two_paragraphs(tmp_path, years, root):
    """An unlabelled annex whose title is typed as two paragraphs, the first without the kind's words
    (“2023年度劳动维权办案专项项目支出” / “绩效自评报告”), is still found."""
    (f,) = write_year(years[root], tmp_path, "one-file", Style(labels="none"))
    assert found(f.path) == [(None, a.kind) for a in plan(years[root])]


def test_an_intake_holds_every_unit_in_folders_or_single_files(tmp_path, years):
    result = write_intake(tmp_path, [MILUO, LONGHUI, EXAMPLE])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汨罗市人力资源和社会保障局2023", "测试县人力资源和社会保障局2024.docx", "隆回县人力资源和社会保障局2024"]
    for root, files in result.items():
        assert all(f.path.is_relative_to(tmp_path) for f in files)
        assert sorted((p.kind, p.project or 0) for f in files for p in f.parts) == sorted((a.kind, a.project or 0) for a in plan(years[root]))
        for f in files:
            assert found(f.path) == [(p.number, p.kind) for p in f.parts]


# --- the layout is a clerk's, not annexgen's ------------------------------------------------------------


@pytest.mark.parametrize("root", (MILUO, LONGHUI), ids=lambda r: r.parent.name)
def test_tables_have_no_vertical_merges_and_uneven_rows(written, root):
    (f,) = written[root, "one-file"]
    xml = body_xml(f.path)
    tables = xml.findall(".//w:tbl", NS)
    assert tables and not xml.findall(".//w:vMerge", NS)
    assert xml.findall(".//w:trPr/w:gridBefore", NS) and xml.findall(".//w:trPr/w:gridAfter", NS)
    for tbl in tables:
        cells_per_row = {len(tr.findall("w:tc", NS)) for tr in tbl.findall("w:tr", NS)}
        assert len(cells_per_row) > 2, "rows of uneven width"
    cells = xml.findall(".//w:tc", NS)
    assert any(len(tc.findall("w:p", NS)) > 1 for tc in cells), "a cell of several paragraphs"
    assert any(len(p.findall("w:r", NS)) > 2 for tc in cells for p in tc.findall("w:p", NS)), "a label typed in several runs"
    assert not xml.findall(".//w:pStyle", NS), "no paragraph styles"


def test_a_label_spans_grid_columns_where_the_form_has_none(written):
    basic = annex(written[MILUO, "per-annex"], "基础数据表").tables[0]
    staff, values = basic.rows[0], basic.rows[1]
    assert (staff[0].col, staff[0].span) == (0, 2) and values[0].col == 2, "label two columns wide; values row starts late"
    overall = annex(written[MILUO, "per-annex"], "部门整体支出绩效自评表").tables[0]
    assert [(c.col, c.span) for c in overall.rows[1][:2]] == [(0, 3), (3, 1)]


def test_plain_style_has_none_of_the_habits(tmp_path, years):
    year = years[MILUO]
    plain = Style(spaced_labels=False, swapped_widths=False, split_runs=False, amounts=False, uneven_rows=False, extra_rows=False)
    f = write_annexes(year, [a for a in plan(year) if a.kind in ("基础数据表", "部门整体支出绩效自评表")], tmp_path / "plain.docx", plain)
    xml = body_xml(f.path)
    assert not xml.findall(".//w:gridBefore", NS) and not xml.findall(".//w:gridAfter", NS)
    assert max(len(p.findall("w:r", NS)) for tc in xml.findall(".//w:tc", NS) for p in tc.findall("w:p", NS)) == 1
    basic, overall = (b for b in read_docx(f.path) if isinstance(b, Table))
    assert {(row[0].col, row[0].span, row[-1].col + row[-1].span) for row in basic.rows} == {(0, 1, 7)}, "every row starts and ends on the grid"
    figures = [c.text for row in _fund_rows(basic) for c in row[1:]]
    funds = [v for triple in _model_fund_rows(year.sub.基础数据表.经费控制情况) for v in triple]
    assert figures == ["" if v is None else format(v, "f") for v in funds]
    grid = overall.grid()
    header, _ = _columns(grid)
    assert any(grid[header + 1]), "no blank row after the header"
    assert not {"指标1", "……"} & {cell for row in grid for cell in row}
    assert ["编制数", "控制率"] == [c.text for c in basic.rows[0] if c.text in ("编制数", "控制率")]


# --- the content is the data's -------------------------------------------------------------------------


def _model_fund_rows(funds) -> list[list]:
    rows = []
    for name in type(funds).model_fields:
        if name == "专项明细":
            rows += [s.金额 for s in funds.专项明细]
        else:
            rows.append(getattr(funds, name) or [None] * 3)
    return rows


def _fund_rows(table: Table) -> list:
    """The rows of the 经费控制情况 block, found by their labels; the form's "......" rows left out."""
    keys = [label_key(row[0].text) if row else "" for row in table.rows]
    start = next(i for i, k in enumerate(keys) if k.startswith("经费控制情况")) + 1
    end = next(i for i, k in enumerate(keys) if k.startswith("楼堂馆所"))
    return [row for row in table.rows[start:end] if row[0].text != "......"]


def _figure(text: str) -> str | None:
    figure = parse_figure(text)
    return None if figure is None else str(figure.value)


@pytest.mark.parametrize("root", (MILUO, LONGHUI), ids=lambda r: r.parent.name)
def test_amounts_are_typed_loosely_but_keep_value_and_decimals(written, years, root):
    rows = _fund_rows(annex(written[root, "per-annex"], "基础数据表").tables[0])
    got = [[_figure(c.text) for c in row[1:]] for row in rows]
    want = [[None if v is None else str(Decimal(v)) for v in triple] for triple in _model_fund_rows(years[root].sub.基础数据表.经费控制情况)]
    assert got == want
    texts = [c.text for row in rows for c in row[1:] if c.text]
    assert any("万元" in t for t in texts) and any(t != t.rstrip() for t in texts) and any("０" <= t[0] <= "９" for t in texts)
    overall = annex(written[root, "per-annex"], "部门整体支出绩效自评表").tables[0]
    line = years[root].sub.整体自评.部门整体支出绩效自评表.年度资金总额
    total = next(row for row in overall.rows if any(label_key(c.text) == "年度资金总额" for c in row))
    assert [_figure(c.text) for c in total[2:5]] == [str(Decimal(v)) for v in (line.年初预算数, line.全年预算数, line.全年执行数)]


def _columns(grid: list[list[str]]) -> tuple[int, dict[str, int]]:
    header = next(i for i, row in enumerate(grid) if "三级指标" in map(label_key, row))
    return header, {label_key(text): c for c, text in enumerate(grid[header])}


@pytest.mark.parametrize("root, kind", [(MILUO, "部门整体支出绩效自评表"), (MILUO, "项目支出绩效自评表"), (LONGHUI, "部门整体支出绩效自评表")])
def test_indicator_texts_are_verbatim_with_a_blank_row_and_template_rows_left_in(written, years, root, kind):
    sub = years[root].sub
    n = 2 if kind == "项目支出绩效自评表" else 0  # project 3 has blank rows after its indicators
    table = annex(written[root, "per-annex"], kind, n).tables[0]
    grid = table.grid()
    header, col = _columns(grid)
    fields = ("三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    rows = [tuple(row[col[f]] for f in fields) for row in grid[header + 1:] if any(row)]
    source = sub.项目[n] if kind == "项目支出绩效自评表" else sub.整体自评.部门整体支出绩效自评表
    indicators = [i for g in source.绩效指标 for s in g.二级指标 for i in s.三级指标]
    show = lambda v: "" if v is None else (format(v, "f") if isinstance(v, Decimal) else str(v))  # noqa: E731
    want = [(show(i.名称), show(i.年度指标值), show(i.实际完成值), show(i.分值), show(i.得分), show(i.偏差原因分析及改进措施)) for i in indicators]
    assert rows[: len(want)] == want
    assert [r[0] for r in rows[len(want): -1]] == ["指标1", "……"], "template rows left in after the last indicator"
    assert not any(grid[header + 1]), "a blank row right after the header"
    blank_rows = sum(1 for row in grid[header + 2:] if not any(row))
    assert blank_rows == sum(i.其后空行 for i in indicators)
    assert label_key(grid[-1][0]) == "总分"


def _flat(blocks) -> list[tuple[str, bool]]:
    out = []
    for block in blocks:
        if isinstance(block, str):
            out.append((block, False))
        else:
            for heading, inner in block.items():
                out += [(heading, True)] + _flat(inner or [])
    return out


@pytest.mark.parametrize("root, kind", [(MILUO, "部门整体支出绩效自评报告"), (MILUO, "项目支出绩效自评报告"), (LONGHUI, "部门整体支出绩效自评报告")])
def test_reports_keep_every_paragraph_headings_bold_without_styles(written, years, root, kind):
    files = written[root, "per-annex"]
    f = next(f for f in files if f.parts[0].kind == kind)
    sub = years[root].sub
    report = sub.项目[0].自评报告 if kind == "项目支出绩效自评报告" else sub.自评报告.部门整体支出绩效自评报告
    want = _flat(report.正文)
    paragraphs = body_xml(f.path).findall(".//w:body/w:p", NS)
    texts = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in paragraphs]
    start = texts.index(want[0][0])
    assert texts[start: start + len(want)] == [t for t, _ in want]
    for p, (_, heading) in zip(paragraphs[start:], want):
        assert bool(p.findall(".//w:rPr/w:b", NS)) == heading
    if report.封面 is not None:
        name = sub.部门.部门名称
        assert any(label_key(t) == label_key(f"部门名称：{name}") for t in texts[:start])
        assert any("10" in t and "17" in t and "年" in t for t in texts[:start])
        assert body_xml(f.path).findall(".//w:br[@w:type='page']", NS)
    if report.附件清单:
        assert [re.sub(r"^(附件：)?\s*\d+\.", "", t) for t in texts[-len(report.附件清单):]] == report.附件清单


def test_checklist_ticks_follow_the_answers(written, years):
    checklist = years[LONGHUI].sub.整体自评.自评基础数据表
    table = annex(written[LONGHUI, "per-annex"], "自评基础数据表").tables[0]
    text = "\n".join(c.text for row in table.rows for c in row)
    checked = 0
    for section_name in type(checklist.实施情况).model_fields:
        section = getattr(checklist.实施情况, section_name)
        for name, info in type(section).model_fields.items():
            value = getattr(section, name)
            if not isinstance(value, bool) or name in ("门户网站", "单位内部", "其它"):
                continue
            line = next(line for line in text.split("\n") if line.startswith(info.alias or name))
            yes, no = ("有", "无") if line[len(info.alias or name) + 1] == "有" else ("是", "否")
            assert bool(re.search(f"{yes}\\s*☑", line)) is value and bool(re.search(f"{no}\\s*☑|☑{no}", line)) is (not value), line
            checked += 1
    answers = [n for s in type(checklist.实施情况).model_fields.values() for n, i in s.annotation.model_fields.items()
               if "bool" in str(i.annotation) and n not in ("门户网站", "单位内部", "其它")]
    assert checked == len(answers) > 25  # every question of the seed is answered, and each was found
    assert "公开时间：预算：2024 年 3 月  11日" in text.split("\n")
    assert [c.text for c in table.rows[0] if c.text][-1] == "131"


def test_signature_lines_below_the_tables_only_where_the_department_signs(written):
    for root, signed in ((MILUO, True), (LONGHUI, False)):
        for kind in ("基础数据表", "部门整体支出绩效自评表"):
            found_annex = annex(written[root, "one-file"], kind)
            after = " ".join(b.text for b in found_annex.blocks if isinstance(b, Paragraph))
            keys = label_key(after)
            assert all(part in keys for part in ("填表人:何克", "填报日期:2024年10月17日", "联系电话:19330096678", "单位负责人签字:易贵明")) is signed
            assert ("填表人" in keys) is signed


def test_clerk_files_are_valid_word_files(written):
    from annexgen.validity import audit

    (f,) = written[LONGHUI, "one-file"]
    assert audit(f.path) == []


# --- LibreOffice ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def office(tmp_path_factory, written):
    """Both seeds in one file each, as .doc (and back to .docx to read them) and through odt: four LibreOffice calls."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is installed by scripts/setup (required in CI)")
    out = tmp_path_factory.mktemp("office")
    sources = []
    for root, name in ((MILUO, "汨罗"), (LONGHUI, "隆回")):
        sources.append(out / f"{name}.docx")
        shutil.copy(written[root, "one-file"][0].path, sources[-1])
    docs = to_doc_all(sources, out / "doc")
    from clerkdocs import convert

    return {"sources": sources, "docs": docs, "docs_back": convert(docs, "docx:MS Word 2007 XML", out / "doc-back"), "odt": via_odt_all(sources, out / "odt")}


def _trimmed_tables(path: Path) -> list[list[list[str]]]:
    """Table grids without trailing spaces (LibreOffice drops those of a cell's last run)."""
    return [[[cell.rstrip(" ") for cell in row] for row in b.grid()] for b in read_docx(path) if isinstance(b, Table)]


def _split(path: Path) -> list[tuple]:
    return [(a.number, a.kind, a.title) for a in split_annexes(read_docx(path))]


@pytest.mark.parametrize("via", ["docs_back", "odt"])
def test_files_through_libreoffice_split_and_read_the_same(office, via):
    for source, converted in zip(office["sources"], office[via]):
        assert converted.exists() and converted.read_bytes() != source.read_bytes()
        assert _split(converted) == _split(source)
        assert _trimmed_tables(converted) == _trimmed_tables(source)
        xml = body_xml(converted)
        assert not xml.findall(".//w:gridBefore", NS), "LibreOffice rewrote the uneven rows as cells"
        assert not xml.findall(".//w:vMerge", NS)


def test_doc_files_are_legacy_word_files(office):
    for doc in office["docs"]:
        assert doc.suffix == ".doc" and doc.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
