"""Issue 9: a data folder is untrusted. Form sets are chosen by name among trusted ones; templates
render in a sandbox; check reports what build would refuse; nothing raw reaches the terminal."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.cli import app
from annexgen.findings import display_path
from annexgen.forms import BUILTIN
from annexgen.render import MAX_NAME_BYTES

REPO = Path(__file__).parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def year(tmp_path: Path, source: str = "example-county/2024") -> Path:
    root = tmp_path / "单位" / "2024"
    shutil.copytree(REPO / "data" / source, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def plant(template: Path, marker: str) -> None:
    """Put `marker` (text or a Jinja tag) into the first paragraph of a template's body."""
    with zipfile.ZipFile(template) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    at = xml.index("<w:t>") + len("<w:t>")
    parts["word/document.xml"] = (xml[:at] + marker + xml[at:]).encode("utf-8")
    with zipfile.ZipFile(template, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)


def texts(folder: Path) -> str:
    return "".join(zipfile.ZipFile(f).read("word/document.xml").decode("utf-8") for f in sorted(folder.glob("*.docx")))


# --- 1. a form set is a name among trusted sets ---------------------------------------------------


@pytest.mark.parametrize("name", ["../../etc", "/tmp/x", "汨罗/../隆回", "..", ".hidden", "a\\\\b", "汨罗\\n"])
def test_form_set_is_a_name_never_a_path(tmp_path: Path, name: str) -> None:
    root = year(tmp_path)
    edit(root / "部门.yaml", "表样: 汨罗", f"表样: {json.dumps(name, ensure_ascii=False)}")
    r = invoke("check", root)
    assert r.exit_code == 1
    shown = json.loads(json.dumps(name, ensure_ascii=False)).replace("\n", "\\n")
    assert f"{display_path(root / '部门.yaml')}:7:5: 错误: 表样“{shown}”不是表样的名称：这里只写名称（如 全国、汨罗、隆回），不能写路径或 / \\ : * ? \" < > | 等字符 [unknown-form-set]" in r.stdout, r.stdout
    b = invoke("build", root, "-o", tmp_path / "out")
    assert b.exit_code == 1 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["inside", "parent"])
def test_templates_in_or_above_a_data_folder_are_never_used(tmp_path: Path, where: str) -> None:
    """A unit's folder brings its own copy of 汨罗 with a planted line: the built-in set is used, and said so."""
    root = year(tmp_path)
    local = (root if where == "inside" else root.parent) / "templates"
    shutil.copytree(BUILTIN / "汨罗", local / "汨罗")
    plant(local / "汨罗" / "附件2-部门整体支出绩效自评表.docx", "PLANTED")
    r = invoke("build", root, "-o", tmp_path / "out")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "PLANTED" not in texts(tmp_path / "out")
    warning = (
        f"{display_path(root / '部门.yaml')}:7:5: 警告: {display_path(local)}/ 里有表样，但数据文件夹里（或上级）的表样不会被自动使用（它们可能来自别处，能改变生成的文件）："
        f"本次用的是 --forms 指定的或内置的表样。若确认可信，请加 --forms {display_path(local)} [local-forms-ignored]"
    )
    assert warning in r.stdout.splitlines()
    assert f"{display_path(root)}: 表样“汨罗”（内置：{display_path(BUILTIN / '汨罗')}）" in r.stdout.splitlines()
    # the operator opts in on purpose: then it is used, and the build says from where
    r = invoke("build", root, "-o", tmp_path / "out2", "--forms", local)
    assert r.exit_code == 0 and "PLANTED" in texts(tmp_path / "out2")
    assert f"{display_path(root)}: 表样“汨罗”（--forms 指定：{display_path(local / '汨罗')}）" in r.stdout.splitlines()
    assert "local-forms-ignored" not in r.stdout


TAGS = {
    "lipsum": "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
    "class": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "mutation": "{{ 指标行.clear() }}",
}


