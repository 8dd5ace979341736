"""Issue 10: the 部门整体支出绩效自评表 and 项目支出绩效自评表 read back from Word into data.

Round trip: every self-evaluation table annexgen builds from data/ reads back to the
department-year's derived data, Decimal precision and units included. Clerk style:
tables typed with python-docx without vertical merges, with spaced labels, units and
thousands separators on figures, blank and template rows, and a cell that fits nowhere.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from annexgen.build import build
from annexgen.check import review
from annexgen.importing.annexes import Annex, split_annexes
from annexgen.importing.grid import read_docx
from annexgen.importing.notes import Notes
from annexgen.importing.selfeval import department_name, read_overall, read_project
from annexgen.load import load
from annexgen.model import Project, SelfEvalTable
from annexgen.values import Percent, unit_of

REPO = Path(__file__).parent.parent
YEARS = ("miluo-hrss/2023", "longhui-hrss/2024", "example-county/2024")
OVERALL, PROJECT = "部门整体支出绩效自评表", "项目支出绩效自评表"


def normal(value: Any) -> Any:
    """A dump compared with its precision and unit: Decimal → ("12.00", "万元"), Percent → its text."""
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    if isinstance(value, Decimal):
        return (str(value), unit_of(value))
    if isinstance(value, Percent):
        return ("%", value.text)
    return value


def dump(model) -> Any:
    return normal(model.model_dump(by_alias=True))


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[str, tuple[Any, list[Annex]]]:
    """Per data year: its derived submission and the annexes of its built files."""
    out = {}
    for year in YEARS:
        loaded = load(REPO / "data" / year)
        review(loaded, ())
        files = build(REPO / "data" / year, tmp_path_factory.mktemp("built") / year).written
        annexes = [(str(f), a) for f in sorted(files, key=lambda f: f.name) for a in split_annexes(read_docx(f))]
        out[year] = (loaded.submission, annexes)
    return out


@pytest.mark.parametrize("year", YEARS)
def test_overall_table_round_trip(years, year: str) -> None:
    sub, annexes = years[year]
    (file, annex), = [(f, a) for f, a in annexes if a.kind == OVERALL]
    notes = Notes()
    tree = read_overall(annex, file, notes)
    assert list(notes) == []
    assert list(tree) == [k for k in ("标题", "年度资金总额", "按收入性质分", "按支出性质分", "年度总体目标", "绩效指标", "总分", "表注")]
    assert dump(SelfEvalTable.model_validate(tree)) == dump(sub.整体自评.部门整体支出绩效自评表)
    assert department_name(annex) == sub.部门.部门名称


@pytest.mark.parametrize("year", YEARS)
def test_project_tables_round_trip(years, year: str) -> None:
    sub, annexes = years[year]
    found = [(f, a) for f, a in annexes if a.kind == PROJECT]
    assert len(found) == len(sub.项目) == {"miluo-hrss/2023": 4, "longhui-hrss/2024": 0, "example-county/2024": 1}[year]
    for (file, annex), project in zip(found, sub.项目):
        notes = Notes()
        tree = read_project(annex, file, notes)
        assert list(notes) == []
        expected = project.model_copy(update={"自评报告": None})
        # a 主管部门 / 实施单位 left out of the data prints as the department's name
        for key in ("主管部门", "实施单位"):
            if getattr(expected, key) is None:
                expected = expected.model_copy(update={key: sub.部门.部门名称})
        assert dump(Project.model_validate(tree)) == dump(expected)


def test_precision_and_units_survive(years) -> None:
    """12.00 stays 12.00 and "1796.79万元" keeps its unit: the values are the printed text, not just equal numbers."""
    _sub, annexes = years["longhui-hrss/2024"]
    (file, annex), = [(f, a) for f, a in annexes if a.kind == OVERALL]
    tree = read_overall(annex, file, Notes())
    assert tree["年度资金总额"]["年初预算数"] == "1796.79万元"
    assert tree["年度资金总额"]["执行率"] == "100%"
    assert str(tree["按收入性质分"]["其他资金"]) == "232.54"
    assert tree["按支出性质分"] == {"基本支出": "11444.41万元", "项目支出": Decimal("13.82")}  # printed 县级专项资金
    blank_after = [i for g in tree["绩效指标"] for s in g["二级指标"] for i in s["三级指标"] if i.get("其后空行")]
    assert [(i["名称"], i["其后空行"]) for i in blank_after] == [("职业技能培训", 1)]
    _sub, annexes = years["miluo-hrss/2023"]
    (file, annex), = [(f, a) for f, a in annexes if a.kind == OVERALL]
    tree = read_overall(annex, file, Notes())
    assert str(tree["年度资金总额"]["全年预算数"]) == "3897.95" and tree["年度资金总额"]["执行率"] == "100.00%"
