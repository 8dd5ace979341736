"""The form-set profile (表样.yaml: 附件编号, 评分, 审核, 标签, 必备): each key changes what check or build does.

Each test copies a built-in set to tmp_path, edits one key of its manifest and runs
check or build with `--forms` on it: once where the key makes a finding (or a
printed difference) and once where it does not.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.check import check
from annexgen.cli import app
from annexgen.forms import BUILTIN, FormSetError, read_form_set
from annexgen.profile import DEFAULT, annex_label, chinese_numeral
from extract import extract_text
from helpers import edited_set, year

REPO = Path(__file__).parent.parent
runner = CliRunner()


def codes(findings, code: str) -> list[str]:
    return [f.message for f in findings if f.code == code]


# --- 评分 -------------------------------------------------------------------------------------


def test_weights_of_the_profile_are_checked_only_when_declared(tmp_path: Path) -> None:
    """评分.一级指标: 汨罗's own 30/30/10/20 fits the 汨罗 seed and not the 50/30/10 example; undeclared, nothing is said."""
    declared = "评分:\n  一级指标: {产出指标: 30, 效益指标: 30, 满意度指标: 10, 成本指标: 20}\n"
    sets = edited_set(tmp_path, "汨罗", "评分:\n", declared)
    seed = REPO / "data" / "miluo-hrss" / "2023"
    assert codes(check(seed, [sets]), "weight-profile") == []
    example = year(tmp_path / "d")
    found = codes(check(example, [sets]), "weight-profile")
    assert "部门整体支出绩效自评表：表样“汨罗”规定产出指标 30 分，这里标明 50 分：请按表样的分值设置指标，或确认本地另有规定" in found
    assert any(m.startswith("项目“就业服务”自评表：表样“汨罗”规定效益指标 30 分，这里标明 40 分") for m in found)
    assert codes(check(example), "weight-profile") == []  # the built-in 汨罗 declares none


def test_rate_weight_of_the_profile(tmp_path: Path) -> None:
    """评分.预算执行率: a table giving the execution rate 20 points where the set prescribes 10."""
    sets = edited_set(tmp_path, "汨罗", "评分:\n", "评分:\n  预算执行率: 10\n")
    assert codes(check(year(tmp_path / "ok"), [sets]), "weight-profile") == []
    changed = year(tmp_path / "bad", 就业服务=("分值: 10, 执行率: 97.00%, 得分: 9.7}", "分值: 20, 执行率: 97.00%, 得分: 19.4}"))
    assert codes(check(changed, [sets]), "weight-profile") == ["项目“就业服务”自评表：表样“汨罗”规定预算执行率 10 分，这里为 20 分：请按表样的分值填写，或确认本地另有规定"]


def test_rate_score_cap(tmp_path: Path) -> None:
    """评分.执行率得分.上限: 104% scores 分值 × 100% under the usual cap; a set capping at 90 wants 9."""
    over = year(tmp_path / "d", 就业服务=("全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}", "全年执行数: 52, 分值: 10, 执行率: 104.00%, 得分: 10.00}"))
    assert codes(check(over), "rate-score") == []
    assert codes(check(over), "over-execution")  # spending above the budget is said, whatever the cap
    sets = edited_set(tmp_path, "汨罗", "    上限: 100", "    上限: 90")
    found = [(f.path, f.message) for f in check(over, [sets]) if f.code == "rate-score"]
    assert ("项目[0].项目资金.年度资金总额.得分", "执行率得分写作 10.00，但 分值 10 × 执行率 104.00% = 9（执行率超过 90% 按 90% 计分）：请改为 9") in found


def test_rate_score_message_says_the_rate_is_capped(tmp_path: Path) -> None:
    """The rate above 100% is printed as written and the message says it is capped for scoring, not silently."""
    over = year(tmp_path / "d", 就业服务=("全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}", "全年执行数: 52, 分值: 10, 执行率: 104.00%, 得分: 9}"))
    assert codes(check(over), "rate-score") == ["执行率得分写作 9，但 分值 10 × 执行率 104.00% = 10（执行率超过 100% 按 100% 计分）：请改为 10"]


