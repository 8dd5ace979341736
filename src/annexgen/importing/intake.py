"""Word files in: finding them, converting legacy ones, reading them safely; department-years out.

- `word_files`: the Word files of a path (a file, or a folder walked in natural order;
  Word's "~$" lock files and hidden files are skipped).
- `convert`: .doc and .wps (and .rtf, .odt) become .docx with LibreOffice, all of one
  call's files in one headless soffice process with a private profile, bounded in time.
- `read_file`: a .docx body as blocks; a file that is not a Word document, is
  damaged, or is too large gets one located note instead of an exception.
- `write_year`: the files of one department-year, written to a staging folder beside
  the target and moved into place whole; an existing folder is replaced only when
  asked (`force`).

Submitted files are untrusted: the zip is checked before anything is inflated (sizes
as declared, and reads bounded by them), XML entities are never resolved, and
LibreOffice runs with a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Sequence

from lxml import etree

from ..files import foreign, natural_key, some
from ..findings import display_path
from ..output import WriteError, held
from .annexes import split_annexes
from .assemble import Found
from .emit import document
from .grid import Block, TooLarge, read_docx
from .layout import COMMENTS, FLOWS, FROM, HEADERS
from .notes import Notes, Where

WORD = {".docx", ".docm"}
LEGACY = {".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot"}
MAX_FILE_BYTES = 50 * 1024 * 1024
CONVERT_SECONDS = 120  # per file


def word_files(path: Path) -> list[Path]:
    """The Word files at `path`: the file itself, or those in the folder and below, in natural order."""
    if path.is_file():
        return [path]
    found = []
    for folder, dirs, names in os.walk(path):
        dirs[:] = sorted((d for d in dirs if not d.startswith(".")), key=natural_key)
        for name in sorted(names, key=natural_key):
            p = Path(folder) / name
            if name.startswith((".", "~$")) or p.suffix.lower() not in WORD | LEGACY:
                continue
            found.append(p)
    return found


_OLE, _RTF = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf"


def _old_format(path: Path) -> str | None:
    """".doc" or ".rtf" when a file named .docx holds that older format (a clerk renamed it), else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    return ".doc" if head.startswith(_OLE) else ".rtf" if head.startswith(_RTF) else None


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: Sequence[Path], into: Path, notes: Notes) -> dict[Path, Path]:
    """Legacy files converted to .docx in `into` with one LibreOffice call; {original: converted}."""
    if not files:
        return {}
    program = soffice()
    if program is None:
        for f in files:
            notes.error(Where(display_path(f)), "needs-libreoffice", f"{f.suffix} 文件要先用 LibreOffice 转成 .docx，但本机没有 LibreOffice：请运行 bash scripts/setup 安装，或在 Word/WPS 中另存为 .docx")
        return {}
    out: dict[Path, Path] = {}
    profile = Path(tempfile.mkdtemp(prefix="annexgen-lo-", dir=into))
    # several inputs may share a stem ("a.doc", "a.wps"): each is copied in under its own number
    inbox, outbox = into / "in", into / "out"
    inbox.mkdir()
    staged = []
    for i, f in enumerate(files):
        suffix = f.suffix.lower() if f.suffix.lower() in LEGACY else (_old_format(f) or ".doc")
        target = inbox / f"{i}{suffix}"
        shutil.copyfile(f, target)
        staged.append((f, target))
    cmd = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outbox)]
    try:
        subprocess.run(cmd + [str(t) for _f, t in staged], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=CONVERT_SECONDS * len(staged), check=False)
    except subprocess.TimeoutExpired:
        pass
    for f, target in staged:
        result = outbox / f"{target.stem}.docx"
        if result.is_file():
            out[f] = result
        else:
            notes.error(Where(display_path(f)), "convert-failed", "LibreOffice 没能把这个文件转成 .docx（文件可能已损坏、太大，或不是 Word/WPS 文件）：请在 Word/WPS 中打开后另存为 .docx 再导入")
    return out


def read_file(path: Path, shown: str, notes: Notes) -> list[Block] | None:
    """The body of a .docx as blocks, or None with a note when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            notes.error(Where(shown), "bad-file", f"文件太大（{size // 1048576} MB，最多 {MAX_FILE_BYTES // 1048576} MB）：不像一份自评附件")
            return None
        return read_docx(path)
    except TooLarge:
        notes.error(Where(shown), "bad-file", "文件解压后太大：不像一份自评附件")
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        notes.error(Where(shown), "bad-file", "读不了这个文件：它不是 .docx 格式的 Word 文件，或已损坏。请在 Word/WPS 中打开后另存为 .docx 再导入")
    return None


def find_annexes(paths: Sequence[Path], notes: Notes, scratch: Path) -> list[Found]:
    """Every annex in the files given (legacy files converted first), in file order."""
    renamed = [p for p in paths if p.suffix.lower() in WORD and _old_format(p)]
    for p in renamed:
        notes.warning(Where(display_path(p)), "renamed-file", f"文件名是 {p.suffix}，内容却是旧的 {_old_format(p)} 格式（改过扩展名）：已用 LibreOffice 转换后读入")
    legacy = [p for p in paths if p.suffix.lower() in LEGACY] + renamed
    converted = convert(legacy, scratch, notes)
    found: list[Found] = []
    for p in paths:
        shown = display_path(p)
        source = converted.get(p, p) if p in legacy else p
        if p in legacy and p not in converted:
            continue
        blocks = read_file(source, shown, notes)
        if blocks is None:
            continue
        annexes = split_annexes(blocks)
        if not annexes:
            notes.warning(Where(shown), "empty-file", "文件里没有内容，已跳过")
        found.extend(Found(shown, a) for a in annexes)
    return found


def year_texts(files: dict[str, dict], out: Path, sources: Sequence[str]) -> dict[str, str]:
    """The YAML text of every file of an imported department-year."""
    shown = [Path(s).name for s in sources]
    names = "、".join(shown) if len(shown) <= 2 else f"{shown[0]} 等 {len(shown)} 个文件"
    texts = {}
    for name, tree in files.items():
        kind = "项目" if name.startswith("项目/") else name
        header = [h.replace(FROM, FROM.format(sources=names)) if h == FROM else h for h in HEADERS[kind]]
        texts[name] = document(out / name, tree, header, COMMENTS[kind], FLOWS)
    return texts


def write_year(out: Path, texts: dict[str, str], force: bool) -> list[Path]:
    """Write a department-year folder whole: staged beside `out`, then moved into place."""
    if out.exists() and not out.is_dir():
        raise WriteError(out, "已有同名文件，不是文件夹：请换一个输出位置", "output-exists")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise WriteError(out, "文件夹已存在且不是空的，没有覆盖：换一个输出位置，或加 --force 覆盖（其中原有的内容会被删除）", "output-exists")
    others = foreign(out) if out.is_dir() and force else []
    if others:
        raise WriteError(out, f"文件夹里有不是年度数据的内容（{some(others)}），--force 只替换导入过的年度文件夹，没有覆盖：请换一个输出位置，或先移走这些内容", "output-exists")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.import-", dir=parent))
    except OSError as e:
        raise WriteError(out, f"无法创建输出文件夹（{e.strerror}）：请检查位置和权限") from None
    old = None
    try:
        for name, text in texts.items():
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        os.chmod(stage, 0o755)
        with held():
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
                os.rename(out, old / "x")
            os.rename(stage, out)
    except OSError as e:
        if old is not None and not out.exists():
            os.rename(old / "x", out)
        raise WriteError(out, f"写入失败（{e.strerror}），原有文件夹保持原样") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return [out / name for name in texts]
