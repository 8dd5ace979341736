"""Compiled templates (src/annexgen/compiled.py) make the same bytes as docxtpl rendering each annex afresh.

tests/reference.py is the reference: docxtpl and python-docx as they are, one template read per
annex. The compiled path must be byte-identical to it for every example department-year, every
form set, text with XML's special characters, tabs and line breaks, and templates whose footers
hold tags; its own version of docxtpl's table repair must agree with docxtpl's on any table.
"""

from __future__ import annotations

import copy
import os
import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import reference
from annexgen import compiled as compiled_module
from annexgen.check import review
from annexgen.compiled import compiled
from annexgen.forms import read_form_set
from annexgen.load import load
from annexgen.merge import fix_tables
from annexgen.render import _ENV, annexes, properties, render_all
from helpers import edited_set
from test_build import hostile_year

REPO = Path(__file__).parent.parent
YEARS = sorted(p.parent for p in (REPO / "data").glob("*/*/部门.yaml"))


def jobs(root: Path, trusted=()):
    loaded = load(root)
    _, form_set = review(loaded, trusted)
    sub = loaded.submission
    return [(form_set.template(a), ctx, properties(sub, f"附件{n} {name}")) for a, n, name, ctx in annexes(sub, form_set)]


def same_as_docxtpl(template: Path, ctx: dict, props) -> None:
    ours = compiled(template, _ENV).render(copy.deepcopy(ctx), props)
    theirs = reference.render(template, copy.deepcopy(ctx), props)
    if ours != theirs:
        a, b = zipfile.ZipFile(BytesIO(ours)), zipfile.ZipFile(BytesIO(theirs))
        differ = [n for n in sorted(set(a.namelist()) | set(b.namelist())) if n not in a.namelist() or n not in b.namelist() or a.read(n) != b.read(n)]
        pytest.fail(f"{template.name}: parts differ from docxtpl's: {differ}")


@pytest.mark.parametrize("root", YEARS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_year_matches_docxtpl(root: Path) -> None:
    found = jobs(root)
    assert found
    for template, ctx, props in found:
        same_as_docxtpl(template, ctx, props)


def test_hostile_text_tabs_and_line_breaks_match_docxtpl(tmp_path: Path) -> None:
    """XML's special characters everywhere; tabs and line breaks (docxtpl's resolve_listing) in titles and cells."""
    found = jobs(hostile_year(tmp_path / "d"))
    for template, ctx, props in found:
        ctx = copy.deepcopy(ctx)
        ctx["部门名称"] = "甲\t乙\n丙 & <丁>"
        ctx["标题行"] = [*ctx["标题行"], "第二行\t制表"]
        for row in ctx.get("指标行", []):
            row["偏差"] = "原因：\n1.\t甲\n2.\t乙"
        same_as_docxtpl(template, ctx, props)


def test_footer_with_tags_matches_docxtpl(tmp_path: Path) -> None:
    """A footer holding tags is rendered per annex (a footer without is compressed once)."""
    sets = edited_set(tmp_path, "汨罗")
    template = sets / "汨罗" / "附件2-部门整体支出绩效自评表.docx"
    with zipfile.ZipFile(template) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    footer = parts["word/footer1.xml"].decode("utf-8")
    assert "— </w:t>" in footer
    parts["word/footer1.xml"] = footer.replace("— </w:t>", "{{ 部门名称 }}\t{{ 附件号 }} — </w:t>", 1).encode("utf-8")
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    found = [j for j in jobs(REPO / "data" / "miluo-hrss" / "2023", trusted=[sets]) if j[0] == template]
    assert len(found) == 1
    ours = compiled(template, _ENV)
    assert [p.name for p in ours._parts] == ["word/footer1.xml"]  # the other footer has no tags: compressed once
    same_as_docxtpl(*found[0])
    text = zipfile.ZipFile(BytesIO(ours.render(copy.deepcopy(found[0][1]), found[0][2]))).read("word/footer1.xml").decode("utf-8")
    assert "汨罗市人力资源和社会保障局" in text and "<w:tab/>" in text


def test_compiled_once_per_process_and_again_when_the_file_changes(tmp_path: Path) -> None:
    template = tmp_path / "t.docx"
    shutil.copy(REPO / "templates" / "汨罗" / "附件4-部门整体支出绩效自评报告.docx", template)
    first = compiled(template, _ENV)
    assert compiled(template, _ENV) is first
    with zipfile.ZipFile(template, "a") as z:  # an edit in Word: the file's size and time change
        z.writestr("customXml/item9.xml", "<a/>")
    os.utime(template, ns=(1, 1))
    assert compiled(template, _ENV) is not first


def test_a_batch_renders_the_same_twice(tmp_path: Path) -> None:
    """Rendering reuses compiled parts across annexes and years: nothing of one annex leaks into the next."""
    loaded = load(REPO / "data" / "miluo-hrss" / "2023")
    _, form_set = review(loaded)
    first = [d.data for d in render_all(loaded.submission, form_set)]
    other = load(REPO / "data" / "example-county" / "2024")
    _, other_set = review(other)
    render_all(other.submission, other_set)
    assert [d.data for d in render_all(loaded.submission, form_set)] == first


# --- docxtpl's table repair ---------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def table_xml(grid: list[int], rows: list[list[int]]) -> str:
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    body = ""
    for row in rows:
        spans = [f'<w:gridSpan w:val="{s}"/>' if s > 1 else "" for s in row]
        cells = "".join(f"<w:tc><w:tcPr>{span}</w:tcPr><w:p/></w:tc>" for span in spans)
        body += f"<w:tr>{cells}</w:tr>"
    return f'<w:body xmlns:w="{W}"><w:tbl><w:tblGrid>{cols}</w:tblGrid>{body}</w:tbl><w:p/></w:body>'


@settings(max_examples=150, deadline=None)
@given(
    grid=st.lists(st.integers(100, 5000), min_size=1, max_size=8),
    rows=st.lists(st.lists(st.integers(1, 3), min_size=0, max_size=10), min_size=0, max_size=6),
)
def test_table_repair_is_docxtpls(grid: list[int], rows: list[list[int]]) -> None:
    xml = table_xml(grid, rows)
    theirs = DocxTemplate.fix_tables(None, xml)
    ours = etree.fromstring(xml)
    fix_tables(ours)
    assert etree.tostring(ours) == etree.tostring(theirs)
