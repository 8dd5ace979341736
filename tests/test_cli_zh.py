"""The command line speaks Chinese: every --help, the standard option and section titles, and usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from annexgen.cli import app

runner = CliRunner()
ENGLISH = ("Show this message", "Usage:", "Options", "Arguments", "Commands", "[required]", "[default:", "env var", "[OPTIONS]", "COMMAND [ARGS]")


def _commands(command, path=()):
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, path + (name,))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_every_command_is_listed() -> None:
    assert {" ".join(p) for p in COMMANDS} >= {"", "check", "build", "import", "new", "schema", "forms", "forms list", "forms new", "forms check"}


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "annexgen" for p in COMMANDS])
def test_help_is_chinese(path: tuple[str, ...]) -> None:
    r = runner.invoke(app, [*path, "--help"])
    assert r.exit_code == 0, r.output
    assert "显示帮助并退出" in r.output and r.output.startswith("用法：")
    for word in ENGLISH:
        assert word not in r.output, (word, r.output)


@pytest.mark.parametrize(
    "args,expected",
    [
        (["check", "a", "b"], "错误：多写了 b"),
        (["check"], "错误：缺少参数 path"),
        (["build", "--nope", "x"], "错误：没有选项 --nope"),
        (["check", "--formt", "json", "."], "错误：没有选项 --formt：是不是 --format, --forms 之一？"),
        (["bogus"], "错误：没有命令“bogus”"),
        (["forms", "new", "x", "--from", "全国", "--to", "/etc/hostname"], "错误：--to 的值不对：“/etc/hostname”是文件，这里要写文件夹"),
        (["check", "--format", "xml", "."], "错误：--format 的值不对：“xml”不是可选的值"),
        (["build", ".", "-j", "0"], "错误：-j/--jobs 的值不对：0 不行，至少要写 1"),
        (["check", ".", "--jobs", "两"], "错误：-j/--jobs 的值不对：要写一个整数"),
    ],
)
def test_usage_errors_are_chinese(args: list[str], expected: str) -> None:
    r = subprocess.run([sys.executable, "-c", "from annexgen.cli import main; main()", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith(expected), r.stderr
    assert "查看用法" in r.stderr and "Error" not in r.stderr and "Try '" not in r.stderr
