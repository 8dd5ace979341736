"""Files Microsoft Word opens without repair: openxml-audit over full builds, the causes fixed, forms check.

conftest.py audits every .docx any test builds; the tests here build each
department-year of data/ in full on purpose, and pin each cause that made Word
offer a repair before.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from typer.testing import CliRunner

from annexgen.build import build
from annexgen.cli import app
from annexgen.conform import conform
from annexgen.forms import BUILTIN
from annexgen.load import find_department_years
from annexgen.validity import audit

REPO = Path(__file__).parent.parent
YEARS = find_department_years(REPO / "data")
runner = CliRunner()


def parts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(docx: Path, new: dict[str, bytes]) -> None:
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in new.items():
            z.writestr(name, data)


@pytest.mark.parametrize("root", YEARS, ids=[str(y.relative_to(REPO / "data")) for y in YEARS])
def test_every_file_of_a_full_build_is_valid(tmp_path: Path, root: Path) -> None:
    result = build(root, tmp_path, combine=True)
    assert not result.stopped and any("全部附件" in p.name for p in result.written)
    findings = {p.name: audit(p) for p in result.written}
    assert findings and not any(findings.values()), {k: [f.text() for f in v] for k, v in findings.items() if v}


def test_templates_of_every_builtin_set_are_valid() -> None:
    templates = sorted(BUILTIN.glob("*/*.docx"))
    assert len(templates) == 11  # 汨罗 5, 隆回 4, 全国 2
    assert {t.name: [f.text() for f in audit(t)] for t in templates} == {t.name: [] for t in templates}


def test_core_properties_keep_their_namespace_after_docxcompose(tmp_path: Path) -> None:
    """docxcompose rebinds python-docx's "cp" prefix to custom-properties: the properties must not follow it."""
    import docxcompose.composer  # noqa: F401 — the import that rebinds the prefix map
    from docx.oxml.ns import nsmap

    assert nsmap["cp"].endswith("custom-properties")  # the trap is set
    result = build(REPO / "data" / "miluo-hrss" / "2023", tmp_path, combine=True)
    core_ns = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    allowed = {core_ns, "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"}
    for docx in result.written:
        root = etree.fromstring(parts(docx)["docProps/core.xml"])
        assert etree.QName(root).namespace == core_ns
        names = [etree.QName(el) for el in root]
        assert {n.namespace for n in names} <= allowed, docx.name
        assert {n.localname for n in names if n.namespace == core_ns} == {"lastModifiedBy", "revision"}


def test_no_styles_with_effects_even_from_a_template_that_has_one(tmp_path: Path) -> None:
    """Word 2010 saves stylesWithEffects.xml; once a build merges styles it is stale, so it is never written."""
    data = tmp_path / "县" / "2023"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", data)
    folder = tmp_path / "县" / "templates" / "汨罗"
    shutil.copytree(BUILTIN / "汨罗", folder)
    for template in folder.glob("*.docx"):
        p = parts(template)
        p["word/stylesWithEffects.xml"] = p["word/styles.xml"]
        p["word/_rels/document.xml.rels"] = p["word/_rels/document.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects" Target="stylesWithEffects.xml"/></Relationships>'
        )
        p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/word/stylesWithEffects.xml" ContentType="application/vnd.ms-word.stylesWithEffects+xml"/></Types>'
        )
        rezip(template, p)
    result = build(data, tmp_path / "out", combine=True)
    assert len(result.written) == 12
    for docx in result.written:
        p = parts(docx)
        assert "word/stylesWithEffects.xml" not in p and b"stylesWithEffects" not in p["[Content_Types].xml"] + p["word/_rels/document.xml.rels"]


