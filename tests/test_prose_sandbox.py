"""Hostile `{{ }}` in report text (issue 9, class 2): it can neither change the data nor hang, grow or corrupt the output.

Each case is one paragraph (line 10 of 自评报告.yaml) or a few, checked with `check`;
every refusal is a located `text-expression` error with its exact message, reached
well within a few seconds, and the data the rules and the build see is unchanged.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from annexgen import sandbox
from annexgen.build import build
from annexgen.check import check, check_loaded
from annexgen.derive import derive
from annexgen.load import load
from annexgen.prose import expand_prose
from extract import extract_text
from helpers import YEAR_ANNEXES, year

PARAGRAPH = "- 全年城镇新增就业4673人。"
METHODS = "strip、lstrip、rstrip、upper、lower、startswith、endswith、replace、split、count、find"
STOPPED = "，已停止：正文只应引用数据中的数字和文字，请删去多余的循环和计算"
LOOPS = "正文里的 {{ }} 循环次数超过 100000（每个年度合计）" + STOPPED
TOO_LONG = "正文里的 {{ }} 展开后超过 20000 字" + STOPPED
TOO_BIG = "正文里的 {{ }} 算出的数超过 100 位" + STOPPED
ONLY_TAGS = "正文只能用 {{ }}、{% if %}、{% for %} 和 {% set 名称 = … %}"


def refused(name: str) -> str:
    return f"正文里的 {{{{ }}}} 不能使用“{name}”：{{{{ }}}} 只能读数据，不能改变数据或生成大段文字；文字可用的方法只有 {METHODS}"


def paragraphs(tmp_path: Path, *texts: str) -> Path:
    """The consistent year with the last paragraph of the report replaced by `texts` (lines 10, 11, …)."""
    body = "\n        ".join(f"- '{t}'" for t in texts)
    return year(tmp_path / "data", 自评报告=(PARAGRAPH, body))


def timed_check(root: Path) -> list:
    start = time.monotonic()
    findings = check(root)
    assert time.monotonic() - start < 5, "a hostile expression must be refused quickly"
    return findings


def only(findings: list) -> tuple:
    (f,) = findings
    return f.code, f.severity, f.file.endswith("自评报告.yaml"), f.line, f.column, f.message


# --- class: expressions change the data ---------------------------------------------------


@pytest.mark.parametrize(
    "text,message",
    [
        ("{{ 项目.clear() }}", refused("clear")),
        ("{{ 项目.append(1) }}", refused("append")),
        ("{{ 项目.pop() }}", refused("pop")),
        ("{{ 项目.sort() }}", refused("sort")),
        ("{{ 项目.reverse() }}", refused("reverse")),
        ("{{ 项目[0].绩效指标.pop() }}", refused("pop")),
        ("{{ 基础数据表.经费控制情况.公务接待.append(9) }}", refused("append")),
        ("{{ 项目[0].自评报告.正文[0].update({}) }}", refused("update")),
        ("{{ 项目[0].自评报告.正文[0].setdefault(1) }}", refused("setdefault")),
        ("{{ 项目[0].自评报告.正文[0].pop(1) }}", refused("pop")),
        ("{{ 项目[0].model_copy() }}", refused("model_copy")),
        ("{{ 项目[0].model_validate({}) }}", refused("model_validate")),
        ("{{ 项目[0].model_fields_set }}", refused("model_fields_set")),
        ("{{ 基础数据表.经费控制情况.公务接待[2].scaleb(999999) }}", refused("scaleb")),
        ("{{ 项目[0].__dict__ }}", "正文里的 {{ }} 试图访问程序内部的属性，已拒绝：只能引用数据中的名称"),
        ("{{ 项目._items }}", "正文里的 {{ }} 试图访问程序内部的属性，已拒绝：只能引用数据中的名称"),
        ("{% set 项目.项目名称 = 1 %}", f"正文里的 {{{{ }}}} 不支持 给数据赋值（{{% set 名称.栏目 = … %}}）：{ONLY_TAGS}"),
    ],
)
def test_no_expression_changes_the_data(tmp_path: Path, text: str, message: str) -> None:
    root = paragraphs(tmp_path, text)
    loaded = load(root)
    derive(loaded.submission)
    before = loaded.submission.model_dump(exclude={"自评报告"})
    findings = expand_prose(loaded)
    assert only(findings) == ("text-expression", "error", True, 10, 11, message)
    assert loaded.submission.model_dump(exclude={"自评报告"}) == before
    assert len(loaded.submission.项目) == 1


def test_project_checks_survive_a_hostile_expression(tmp_path: Path) -> None:
    """The project rules still run and report after `{{ 项目.clear() }}` (it used to remove them, exit 0)."""
    root = year(
        tmp_path / "data",
        自评报告=(PARAGRAPH, "- '{{ 项目.clear() }}'"),
        就业服务=("总分: {分值: 100, 得分: 98.7}", "总分: {分值: 100, 得分: 90}"),
    )
    codes = sorted((f.code, f.file.split("/")[-1]) for f in timed_check(root))
    assert ("text-expression", "自评报告.yaml") in codes
    assert any(file == "1-就业服务.yaml" for _, file in codes), codes


def test_build_still_renders_every_project_after_expressions(tmp_path: Path) -> None:
    """A legitimate expression that reads the projects leaves them all to render."""
    result = build(paragraphs(tmp_path, "共{{ 项目|length }}个项目：{% for p in 项目 %}{{ p.项目名称 }}{% endfor %}"), tmp_path / "out")
    assert not result.stopped and result.findings == []
    assert [p.name for p in result.written] == YEAR_ANNEXES
    report = extract_text(next(p for p in result.written if p.name.startswith("附件4")))
    assert "共1个项目：就业服务" in report.split("\n")


# --- class: loops of every kind are counted, one budget per department-year -----------------


@pytest.mark.parametrize(
    "text",
    [
        '{% set s = "x" * 5000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}',
        "{% for a in 部门名称 * 1000 %}{% for b in 部门名称 * 1000 %}{% endfor %}{% endfor %}",
        "{% for i in range(50000) %}{% for p in 项目 %}{% endfor %}{% for p in 项目 %}{% endfor %}{% endfor %}",
        "{% for i in range(40) %}{% set s = range(3000)|join %}{% endfor %}",
        "{{ range(60000)|sum }}{{ range(60000)|sum }}",
        "{% for i in range(3) %}{{ range(40000)|max }}{{ range(40000)|min }}{% endfor %}",
        '{% for i in range(2) %}{{ ("x" * 20000)|join|length }}{{ ("y" * 20000)|last }}{% endfor %}{{ ("z" * 20000)|first }}'
        '{% for c in "x" * 20000 %}{% endfor %}{% for c in "x" * 20000 %}{% endfor %}',
        "{% for i in range(100001) %}{% endfor %}",
        "{% for i in range(1000000000000000000000) %}{% endfor %}",
    ],
    ids=["three loops over a 5000-character string", "loops over data text", "loops over the project list", "join over range", "sum", "min and max", "filters over strings", "one more than the limit", "huge range"],
)
def test_every_loop_counts(tmp_path: Path, text: str) -> None:
    assert only(timed_check(paragraphs(tmp_path, text))) == ("text-expression", "error", True, 10, 11, LOOPS)


def test_the_budget_is_per_year_and_later_expressions_are_refused_cheaply(tmp_path: Path) -> None:
    loop = "{% for i in range(60000) %}{% endfor %}"
    findings = timed_check(paragraphs(tmp_path, loop + "甲", loop + "乙", "{{ 年度 }}", "没有表达式。"))
    assert [(f.line, f.code, f.message) for f in findings] == [
        (11, "text-expression", LOOPS),
        (12, "text-expression", "正文里的 {{ }} 未计算：本年度前面的 {{ }} 循环次数超过 100000（每个年度合计），已停止计算；请先修改报错的那一段"),
    ]


def test_project_reports_share_the_budget(tmp_path: Path) -> None:
    root = year(
        tmp_path / "data",
        自评报告=(PARAGRAPH, "- '{% for i in range(60000) %}{% endfor %}'"),
        就业服务=("- 全年举办招聘会场次30场。", "- '{% for i in range(60000) %}{% endfor %}'"),
    )
    f = only(timed_check(root))
    assert f[0] == "text-expression" and f[2:] == (False, 40, 11, LOOPS)


@pytest.mark.parametrize(
    "text,what",
    [
        ("{% for c in 部门名称 recursive %}{{ loop(c) }}{% endfor %}", "recursive 循环"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "{% macro %}"),
        ('{% include "部门.yaml" %}', "引用其他文件"),
        ("{% set a %}{% for i in range(99999) %}{{ 部门名称 }}{% endfor %}{% endset %}", "{% set 名称 %}…{% endset %}"),
        ("{% filter upper %}{% for i in range(99999) %}{{ 部门名称 }}{% endfor %}{% endfilter %}", "{% filter %}"),
    ],
)
def test_recursion_and_captured_output_are_refused(tmp_path: Path, text: str, what: str) -> None:
    message = f"正文里的 {{{{ }}}} 不支持 {what}：{ONLY_TAGS}"
    assert only(timed_check(paragraphs(tmp_path, text))) == ("text-expression", "error", True, 10, 11, message)


def test_wall_time_is_part_of_the_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.0)
    (f,) = timed_check(paragraphs(tmp_path, "{{ 年度 }}"))
    assert (f.line, f.message) == (10, "正文里的 {{ }} 计算时间超过 0 秒（每个年度合计）" + STOPPED)


# --- class: values that grow ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,message",
    [
        ("{{ \"x\".ljust(2000000000) }}", refused("ljust")),
        ('{{ "{:>2000000000}".format(1) }}', refused("format")),
        ('{{ "{x}".format_map(项目) }}', refused("format_map")),
        ("{{ 部门名称.center(2000000000) }}", refused("center")),
        ("{{ 部门名称.zfill(2000000000) }}", refused("zfill")),
        ('{{ "\\t".expandtabs(2000000000) }}', refused("expandtabs")),
        ('{{ "%2000000000d" % 1 }}', "正文里的 {{ }} 不支持用 % 格式化文字：请直接写出文字，数字用 {{ 名称 }} 引用"),
        ("{{ 2 ** 2000000000 }}", "正文里的 {{ }} 不支持乘方（**）：请直接写出结果"),
        ('{% set a = "x"|replace("x", "x" * 20000) %}{{ a|replace("x", a) }}', TOO_LONG),
        ('{% set a = "x" * 20000 %}{{ a.replace("x", a) }}', TOO_LONG),
        ('{{ "ab"|replace("", "x" * 20000, 2) }}', TOO_LONG),
        ('{{ "x" * 2000000000 }}', TOO_LONG),
        ("{{ [1] * 2000000000 }}", TOO_LONG),
        ('{{ ("x" * 20000) + "y" }}', TOO_LONG),
        ('{{ ("ß" * 20000).upper() }}', TOO_LONG),
        ("{% set a = 部门名称 %}" + "{% set a = a ~ a %}" * 40 + "{{ a }}", TOO_LONG),
        ("{% set n = 10 %}" + "{% set n = n * n %}" * 40 + "{{ n }}", TOO_BIG),
        ("{% set n = 9 %}" + "{% set n = n + n * n %}" * 40 + "{{ n }}", TOO_BIG),
        ("{{ 1e99 * 1e99 }}", TOO_BIG),
        ("{{ 1e999999 }}", TOO_BIG),
        ("{{ 1e-99 / 1e99 }}", TOO_BIG),
        ("{{ 基础数据表.经费控制情况.公务接待[2]|round(2000000000) }}", "正文里的 {{ }} 无法计算：参与计算的值类型不符（如文字与数字相加、对整张表求和）或数值无效，请检查写法"),
    ],
)
def test_values_are_size_checked_before_they_are_built(tmp_path: Path, text: str, message: str) -> None:
    assert only(timed_check(paragraphs(tmp_path, text))) == ("text-expression", "error", True, 10, 11, message)


def test_built_text_is_part_of_the_budget(tmp_path: Path) -> None:
    text = '{% set s = "x" * 10000 %}{% for i in range(99000) %}{% set a = s ~ s %}{% endfor %}'
    (f,) = timed_check(paragraphs(tmp_path, text))
    assert (f.line, f.message) == (10, "正文里的 {{ }} 计算中生成的文字超过 2000000 字（每个年度合计）" + STOPPED)


def test_output_is_bounded_per_paragraph_and_per_year(tmp_path: Path) -> None:
    long = '{{ "长" * 19000 }}'
    findings = timed_check(paragraphs(tmp_path, *[long] * 11, '{{ "x" * 15000 }}{{ "y" * 6000 }}'))
    assert [(f.line, f.message) for f in findings] == [
        (20, "正文里的 {{ }} 输出合计超过 200000 字（每个年度合计）" + STOPPED),
        (21, "正文里的 {{ }} 未计算：本年度前面的 {{ }} 输出合计超过 200000 字（每个年度合计），已停止计算；请先修改报错的那一段"),
    ]
    (f,) = check(paragraphs(tmp_path / "one", '{{ "x" * 15000 }}{{ "y" * 6000 }}'))
    assert (f.line, f.message) == (10, TOO_LONG)


@pytest.mark.parametrize(
    "text,phrase",
    [
        ("{{ 年度 }}" * 3000, "所在的一段超过 20000 字"),
        ("{{年度}}" * 201, "在一段中超过 200 处"),
        ("{% for i in range(1) %}" * 60 + "{% endfor %}" * 60, "嵌套太深"),
        ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "嵌套太深"),
    ],
    ids=["long", "many expressions", "nested blocks", "nested parentheses"],
)
def test_a_huge_paragraph_is_not_compiled(tmp_path: Path, text: str, phrase: str) -> None:
    (f,) = timed_check(paragraphs(tmp_path, text))
    assert (f.line, f.message) == (10, f"正文里的 {{{{ }}}} {phrase}" + STOPPED)


# --- class: what an expression produces is checked as data is ----------------------------------


@pytest.mark.parametrize(
    "literal,codes",
    [("\\ud800", "U+D800"), ("\\x07", "U+0007"), ("\\x1b[31m", "U+001B"), ("\\x85", "U+0085"), ("\\uffff\\x00", "U+0000、U+FFFF")],
)
def test_forbidden_characters_from_an_expression(tmp_path: Path, literal: str, codes: str) -> None:
    message = f"正文里的 {{{{ }}}} 算出了 Word 文件不能容纳的字符（{codes}）：请删去产生它的写法"
    assert only(timed_check(paragraphs(tmp_path, f'前文{{{{ "{literal}" }}}}后文'))) == ("text-expression", "error", True, 10, 11, message)


def test_forbidden_character_in_a_heading(tmp_path: Path) -> None:
    root = year(tmp_path / "data", 自评报告=("- 二、“三公”经费情况:", "- '二、{{ \"\\ud800\" }}':"))
    (f,) = timed_check(root)
    assert (f.code, f.line, f.column) == ("text-expression", 7, 7)
    assert f.message == "正文里的 {{ }} 算出了 Word 文件不能容纳的字符（U+D800）：请删去产生它的写法"


@pytest.mark.parametrize(
    "text,message",
    [
        ("{{ 项目[5].项目名称 }}", "正文里 {{ }} 引用的第 5 项不存在（从 0 数起）：请检查 [ ] 中的编号"),
        ('{{ 基础数据表["\\x1b[31m"] }}', "正文里 {{ }} 中的名称“\\u001b[31m”不存在：可用的名称有 部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目，其下用“.”接表上的栏目名"),
        ("{{ 基础数据表." + "长" * 50 + " }}", "正文里 {{ }} 中的名称“" + "长" * 40 + "…”不存在：可用的名称有 部门名称、年度、基础数据表、整体自评表、自评基础数据表、项目、本项目，其下用“.”接表上的栏目名"),
    ],
    ids=["index out of range", "escape sequence in a name", "long name"],
)
def test_names_in_messages_are_shown_safely(tmp_path: Path, text: str, message: str) -> None:
    assert only(timed_check(paragraphs(tmp_path, text))) == ("text-expression", "error", True, 10, 11, message)


# --- class: headings that become equal ------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    ["'{{ \"一、\" }}部门基本情况'", "'一、部门{{ \"基本\" }}情况'", "一、部门基本情况"],
    ids=["expanded", "expanded in the middle", "equal as written"],
)
def test_duplicate_heading_is_reported_and_both_sections_kept(tmp_path: Path, heading: str) -> None:
    root = year(tmp_path / "data", 自评报告=("- 二、“三公”经费情况:", f"- {heading}:"))
    (f,) = timed_check(root)
    assert (f.code, f.severity, f.line, f.column) == ("duplicate-heading", "error", 7, 7)
    assert f.message == "标题“一、部门基本情况”与第 5 行的标题相同：同一层的标题不能重复，请修改其中一个"
    loaded = load(root)
    check_loaded(loaded)
    body = loaded.submission.自评报告.部门整体支出绩效自评报告.正文
    sections = [(h, inner) for block in body if isinstance(block, dict) for h, inner in block.items()]
    assert [h for h, _ in sections] == ["一、部门基本情况", "一、部门基本情况", "三、其他需要说明的情况"]
    assert sections[1][1] == ["公务接待费1.37万元，公务用车购置及运行费1.50万元。"]


def test_headings_equal_after_expansion_in_one_mapping(tmp_path: Path) -> None:
    """Two keys of one YAML mapping that expand to the same text: the second section starts a new block."""
    report = "- 一、部门基本情况:\n        - 甲。\n      '{{ \"一、\" }}部门基本情况':\n        - 乙。\n"
    root = year(tmp_path / "data", 自评报告=("- 一、部门基本情况:\n        - 截至2024年12月31日，单位编制人数为20人，实际在岗人数19人。\n", report))
    loaded = load(root)
    (f,) = check_loaded(loaded)
    assert (f.code, f.line, f.message) == ("duplicate-heading", 7, "标题“一、部门基本情况”与第 5 行的标题相同：同一层的标题不能重复，请修改其中一个")
    body = loaded.submission.自评报告.部门整体支出绩效自评报告.正文
    assert body[:2] == [{"一、部门基本情况": ["甲。"]}, {"一、部门基本情况": ["乙。"]}]


# --- ordinary expressions still work -------------------------------------------------------------------


def test_ordinary_expressions(tmp_path: Path) -> None:
    text = (
        "{{ 1/4 }}|{{ 1.5 * 2 }}|{{ 年度 + 1 }}|{{ (基础数据表.经费控制情况.公务接待[2] * 100)|round(1) }}|{{ 项目|length }}|"
        "{{ 项目[0].项目名称 }}|{{ 整体自评表.年度资金总额.执行率 }}|{{ 基础数据表.经费控制情况[\"水费、电费、差旅费\"][1] }}|"
        "{{ 基础数据表.经费控制情况.专项明细|sum(attribute=\"金额.2\") }}|{{ 基础数据表.经费控制情况.公务接待|max }}|"
        "{% for p in 项目 %}{{ loop.index }}.{{ p.项目名称 }}{% endfor %}|{{ 部门名称[:3] }}|{{ 部门名称.replace(\"测试\", \"汨罗\") }}|"
        "{{ 项目[0].签字 is defined }}|{{ 基础数据表.经费控制情况.出国经费[0] }}|{{ 整体自评表.年度资金总额.执行率.value }}|"
        "{{ 部门名称 ~ 年度 }}|{{ 基础数据表.经费控制情况.公务接待|join(\"、\") }}"
    )
    loaded = load(paragraphs(tmp_path, text))
    assert check_loaded(loaded) == []
    (out,) = loaded.submission.自评报告.部门整体支出绩效自评报告.正文[2]["三、其他需要说明的情况"]
    assert out.split("|") == [
        "0.25", "3.0", "2025", "137.0", "1", "就业服务", "100.00%", "21", "48.5", "2", "1.就业服务", "测试县", "汨罗县人力资源和社会保障局",
        "False", "", "100.00", "测试县人力资源和社会保障局2024", "1.88、2、1.37",
    ]
