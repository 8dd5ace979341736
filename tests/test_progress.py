"""Batch check and build show a progress bar with counts and the current unit on a terminal; elsewhere only the final line."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from annexgen.findings import SafeStream
from helpers import year


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "各单位"
    year(root / "甲局" / "2024")
    shutil.copytree(root / "甲局" / "2024", root / "乙局" / "2024")
    return root


@pytest.mark.parametrize("command,verb", [("check", "检查"), ("build", "生成")])
def test_batch_shows_progress_on_a_terminal_only(tmp_path: Path, monkeypatch, command: str, verb: str) -> None:
    from annexgen.commands import build, check

    root = tree(tmp_path)

    def run(stderr) -> tuple[str, str]:
        monkeypatch.setattr(sys, "stderr", stderr)
        out = io.StringIO()
        if command == "check":
            code = check.run(root, "text", False, SafeStream(out))
        else:
            code = build.run(root, tmp_path / f"out-{type(stderr).__name__}", False, False, SafeStream(out))
        assert code == 0, out.getvalue()
        return stderr.getvalue(), out.getvalue()

    shown, out = run(Terminal())
    assert verb in shown and "2/2" in shown and "乙局" in shown
    assert "\x1b" not in out and ("检查了 2 个年度" in out)
    quiet, out = run(io.StringIO())
    assert quiet == "" and "检查了 2 个年度" in out
