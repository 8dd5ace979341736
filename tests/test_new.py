"""`annexgen new NEW --from OLD`: next year's folder from this year's, ready to fill, comments kept."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.check import check
from annexgen.cli import app
from annexgen.forms import find_form_set, fill_pattern
from annexgen.load import load
from annexgen.model import Form
from annexgen.rollover import shift_years
from helpers import year

REPO = Path(__file__).parent.parent
DATA = ["miluo-hrss/2023", "longhui-hrss/2024", "example-county/2024"]
runner = CliRunner()

#: what `check` may still call an error in a new folder: last year's own mistakes in what is kept
#: (weights) or moved (本年决算 → 上年决算); each must be found in the old year at the matching place
CARRIED = {"sum-mismatch", "part-exceeds-total", "weight-mismatch", "weight-total", "total-row"}


def roll(tmp_path: Path, folder: str) -> tuple[Path, Path]:
    old = REPO / "data" / folder
    new = tmp_path / "next"
    result = runner.invoke(app, ["new", str(new), "--from", str(old)])
    assert result.exit_code == 0, result.output
    assert f"annexgen check {new}" in result.output or "annexgen check" in result.output
    return old, new


def subs(old: Path, new: Path):
    a, b = load(old), load(new)
    assert not [f for f in b.findings if f.severity == "error"], [f.text() for f in b.findings]
    return a.submission, b.submission


def text(value) -> str | None:
    return None if value is None else str(value)


def indicator_rows(table):
    return [ind for g in table.绩效指标 for s in g.二级指标 for ind in s.三级指标]


def tables(sub):
    if sub.整体自评 is not None:
        yield sub.整体自评.部门整体支出绩效自评表, sub.整体自评.部门整体支出绩效自评表.年度资金总额
    for p in sub.项目:
        yield p, p.项目资金.年度资金总额


def headings(blocks, change=lambda s: s):
    """A report body reduced to its headings: [(heading, [...])]."""
    return [(change(h), headings(v or [], change)) for b in blocks or [] if isinstance(b, dict) for h, v in b.items()]


@pytest.mark.parametrize("folder", DATA)
def test_year_moves_on_and_decided_figures_move_left(tmp_path: Path, folder: str) -> None:
    old_dir, new_dir = roll(tmp_path, folder)
    old, new = subs(old_dir, new_dir)
    assert new.年度 == old.年度 + 1
    ob, nb = old.基础数据表, new.基础数据表
    labels = nb.年度标签
    assert labels.经费控制情况 in (None, [new.年度 - 1, new.年度, new.年度])
    assert labels.实际在职人数 in (None, new.年度) and labels.楼堂馆所控制情况 in (None, new.年度)
    moved = 0
    for name in type(ob.经费控制情况).model_fields:
        before, after = getattr(ob.经费控制情况, name), getattr(nb.经费控制情况, name)
        if name == "专项明细":
            assert [i.名称 for i in after] == [i.名称 for i in before]
            pairs = [(i.金额, j.金额) for i, j in zip(before, after)]
        elif ob.经费控制情况.written(name):
            pairs = [(before, after)]
        else:
            continue
        for b, a in pairs:
            assert [text(v) for v in a] == [text(b[2]), None, None]  # precision kept: 1.50 stays 1.50
            moved += b[2] is not None
    assert moved > 0
    assert nb.财政供养人员情况.编制数 == ob.财政供养人员情况.编制数
    assert nb.财政供养人员情况.实际在职人数 is None and nb.财政供养人员情况.控制率 is None
    if nb.楼堂馆所控制情况 is not None:
        assert all(getattr(nb.楼堂馆所控制情况, k) is None for k in type(nb.楼堂馆所控制情况).model_fields)
    assert nb.厉行节约保障措施 == ob.厉行节约保障措施 and nb.表注 == ob.表注


@pytest.mark.parametrize("folder", DATA)
def test_results_cleared_structure_kept(tmp_path: Path, folder: str) -> None:
    old_dir, new_dir = roll(tmp_path, folder)
    old, new = subs(old_dir, new_dir)
    shift = shift_years(old.年度)
    assert [p.项目名称 for p in new.项目] == [p.项目名称 for p in old.项目]
    assert [(p.主管部门, p.实施单位) for p in new.项目] == [(p.主管部门, p.实施单位) for p in old.项目]
    for (ot, oline), (nt, nline) in zip(tables(old), tables(new), strict=True):
        for key in ("年初预算数", "全年预算数", "全年执行数", "执行率", "得分"):
            assert getattr(nline, key) is None
        assert text(nline.分值) == text(oline.分值)
        assert nt.年度总体目标.实际完成情况 is None
        assert nt.年度总体目标.预期目标 == (shift(ot.年度总体目标.预期目标) if ot.年度总体目标.预期目标 else ot.年度总体目标.预期目标)
        assert [g.名称 for g in nt.绩效指标] == [g.名称 for g in ot.绩效指标]
        before, after = indicator_rows(ot), indicator_rows(nt)
        assert [(i.名称, text(i.分值), i.其后空行) for i in after] == [(i.名称, text(i.分值), i.其后空行) for i in before]
        assert [i.年度指标值 for i in after] == [shift(i.年度指标值) if i.年度指标值 else i.年度指标值 for i in before]
        assert all(i.实际完成值 is None and i.得分 is None and i.偏差原因分析及改进措施 is None for i in after)
        assert nt.总分.得分 is None and text(nt.总分.分值) == text(ot.总分.分值)
        assert nt.表注 == ot.表注
    if old.整体自评 is not None:
        t = new.整体自评.部门整体支出绩效自评表
        assert all(v is None for v in t.按收入性质分.model_dump().values()) and all(v is None for v in t.按支出性质分.model_dump().values())
    c = new.整体自评.自评基础数据表 if new.整体自评 else None
    if c is not None:
        oc = old.整体自评.自评基础数据表
        assert c.基本情况.编制人数 == oc.基本情况.编制人数 and c.基本情况.部门职能概述 == oc.基本情况.部门职能概述
        assert c.基本情况.实有人数 is None and c.自评结论 is None and c.部门主要绩效 is None and c.问题与建议 is None

        def leaves(form: Form):
            for name in type(form).model_fields:
                v = getattr(form, name)
                yield from leaves(v) if isinstance(v, Form) else [v]

        assert all(v is None for v in leaves(c.实施情况)) and all(v is None for v in leaves(c.基本情况.年度收入))
    reports = [(o.自评报告.部门整体支出绩效自评报告, n.自评报告.部门整体支出绩效自评报告) for o, n in [(old, new)] if o.自评报告]
    reports += [(o.自评报告, n.自评报告) for o, n in zip(old.项目, new.项目) if o.自评报告]
    assert reports
    for o, n in reports:
        assert headings(n.正文) == headings(o.正文, shift) and headings(n.正文)
        assert not re.search(r"'[^']*'", str([b for b in n.正文 if isinstance(b, str)]))  # no paragraph left at the top
        assert n.附件清单 == o.附件清单 and n.副标题 == o.副标题
        assert n.封面 is None or n.封面.日期 is None


@pytest.mark.parametrize("folder", DATA)
def test_titles_take_the_new_year(tmp_path: Path, folder: str) -> None:
    old_dir, new_dir = roll(tmp_path, folder)
    old, new = subs(old_dir, new_dir)
    annexes = {a.内容: a for a in find_form_set(old.部门.表样).annexes}

    def titles(sub):
        out = []
        if sub.基础数据表:
            out.append(("基础数据表", {}, sub.基础数据表.标题))
        if sub.整体自评:
            out.append(("部门整体支出绩效自评表", {}, sub.整体自评.部门整体支出绩效自评表.标题))
            if sub.整体自评.自评基础数据表:
                out.append(("自评基础数据表", {}, sub.整体自评.自评基础数据表.标题))
        if sub.自评报告:
            out.append(("部门整体支出绩效自评报告", {}, sub.自评报告.部门整体支出绩效自评报告.标题))
        for p in sub.项目:
            out.append(("项目支出绩效自评表", {"项目名称": p.项目名称}, p.标题))
            if p.自评报告:
                out.append(("项目支出绩效自评报告", {"项目名称": p.项目名称}, p.自评报告.标题))
        return out

    for (kind, names, before), (_k, _n, after) in zip(titles(old), titles(new), strict=True):
        if before is None:
            assert after is None
            continue
        assert not re.search(rf"{old.年度}\s*年度", after), after
        assert re.sub(r"\d{4}", "YEAR", after) == re.sub(r"\d{4}", "YEAR", before)  # only the year digits change
        if kind in annexes:
            default = lambda y: fill_pattern(annexes[kind], "默认标题", 年度=y, 部门名称=old.部门.部门名称, **names)  # noqa: E731
            if before == default(old.年度):
                assert after == default(new.年度)
    assert not [f for f in check(new_dir) if f.code == "year-label"]


def comments(path: Path, paragraphs: bool = True) -> list[str]:
    """The comments of a YAML file: a # after a space or at a line's start, outside quoted text
    (without those at the end of a list item that is not a heading, when not `paragraphs`)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        bare = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', lambda m: "_" * len(m[0]), line)
        m = re.search(r"(?:^|\s)(#.*)$", bare)
        item = re.match(r"\s*- ", bare) and not re.search(r":\s*(\[\])?\s*$", bare[: m.start(1)] if m else bare)
        if m and (paragraphs or not item):
            out.append(line[m.start(1):])
    return out


