"""`annexgen build --pdf`: a PDF beside every Word file, made in one LibreOffice run per batch, written with it.

Needs LibreOffice and pdfinfo (scripts/setup installs them): skipped on a developer
machine without them; in CI (CI=true) their absence is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen import pdf
from annexgen.cli import app
from test_build import snapshot
from test_output_safety import staging_folders

REPO = Path(__file__).parent.parent
if not (shutil.which("soffice") and shutil.which("pdfinfo")):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs LibreOffice (soffice) and poppler (pdfinfo): run scripts/setup")
    pytest.skip("LibreOffice or pdfinfo not installed (scripts/setup installs them)", allow_module_level=True)

runner = CliRunner()
COMBINED = "全部附件"


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pdf") / "收件"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", root / "汨罗" / "2023")
    shutil.copytree(REPO / "data" / "longhui-hrss" / "2024", root / "隆回" / "2024")
    return root


@pytest.fixture(scope="module")
def built(tree: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "build"
    r = runner.invoke(app, ["build", str(tree), "-o", str(out), "--pdf", "--combine", "-j", "2"])
    assert r.exit_code == 1, r.output  # the seeds hold their authors' mistakes: errors, yet every file is written
    assert "pdf-" not in r.stdout
    return out


def test_every_word_file_has_a_pdf_that_opens(built: Path) -> None:
    docx = sorted(built.rglob("*.docx"))
    assert len(docx) == 11 + 4 + 2  # 汨罗 11 annexes, 隆回 4, and each year's combined file
    for d in docx:
        p = d.with_suffix(".pdf")
        assert p.is_file(), p
        assert pages(p) >= 1  # pdfinfo opens it


def test_page_counts_are_libreoffices_own(built: Path, tmp_path: Path) -> None:
    """Each PDF has the pages LibreOffice gives the same .docx converted on its own, and the combined file their sum."""
    docx = sorted(d for d in built.rglob("*.docx") if COMBINED not in d.name)
    flat = tmp_path / "in"
    flat.mkdir()
    copies = []
    for i, d in enumerate(docx):  # file names are not unique across the years
        copies.append(flat / f"{i:02d}.docx")
        shutil.copy(d, copies[-1])
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "ref"), *map(str, copies)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    for d, c in zip(docx, copies):
        assert pages(d.with_suffix(".pdf")) == pages(tmp_path / "ref" / f"{c.stem}.pdf"), d.name
    for year in {d.parent for d in docx}:
        whole = next(year.glob(f"*{COMBINED}.pdf"))
        assert pages(whole) == sum(pages(p) for p in year.glob("附件*.pdf")), year


def test_pdfs_are_the_same_bytes_every_build(tree: Path, built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    runner.invoke(app, ["build", str(tree / "隆回"), "-o", str(again / "隆回"), "--pdf"])
    ours = {k: v for k, v in snapshot(again).items() if k.endswith(".pdf")}
    assert len(ours) == 4
    assert ours == {k: v for k, v in snapshot(built).items() if k.startswith("隆回") and k.endswith(".pdf") and COMBINED not in k}


def test_a_file_that_does_not_convert_is_reported_where_it_is(tree: Path, tmp_path: Path, monkeypatch) -> None:
    real = pdf.to_pdf

    def spoiled(jobs, *args, **kwargs):  # LibreOffice is given one file it cannot read
        jobs = [(name, b"PK\x03\x04 not a document" if "附件4-1" in name else data) for name, data in jobs]
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(pdf, "to_pdf", spoiled)
    out = tmp_path / "out"
    r = runner.invoke(app, ["build", str(tree / "隆回"), "-o", str(out), "--pdf"])
    assert r.exit_code == 1
    line = next(line for line in r.stdout.splitlines() if "[pdf-" in line)
    assert re.match(rf"{re.escape(str(out))}/2024/附件4-1 [^:]+\.docx:1:1: 错误: 没能转成 PDF（Word 文件照常写出）：", line), line
    docx = {p.stem for p in (out / "2024").glob("*.docx")}
    assert len(docx) == 4  # every Word file is written
    assert {p.stem for p in (out / "2024").glob("*.pdf")} == {d for d in docx if not d.startswith("附件4-1 ")}


def test_interrupted_while_converting_leaves_the_output_as_it_was(tree: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    first = runner.invoke(app, ["build", str(tree / "隆回"), "-o", str(out)])
    assert "已生成 4 个文件" in first.stdout
    before = snapshot(out)
    real = pdf.to_pdf

    def interrupted(jobs, workers=None, progress=None, **kwargs):  # Ctrl-C as soon as LibreOffice has converted one file
        return real(jobs, workers, lambda _name: os.kill(os.getpid(), signal.SIGINT), **kwargs)

    monkeypatch.setattr(pdf, "to_pdf", interrupted)
    r = runner.invoke(app, ["build", str(tree / "隆回"), "-o", str(out), "--pdf"])
    assert r.exit_code == 130
    assert r.stderr == "已中断：输出文件夹未改动（原有文件保持原样）。\n"
    assert snapshot(out) == before
    assert staging_folders(tmp_path) == []
    assert descendants(os.getpid()) == []  # LibreOffice's processes are ended, not left running


def descendants(pid: int) -> list[int]:
    """The live processes started, directly or not, by process `pid`."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found += sorted(frontier)
    return found


def test_without_libreoffice_nothing_is_made(tree: Path, tmp_path: Path, monkeypatch) -> None:
    real = os.access
    monkeypatch.setattr(pdf.shutil, "which", lambda *_a, **_k: None)  # no soffice on the PATH
    monkeypatch.setattr(pdf.os, "access", lambda p, *a, **k: "office" not in str(p).lower() and real(p, *a, **k))  # nor elsewhere
    r = runner.invoke(app, ["build", str(tree / "隆回"), "-o", str(tmp_path / "out"), "--pdf"])
    assert r.exit_code == 1
    assert "没有找到 LibreOffice" in r.stderr and "bash scripts/setup" in r.stderr and "[pdf-unavailable]" in r.stderr
    assert not (tmp_path / "out").exists()
