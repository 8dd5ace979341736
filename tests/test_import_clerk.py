"""Issue 10: Word files annexgen did not write — typed in a clerk's style from the seeds, a LibreOffice .doc,
files LibreOffice rewrote (docx → odt → docx), a bureau's whole intake — imported, then checked.

On the imported seeds `annexgen check` must find exactly the findings it finds on the transcribed
data (the seed mistakes tests/test_seeds.py lists, and nothing else).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from annexgen.check import check
from annexgen.cli import app
from annexgen.load import find_department_years, load
from clerkdocs import LAYOUTS, Style, load_year, to_doc_all, via_odt_all, write_intake, write_year

REPO = Path(__file__).resolve().parents[1]
MILUO, LONGHUI, EXAMPLE = REPO / "data" / "miluo-hrss" / "2023", REPO / "data" / "longhui-hrss" / "2024", REPO / "data" / "example-county" / "2024"
SEEDS = (MILUO, LONGHUI)


def annexgen(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def findings(root: Path) -> list[tuple[str, str, str]]:
    """What check says, without file, line and column."""
    return sorted((f.code, f.severity, f.message) for f in check(root))


@pytest.fixture(scope="module")
def expected() -> dict[Path, list]:
    return {root: findings(root) for root in (*SEEDS, EXAMPLE)}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("root", SEEDS, ids=lambda r: r.parent.name)
def test_clerk_files_import_and_check_like_the_data(tmp_path: Path, expected, root: Path, layout: str) -> None:
    files = write_year(root, tmp_path / "word", layout)
    result = annexgen("import", *(f.path for f in files), "-o", tmp_path / "imported")
    assert result.exit_code == 0, result.stdout
    # template rows (指标1, ……) and blank rows the clerk left in are skipped with a warning, nothing else is said
    assert {line.rsplit("[", 1)[-1] for line in result.stdout.splitlines() if line.endswith("]")} <= {"template-row]", "blank-row]"}
    assert "[template-row]" in result.stdout
    assert findings(tmp_path / "imported") == expected[root]
    assert len(expected[root]) > 15  # the seeds' mistakes are really there to be found


@pytest.mark.parametrize("labels", ["chinese", "spaced", "none"])
def test_labels_spelt_otherwise_or_missing(tmp_path: Path, expected, labels: str) -> None:
    files = write_year(MILUO, tmp_path / "word", "one-file", Style(labels=labels))
    result = annexgen("import", *(f.path for f in files), "-o", tmp_path / "imported")
    assert result.exit_code == 0, result.stdout
    assert findings(tmp_path / "imported") == expected[MILUO]
    assert sorted(p.name for p in (tmp_path / "imported" / "项目").iterdir()) == sorted(p.name for p in (MILUO / "项目").iterdir())


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory) -> dict[str, dict[Path, list[Path]]]:
    """The seeds' clerk files as LibreOffice .doc files, and rewritten docx → odt → docx (one soffice call each)."""
    base = tmp_path_factory.mktemp("lo")
    written = {  # names unique over both seeds: one soffice call converts them all into one folder
        root: [f.path.rename(f.path.with_name(f"{root.parent.name}-{f.path.name}")) for f in write_year(root, base / root.parent.name, "attached")]
        for root in SEEDS
    }
    every = [p for paths in written.values() for p in paths]
    docs, odts = to_doc_all(every, base / "doc"), via_odt_all(every, base / "odt")
    out: dict[str, dict[Path, list[Path]]] = {"doc": {}, "odt": {}}
    i = 0
    for root, paths in written.items():
        out["doc"][root], out["odt"][root] = docs[i : i + len(paths)], odts[i : i + len(paths)]
        i += len(paths)
    return out


@pytest.mark.parametrize("via", ["doc", "odt"])
@pytest.mark.parametrize("root", SEEDS, ids=lambda r: r.parent.name)
def test_files_libreoffice_wrote(tmp_path: Path, expected, rewritten, root: Path, via: str) -> None:
    paths = rewritten[via][root]
    assert all(p.suffix == (".doc" if via == "doc" else ".docx") for p in paths)
    result = annexgen("import", *paths, "-o", tmp_path / "imported")
    assert result.exit_code == 0, result.stdout
    got = findings(tmp_path / "imported")
    if via == "odt":  # LibreOffice drops spaces at the end of a cell ("100万元        "): compare without them
        assert [(c, s, " ".join(m.split())) for c, s, m in got] == [(c, s, " ".join(m.split())) for c, s, m in expected[root]]
    else:
        assert got == expected[root]


