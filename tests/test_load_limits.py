"""Issue 9, classes 3 and 4: the parser, numbers and files of a hostile submission.

Nesting, alias expansion, bytes and files are bounded per department-year; every tagged
scalar that does not fit its tag is a located wrong-type; numbers have at most 18 integer
digits and 10 decimal places, and Decimal arithmetic never raises; only regular files
inside the department-year folder are read, and nothing blocks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.build import build
from annexgen.check import check
from annexgen.cli import app
from annexgen.files import natural_key
from annexgen.load import MAX_PROJECT_FILES, find_department_years, load, load_document
from annexgen.yamlread import MAX_FOLDER_NODES
from helpers import PROJECT, year

runner = CliRunner()
DEEP = "嵌套层级过深（超过 64 层），请检查括号和缩进"


def findings_of(tmp_path: Path, text: str) -> list[str]:
    """load_document's findings for a file holding `text`, as `name:line:col: ... [code]` without the folder."""
    file = tmp_path / "x.yaml"
    file.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    _doc, found = load_document(file)
    assert time.perf_counter() - started < 2
    return [f.text().removeprefix(f"{tmp_path}/") for f in found]


# --- 1. nesting, at any size, never reaches a recursive composer --------------------------

@pytest.mark.parametrize(
    "text,where",
    [
        ("a: " + "[" * 30_000, "1:68"),
        ("a: " + "[" * 1_000_000, "1:68"),
        ("a: " + "{" * 30_000, "1:68"),
        ("a: " + "{" * 1_000_000, "1:68"),
        ("".join(" " * i + f"k{i}:\n" for i in range(3000)), "65:65"),
        ("a:\n" + "- " * 30_000 + "x\n", "2:129"),
        ("a: &a " + "[" * 60 + "]" * 60 + "\nb: [[[[[[*a]]]]]]\n", "2:10"),  # an alias of a deep node, placed deep
        ("a: " + "[" * 30_000 + "\n  b: c\n\t", "1:68"),  # with a syntax error after it: the pure-Python parser is bounded too
    ],
    ids=["30000 [", "1000000 [", "30000 {", "1000000 {", "block indentation", "- - -", "alias of a deep node", "then a syntax error"],
)
def test_deep_nesting_is_refused_where_it_starts(tmp_path: Path, text: str, where: str) -> None:
    assert findings_of(tmp_path, text) == [f"x.yaml:{where}: 错误: {DEEP} [too-complex]"]


