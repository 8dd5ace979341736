"""pdf.to_pdf: a batch of annexes to PDF with one LibreOffice process per core.

The tests marked `needs_lo` convert real annexes: they need `soffice`, `pdfinfo` and
`pdffonts` (scripts/setup installs them) and are skipped without them on a developer
machine; in CI (CI=true) their absence is a failure. The others drive a stand-in
soffice (a small Python script) to reach crashes, hangs and a broken install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from annexgen import pdf
from annexgen.build import build
from annexgen.pdf import PdfFailure, PdfUnavailable, to_pdf
from annexgen.pdfnorm import _decrypt, _encrypt, _recrypt, normalise

REPO = Path(__file__).parent.parent
TOOLS = bool(shutil.which("soffice") and shutil.which("pdfinfo") and shutil.which("pdffonts"))
if not TOOLS and os.environ.get("CI"):
    raise RuntimeError("CI needs LibreOffice (soffice) and poppler (pdfinfo, pdffonts): run scripts/setup")
needs_lo = pytest.mark.skipif(not TOOLS, reason="LibreOffice or poppler not installed (scripts/setup installs them)")

CORRUPT = "损坏/截断.docx"
NOT_A_ZIP = "损坏/不是压缩包.docx"


class Counted:
    """subprocess.Popen, counting the soffice processes started and keeping their file lists."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __call__(self, cmd, *args, **kwargs):
        self.calls.append([Path(a).stem for a in cmd if a.endswith(".docx")])
        return self.real(cmd, *args, **kwargs)


