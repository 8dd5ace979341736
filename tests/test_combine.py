"""--combine (issue 12): every annex in one document, in order, each with its own page setup and footers.

`combine.compose` joins the annexes of the built-in sets at the XML level; an edited set whose templates
differ falls back to docxcompose. Both are checked for what a reader and Word see: openxml-audit finds
nothing, LibreOffice prints as many pages as the annexes printed one by one, the text is the annexes'
text in order, every section has its annex's page size, margins and footers, and every relationship
resolves. Inputs are the seeds' rendered annexes, some with a page setup, a footer, lists, pictures or
bookmarks added to show each is carried over.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from conftest import audit_bytes
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION_START
from extract import extract_text
from helpers import edited_set
from lxml import etree

from annexgen.check import review
from annexgen.combine import Unsupported, combine, compose, with_docxcompose
from annexgen.load import load
from annexgen.render import properties, render_all

REPO = Path(__file__).parent.parent
SEEDS = ["miluo-hrss/2023", "longhui-hrss/2024", "jinzhai-meili/2023", "guichi-tangxi/2022"]  # 汨罗, 隆回, 全国 ×2
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"


@functools.cache
def seed(name: str, forms: Path | None = None) -> tuple[tuple[bytes, ...], object]:
    """The seed's annexes as rendered for a build (bytes, in order) and the combined file's properties."""
    loaded = load(REPO / "data" / name)
    findings, form_set = review(loaded, [forms] if forms else [])
    assert form_set is not None, [f.text() for f in findings]
    if forms:
        assert form_set.folder.is_relative_to(forms)
    return tuple(d.data for d in render_all(loaded.submission, form_set)), properties(loaded.submission, "全部附件")


def rezip(data: bytes, changes: dict) -> bytes:
    """The .docx with some parts changed: part name → new bytes, or a function of the old bytes."""
    src = zipfile.ZipFile(BytesIO(data))
    parts = {n: src.read(n) for n in src.namelist()}
    for name, change in changes.items():
        parts[name] = change(parts.get(name, b"")) if callable(change) else change
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def xml(data: bytes, part: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(BytesIO(data)).read(part))


def text(data: bytes, tmp: Path) -> str:
    path = tmp / f"t{len(list(tmp.glob('t*.docx')))}.docx"
    path.write_bytes(data)
    return extract_text(path)


def resolve(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationship ids → target part names (or external addresses)."""
    folder, name = part.rsplit("/", 1) if "/" in part else ("", part)
    rels = f"{folder}/_rels/{name}.rels".lstrip("/")
    if rels not in z.namelist():
        return {}
    out = {}
    for r in etree.fromstring(z.read(rels)).iter(f"{{{PKG}}}Relationship"):
        ext = r.get("TargetMode") == "External"
        out[r.get("Id")] = r.get("Target") if ext else os.path.normpath(os.path.join(folder, r.get("Target")))
    return out


def sections(data: bytes) -> list[dict]:
    """Each section's page setup (pgSz, pgMar, cols as XML), start, and header/footer contents by type."""
    z = zipfile.ZipFile(BytesIO(data))
    rels = resolve(z, "word/document.xml")
    out = []
    for s in xml(data, "word/document.xml").iter(f"{{{W}}}sectPr"):
        setup = b"".join(etree.tostring(s.find(f"{{{W}}}{t}")) for t in ("pgSz", "pgMar", "cols") if s.find(f"{{{W}}}{t}") is not None)
        kind = s.find(f"{{{W}}}type")
        refs = {(etree.QName(r).localname, r.get(f"{{{W}}}type")): z.read(rels[r.get(f"{{{R}}}id")]) for r in s if etree.QName(r).localname in ("headerReference", "footerReference")}
        out.append({"setup": setup, "type": None if kind is None else kind.get(f"{{{W}}}val"), "refs": refs})
    return out