def test_deep_nesting_through_the_cli_exits_1_without_a_crash(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表="a: " + "[" * 1_000_000 + "\n")
    r = subprocess.run([sys.executable, "-c", "from annexgen.cli import app; app()", "check", str(root)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert f"{root}/基础数据表.yaml:1:68: 错误: {DEEP} [too-complex]" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_an_alias_of_its_own_node_is_refused(tmp_path: Path) -> None:
    assert findings_of(tmp_path, "a: &a [1, *a]\n") == ["x.yaml:1:11: 错误: 别名 *a 引用了包含它自己的内容，会无限展开：请把内容直接写出 [too-complex]"]


# --- 2. tags ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value,message",
    [
        ("!!bool maybe", "标签“!!bool”要求真假值 true 或 false，现为“maybe”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!int abc", "标签“!!int”要求整数（如 12），现为“abc”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!int 1.5", "标签“!!int”要求整数（如 12），现为“1.5”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!float abc", "标签“!!float”要求数字（如 12.5），现为“abc”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!float .inf", "标签“!!float”要求数字（如 12.5），现为“.inf”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!timestamp abc", "标签“!!timestamp”要求日期（如 2024-10-17），现为“abc”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!timestamp 2024-02-30", "日期“2024-02-30”不存在：请检查年、月、日 [bad-date]"),
        ("2024-01-01 10:00:00 +99:00", "日期“2024-01-01 10:00:00 +99:00”不存在：请检查年、月、日 [bad-date]"),
        ("!!null x", "标签“!!null”要求空值（~ 或 null），现为“x”：请按标签改写，或去掉标签 [wrong-type]"),
        ("!!binary aGk=", "不支持的 YAML 标签“tag:yaml.org,2002:binary”：数据文件里只写文字、数字、日期和 true/false [wrong-type]"),
        ("!!set {x}", "不支持的 YAML 标签“tag:yaml.org,2002:set”：数据文件里只写文字、数字、日期和 true/false [wrong-type]"),
        ("!!omap [x: 1]", "不支持的 YAML 标签“tag:yaml.org,2002:omap”：数据文件里只写文字、数字、日期和 true/false [wrong-type]"),
        ("!!python/object:os.system {}", "不支持的 YAML 标签“tag:yaml.org,2002:python/object:os.system”：数据文件里只写文字、数字、日期和 true/false [wrong-type]"),
        ("!foo x", "不支持的 YAML 标签“!foo”：数据文件里只写文字、数字、日期和 true/false [wrong-type]"),
    ],
)
def test_a_tagged_value_that_does_not_fit_its_tag(tmp_path: Path, value: str, message: str) -> None:
    severity = "错误"
    assert findings_of(tmp_path, f"a: {value}\n") == [f"x.yaml:1:4: {severity}: {message}"]


def test_tagged_values_that_fit_their_tags(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text("a: !!float 1\nb: !!int 12\nc: !!bool yes\nd: !!null\ne: !!str 12\nf: !!timestamp 2024-01-02\n", encoding="utf-8")
    doc, found = load_document(file)
    assert found == []
    assert {k: str(v) for k, v in doc.data.items()} == {"a": "1", "b": "12", "c": "True", "d": "None", "e": "12", "f": "2024-01-02"}


# --- 3. numbers ------------------------------------------------------------------------------

TOO_MANY = "位数过多：数字最多 18 位整数、10 位小数，请核对"


@pytest.mark.parametrize(
    "written,shown",
    [("9" * 5000, "99999999999999999999…9999999999"), ("0.000000000000000000000001", "0.000000000000000000000001"), ("1234567890123456789", "1234567890123456789"), ("-1.12345678901", "-1.12345678901")],
    ids=["5000 digits", "24 places", "19 digits", "11 places"],
)
def test_numbers_beyond_the_limits_are_refused_at_their_place(tmp_path: Path, written: str, shown: str) -> None:
    assert findings_of(tmp_path, f"a: {written}\n") == [f"x.yaml:1:4: 错误: 数字“{shown}”{TOO_MANY} [wrong-type]"]


def test_numbers_at_the_limits_are_read(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text("a: 999999999999999999.9999999999\nb: 000000000000000000001.5\nc: 999999999999999999\n", encoding="utf-8")
    doc, found = load_document(file)
    assert found == [] and [str(v) for v in doc.data.values()] == ["999999999999999999.9999999999", "1.5", "999999999999999999"]


EXTREMES = ["0.000000000000000000000001", "9.99E-25", "1E+30", "1e999", ".inf", "-.inf", ".nan", "NaN", "Infinity", "9" * 5000,
            "999999999999999999.9999999999", "0.0000000001", "0", "0.0", "100000000000000000", '"1e999%"', '"99999999999999999999%"',
            '"0.000000000000000000001%"', '"100000000000000000000万元"', '"0.00000000000000000000001万元"']
# (file, written text, replaced by; the value goes where {} is) for every numeric kind
FIELDS = {
    "amount": ("就业服务", "全年预算数: 50, 全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7", "全年预算数: {}, 全年执行数: 48.5, 分值: 10"),
    "amount executed": ("就业服务", "全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7", "全年执行数: {}, 分值: 10"),
    "percent": ("就业服务", "执行率: 97.00%", "执行率: {}"),
    "score": ("就业服务", "分值: 10, 执行率: 97.00%, 得分: 9.7", "分值: {}, 执行率: 97.00%"),
    "count": ("基础数据表", "编制数: 20", "编制数: {}"),
}


@pytest.mark.parametrize("value", EXTREMES, ids=[v if len(v) < 40 else f"{len(v)} digits" for v in EXTREMES])
@pytest.mark.parametrize("kind", list(FIELDS))
def test_extreme_numbers_never_raise_in_check(tmp_path: Path, kind: str, value: str) -> None:
    stem, old, new = FIELDS[kind]
    root = year(tmp_path, **{stem: (old, new.format(value))})
    if kind == "count":
        (root / "基础数据表.yaml").write_text((root / "基础数据表.yaml").read_text(encoding="utf-8").replace("  控制率: 95.00%\n", ""), encoding="utf-8")
    found = check(root)  # load, derive and every rule: must not raise
    assert all(f.line >= 1 and f.code for f in found)
    text = value.strip('"')
    plain = text.removesuffix("%").removesuffix("万元")
    suffix = text[len(plain):]
    accepted = suffix == "" or suffix == "%" and kind == "percent" or suffix == "万元" and kind.startswith("amount")
    line = 7 if kind == "count" else 5
    wrong = [f.message for f in found if f.code == "wrong-type" and f.line == line]
    if not accepted:
        assert wrong, [f.text() for f in found]
    elif plain.replace(".", "", 1).isdigit() and (len(plain.split(".")[0].lstrip("0")) > 18 or len(plain.partition(".")[2]) > 10):
        assert any("位数过多" in m for m in wrong), [f.text() for f in found]


@pytest.mark.parametrize("value", ["999999999999999999.9999999999", "0.0000000001"])
def test_extreme_numbers_within_the_limits_build(tmp_path: Path, value: str) -> None:
    stem, old, new = FIELDS["amount"]
    root = year(tmp_path / "data", **{stem: (old, new.format(value))})
    result = build(root, tmp_path / "out")  # derive divides by this amount and renders the result
    assert result is not None


def test_rounding_and_sums_never_raise() -> None:
    from decimal import Decimal

    from annexgen.derive import score_value
    from annexgen.rules.common import same_value
    from annexgen.values import Percent, exact_sum, rounded

    assert Percent.of(Decimal("999999999999999999") * 100 / Decimal("0.0000000001")).text == "999999999999999999000000000000.00%"
    assert exact_sum([Decimal("999999999999999999.9999999999")] * 3) == Decimal("2999999999999999999.9999999997")
    assert score_value(Decimal("999999999999999999"), Decimal("100")) == Decimal("999999999999999999")
    assert rounded(Decimal("1E+999999"), 2) == Decimal("1E+999999")
    assert str(rounded(Decimal("NaN"), 2)) == "NaN"
    assert same_value(Decimal("1" + "0" * 100000), Decimal("1" + "0" * 100000)) and not same_value(Decimal("NaN"), Decimal(1))


# --- 4. budgets per department-year -----------------------------------------------------------

ALIASES = "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 4)] + ["a4: [" + ", ".join(["*a3"] * 15) + "]"]) + "\n"


def test_many_files_expanding_aliases_share_one_budget(tmp_path: Path) -> None:
    """Each file stays under the per-file limit (about 179000 nodes); together they pass the folder's."""
    root = year(tmp_path)
    for i in range(5):
        (root / "项目" / f"z{i}.yaml").write_text(ALIASES, encoding="utf-8")
    found = [f for f in load(root).findings if f.code == "too-complex"]
    assert [f.text() for f in found] == [f"{root}/项目/z1.yaml:5:6: 错误: 这个年度文件夹的文件合计内容过多或别名（&/*）展开过多（超过 {MAX_FOLDER_NODES} 项），从这里起不再读取：请简化 [too-complex]"]
    assert not any(f.file.endswith(("z2.yaml", "z3.yaml", "z4.yaml")) for f in load(root).findings)  # not read


def test_too_many_project_files(tmp_path: Path) -> None:
    root = year(tmp_path)
    for i in range(MAX_PROJECT_FILES + 1):
        (root / "项目" / f"{i + 2}-x.yaml").write_text("项目名称: x\n", encoding="utf-8")
    found = [f.text() for f in load(root).findings if f.code == "too-complex"]
    assert found == [f"{root}/项目:1:1: 错误: 项目/ 里有 1002 个 .yaml 文件，超过 1000 个，只读取了前 1000 个：请检查是否放错了文件夹 [too-complex]"]


def test_total_bytes_of_a_folder(tmp_path: Path) -> None:
    root = year(tmp_path)
    for i in range(5):
        (root / "项目" / f"z{i}.yaml").write_text("a: '" + "x" * (5 * 1024 * 1024 - 100) + "'\n", encoding="utf-8")
    found = [f.text() for f in load(root).findings if f.code == "too-complex"]
    assert found == [f"{root}/项目/z3.yaml:1:1: 错误: 这个年度文件夹的文件合计超过 20 MB，从这里起不再读取：请检查是否放错了文件 [too-complex]"]


# --- 5. files that are not regular files ----------------------------------------------------

REGULAR = "请换成保存在磁盘上的普通文件"
LINK = "请删除这个链接，把文件本身放在这里"


def bad(root: Path, name: str, what: str, advice: str) -> str:
    return f"{root}/{name}:1:1: 错误: 这不是普通文件（{what}），没有读取：{advice} [bad-file]"


def make_fifo(root: Path) -> str:
    os.mkfifo(root / "项目" / "2-管道.yaml")
    return bad(root, "项目/2-管道.yaml", "是管道（FIFO）", REGULAR)


def make_loop(root: Path) -> str:
    os.symlink("3-b.yaml", root / "项目" / "2-a.yaml")
    os.symlink("2-a.yaml", root / "项目" / "3-b.yaml")
    return bad(root, "项目/2-a.yaml", "是循环的符号链接", LINK) + "\n" + bad(root, "项目/3-b.yaml", "是循环的符号链接", LINK)


def make_self_loop(root: Path) -> str:
    os.symlink("2-self.yaml", root / "项目" / "2-self.yaml")
    return bad(root, "项目/2-self.yaml", "是循环的符号链接", LINK)


def make_zero(root: Path) -> str:
    (root / "基础数据表.yaml").unlink()
    os.symlink("/dev/zero", root / "基础数据表.yaml")
    return bad(root, "基础数据表.yaml", "是指向年度文件夹以外的符号链接", "请把文件本身复制到这里")


def make_passwd(root: Path) -> str:
    os.symlink("/etc/passwd", root / "项目" / "2-x.yaml")
    return bad(root, "项目/2-x.yaml", "是指向年度文件夹以外的符号链接", "请把文件本身复制到这里")


def make_dangling(root: Path) -> str:
    os.symlink("nowhere.yaml", root / "项目" / "2-x.yaml")
    return bad(root, "项目/2-x.yaml", "是指向不存在的文件的符号链接", LINK)


def make_directory(root: Path) -> str:
    (root / "项目" / "2-x.yaml").mkdir()
    return bad(root, "项目/2-x.yaml", "是文件夹", "数据文件应是 .yaml 文件；如是误建的文件夹，请改名或删除")


def make_projects_link(root: Path) -> str:
    outside = root.parent / "elsewhere"
    (root / "项目").rename(outside)
    os.symlink(outside, root / "项目")
    return bad(root, "项目", "是指向年度文件夹以外的符号链接", "请把文件本身复制到这里")


@pytest.mark.parametrize(
    "make",
    [make_fifo, make_loop, make_self_loop, make_zero, make_passwd, make_dangling, make_directory, make_projects_link],
    ids=["FIFO", "link loop", "self loop", "link to /dev/zero", "link to /etc/passwd", "dangling link", "folder named .yaml", "项目 linked outside"],
)
def test_files_that_are_not_regular_files(tmp_path: Path, make) -> None:
    root = year(tmp_path / "data")
    expected = make(root)
    r = runner.invoke(app, ["check", str(root)])
    assert r.exit_code == 1, r.stdout
    assert "Traceback" not in r.stdout and "/etc/passwd" not in r.stdout and "/dev/zero" not in r.stdout and "elsewhere" not in r.stdout
    assert [line for line in r.stdout.splitlines() if "[bad-file]" in line] == expected.splitlines()


def test_unreadable_file(tmp_path: Path) -> None:
    root = year(tmp_path)
    file = root / "项目" / "1-就业服务.yaml"
    file.chmod(0)
    try:
        if os.access(file, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        assert [f.text() for f in check(root)] == [f"{file}:1:1: 错误: 没有读权限，无法读取：请给当前用户读权限（如 chmod u+r），或把文件另存一份 [bad-file]"]
    finally:
        file.chmod(0o644)


def test_a_link_to_a_file_inside_the_folder_is_read(tmp_path: Path) -> None:
    root = year(tmp_path)
    (root / "项目" / "1-就业服务.yaml").rename(root / "项目.yaml.txt")
    os.symlink("../项目.yaml.txt", root / "项目" / "1-就业服务.yaml")
    loaded = load(root)
    assert loaded.findings == [] and loaded.submission.项目[0].项目名称 == "就业服务"


@pytest.mark.parametrize("name", ["1²2.yaml", "١٢.yaml", "٣-x.yaml"])
def test_names_with_digits_that_are_not_ascii(tmp_path: Path, name: str) -> None:
    root = year(tmp_path)
    (root / "项目" / name).write_text((root / "项目" / "1-就业服务.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load(root)
    assert loaded.findings == [] and len(loaded.submission.项目) == 2


def test_natural_order() -> None:
    names = ["10-a.yaml", "2-b.yaml", "1²2.yaml", "١٢.yaml", "02-b.yaml", "2-a.yaml", "b", "a10", "a9"]
    assert sorted(names, key=natural_key) == ["1²2.yaml", "02-b.yaml", "2-a.yaml", "2-b.yaml", "10-a.yaml", "a9", "a10", "b", "١٢.yaml"]


def test_walking_a_tree_with_a_symlinked_folder_loop(tmp_path: Path) -> None:
    year(tmp_path / "tree" / "b" / "2024")
    year(tmp_path / "tree" / "a" / "2023")
    year(tmp_path / "outside" / "2022")
    os.symlink(tmp_path / "tree", tmp_path / "tree" / "a" / "loop")
    os.symlink(tmp_path / "outside", tmp_path / "tree" / "b" / "out")
    (tmp_path / "tree" / "c").mkdir()
    (tmp_path / "tree" / "c").chmod(0)
    try:
        assert find_department_years(tmp_path / "tree") == [tmp_path / "tree" / "a" / "2023", tmp_path / "tree" / "b" / "2024"]
    finally:
        (tmp_path / "tree" / "c").chmod(0o755)
