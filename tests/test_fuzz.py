"""Hostile fuzz (issue 9): generated department-years never run code, hang, crash, blow up or corrupt output.

Each case is a folder written by a builder in hostile_cases.py (form sets as paths and planted templates,
report expressions, parser and number limits, files that are not regular files, names check must refuse
when build would, escape characters for the terminal) or a random mutation of a data/ example. The CLI runs
on it as a user would — `check --format json`, `build -o OUT`, sometimes `check` as text — inside a forked
child with an address-space limit, so that a segfault, a hang or a memory blowup kills only the child.
The parent counts outcomes per class and fails listing the first reproducer of every non-zero bucket.

    ANNEXGEN_FUZZ_SEED=<n>      the seed (fixed by default, printed)
    ANNEXGEN_FUZZ_CASES=<n>     number of cases (default 200; several thousand for a long run)
    ANNEXGEN_FUZZ_ONLY=3,17     run only these case numbers (replay a reproducer)
    ANNEXGEN_FUZZ_JOBS=<n>      children at a time (default 2)
    ANNEXGEN_FUZZ_TIMEOUT=<s>   seconds one command may take before it counts as a hang (default 10)

`python3 scripts/fuzz.py --case N --make DIR` writes case N's folder to DIR to look at by hand.
"""

from __future__ import annotations

import faulthandler
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import sys
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from hostile_cases import CLASSES, Made, make_case

SEED = int(os.environ.get("ANNEXGEN_FUZZ_SEED", "9009"))
CASES = int(os.environ.get("ANNEXGEN_FUZZ_CASES", "200"))
ONLY = [int(n) for n in os.environ.get("ANNEXGEN_FUZZ_ONLY", "").split(",") if n.strip()]
JOBS = int(os.environ.get("ANNEXGEN_FUZZ_JOBS", "2"))
TIMEOUT = float(os.environ.get("ANNEXGEN_FUZZ_TIMEOUT", "10"))
BUILD_EVERY = 4  # mutation cases: also build every so many (hostile cases always build)
AUDIT_EVERY = 15  # every so many cases, each .docx written also goes through openxml-audit
MEMORY = 1536 << 20  # address space a child may add to what it inherits
OUTCOMES = ["traceback", "hang", "signal", "memory", "exit-code", "bad-json", "raw-char", "bad-docx", "word-repair", "disagree", "planted", "projects", "unnamed-forms"]
# what must never reach a terminal raw: C0 controls but tab and newline, DEL, C1, bidi embeddings/overrides/isolates
os.environ["ANNEXGEN_FUZZ_CANARY"] = "PLANTED-7Q3Z-environment"  # hostile_cases.MARKER: a folder that reads the environment shows it
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Case:
    number: int
    cls: str
    builder: str
    made: Made
    work: Path
    steps: list[tuple[str, list[str]]]  # (kind: check-json | check-text | build, CLI arguments)
    events: list[tuple] = field(default_factory=list)
    started: float = 0.0
    killed: bool = False
    status: int = 0
    maxrss_kb: int = 0


def plan(case: int, work: Path) -> Case:
    cls, builder, made = make_case(work, SEED, case)
    root = work / "单位" / "2024"
    target = str(work / "单位") if case % 5 == 4 else str(root)  # sometimes the whole batch folder
    steps = [("check-json", ["check", target, "--format", "json"])]  # first: the other steps are judged against it
    if case % 3 == 1:
        steps.append(("check-text", ["check", target]))
    if cls != "0-mutation" or case % BUILD_EVERY == 0:
        steps.append(("build", ["build", target, "-o", str(work / "out")] + (["--combine"] if case % 4 == 3 else [])))
    return Case(case, cls, builder, made, work, steps)


# ---------------------------------------------------------------- the child: runs the CLI in-process

def _send(fd: int, *event) -> None:
    os.write(fd, (json.dumps(event, ensure_ascii=True) + "\n").encode())


def inspect_docx(out: Path, forbidden: tuple[str, ...], audit: bool) -> dict:
    """Every .docx under `out`: a zip whose XML parts parse; none carries forbidden text; optionally audited."""
    from lxml import etree

    report = {"files": 0, "projects": 0, "corrupt": [], "planted": [], "invalid": []}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    for path in sorted(out.rglob("*.docx")) if out.is_dir() else []:
        report["files"] += 1
        report["projects"] += bool(re.match(r"附件3-\d+ ", path.name))  # 汨罗's 项目支出绩效自评表, one per project (names may be shortened)
        try:
            with zipfile.ZipFile(path) as z:
                bad = z.testzip()
                if bad:
                    raise zipfile.BadZipFile(f"CRC error in {bad}")
                etree.fromstring(z.read("word/document.xml"), parser)
                for name in z.namelist():
                    data = z.read(name)
                    if name.endswith((".xml", ".rels")):
                        etree.fromstring(data, parser)
                    if any(m.encode() in data for m in forbidden):
                        report["planted"].append(f"{path.name}:{name}")
        except Exception as e:  # noqa: BLE001 - any failure to read it is the finding
            report["corrupt"].append(f"{path.name}: {type(e).__name__}: {e}"[:300])
            continue
        if audit:
            from annexgen.validity import audit as run_audit

            report["invalid"] += [f"{path.name}: {f.text()}"[:300] for f in run_audit(path)[:3]]
    return report