@pytest.mark.parametrize("kind", sorted(TAGS))
def test_a_template_cannot_reach_python_internals(tmp_path: Path, kind: str, monkeypatch) -> None:
    """Even a form set the operator trusts renders in a sandbox: no code runs, no value changes."""
    monkeypatch.chdir(tmp_path)
    root = year(tmp_path)
    sets = tmp_path / "表样"
    shutil.copytree(BUILTIN / "汨罗", sets / "汨罗")
    template = sets / "汨罗" / "附件2-部门整体支出绩效自评表.docx"
    plant(template, TAGS[kind])
    r = invoke("build", root, "-o", tmp_path / "out", "--forms", sets)
    assert r.exit_code == 1, r.stdout + r.stderr
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "out").exists()
    assert "Traceback" not in r.stdout + r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith(f"{display_path(template)}: 错误: 模板") and line.endswith("[template-error]"), line
    if kind != "mutation":
        c = invoke("forms", "check", "汨罗", "--forms", sets)
        assert c.exit_code == 1
        assert "附件2-部门整体支出绩效自评表.docx: 第1段: 错误: 模板试图访问程序内部（" in c.stdout, c.stdout


def test_forms_check_finds_internals_in_a_footer(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    shutil.copytree(BUILTIN / "汨罗", sets / "汨罗")
    template = sets / "汨罗" / "附件2-部门整体支出绩效自评表.docx"
    with zipfile.ZipFile(template) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    footer = next(n for n in parts if n.startswith("word/footer"))
    xml = parts[footer].decode("utf-8")
    at = xml.index("<w:t") if "<w:t" in xml else xml.index("</w:p>")
    parts[footer] = (xml[:at] + "<w:r><w:t>{{ cycler.__init__.__globals__ }}</w:t></w:r>" + xml[at:]).encode("utf-8")
    with zipfile.ZipFile(template, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    c = invoke("forms", "check", "汨罗", "--forms", sets)
    assert c.exit_code == 1
    assert f"附件2-部门整体支出绩效自评表.docx: {footer}: 错误: 模板试图访问程序内部（.__init__），生成时会被拒绝" in c.stdout, c.stdout
    assert f"附件2-部门整体支出绩效自评表.docx: {footer}: 错误: 模板试图访问程序内部（cycler）" in c.stdout


# --- 5. check reports what build would refuse ------------------------------------------------------


def test_a_missing_part_is_reported_by_check_and_build_agrees(tmp_path: Path) -> None:
    root = year(tmp_path)
    project = root / "项目" / "1-就业服务.yaml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text[: text.index("\n自评报告:")] + "\n", encoding="utf-8")
    (root / "基础数据表.yaml").unlink()
    r = invoke("check", root)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert (
        f"{display_path(project)}:6:1: 错误: 表样“汨罗”的附件5-1（项目支出绩效自评报告）要用本项目的“自评报告”，但这个文件里没有："
        "请补上“自评报告:”（写法见示例数据），或改用不含项目报告的表样 [missing-part]"
    ) in lines, r.stdout
    assert (
        f"{display_path(root / '部门.yaml')}:7:5: 错误: 表样“汨罗”的附件1（部门整体支出绩效评价基础数据表）要用 基础数据表.yaml，但数据里没有：请补上，或改用不含该附件的表样 [missing-part]"
    ) in lines, r.stdout
    b = invoke("build", root, "-o", tmp_path / "out")
    assert b.exit_code == 1 and not (tmp_path / "out").exists()
    assert "{序号}" not in b.stdout + b.stderr and "{项目名称}" not in b.stdout + b.stderr
    assert sum("[missing-part]" in line for line in b.stdout.splitlines()) == 2


@pytest.mark.parametrize("length", [72, 300])
def test_long_project_names_are_shortened_for_file_names(tmp_path: Path, length: int) -> None:
    root = year(tmp_path)
    edit(root / "项目" / "1-就业服务.yaml", "项目名称: 就业服务", "项目名称: " + "就" * length)
    shutil.copy(root / "项目" / "1-就业服务.yaml", root / "项目" / "2-就业服务.yaml")
    assert invoke("check", root).exit_code == 0
    r = invoke("build", root, "-o", tmp_path / "out", "--combine")
    assert r.exit_code == 0, r.stdout + r.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 8 and len(set(names)) == 8
    assert all(len(n.encode("utf-8")) <= MAX_NAME_BYTES for n in names), names
    assert "附件3-1 " + "就" * 60 in " ".join(names) and "附件3-2 " + "就" * 60 in " ".join(names)


def test_a_long_signer_name_builds(tmp_path: Path) -> None:
    root = year(tmp_path)
    edit(root / "部门.yaml", "填表人: 张三", "填表人: " + "张" * 256)
    assert invoke("check", root).exit_code == 0
    r = invoke("build", root, "-o", tmp_path / "out", "--combine")
    assert r.exit_code == 0, r.stdout + r.stderr


# --- 6. terminal and JSON ---------------------------------------------------------------------------


def test_escape_sequences_in_data_never_reach_the_terminal(tmp_path: Path) -> None:
    root = year(tmp_path)
    edit(root / "部门.yaml", "年度: 2024", '年度: 2024\n"\\e[2J\\e]0;pwn\\a\\u202e": 1')
    r = invoke("check", root)
    assert r.exit_code == 1
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in r.stdout + r.stderr
    assert "不认识的键“\\u001b[2J\\u001b]0;pwn\\u0007\\u202e”" in r.stdout, r.stdout
    j = invoke("check", root, "--format", "json")
    data = json.loads(j.stdout)
    assert any(f["message"].startswith("不认识的键“\x1b[2J") for f in data)
    assert "\x1b" not in j.stdout


@pytest.mark.parametrize("target", ["missing", "file"])
def test_json_on_every_exit_path(tmp_path: Path, target: str) -> None:
    path = tmp_path / "x"
    if target == "file":
        path.write_text("x", encoding="utf-8")
    r = invoke("check", path, "--format", "json")
    assert r.exit_code == 2
    [finding] = json.loads(r.stdout)
    assert finding["code"] == "no-data" and finding["severity"] == "error" and str(path) in finding["message"]
    assert r.stderr.strip().endswith("[no-data]")


def test_a_template_error_mid_batch_says_what_was_written(tmp_path: Path) -> None:
    """Year 1 builds with the built-in set, year 2 names a --forms set whose template reaches inside."""
    data = tmp_path / "各单位"
    shutil.copytree(REPO / "data" / "example-county" / "2024", data / "1甲" / "2024")
    shutil.copytree(REPO / "data" / "example-county" / "2024", data / "2乙" / "2024")
    sets = tmp_path / "表样"
    shutil.copytree(BUILTIN / "汨罗", sets / "某县")
    plant(sets / "某县" / "附件2-部门整体支出绩效自评表.docx", "{{ ''.__class__ }}")
    edit(data / "2乙" / "2024" / "部门.yaml", "表样: 汨罗", "表样: 某县")
    r = invoke("build", data, "-o", tmp_path / "out", "--forms", sets)
    assert r.exit_code == 1, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith(f"{display_path(sets / '某县' / '附件2-部门整体支出绩效自评表.docx')}: 错误: 模板试图访问程序内部，已拒绝") and lines[0].endswith("[template-error]")
    assert lines[1].startswith(f"前 1 个年度已生成（新文件），第 2 个年度（{display_path(data / '2乙' / '2024')}）起未改动（原有文件保持原样）")
    assert len(list((tmp_path / "out" / "1甲" / "2024").glob("*.docx"))) == 5 and not (tmp_path / "out" / "2乙").exists()


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_stopped_by_sigterm_says_so_and_json_stays_valid(tmp_path: Path, monkeypatch, fmt: str) -> None:
    import os
    import signal

    import annexgen.commands.check as command

    data = tmp_path / "各单位"
    for name in ("1", "2", "3"):
        shutil.copytree(REPO / "data" / "example-county" / "2024", data / name / "2024")
    real, main = command.check, os.getpid()

    def check_then_terminate(root, trusted=()):  # runs in a worker process of the batch (pool.py): signal the command
        if root.parent.name == "2":
            os.kill(main, signal.SIGTERM)
        return real(root, trusted)

    monkeypatch.setattr(command, "check", check_then_terminate)
    r = invoke("check", data, "--format", fmt)
    assert r.exit_code == 128 + signal.SIGTERM
    assert r.stderr.strip() == "已中断：检查没有做完，上面的结果不完整。 [interrupted]"
    if fmt == "json":
        assert [f["code"] for f in json.loads(r.stdout)] == ["interrupted"]


# --- found by an adversarial review after the first fixes ------------------------------------------


def test_aliases_of_a_long_text_are_bounded(tmp_path: Path) -> None:
    """One 1 MB text used 25 times through an alias: refused at the alias past the folder's text budget, quickly."""
    import time

    root = year(tmp_path)
    old = "        - 截至2024年12月31日，单位编制人数为20人，实际在岗人数19人。"
    edit(root / "自评报告.yaml", old, "        - &x \"" + "x" * (1024 * 1024) + "\"\n" + "        - *x\n" * 25)
    start = time.monotonic()
    r = invoke("check", root)
    assert time.monotonic() - start < 10
    assert r.exit_code == 1
    assert f"{display_path(root / '自评报告.yaml')}:11:11: 错误: 这个年度文件夹的文字合计（别名 * 每用一次都算）超过 20 M 字，从这里起不再读取：请不要用别名重复长文字 [too-complex]" in r.stdout, r.stdout


def test_a_syntax_error_in_a_large_file_is_located_quickly(tmp_path: Path) -> None:
    import time

    root = year(tmp_path)
    (root / "整体自评.yaml").write_text('a: "' + "\\\n" * (600 * 1024) + '"\nb: [\n', encoding="utf-8")
    start = time.monotonic()
    r = invoke("check", root)
    assert time.monotonic() - start < 10
    assert r.exit_code == 1
    assert any(line.startswith(f"{display_path(root / '整体自评.yaml')}:") and line.endswith("[yaml-syntax]") for line in r.stdout.splitlines()), r.stdout


def test_project_files_in_other_spellings_are_read_and_hidden_ones_named(tmp_path: Path) -> None:
    root = year(tmp_path)
    project = root / "项目" / "1-就业服务.yaml"
    project.rename(root / "项目" / "1-就业服务.YML")
    (root / "项目" / "._1-就业服务.yaml").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    r = invoke("check", root)
    assert r.exit_code == 0, r.stdout
    assert f"{display_path(root / '项目' / '._1-就业服务.yaml')}:1:1: 警告: 隐藏文件（名称以“.”开头），不当作项目，已忽略：若是项目，请去掉名称前的“.” [unknown-file]" in r.stdout
    b = invoke("build", root, "-o", tmp_path / "out")
    assert b.exit_code == 0 and sorted(p.name.split(" ")[0] for p in (tmp_path / "out").glob("*.docx")) == ["附件1", "附件2", "附件3-1", "附件4", "附件5-1"]


@pytest.mark.parametrize("args", [["check", "--format", "json", "x", "extra"], ["check", "--format=json", "--bogus", "x"]])
def test_usage_errors_give_json_when_json_is_asked_for(tmp_path: Path, args: list[str]) -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", "from annexgen.cli import main; main()", *args], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    [finding] = json.loads(r.stdout)
    assert finding["code"] == "usage" and finding["message"].startswith("命令写法有误：")
    assert r.stderr.startswith("错误：") and "查看用法" in r.stderr and "Traceback" not in r.stderr
    assert finding["message"].isascii() is False and "Got unexpected" not in finding["message"] and "No such option" not in finding["message"]