def check_joined(docs: list[bytes], joined: bytes, tmp: Path) -> None:
    """What every combined file must be: valid, the annexes' text in order, their sections, resolved relationships."""
    assert audit_bytes(joined) == []
    expected = "".join(text(d, tmp) for d in docs)
    got = text(joined, tmp)
    assert got.replace("\n", "") == expected.replace("\n", "")  # an annex ending in a table gains an empty paragraph
    assert got.count("\n") - expected.count("\n") <= len(docs) - 1
    joined_sections = sections(joined)
    expected_sections = [s for d in docs for s in sections(d)]
    assert [s["setup"] for s in joined_sections] == [s["setup"] for s in expected_sections]
    assert [s["refs"] for s in joined_sections] == [s["refs"] for s in expected_sections]
    firsts = [sum(len(sections(d)) for d in docs[:k]) for k in range(1, len(docs))]
    assert all(joined_sections[i]["type"] in (None, "nextPage", "oddPage", "evenPage") for i in firsts)
    z = zipfile.ZipFile(BytesIO(joined))
    names = set(z.namelist())
    types = xml(joined, "[Content_Types].xml")
    defaults = {e.get("Extension") for e in types.iter(f"{{{CT}}}Default")}
    overrides = {e.get("PartName").lstrip("/") for e in types.iter(f"{{{CT}}}Override")}
    for part in names:
        assert part == "[Content_Types].xml" or part in overrides or part.rsplit(".", 1)[-1] in defaults, part
        if not part.endswith(".xml"):
            continue
        rels = resolve(z, part)
        for el in etree.fromstring(z.read(part)).iter():
            for attr, value in el.attrib.items():
                if attr.startswith(f"{{{R}}}"):
                    assert value in rels, (part, attr, value)
        assert all(t in names for rid, t in rels.items() if not t.startswith(("http:", "https:", "mailto:"))), (part, rels)
    assert overrides <= names


@pytest.mark.parametrize("name", SEEDS)
def test_built_in_sets_join_at_the_xml_level(name: str, tmp_path: Path) -> None:
    docs, props = seed(name)
    joined = compose(docs, props)
    assert combine(docs, props) == joined
    check_joined(list(docs), joined, tmp_path)
    assert len(sections(joined)) == len(docs)
    assert zipfile.ZipFile(BytesIO(joined)).read("docProps/core.xml") == props.xml()


def test_same_annexes_same_bytes() -> None:
    docs, props = seed("miluo-hrss/2023")
    again = [bytes(d) for d in docs]  # other objects, same bytes
    assert combine(docs, props) == combine(again, props)
    fallback = [docs[0], rezip(docs[1], {"word/styles.xml": lambda s: s.replace(b'w:val="21"', b'w:val="24"')})]
    assert combine(fallback, props) == combine(fallback, props)


def test_styles_are_the_union_of_the_annexes(tmp_path: Path) -> None:
    """The report annexes have styles (一级标题, 正文) the tables have not: every one is in the combined file."""
    docs, props = seed("miluo-hrss/2023")
    ids = [{s.get(f"{{{W}}}styleId") for s in xml(d, "word/styles.xml").iter(f"{{{W}}}style")} for d in docs]
    assert len({frozenset(i) for i in ids}) > 1
    joined = {s.get(f"{{{W}}}styleId") for s in xml(compose(docs, props), "word/styles.xml").iter(f"{{{W}}}style")}
    assert joined == set().union(*ids)


def page(w: int, h: int, orient: bytes, margins: bytes):
    """document.xml's first page size and margins replaced."""
    return lambda doc: re.sub(rb"<w:pgSz[^>]*/><w:pgMar[^>]*/>", b'<w:pgSz w:w="%d" w:h="%d" w:orient="%s"/>%s' % (w, h, orient, margins), doc, count=1)


def varied(docs: tuple[bytes, ...]) -> list[bytes]:
    """Four annexes: a landscape one with its own margins, one with its own footer, one starting "continuous"."""
    landscape = page(16838, 11906, b"landscape", b'<w:pgMar w:top="1000" w:right="1200" w:bottom="1000" w:left="1400" w:header="500" w:footer="600" w:gutter="0"/>')
    footer = lambda f: f.replace(b"\xe2\x80\x94 </w:t>", "第 ".encode() + b"</w:t>")  # "— 1 —" → "第 1 —"
    continuous = lambda d: d.replace(b"<w:pgSz", b'<w:type w:val="continuous"/><w:pgSz', 1)
    return [docs[0], rezip(docs[1], {"word/document.xml": landscape}), rezip(docs[2], {"word/footer1.xml": footer}), rezip(docs[3], {"word/document.xml": continuous})]


def test_each_annex_keeps_its_page_setup_and_footers(tmp_path: Path) -> None:
    docs, props = seed("miluo-hrss/2023")
    mixed = varied(docs)
    joined = compose(mixed, props)
    check_joined(mixed, joined, tmp_path)
    got = Document(BytesIO(joined)).sections
    assert [s.orientation for s in got] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT, WD_ORIENT.PORTRAIT]
    assert got[1].left_margin == Document(BytesIO(mixed[1])).sections[0].left_margin != got[0].left_margin
    assert got[3].start_type == WD_SECTION_START.NEW_PAGE
    footers = [s.footer.paragraphs[0].text for s in got]
    assert footers[2].startswith("第") and not footers[1].startswith("第") and not footers[3].startswith("第")
    assert len([n for n in zipfile.ZipFile(BytesIO(joined)).namelist() if re.fullmatch(r"word/footer\d+\.xml", n)]) == 3
    # today's docxcompose join keeps the first annex's page setup for all: why it is only the fallback
    assert [s.orientation for s in Document(BytesIO(with_docxcompose(mixed, props))).sections] == [WD_ORIENT.PORTRAIT]