def child(case: Case, wfd: int, audit: bool) -> None:
    limit = _vm_size() + MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 30, 1 << 30))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file too large becomes an OSError, not a silent death
    os.chdir(case.work)
    stdin, _keep_open = os.pipe()  # like a terminal nobody types into: reading standard input blocks
    os.dup2(stdin, 0)
    faulthandler.disable()  # a crash is the outcome to count, not a dump on pytest's terminal
    import typer._click._compat as compat
    import typer._click.utils as utils

    from annexgen.cli import app

    utils.should_strip_ansi = compat.should_strip_ansi = lambda stream=None, color=None: False  # as on a terminal
    for k, (kind, args) in enumerate(case.steps):
        _send(wfd, "begin", k)
        began = time.monotonic()
        for fd, name in ((1, "out"), (2, "err")):
            f = os.open(case.work / f"step{k}.{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(f, fd)
            os.close(f)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="strict", line_buffering=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True)
        code, exc = 0, ""
        try:
            app(args, prog_name="annexgen")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException as e:  # noqa: BLE001 - what escapes the CLI is what the user would see
            code, exc = 1, type(e).__name__
            traceback.print_exc()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        _send(wfd, "end", k, code, exc, time.monotonic() - began)
        if kind == "build":
            _send(wfd, "inspect", k)  # the parent allows the inspection (and audit) more time than a command
            _send(wfd, "docx", k, inspect_docx(case.work / "out", case.made.forbidden, audit))


def _vm_size() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) << 10 for line in f if line.startswith("VmSize:"))


# ---------------------------------------------------------------- the parent: forks, watches, judges

def run_all(numbers: list[int], base: Path, make=plan, done=None) -> list[tuple[Case, dict[str, str]]]:
    """Cases `numbers` (each made by `make(number, folder)` just before it runs), JOBS children at a time; with what each showed.

    `done`, a list, receives each (case, outcomes) as it finishes (a long run cut short keeps what it did)."""
    pending, running = list(numbers), {}
    done = [] if done is None else done
    try:
        _loop(pending, running, done, base, make)
    finally:  # interrupted: no child outlives the run
        for pid, _, _ in running.values():
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return sorted(done, key=lambda d: d[0].number)


def _loop(pending: list[int], running: dict, done: list, base: Path, make) -> None:
    while pending or running:
        while pending and len(running) < JOBS:
            case = make(pending[0], base / f"case{pending[0]}")
            pending.pop(0)
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                os.close(r)
                try:
                    child(case, w, audit=case.number % AUDIT_EVERY == 0)
                finally:
                    os._exit(0)
            os.close(w)
            case.started = time.monotonic()
            running[r] = (pid, case, bytearray())
        ready, _, _ = select.select(list(running), [], [], 0.2)
        now = time.monotonic()
        for r in list(running):
            pid, case, buffer = running[r]
            if r in ready:
                chunk = os.read(r, 65536)
                if chunk:
                    buffer += chunk
                    *lines, rest = bytes(buffer).split(b"\n")
                    buffer[:] = rest
                    for line in lines:
                        case.events.append(tuple(json.loads(line)))
                        case.started = now
                    continue
                _, case.status, usage = os.wait4(pid, 0)
                case.maxrss_kb = usage.ru_maxrss
                os.close(r)
                del running[r]
                done.append((case, judge(case)))
                shutil.rmtree(case.work, ignore_errors=True)
            elif now - case.started > TIMEOUT * (6 if case.events and case.events[-1][0] == "inspect" else 1) and not case.killed:
                case.killed = True
                os.kill(pid, signal.SIGKILL)


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(8 << 20)
    except OSError:
        return b""