def test_a_whole_intake(tmp_path: Path, expected) -> None:
    """One subfolder or one file per unit → one department-year per unit, then `check` over all of them."""
    inbox = tmp_path / "收件"
    write_intake(inbox, [MILUO, LONGHUI, EXAMPLE])
    (inbox / "说明.txt").write_text("不是 Word 文件", encoding="utf-8")
    result = annexgen("import", inbox, "-o", tmp_path / "各单位")
    assert result.exit_code == 0, result.stdout
    assert "导入了 3 个单位：3 个写入" in result.stdout
    years = find_department_years(tmp_path / "各单位")
    assert len(years) == 3
    by_name = {(load(y).submission.部门.部门名称, load(y).submission.年度): y for y in years}
    for root in (MILUO, LONGHUI, EXAMPLE):
        sub = load_year(root).sub
        imported = by_name[(sub.部门.部门名称, sub.年度)]
        assert imported.name == str(sub.年度)
        assert findings(imported) == expected[root]
    checked = annexgen("check", tmp_path / "各单位")
    assert checked.exit_code == 1 and "检查了 3 个年度" in checked.stdout


def test_an_unplaceable_row_is_reported_located_and_exits_1(tmp_path: Path) -> None:
    from docx import Document

    files = write_year(EXAMPLE, tmp_path / "word", "per-annex")
    first = files[0].path  # the 基础数据表
    doc = Document(str(first))
    row = doc.tables[0].add_row()
    row.cells[0].text = "其他奇怪的经费"
    row.cells[-1].text = "12.5"
    doc.save(str(first))
    result = annexgen("import", *(f.path for f in files), "-o", tmp_path / "imported")
    assert result.exit_code == 1, result.stdout
    line = next(line for line in result.stdout.splitlines() if "其他奇怪的经费" in line)
    assert line.startswith(f"{first}:表1:第{len(doc.tables[0].rows)}行:") and ": 错误: " in line
    assert "处内容无法放置" in result.stdout
    assert (tmp_path / "imported" / "基础数据表.yaml").is_file()


def test_a_clerk_starts_next_year_from_last_years_word_files(tmp_path: Path) -> None:
    """import last year's Word files, then `new`: the same next year as `new` from the transcribed data."""
    files = write_year(MILUO, tmp_path / "去年的附件", "attached")
    assert annexgen("import", tmp_path / "去年的附件", "-o", tmp_path / "2023").exit_code == 0
    assert annexgen("new", tmp_path / "2024", "--from", tmp_path / "2023").exit_code == 0, files
    assert annexgen("new", tmp_path / "from-data" / "2024", "--from", MILUO).exit_code == 0
    ours, theirs = findings(tmp_path / "2024"), findings(tmp_path / "from-data" / "2024")
    assert ours == theirs
    assert {code for code, severity, _ in ours if severity == "warning"} == {"not-filled"}


def test_a_flat_folder_of_one_file_per_unit(tmp_path: Path) -> None:
    """No subfolders, one file per unit: the files repeat each other's annexes, so each is a unit of its own."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    for root in (MILUO, EXAMPLE):
        (f,) = write_year(root, tmp_path / root.parent.name, "one-file")
        f.path.rename(inbox / f"{root.parent.name}.docx")
    result = annexgen("import", inbox, "-o", tmp_path / "各单位")
    assert result.exit_code == 0, result.stdout
    assert sorted(p.relative_to(tmp_path / "各单位").as_posix() for p in find_department_years(tmp_path / "各单位")) == [
        "example-county/2024",
        "miluo-hrss/2023",
    ]


def test_an_intake_shows_progress_on_a_terminal(tmp_path: Path, monkeypatch, capsys) -> None:
    """On a terminal a progress bar with counts and the current unit; elsewhere only the final line."""
    import io
    import sys

    from annexgen.commands.importing import run
    from annexgen.findings import SafeStream

    inbox = tmp_path / "收件"
    write_intake(inbox, [EXAMPLE, LONGHUI])

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    out = io.StringIO()
    assert run([inbox], tmp_path / "各单位", None, False, [], SafeStream(out)) == 0
    assert "导入" in terminal.getvalue() and "2/2" in terminal.getvalue()
    assert "导入了 2 个单位" in out.getvalue() and "\x1b" not in out.getvalue()