@pytest.mark.parametrize("folder", DATA)
def test_comments_and_layout_survive(tmp_path: Path, folder: str) -> None:
    old_dir, new_dir = roll(tmp_path, folder)
    shift = shift_years(int(re.search(r"\d{4}", folder)[0]))
    files = sorted(p.relative_to(old_dir) for p in old_dir.rglob("*.yaml"))
    assert files == sorted(p.relative_to(new_dir) for p in new_dir.rglob("*.yaml"))
    for rel in files:
        before, after = (old_dir / rel).read_text(encoding="utf-8"), (new_dir / rel).read_text(encoding="utf-8")
        assert after.splitlines()[0] == before.splitlines()[0]
        assert after.startswith("# yaml-language-server: $schema=")
        # every comment stays, in order (years moved on), but one at the end of a removed report paragraph
        assert [shift(c) for c in comments(old_dir / rel, paragraphs=False)] == comments(new_dir / rel, paragraphs=False), rel
        assert set(comments(new_dir / rel)) <= {shift(c) for c in comments(old_dir / rel)}, rel
        kept = [line for line in before.splitlines() if not line.strip() or line.lstrip().startswith("#")]
        assert [shift(line) for line in kept] == [line for line in after.splitlines() if not line.strip() or line.lstrip().startswith("#")]
        # a trailing comment stays in its column
        for b, a in zip(before.splitlines(), after.splitlines()):
            if " #" in b and " #" in a and b.split(":")[0] == a.split(":")[0] and '"' not in b:
                assert b.index(" #") == a.index(" #") or len(a.split(" #")[0].rstrip()) + 1 == a.index(" #"), (b, a)