def test_grade_bands(tmp_path: Path) -> None:
    """评分.等级: a total of 99.5 is 优 by the usual bands; a set whose 优 starts at 100 grades it 良."""
    data = year(tmp_path / "d", 整体自评=("总分:\n    分值: 100\n    得分: 100", "总分:\n    分值: 100\n    得分: 99.5"))
    assert codes(check(data), "grade-mismatch") == []
    sets = edited_set(tmp_path, "汨罗", "等级: {优: 90, 良: 80, 中: 60, 差: 0}", "等级: {优: 100, 良: 80, 中: 60, 差: 0}")
    assert codes(check(data, [sets]), "grade-mismatch") == ["自评结论写作“优”，但总分 99.5 对应“良”（优 ≥100、良 ≥80、中 ≥60、差 <60）：请改为“良”"]


def test_grade_bands_are_computed_by_the_profile() -> None:
    bands = dataclasses.replace(DEFAULT, grades=(("优", Decimal(85)), ("良", Decimal(75)), ("中", Decimal(60)), ("差", Decimal(0))))
    assert [bands.grade(Decimal(s)) for s in ("85", "84.99", "75", "60", "59.9")] == ["优", "良", "良", "中", "差"]
    assert [DEFAULT.grade(Decimal(s)) for s in ("90", "89.99", "80", "60", "59.9")] == ["优", "良", "良", "中", "差"]


# --- 审核 -------------------------------------------------------------------------------------


def test_budget_adjustment_threshold(tmp_path: Path) -> None:
    """审核.预算调整幅度: 300 → 520 is 73.3%: asked about at 30%, not at 80%."""
    data = year(tmp_path / "d", 整体自评=("年初预算数: 500", "年初预算数: 300"))
    assert codes(check(data), "budget-adjusted") == ["全年预算数 520 比年初预算数 300 增加了 73.3%：预算年中调整幅度大，请在报告中说明原因"]
    sets = edited_set(tmp_path, "汨罗", "预算调整幅度: 30", "预算调整幅度: 80")
    assert codes(check(data, [sets]), "budget-adjusted") == []


def test_low_execution_threshold(tmp_path: Path) -> None:
    """审核.执行率下限: 80% is low at 90, not at 75."""
    data = year(tmp_path / "d", 就业服务=("全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}", "全年执行数: 40, 分值: 10, 执行率: 80.00%, 得分: 8}"))
    assert codes(check(data), "low-execution") == ["执行率 80.00% 低于 90%：请在报告中说明原因"]
    sets = edited_set(tmp_path, "汨罗", "执行率下限: 90", "执行率下限: 75")
    assert codes(check(data, [sets]), "low-execution") == []


# --- 附件编号, 必备 -------------------------------------------------------------------------------


def test_annex_numbering_style(tmp_path: Path) -> None:
    """附件编号: 汉字 prints 附件二 and 附件三-1; 数字 prints 附件2 (file names keep the manifest's 编号)."""
    data = year(tmp_path / "d")
    sets = edited_set(tmp_path, "汨罗", "附件编号: 数字", "附件编号: 汉字")
    for forms, out, label, project_label in ((None, "plain", "附件2", "附件3-1"), (sets, "chinese", "附件二", "附件三-1")):
        args = ["build", str(data), "-o", str(tmp_path / out)] + (["--forms", str(forms)] if forms else [])
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.stdout + r.stderr
        first = extract_text(tmp_path / out / "附件2 部门整体支出绩效自评表.docx").splitlines()[0]
        assert first.strip() == label
        assert extract_text(tmp_path / out / "附件3-1 就业服务项目支出绩效自评表.docx").splitlines()[0].strip() == project_label


def test_annex_label() -> None:
    assert [annex_label(n, "汉字") for n in ("1", "3-1", "4-2", "3-附1", "10", "12-3")] == ["一", "三-1", "四-2", "三-附1", "十", "十二-3"]
    assert [annex_label(n, "数字") for n in ("1", "3-1")] == ["1", "3-1"]
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 35, 99)] == ["一", "九", "十", "十一", "二十", "三十五", "九十九"]


