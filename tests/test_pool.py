"""A batch on every core (pool.py): the same files and report as on one, in order, bounded, and it stops cleanly."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen import build as build_module
from annexgen import pool
from annexgen.cli import app
from test_build import snapshot

REPO = Path(__file__).parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """Every example department-year, a second copy of the seed, and one that cannot be built, in one tree."""
    root = tmp_path_factory.mktemp("tree") / "收件"
    for unit in sorted((REPO / "data").iterdir()):
        for year in unit.iterdir():
            shutil.copytree(year, root / unit.name / year.name)
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", root / "zz-second" / "2023")
    broken = root / "mid-broken" / "2024"
    shutil.copytree(REPO / "data" / "example-county" / "2024", broken)
    (broken / "整体自评.yaml").write_text("部门整体支出绩效自评表: [\n", encoding="utf-8")
    return root


def test_parallel_batch_is_byte_identical_to_serial(tree: Path, tmp_path: Path) -> None:
    serial = runner.invoke(app, ["build", str(tree), "-o", str(tmp_path / "one"), "--combine", "-j", "1"])
    parallel = runner.invoke(app, ["build", str(tree), "-o", str(tmp_path / "all"), "--combine", "-j", "2"])
    assert serial.exit_code == parallel.exit_code == 1  # the broken year is an error in both
    # the same findings, in the same order, and the same summary lines (but for the output folder's name)
    assert parallel.stdout.replace(f"{tmp_path}/all/", f"{tmp_path}/one/") == serial.stdout
    files = snapshot(tmp_path / "one")
    assert len([f for f in files if f.endswith(".docx")]) >= 30
    assert snapshot(tmp_path / "all") == files  # every file, byte for byte


def test_parallel_check_and_summary_are_serials(tree: Path, tmp_path: Path) -> None:
    for fmt in ("text", "json"):
        one = runner.invoke(app, ["check", str(tree), "--format", fmt, "-j", "1"])
        two = runner.invoke(app, ["check", str(tree), "--format", fmt, "-j", "2"])
        assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout) and one.stdout.count("[") > 50
    runner.invoke(app, ["summary", str(tree), "-o", str(tmp_path / "one.xlsx"), "-j", "1"])
    runner.invoke(app, ["summary", str(tree), "-o", str(tmp_path / "two.xlsx"), "-j", "2"])
    assert (tmp_path / "two.xlsx").read_bytes() == (tmp_path / "one.xlsx").read_bytes()


def test_results_come_in_order_and_errors_at_their_place() -> None:
    got = []
    with pytest.raises(ValueError, match="item 5"):
        for value in pool.ordered(_square_or_fail, range(20), workers=2):
            got.append(value)
    assert got == [0, 1, 4, 9, 16]
    assert multiprocessing.active_children() == []  # the pool is shut down


def test_at_most_a_few_years_are_in_flight() -> None:
    pulled = []

    def items():
        for i in range(50):
            pulled.append(i)
            yield i

    results = pool.ordered(_square_or_fail, items(), workers=2)
    assert next(results) == 0
    assert len(pulled) <= 2 * (pool.AHEAD + 1) + 1
    results.close()
    assert multiprocessing.active_children() == []


def test_a_lost_worker_is_a_clear_error(tree: Path, tmp_path: Path, monkeypatch) -> None:
    """A worker killed (out of memory, by the system): a Chinese message, a non-zero exit, no traceback, output kept."""
    out = tmp_path / "out"
    runner.invoke(app, ["build", str(tree / "miluo-hrss"), "-o", str(out), "-j", "1"])
    before = snapshot(out)
    real = build_module.make

    def make(root, *args):  # the forked workers inherit this
        if "zz-second" in str(root):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(root, *args)

    monkeypatch.setattr(build_module, "make", make)
    monkeypatch.setattr("annexgen.commands.build.make", make)
    r = runner.invoke(app, ["build", str(tree), "-o", str(out), "-j", "2"])
    assert r.exit_code == 1
    assert "工作进程意外退出" in r.stderr and "--jobs 1" in r.stderr and "[worker-lost]" in r.stderr
    assert "Traceback" not in r.stderr
    assert "个年度已生成（新文件）" in r.stderr  # what the years before it left
    assert multiprocessing.active_children() == []


def test_workers_are_out_of_reach_of_the_terminals_signals() -> None:
    """Ctrl-C reaches the whole foreground process group: the workers are in a group of their own."""
    states = list(pool.ordered(_signal_state, range(2), workers=2))
    assert all(group != os.getpgrp() and group == pid for group, pid, _ in states)
    assert all(handler == signal.SIG_DFL for _, _, handler in states)  # the pool can end them


def _square_or_fail(i: int) -> int:
    if i == 5:
        raise ValueError(f"item {i}")
    return i * i


def _signal_state(_i: int):
    return os.getpgrp(), os.getpid(), signal.getsignal(signal.SIGTERM)


def test_workers_end_with_the_main_process(tmp_path: Path) -> None:
    """The main process killed outright (SIGKILL: no cleanup runs): its workers do not stay behind."""
    import subprocess
    import sys
    import time

    pids = tmp_path / "pids"
    script = f"""
import os, signal, time
from annexgen import pool

def slow(i):
    with open({str(pids)!r}, "a") as f:
        f.write(f"{{os.getpid()}}\\n")
    time.sleep(30)
    return i

for _ in pool.ordered(slow, range(4), 2):
    pass
"""
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while (not pids.exists() or len(set(pids.read_text().split())) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = {int(p) for p in pids.read_text().split()}
    assert len(workers) == 2
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
