"""The output folder under signals, odd -o paths and concurrent builds (issue 9, class 7).

Signals go to a real `annexgen build` process. A small driver (DRIVER below) runs
the CLI with a hook in write.py that makes the process send the signal to itself
at a chosen moment: halfway through the renames that swap a department-year in,
or while files are being staged. It also logs every staging folder, so the tests
can check where it was made. Each department-year of the output must end wholly
old or wholly new, no staging folder may be left anywhere, and the message must
say which.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen import output, write
from annexgen.cli import app
from annexgen.commands.build import interrupted_state
from helpers import year

runner = CliRunner()

DRIVER = r'''
"""Run `annexgen build` scenarios, each in its own forked process, with a hook in write.py.

argv: the scenarios (JSON file), a department-year to build once first so that every
process starts warm (imports, templates), and the folder for results (results.json and
<name>.err, the process's stderr).
"""
import json, os, signal, sys, time
from pathlib import Path

from annexgen import output, write
from annexgen.build import build

real_commit, real_fsync = write._commit, os.fsync


def hooks(cfg):
    """Make this process signal itself at the moment `cfg` names; log every staging folder."""
    commits = [0]

    def kill_self():
        os.kill(os.getpid(), getattr(signal, cfg["signal"]))

    def commit(stage, out, names):
        commits[0] += 1
        with open(cfg["log"], "a", encoding="utf-8") as f:
            f.write(json.dumps([str(stage), str(out)]) + "\n")
        if commits[0] != cfg.get("commit", 1):
            return real_commit(stage, out, names)
        if "ready" in cfg:  # hold the swap-in until the test says go
            Path(cfg["ready"]).touch()
            while not Path(cfg["go"]).exists():
                time.sleep(0.02)
        if cfg.get("during") != "swap-in":
            return real_commit(stage, out, names)
        real_replace, renamed = os.replace, [0]

        def replace(src, dst):
            real_replace(src, dst)
            renamed[0] += 1
            if renamed[0] == 2:  # two files of this department-year are in place, the others not yet
                kill_self()

        os.replace = replace
        try:
            return real_commit(stage, out, names)
        finally:
            os.replace = real_replace

    def fsync(fd):
        real_fsync(fd)
        if commits[0] + 1 == cfg.get("commit", 1):
            fsync.n = getattr(fsync, "n", 0) + 1
            if fsync.n == 2:  # two files of this department-year are staged
                kill_self()

    write._commit = commit
    if cfg.get("during") == "staging":
        os.fsync = fsync


def start(cfg, results):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 99
    try:
        os.chdir(cfg["cwd"])
        os.dup2(os.open(results / (cfg["name"] + ".err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        hooks(cfg)
        from annexgen.cli import app

        sys.argv = ["annexgen", "build", *cfg["args"]]
        app()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 98
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def wait(pid):
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


scenarios, warm, results = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2]), Path(sys.argv[3])
build(warm, warm.parent / "out")
done = {cfg["name"]: {"pid": start(cfg, results)} for cfg in scenarios}  # all at once, each in its own folder
for cfg in scenarios:
    if "second" in cfg:  # another build while this one waits in its swap-in
        deadline = time.monotonic() + 60
        while not Path(cfg["ready"]).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        done[cfg["second"]["name"]] = {"code": wait(start(cfg["second"], results))}
        Path(cfg["go"]).touch()
for name in list(done):
    if "pid" in done[name]:
        done[name]["code"] = wait(done[name]["pid"])
(results / "results.json").write_text(json.dumps(done), encoding="utf-8")
'''

SCENARIOS = {  # name: (department-years, settings of the hook)
    "swap-in SIGTERM": ("abc", {"signal": "SIGTERM", "during": "swap-in"}),
    "swap-in SIGHUP": ("abc", {"signal": "SIGHUP", "during": "swap-in"}),
    "swap-in SIGINT": ("abc", {"signal": "SIGINT", "during": "swap-in"}),
    "second year staged": ("abc", {"signal": "SIGTERM", "during": "staging", "commit": 2}),
    "one year staged": ("", {"signal": "SIGTERM", "during": "staging"}),
    "one year swap-in": ("", {"signal": "SIGTERM", "during": "swap-in"}),
    "busy": ("", {"ready": "ready", "go": "go"}),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_folders(*folders: Path) -> list[Path]:
    """Staging folders (`.<name>.annexgen-…`) anywhere under these folders."""
    return sorted(p for f in folders for p in f.rglob("*") if ".annexgen-" in p.name)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """The files of one department-year (helpers.year), as a build writes them: the “new” output."""
    tmp = tmp_path_factory.mktemp("reference")
    r = runner.invoke(app, ["build", str(year(tmp / "data")), "-o", str(tmp / "out")])
    assert r.exit_code == 0, r.stdout + r.stderr
    files = snapshot(tmp / "out")
    assert len(files) == 5
    return files


def old(reference: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Fill `folder` with a previous build, distinguishable from a new one; returns its snapshot."""
    folder.mkdir(parents=True)
    for name, data in reference.items():
        (folder / name).write_bytes(b"old " + data)
    return snapshot(folder)


def three_years(tmp_path: Path, reference: dict[str, bytes]) -> tuple[Path, dict[str, dict[str, bytes]]]:
    """Data of three department-years d/a, d/b, d/c, and an output folder holding an old build of each."""
    for unit in "abc":
        year(tmp_path / "d" / unit)
    out = tmp_path / "out"
    return out, {unit: old(reference, out / unit) for unit in "abc"}


@dataclass
class Run:
    """One scenario after its process ended: its folder (data in d/, output in out/), what it printed, what it staged."""

    folder: Path
    before: dict[str, dict[str, bytes]]  # the old output of each department-year (a, b, c; "" for a single one)
    code: int
    stderr: str
    pid: int
    stages: list[tuple[Path, Path]]  # (staging folder, output folder) at each swap-in


@pytest.fixture(scope="module")
def runs(tmp_path_factory, reference) -> dict[str, Run]:
    """Every scenario of SCENARIOS, each in its own process, forked from one warm driver process (a few seconds in all).

    Each gets a folder with data d/ (three department-years d/a, d/b, d/c, or one) and an
    output folder out/ holding an old build of each; it runs `annexgen build d -o out` there.
    """
    base = tmp_path_factory.mktemp("runs")
    results = base / "results"
    results.mkdir()
    configs, before = [], {}
    for name, (units, hook) in SCENARIOS.items():
        folder = base / name.replace(" ", "-")
        if units:
            before[name] = three_years(folder, reference)[1]
        else:
            year(folder / "d")
            before[name] = {"": old(reference, folder / "out")}
        cfg = {"name": name, "cwd": str(folder), "args": ["d", "-o", "out"], "log": str(base / f"{name}.log"), **hook}
        if "ready" in cfg:
            cfg.update(ready=str(base / "ready"), go=str(base / "go"), second={**cfg, "name": name + " second", "log": str(base / "second.log")})
            del cfg["second"]["ready"], cfg["second"]["go"]
        configs.append(cfg)
    (base / "scenarios.json").write_text(json.dumps(configs), encoding="utf-8")
    (base / "driver.py").write_text(DRIVER, encoding="utf-8")
    warm = year(base / "warm" / "d")
    cmd = [sys.executable, str(base / "driver.py"), str(base / "scenarios.json"), str(warm), str(results)]
    r = subprocess.run(cmd, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode("utf-8")
    done = json.loads((results / "results.json").read_text(encoding="utf-8"))

    def stages(log: Path) -> list[tuple[Path, Path]]:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return [(Path(a), Path(b)) for a, b in map(json.loads, lines)]

    out = {}
    for cfg in configs + [c["second"] for c in configs if "second" in c]:
        name = cfg["name"]
        err = (results / f"{name}.err").read_text(encoding="utf-8")
        folder = Path(cfg["cwd"])
        out[name] = Run(folder, before.get(name, {}), done[name]["code"], err, done[name].get("pid", 0), stages(Path(cfg["log"])))
    return out


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_signal_during_the_swap_in(runs, reference, sig: str) -> None:
    """Halfway through swapping in the first of three department-years: that one wholly new, the others wholly old."""
    run = runs[f"swap-in {sig}"]
    out = run.folder / "out"
    assert run.code == 128 + getattr(signal, sig)
    assert run.stderr == "已中断：前 1 个年度已生成（新文件），第 2 个年度（d/b）起未改动（原有文件保持原样）。请重新运行以生成其余年度。\n"
    assert snapshot(out / "a") == reference
    assert snapshot(out / "b") == run.before["b"] and snapshot(out / "c") == run.before["c"]
    assert run.stages == [(run.stages[0][0], out / "a")] and run.stages[0][0].parent == run.folder  # beside out, not inside
    assert staging_folders(run.folder) == []
    assert sorted(p.name for p in run.folder.iterdir()) == ["d", "out"]


def test_signal_after_the_first_year_is_in(runs, reference) -> None:
    """SIGTERM while the second of three department-years is staged: the first is new, the second and third untouched."""
    run = runs["second year staged"]
    out = run.folder / "out"
    assert (run.code, run.stderr) == (
        143,
        "已中断：前 1 个年度已生成（新文件），第 2 个年度（d/b）起未改动（原有文件保持原样）。请重新运行以生成其余年度。\n",
    )
    assert snapshot(out / "a") == reference
    assert snapshot(out / "b") == run.before["b"] and snapshot(out / "c") == run.before["c"]
    assert [target for _, target in run.stages] == [out / "a"]
    assert staging_folders(run.folder) == []


@pytest.mark.parametrize(
    "during,message",
    [
        ("staged", "已中断：输出文件夹未改动（原有文件保持原样）。\n"),
        ("swap-in", "已中断：但中断时文件已全部写好，输出文件夹里是这次新生成的文件。\n"),
    ],
)
def test_signal_in_one_department_year(runs, reference, during: str, message: str) -> None:
    """One department-year: interrupted while staging it leaves the old files; during its swap-in, it finishes first."""
    run = runs[f"one year {during}"]
    assert (run.code, run.stderr) == (143, message)
    assert snapshot(run.folder / "out") == (run.before[""] if during == "staged" else reference)
    assert staging_folders(run.folder) == []
    assert sorted(p.name for p in run.folder.iterdir()) == ["d", "out"]


def test_a_second_build_to_the_same_folder_refuses(runs, reference) -> None:
    """While one build swaps its files in, another to the same folder stops at once; the first then completes."""
    first, second = runs["busy"], runs["busy second"]
    assert (second.code, second.stderr) == (
        1,
        f"out: 错误: 另一个 annexgen build 正在写入这个输出文件夹（进程 {first.pid}）：请等它结束后再运行，或换一个输出文件夹 [output-busy]\n",
    )
    assert second.stages == []  # it staged nothing
    assert (first.code, first.stderr) == (0, "")
    assert snapshot(first.folder / "out") == reference
    assert staging_folders(first.folder) == []
    r = runner.invoke(app, ["build", str(first.folder / "d"), "-o", str(first.folder / "out")])  # the lock went with the first build
    assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize(
    "held,built,where",
    [
        ("out", "out/2024", "它的上级文件夹 out"),
        ("out/2024", "out", "这个输出文件夹下面的文件夹"),
    ],
)
def test_a_build_above_or_below_a_folder_being_written_refuses(tmp_path: Path, monkeypatch, held: str, built: str, where: str) -> None:
    """Folders inside one another overlap: a build into either refuses while the other is written; side by side is fine."""
    monkeypatch.chdir(tmp_path)
    year(tmp_path / "d")
    (tmp_path / held).mkdir(parents=True)
    with output.batch(Path(held)):  # this process plays the other build
        r = runner.invoke(app, ["build", "d", "-o", built])
        assert (r.exit_code, r.stdout) == (1, "")
        assert r.stderr == (
            f"{built}: 错误: 另一个 annexgen build 正在写入{where}（进程 {os.getpid()}）：请等它结束后再运行，或换一个输出文件夹 [output-busy]\n"
        )
        assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*")) == (["out/2024"] if held == "out/2024" else [])
        beside = runner.invoke(app, ["build", "d", "-o", str(Path(held).parent / "beside")])
        assert beside.exit_code == 0, beside.stderr
    assert staging_folders(tmp_path) == []


def test_interruption_message_names_the_years_written() -> None:
    """Computed from which department-years were swapped in, whatever their order."""
    years = [Path(n) for n in ("d/a", "d/b", "d/c")]
    assert interrupted_state(years, [False, False, False]) == "已中断：输出文件夹未改动（原有文件保持原样）。"
    assert interrupted_state(years, [True, True, False]) == (
        "已中断：前 2 个年度已生成（新文件），第 3 个年度（d/c）起未改动（原有文件保持原样）。请重新运行以生成其余年度。"
    )
    # d/a was not written (its data had errors), d/b was: not a leading run, so named
    assert interrupted_state(years, [False, True, False]) == (
        "已中断：1 个年度已生成（新文件）：d/b；其余 2 个年度未改动（原有文件保持原样）。请重新运行以生成其余年度。"
    )
    assert interrupted_state(years, [True, True, True]) == "已中断：但中断时全部 3 个年度都已生成（新文件）。"


@pytest.mark.parametrize("layout", ["build . -o .", "build data -o data/out", "build d -o d/../d"])
def test_staging_is_never_inside_the_output(tmp_path: Path, monkeypatch, reference, layout: str) -> None:
    """Wherever -o points (the data folder itself, a folder inside it, a path with ..), staging happens beside it."""
    data = year(tmp_path / ("data" if "data" in layout else "d"))
    cwd = data if layout == "build . -o ." else tmp_path
    out = (cwd / layout.split()[-1]).resolve()
    seen = []
    real = write._commit

    def commit(stage, target, names):
        seen.append((stage, target, staging_folders(out)))
        return real(stage, target, names)

    monkeypatch.setattr(write, "_commit", commit)
    monkeypatch.chdir(cwd)
    r = runner.invoke(app, layout.split())
    assert r.exit_code == 0, r.stdout + r.stderr
    [(stage, target, inside)] = seen
    assert (stage.parent, target, inside) == (out.parent, out, [])
    assert {name: (out / name).read_bytes() for name in reference} == reference
    assert staging_folders(tmp_path) == []


def test_write_errors_are_located_and_coded(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(app, ["build", str(year(tmp_path / "data")), "-o", str(blocker / "out")])
    assert r.exit_code == 1
    assert r.stderr == f"{blocker / 'out'}: 错误: 无法创建输出文件夹：Not a directory。请检查路径和写权限 [write-error]\n"


def test_failed_write_in_a_batch_says_what_was_written(tmp_path: Path, monkeypatch, reference) -> None:
    """The disk fills up while the second of three department-years is swapped in: its old files are back, the first is new."""
    out, before = three_years(tmp_path, reference)
    real = os.replace
    calls = {"n": 0}

    def failing(src, dst):
        if "new" in Path(src).parts:
            calls["n"] += 1
            if calls["n"] == len(reference) + 3:  # the third file of the second department-year
                raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(write.os, "replace", failing)
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["build", "d", "-o", "out"])
    assert r.exit_code == 1
    assert r.stderr == (
        "out/b: 错误: 写入失败：No space left on device。原有文件未改动；请检查磁盘空间和写权限后再运行。"
        "另外，前 1 个年度已生成（新文件），第 2 个年度（d/b）起未改动（原有文件保持原样） [write-error]\n"
    )
    assert snapshot(out / "a") == reference
    assert snapshot(out / "b") == before["b"] and snapshot(out / "c") == before["c"]
    assert staging_folders(tmp_path) == []


def test_original_that_cannot_be_put_back_is_kept(tmp_path: Path, monkeypatch) -> None:
    """Should putting an original back fail too, its only copy stays in the staging folder, and the message says where."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_bytes(b"old a")
    (out / "b.txt").write_bytes(b"old b")
    real = os.replace

    def failing(src, dst):
        if Path(src).name == "b.txt" or "old" in Path(src).parts:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(write.os, "replace", failing)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(write.WriteError) as e:
        write.write_files(Path("out"), {"a.txt": b"new a", "b.txt": b"new b"})
    [stage] = staging_folders(tmp_path)
    assert str(e.value) == (
        f"out: 错误: 写入失败，且有 1 个原有文件未能放回原处（如 out/a.txt）：它们保存在 {stage.name}/old 中，"
        "请手动移回；请检查磁盘空间和写权限 [write-error]"
    )
    assert (stage / "old" / "a.txt").read_bytes() == b"old a" and (out / "b.txt").read_bytes() == b"old b"
    shutil.rmtree(stage)


def test_signal_that_breaks_a_library_cleanup(tmp_path: Path, monkeypatch) -> None:
    """SIGINT while zipfile opens an entry (the CI failure): its close then refuses with a ValueError of its own.

    That consequence must not replace the interruption: still exit 130, the Chinese message, no traceback,
    the old output untouched. Raised from zlib.compressobj, after zipfile has marked a write handle open,
    while python-docx saves a template being compiled (compiled.py; the annexes' own zips use no zipfile).
    """
    import zlib

    from annexgen import compiled

    data = year(tmp_path / "d")
    out = tmp_path / "out"
    first = runner.invoke(app, ["build", str(data), "-o", str(out)])
    assert first.exit_code == 0, first.stderr
    before = snapshot(out)
    real, real_init, calls = zlib.compressobj, compiled.CompiledTemplate.__init__, [0]

    def compressobj(*args):
        calls[0] += 1
        if calls[0] == 3:  # the third entry of the first template's save
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args)

    def init(*args, **kwargs):  # count only zipfile's entries (python-docx's save of the template)
        monkeypatch.setattr(zipfile.zlib, "compressobj", compressobj)
        try:
            return real_init(*args, **kwargs)
        finally:
            monkeypatch.setattr(zipfile.zlib, "compressobj", real)

    monkeypatch.setattr(compiled.CompiledTemplate, "__init__", init)
    monkeypatch.setattr(compiled, "_CACHE", {})  # compile again in this run
    r = runner.invoke(app, ["build", str(data), "-o", str(out)])
    assert calls[0] >= 3
    assert (r.exit_code, r.stderr) == (130, "已中断：输出文件夹未改动（原有文件保持原样）。\n")
    assert snapshot(out) == before
    assert staging_folders(tmp_path) == []


def test_interruption_is_found_behind_a_cleanup_error() -> None:
    """`output.interruption` finds the Interrupted a later error was raised while handling; None when there is none."""
    stop = output.Interrupted(signal.SIGTERM)
    try:
        try:
            raise stop
        except KeyboardInterrupt:
            raise ValueError("close refused")
    except ValueError as e:
        assert output.interruption(e) is stop
    assert output.interruption(ValueError("plain")) is None
    assert output.interruption(KeyboardInterrupt()) is None  # a bare Ctrl-C outside a build is not ours to relabel