def judge(case: Case) -> dict[str, str]:
    """outcome → what happened, for every outcome this case shows."""
    found: dict[str, str] = {}
    begun = [e[1] for e in case.events if e[0] == "begin"]
    ends = {e[1]: (e[2], e[3]) for e in case.events if e[0] == "end"}
    docx = {e[1]: e[2] for e in case.events if e[0] == "docx"}
    codes: dict[str, int] = {}
    blocking: dict[str, list[str]] = {}  # check-json → codes of its errors that block a build
    for k in begun:
        kind, args = case.steps[k]
        out, err = _read(case.work / f"step{k}.out"), _read(case.work / f"step{k}.err")
        both = out + err
        if k not in ends:
            if case.killed:
                found.setdefault("hang", f"{kind} still running after {TIMEOUT:.0f} s")
            elif os.WIFSIGNALED(case.status):
                sig = signal.Signals(os.WTERMSIG(case.status)).name
                found.setdefault("memory" if sig == "SIGKILL" else "signal", f"{kind} killed by {sig}")
            else:
                found.setdefault("signal", f"{kind}: child ended without reporting (status {case.status})")
            continue
        code, exc = ends[k]
        codes[kind] = code
        if exc == "MemoryError" or b"MemoryError" in both:
            found.setdefault("memory", f"{kind}: MemoryError")
        elif exc or b"Traceback (most recent call last)" in both:
            last = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()][-1:] or [exc]
            found.setdefault("traceback", f"{kind}: {last[0][:200]}")
        if code not in (0, 1, 2):
            found.setdefault("exit-code", f"{kind} exited {code}")
        if kind == "check-json":
            try:
                findings = json.loads(out.decode("utf-8"))
                blocking[kind] = [f["code"] for f in findings if f["severity"] == "error" and f["code"] in _load_codes()]
            except (ValueError, TypeError, KeyError) as e:
                found.setdefault("bad-json", f"exit {code}: {e!r}; stdout starts {out[:80]!r}")
        try:
            raw = RAW.search(both.decode("utf-8"))
            if raw:
                found.setdefault("raw-char", f"{kind}: {raw.group()!r} in …{both.decode('utf-8')[max(0, raw.start() - 40) : raw.start() + 10]!r}")
        except UnicodeDecodeError as e:
            found.setdefault("raw-char", f"{kind}: output is not UTF-8 ({e})")
        for marker in case.made.forbidden:
            if marker.encode() in both:
                found.setdefault("planted", f"{kind} printed {marker!r}")
        if kind == "build" and k not in docx and case.killed:
            found.setdefault("hang", "reading the .docx files build wrote took too long")
        if kind == "build" and k in docx:
            report = docx[k]
            if report["corrupt"]:
                found.setdefault("bad-docx", report["corrupt"][0])
            if report["invalid"]:
                found.setdefault("word-repair", report["invalid"][0])
            if report["planted"]:
                found.setdefault("planted", f"planted text inside {report['planted'][0]}")
            if report["files"] and case.made.projects is not None and report["projects"] != case.made.projects:
                found.setdefault("projects", f"exit {code}: {report['projects']} project annexes for {case.made.projects} project files")
            if report["files"] and "表样" not in both.decode("utf-8", "replace"):
                found.setdefault("unnamed-forms", "build wrote files without saying which form set (表样) it used")
            # check passes → build succeeds; check finds nothing that blocks a build (LOAD_CODES errors) → build writes the files
            passed, unblocked = codes.get("check-json") == 0, blocking.get("check-json") == []
            if not exc and ((passed and code != 0) or (unblocked and (code == 2 or not report["files"]))):
                said = (err or out).decode("utf-8", "replace").strip().splitlines() or [""]
                found.setdefault("disagree", f"check exit {codes.get('check-json')} (no blocking error), build exit {code} with {report['files']} files: {said[0][:150]}")
    if case.maxrss_kb > (_rss_kb() + (1 << 20)) and "memory" not in found:
        found["memory"] = f"resident memory reached {case.maxrss_kb >> 10} MB"
    return found


def _load_codes() -> set[str]:
    from annexgen.load import LOAD_CODES

    return set(LOAD_CODES)


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def warm_up(base: Path) -> None:
    """Import and initialise in the parent what every child needs (jieba's dictionary, the validator)."""
    from annexgen.cli import app

    out = base / "warm-out"
    example = str(Path(__file__).parent.parent / "data" / "example-county" / "2024")
    for args in (["check", example], ["build", example, "-o", str(out)]):
        try:
            app(args, prog_name="annexgen", standalone_mode=False)
        except BaseException:  # noqa: BLE001 - a tree being edited may not build; the fuzz will say so
            pass
    try:
        from annexgen.validity import audit

        for docx in sorted(out.glob("*.docx"))[:1]:
            audit(docx)
    except Exception:  # noqa: BLE001
        pass


