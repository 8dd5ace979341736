"""The CLI end to end with Typer's runner: exit codes, output shape, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.cli import app
from helpers import year

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_clean_year_exits_0(tmp_path: Path) -> None:
    r = invoke("check", str(year(tmp_path)))
    assert r.exit_code == 0
    assert r.stdout.strip() == "检查了 1 个年度：没有发现问题。"


def test_errors_exit_1_grouped_by_file_with_counts(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表=("控制率: 95.00%", "控制率: 90%"), 整体自评=("自评结论: 优", "自评结论: 良"))
    r = invoke("check", str(root))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"{root}/基础数据表.yaml:9:8: 错误: 控制率写作 90%")
    assert lines[0].endswith("[rate-mismatch]")
    assert lines[1] == ""
    assert lines[2].startswith(f"{root}/整体自评.yaml:89:9: 错误: 自评结论写作“良”")
    assert lines[-1] == "检查了 1 个年度：2 个错误，0 个警告。"


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    root = year(tmp_path, 整体自评=("年初预算数: 500", "年初预算数: 300"))
    assert invoke("check", str(root)).exit_code == 0
    r = invoke("check", "--strict", str(root))
    assert r.exit_code == 1
    assert "[budget-adjusted]" in r.stdout


def test_json_output(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表=("控制率: 95.00%", "控制率: 90%"))
    r = invoke("check", "--format", "json", str(root))
    assert r.exit_code == 1
    (f,) = json.loads(r.stdout)
    assert f == {
        "code": "rate-mismatch",
        "severity": "error",
        "message": "控制率写作 90%，但 实际在职人数 19 / 编制数 20 = 95.00%：请改为 95.00%，或核对这两个数",
        "file": f"{root}/基础数据表.yaml",
        "line": 9,
        "column": 8,
        "path": "基础数据表.财政供养人员情况.控制率",
    }


def test_folder_tree_checks_every_year(tmp_path: Path) -> None:
    year(tmp_path / "a" / "2024")
    year(tmp_path / "b" / "2024", 整体自评=("自评结论: 优", "自评结论: 良"))
    r = invoke("check", str(tmp_path))
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1] == "检查了 2 个年度：1 个错误，0 个警告。"
    assert f"{tmp_path}/b/2024/整体自评.yaml" in r.stdout


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p / "nowhere", "错误: 没有这个文件夹：请检查路径"),
        (lambda p: (p / "f.yaml").write_text("a: 1") and p / "f.yaml", "错误: 不是文件夹"),
        (lambda p: p, "错误: 这里和下级文件夹里都没有 部门.yaml"),
    ],
    ids=["missing", "a file", "no department-year"],
)
def test_unusable_path_exits_2(tmp_path: Path, make, message) -> None:
    r = invoke("check", str(make(tmp_path)))
    assert r.exit_code == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_schema_is_draft7_and_committed_copies_are_current() -> None:
    from annexgen.schema import SCHEMA_FILES, file_schema

    r = invoke("schema")
    schema = json.loads(r.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)
    repo = Path(__file__).parent.parent
    for name in SCHEMA_FILES:
        committed = json.loads((repo / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert committed == file_schema(name), f"schema/{name}.schema.json is stale: run annexgen schema --write schema"
    assert json.loads((repo / "schema" / "annexgen.schema.json").read_text(encoding="utf-8")) == schema


def test_schema_of_one_file_and_unknown_name() -> None:
    r = invoke("schema", "--file", "project")
    assert "项目名称" in json.loads(r.stdout)["properties"]
    r = invoke("schema", "--file", "nope")
    assert r.exit_code == 2


def test_every_command_has_help() -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert command.help and command.help.strip(), name
        r = invoke(name, "--help")
        assert r.exit_code == 0


def test_unreadable_file_is_one_located_error(tmp_path: Path, monkeypatch) -> None:
    """A file without read permission: one located bad-file error, the other files still checked (exit 1)."""
    import errno
    import os

    root = year(tmp_path)
    original = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).endswith("基础数据表.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return original(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    r = invoke("check", str(root))
    assert r.exit_code == 1
    assert f"{root}/基础数据表.yaml:1:1: 错误: 没有读权限，无法读取：请给当前用户读权限（如 chmod u+r），或把文件另存一份 [bad-file]" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_readme_sample_output_is_real(monkeypatch) -> None:
    """The messages the README shows are what `check` prints for the 隆回 seed."""
    repo = Path(__file__).parent.parent
    monkeypatch.chdir(repo)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    block = readme.split("## 三、检查", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    out = invoke("check", "data/longhui-hrss/2024").stdout
    for line in block.splitlines():
        assert line in out.splitlines(), line
