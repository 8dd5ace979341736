"""The national-set (全国, 财预〔2020〕10号) department-years in data/: transcriptions of published forms.

Two partial submissions, each with only the annexes it has, both transcribed cell by cell from
a published Anhui form with its mistakes kept (the URL is in each file's header):

- ``guichi-tangxi/2022``: 池州市贵池区棠溪镇人民政府, one 项目支出绩效自评表 (委托业务项目), nothing else;
- ``jinzhai-meili/2023``: 金寨县茶谷和美丽乡村建设服务中心, one 部门整体支出绩效自评表, nothing else.

The stored copies of both documents end before the end of the table (the YAML files say where).
What follows that point was not invented: cells that could not be read are left out, so annexgen
computes what it can. Two expected findings below come from that cut and not from the original;
they are marked CUT.

The expected lists are exhaustive, like tests/test_seeds.py: a new finding is either a newly
detected real mistake (add it here, with the reason) or a false alarm (fix the rule).

Waiting for the built-in 全国 set (templates/全国/): until it exists every check also reports
[unknown-form-set] at 部门.yaml's 表样 and build writes nothing, so the tests that need it are
skipped; `test_only_the_form_set_is_missing_for_now` runs instead.
"""

from __future__ import annotations

from decimal import Decimal

from pathlib import Path

import pytest

from annexgen.build import build
from annexgen.check import check
from annexgen.load import LOAD_CODES
from extract import extract_text

REPO = Path(__file__).parent.parent
DATA = REPO / "data"
NATIONAL = REPO / "templates" / "全国" / "表样.yaml"
needs_national = pytest.mark.skipif(not NATIONAL.exists(), reason="waits for the built-in 全国 form set (templates/全国/)")

PROJECT = "项目/1-委托业务项目.yaml"
OVERALL = "整体自评.yaml"

# (code, file in the folder, text of the line the finding points at, words of the message)
TANGXI = [
    # The published 年度资金总额 row reads 0 / 0 / 0 (分值 10, 执行率 0, 得分 0) while the only fund
    # row under it, "其中:本年财政拨款", reads 90 / 89.974 / 89.974: the total row was never filled
    # in. The same 0 row is on the town's other published project table (id=502367), so it is
    # how the forms were exported, not a slip of one clerk. One finding per column.
    ("sum-mismatch", PROJECT, "年度资金总额: {", "年初预算数写作 0，但其组成部分之和为 90"),
    ("sum-mismatch", PROJECT, "年度资金总额: {", "全年预算数写作 0，但其组成部分之和为 89.974"),
    ("sum-mismatch", PROJECT, "年度资金总额: {", "全年执行数写作 0，但其组成部分之和为 89.974"),
    # … and so the printed 执行率 is 0 (its score 0 follows from it): a reviewer sees a project
    # that spent nothing, where the fund row says 89.974 / 89.974 = 100%.
    ("low-execution", PROJECT, "年度资金总额: {", "执行率 0 低于 90%"),
    # Actual values printed as bare numbers where the target carries a unit (≥50个 → "50", ≥100百分比 → "100",
    # ≤90万元 → "90") are read in the target's unit: met, full marks, nothing to report (test_bare_actuals_take_the_targets_unit).
    # CUT: the stored copy ends at "公众满"; this row's target, actual and score could not be read.
    ("not-filled", PROJECT, "名称: 公众满意度", "“公众满意度”"),
]

JINZHAI = [
    # 全年执行数 338.31 above 全年预算数 329.77: 执行率 102.59%, spending above the budget.
    ("over-execution", OVERALL, '执行率: "102.59%"', "年度资金总额全年执行数 338.31 大于全年预算数 329.77"),
    # and the same on its 其中：当年财政拨款 row (338.31 against 329.77 there too).
    ("over-execution", OVERALL, "当年财政拨款: {", "当年财政拨款全年执行数 338.31 大于全年预算数 329.77"),
    # The 得分 cell of the 年度资金总额 row is blank on the published form (分值 10 printed beside it).
    ("score-missing", OVERALL, "得分: ~", "预算执行率有分值 10，但得分空白"),
    # The published 产出指标 rows alone weigh 60 points (4 × 10 + 2 × 5 + 2 × 5, and the 成本指标 rows
    # the stored copy cuts off come on top), where the national forms give 产出 50. Real whatever the
    # missing rows hold.
    ("weight-profile", OVERALL, "- 名称: 产出指标", "规定产出指标 50 分，这里各指标分值合计 60 分"),
    # CUT: only the 产出指标 rows (60 points) could be read; the 成本、效益、满意度 rows after
    # "成本指标 | 指标1:" are missing from the stored copy, so the weights add to 10 + 60 here.
    ("weight-total", OVERALL, "- 名称: 产出指标", "现为 70"),
    # Not expected: "9月前" → "7月" and "11月前" → "10月" are deadlines met (dates, not units).
]