def _old_place(path: str) -> str:
    """Where a figure of the new year's 上年决算 column was last year: the 本年决算 column."""
    return re.sub(r"^(基础数据表\.经费控制情况\..*)\[0\]$", r"\1[2]", path)


@pytest.mark.parametrize("folder", DATA)
def test_check_gives_only_fill_in_guidance(tmp_path: Path, folder: str) -> None:
    old_dir, new_dir = roll(tmp_path, folder)
    findings = check(new_dir)
    old_findings = {(f.code, f.path) for f in check(old_dir)}
    guidance = [f for f in findings if f.severity == "warning"]
    errors = [f for f in findings if f.severity == "error"]
    assert {f.code for f in guidance} == {"not-filled"}
    assert all(f.message.startswith("尚未填写：") and f.line > 1 for f in guidance)
    for f in errors:  # last year's own mistakes in what is kept or moved, at the matching place
        assert f.code in CARRIED and (f.code, _old_place(f.path)) in old_findings, f.text()
    if folder.startswith("example"):
        assert errors == []
    paths = " ".join(f.path for f in guidance)
    for part in ("年度资金总额", "三级指标", "财政供养人员情况.实际在职人数", "基础数据表.经费控制情况", "正文"):
        assert part in paths, part
    sub = load(new_dir).submission
    unfilled_tables = sum(1 for _ in tables(sub))
    assert sum("个指标的实际完成值、得分" in f.message for f in guidance) == unfilled_tables