def test_required_annexes_are_all_reported_at_once(tmp_path: Path) -> None:
    """A submission with nothing but 部门.yaml: every part the 汨罗 set needs, in one check, located at 部门.yaml's 表样."""
    data = year(tmp_path / "d", 基础数据表=None, 整体自评=None, 自评报告=None, 就业服务=None)
    r = runner.invoke(app, ["check", str(data)])
    assert r.exit_code == 1
    found = [f for f in check(data) if f.severity == "error"]
    assert {(Path(f.file).name, f.line, f.column, f.code) for f in found} == {("部门.yaml", 3, 5, "missing-part")}  # 表样: 汨罗
    assert [f.message for f in found] == [
        f"表样“汨罗”的附件{n}（{name}）要用 {what}，但数据里没有：请补上，或改用不含该附件的表样"
        for n, name, what in (("1", "部门整体支出绩效评价基础数据表", "基础数据表.yaml"), ("2", "部门整体支出绩效自评表", "整体自评.yaml"), ("4", "部门整体支出绩效自评报告", "自评报告.yaml"))
    ]
    assert r.stdout.count("[missing-part]") == 3
    # and build refuses with the same findings, writing nothing
    b = runner.invoke(app, ["build", str(data), "-o", str(tmp_path / "out")])
    assert b.exit_code == 1 and not (tmp_path / "out").exists()


def test_optional_annexes(tmp_path: Path) -> None:
    """必备: false (the national set): only what the data holds is made; nothing at all is one finding."""
    only = year(tmp_path / "d", 基础数据表=None, 整体自评=None, 自评报告=None, 就业服务=None)
    (only / "部门.yaml").write_text((only / "部门.yaml").read_text(encoding="utf-8").replace("表样: 汨罗", "表样: 全国"), encoding="utf-8")
    found = check(only)
    assert [(f.code, f.message) for f in found if f.severity == "error"] == [
        ("nothing-to-build", "表样“全国”的附件所需的数据这里都没有（整体自评.yaml、项目/1-项目名称.yaml）：请至少补上其中一项")
    ]