def png(r: int, g: int, b: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(bytes([0, r, g, b]))) + chunk(b"IEND", b"")


PICTURE = (
    '<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="91440" cy="91440"/>'
    '<wp:docPr id="1" name="图片 1"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="0" name="p.png"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="rIdPic"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="91440" cy="91440"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
    "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
)


def with_extras(doc: bytes, colour: tuple[int, int, int]) -> bytes:
    """The annex with a picture, a bookmark and a paragraph id in its first paragraph (the same ids in every annex)."""

    def body(d: bytes) -> bytes:
        d = d.replace(b"<w:p>", b'<w:p w14:paraId="0000000A" w14:textId="77777777">', 1)
        extra = '<w:bookmarkStart w:id="0" w:name="附件开头"/>' + PICTURE + '<w:bookmarkEnd w:id="0"/>'
        return re.sub(rb"(</w:pPr>)", lambda m: m.group(1) + extra.encode(), d, count=1)

    rel = b'<Relationship Id="rIdPic" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>'
    return rezip(doc, {
        "word/document.xml": body,
        "word/media/image1.png": png(*colour),
        "word/_rels/document.xml.rels": lambda r: r.replace(b"</Relationships>", rel + b"</Relationships>"),
        "[Content_Types].xml": lambda t: t.replace(b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1),
    })


def test_pictures_are_carried_and_ids_made_unique(tmp_path: Path) -> None:
    docs, props = seed("miluo-hrss/2023")
    mixed = [with_extras(docs[0], (255, 0, 0)), with_extras(docs[1], (255, 0, 0)), with_extras(docs[2], (0, 0, 255))]
    joined = compose(mixed, props)
    check_joined(mixed, joined, tmp_path)
    z = zipfile.ZipFile(BytesIO(joined))
    assert sorted(n for n in z.namelist() if n.startswith("word/media/")) == ["word/media/image1.png", "word/media/image2.png"]  # the red one shared
    doc = z.read("word/document.xml")
    for pattern in (rb'<wp:docPr id="(\d+)"', rb'w14:paraId="(\w+)"', rb'<w:bookmarkStart w:id="(\d+)"', 'w:name="(附件开头[^"]*)"'.encode()):
        found = re.findall(pattern, doc)
        assert len(found) == 3 and len(set(found)) == 3, (pattern, found)
    assert int(max(re.findall(rb'w14:paraId="(\w+)"', doc)), 16) < 0x80000000


NUMBERING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:numbering xmlns:w="{W}">'
    '<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%1）"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
    '<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>'
).encode()
LISTED_STYLE = b'<w:style w:type="paragraph" w:customStyle="1" w:styleId="ListedHeading"><w:name w:val="Listed Heading"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>'


def with_lists(doc: bytes, items: int) -> bytes:
    """The annex with a numbered list (numId 1, direct) and headings numbered by their style (numId 2) at its end."""
    paragraphs = b"".join(
        b'<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>item%d</w:t></w:r></w:p>'
        b'<w:p><w:pPr><w:pStyle w:val="ListedHeading"/></w:pPr><w:r><w:t>head%d</w:t></w:r></w:p>' % (i, i)
        for i in range(items)
    )
    rel = b'<Relationship Id="rIdNum" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>'
    numbering_type = b"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
    return rezip(doc, {
        "word/document.xml": lambda d: d.replace(b"<w:sectPr", paragraphs + b"<w:sectPr", 1),
        "word/numbering.xml": NUMBERING,
        "word/styles.xml": lambda s: s.replace(b"</w:styles>", LISTED_STYLE + b"</w:styles>"),
        "word/_rels/document.xml.rels": lambda r: r.replace(b"</Relationships>", rel + b"</Relationships>"),
        "[Content_Types].xml": lambda t: t.replace(b"</Types>", b'<Override PartName="/word/numbering.xml" ContentType="%s"/></Types>' % numbering_type),
    })


