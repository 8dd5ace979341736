"""Broken and hostile input: a Chinese message at file:line:col, the right exit code, nothing written.

One case per kind of input a clerk's editor, a Chinese Windows tool or a paste can
produce (issue 5). Each runs `annexgen build` through the CLI into an output folder
that already holds a previous build, and asserts the code, the line and the exit code,
that there is no traceback, and that the previous output is untouched.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.cli import app
from helpers import FILES, year

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An output folder holding the build of the consistent department-year."""
    out = tmp_path / "out"
    r = runner.invoke(app, ["build", str(year(tmp_path / "good")), "-o", str(out)])
    assert r.exit_code == 0
    return out


def replace(stem: str, old: str, new: str):
    return lambda root: (root / stem).write_text((root / stem).read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def write(stem: str, content: str | bytes):
    def go(root: Path) -> None:
        path = root / stem
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    return go


BOMB = "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]) + "\n"

# (case, change, file, code, line, exit code)
CASES = [
    ("tab indentation", replace("部门.yaml", "  填表人", "\t填表人"), "部门.yaml", "yaml-syntax", 5, 1),
    ("bad indentation", replace("部门.yaml", "  联系电话", "   联系电话"), "部门.yaml", "yaml-syntax", 7, 1),
    ("unclosed quote", replace("部门.yaml", '"07391234567"', '"07391234567'), "部门.yaml", "yaml-syntax", 9, 1),
    ("empty file", write("基础数据表.yaml", ""), "基础数据表.yaml", "empty-file", 1, 1),
    ("top level not a mapping", write("部门.yaml", "- 部门名称: 甲\n"), "部门.yaml", "not-mapping", 1, 1),
    ("key given twice", replace("部门.yaml", "年度: 2024\n", "年度: 2024\n年度: 2023\n"), "部门.yaml", "duplicate-key", 3, 1),
    ("unknown key", replace("部门.yaml", "  单位负责人", "  单位负责任"), "部门.yaml", "unknown-key", 8, 1),
    ("text where a number belongs", replace("整体自评.yaml", "其他资金: 20", "其他资金: 见附表"), "整体自评.yaml", "wrong-type", 14, 1),
    ("thousands separator", replace("整体自评.yaml", "其他资金: 20", '其他资金: "1,234.5"'), "整体自评.yaml", "wrong-type", 14, 1),
    ("万 without 元", replace("整体自评.yaml", "其他资金: 20", "其他资金: 12万"), "整体自评.yaml", "wrong-type", 14, 1),
    ("full-width digits", replace("整体自评.yaml", "其他资金: 20", "其他资金: １２．５"), "整体自评.yaml", "wrong-type", 14, 1),
    ("percent where an amount belongs", replace("整体自评.yaml", "其他资金: 20", "其他资金: 100%"), "整体自评.yaml", "wrong-type", 14, 1),
    ("dash for nothing", replace("整体自评.yaml", "其他资金: 20", "其他资金: —"), "整体自评.yaml", "wrong-type", 14, 1),
    ("negative amount", replace("整体自评.yaml", "其他资金: 20", "其他资金: -20"), "整体自评.yaml", "wrong-type", 14, 1),
    ("negative headcount", replace("基础数据表.yaml", "编制数: 20", "编制数: -20"), "基础数据表.yaml", "wrong-type", 7, 1),
    ("date that does not exist", replace("部门.yaml", "2025-03-01", "2025-02-29"), "部门.yaml", "bad-date", 6, 1),
    ("GBK without recognisable keys", write("部门.yaml", "a: 1\nb: 中文\n".encode("gbk")), "部门.yaml", "encoding", 2, 1),
    ("UTF-16 without a byte-order mark", write("部门.yaml", FILES["部门.yaml"].encode("utf-16-le")), "部门.yaml", "encoding", 1, 1),
    ("alias bomb", write("基础数据表.yaml", BOMB), "基础数据表.yaml", "too-complex", 6, 1),  # the first alias past the limit
    ("deep nesting", write("基础数据表.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n"), "基础数据表.yaml", "too-complex", 1, 1),
    ("raw control character", replace("部门.yaml", "填表人: 张三", "填表人: 张\x07三"), "部门.yaml", "control-char", 5, 1),
    ("expression reaching Python internals", replace("自评报告.yaml", "- 全年城镇新增就业4673人。", "- \"{{ ''.__class__.__mro__ }}\""), "自评报告.yaml", "text-expression", 10, 1),
    ("expression looping without end", replace("自评报告.yaml", "- 全年城镇新增就业4673人。", "- '{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}'"), "自评报告.yaml", "text-expression", 10, 1),
    ("expression with endless output", replace("自评报告.yaml", "- 全年城镇新增就业4673人。", "- '{{ \"x\" * 999999999 }}'"), "自评报告.yaml", "text-expression", 10, 1),
]


@pytest.mark.parametrize("name,change,file,code,line,exit_code", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused(tmp_path: Path, previous: Path, name, change, file, code, line, exit_code) -> None:
    before = snapshot(previous)
    root = year(tmp_path / "bad")
    change(root)
    r = runner.invoke(app, ["build", str(root), "-o", str(previous)])
    assert r.exit_code == exit_code, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    located = [line_ for line_ in r.stdout.splitlines() if f"[{code}]" in line_]
    assert located, r.stdout
    assert located[0].startswith(f"{root}/{file}:{line}:"), located[0]
    assert "未生成" in r.stdout
    assert snapshot(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "good", "out"]


def test_huge_file_is_refused_quickly(tmp_path: Path) -> None:
    root = year(tmp_path)
    with open(root / "基础数据表.yaml", "r+b") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: 300 MB on paper, nothing read
    r = runner.invoke(app, ["check", str(root)])
    assert r.exit_code == 1
    assert f"{root}/基础数据表.yaml:1:1: 错误: 文件过大（307200 KB），单个数据文件不应超过 5 MB [too-complex]" in r.stdout


@pytest.mark.parametrize(
    "encode",
    [lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), lambda t: t.encode("utf-16"), lambda t: t.encode("utf-32"), lambda t: t.encode("gb18030")],
    ids=["UTF-8 with BOM", "UTF-16 with BOM", "UTF-32 with BOM", "GB18030 with the format's keys"],
)
def test_other_encodings_read_where_unambiguous(tmp_path: Path, encode) -> None:
    root = year(tmp_path / "data")
    (root / "部门.yaml").write_bytes(encode(FILES["部门.yaml"]))
    r = runner.invoke(app, ["build", str(root), "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.stdout
    assert "已生成 5 个文件" in r.stdout


def test_escaped_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    from extract import extract_text

    root = year(tmp_path / "data", 部门=("填表人: 张三", '填表人: "张\\x07三\\x0c\\uFFFE"'))
    r = runner.invoke(app, ["build", str(root), "-o", str(tmp_path / "out")])
    assert r.exit_code == 0
    assert f"{root}/部门.yaml:5:8: 警告: 文字中有 Word 文件不能容纳的控制字符（U+0007、U+000C、U+FFFE），已删除：请检查这段文字是否完整 [control-char]" in r.stdout
    assert "填表人：张三 " in extract_text(tmp_path / "out" / "附件1 部门整体支出绩效评价基础数据表.docx")


@pytest.mark.parametrize("name", ["../../逃逸", "a/b\\c:d*e?f\"g<h>i|j", "CON", "NUL.txt", "..", " . "])
def test_names_become_safe_file_names(tmp_path: Path, name: str) -> None:
    root = year(tmp_path / "data", 就业服务=("项目名称: 就业服务", f"项目名称: '{name}'"))
    out = tmp_path / "out"
    r = runner.invoke(app, ["build", str(root), "-o", str(out), "--combine"])
    assert r.exit_code == 0, r.stdout
    files = [p for p in tmp_path.rglob("*.docx")]
    assert all(p.parent == out for p in files), files
    assert len(files) == 6
    for p in files:
        stem = p.name.split(".")[0].upper()
        assert stem not in {"CON", "NUL", "PRN", "AUX"} and not any(c in p.name for c in '/\\:*?"<>|')


def test_two_projects_whose_names_clean_up_alike_do_not_collide(tmp_path: Path) -> None:
    from helpers import PROJECT

    root = year(tmp_path / "data", 就业服务=("项目名称: 就业服务", "项目名称: 'A/B'"))
    (root / "项目" / "2-x.yaml").write_text(PROJECT.replace("项目名称: 就业服务", "项目名称: 'A:B'"), encoding="utf-8")
    r = runner.invoke(app, ["build", str(root), "-o", str(tmp_path / "out")])
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert r.exit_code == 0 and len(names) == 7 and len(set(names)) == 7
    assert "附件3-1 A_B项目支出绩效自评表.docx" in names and "附件3-2 A_B项目支出绩效自评表.docx" in names


def _bad_template(kind: str, path: Path) -> None:
    if kind == "not a docx":
        path.write_text("这不是 Word 文件", encoding="utf-8")
    elif kind == "corrupt docx":
        data = bytearray(path.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 200] = b"\x00" * 200
        path.write_bytes(bytes(data))
    elif kind == "zip bomb":
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/media/bomb.bin", b"\x00" * (60 * 1024 * 1024))
    elif kind == "external entity":
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["word/document.xml"] = parts["word/document.xml"].replace(
            b"?>", b'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1
        )
        with zipfile.ZipFile(path, "w") as z:
            for n, b in parts.items():
                z.writestr(n, b)


@pytest.mark.parametrize(
    "kind,words",
    [
        ("not a docx", "这不是 Word 文档（.docx），或文件已损坏"),
        ("corrupt docx", "或文件已损坏"),
        ("zip bomb", "模板解压后过大"),
        ("external entity", "声明了 XML 实体（DOCTYPE/ENTITY），已拒绝"),
    ],
)
def test_bad_template_is_refused(tmp_path: Path, previous: Path, kind: str, words: str) -> None:
    import shutil

    from annexgen.forms import BUILTIN

    before = snapshot(previous)
    root = year(tmp_path / "bad")
    sets = tmp_path / "表样"
    shutil.copytree(BUILTIN / "汨罗", sets / "汨罗")
    _bad_template(kind, sets / "汨罗" / "附件2-部门整体支出绩效自评表.docx")
    r = runner.invoke(app, ["build", str(root), "-o", str(previous), "--forms", str(sets)])
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert "附件2-部门整体支出绩效自评表.docx: 错误: " in r.stderr and words in r.stderr, r.stderr
    assert snapshot(previous) == before


@pytest.fixture(scope="module")
def long_build(tmp_path_factory) -> tuple[list[str], Path, float]:
    """A build of several seconds, done once: 汨罗 with its four projects copied ten times (83 annexes and the combined file).

    Returns the command without its output folder, that build's output, and how long it took.
    """
    import shutil
    import subprocess
    import sys
    import time

    tmp = tmp_path_factory.mktemp("long")
    data = tmp / "data"
    shutil.copytree(Path(__file__).parent.parent / "data" / "miluo-hrss" / "2023", data)
    for project in sorted((data / "项目").glob("*.yaml")):
        n, name = project.stem.split("-", 1)
        for copy in range(1, 10):
            shutil.copy(project, data / "项目" / f"{int(n) + 4 * copy}-{name}{copy}.yaml")
    cmd = [sys.executable, "-c", "from annexgen.cli import app; app()", "build", str(data), "--combine", "-o"]
    started = time.monotonic()
    r = subprocess.run([*cmd, str(tmp / "out")], check=False, capture_output=True, timeout=300)
    assert (r.returncode, r.stderr) == (1, b"")  # exit 1: the real submission's own errors (tests/test_seeds.py); files written
    return cmd, tmp / "out", time.monotonic() - started


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_build_interrupted_by_a_signal(tmp_path: Path, long_build, sig: str) -> None:
    """A real process interrupted (Ctrl-C, SIGTERM, SIGHUP) or killed mid-build: the previous output stays as it was.

    The signal lands while annexes are being rendered, before anything is staged; test_output_safety.py
    sends them during the swap-in. Exit code 128 + the signal's number, as a shell reports it.
    """
    import signal
    import subprocess
    import time

    cmd, built, full = long_build
    before = snapshot(built)
    assert len(before) == 3 + 2 * 40 + 1  # 附件1, 2, 4, two per project, the combined file
    out = tmp_path / "out"
    out.mkdir()
    for name in before:  # make the old build distinguishable from a new one
        (out / name).write_bytes(b"old " + before[name])
    before = snapshot(out)
    proc = subprocess.Popen([*cmd, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(min(2.0, full / 3))  # well inside rendering, long before the swap-in
    signum = getattr(signal, sig)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    if sig == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL and err == b""
    else:
        assert (proc.returncode, err.decode("utf-8")) == (128 + signum, "已中断：输出文件夹未改动（原有文件保持原样）。\n")
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder beside it
