"""An adversarial review of `annexgen import` and `annexgen new`: what a demanding clerk or an attacker tries.

Each test here pins a problem the review found (and fixed), or a property the import must keep:
- the YAML that import writes loads back (with annexgen's own loader, libyaml or the
  pure-Python parser it falls back to) as exactly the values written, for any text;
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annexgen.importing.emit import document, string
from annexgen.yamlread import XML_FORBIDDEN, Budget, Document, _Builder, _Composer, parse

REPO = Path(__file__).resolve().parents[1]


# --- emit: every value loads back as written ----------------------------------------------------


def _load(text: str, pure: bool = False):
    """`text` as annexgen reads it: libyaml's events, or the pure-Python parser's (yamlread's fallback)."""
    loader = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = Document(Path("x.yaml"), None)
    builder = _Builder(doc, Budget())
    value = builder.build(_Composer(Budget()).compose(yaml.parse(text, Loader=loader)), ())
    assert builder.warnings == []
    return value


#: characters YAML treats specially, line and paragraph separators, BOM, bidi controls, odd spaces
_TRICKY = list("-?:,[]{}#&*!|>'\"%@` \t\n\r\\/.0123456789eEx+_~ynoYNO") + [
    "\x85", "\u2028", "\u2029", "\ufeff", "\u202e", "\u2066", "\u3000", "\xa0", "\ufffd", "\U0001f600", "\u200b", "\x7f", "\x9f", "\ue000",
]
_WORDS = ["yes", "No", "on", "OFF", "null", "~", "0x1F", "1e5", ".inf", ".NaN", "1_000", "0731", "1:20", "2024-10-17", "2024-13-45",
          "12.00", "+1", "<<", "!!str", "---", "...", "- a", "a: b", "a #b", "a:", "? a", "=", "&a", "*a"]
_TEXTS = (
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
    | st.lists(st.sampled_from(_TRICKY + _WORDS), max_size=10).map("".join)
).filter(lambda s: not XML_FORBIDDEN.search(s))  # what a .docx (XML 1.0) can hold, and so what import can write


@settings(max_examples=1500, suppress_health_check=list(HealthCheck), deadline=None)
@given(_TEXTS, st.booleans())
def test_any_string_loads_back_as_written(text: str, pure: bool) -> None:
    """emit.string in every place import writes a string: a value, a key, inside {…} and […]."""
    assert _load(f"k: {string(text)}\n", pure)["k"] == text
    assert list(_load(f"{string(text)}: 1\n", pure)) == [text]
    assert _load(f"k: {{a: {string(text, True)}, b: 1}}\n", pure)["k"]["a"] == text
    assert _load(f"k: [{string(text, True)}, 1]\n", pure)["k"][0] == text


def test_a_key_starting_with_three_dots_is_quoted() -> None:
    """"..." at the start of a line ends a YAML document: a key "... -" would end the file there."""
    assert list(_load(f"{string('... -')}: 1\n")) == ["... -"]


def test_a_question_mark_inside_braces_is_quoted() -> None:
    """PyYAML's parser ends a plain scalar at "?" inside {…}: "a?b" there must be quoted."""
    assert _load(f"k: {{a: {string('a?b', True)}}}\n", pure=True) == {"k": {"a": "a?b"}}


def _normal(value):
    """Values as compared after loading: numbers by their text (12.00 ≠ 12.0), the rest as they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return ("number", str(value))
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


_SCALARS = (
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6) | _TEXTS
)
_TREES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXTS, inner, max_size=4), max_leaves=20)
_FLOWS = {"年度资金总额", "总分"}


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.dictionaries(_TEXTS | st.sampled_from(sorted(_FLOWS)), _TREES, min_size=1, max_size=5))
def test_any_tree_loads_back_as_written(tree: dict) -> None:
    text = document(Path("/tmp/部门.yaml"), tree, ["说明"], {}, _FLOWS)
    assert _normal(_load(text)) == _normal(tree)


def test_a_key_longer_than_yaml_allows_on_one_line_loads_back() -> None:
    """A report heading is a key; YAML reads a key written as "key:" only up to 1024 characters."""
    for heading in ("一、" + "很长的标题" * 220, "x\ny" * 400):
        tree = {"正文": [{heading: ["段落", {heading: None}]}, {heading: []}]}
        text = document(Path("/tmp/自评报告.yaml"), tree, [], {}, set())
        doc = Document(Path("自评报告.yaml"), None)
        parse(text, doc, Budget())
        assert doc.data == tree


# --- an annex's label and title in one paragraph -------------------------------------------------


def _docx(path: Path, lines: list[str]) -> Path:
    """A .docx of paragraphs; "TABLE" stands for a small table whose first cell is 预算部门名称."""
    from docx import Document as Word

    doc = Word()
    for line in lines:
        if line == "TABLE":
            doc.add_table(rows=2, cols=2).cell(0, 0).text = "预算部门名称"
        else:
            doc.add_paragraph(line)
    doc.save(str(path))
    return path


def _annexes(path: Path) -> list[tuple]:
    from annexgen.importing.annexes import split_annexes
    from annexgen.importing.grid import read_docx

    return [(a.number, a.kind, a.title) for a in split_annexes(read_docx(path))]


@pytest.mark.parametrize(
    "lines, number, title",
    [
        (["附件2：2023年度部门整体支出绩效自评表", "TABLE"], "2", ["2023年度部门整体支出绩效自评表"]),
        (["附件 3-1 2023年度项目支出绩效自评表", "TABLE"], "3-1", ["2023年度项目支出绩效自评表"]),
        (["附件3-12023年度项目支出绩效自评表", "TABLE"], "3-1", ["2023年度项目支出绩效自评表"]),
        (["附件二：2023年度部门整体支出", "", "绩效自评表", "TABLE"], "2", ["2023年度部门整体支出", "绩效自评表"]),
        (["附件4：2023年度某某局", "部门整体支出绩效自评报告", "一、基本情况"], "4", ["2023年度某某局", "部门整体支出绩效自评报告"]),
    ],
)
def test_a_label_and_its_title_in_one_paragraph(tmp_path: Path, lines: list[str], number: str, title: list[str]) -> None:
    (found,) = _annexes(_docx(tmp_path / "a.docx", lines))
    assert found[0] == number and found[2] == title and found[1] is not None


def test_a_list_of_attachments_is_not_taken_for_annexes(tmp_path: Path) -> None:
    report = ["2023年度部门整体支出绩效自评报告", "一、基本情况", "正文。"]
    for tail in (["附件：", "附件1：部门整体支出绩效评价基础数据表", "附件2：部门整体支出绩效自评表"], ["附件1：部门整体支出绩效评价基础数据表"]):
        assert [a[1] for a in _annexes(_docx(tmp_path / "r.docx", report + tail))] == ["部门整体支出绩效自评报告"]
    attached = report + ["附件2：2023年度部门整体支出绩效自评表", "TABLE", "填表人：张三"]
    assert [a[:2] for a in _annexes(_docx(tmp_path / "r.docx", attached))] == [(None, "部门整体支出绩效自评报告"), ("2", "部门整体支出绩效自评表")]


def test_a_built_year_with_labels_typed_before_the_titles_imports_whole(tmp_path: Path) -> None:
    """Every annex of a 汨罗 year with "附件N：" typed in front of its title: the same data as the files as built."""
    from docx import Document as Word

    from annexgen.cli import app
    from typer.testing import CliRunner

    runner = CliRunner()
    built = tmp_path / "built"
    assert runner.invoke(app, ["build", str(REPO / "data" / "miluo-hrss" / "2023"), "-o", str(built)]).exit_code in (0, 1)
    typed = tmp_path / "typed"
    typed.mkdir()
    for path in sorted(built.glob("*.docx")):
        doc = Word(str(path))
        paragraphs = doc.paragraphs
        i = next(i for i, p in enumerate(paragraphs) if p.text.strip().startswith("附件"))
        j = next(j for j in range(i + 1, len(paragraphs)) if paragraphs[j].text.strip())
        label, title = paragraphs[i], paragraphs[j]
        text = label.text.strip() + "：" + title.text.strip()
        for run in label.runs[1:]:
            run._r.getparent().remove(run._r)
        label.runs[0].text = text
        title._p.getparent().remove(title._p)
        doc.save(str(typed / path.name))
    a = runner.invoke(app, ["import", str(built), "-o", str(tmp_path / "a")])
    b = runner.invoke(app, ["import", str(typed), "-o", str(tmp_path / "b")])
    assert a.exit_code == 0 and b.exit_code == 0, b.stdout
    for file in sorted((tmp_path / "a").rglob("*.yaml")):
        theirs = tmp_path / "b" / file.relative_to(tmp_path / "a")
        strip = lambda t: [line for line in t.splitlines() if not line.startswith("# 由 annexgen import")]  # noqa: E731
        assert strip(theirs.read_text(encoding="utf-8")) == strip(file.read_text(encoding="utf-8")), file.name


# --- what the user sees: every message located, coded, saying what to do -----------------------


def _run(*args):
    from typer.testing import CliRunner

    from annexgen.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The Word annexes annexgen builds from two data/ years (files annexgen wrote, the round-trip input)."""
    out = {}
    for name in ("example-county/2024", "longhui-hrss/2024"):
        folder = tmp_path_factory.mktemp("built") / name.replace("/", "-")
        assert _run("build", REPO / "data" / name, "-o", folder).exit_code in (0, 1)
        out[name] = folder
    return out


def test_an_intake_unit_without_word_files_is_named_with_what_it_holds(tmp_path: Path, built: dict[str, Path]) -> None:
    import shutil

    inbox = tmp_path / "收件"
    shutil.copytree(built["example-county/2024"], inbox / "甲单位")
    (inbox / "乙单位").mkdir()
    (inbox / "乙单位" / "自评.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "丙单位").mkdir()
    result = _run("import", inbox, "-o", tmp_path / "各单位")
    assert result.exit_code == 1, result.stdout
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{inbox / '乙单位'}: 错误: ") and "自评.pdf" in line and line.endswith("[no-word-files]") for line in lines), result.stdout
    assert any(line.startswith(f"{inbox / '丙单位'}: 错误: ") and line.endswith("[no-word-files]") for line in lines), result.stdout
    assert "未知年度" not in result.stdout
    assert [p.name for p in (tmp_path / "各单位").iterdir()] == ["甲单位"]


def test_a_folder_mixing_several_units_files_is_refused_not_split_file_by_file(tmp_path: Path, built: dict[str, Path]) -> None:
    """One file per annex from two units in one folder: which file belongs to which unit cannot be told."""
    import shutil

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for name, folder in built.items():
        for f in folder.glob("*.docx"):
            shutil.copy(f, mixed / f"{name.split('/')[0]} {f.name}")
    result = _run("import", mixed, "-o", tmp_path / "out")
    assert result.exit_code == 2, result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith("[mixed-units]"), result.stdout
    assert not (tmp_path / "out").exists()


def test_no_annex_found_is_a_located_coded_error(tmp_path: Path) -> None:
    path = _docx(tmp_path / "通知.docx", ["会议通知", "请各单位按时参加。"])
    result = _run("import", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stdout.strip().splitlines()[-1].startswith(f"{path}: 错误: ") and result.stdout.strip().endswith("[no-annexes]"), result.stdout
    assert not (tmp_path / "out").exists()


def test_an_existing_folder_is_named_once_in_the_refusal(tmp_path: Path, built: dict[str, Path]) -> None:
    out = tmp_path / "2024"
    out.mkdir()
    (out / "笔记.txt").write_text("x", encoding="utf-8")
    result = _run("import", built["example-county/2024"], "-o", out)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.count("错误") == 1 and line.endswith("[output-exists]") and "--force" in line, line
    assert (out / "笔记.txt").exists()


# --- text boxes ----------------------------------------------------------------------------------

_BOX_NS = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml"')


def _text_box(text: str) -> str:
    """A run holding a floating text box as Word writes it: the DrawingML choice and its VML fallback copy."""
    content = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
    return (f"<w:r><mc:AlternateContent {_BOX_NS}><mc:Choice Requires=\"wps\"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>{content}"
            f"</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
            f"{content}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>")


def test_text_in_text_boxes_is_read_where_anchored_once(tmp_path: Path) -> None:
    """A label typed into a floating text box (as WPS users do) names the annex; a box in a cell is part of the cell."""
    import zipfile

    from annexgen.importing.annexes import split_annexes
    from annexgen.importing.grid import read_docx

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = (f"<w:p>{_text_box('附件2')}<w:r><w:t>2023年度部门整体支出绩效自评表</w:t></w:r></w:p>"
            f"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>预算部门名称</w:t></w:r></w:p></w:tc>"
            f"<w:tc><w:p><w:r><w:t>某局</w:t></w:r>{_text_box('（盖章）')}</w:p></w:tc></w:tr></w:tbl>")
    path = tmp_path / "box.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    (annex,) = split_annexes(read_docx(path))
    assert (annex.number, annex.kind, annex.title) == ("2", "部门整体支出绩效自评表", ["2023年度部门整体支出绩效自评表"])
    assert annex.tables[0].rows[0][1].text == "某局\n（盖章）"


def test_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    """Word's tracked changes: inserted text is in, deleted text and a deleted table row are out."""
    import zipfile

    from annexgen.importing.grid import read_docx

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    mark = 'w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"'

    def row(*cells: str, deleted: bool = False) -> str:
        pr = f"<w:trPr><w:del {mark}/></w:trPr>" if deleted else ""
        return f"<w:tr>{pr}" + "".join(f"<w:tc><w:p>{c}</w:p></w:tc>" for c in cells) + "</w:tr>"

    run = lambda t: f"<w:r><w:t>{t}</w:t></w:r>"  # noqa: E731
    gone = lambda t: f"<w:del {mark}><w:r><w:delText>{t}</w:delText></w:r></w:del>"  # noqa: E731
    body = ("<w:tbl>" + row(run("指标"), run("得分")) + row(gone("旧指标"), gone("5"), deleted=True)
            + row(run("新") + f"<w:ins {mark}>{run('指标')}</w:ins>" + gone("作废"), run("10")) + "</w:tbl>")
    path = tmp_path / "tracked.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    (table,) = read_docx(path)
    assert table.grid() == [["指标", "得分"], ["新指标", "10"]]


def test_the_progress_bar_shows_unit_names_escaped(tmp_path: Path, monkeypatch, built: dict[str, Path]) -> None:
    """A unit's folder name is data: an ESC sequence in it is shown as \\u001b, "[bold]" as typed, not as markup."""
    import io
    import shutil
    import sys

    from annexgen.commands.importing import run
    from annexgen.findings import SafeStream

    inbox = tmp_path / "收件"
    for name in ("a\x1b[31mred", "[bold]b", "[link=http://x]c"):
        shutil.copytree(built["example-county/2024"], inbox / name)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run([inbox], tmp_path / "各单位", None, False, [], SafeStream(io.StringIO())) == 0
    shown = terminal.getvalue()
    assert "a\x1b[31mred" not in shown and "a\\u001b[31mred" in shown
    assert "[bold]b" in shown and "[link=http:" in shown and "\x1b]8;" not in shown  # no markup: no bold, no OSC 8 link


def test_bidi_and_invisible_characters_are_written_escaped() -> None:
    """A bidi override in a cell would make the YAML read differently in an editor than it loads: it is escaped."""
    for text in ("金额\u202e001\u202c万元", "a\u200bb", "\u2066x\u2069", "\ufeffx"):
        written = string(text)
        assert written.isascii() or not any(c in written for c in "\u202e\u202c\u200b\u2066\u2069\ufeff")
        assert _load(f"k: {written}\n")["k"] == text
    assert string("全角　空格") == '"全角　空格"'  # a full-width space is text, not escaped


# --- file names and formats ----------------------------------------------------------------------


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is installed by scripts/setup")
def test_legacy_files_under_any_name_are_converted(tmp_path: Path, built: dict[str, Path]) -> None:
    """.wps, upper-case .DOC, names with spaces, and a .doc a clerk renamed to .docx: all read as the .docx they came from."""
    from clerkdocs import to_doc_all

    source = sorted(built["example-county/2024"].glob("*.docx"))
    docs = to_doc_all(source, tmp_path / "doc")
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, (doc, name) in enumerate(zip(docs, ["附件 1 基础数据表.wps", "附件2.DOC", "附件3-1 项目 自评表.docx", "附件4.Doc", "附件5-1.doc"])):
        doc.rename(inbox / name)
    result = _run("import", inbox, "-o", tmp_path / "legacy")
    assert result.exit_code == 0, result.stdout
    assert "附件3-1 项目 自评表.docx: 警告:" in result.stdout and "[renamed-file]" in result.stdout
    assert _run("import", built["example-county/2024"], "-o", tmp_path / "direct").exit_code == 0
    for file in sorted((tmp_path / "direct").rglob("*.yaml")):
        ours = (tmp_path / "legacy" / file.relative_to(tmp_path / "direct")).read_text(encoding="utf-8").splitlines()[3:]
        assert ours == file.read_text(encoding="utf-8").splitlines()[3:], file.name


# --- hostile sizes: linear, not quadratic ---------------------------------------------------------


def _paragraphs_docx(path: Path, texts: list[str]) -> Path:
    import zipfile
    from xml.sax.saxutils import escape

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" if t else "<w:p/>" for t in texts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    return path


@pytest.mark.parametrize(
    "texts",
    [
        ["附件4", "2023年度某局部门整体支出绩效自评报告"] + [f"{i % 9 + 1}.条目" for i in range(60_000)],  # short numbered lines
        ["附件2：2023年度部门整体支出绩效自评表"] * 30_000,  # a label with its title, over and over
        ["附件4", "2023年度某局部门整体支出绩效自评报告"] + [""] * 60_000 + ["部门名称：某局", "2023年1月1日"],  # a long blank cover
    ],
    ids=["numbered-lines", "labelled-titles", "blank-cover"],
)
def test_a_huge_body_is_read_in_seconds(tmp_path: Path, texts: list[str]) -> None:
    """Each paragraph looked at a few neighbours, never at the rest of the document (that took minutes)."""
    import time

    from annexgen.importing.assemble import assemble
    from annexgen.importing.intake import find_annexes
    from annexgen.importing.notes import Notes

    path = _paragraphs_docx(tmp_path / "big.docx", texts)
    started = time.monotonic()
    notes = Notes()
    assemble(find_annexes([path], notes, tmp_path))
    assert time.monotonic() - started < 30


def test_units_of_the_same_name_do_not_overwrite_each_other(tmp_path: Path, built: dict[str, Path]) -> None:
    """收件/甲/ and 收件/甲.docx are two units: with --force the second must not replace what the first wrote."""
    import shutil

    from clerkdocs import write_year

    inbox = tmp_path / "收件"
    shutil.copytree(built["example-county/2024"], inbox / "甲")
    (whole,) = write_year(REPO / "data" / "example-county" / "2024", tmp_path / "one", "one-file")
    whole.path.rename(inbox / "甲.docx")
    result = _run("import", inbox, "-o", tmp_path / "各单位", "--force")
    assert result.exit_code == 0, result.stdout
    assert sorted(p.relative_to(tmp_path / "各单位").as_posix() for p in (tmp_path / "各单位").glob("*/*")) == ["甲.docx/2024", "甲/2024"]


def test_force_never_deletes_the_files_being_imported(tmp_path: Path, built: dict[str, Path]) -> None:
    """`import 附件/ -o 附件/ --force` (or -o .) would replace the folder of Word files by the YAML: refused."""
    import shutil

    folder = tmp_path / "附件"
    shutil.copytree(built["example-county/2024"], folder)
    before = sorted(p.name for p in folder.iterdir())
    for out in (folder, tmp_path, folder / "附件2 部门整体支出绩效自评表.docx"):
        for source in (folder, next(folder.glob("附件2*.docx"))):
            result = _run("import", source, "-o", out, "--force")
            assert result.exit_code == 1 and "[target-is-source]" in result.stderr, (out, source, result.stdout)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_force_replaces_an_imported_year_not_a_folder_holding_other_things(tmp_path: Path, built: dict[str, Path]) -> None:
    """`-o ~/桌面 --force` must not delete the desktop: --force replaces a folder of YAML data only."""
    source = built["example-county/2024"]
    out = tmp_path / "桌面"
    (out / "旧").mkdir(parents=True)
    (out / "笔记.txt").write_text("x", encoding="utf-8")
    result = _run("import", source, "-o", out, "--force")
    assert result.exit_code == 1 and "[output-exists]" in result.stderr and "笔记.txt" in result.stderr and "旧/" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["旧", "笔记.txt"]
    year = tmp_path / "2024"
    assert _run("import", source, "-o", year).exit_code == 0
    (year / "基础数据表.yaml").write_text("# 改过\n", encoding="utf-8")
    assert _run("import", source, "-o", year, "--force").exit_code == 0  # an imported year is imported again
    assert "改过" not in (year / "基础数据表.yaml").read_text(encoding="utf-8")


def test_an_unknown_form_set_is_refused_once_before_reading(tmp_path: Path, built: dict[str, Path]) -> None:
    import shutil

    inbox = tmp_path / "收件"
    for name in ("甲", "乙", "丙"):
        shutil.copytree(built["example-county/2024"], inbox / name)
    result = _run("import", inbox, "-o", tmp_path / "各单位", "--form-set", "不存在")
    assert result.exit_code == 2 and not (tmp_path / "各单位").exists()
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("--form-set: 错误: ") and line.endswith("[unknown-form-set]") and "汨罗" in line, line


# --- annexgen new -------------------------------------------------------------------------------


def test_new_does_not_speak_of_a_basic_data_table_the_year_has_not(tmp_path: Path) -> None:
    from helpers import year

    old = year(tmp_path / "2024", 基础数据表=None)
    result = _run("new", tmp_path / "2025", "--from", old)
    assert result.exit_code == 0, result.stdout
    assert "经费控制情况" not in result.stdout and "移入" not in result.stdout
    with_table = _run("new", tmp_path / "b" / "2025", "--from", year(tmp_path / "b" / "2024"))
    assert "基础数据表经费控制情况的 2024年决算数" in with_table.stdout


def test_an_output_folder_inside_the_intake_is_no_unit(tmp_path: Path, built: dict[str, Path]) -> None:
    """`import 收件 -o 收件/各单位` run twice: the second run does not take 各单位/ for a unit without Word files."""
    import shutil

    inbox = tmp_path / "收件"
    shutil.copytree(built["example-county/2024"], inbox / "甲")
    for _ in range(2):
        result = _run("import", inbox, "-o", inbox / "各单位", "--force")
        assert result.exit_code == 0 and "导入了 1 个单位" in result.stdout, result.stdout