def test_required_false_for_a_project_report(tmp_path: Path) -> None:
    """必备: false on 汨罗's 附件5: a project without 自评报告 is no error, and its report is not made."""
    data = year(tmp_path / "d")
    project = data / "项目" / "1-就业服务.yaml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text[: text.index("自评报告:")], encoding="utf-8")
    assert codes(check(data), "missing-part")
    sets = edited_set(tmp_path, "汨罗", "    内容: 项目支出绩效自评报告\n", "    内容: 项目支出绩效自评报告\n    必备: false\n")
    assert codes(check(data, [sets]), "missing-part") == []
    r = runner.invoke(app, ["build", str(data), "-o", str(tmp_path / "out"), "--forms", str(sets)])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "附件1 部门整体支出绩效评价基础数据表.docx",
        "附件2 部门整体支出绩效自评表.docx",
        "附件3-1 就业服务项目支出绩效自评表.docx",
        "附件4 部门整体支出绩效自评报告.docx",
    ]


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ("审核:\n", "审核:\n  预算调整幅: 30\n", "表样.yaml:{line}:3: 错误: 不认识的键“预算调整幅”：是不是“预算调整幅度”？"),
        ("  反向指标: 比例", "  反向指标: 倒数", "表样.yaml:{line}:9: 错误: 应为 比例、线性 之一，现为“倒数”"),
        ("等级: {优: 90, 良: 80, 中: 60, 差: 0}", "等级: {优: 80, 良: 90, 中: 60, 差: 0}", "表样.yaml:{line}:7: 错误: 等级的最低总分应从高到低排列"),
        ("附件编号: 数字", "附件编号: 罗马", "表样.yaml:{line}:7: 错误: 应为 数字、汉字 之一，现为“罗马”"),
        ("    上限: 100", "    上限: 一百", "表样.yaml:{line}:9: 错误: "),
        ("    上限: 100", "    上限: 120", "表样.yaml:{line}:9: 错误: 上限应大于 0、不超过 100"),
        ("    上限: 100", "    上限: 0", "表样.yaml:{line}:9: 错误: 上限应大于 0、不超过 100"),
        ("  执行率下限: 90", "  执行率下限: 1000", "表样.yaml:{line}:10: 错误: 执行率下限是百分数，不能大于 100"),
        ("等级: {优: 90, 良: 80, 中: 60, 差: 0}", "等级: {优: 1000, 良: 80, 中: 60, 差: 0}", "表样.yaml:{line}:7: 错误: 等级的最低总分应从高到低排列、不超过 100"),
        ("评分:\n", "评分:\n  一级指标: {产出: 30, 产出指标: 20}\n", "表样.yaml:{line}:9: 错误: 一级指标“产出”是“产出指标”的开头"),
        ("评分:\n", "评分:\n  预算执行率: 20\n  一级指标: {产出指标: 60, 效益指标: 30, 满意度指标: 10}\n", "错误: 预算执行率与各一级指标的分值合计应为 100，现为 120"),
        ("附件编号: 数字", "附件编号: 数字\n标签: {当年财政拨款: 其他资金}", "表样.yaml:{line}:5: 错误: “当年财政拨款”不能印作“其他资金”"),
        ("附件编号: 数字", "附件编号: 数字\n标签: {当年财政拨款: \"\"}", "表样.yaml:{line}:5: 错误: “当年财政拨款”印作什么没有写"),
    ],
)
def test_profile_errors_are_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    sets = edited_set(tmp_path, "汨罗", old, new)
    manifest = sets / "汨罗" / "表样.yaml"
    line = next(i for i, text in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1) if new.strip().splitlines()[-1].strip() in text)
    with pytest.raises(FormSetError) as e:
        read_form_set(sets / "汨罗")
    first = str(e.value).splitlines()[0]
    assert expected.format(line=line) in first, first


def test_builtin_profiles_keep_todays_behaviour() -> None:
    """The profiles written into 汨罗 and 隆回 are today's defaults: the seeds' findings are those test_seeds lists."""
    for name in ("汨罗", "隆回"):
        profile = read_form_set(BUILTIN / name, builtin=True).profile
        assert (profile.rate_cap, profile.reverse, profile.grades, profile.adjust_limit, profile.low_rate, profile.reason_over, profile.deviation, profile.weights) == (
            DEFAULT.rate_cap, DEFAULT.reverse, DEFAULT.grades, DEFAULT.adjust_limit, DEFAULT.low_rate, DEFAULT.reason_over, DEFAULT.deviation, DEFAULT.weights,
        )


# --- 标签 ---------------------------------------------------------------------------------------


def test_labels_are_printed_and_read_back(tmp_path: Path) -> None:
    """标签: the national set relabelled as Hebei prints it (本年财政拨款) prints that label; import reads it back."""
    data = REPO / "data" / "guichi-tangxi" / "2022"
    plain, relabelled = tmp_path / "plain", tmp_path / "relabelled"
    sets = edited_set(tmp_path, "全国", "  当年财政拨款: 当年财政拨款", "  当年财政拨款: 本年财政拨款")
    assert runner.invoke(app, ["build", str(data), "-o", str(plain)]).exit_code == 1  # the published mistakes are errors
    assert runner.invoke(app, ["build", str(data), "-o", str(relabelled), "--forms", str(sets)]).exit_code == 1
    name = "附件2-1 委托业务项目项目支出绩效自评表.docx"
    before, after = extract_text(plain / name), extract_text(relabelled / name)
    assert "当年财政拨款" in before and "本年财政拨款" not in before
    assert "本年财政拨款" in after and "当年财政拨款" not in after
    r = runner.invoke(app, ["import", str(relabelled / name), "-o", str(tmp_path / "imported"), "--forms", str(sets)])
    assert r.exit_code == 0, r.stdout + r.stderr
    project = (tmp_path / "imported" / "项目" / "1-委托业务项目.yaml").read_text(encoding="utf-8")
    assert "当年财政拨款: {年初预算数: 90" in project


