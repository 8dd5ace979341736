"""Form sets as data: the search path, `forms list/new/check`, and a county's own edited copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from docx import Document
from docx.shared import Mm
from typer.testing import CliRunner

from annexgen.cli import app
from annexgen.findings import display_path
from annexgen.forms import BUILTIN, find_form_set, list_form_sets
from extract import extract_text

REPO = Path(__file__).parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def county(tmp_path: Path) -> Path:
    """A county's data folder: the 汨罗 example department-year under tmp/县/2023."""
    data = tmp_path / "县" / "2023"
    shutil.copytree(REPO / "data" / "miluo-hrss" / "2023", data)
    return data


def test_builtin_sets_are_listed(tmp_path: Path) -> None:
    r = invoke("forms", "list")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [f"{n}\t内置\t{display_path(BUILTIN / n)}" for n in ("全国", "汨罗", "隆回")]


def county_set(tmp_path: Path) -> tuple[Path, Path]:
    """A county's data folder and its own form set 某县 (a copy of 汨罗) in tmp/表样, as `forms new` makes it."""
    data = county(tmp_path)
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(tmp_path / "表样"))
    assert r.exit_code == 0, r.stdout + r.stderr
    return data, tmp_path / "表样"


def test_forms_folder_comes_first_and_shadows(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    shutil.copytree(BUILTIN / "汨罗", sets / "汨罗")
    assert find_form_set("汨罗", [sets]).folder == sets / "汨罗"
    assert find_form_set("汨罗").folder == BUILTIN / "汨罗"
    found = [(f.name, f.builtin, f.shadowed) for f in list_form_sets([sets])]
    assert found == [("汨罗", False, False), ("全国", True, False), ("汨罗", True, True), ("隆回", True, False)]
    # a folder given with --forms may also be one form set itself
    assert find_form_set("汨罗", [sets / "汨罗"]).folder == sets / "汨罗"


def test_new_copies_a_set_into_the_given_folder(tmp_path: Path) -> None:
    sets = tmp_path / "表样"
    r = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets))
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"--forms {display_path(sets)}" in r.stdout
    made = sets / "某县"
    assert sorted(p.name for p in made.iterdir()) == sorted(p.name for p in (BUILTIN / "汨罗").iterdir())
    assert "名称: 某县" in (made / "表样.yaml").read_text(encoding="utf-8")
    again = invoke("forms", "new", "某县", "--from", "汨罗", "--to", str(sets))
    assert again.exit_code == 1 and "已经有这个表样了" in again.stderr
    for bad_name in ("../某县", "a/b", ".某县", "..", "某\\县"):
        bad = invoke("forms", "new", bad_name, "--from", "汨罗", "--to", str(sets))
        assert bad.exit_code == 1 and "不是表样的名称：这里只写名称" in bad.stderr, bad_name
    assert sorted(p.name for p in sets.iterdir()) == ["某县"]


def test_edited_copy_builds_with_the_edits(tmp_path: Path) -> None:
    """Copy a set with `forms new`, change a title and a column width as a user would in Word, build with it."""
    data, sets = county_set(tmp_path)
    template = sets / "某县" / "附件2-部门整体支出绩效自评表.docx"
    doc = Document(str(template))
    label = next(p for p in doc.paragraphs if "附件号" in p.text)
    label.text = "附件{{ 附件号 }}（某县格式）"
    table = doc.tables[0]
    table.columns[0].width = Mm(20)
    for cell in table.columns[0].cells:
        cell.width = Mm(20)
    doc.save(str(template))
    deps = (data / "部门.yaml").read_text(encoding="utf-8").replace("表样: 汨罗", "表样: 某县")
    (data / "部门.yaml").write_text(deps, encoding="utf-8")

    r = invoke("build", str(data), "-o", str(tmp_path / "out"), "--forms", str(sets))
    assert "已生成 11 个文件" in r.stdout, r.stdout
    assert f"表样“某县”（--forms 指定：{display_path(sets / '某县')}）" in r.stdout
    built = tmp_path / "out" / "附件2 部门整体支出绩效自评表.docx"
    assert extract_text(built).split("\n")[0] == "附件2（某县格式）"
    assert abs(Document(str(built)).tables[0].columns[0].width - Mm(20)) < Mm(0.1)
    untouched = tmp_path / "out" / "附件1 部门整体支出绩效评价基础数据表.docx"
    assert extract_text(untouched).split("\n")[0] == "附件1"


