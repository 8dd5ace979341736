"""Issue 10: annexes found in Word files by their content (label, title, table header), several per file or one."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from annexgen.build import build
from annexgen.importing.annexes import split_annexes
from annexgen.importing.grid import read_docx

REPO = Path(__file__).parent.parent
T, O, P, R, PR, B, C = "项目支出绩效自评表", "部门整体支出绩效自评表", "项目支出绩效自评报告", "部门整体支出绩效自评报告", "项目支出绩效自评报告", "基础数据表", "自评基础数据表"
EXPECTED = {
    "miluo-hrss/2023": [("1", B), ("2", O), ("3-1", T), ("3-2", T), ("3-3", T), ("3-4", T), ("4", R), ("5-1", P), ("5-2", P), ("5-3", P), ("5-4", P)],
    # 隆回's 基础数据表 is attached to the report without a label of its own
    "longhui-hrss/2024": [("3", R), (None, B), ("4-1", C), ("4-2", O)],
    "example-county/2024": [("1", B), ("2", O), ("3-1", T), ("4", R), ("5-1", P)],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("built")
    return {year: build(REPO / "data" / year, out / year, combine=True).written for year in EXPECTED}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_everything_in_one_file(built, year: str) -> None:
    combined = next(f for f in built[year] if "全部附件" in f.name)
    assert [(a.number, a.kind) for a in split_annexes(read_docx(combined))] == EXPECTED[year]


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_one_annex_per_file(built, year: str) -> None:
    files = [f for f in built[year] if "全部附件" not in f.name]
    found = [[(a.number, a.kind) for a in split_annexes(read_docx(f))] for f in files]
    assert [pair for annexes in found for pair in annexes] == EXPECTED[year]
    assert all(len(annexes) == 1 for annexes in found)


def test_a_clerks_file_labels_missing_or_spelled_otherwise(built, tmp_path: Path) -> None:
    """附件2's label deleted, 附件3-1 typed "附件 三之一", a report sentence naming a form: still the same annexes."""
    combined = next(f for f in built["miluo-hrss/2023"] if "全部附件" in f.name)
    doc = Document(str(combined))
    labels = {p.text.strip(): p for p in doc.paragraphs if p.text.strip().startswith("附件") and len(p.text.strip()) <= 6}
    labels["附件2"].text = ""
    labels["附件3-1"].text = "附件 三之一"
    heading = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    heading.insert_paragraph_before("按照部门整体支出绩效自评表的要求，我局开展了自评。")
    path = tmp_path / "clerk.docx"
    doc.save(str(path))
    found = [(a.number, a.kind) for a in split_annexes(read_docx(path))]
    expected = list(EXPECTED["miluo-hrss/2023"])
    expected[1] = (None, O)
    assert found == expected