def test_every_missing_key_is_said_at_once(tmp_path: Path) -> None:
    """Keys missing from one mapping are all reported in one run (not one per run), each with its name."""
    data = year(tmp_path / "d", 部门="部门名称: 测试局\n", 整体自评="部门整体支出绩效自评表: {}\n")
    found = [(Path(f.file).name, f.code, f.message) for f in check(data)]
    assert ("部门.yaml", "missing-key", "缺少必填的键“年度”：请补上") in found
    assert ("部门.yaml", "missing-key", "缺少必填的键“表样”：请补上") in found
    assert ("整体自评.yaml", "missing-key", "缺少必填的键“年度资金总额”：请补上") in found
    assert ("整体自评.yaml", "missing-key", "缺少必填的键“绩效指标”：请补上") in found


def test_prescribed_rate_weight_wins_over_the_rest_of_100(tmp_path: Path) -> None:
    """评分.预算执行率 set: a 分值 left out is the profile's 10, never 100 − the indicators (which would hide their error)."""
    data = year(tmp_path / "d", 就业服务=("分值: 10, 执行率: 97.00%, 得分: 9.7}", "执行率: 97.00%}"))
    sets = edited_set(tmp_path, "汨罗", "评分:\n", "评分:\n  预算执行率: 20\n")
    found = check(data, [sets])
    assert [f.message for f in found if f.code == "weight-total"] == ["分值合计应为 100，现为 110（预算执行率 20 + 各指标 90）：请调整分值"]
    assert [f.path for f in found if f.code == "weight-profile"] == ["整体自评.部门整体支出绩效自评表.年度资金总额.分值"]  # the project's 分值 is the profile's
    assert [f.code for f in check(data) if f.code in ("weight-total", "weight-profile")] == []  # 汨罗 as built in: 100 − 90


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ('  - 编号: "2"\n', '  - 编号: "1"\n', "错误: 附件编号“1”与第 1 个附件重复：生成的文件会互相覆盖"),
        ('  - 编号: "3-{序号}"\n', '  - 编号: "3"\n', "错误: 附件3（{项目名称}项目支出绩效自评表）每个项目印一份，编号里要有 {序号}"),
        ("    内容: 基础数据表\n", "    内容: 基础数据表\n    必备: 否\n", "错误: 应为 true 或 false"),
        ("附件编号: 数字", '附件编号: 数字\n标签: {当年财政拨款: "本年\\x07拨款"}', "控制字符（U+0007）"),
    ],
    ids=["duplicate number", "project annex without 序号", "必备 not a boolean", "control character"],
)
def test_manifest_mistakes_are_refused_with_a_located_message(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """Annexes that would overwrite each other, a 必备 that is not true/false, even a removable control character: refused, in Chinese."""
    sets = edited_set(tmp_path, "汨罗", old, new)
    with pytest.raises(FormSetError) as e:
        read_form_set(sets / "汨罗")
    text = str(e.value)
    assert "表样.yaml:" in text.splitlines()[0] and expected in text, text
    assert text.isascii() is False and "Input should" not in text


def test_parts_the_set_does_not_print_are_said(tmp_path: Path) -> None:
    """A 汨罗-shaped year switched to 全国: its 基础数据表, reports and project report would be left out: one warning each."""
    data = year(tmp_path / "d", 部门=("表样: 汨罗", "表样: 全国"))
    found = [(f.path, f.message) for f in check(data) if f.code == "unused-part"]
    assert [p for p, _ in found] == ["基础数据表", "自评报告", "项目[0].自评报告"]
    assert found[0][1] == "基础数据表.yaml在表样“全国”的附件里没有位置，生成时不会印出：若它应当报送，请改用含这个附件的表样（部门.yaml 的“表样”）"
    assert [f for f in check(year(tmp_path / "e")) if f.code == "unused-part"] == []  # 汨罗 prints all of it
