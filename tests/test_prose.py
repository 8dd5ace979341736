"""`{{ … }}` in report paragraphs: figures quoted from the data, sandboxed, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.build import build
from annexgen.check import check
from annexgen.cli import app
from extract import extract_text
from helpers import year

PARAGRAPH = "- 全年城镇新增就业4673人。"


def with_paragraph(tmp_path: Path, text: str) -> Path:
    return year(tmp_path / "data", 自评报告=(PARAGRAPH, f"- '{text}'"))


def test_expression_quotes_the_table(tmp_path: Path) -> None:
    root = with_paragraph(tmp_path, "公务接待费{{ 基础数据表.经费控制情况.公务接待[2] }}万元，控制率{{ 基础数据表.财政供养人员情况.控制率 }}，{{ 年度 }}年。")
    assert check(root) == []
    result = build(root, tmp_path / "out")
    text = extract_text(next(p for p in result.written if p.name.startswith("附件4")))
    assert "公务接待费1.37万元，控制率95.00%，2024年。" in text.split("\n")


def test_expression_sees_derived_figures(tmp_path: Path) -> None:
    root = year(tmp_path / "data", 基础数据表=("  三公经费: [3.50, 4, 2.87]\n", ""), 自评报告=(PARAGRAPH, "- '三公经费{{ 基础数据表.经费控制情况.三公经费[2] }}万元。'"))
    result = build(root, tmp_path / "out")
    assert "三公经费2.87万元。" in extract_text(next(p for p in result.written if p.name.startswith("附件4")))


@pytest.mark.parametrize(
    "text,message",
    [
        ("{{ 基础数据表.经费控制情况.公务接代[2] }}", "正文里 {{ }} 中的名称“公务接代”不存在：可用的名称有 部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目，其下用“.”接表上的栏目名"),
        ("{{ 部门 }}", "正文里 {{ }} 中的名称“部门”不存在：可用的名称有 部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目，其下用“.”接表上的栏目名"),
        ("{{ 部门名称 ", "正文里的 {{ }} 写法有误（unexpected end of template, expected 'end of print statement'.）：请检查括号是否成对、名称是否写对"),
        ("{{ 部门名称.__class__.__mro__ }}", "正文里的 {{ }} 试图访问程序内部的属性，已拒绝：只能引用数据中的名称"),
        ("{{ 年度.__class__ }}", "正文里的 {{ }} 试图访问程序内部的属性，已拒绝：只能引用数据中的名称"),
        ("{{ 10 ** 10 ** 10 }}", "正文里的 {{ }} 不支持乘方（**）：请直接写出结果"),
    ],
    ids=["misspelled column", "unknown name", "unclosed", "python internals", "dunder on a number", "power"],
)
def test_bad_expression_is_a_located_error(tmp_path: Path, text: str, message: str) -> None:
    root = with_paragraph(tmp_path, text)
    (f,) = check(root)
    assert (f.code, f.severity, f.file.endswith("自评报告.yaml"), f.line, f.column) == ("text-expression", "error", True, 10, 11)
    assert f.message == message


@pytest.mark.parametrize(
    "text,words",
    [
        ("{% for i in range(9000) %}{{ 部门名称 }}{% endfor %}", "展开后超过 20000 字，已停止"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "循环次数超过 100000（每个年度合计），已停止"),
        ("{% for i in range(5000) %}{% for j in range(5000) %}{% endfor %}{% endfor %}", "循环次数超过 100000（每个年度合计），已停止"),
        ('{{ "长" * 1000000000 }}', "展开后超过 20000 字，已停止"),
        ('{{ ("ab" * 5000 + "c") * 5000 }}', "展开后超过 20000 字，已停止"),
        ("{{ 部门名称 | center(1000000000) }}", "写法有误"),
    ],
    ids=["long output", "huge loop", "nested loops", "string times a billion", "concatenation then repeat", "padding filter"],
)
def test_loops_and_output_are_bounded(tmp_path: Path, text: str, words: str) -> None:
    (f,) = check(with_paragraph(tmp_path, text))
    assert f.code == "text-expression" and words in f.message


def test_bad_expression_stops_the_build(tmp_path: Path) -> None:
    root = with_paragraph(tmp_path, "{{ 部门 }}")
    r = CliRunner().invoke(app, ["build", str(root), "-o", str(tmp_path / "out")])
    assert r.exit_code == 1
    assert "[text-expression]" in r.stdout and "未生成" in r.stdout
    assert not (tmp_path / "out").exists()