def table(results: list[tuple[Case, dict[str, str]]]) -> str:
    counts = {cls: {o: 0 for o in OUTCOMES} for cls in CLASSES}
    cases = {cls: 0 for cls in CLASSES}
    for case, found in results:
        cases[case.cls] += 1
        for outcome in found:
            counts[case.cls][outcome] += 1
    short = {o: o[:9] for o in OUTCOMES}
    head = f"{'class':<12}{'cases':>6} " + " ".join(f"{short[o]:>9}" for o in OUTCOMES)
    rows = [f"{cls:<12}{cases[cls]:>6} " + " ".join(f"{counts[cls][o]:>9}" for o in OUTCOMES) for cls in CLASSES]
    total = f"{'total':<12}{len(results):>6} " + " ".join(f"{sum(counts[c][o] for c in CLASSES):>9}" for o in OUTCOMES)
    return "\n".join([head, *rows, total])


def test_hostile_fuzz(tmp_path: Path) -> None:
    numbers = ONLY or list(range(CASES))
    print(f"\nfuzz seed {SEED}: {len(numbers)} cases, {JOBS} at a time (replay: ANNEXGEN_FUZZ_SEED={SEED} ANNEXGEN_FUZZ_ONLY=<case>)")
    warm_up(tmp_path)
    started = time.monotonic()
    results = run_all(numbers, tmp_path)
    elapsed = time.monotonic() - started
    print(table(results))
    print(f"{len(results)} cases in {elapsed:.1f} s: {len(results) / elapsed:.1f} cases/s")
    first: dict[tuple[str, str], str] = {}
    for case, found in results:
        for outcome, what in found.items():
            first.setdefault((outcome, case.cls), f"seed {SEED} case {case.number} [{case.builder}] {case.made.description[:160]} → {what}")
    listing = "\n".join(f"{outcome:>13} {cls:<11} {line}" for (outcome, cls), line in sorted(first.items()))
    if listing:
        print(listing)
    assert not first, f"fuzz seed {SEED}: failures (first reproducer per outcome and class):\n{listing}\n{table(results)}"


# ---------------------------------------------------------------- the harness itself catches what it counts

def _fake_cli(args: list[str], prog_name: str) -> None:
    """Stands in for annexgen.cli.app in the self-test: case N misbehaves in the N-th way the fuzz must notice."""
    import ctypes

    case = int(Path.cwd().name.removeprefix("case"))
    out = Path.cwd() / "out"
    if case == 0:
        raise ValueError("boom")
    if case == 1:
        while True:
            pass
    if case == 2:
        ctypes.string_at(0)  # segmentation fault
    if case == 3:
        bytearray(8 << 30)
    if case == 4:
        sys.exit(3)
    if case == 5:
        print("不是 JSON")
        sys.exit(2)
    if case == 6:
        print("名称\x1b]0;pwn\x07")
        sys.exit(1)
    if args[0] == "build":
        out.mkdir()
        if case == 7:
            (out / "附件1 损坏.docx").write_bytes(b"PK\x03\x04 truncated")
        shutil.copy(Path(__file__).parent.parent / "templates" / "汨罗" / "附件1-基础数据表.docx", out / "附件3-1 项目支出绩效自评表.docx")
        sys.exit(1 if case == 7 else 0)
    print("[]")
    sys.exit(0)


def test_harness_counts_every_outcome(tmp_path: Path, monkeypatch) -> None:
    """Tracebacks, hangs, segfaults, memory, exit codes, JSON, escapes, corrupt and planted .docx, disagreement: each is counted."""
    import annexgen.cli

    monkeypatch.setattr(annexgen.cli, "app", _fake_cli)
    monkeypatch.setattr(sys.modules[__name__], "TIMEOUT", 2.0)

    def make(number: int, work: Path) -> Case:
        work.mkdir()
        steps = [("check-json", ["check", "x", "--format", "json"]), ("build", ["build", "x", "-o", "out"])]
        return Case(number, "self", "fake", Made("fake", forbidden=("附件号",), projects=0), work, steps)

    results = {case.number: found for case, found in run_all(list(range(9)), tmp_path, make)}
    assert {n: sorted(found) for n, found in results.items()} == {
        0: ["bad-json", "traceback"],  # nothing printed on stdout is not JSON either
        1: ["hang"],
        2: ["signal"],
        3: ["bad-json", "memory"],
        4: ["bad-json", "exit-code"],
        5: ["bad-json"],
        6: ["bad-json", "raw-char"],
        7: ["bad-docx", "disagree", "planted", "projects", "unnamed-forms"],
        8: ["planted", "projects", "unnamed-forms"],  # exit 0 with one project annex where there are no projects
    }
    assert results[2]["signal"] == "check-json killed by SIGSEGV"
