"""Bad input: each class gets an exact Chinese message at the offending key or value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from annexgen.check import check
from annexgen.load import load
from helpers import FILES, year


def only_finding(root: Path):
    findings = check(root)
    assert len(findings) == 1, [f.text() for f in findings]
    return findings[0]


CASES = [
    # (name, file, old, new, code, line, column, message)
    ("duplicate key", "部门", "年度: 2024\n", "年度: 2024\n年度: 2023\n", "duplicate-key", 3, 1,
     "键“年度”重复：第 2 行已写过。同一个键只能写一次，请删去或合并其中一处"),
    ("unknown key with nearest", "部门", "  单位负责人: 李四", "  单位负责任: 李四", "unknown-key", 8, 3,
     "不认识的键“单位负责任”：是不是“单位负责人”？可用的键见 annexgen schema 或示例文件"),
    ("unknown key deep", "基础数据表", "  办公经费:", "  办工经费:", "unknown-key", 25, 3,
     "不认识的键“办工经费”：是不是“办公经费”？可用的键见 annexgen schema 或示例文件"),
    ("text where an amount belongs", "基础数据表", "[1.88, 2, 1.37]", "[1.88, 2万, 1.37]", "wrong-type", 16, 16,
     "金额（万元）应为数字，现为文本“2万”：只写数字（或“数字万元”），不写其他单位、千分位逗号或全角数字"),
    ("words where an amount belongs", "整体自评", "    其他资金: 20", "    其他资金: 见附表", "wrong-type", 14, 11,
     "金额（万元）应为数字，现为文本“见附表”：请改为数字；表上空白的格子写 ~"),
    ("row of two", "基础数据表", "出国经费: [~, ~, ~]", "出国经费: [~, ~]", "wrong-type", 15, 9,
     "应有 3 项，现有 2 项：每行三个数依次为上年决算数、本年预算数、本年决算数，空白写 ~"),
    ("percent as text", "基础数据表", "控制率: 95.00%", "控制率: 九成五", "wrong-type", 9, 8,
     "应为百分数，如 100% 或 100.00%，现为“九成五”"),
    ("count with decimals", "基础数据表", "编制数: 20", "编制数: 20.5", "wrong-type", 7, 8,
     "人数应为整数，现为“20.5”"),
    ("missing key", "部门", "表样: 汨罗\n", "", "missing-key", 1, 1,
     "缺少必填的键“表样”：请补上"),
    ("bad year", "部门", "年度: 2024", "年度: 二〇二四", "wrong-type", 2, 5,
     "年度应为四位整数年份，如 2023，现为“二〇二四”"),
    ("date that does not exist", "部门", "填报日期: 2025-03-01", "填报日期: 2025-02-30", "bad-date", 6, 9,
     "日期“2025-02-30”不存在：请检查年、月、日"),
    ("chinese date that does not exist", "部门", "填报日期: 2025-03-01", "填报日期: 2025年2月30日", "bad-date", 6, 9,
     "日期“2025年2月30日”不存在：请检查月和日"),
    ("grade not in list", "整体自评", "自评结论: 优", "自评结论: 很好", "wrong-type", 89, 9,
     "应为 优、良、中、差 之一，现为“很好”"),
    ("tab indentation", "部门", "  填表人: 张三", "\t填表人: 张三", "yaml-syntax", 5, 1,
     "有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"),
    ("unclosed quote", "部门", '联系电话: "07391234567"', '联系电话: "07391234567', "yaml-syntax", 9, 1,
     "文件在引号或括号闭合前就结束了：请检查引号是否成对"),
    ("colon in plain text", "自评报告", "- 全年城镇新增就业4673人。", "- 说明: 全年: 城镇新增就业4673人。", "yaml-syntax", 10, 17,
     "这里不能出现“: ”：若是文字内容，请给整段文字加引号；否则检查缩进"),
]


@pytest.mark.parametrize("name,stem,old,new,code,line,column,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exact_message(tmp_path: Path, name, stem, old, new, code, line, column, message) -> None:
    f = only_finding(year(tmp_path, **{stem: (old, new)}))
    assert (f.code, f.line, f.column, f.severity) == (code, line, column, "error")
    assert f.message == message


def test_empty_file(tmp_path: Path) -> None:
    f = only_finding(year(tmp_path, 基础数据表="# 只有注释\n"))
    assert (f.code, f.file.endswith("基础数据表.yaml"), f.line, f.column) == ("empty-file", True, 1, 1)
    assert f.message == "文件是空的：请按示例填写内容"


def test_top_level_list(tmp_path: Path) -> None:
    f = only_finding(year(tmp_path, 部门="- 部门名称: 甲\n"))
    assert (f.code, f.line, f.column) == ("not-mapping", 1, 1)
    assert f.message == "文件最外层应为“键: 值”的映射，不能是列表或单个值"


def test_gbk_with_known_keys_is_read_with_a_warning(tmp_path: Path) -> None:
    root = year(tmp_path)
    (root / "部门.yaml").write_bytes(FILES["部门.yaml"].encode("gbk"))
    f = only_finding(root)
    assert (f.code, f.severity, f.line, f.column) == ("encoding", "warning", 1, 1)
    assert f.message.startswith("文件是 GBK/GB18030 编码（记事本、WPS 的“ANSI”），已按此读取")
    assert load(root).submission.部门.部门名称 == "测试县人力资源和社会保障局"


def test_not_utf8_and_not_recognisable(tmp_path: Path) -> None:
    root = year(tmp_path)
    (root / "部门.yaml").write_bytes("a: 1\nb: 中文\n".encode("gbk"))
    f = only_finding(root)
    assert (f.code, f.severity, f.line, f.column) == ("encoding", "error", 2, 4)
    assert f.message == "文件不是 UTF-8 编码：请在记事本或 WPS 中“另存为”，编码选 UTF-8"


def test_utf8_bom_is_read(tmp_path: Path) -> None:
    root = year(tmp_path)
    (root / "部门.yaml").write_bytes(b"\xef\xbb\xbf" + FILES["部门.yaml"].encode("utf-8"))
    assert check(root) == []


def test_missing_department_file(tmp_path: Path) -> None:
    root = year(tmp_path, 部门=None)
    f = only_finding(root)
    assert (f.code, f.line, f.column) == ("missing-file", 1, 1)
    assert f.message == "缺少 部门.yaml：每个年度的数据文件夹都应有它（部门名称、年度、表样）"


def test_unknown_file_is_a_warning(tmp_path: Path) -> None:
    root = year(tmp_path)
    (root / "基础数据.yaml").write_text("a: 1\n", encoding="utf-8")
    f = only_finding(root)
    assert (f.code, f.severity) == ("unknown-file", "warning")
    assert f.message == "不认识的数据文件，已忽略，是不是“基础数据表.yaml”？"


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    root = year(tmp_path, 基础数据表="\n".join(lines) + "\n")
    f = only_finding(root)
    assert f.code == "too-complex"
    assert "别名" in f.message


def test_no_object_construction(tmp_path: Path) -> None:
    root = year(tmp_path, 部门=("部门名称: 测试县人力资源和社会保障局", "部门名称: !!python/object/apply:os.system [echo hi]"))
    f = only_finding(root)
    assert (f.code, f.line, f.column) == ("wrong-type", 1, 7)
    assert f.message == "不支持的 YAML 标签“tag:yaml.org,2002:python/object/apply:os.system”：数据文件里只写文字、数字、日期和 true/false"


def test_amounts_keep_written_precision(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表=("[3.50, 4, 2.87]", "[3.50, 4.00, 2.870]"))
    sub = load(root).submission
    row = sub.基础数据表.经费控制情况.三公经费
    assert [str(v) for v in row] == ["3.50", "4.00", "2.870"]
    assert all(type(v) is Decimal for v in row)


def test_leading_zero_phone_kept_as_text(tmp_path: Path) -> None:
    root = year(tmp_path, 部门=('联系电话: "07391234567"', "联系电话: 07391234567"))
    assert load(root).submission.部门.签字.联系电话 == "07391234567"


def test_all_findings_are_reported_not_only_the_first(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表=("编制数: 20", "编制数: 二十"), 整体自评=("其他资金: 20", "其他资金: 二十"))
    assert {f.file.split("/")[-1] for f in check(root)} == {"基础数据表.yaml", "整体自评.yaml"}


@pytest.mark.skipif(not hasattr(__import__("yaml"), "CSafeLoader"), reason="PyYAML built without libyaml")
def test_libyaml_and_python_composers_agree_on_positions() -> None:
    """The loader composes with libyaml for speed; positions must be the pure-Python parser's."""
    import yaml

    def marks(node, out):
        out.append((node.tag, node.start_mark.line, node.start_mark.column))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                marks(k, out)
                marks(v, out)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                marks(v, out)
        return out

    repo = Path(__file__).parent.parent
    for file in sorted((repo / "data").rglob("*.yaml")):
        text = file.read_text(encoding="utf-8")
        fast = marks(yaml.compose(text, Loader=yaml.CSafeLoader), [])
        slow = marks(yaml.compose(text, Loader=yaml.SafeLoader), [])
        assert fast == slow, file


def test_a_broken_file_does_not_hide_the_others(tmp_path: Path) -> None:
    root = year(tmp_path, 基础数据表=("  编制数: 20", "\t编制数: 20"), 整体自评=("其他资金: 20", "其他资金: 二十"))
    assert sorted((f.file.split("/")[-1], f.code) for f in check(root)) == [("基础数据表.yaml", "yaml-syntax"), ("整体自评.yaml", "wrong-type")]
