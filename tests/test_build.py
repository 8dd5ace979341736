"""`annexgen build`: files, names, determinism, atomic writes, escaping, prose expressions."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from annexgen import render, write
from annexgen.build import build
from annexgen.cli import app
from extract import extract_text
from helpers import YEAR_ANNEXES, year

REPO = Path(__file__).parent.parent
MILUO = REPO / "data" / "miluo-hrss" / "2023"
runner = CliRunner()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_one_file_per_annex(tmp_path: Path) -> None:
    result = build(year(tmp_path / "data"), tmp_path / "out")
    assert [p.name for p in result.written] == YEAR_ANNEXES


def test_same_inputs_give_identical_bytes(tmp_path: Path, monkeypatch) -> None:
    first = build(MILUO, tmp_path / "a", combine=True)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86400 * 400)  # a different clock
    build(MILUO, tmp_path / "b", combine=True)
    assert len(first.written) == 12
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_properties_come_from_the_data(tmp_path: Path) -> None:
    result = build(MILUO, tmp_path)
    props = Document(str(result.written[1])).core_properties
    assert props.title == "附件2 部门整体支出绩效自评表"
    assert props.author == "何克"
    assert props.created.date().isoformat() == "2024-10-17" and props.modified == props.created


def test_combined_document_holds_every_annex_in_order(tmp_path: Path) -> None:
    result = build(MILUO, tmp_path, combine=True)
    combined = next(p for p in result.written if "全部附件" in p.name)
    assert combined.name == "汨罗市人力资源和社会保障局2023年度绩效自评全部附件.docx"
    text = extract_text(combined)
    labels = [line for line in text.split("\n") if line.startswith("附件") and len(line) <= 6]
    assert labels == ["附件1", "附件2", "附件3-1", "附件3-2", "附件3-3", "附件3-4", "附件4", "附件5-1", "附件5-2", "附件5-3", "附件5-4"]
    from docx.enum.section import WD_SECTION_START

    sections = Document(str(combined)).sections  # each annex is its own section, starting on a new page
    assert len(sections) == 11 and all(s.start_type == WD_SECTION_START.NEW_PAGE for s in sections[1:])


def test_interrupted_build_leaves_previous_output(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    build(MILUO, out)
    before = snapshot(out)
    calls = {"n": 0}
    real = render.render_annex

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_annex", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(MILUO, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left beside it


def test_failed_commit_puts_back_what_it_replaced(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    build(MILUO, out)
    (out / "用户自己的文件.txt").write_text("keep", encoding="utf-8")
    before = snapshot(out)
    real = os.replace
    moved = {"n": 0}

    def failing(src, dst):
        if "new" in Path(src).parts:
            moved["n"] += 1
            if moved["n"] == 5:
                raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(write.os, "replace", failing)
    result = runner.invoke(app, ["build", str(year(tmp_path / "data")), "-o", str(out)])
    assert result.exit_code == 1
    assert "写入失败：No space left on device。原有文件未改动" in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_read_only_output_gets_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["build", str(year(tmp_path / "data")), "-o", str(blocker / "out")])
    assert result.exit_code == 1
    assert "错误: 无法创建输出文件夹" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


HOSTILE = "A&B <c> \"d\" 'e' ——“引号”、（括号）《书名》；：？！…"
NOT_TEXT = {"表样", "执行率", "控制率", "规模控制率", "投资概算控制率", "自评结论", "填报日期", "日期"}


def hostile(value, key=None):
    """Every text of a YAML document with HOSTILE in front, report headings included."""
    if isinstance(value, dict):
        return {(HOSTILE + k if key == "正文" else k): hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(v, key) for v in value]
    if isinstance(value, str) and key not in NOT_TEXT:
        return HOSTILE + value
    return value


def hostile_year(root: Path) -> Path:
    import yaml

    year(root)
    for file in root.rglob("*.yaml"):
        data = hostile(yaml.safe_load(file.read_text(encoding="utf-8")))
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def test_every_text_field_is_escaped(tmp_path: Path) -> None:
    """Every text field holds XML's special characters and Chinese punctuation; every file opens with them."""
    result = build(hostile_year(tmp_path / "data"), tmp_path / "out")
    assert not result.stopped, [f.text() for f in result.findings]
    for path in result.written:
        text = extract_text(path)  # python-docx parses the document: the XML is well formed
        assert text.count(HOSTILE) >= 3, path.name
        assert "&amp;" not in text and "&lt;" not in text, "escaped twice"
    table = extract_text(tmp_path / "out" / f"附件3-1 {HOSTILE}就业服务项目支出绩效自评表.docx".replace('"', "_").replace("<", "_").replace(">", "_"))
    assert f"\t{HOSTILE}数量指标\n" in table


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_cli_build_clean_year(tmp_path: Path) -> None:
    r = invoke("build", str(year(tmp_path / "data")), "-o", str(tmp_path / "out"))
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-2:] == ["检查了 1 个年度：没有发现问题。", f"已生成 5 个文件，在 {tmp_path}/out/"]


def test_cli_build_tree_mirrors_folders(tmp_path: Path) -> None:
    year(tmp_path / "data" / "甲局" / "2024")
    year(tmp_path / "data" / "乙局" / "2024")
    r = invoke("build", str(tmp_path / "data"), "-o", str(tmp_path / "out"))
    assert r.exit_code == 0
    assert sorted(str(p.relative_to(tmp_path / "out")).split("/附件")[0] for p in (tmp_path / "out").rglob("*.docx")) == ["乙局/2024"] * 5 + ["甲局/2024"] * 5


def test_cli_build_writes_despite_consistency_errors(tmp_path: Path) -> None:
    root = year(tmp_path / "data", 整体自评=("自评结论: 优", "自评结论: 良"))
    r = invoke("build", str(root), "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "[grade-mismatch]" in r.stdout and "已生成 5 个文件" in r.stdout


@pytest.mark.parametrize(
    "change,strict,words",
    [
        (("年度: 2024", "年度: 2024\n年度: 2024"), False, "[duplicate-key]"),
        (("表样: 汨罗", "表样: 汨罗县"), False, "部门.yaml:3:5: 错误: 找不到表样“汨罗县”：可用的表样有 全国、汨罗、隆回 [unknown-form-set]"),
    ],
    ids=["structural error", "unknown form set"],
)
def test_cli_build_stops_without_writing(tmp_path: Path, change, strict, words) -> None:
    root = year(tmp_path / "data", 部门=change)
    r = invoke("build", str(root), "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert words in r.stdout + r.stderr
    assert not list((tmp_path).glob("out/*"))


def test_cli_build_strict_stops_on_warnings(tmp_path: Path) -> None:
    root = year(tmp_path / "data", 整体自评=("年初预算数: 500", "年初预算数: 300"))
    r = invoke("build", "--strict", str(root), "-o", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "[budget-adjusted]" in r.stdout and "未生成：有警告或错误（--strict）" in r.stdout
    assert not (tmp_path / "out").exists()


def test_committed_templates_are_what_the_script_makes(tmp_path: Path) -> None:
    """templates/*/*.docx (汨罗, 隆回, 全国) are the output of scripts/make_templates.py (regenerate after editing the script)."""
    import subprocess
    import sys

    subprocess.run([sys.executable, str(REPO / "scripts" / "make_templates.py"), str(tmp_path)], check=True, capture_output=True)
    made = sorted(tmp_path.rglob("*.docx"))
    assert {p.parent.name for p in made} == {"汨罗", "隆回", "全国"}
    for docx in made:
        assert docx.read_bytes() == (REPO / "templates" / docx.parent.name / docx.name).read_bytes(), docx.name
