"""PDF from .docx with LibreOffice headless, for `annexgen build --pdf`.

`to_pdf` converts a whole batch with one soffice process per core: the jobs are
split into `workers` shares of about equal size, and each share is converted by
one `soffice --convert-to pdf f1.docx f2.docx …` (several in turn only past
`MAX_PER_CALL` files), all shares at once. Starting LibreOffice costs about 2 s,
converting one annex 0.15 s of CPU: one process per file is about 20× slower
(scripts/bench_pdf.py).

- Each process has its own profile (`-env:UserInstallation`) and TMPDIR in a
  private temporary folder, removed on every way out, including `Interrupted`
  (the processes, each in its own process group, are killed first). The user's
  ~/.config is not touched.
- A file LibreOffice cannot open is a `PdfFailure`; the others convert. If a
  process crashes or times out, the files it had not finished are converted
  again without the one it was working on, and that one alone after them: a
  file that brings LibreOffice down fails alone. A process that begins no new
  file for FILE_TIMEOUT seconds is killed as hung.
- The same .docx gives the same PDF bytes, whatever else the call converts:
  LibreOffice 7.x ignores SOURCE_DATE_EPOCH and writes the time of conversion,
  a random /ID and a per-process font counter; `pdfnorm.normalise` replaces
  them (the date by the document's own, docProps/core.xml dcterms:created).
- Fonts: the 公文 font names of the templates (仿宋_GB2312 …) are mapped to free
  CJK faces by scripts/fonts/65-annexgen-cjk.conf, which scripts/setup installs.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .errors import AnnexgenError
from .pdfnorm import normalise

SOFFICE_ARGS = ("--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--nofirststartwizard")
INFILTER = "--infilter=MS Word 2007 XML"  # else a .docx that is not a zip is imported as plain text
FILTER = "pdf:writer_pdf_Export"
MAX_PER_CALL = 300  # files per soffice invocation (argv size)
BROKEN_AFTER = 3  # crashes with nothing converted, before any file converted: LibreOffice itself does not work
FALLBACK_DATE = "19800101000000"  # as the zip entries' time (write.FIXED_TIME)


FILE_TIMEOUT = 90.0  # seconds a process may spend on one file (twice that for the first, with its start) before it is killed


class PdfUnavailable(AnnexgenError):
    """LibreOffice is missing or does not start: no PDF can be made at all."""

    code = "pdf-unavailable"


@dataclass(frozen=True)
class PdfFailure:
    """One file that did not become a PDF. `message` is Chinese and says what to do; it does not repeat `name`."""

    name: str  # the key of the job
    message: str
    code: str = "pdf-failed"  # or "pdf-timeout"


def find_soffice() -> str:
    """The soffice program; PdfUnavailable if LibreOffice is not installed."""
    for candidate in ("soffice", "libreoffice"):
        found = shutil.which(candidate)
        if found:
            return found
    for path in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.access(path, os.X_OK):
            return path
    raise PdfUnavailable("没有找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice：bash scripts/setup；或去掉 --pdf 只生成 Word 文件")


@dataclass
class _Item:
    """One distinct .docx (jobs with the same bytes are converted once)."""

    stem: str  # its file name in the temporary folder, from a hash of its bytes
    names: list[str]
    size: int
    date: str  # YYYYMMDDHHMMSS for the PDF's CreationDate
    order: int  # position of its first job


def to_pdf(
    jobs: Sequence[tuple[str, bytes]],
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    reproducible: bool = True,
) -> tuple[dict[str, bytes], list[PdfFailure]]:
    """Convert .docx bytes to PDF bytes with LibreOffice headless; names are the caller's, unique.

    Returns the PDFs by name and the failures in job order (every name is in one
    of the two). `workers` soffice processes (default: one per core, at most one
    per file) run at once for the whole call; call it once per batch, not per file.
    `progress(name)` is called in this thread as each file is done.
    `reproducible`: the same .docx gives the same PDF bytes (`pdfnorm`; 20–40 ms
    of CPU per PDF, in the worker threads while LibreOffice runs). Raises
    PdfUnavailable if LibreOffice is missing or does not start; ValueError on a
    repeated name.
    """
    items = _items(jobs)
    if not items:
        return {}, []
    soffice = find_soffice()
    workers = max(1, min(workers or os.cpu_count() or 1, len(items)))
    root: Path | None = None
    run: _Run | None = None
    threads: list[threading.Thread] = []
    try:
        root = _stage(items, jobs)
        run = _Run(soffice, root, reproducible)
        for k, share in enumerate(_split(items, workers)):
            threads.append(threading.Thread(target=run.share, args=(k, share), name=f"soffice-{k}", daemon=True))
            threads[-1].start()
        live = len(threads)
        while live:
            try:
                event = run.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if event is None:
                live -= 1
            elif isinstance(event, BaseException):
                raise event
            elif progress is not None:
                for name in event.names:
                    progress(name)
    finally:
        if run is not None:
            run.stop()
        for t in threads:
            t.join()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
    stem = {name: item.stem for item in items for name in item.names}
    pdfs = {name: run.done[stem[name]] for name, _ in jobs if stem[name] in run.done}
    failures = [PdfFailure(name, *run.failed.get(stem[name], _LOST)) for name, _ in jobs if stem[name] not in run.done]
    return pdfs, failures


def _stage(items: list[_Item], jobs: Sequence[tuple[str, bytes]]) -> Path:
    """A private temporary folder with the distinct .docx files under in/ (removed again if this fails)."""
    try:
        root = Path(tempfile.mkdtemp(prefix="annexgen-pdf-"))
    except OSError as e:
        raise PdfUnavailable(f"无法在 {tempfile.gettempdir()} 中建立临时文件夹：{e.strerror or e}。请检查磁盘空间和写权限，或用环境变量 TMPDIR 指定另一个临时文件夹") from None
    try:
        (root / "in").mkdir()
        (root / "tmp").mkdir()
        for item in items:
            (root / "in" / f"{item.stem}.docx").write_bytes(jobs[item.order][1])
    except OSError as e:
        shutil.rmtree(root, ignore_errors=True)
        raise PdfUnavailable(f"无法在临时文件夹 {root.parent} 中准备要转换的文件：{e.strerror or e}。请检查磁盘空间，或用环境变量 TMPDIR 指定另一个临时文件夹") from None
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


_LOST = ("LibreOffice 没有生成这个 PDF。请再运行一次；仍然失败请用 Word 或 WPS 打开它另存为 PDF", "pdf-failed")


def _stem(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:24]


def _items(jobs: Sequence[tuple[str, bytes]]) -> list[_Item]:
    by_stem: dict[str, _Item] = {}
    seen: set[str] = set()
    for i, (name, body) in enumerate(jobs):
        if name in seen:
            raise ValueError(f"to_pdf: the name {name!r} is given twice")
        seen.add(name)
        stem = _stem(body)
        if stem in by_stem:
            by_stem[stem].names.append(name)
        else:
            by_stem[stem] = _Item(stem, [name], len(body), _created(body), i)
    return list(by_stem.values())


_CREATED = re.compile(rb"<dcterms:created[^>]*>(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d))?")


def _created(docx: bytes) -> str:
    """The document's creation time (docProps/core.xml) as YYYYMMDDHHMMSS; FALLBACK_DATE if it has none."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as z:
            core = z.read("docProps/core.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return FALLBACK_DATE
    m = _CREATED.search(core)
    if not m:
        return FALLBACK_DATE
    return b"".join(g or b"00" for g in m.groups()).decode("ascii")


def _split(items: list[_Item], workers: int) -> list[list[_Item]]:
    """`workers` shares of about equal bytes (largest first to the lightest share), each in job order."""
    shares: list[list[_Item]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for item in sorted(items, key=lambda i: (-i.size, i.order)):
        k = loads.index(min(loads))
        shares[k].append(item)
        loads[k] += item.size
    return [sorted(s, key=lambda i: i.order) for s in shares if s]


def is_pdf(data: bytes) -> bool:
    """A whole PDF: the header at the start and %%EOF at the end (a crash mid-write leaves no %%EOF)."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]


_CONVERT = re.compile(r"^convert .* -> (.*) using filter")


@dataclass
class _Run:
    """The soffice processes of one `to_pdf` call, and what they converted."""

    soffice: str
    root: Path
    reproducible: bool
    events: queue.Queue = field(default_factory=queue.Queue)  # an _Item done, an exception, None when a share ends
    done: dict[str, bytes] = field(default_factory=dict)
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    procs: set = field(default_factory=set)
    stopping: bool = False
    broken: int = 0  # invocations that crashed with nothing converted, while nothing converted yet
    counter: itertools.count = field(default_factory=itertools.count)

    def share(self, k: int, items: list[_Item]) -> None:
        """Thread: convert one share, MAX_PER_CALL files per invocation, with a profile of its own."""
        try:
            profile = self.root / f"profile-{k}"
            for start in range(0, len(items), MAX_PER_CALL):
                profile = self.convert(items[start : start + MAX_PER_CALL], profile)
        except BaseException as e:  # an error here is a bug or LibreOffice unusable: the caller raises it
            self.events.put(e)
        finally:
            self.events.put(None)

    def convert(self, items: list[_Item], profile: Path) -> Path:
        """Convert `items` in one invocation; after a crash, the rest again and the suspect alone. Returns the profile to go on with."""
        if self.stopping:
            return profile
        rc, timed_out, tail = self.invoke(items, profile)
        rest = [i for i in items if i.stem not in self.done]
        if not rest:
            return profile
        if rc == 0 and not timed_out:  # LibreOffice went on past these files: they cannot be opened
            for item in rest:
                self.fail(item, _unreadable(self.root, item))
            return profile
        if self.stopping:
            return profile
        self.check_broken(len(rest) == len(items), tail)
        fresh = self.root / f"profile-x{next(self.counter)}"  # the crashed process's profile may be damaged
        suspect, others = rest[0], rest[1:]  # LibreOffice converts in argument order: it was at the first one not done
        if others:
            fresh = self.convert(others, fresh)
        if len(items) > 1:
            return self.convert([suspect], fresh)
        self.fail(suspect, _timeout() if timed_out else _crashed(rc, tail))
        return fresh

    def invoke(self, items: list[_Item], profile: Path) -> tuple[int, bool, str]:
        """One soffice run over `items`; collects each PDF as it is done. Returns (exit code, timed out, last output lines)."""
        n = next(self.counter)
        out = self.root / f"out-{n}"
        out.mkdir()
        by_pdf = {f"{i.stem}.pdf": i for i in items}
        cmd = [self.soffice, f"-env:UserInstallation={profile.as_uri()}", *SOFFICE_ARGS, INFILTER, "--convert-to", FILTER, "--outdir", str(out)]
        cmd += [str(self.root / "in" / f"{i.stem}.docx") for i in items]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", TMPDIR=str(self.root / "tmp"))
        log = self.root / f"log-{n}.txt"
        with self.lock:
            if self.stopping:
                return 0, False, ""
            with open(log, "wb") as err:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=env, cwd=self.root, start_new_session=True)
            self.procs.add(proc)
        timed_out, ended = threading.Event(), threading.Event()
        deadline = [time.monotonic() + 2 * FILE_TIMEOUT]  # moved on as each file is begun

        def watch() -> None:
            while not ended.wait(0.25):
                if time.monotonic() > deadline[0]:
                    timed_out.set()
                    _kill(proc)
                    return

        threading.Thread(target=watch, name=f"soffice-watch-{n}", daemon=True).start()
        try:
            current: _Item | None = None
            assert proc.stdout is not None
            for raw in proc.stdout:  # "convert A -> B using filter" is printed as B is begun: the one before is done
                m = _CONVERT.match(raw.decode("utf-8", "replace").strip())
                if m and m[1].rsplit("/", 1)[-1] in by_pdf:
                    deadline[0] = time.monotonic() + FILE_TIMEOUT
                    if current is not None:
                        self.collect(current, out)
                    current = by_pdf[m[1].rsplit("/", 1)[-1]]
            rc = proc.wait()
        finally:
            ended.set()
            if proc.poll() is None:  # leaving on an exception: it must not outlive the call
                _kill(proc)
                proc.wait()
            proc.stdout.close()
            with self.lock:
                self.procs.discard(proc)
        for item in items:
            if item.stem not in self.done:
                self.collect(item, out)
        shutil.rmtree(out, ignore_errors=True)
        tail = log.read_text("utf-8", "replace") if log.exists() else ""
        tail = "；".join(line.strip() for line in tail.splitlines() if line.strip() and "javaldx" not in line)[-300:]
        return rc, timed_out.is_set(), tail

    def collect(self, item: _Item, out: Path) -> None:
        path = out / f"{item.stem}.pdf"
        try:
            data = path.read_bytes()
        except OSError:
            return
        if not is_pdf(data):
            return
        if self.reproducible:
            data = normalise(data, item.date)  # outside the lock: the other shares' threads go on
        with self.lock:
            if item.stem in self.done:
                return
            self.done[item.stem] = data
            self.broken = -1  # LibreOffice works
        self.events.put(item)

    def fail(self, item: _Item, why: tuple[str, str]) -> None:
        with self.lock:
            self.failed[item.stem] = why

    def check_broken(self, nothing_done: bool, tail: str) -> None:
        with self.lock:
            if self.broken < 0 or not nothing_done:
                return
            self.broken += 1
            if self.broken < BROKEN_AFTER:
                return
        detail = f"（LibreOffice 的输出：{tail}）" if tail else ""
        raise PdfUnavailable(f"LibreOffice（{self.soffice}）启动后一个文件也没有转换就退出了{detail}。请重新安装 LibreOffice：bash scripts/setup；或去掉 --pdf 只生成 Word 文件")

    def stop(self) -> None:
        """No new invocation; kill those running (their process groups)."""
        with self.lock:
            self.stopping = True
            procs = list(self.procs)
        for proc in procs:
            _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    """Kill the process group of `proc` (soffice and the soffice.bin it starts), unless it has been waited for."""
    if proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _unreadable(root: Path, item: _Item) -> tuple[str, str]:
    try:
        zipfile.ZipFile(root / "in" / f"{item.stem}.docx").close()
        why = "LibreOffice 打不开这个 Word 文件"
    except (zipfile.BadZipFile, OSError):
        why = "这个 Word 文件已损坏（不是完整的 .docx 压缩包），LibreOffice 打不开"
    return f"{why}，没有生成 PDF。请重新运行 annexgen build 生成它；仍然失败请用 Word 或 WPS 打开检查", "pdf-failed"


def _crashed(rc: int, tail: str) -> tuple[str, str]:
    how = f"被信号 {-rc} 终止" if rc < 0 else f"退出码 {rc}"
    detail = f"（LibreOffice 的输出：{tail}）" if tail else ""
    return f"LibreOffice 转换这个文件时异常退出（{how}），单独重试仍然失败，没有生成 PDF{detail}。其他文件不受影响；请用 Word 或 WPS 打开它另存为 PDF", "pdf-failed"


def _timeout() -> tuple[str, str]:
    return f"LibreOffice 转换这个文件超过 {FILE_TIMEOUT:.0f} 秒仍未完成，已中止，没有生成 PDF。其他文件不受影响；请用 Word 或 WPS 打开它另存为 PDF", "pdf-timeout"