def test_builtin_templates_keep_only_the_styles_they_use() -> None:
    """Trimmed to the used styles and their bases; Word's latent-style list is kept whole."""
    for template in sorted(BUILTIN.glob("*/*.docx")):
        doc = Document(str(template))
        styles = doc.styles.element
        ids = [s.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}styleId") for s in styles.findall(".//w:style", styles.nsmap)]
        assert len(ids) <= 14, (template.name, ids)
        assert "Heading1" not in ids and "LightShading" not in ids
        latent = styles.find("w:latentStyles", styles.nsmap)
        exceptions = [e.get(f"{{{styles.nsmap['w']}}}name") for e in latent]
        assert len(exceptions) == len(set(exceptions)) == 137 and "heading 1" in exceptions
        assert int(latent.get(f"{{{styles.nsmap['w']}}}count")) >= len(exceptions)
        names = set(parts(template))
        assert not names & {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "word/numbering.xml", "customXml/item1.xml"}, template.name


def test_conform_respells_what_libreoffice_writes() -> None:
    doc = Document(str(BUILTIN / "汨罗" / "附件2-部门整体支出绩效自评表.docx"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    cant = list(doc.element.iter(f"{w}cantSplit"))
    assert cant
    for el, val in zip(cant, ["true", "1", "false", "0", "on"] * len(cant)):
        el.set(f"{w}val", val)
    conform(doc)
    assert [el.get(f"{w}val") for el in cant][:5] == ["on", "on", "off", "off", "on"]


def _county_set(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "县" / "2023"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", data)
    runner.invoke(app, ["forms", "new", "某县", "--from", "汨罗", "--to", str(tmp_path / "表样")], catch_exceptions=False)
    return data, tmp_path / "表样" / "某县" / "附件2-部门整体支出绩效自评表.docx"


def test_forms_check_names_the_part_and_element_of_a_stray_element(tmp_path: Path) -> None:
    data, template = _county_set(tmp_path)
    p = parts(template)
    # w:tblStyle must come first in w:tblPr; an editor that appends it puts it out of order
    p["word/document.xml"] = p["word/document.xml"].replace(b"<w:tblPr>", b'<w:tblPr><w:jc w:val="center"/><w:tblStyle w:val="TableGrid"/>', 1)
    rezip(template, p)
    r = runner.invoke(app, ["forms", "check", "某县", "--forms", str(template.parent.parent)])
    assert r.exit_code == 1
    assert f"{template}: word/document.xml 表格1: 错误: <tblStyle> 不符合 Word 文件格式（Unexpected element 'tblStyle' found）" in r.stdout, r.stdout


def test_forms_check_and_build_name_a_broken_relationship(tmp_path: Path) -> None:
    data, template = _county_set(tmp_path)
    p = parts(template)
    del p["word/footer1.xml"]
    rezip(template, p)
    expected = f"{template}: 错误: 模板中 word/_rels/document.xml.rels 的关系"
    r = runner.invoke(app, ["forms", "check", "某县", "--forms", str(template.parent.parent)])
    assert r.exit_code == 1 and expected in r.stdout + r.stderr and "footer1.xml 不存在" in r.stdout + r.stderr, r.stdout + r.stderr
    (data / "部门.yaml").write_text((data / "部门.yaml").read_text(encoding="utf-8").replace("表样: 汨罗", "表样: 某县"), encoding="utf-8")
    r = runner.invoke(app, ["build", str(data), "-o", str(tmp_path / "out"), "--forms", str(template.parent.parent)])
    assert r.exit_code == 1 and expected in r.stderr and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert not (tmp_path / "out").exists()


def test_forms_check_names_a_reference_to_a_missing_relationship(tmp_path: Path) -> None:
    data, template = _county_set(tmp_path)
    p = parts(template)
    doc_xml = p["word/document.xml"]
    start = doc_xml.index(b'w:footerReference w:type="default" r:id="') + len(b'w:footerReference w:type="default" r:id="')
    p["word/document.xml"] = doc_xml[:start] + b"rId99" + doc_xml[doc_xml.index(b'"', start) :]
    rezip(template, p)
    r = runner.invoke(app, ["forms", "check", "某县", "--forms", str(template.parent.parent)])
    assert r.exit_code == 1
    assert f"{template}: word/document.xml 页面设置: 错误: <id> 不符合 Word 文件格式（The relationship 'rId99' referenced by attribute 'id' does not exist.）" in r.stdout, r.stdout