EXPECTED = {"guichi-tangxi/2022": TANGXI, "jinzhai-meili/2023": JINZHAI}


def line_of(folder: Path, file: str, text: str) -> int:
    """The number of the first line of `file` that contains `text` (a data line, not a comment)."""
    for n, line in enumerate((folder / file).read_text(encoding="utf-8").splitlines(), 1):
        if text in line and not line.lstrip().startswith("#"):
            return n
    raise AssertionError(f"{file}: no line contains {text!r}")


@needs_national
@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_findings_are_exactly_the_published_mistakes(folder: str) -> None:
    root = DATA / folder
    unmatched = list(check(root))
    missing = []
    for code, file, anchor, words in EXPECTED[folder]:
        where = ((root / file).resolve(), line_of(root, file, anchor))
        hits = [f for f in unmatched if f.code == code and (Path(f.file).resolve(), f.line) == where and words in f.message]
        if len(hits) != 1:
            missing.append((code, file, where[1], words, len(hits)))
            continue
        unmatched.remove(hits[0])
    assert not missing, f"expected findings not reported exactly once: {missing}"
    assert not unmatched, "findings that are not verified mistakes:\n" + "\n".join(f.text() for f in unmatched)


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_findings_point_at_a_written_line(folder: str) -> None:
    for f in check(DATA / folder):
        line = Path(f.file).read_text(encoding="utf-8").splitlines()[f.line - 1]
        assert line.strip() and not line.lstrip().startswith("#"), f.text()


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_only_the_form_set_is_missing_for_now(folder: str) -> None:
    """The transcriptions are well-formed data: no structural finding but (until 全国 exists) the form set."""
    structural = [f for f in check(DATA / folder) if f.code in LOAD_CODES]
    if NATIONAL.exists():
        assert structural == []
    else:
        assert [(f.code, Path(f.file).name, f.line) for f in structural] == [("unknown-form-set", "部门.yaml", 9)]


@needs_national
def test_project_only_submission_builds_its_one_table(tmp_path: Path) -> None:
    result = build(DATA / "guichi-tangxi" / "2022", tmp_path)
    assert not result.stopped
    names = [p.name for p in result.written]
    assert len(names) == 1 and names[0].startswith("附件2-1 "), names
    assert "委托业务项目" in names[0] and "项目支出绩效自评表" in names[0]
    text = extract_text(result.written[0])
    # the figures as written: the 0 total row kept, the three-decimal 89.974 not rounded
    assert "89.974" in text and "基建工程委托业务项目数量" in text and "219001-池州市贵池区棠溪镇人民政府" in text


@needs_national
def test_overall_only_submission_builds_its_one_table(tmp_path: Path) -> None:
    result = build(DATA / "jinzhai-meili" / "2023", tmp_path)
    assert not result.stopped
    names = [p.name for p in result.written]
    assert len(names) == 1 and names[0].startswith("附件1 "), names
    assert "部门整体支出绩效自评表" in names[0]
    text = extract_text(result.written[0])
    assert "338.31" in text and "102.59%" in text and "金寨县茶谷和美丽乡村建设服务中心" in text
    assert "9月前" in text and "7月" in text


def test_bare_actuals_take_the_targets_unit() -> None:
    """The published "50" against "≥50个" is compared as 50个: no unit-mismatch, and a shortfall would be scored."""
    from annexgen.targets import assess

    met = assess("≥50个", "50", 2022, cost=False)
    assert met is not None and met.met
    short = assess("≥100百分比", "90", 2022, cost=False)
    assert short is not None and not short.met and short.expected(Decimal(8), "比例") == Decimal("7.20")
    assert assess("≥50个", "50人", 2022, cost=False) is None  # two different units stay incomparable
    assert assess("≥100百分比", "0.98", 2022, cost=False) is None  # a fraction, not 0.98%: not scored
    assert assess("≤100万元", "1000000", 2022, cost=False) is None  # written in 元: not scored


def test_overall_fund_rows_add_up(tmp_path: Path) -> None:
    """The 全国 overall table's rows under 年度资金总额 are parts of it: a changed 当年财政拨款 no longer adds up."""
    import shutil

    from annexgen.check import check

    folder = tmp_path / "2023"
    shutil.copytree(REPO / "data" / "jinzhai-meili" / "2023", folder)
    assert [f.code for f in check(folder) if f.code == "sum-mismatch"] == []
    table = folder / "整体自评.yaml"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("当年财政拨款: {年初预算数: 329.77, 全年预算数: 329.77, 全年执行数: 338.31", "当年财政拨款: {年初预算数: 329.77, 全年预算数: 329.77, 全年执行数: 300"), encoding="utf-8")
    found = [f.message for f in check(folder) if f.code == "sum-mismatch"]
    assert found == ["年度资金总额全年执行数写作 338.31，但其组成部分之和为 300（当年财政拨款全年执行数 300）：请核对合计或各项"]
