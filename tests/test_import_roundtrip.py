"""Issue 10: import(build(D)) gives back D's data, and a build of the import is byte-identical to a build of D.

For every department-year in data/: built one annex per file and all in one file,
imported with `annexgen import`, the imported folder loads, derives to the same
model (precision included), checks to the same findings, and rebuilds byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.build import build
from annexgen.check import check, review
from annexgen.cli import app
from annexgen.load import find_department_years, load

REPO = Path(__file__).parent.parent
YEARS = [p.relative_to(REPO / "data").as_posix() for p in find_department_years(REPO / "data")]


def annexgen(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def derived(root: Path) -> str:
    """What a department-year's form set prints, as its derived model: every Decimal with its precision,
    blanks and computed cells. Parts the form set has no annex for (example-county's 自评基础数据表,
    kept for the 隆回 templates, is not printed by 汨罗) cannot come back from Word, and are left out."""
    loaded = load(root)
    _findings, form_set = review(loaded, ())
    assert loaded.submission is not None and form_set is not None, [f.text() for f in loaded.findings]
    dump = loaded.submission.model_dump(by_alias=True)
    kinds = {a.内容 for a in form_set.annexes}
    if "自评基础数据表" not in kinds and dump["整体自评"]:
        dump["整体自评"]["自评基础数据表"] = None
    if "项目支出绩效自评报告" not in kinds:
        for project in dump["项目"]:
            project["自评报告"] = None
    return json.dumps(dump, ensure_ascii=False, indent=1, sort_keys=True, default=lambda o: f"{type(o).__name__}:{o}")


def findings(root: Path) -> list[tuple[str, str, str]]:
    """What check says, without lines and files (which differ between the two folders)."""
    return sorted((f.code, f.severity, f.message) for f in check(root))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("built")
    for year in YEARS:
        build(REPO / "data" / year, out / year, combine=True)
    return {year: out / year for year in YEARS}


def _import(sources: list[Path], out: Path):
    result = annexgen("import", *map(str, sources), "-o", str(out))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("layout", ["one-per-file", "combined"])
def test_round_trip(built, tmp_path: Path, year: str, layout: str) -> None:
    files = sorted(built[year].glob("*.docx"))
    combined = [f for f in files if "全部附件" in f.name]
    sources = combined if layout == "combined" else [f for f in files if f not in combined]
    imported = tmp_path / "imported"
    shown = _import(sources, imported)
    original = REPO / "data" / year
    assert derived(imported) == derived(original)
    assert findings(imported) == findings(original)
    assert f"表样“{load(original).submission.部门.表样}”" in shown.stdout

    rebuilt = tmp_path / "rebuilt"
    build(imported, rebuilt)
    ours = {f.name: f.read_bytes() for f in files if f not in combined}
    theirs = {f.name: f.read_bytes() for f in sorted(rebuilt.glob("*.docx"))}
    assert sorted(theirs) == sorted(ours)
    assert [name for name in ours if ours[name] != theirs[name]] == []


@pytest.mark.parametrize("year", YEARS)
def test_imported_files_have_the_data_format(built, tmp_path: Path, year: str) -> None:
    """Same file names as data/, the schema line first, explanatory comments, figures as printed."""
    sources = [f for f in built[year].glob("*.docx") if "全部附件" not in f.name]
    imported = tmp_path / "imported"
    _import(sources, imported)
    original = REPO / "data" / year
    names = sorted(p.relative_to(original).as_posix() for p in original.rglob("*.yaml"))
    assert sorted(p.relative_to(imported).as_posix() for p in imported.rglob("*.yaml")) == names
    for name in names:
        text = (imported / name).read_text(encoding="utf-8")
        first = (original / name).read_text(encoding="utf-8").splitlines()[0]
        assert text.splitlines()[0].split("schema/")[1] == first.split("schema/")[1]
        assert "\n# " in text and "annexgen import" in text


def test_never_overwrites_without_force(built, tmp_path: Path) -> None:
    sources = [str(f) for f in built["example-county/2024"].glob("附件*.docx")]
    target = tmp_path / "2024"
    target.mkdir()
    (target / "部门.yaml").write_text("# mine\n", encoding="utf-8")
    refused = annexgen("import", *sources, "-o", str(target))
    assert refused.exit_code != 0 and "--force" in refused.stderr and "[output-exists]" in refused.stderr
    assert (target / "部门.yaml").read_text(encoding="utf-8") == "# mine\n"
    forced = annexgen("import", *sources, "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "测试县" in (target / "部门.yaml").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024"]  # no staging folder left behind


def test_nothing_usable_exits_2(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("会议通知：请各单位于周五前报送材料。")
    doc.save(str(tmp_path / "通知.docx"))
    (tmp_path / "坏文件.docx").write_bytes(b"not a zip")
    result = annexgen("import", str(tmp_path / "通知.docx"), str(tmp_path / "坏文件.docx"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "坏文件.docx: 错误:" in result.stdout and "[bad-file]" in result.stdout
    assert "[unknown-annex]" in result.stdout
    assert not (tmp_path / "out").exists()