def test_cli_output_and_build(tmp_path: Path) -> None:
    new = tmp_path / "2025"
    result = runner.invoke(app, ["new", str(new), "--from", str(REPO / "data" / "example-county" / "2024")])
    assert result.exit_code == 0
    assert "（2025 年度）" in result.output and "下一步：填写" in result.output and f"annexgen check {new}" in result.output
    assert "错误" not in result.output
    built = runner.invoke(app, ["build", str(new), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert len(list((tmp_path / "out").glob("*.docx"))) == 5


def test_refuses_a_non_empty_folder_and_force_replaces_it(tmp_path: Path) -> None:
    old = REPO / "data" / "example-county" / "2024"
    new = tmp_path / "2025"
    new.mkdir()
    (new / "草稿.txt").write_text("旧内容", encoding="utf-8")
    result = runner.invoke(app, ["new", str(new), "--from", str(old)])
    assert result.exit_code == 1
    assert "[target-exists]" in result.output and "--force" in result.output and "Traceback" not in result.output
    assert os.listdir(new) == ["草稿.txt"]
    # --force replaces a department-year folder, never one holding anything else (the desktop, Word files, notes)
    refused = runner.invoke(app, ["new", str(new), "--from", str(old), "--force"])
    assert refused.exit_code == 1 and "[target-exists]" in refused.output and "草稿.txt" in refused.output
    assert os.listdir(new) == ["草稿.txt"]
    (new / "草稿.txt").unlink()
    (new / "部门.yaml").write_text("部门名称: 旧\n", encoding="utf-8")
    (new / "项目").mkdir()
    (new / "项目" / "9-旧项目.yaml").write_text("项目名称: 旧\n", encoding="utf-8")
    forced = runner.invoke(app, ["new", str(new), "--from", str(old), "--force"])
    assert forced.exit_code == 0, forced.output
    assert not (new / "项目" / "9-旧项目.yaml").exists() and "测试县" in (new / "部门.yaml").read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["2025"]  # no staging or set-aside folder left


def test_an_empty_folder_is_filled(tmp_path: Path) -> None:
    (tmp_path / "2025").mkdir()
    result = runner.invoke(app, ["new", str(tmp_path / "2025"), "--from", str(REPO / "data" / "example-county" / "2024")])
    assert result.exit_code == 0 and (tmp_path / "2025" / "项目" / "1-就业服务.yaml").is_file()


@pytest.mark.parametrize("target", ["same", "inside"])
def test_refuses_the_source_itself_even_with_force(tmp_path: Path, target: str) -> None:
    old = year(tmp_path / "2024")
    new = old if target == "same" else old / "项目"
    before = {p: p.read_bytes() for p in old.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["new", str(new), "--from", str(old), "--force"])
    assert result.exit_code == 1 and "[target-is-source]" in result.output
    assert {p: p.read_bytes() for p in old.rglob("*") if p.is_file()} == before


def test_unusable_source(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["new", str(tmp_path / "n"), "--from", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "[no-data]" in missing.output
    broken = year(tmp_path / "2024", 部门=("年度: 2024", "年度: 二〇二四"))
    result = runner.invoke(app, ["new", str(tmp_path / "n"), "--from", str(broken)])
    assert result.exit_code == 2 and "部门.yaml:" in result.output and "[bad-source]" in result.output
    assert not (tmp_path / "n").exists() and "Traceback" not in result.output


def test_nothing_half_written_on_error(tmp_path: Path, monkeypatch) -> None:
    import annexgen.commands.new as command

    old = REPO / "data" / "example-county" / "2024"
    new = tmp_path / "2025"
    new.mkdir()
    (new / "原有.yaml").write_text("x: 1\n", encoding="utf-8")

    def broken_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(command.os, "rename", broken_rename)
    result = runner.invoke(app, ["new", str(new), "--from", str(old), "--force"])
    assert result.exit_code == 1 and "[write-error]" in result.output and "原有内容没有改动" in result.output
    assert os.listdir(new) == ["原有.yaml"] and sorted(os.listdir(tmp_path)) == ["2025"]


def test_unusual_layouts(tmp_path: Path) -> None:
    """Flow-style report bodies, a body of paragraphs only, CRLF line ends, anchors on cleared values."""
    report = "部门整体支出绩效自评报告:\n  标题: 2024年度测试县人力资源和社会保障局部门整体支出绩效自评报告\n  正文: [{一、2024年基本情况: [甲, {（一）人员: [乙]}]}, 丙]\n"
    old = year(
        tmp_path / "2024",
        自评报告=report,
        整体自评=("    年初预算数: 500\n    全年预算数: 520", "    年初预算数: &b 500\n    全年预算数: 520"),
        就业服务=("正文:\n    - 一、项目支出基本情况:\n        - 全年举办招聘会场次30场。", "正文:\n    - 全年举办招聘会场次30场。  # 去年的话\n    - 再一段"),
    )
    dept = old / "部门.yaml"
    dept.write_bytes(dept.read_bytes().replace(b"\n", b"\r\n"))
    new = tmp_path / "2025"
    result = runner.invoke(app, ["new", str(new), "--from", str(old)])
    assert result.exit_code == 0, result.output
    sub = load(new).submission
    assert sub.自评报告.部门整体支出绩效自评报告.正文 == [{"一、2025年基本情况": [{"（一）人员": []}]}]
    assert sub.项目[0].自评报告.正文 == []
    assert "年初预算数: ~" in (new / "整体自评.yaml").read_text(encoding="utf-8")
    assert (new / "部门.yaml").read_bytes().count(b"\r\n") == dept.read_bytes().count(b"\r\n")
    assert sub.年度 == 2025


def test_an_edit_that_cannot_be_made_in_place_is_refused_with_its_place(tmp_path: Path) -> None:
    old = year(tmp_path / "2024")
    overall = old / "整体自评.yaml"
    source = overall.read_text(encoding="utf-8").replace("    全年执行数: 520", "    全年执行数: &x 520").replace("预期目标: 稳就业。", "预期目标: *x")
    overall.write_text(source, encoding="utf-8")
    assert load(old).submission.整体自评.部门整体支出绩效自评表.年度总体目标.预期目标 == "520"
    result = runner.invoke(app, ["new", str(tmp_path / "2025"), "--from", str(old)])
    assert result.exit_code == 1 and "[cannot-edit]" in result.output and "Traceback" not in result.output
    assert re.search(r"整体自评\.yaml:\d+:\d+: 错误: 改写后无法读取", result.output), result.output
    assert not (tmp_path / "2025").exists() and sorted(os.listdir(tmp_path)) == ["2024"]


def test_moved_figures_keep_their_written_precision(tmp_path: Path) -> None:
    old = year(tmp_path / "2024", 基础数据表=("公车运行维护: [1.62, 2, 1.50]", "公车运行维护: [1.62, 2, 1.50]"))
    new = tmp_path / "2025"
    assert runner.invoke(app, ["new", str(new), "--from", str(old)]).exit_code == 0
    assert "公车运行维护: [1.50, ~, ~]" in (new / "基础数据表.yaml").read_text(encoding="utf-8")
    row = load(new).submission.基础数据表.经费控制情况.公车运行维护
    assert str(row[0]) == "1.50" and row[0] == Decimal("1.5")


def test_other_files_are_named_and_a_gbk_file_is_written_as_utf8(tmp_path: Path) -> None:
    old = year(tmp_path / "2024")
    (old / "说明.txt").write_text("去年的备忘", encoding="utf-8")
    dept = old / "部门.yaml"
    dept.write_bytes(dept.read_text(encoding="utf-8").encode("gb18030"))
    new = tmp_path / "2025"
    result = runner.invoke(app, ["new", str(new), "--from", str(old)])
    assert result.exit_code == 0, result.output
    assert "没有复制" in result.output and "说明.txt" in result.output and not (new / "说明.txt").exists()
    assert "改存为 UTF-8" in result.output
    assert "年度: 2025" in (new / "部门.yaml").read_text(encoding="utf-8")
