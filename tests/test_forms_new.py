"""`annexgen forms new NAME --from SET [--only 2,3:2]`: a whole copy, or some annexes renumbered, written whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from annexgen.cli import app
from annexgen.findings import display_path
from annexgen.formcopy import parse_only, renamed
from annexgen.forms import BUILTIN, read_form_set
from extract import extract_text

REPO = Path(__file__).parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def files(folder: Path) -> list[str]:
    """Every entry of a folder, hidden ones included (a staging folder left behind would show)."""
    return sorted(p.name for p in folder.iterdir())


def test_whole_copy_keeps_every_file_and_changes_only_the_name(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets))
    assert r.exit_code == 0, r.stdout + r.stderr
    made, origin = sets / "某县", BUILTIN / "汨罗"
    assert files(sets) == ["某县"]
    assert files(made) == files(origin)
    for name in files(origin):
        if name != "表样.yaml":
            assert (made / name).read_bytes() == (origin / name).read_bytes(), name
    old = (origin / "表样.yaml").read_text(encoding="utf-8").splitlines()
    new = (made / "表样.yaml").read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(old, new) if a != b] == [("名称: 汨罗", "名称: 某县")] and len(old) == len(new)
    assert f"表样“某县”（{display_path(made)}）：没有发现问题。" in r.stdout.splitlines()
    assert read_form_set(made).annexes == read_form_set(origin).annexes


def test_only_copies_the_chosen_annexes_and_their_templates(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets), "--only", "2,3")
    assert r.exit_code == 0, r.stdout + r.stderr
    made = sets / "某县"
    assert files(made) == ["表样.yaml", "附件2-部门整体支出绩效自评表.docx", "附件3-项目支出绩效自评表.docx"]
    form_set = read_form_set(made)
    assert [(a.编号, a.内容, a.模板) for a in form_set.annexes] == [
        ("2", "部门整体支出绩效自评表", "附件2-部门整体支出绩效自评表.docx"),
        ("3-{序号}", "项目支出绩效自评表", "附件3-项目支出绩效自评表.docx"),
    ]
    assert (made / "附件2-部门整体支出绩效自评表.docx").read_bytes() == (BUILTIN / "汨罗" / "附件2-部门整体支出绩效自评表.docx").read_bytes()
    text = (made / "表样.yaml").read_text(encoding="utf-8")
    assert "基础数据表.docx" not in text and "自评报告" not in text.split("附件:")[1]
    assert "其中有 2 个附件" in r.stdout


def test_renumbered_subset_builds_with_the_new_numbers(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets), "--only", "2:1,3:2")
    assert r.exit_code == 0, r.stdout + r.stderr
    made = sets / "某县"
    assert files(made) == ["表样.yaml", "附件1-部门整体支出绩效自评表.docx", "附件2-项目支出绩效自评表.docx"]
    annexes = read_form_set(made).annexes
    assert [(a.编号, a.名称, a.模板) for a in annexes] == [
        ("1", "部门整体支出绩效自评表", "附件1-部门整体支出绩效自评表.docx"),
        ("2-{序号}", "{项目名称}项目支出绩效自评表", "附件2-项目支出绩效自评表.docx"),
    ]
    assert "附件1 部门整体支出绩效自评表（原附件2）" in r.stdout

    data = tmp_path / "县" / "2023"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", data)
    department = data / "部门.yaml"
    department.write_text(department.read_text(encoding="utf-8").replace("表样: 汨罗", "表样: 某县"), encoding="utf-8")
    out = tmp_path / "out"
    b = invoke("build", str(data), "-o", str(out), "--forms", str(sets))  # the seed's own findings make it exit 1
    projects = len(list((data / "项目").iterdir()))
    assert f"已生成 {1 + projects} 个文件" in b.stdout, b.stdout + b.stderr
    built = sorted(p.name for p in out.iterdir())
    assert projects > 1 and len(built) == 1 + projects, built
    assert built[0] == "附件1 部门整体支出绩效自评表.docx"
    assert [name.split(" ")[0] for name in built[1:]] == [f"附件2-{n}" for n in range(1, projects + 1)], built
    assert extract_text(out / "附件1 部门整体支出绩效自评表.docx").split("\n")[0] == "附件1"
    first_project = next(out.glob("附件2-1 *.docx"))
    assert extract_text(first_project).split("\n")[0] == "附件2-1"


def test_longhui_numbers_with_a_suffix_are_chosen_and_renamed(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "隆回", "--to", str(sets), "--only", "3-附1:1，附件4-2：2")  # Chinese commas, colons, 附件 allowed
    assert r.exit_code == 0, r.stdout + r.stderr
    made = sets / "某县"
    assert files(made) == ["表样.yaml", "附件1附-基础数据表.docx", "附件2-部门整体支出绩效自评表.docx"]
    assert [(a.编号, a.内容) for a in read_form_set(made).annexes] == [("1", "基础数据表"), ("2", "部门整体支出绩效自评表")]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("附件2-部门整体支出绩效自评表.docx", "2", "1", "附件1-部门整体支出绩效自评表.docx"),
        ("附件4-1-自评基础数据表.docx", "4-1", "3", "附件3-自评基础数据表.docx"),
        ("附件3附-基础数据表.docx", "3-附1", "2-附1", "附件2附-基础数据表.docx"),
        ("附件12-表.docx", "1", "5", "附件12-表.docx"),  # 12 is not annex 1
        ("自评表.docx", "2", "1", "自评表.docx"),
        ("附件2-表.docx", "2", "2", "附件2-表.docx"),
    ],
)
def test_template_names_follow_the_new_number(file: str, old: str, new: str, expected: str) -> None:
    assert renamed(file, old, new) == expected


def test_parse_only() -> None:
    assert parse_only("2, 3:2 ,附件4-1：1") == [("2", None), ("3", "2"), ("4-1", "1")]


@pytest.mark.parametrize(
    ("only", "message"),
    [
        ("2,6,7", "--only: 错误: 表样“汨罗”没有附件 6、7：它的附件号是 1、2、3、4、5"),
        ("2:1,3:1", "都编为附件1"),
        ("1,2:1", "都编为附件1"),  # a kept number taken by a new one
        ("2,2:1", "附件2 写了两次"),
        ("2:a/b", "新附件号“a/b”不能用"),
        ("2,,3", "里有空的一项"),
        ("2:", "写法不对"),
        (" ", "没有写附件号"),
    ],
)
def test_bad_only_writes_nothing(tmp_path: Path, only: str, message: str) -> None:
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets), "--only", only)
    assert r.exit_code == 1, r.stdout
    assert message in r.stderr and r.stderr.rstrip().endswith("[bad-only]"), r.stderr
    assert r.stdout == "" and not sets.exists()


def test_existing_folder_is_never_replaced(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    mine = sets / "某县"
    mine.mkdir(parents=True)
    (mine / "说明.txt").write_text("本县自己的", encoding="utf-8")
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets), "--only", "2:1")
    assert r.exit_code == 1 and "已经有这个表样了" in r.stderr
    assert files(sets) == ["某县"] and files(mine) == ["说明.txt"]
    empty = sets / "空的"
    empty.mkdir()
    r = invoke("forms", "new", "空的", "--from", "汨罗", "--to", str(sets))
    assert r.exit_code == 1 and "已经有这个表样了" in r.stderr and files(empty) == []


MANIFEST = """\
# 某市表样（抄自汨罗）
# 参照：财预〔2020〕10号
名称: 某市
附件编号: 数字    # 附件1、附件2
标签:
  当年财政拨款: 本年财政拨款