def test_check_is_clean_on_every_builtin_set() -> None:
    r = invoke("forms", "check")
    assert r.exit_code == 0, r.stdout
    assert r.stdout.splitlines() == [f"表样“{n}”（{display_path(BUILTIN / n)}）：没有发现问题。" for n in ("全国", "汨罗", "隆回")]


def test_check_names_a_misspelled_variable_and_where_it_is(tmp_path: Path) -> None:
    data, sets = county_set(tmp_path)
    folder = sets / "某县"
    doc = Document(str(folder / "附件2-部门整体支出绩效自评表.docx"))
    cell = next(c for row in doc.tables[0].rows for c in row.cells if c.text == "{{ 行.一级 }}")
    cell.paragraphs[0].text = "{{ 行.一径 }}"
    para = next(p for p in doc.paragraphs if p.text.startswith("填表人"))
    para.text = para.text.replace("{{ 填表人 }}", "{{ 填表 }}")
    doc.save(str(folder / "附件2-部门整体支出绩效自评表.docx"))
    r = invoke("forms", "check", "某县", "--forms", str(sets))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert f"{folder}/附件2-部门整体支出绩效自评表.docx: 表格1 第13行第2格: 错误: 模板里的名称“行.一径”不存在，是不是“一级”？" in lines
    assert f"{folder}/附件2-部门整体支出绩效自评表.docx: 第11段: 错误: 模板里的名称“填表”不存在，是不是“填表人”？" in lines


def test_check_reports_a_broken_tag_and_handles_split_runs(tmp_path: Path) -> None:
    data, sets = county_set(tmp_path)
    path = sets / "某县" / "附件1-基础数据表.docx"
    doc = Document(str(path))
    cell = next(c for row in doc.tables[0].rows for c in row.cells if c.text == "厉行节约保障措施")
    right = next(c for c in doc.tables[0].rows[-1].cells if c.text.startswith("{{"))
    right.paragraphs[0].text = "{{ 厉行节约保障措施 "  # unclosed
    # Word often splits a tag over several runs: the label cell gets one split in three
    p = cell.paragraphs[0]
    p.text = ""
    for piece in ("{{ 部门", "名", "称 }}"):
        p.add_run(piece)
    doc.save(str(path))
    r = invoke("forms", "check", "某县", "--forms", str(sets))
    assert r.exit_code == 1
    path_shown = f"{sets}/某县/附件1-基础数据表.docx"
    assert f"{path_shown}: 表格1 第25行第2格: 错误: 标签写法有误：这一段里“{{{{”和“}}}}”不成对（{{{{ 厉行节约保障措施）" in r.stdout.splitlines(), r.stdout
    assert "部门名称" not in r.stdout  # the split tag is read whole, and the name exists