def private_tmp(mp: pytest.MonkeyPatch, folder: Path) -> Path:
    """Make tempfile (hence to_pdf) use `folder`, so that what it leaves there can be seen."""
    folder.mkdir(parents=True, exist_ok=True)
    mp.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The 11 汨罗 annexes and two broken files, converted in one call with workers=2."""
    if not TOOLS:
        pytest.skip("LibreOffice or poppler not installed")
    root = tmp_path_factory.mktemp("pdf")
    result = build(REPO / "data" / "miluo-hrss" / "2023", root / "out")
    jobs = [(p.name, p.read_bytes()) for p in result.written]
    good = jobs[4][1]
    jobs.insert(3, (CORRUPT, good[: len(good) // 2]))
    jobs.append((NOT_A_ZIP, "这不是 Word 文件\n".encode()))
    done: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        counted = Counted(subprocess.Popen)
        mp.setattr(subprocess, "Popen", counted)
        tmp = private_tmp(mp, root / "tmp")
        pdfs, failures = to_pdf(jobs, workers=2, progress=done.append)
    return {"jobs": jobs, "pdfs": pdfs, "failures": failures, "done": done, "calls": counted.calls, "tmp": tmp, "root": root}


def pdf_file(root: Path, data: bytes) -> Path:
    path = root / "check.pdf"
    path.write_bytes(data)
    return path


@needs_lo
def test_every_annex_becomes_a_pdf_with_plausible_pages(batch):
    from test_libreoffice import PLAUSIBLE, pages

    names = [n for n, _ in batch["jobs"] if not n.startswith("损坏")]
    assert sorted(batch["pdfs"]) == sorted(names)
    for name in names:
        data = batch["pdfs"][name]
        assert data.startswith(b"%PDF-"), name
        lo, hi = PLAUSIBLE[name.split(" ")[0].split("-")[0]]
        assert lo <= pages(pdf_file(batch["root"], data)) <= hi, name
    assert sorted(batch["done"]) == sorted(names)  # progress: each converted file once


@needs_lo
def test_broken_files_are_located_failures_and_the_rest_converts(batch):
    failed = {f.name: f for f in batch["failures"]}
    assert sorted(failed) == sorted([CORRUPT, NOT_A_ZIP])
    for f in failed.values():
        assert isinstance(f, PdfFailure) and f.code == "pdf-failed"
        assert "没有生成 PDF" in f.message and "annexgen build" in f.message
        assert "损坏" in f.message  # both are broken .docx packages, and the message says so
    assert [f.name for f in batch["failures"]] == [CORRUPT, NOT_A_ZIP]  # in job order


@needs_lo
def test_one_soffice_process_per_worker_not_per_file(batch):
    assert len(batch["calls"]) == 2  # two workers, 13 files
    assert sum(len(c) for c in batch["calls"]) == len({stem for call in batch["calls"] for stem in call}) == 13


@needs_lo
def test_temporary_folders_are_removed(batch):
    assert list(batch["tmp"].iterdir()) == []


def fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


@needs_lo
def test_official_font_names_use_the_aliased_cjk_faces(batch):
    matched = subprocess.run(["fc-match", "仿宋_GB2312"], capture_output=True, text=True).stdout
    if "Noto Serif CJK" not in matched:
        if os.environ.get("CI"):
            raise AssertionError(f"fc-match 仿宋_GB2312 gives {matched!r}: scripts/setup installs scripts/fonts/65-annexgen-cjk.conf")
        pytest.skip("the font aliases are not installed (bash scripts/setup)")
    report = next(n for n in batch["pdfs"] if n.startswith("附件4 "))
    table = next(n for n in batch["pdfs"] if n.startswith("附件2 "))
    seen = fonts(pdf_file(batch["root"], batch["pdfs"][report]))
    assert "NotoSerifCJK" in seen  # 仿宋_GB2312 (text) and 方正小标宋简体 (title)
    assert "UKai" in seen  # 楷体_GB2312 (second-level headings)
    assert "NotoSansCJK" in seen  # 黑体 (first-level headings)
    assert "DejaVu" not in seen
    seen = fonts(pdf_file(batch["root"], batch["pdfs"][table]))
    assert "NotoSerifCJK" in seen and "DejaVu" not in seen


@needs_lo
def test_same_docx_same_pdf_bytes_whatever_else_the_process_converted(batch, tmp_path):
    names = [n for n, _ in batch["jobs"] if not n.startswith("损坏")]
    # 附件5-4 was converted after others in the batch (each share goes in job order); here it goes first
    body = dict(batch["jobs"])
    picked = [(n, body[n]) for n in (names[-1], names[0], names[6])]
    again, failures = to_pdf(picked, workers=1)
    assert not failures
    for name, data in again.items():
        assert data == batch["pdfs"][name], name
    assert b"/CreationDate(D:20241017000000" in again[names[0]]  # the document's date (填报日期), not today's


def test_recrypt_changes_only_the_unique_id():
    plain = b"\x48\x44\x55 dup\n/Private 9 dict dup begin\n/UniqueID 4100007 def\n" + bytes(range(256)) * 40
    crypt = _encrypt(plain)
    assert _decrypt(crypt) == plain
    assert _decrypt(_recrypt(crypt, b"4100001")) == plain.replace(b"4100007", b"4100001")
    assert _recrypt(crypt, b"4100007") == crypt


def test_normalise_sets_date_and_id_in_place():
    body = b"%PDF-1.6\n1 0 obj\n<</CreationDate(D:20261123210723Z')>>\nendobj\n"
    trailer = b"trailer\n<</Size 2/Info 1 0 R\n/ID [ <82F0328A2F54DAA641651266F1611E0A>\n<82F0328A2F54DAA641651266F1611E0A> ]\n/DocChecksum /3517D1505F82BA4F588F3D940155D1C8\n>>\nstartxref\n0\n%%EOF\n"
    other = trailer.replace(b"82F0328A", b"11111111").replace(b"3517D150", b"22222222")
    a, b = normalise(body + trailer, "20241017000000"), normalise(body.replace(b"210723", b"093015") + other, "20241017000000")
    assert a == b and len(a) == len(body + trailer)
    assert b"D:20241017000000Z'" in a and b"82F0328A" not in a


# --- a stand-in soffice: converts "files" instantly; on a marker in a file it crashes while opening it
# (before its "convert" line, as LibreOffice prints that line after loading), hangs while writing it,
# or cannot open it

FAKE = textwrap.dedent(
    """\
    import os, signal, sys, time
    args = sys.argv[1:]
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(" ".join(os.path.basename(a)[:-5] for a in args if a.endswith(".docx")) + "\\n")
    if os.environ.get("FAKE_BROKEN"):
        sys.exit(81)
    out = args[args.index("--outdir") + 1]
    for f in [a for a in args if a.endswith(".docx")]:
        data = open(f, "rb").read()
        if b"CRASH" in data:
            os.kill(os.getpid(), signal.SIGKILL)
        if b"BAD" in data:
            print("Error: source file could not be loaded", file=sys.stderr)
            continue
        target = os.path.join(out, os.path.basename(f)[:-5] + ".pdf")
        print(f"convert {f} -> {target} using filter : writer_pdf_Export", flush=True)
        if b"HANG" in data:
            time.sleep(120)
        with open(target, "wb") as pdf:
            pdf.write(b"%PDF-1.6\\n" + data + b"\\n%%EOF\\n")
    """
)


class Fake:
    """The stand-in soffice of one test: `jobs` as given to to_pdf, `calls()` the job names of each process started."""

    def __init__(self, script: Path, log: Path, tmp: Path) -> None:
        self.script, self.log, self.tmp = script, log, tmp
        self.jobs: list[tuple[str, bytes]] = []

    def calls(self) -> list[list[str]]:
        names = {pdf._stem(body): name for name, body in self.jobs}
        return [[names[s] for s in line.split()] for line in self.log.read_text().splitlines()]


@pytest.fixture
def fake(tmp_path, monkeypatch) -> Fake:
    script = tmp_path / "soffice"
    script.write_text(f"#!{sys.executable}\n" + FAKE, encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "calls.txt"))
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(script))
    return Fake(script, tmp_path / "calls.txt", private_tmp(monkeypatch, tmp_path / "tmp"))


def jobs_of(*markers: str) -> list[tuple[str, bytes]]:
    return [(f"{i}-{m}.docx", f"{m} file {i}".encode()) for i, m in enumerate(markers)]


def test_a_crash_fails_only_the_file_it_was_on(fake):
    fake.jobs = jobs_of("ok", "CRASH", "ok", "ok")
    pdfs, failures = to_pdf(fake.jobs, workers=1)
    assert sorted(pdfs) == ["0-ok.docx", "2-ok.docx", "3-ok.docx"]
    assert [(f.name, f.code) for f in failures] == [("1-CRASH.docx", "pdf-failed")]
    assert "异常退出" in failures[0].message and "信号 9" in failures[0].message
    # all four; the rest again without the suspect; the suspect alone
    assert fake.calls() == [["0-ok.docx", "1-CRASH.docx", "2-ok.docx", "3-ok.docx"], ["2-ok.docx", "3-ok.docx"], ["1-CRASH.docx"]]
    assert list(fake.tmp.iterdir()) == []


def test_a_hang_is_killed_after_the_timeout(fake, monkeypatch):
    monkeypatch.setattr(pdf, "FILE_TIMEOUT", 1.0)
    fake.jobs = jobs_of("ok", "HANG", "ok")
    pdfs, failures = to_pdf(fake.jobs, workers=1)
    assert sorted(pdfs) == ["0-ok.docx", "2-ok.docx"]
    assert [(f.name, f.code) for f in failures] == [("1-HANG.docx", "pdf-timeout")]
    assert "秒仍未完成" in failures[0].message


def test_a_file_libreoffice_cannot_open_is_not_retried(fake):
    fake.jobs = jobs_of("ok", "BAD", "ok")
    pdfs, failures = to_pdf(fake.jobs, workers=1)
    assert sorted(pdfs) == ["0-ok.docx", "2-ok.docx"] and [f.name for f in failures] == ["1-BAD.docx"]
    assert len(fake.calls()) == 1


def test_identical_files_are_converted_once(fake):
    fake.jobs = [("a.docx", b"same"), ("b/a.docx", b"same"), ("c.docx", b"other")]
    done: list[str] = []
    pdfs, failures = to_pdf(fake.jobs, workers=2, progress=done.append)
    assert not failures and pdfs["a.docx"] == pdfs["b/a.docx"] != pdfs["c.docx"]
    assert sorted(done) == ["a.docx", "b/a.docx", "c.docx"]
    assert sorted(len(c) for c in fake.calls()) == [1, 1]


def test_a_libreoffice_that_does_not_start_is_one_clear_error(fake, monkeypatch):
    monkeypatch.setenv("FAKE_BROKEN", "1")
    fake.jobs = jobs_of("ok", "ok", "ok", "ok", "ok")
    with pytest.raises(PdfUnavailable) as e:
        to_pdf(fake.jobs, workers=1)
    assert "bash scripts/setup" in e.value.shown() and e.value.shown().endswith("[pdf-unavailable]")
    assert len(fake.calls()) == pdf.BROKEN_AFTER
    assert list(fake.tmp.iterdir()) == []


def test_interrupted_kills_soffice_and_removes_the_temporary_folder(fake):
    fake.jobs = jobs_of("ok", "HANG", "ok", "HANG")

    def stop(name: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        to_pdf(fake.jobs, workers=2, progress=stop)
    assert list(fake.tmp.iterdir()) == []
    assert not [p for p in Path("/proc").glob("[0-9]*/cmdline") if str(fake.tmp).encode() in _read(p)]


def _read(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except OSError:
        return b""


def test_missing_libreoffice_says_how_to_install(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(PdfUnavailable) as e:
        to_pdf([("a.docx", b"x")])
    assert "LibreOffice" in str(e.value) and "bash scripts/setup" in str(e.value)
    assert to_pdf([]) == ({}, [])


def test_repeated_names_are_a_programming_error():
    with pytest.raises(ValueError):
        to_pdf([("a.docx", b"1"), ("a.docx", b"2")])


def test_the_split_balances_bytes_and_keeps_job_order():
    items = pdf._items([(f"{i}.docx", b"x" * size) for i, size in enumerate([50, 10, 40, 30, 20, 60])])
    shares = pdf._split(items, 2)
    assert sorted(sum(i.size for i in s) for s in shares) == [100, 110]
    for s in shares:
        assert [i.order for i in s] == sorted(i.order for i in s)


def test_document_date_comes_from_core_properties(tmp_path):
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("docProps/core.xml", '<cp:coreProperties><dcterms:created xsi:type="dcterms:W3CDTF">2024-10-17T08:30:05Z</dcterms:created></cp:coreProperties>')
    assert pdf._created(path.read_bytes()) == "20241017083005"
    assert pdf._created(b"not a zip") == pdf.FALLBACK_DATE
    assert re.fullmatch(r"\d{14}", pdf.FALLBACK_DATE)


def test_an_unwritable_temporary_folder_is_one_clear_error(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing" / "tmp"))
    fake.jobs = jobs_of("ok")
    with pytest.raises(PdfUnavailable) as e:
        to_pdf(fake.jobs)
    assert "TMPDIR" in str(e.value) and str(tmp_path / "missing") in str(e.value)