def test_lists_restart_in_each_annex(tmp_path: Path) -> None:
    docs, props = seed("miluo-hrss/2023")
    listed = [with_lists(docs[0], 3), with_lists(docs[1], 2)]
    joined = compose(listed, props)
    check_joined(listed, joined, tmp_path)
    numbering = xml(joined, "word/numbering.xml")
    nums = {n.get(f"{{{W}}}numId"): n for n in numbering.iter(f"{{{W}}}num")}
    doc = zipfile.ZipFile(BytesIO(joined)).read("word/document.xml")
    second = doc[doc.index("附件2".encode()) :]
    direct = set(re.findall(rb'<w:numId w:val="(\d+)"/>', second))
    assert len(direct) == 2 and not direct & {b"1", b"2"}  # both lists on new ids in the second annex
    for num_id in direct:
        num = nums[num_id.decode()]
        start = num.find(f"{{{W}}}lvlOverride/{{{W}}}startOverride")
        assert start is not None and start.get(f"{{{W}}}val") == "1"
    assert set(re.findall(rb'<w:numId w:val="(\d+)"/>', doc[: doc.index("附件2".encode())])) == {b"1"}
    if TOOLS:  # as printed: each annex counts from （1） and 一、
        text = convert([_write(tmp_path / "lists.docx", joined)], "txt:Text", tmp_path)[0].read_text(encoding="utf-8-sig")
        assert re.findall(r"（(\d)）\s*item", text) == ["1", "2", "3", "1", "2"]
        assert re.findall(r"(\S)、\s*head", text) == ["一", "二", "三", "一", "二"]


def test_a_set_whose_templates_differ_falls_back_to_docxcompose(tmp_path: Path) -> None:
    """A template edited on its own (a style changed in 附件2 only) cannot share styles.xml: docxcompose joins them."""
    sets = edited_set(tmp_path, "汨罗")
    template = next((sets / "汨罗").glob("附件2*.docx"))
    styles = zipfile.ZipFile(template).read("word/styles.xml")
    assert b'w:styleId="\xe8\xa1\xa8\xe6\xa0\xbc\xe6\x96\x87\xe5\xad\x97"' in styles  # 表格文字
    template.write_bytes(rezip(template.read_bytes(), {"word/styles.xml": styles.replace(b'<w:sz w:val="21"/>', b'<w:sz w:val="24"/>')}))
    docs, props = seed("miluo-hrss/2023", sets)
    with pytest.raises(Unsupported):
        compose(docs, props)
    joined = combine(docs, props)
    assert joined == with_docxcompose(docs, props)
    assert audit_bytes(joined) == []
    assert text(joined, tmp_path).replace("\n", "") == "".join(text(d, tmp_path) for d in docs).replace("\n", "")


def test_one_annex(tmp_path: Path) -> None:
    docs, props = seed("jinzhai-meili/2023")
    assert len(docs) == 1
    check_joined(list(docs), compose(docs, props), tmp_path)


# --- LibreOffice: the combined file prints as many pages as its annexes one by one -------------------

TOOLS = bool(shutil.which("soffice") and shutil.which("pdfinfo"))
if not TOOLS and os.environ.get("CI"):
    raise RuntimeError("CI needs LibreOffice (soffice) and poppler (pdfinfo): run scripts/setup")


def convert(files: list[Path], target: str, out: Path) -> list[Path]:
    profile = out / "lo-profile"
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target, "--outdir", str(out / "converted"), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    return [out / "converted" / (f.stem + "." + target.split(":")[0]) for f in files]


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.skipif(not TOOLS, reason="LibreOffice or pdfinfo not installed (scripts/setup installs them)")
def test_libreoffice_prints_as_many_pages_as_the_annexes(tmp_path: Path) -> None:
    groups = {name.split("/")[0]: seed(name) for name in SEEDS}
    docs, props = seed("miluo-hrss/2023")
    groups["varied"] = (varied(docs), props)
    files, wanted = [], {}
    for label, (annexes, p) in groups.items():
        parts = [_write(tmp_path / f"{label}-{i:02d}.docx", d) for i, d in enumerate(annexes)]
        whole = _write(tmp_path / f"{label}-combined.docx", combine(list(annexes), p))
        files += [*parts, whole]
        wanted[label] = (parts, whole)
    pdfs = dict(zip(files, convert(files, "pdf", tmp_path)))
    counted = {label: (sum(pages(pdfs[p]) for p in parts), pages(pdfs[whole])) for label, (parts, whole) in wanted.items()}
    assert all(one_by_one == together for one_by_one, together in counted.values()), counted
    assert counted["miluo-hrss"][0] > len(groups["miluo-hrss"][0])  # the reports run over several pages