附件:
  # 基础数据表：本市不要
  - 编号: "1"
    名称: 部门整体支出绩效评价基础数据表
    模板: 附件1-基础数据表.docx
    内容: 基础数据表
    默认标题: "{年度}年度部门整体支出绩效评价基础\\n数据表"
  # 整体自评表
  - 编号: "2"   # 印在表头
    名称: 部门整体支出绩效自评表
    模板: 附件2-部门整体支出绩效自评表.docx   # 在 Word 里改过
    内容: 部门整体支出绩效自评表
    默认标题: "{年度}年度部门整体支出绩效自评表"
    必备: false
  - 编号: '3-{序号}'
    名称: "{项目名称}项目支出绩效自评表"
    # 每个项目一张
    模板: 附件3-项目支出绩效自评表.docx
    内容: 项目支出绩效自评表
    默认标题: "{年度}年度项目支出绩效自评表"
# 文末说明
"""


def test_comments_and_other_keys_survive(tmp_path: Path) -> None:
    source = tmp_path / "源" / "某市"
    source.mkdir(parents=True)
    for name in ("附件1-基础数据表.docx", "附件2-部门整体支出绩效自评表.docx", "附件3-项目支出绩效自评表.docx"):
        shutil.copyfile(BUILTIN / "汨罗" / name, source / name)
    (source / "表样.yaml").write_text(MANIFEST, encoding="utf-8")
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "本县", "--from", "某市", "--forms", str(tmp_path / "源"), "--to", str(sets), "--only", "3:2,2:1")
    assert r.exit_code == 0, r.stdout + r.stderr
    text = (sets / "本县" / "表样.yaml").read_text(encoding="utf-8")
    expected = (
        MANIFEST.replace("名称: 某市", "名称: 本县")
        .replace('  - 编号: "1"\n    名称: 部门整体支出绩效评价基础数据表\n    模板: 附件1-基础数据表.docx\n    内容: 基础数据表\n'
                 '    默认标题: "{年度}年度部门整体支出绩效评价基础\\n数据表"\n', "")
        .replace('编号: "2"   # 印在表头', '编号: "1"   # 印在表头')
        .replace("模板: 附件2-部门整体支出绩效自评表.docx   #", "模板: 附件1-部门整体支出绩效自评表.docx   #")
        .replace("编号: '3-{序号}'", "编号: '2-{序号}'")
        .replace("模板: 附件3-项目支出绩效自评表.docx", "模板: 附件2-项目支出绩效自评表.docx")
    )
    assert expected != MANIFEST and text == expected
    assert files(sets / "本县") == ["表样.yaml", "附件1-部门整体支出绩效自评表.docx", "附件2-项目支出绩效自评表.docx"]
    annexes = read_form_set(sets / "本县").annexes
    assert [(a.编号, a.必备) for a in annexes] == [("1", False), ("2-{序号}", True)]


def test_a_copy_that_fails_the_check_says_so(tmp_path: Path) -> None:
    source = tmp_path / "源"
    shutil.copytree(BUILTIN / "汨罗", source / "坏县")
    template = source / "坏县" / "附件2-部门整体支出绩效自评表.docx"
    doc = Document(str(template))
    para = next(p for p in doc.paragraphs if "{{ 填表人 }}" in p.text)
    para.text = para.text.replace("{{ 填表人 }}", "{{ 填表 }}")
    doc.save(str(template))
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "坏县", "--forms", str(source), "--to", str(sets), "--only", "2:1")
    assert r.exit_code == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    problem = next(line for line in lines if "“填表”不存在" in line)
    assert problem.startswith(f"{display_path(sets / '某县')}/附件1-部门整体支出绩效自评表.docx: ")
    assert any(line.startswith("复制出的表样有上面这些问题") and "annexgen forms check 某县" in line for line in lines)
    assert files(sets / "某县") == ["表样.yaml", "附件1-部门整体支出绩效自评表.docx"]


def test_a_manifest_written_in_flow_style(tmp_path: Path) -> None:
    """[ ] lists and { } annexes lose the items not chosen with their commas; one template shared is copied once."""
    source = tmp_path / "源" / "双"
    source.mkdir(parents=True)
    shutil.copyfile(BUILTIN / "汨罗" / "附件2-部门整体支出绩效自评表.docx", source / "附件2-自评表.docx")
    (source / "表样.yaml").write_text(
        '名称: 双\n附件: [{编号: "1", 名称: 甲, 模板: 附件2-自评表.docx, 内容: 部门整体支出绩效自评表, 默认标题: "x"},\n'
        '       {编号: "2", 名称: 乙, 模板: 附件2-自评表.docx, 内容: 部门整体支出绩效自评表, 默认标题: "y"}]  # 两张\n',
        encoding="utf-8",
    )
    sets = tmp_path / "表样"
    for name, only, annexes, template in (("后", "2:5", [("5", "乙")], "附件5-自评表.docx"), ("前", "1", [("1", "甲")], "附件2-自评表.docx"), ("都", "1:3,2:4", [("3", "甲"), ("4", "乙")], "附件2-自评表.docx")):
        r = invoke("forms", "new", name, "--from", "双", "--forms", str(tmp_path / "源"), "--to", str(sets), "--only", only)
        assert r.exit_code == 0, r.stdout + r.stderr
        assert files(sets / name) == ["表样.yaml", template]
        assert [(a.编号, a.名称) for a in read_form_set(sets / name).annexes] == annexes
        assert (sets / name / "表样.yaml").read_text(encoding="utf-8").rstrip().endswith("]  # 两张")