def test_manifest_pattern_with_an_unknown_name(tmp_path: Path) -> None:
    data, sets = county_set(tmp_path)
    manifest = sets / "某县" / "表样.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('名称: "{项目名称}项目支出绩效自评表"', '名称: "{项目}项目支出绩效自评表"'), encoding="utf-8")
    r = invoke("forms", "check", "某县", "--forms", str(sets))
    assert r.exit_code == 1
    assert f"{sets}/某县/表样.yaml: 附件3-{{序号}}: 错误: 表样清单中附件3-{{序号}}的“名称”（{{项目}}项目支出绩效自评表）写法有误（'项目'）：花括号里只能写 {{项目名称}}" in r.stdout.splitlines()
    (data / "部门.yaml").write_text((data / "部门.yaml").read_text(encoding="utf-8").replace("表样: 汨罗", "表样: 某县"), encoding="utf-8")
    b = invoke("build", str(data), "-o", str(tmp_path / "out"), "--forms", str(sets))
    assert b.exit_code == 1 and "花括号里只能写 {项目名称}" in b.stderr and "Traceback" not in b.stderr
    assert b.stderr.startswith(f"{display_path(manifest)}: 错误: 表样清单中附件3-{{序号}}的“名称”") and b.stderr.rstrip().endswith("[form-set]"), b.stderr
    for bad in ("{项目名称.__class__}", "{项目名称:>999999999}", "{项目名称!r}", "{0}"):
        manifest.write_text(manifest.read_text(encoding="utf-8").replace('名称: "{项目}项目支出绩效自评表"', f'名称: "{bad}项目支出绩效自评表"'), encoding="utf-8")
        b = invoke("build", str(data), "-o", str(tmp_path / "out"), "--forms", str(sets))
        assert b.exit_code == 1 and "花括号里只能写 {项目名称}" in b.stderr, (bad, b.stderr)
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(f'名称: "{bad}项目支出绩效自评表"', '名称: "{项目}项目支出绩效自评表"'), encoding="utf-8")
    assert "Traceback" not in b.stderr


def test_unknown_form_set_lists_the_sets_that_exist(tmp_path: Path) -> None:
    """Outside the repository too: the message names every set on the search path, --forms ones included."""
    data = tmp_path / "2024"
    shutil.copytree(REPO / "data" / "example-county" / "2024", data)
    department = data / "部门.yaml"
    department.write_text(department.read_text(encoding="utf-8").replace("表样: 汨罗", "表样: 某县"), encoding="utf-8")
    r = invoke("build", str(data), "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert f"{display_path(department)}:7:5: 错误: 找不到表样“某县”：可用的表样有 全国、汨罗、隆回 [unknown-form-set]" in r.stdout.splitlines()
    assert not (tmp_path / "out").exists()
    sets = tmp_path / "表样"
    assert invoke("forms", "new", "本县", "--from", "汨罗", "--to", str(sets)).exit_code == 0
    r = invoke("build", str(data), "-o", str(tmp_path / "out"), "--forms", str(sets))
    assert "找不到表样“某县”：可用的表样有 全国、本县、汨罗、隆回 [unknown-form-set]" in r.stdout
    c = invoke("forms", "check", "某县", "--forms", str(sets))
    assert c.exit_code == 1 and c.stderr.strip() == "错误: 找不到表样“某县”：可用的表样有 全国、本县、汨罗、隆回 [unknown-form-set]"


def test_no_form_sets_at_all_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    """An installation without its built-in sets: never an empty list, but what happened and what to do."""
    import annexgen.forms
    import annexgen.templatecheck

    monkeypatch.setattr(annexgen.forms, "BUILTIN", None)
    data = tmp_path / "2024"
    shutil.copytree(REPO / "data" / "example-county" / "2024", data)
    r = invoke("build", str(data), "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    line = next(line for line in r.stdout.splitlines() if "[unknown-form-set]" in line)
    assert line.startswith(f"{display_path(data / '部门.yaml')}:7:5: 错误: 找不到表样“汨罗”：没有任何可用的表样（annexgen 自带的全国、汨罗、隆回表样不在安装里")
    assert "请重新安装 annexgen" in line and "可用的表样有" not in line
    for args in (("forms", "list"), ("forms", "check"), ("forms", "check", "汨罗")):
        f = invoke(*args)
        assert f.exit_code == 1 and f.stdout == "", args
        assert "没有任何可用的表样" in f.stderr and "请重新安装 annexgen" in f.stderr and "Traceback" not in f.stderr, args

    monkeypatch.undo()
    monkeypatch.setattr(annexgen.templatecheck, "SAMPLE", None)
    s = invoke("forms", "check", "汨罗")
    assert s.exit_code == 1 and "自带的示例数据" in s.stderr and "请重新安装 annexgen" in s.stderr