# --- the section break's place, on body fragments -------------------------------------------------

SECT = b'<w:sectPr><w:pgSz w:w="1" w:h="2"/></w:sectPr>'


@pytest.mark.parametrize(
    ("inner", "joined"),
    [
        (b"<w:p><w:r><w:t>a</w:t></w:r></w:p>", b"<w:p><w:pPr>" + SECT + b"</w:pPr><w:r><w:t>a</w:t></w:r></w:p>"),
        (b'<w:p w14:paraId="1"><w:pPr/></w:p>', b'<w:p w14:paraId="1"><w:pPr>' + SECT + b"</w:pPr></w:p>"),
        # after the paragraph mark's run properties, before a revision of the paragraph's properties
        (b"<w:p><w:pPr><w:jc w:val=\"center\"/><w:rPr><w:b/></w:rPr></w:pPr></w:p>", b'<w:p><w:pPr><w:jc w:val="center"/><w:rPr><w:b/></w:rPr>' + SECT + b"</w:pPr></w:p>"),
        (b'<w:p><w:pPr><w:pPrChange w:id="1"><w:pPr/></w:pPrChange></w:pPr></w:p>', b"<w:p><w:pPr>" + SECT + b'<w:pPrChange w:id="1"><w:pPr/></w:pPrChange></w:pPr></w:p>'),
        # a table last, or a paragraph that ends a section already: a paragraph of its own
        (b"<w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>", b"<w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl><w:p><w:pPr>" + SECT + b"</w:pPr></w:p>"),
        (b"<w:p><w:pPr><w:sectPr/></w:pPr></w:p>", b"<w:p><w:pPr><w:sectPr/></w:pPr></w:p><w:p><w:pPr>" + SECT + b"</w:pPr></w:p>"),
        # a text box's paragraphs inside the last paragraph: the outer one takes the break
        (b"<w:p><w:r><w:txbxContent><w:p><w:r/></w:p></w:txbxContent></w:r></w:p>", b"<w:p><w:pPr>" + SECT + b"</w:pPr><w:r><w:txbxContent><w:p><w:r/></w:p></w:txbxContent></w:r></w:p>"),
    ],
)
def test_the_section_break_goes_into_the_last_paragraph(inner: bytes, joined: bytes) -> None:
    from annexgen.combine_xml import end_section

    assert end_section(inner, SECT) == joined


def test_an_annex_starting_continuous_starts_on_a_new_page() -> None:
    from annexgen.combine_xml import new_page

    continuous = b'<w:sectPr><w:type w:val="continuous"/></w:sectPr>'
    assert new_page(b"<w:p/>", continuous) == (b"<w:p/>", b'<w:sectPr><w:type w:val="nextPage"/></w:sectPr>')
    inner, sect = new_page(b"<w:p><w:pPr>" + continuous + b"</w:pPr></w:p>", continuous)  # its first section is in a paragraph
    assert b"nextPage" in inner and sect == continuous
    odd = b'<w:sectPr><w:type w:val="oddPage"/></w:sectPr>'
    assert new_page(b"<w:p/>", odd) == (b"<w:p/>", odd)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.replace(b"<w:body>", b'<w:body><w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p>', 1),  # notes
        lambda d: d.replace(b"<w:body>", b'<w:body><w:p xmlns:w="urn:other"/>', 1),  # w: bound to another namespace
        lambda d: d.replace(b"</w:sectPr></w:body>", b"</w:sectPr><w:p/></w:body>"),  # no final section properties
    ],
)
def test_what_the_xml_join_does_not_handle_goes_to_docxcompose(change) -> None:
    docs, props = seed("miluo-hrss/2023")
    odd = rezip(docs[1], {"word/document.xml": change})
    with pytest.raises(Unsupported):
        compose([docs[0], odd], props)


def test_text_that_looks_like_markup_is_left_alone(tmp_path: Path) -> None:
    """A clerk's text may hold `r:id="rId9"` or `w14:paraId="…"` (quotes stay unescaped in text): it is text, not an id."""
    docs, props = seed("miluo-hrss/2023")
    said = ' 见 r:id="rId9" 与 w14:paraId="0000000A" '
    marked = [with_extras(docs[0], (9, 9, 9)), rezip(with_extras(docs[1], (9, 9, 9)), {"word/document.xml": lambda d: d.replace(b"<w:t>", f"<w:t xml:space=\"preserve\">{said}".encode(), 1)})]
    joined = compose(marked, props)
    check_joined(marked, joined, tmp_path)
    assert said in text(joined, tmp_path)
