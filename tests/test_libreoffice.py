"""LibreOffice, the Word-compatible client here, opens and converts every built annex.

Needs `soffice` and `pdfinfo` (scripts/setup installs them). Skipped on a
developer machine without them; in CI (CI=true) their absence is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from annexgen.build import build
from test_build import HOSTILE, hostile_year

REPO = Path(__file__).parent.parent
TOOLS = shutil.which("soffice") and shutil.which("pdfinfo")
if not TOOLS:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs LibreOffice (soffice) and poppler (pdfinfo): run scripts/setup")
    pytest.skip("LibreOffice or pdfinfo not installed (scripts/setup installs them)", allow_module_level=True)


def convert(files: list[Path], target: str, out: Path) -> list[Path]:
    profile = out / "lo-profile"
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target, "--outdir", str(out / "converted"), *map(str, files)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    ext = target.split(":")[0]
    return [out / "converted" / (f.stem + "." + ext) for f in files]


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


# page counts a reader of the seed would expect: tables 1–4 pages, reports 2–12, all together 20–60
PLAUSIBLE = {"附件1": (1, 4), "附件2": (1, 4), "附件3": (1, 4), "附件4": (2, 12), "附件5": (2, 12)}


def test_every_miluo_annex_converts_to_pdf(tmp_path: Path) -> None:
    result = build(REPO / "data" / "miluo-hrss" / "2023", tmp_path / "out", combine=True)
    pdfs = convert(result.written, "pdf", tmp_path)
    total = 0
    for docx, pdf in zip(result.written, pdfs):
        assert pdf.is_file(), f"LibreOffice did not convert {docx.name}"
        n = pages(pdf)
        if "全部附件" in docx.name:
            assert 20 <= n <= 60, (docx.name, n)
            combined = n
            continue
        lo, hi = PLAUSIBLE[docx.name.split(" ")[0].split("-")[0]]
        assert lo <= n <= hi, (docx.name, n)
        total += n
    assert combined >= total - 2  # each annex starts on its own page in the combined document


def test_every_longhui_annex_converts_to_pdf(tmp_path: Path) -> None:
    result = build(REPO / "data" / "longhui-hrss" / "2024", tmp_path / "out")
    expected = {"附件3": (5, 16), "附件3-附1": (1, 3), "附件4-1": (1, 4), "附件4-2": (1, 6)}
    pdfs = convert(result.written, "pdf", tmp_path)
    assert sorted(p.name.split(" ")[0] for p in result.written) == sorted(expected)
    for docx, pdf in zip(result.written, pdfs):
        lo, hi = expected[docx.name.split(" ")[0]]
        assert pdf.is_file() and lo <= pages(pdf) <= hi, (docx.name, pdf.is_file() and pages(pdf))


def test_libreoffice_reads_escaped_text_intact(tmp_path: Path) -> None:
    result = build(hostile_year(tmp_path / "data"), tmp_path / "out")
    for docx, txt in zip(result.written, convert(result.written, "txt:Text", tmp_path)):
        text = txt.read_text(encoding="utf-8-sig")
        assert HOSTILE in text, docx.name


def test_templates_saved_by_libreoffice_still_build(tmp_path: Path) -> None:
    """A user opens the form set in a word processor and saves it: the build reads the same."""
    from extract import extract_text

    saved = tmp_path / "templates" / "汨罗"
    shutil.copytree(REPO / "templates" / "汨罗", saved)
    docx = sorted(saved.glob("*.docx"))
    resaved = convert(docx, 'docx:MS Word 2007 XML', tmp_path)
    for original, new in zip(docx, resaved):
        assert new.read_bytes() != original.read_bytes()
        shutil.copy(new, original)
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", data)
    from annexgen.forms import find_form_set

    trusted = [saved.parent]  # as given with --forms
    assert find_form_set("汨罗", trusted).folder == saved
    mine = build(data, tmp_path / "out", trusted=trusted)
    reference = build(REPO / "data" / "miluo-hrss" / "2023", tmp_path / "reference")
    assert [p.name for p in mine.written] == [p.name for p in reference.written]
    for a, b in zip(mine.written, reference.written):
        assert extract_text(a) == extract_text(b), a.name
    # LibreOffice spells on/off as true/false where Word accepts only on/off: conformed on read
    from annexgen.templatecheck import check_form_set
    from annexgen.validity import audit

    assert any(b'w:val="true"' in zipfile.ZipFile(t).read("word/document.xml") for t in docx)
    assert {a.name: audit(a) for a in mine.written} == {a.name: [] for a in mine.written}
    assert [p.text() for p in check_form_set(find_form_set("汨罗", trusted)) if "Word 文件格式" in p.message] == []


def pdf_text(pdf: Path) -> list[str]:
    """The PDF's text page by page, each line with its spaces removed (pdftotext spaces CJK text unevenly)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return ["\n".join(re.sub(r"\s+", "", line) for line in page.splitlines()) for page in text.split("\f")]


def test_layout_a_reviewer_sees(tmp_path: Path) -> None:
    """As printed: rates on one line, the name label not one character a line, no repeated first row,
    titles broken between words, no signature line without 签字 (issue 8)."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", data)
    overall = data / "整体自评.yaml"
    overall.write_text(overall.read_text(encoding="utf-8").replace('执行率: "100.00%"', '执行率: "102.59%"', 1), encoding="utf-8")
    dept = data / "部门.yaml"
    dept.write_text(re.sub(r"(?ms)^签字:.*?(?=^\S|\Z)", "", dept.read_text(encoding="utf-8")), encoding="utf-8")
    result = build(data, tmp_path / "out")
    wanted = [p for p in result.written if p.name.split(" ")[0] in ("附件2", "附件4", "附件3-1")]
    pages = {docx.name.split(" ")[0]: pdf_text(pdf) for docx, pdf in zip(wanted, convert(wanted, "pdf", tmp_path))}
    table = pages["附件2"]
    assert len(table) >= 2
    lines = table[0].splitlines()
    assert any("102.59%" in line for line in lines), table[0]  # not "102.59" / "%"
    assert any(line.startswith("预算部门") for line in lines), table[0]  # the label, not 预/算/部/门
    assert not any("预算部门" in line or "汨罗市人力资源和社会保障局" in line for line in table[1].splitlines()[:3]), table[1]
    for name in ("附件2", "附件3-1"):
        assert "填表人" not in "".join(pages[name]), name
    report = [line for line in pages["附件4"][0].splitlines() if line]
    assert report[1:3] == ["2023年度汨罗市人力资源和社会保障局", "部门整体支出绩效自评报告"], report
