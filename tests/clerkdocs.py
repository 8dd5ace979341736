"""Word files typed the way a clerk types them, for the import tests — written with python-docx, not with annexgen.

Import must read files annexgen did not write. This module writes them from a data/
department-year (its derived model: the same figures and texts the annexes print) in a
clerk's layout, never through annexgen's templates or renderer:

- no vertical merges: a continued cell is an empty cell (or no cell at all: w:gridBefore);
- rows of uneven width: label cells spanning grid columns where the official form has
  none, rows that end early (w:gridAfter) or start late (w:gridBefore), a label and its
  figure in two cells where the form has one;
- labels typed loosely: extra spaces ("编 制 数"), full-width and half-width brackets and
  colons swapped, cells split into several runs and paragraphs;
- amounts typed with thousands separators, 万元, full-width digits or trailing spaces (value
  and decimals unchanged); percents, scores, counts and all text exactly as in the data;
- in each indicator table one blank row before the first indicator, and two template rows
  ("指标1", "……") left in after the last: rows that carry no data;
- reports without paragraph styles: headings set apart only by direct formatting (bold,
  黑体/楷体) and their own numbering, which the data keeps verbatim ("一 、", "(一)", "（一）",
  "1.", "（1）"); covers ending in a page break; signature lines below the tables;
- annex labels "附件1" / "附件 1" / "附件一" / none, see `Style.labels`.

`write_year` writes one department-year in a layout: one annex per file, all in one file,
or the overall report with its 基础数据表 attached. `convert`, `to_doc` and `via_odt` pass
files through LibreOffice (which, for one, drops the trailing spaces of a cell's last run).
The writers of the annex tables are in `clerkforms.py`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from annexgen.check import review
from annexgen.forms import PER_PROJECT, AnnexSpec, FormSet, fill_pattern
from annexgen.load import load
from annexgen.model import Submission

LAYOUTS = ("per-annex", "one-file", "attached")
LABELS = ("digits", "spaced", "chinese", "none")
_CHINESE = "〇一二三四五六七八九十"


@dataclass(frozen=True)
class Style:
    """Which clerk habits the files show; all on by default, each can be turned off alone."""

    labels: str = "digits"  # how annex labels are typed: one of LABELS
    spaced_labels: bool = True  # "编 制 数", "总  分"
    swapped_widths: bool = True  # （万元）↔(万元), ：↔:
    split_runs: bool = True  # labels typed in several runs
    amounts: bool = True  # 3,897.95 / 3897.95万元 / ３８９７．９５ / "3897.95  "
    uneven_rows: bool = True  # spans, gridBefore and gridAfter where the form has none
    extra_rows: bool = True  # a blank row and template rows (指标1, ……) in indicator tables
    title_breaks: str = "paragraphs"  # a title's lines as "paragraphs" or "line-breaks" in one paragraph


@dataclass(frozen=True)
class Planned:
    """One annex of a department-year as the form set lists it: what to write and how it is labelled."""

    spec: AnnexSpec
    number: str  # the form set's number, e.g. "3-1" ("3-附1" is never printed)
    kind: str  # the form set's 内容, the kind split_annexes gives
    title: tuple[str, ...]  # the title lines printed
    project: int | None = None  # index into Submission.项目 for per-project annexes

    @property
    def printed_number(self) -> str | None:
        """The number its label prints, or None when the form prints no label ("3-附1")."""
        return None if "附" in self.number else self.number


@dataclass(frozen=True)
class Part:
    """What split_annexes should find: the number of the label written (None without one) and the kind."""

    number: str | None
    kind: str
    title: tuple[str, ...] = ()
    project: int | None = None


@dataclass
class ClerkFile:
    path: Path
    parts: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class Year:
    """A department-year's derived model (computed cells filled in, as printed) and its form set."""

    root: Path
    sub: Submission
    form_set: FormSet


def load_year(root: Path) -> Year:
    loaded = load(Path(root))
    _findings, form_set = review(loaded, ())
    if loaded.submission is None or form_set is None:
        raise ValueError(f"{root}: 数据无法读取或表样未知")
    return Year(Path(root), loaded.submission, form_set)


def plan(year: Year) -> list[Planned]:
    """Every annex the year's form set prints, in the form set's order."""
    sub, out = year.sub, []
    names = {"年度": sub.年度, "部门名称": sub.部门.部门名称}
    for spec in year.form_set.annexes:
        if spec.内容 in PER_PROJECT:
            for n, p in enumerate(sub.项目):
                if spec.内容 == "项目支出绩效自评报告" and p.自评报告 is None:
                    continue  # nothing to type (build refuses such a year)
                number = fill_pattern(spec, "编号", 序号=n + 1)
                written = p.标题 if spec.内容 == "项目支出绩效自评表" else (p.自评报告.标题 if p.自评报告 else None)
                title = written or fill_pattern(spec, "默认标题", 项目名称=p.项目名称, **names)
                out.append(Planned(spec, number, spec.内容, tuple(title.split("\n")), n))
        elif (part := _part(sub, spec.内容)) is not None:
            title = part.标题 or fill_pattern(spec, "默认标题", 项目名称="", **names)
            out.append(Planned(spec, spec.编号, spec.内容, tuple(title.split("\n"))))
    return out


def _part(sub: Submission, kind: str) -> Any:
    """The part of the data a one-off annex prints (each has its 标题), None when the data lacks it."""
    overall = sub.整体自评
    return {
        "基础数据表": sub.基础数据表,
        "部门整体支出绩效自评表": overall.部门整体支出绩效自评表 if overall else None,
        "自评基础数据表": overall.自评基础数据表 if overall else None,
        "部门整体支出绩效自评报告": sub.自评报告.部门整体支出绩效自评报告 if sub.自评报告 else None,
    }[kind]


# --- the document: paragraphs, runs and tables as Word writes them -------------------------------------


def _el(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    el = _el(tag, **attrs)
    parent.append(el)
    return el


@dataclass
class Cell:
    """A table cell: its paragraphs (each a list of runs), the grid columns it spans."""

    paragraphs: list[list[str]]
    span: int = 1


@dataclass
class Row:
    cells: list[Cell]
    before: int = 0  # w:gridBefore: grid columns left out at the start
    after: int = 0  # w:gridAfter: grid columns left out at the end


class ClerkDoc:
    """A .docx being typed: body paragraphs and tables appended in order, with a turn counter for variety."""

    FONT = "仿宋_GB2312"

    def __init__(self, style: Style) -> None:
        self.style = style
        self.doc = Document()
        self.body = self.doc.element.body
        self.turn = 0
        for rid, rel in list(self.doc.part.rels.items()):  # python-docx's template has a stale copy of styles.xml
            if rel.reltype.endswith("/stylesWithEffects"):
                self.doc.part.drop_rel(rid)
        sect = self.body.find(qn("w:sectPr"))
        for el in sect.findall(qn("w:pgSz")):
            el.set(qn("w:w"), "11906")
            el.set(qn("w:h"), "16838")

    def next(self, n: int) -> int:
        """The next variant out of n: the same file every run, different habits from cell to cell."""
        self.turn += 1
        return self.turn % n

    def _add(self, el: Any) -> Any:
        self.body.find(qn("w:sectPr")).addprevious(el)
        return el

    def run(self, text: str, *, bold: bool = False, size: int | None = None, font: str | None = None) -> Any:
        r = _el("w:r")
        pr = _sub(r, "w:rPr")
        f = font or self.FONT
        _sub(pr, "w:rFonts", ascii=f, hAnsi=f, eastAsia=f)
        if bold:
            _sub(pr, "w:b")
        if size:
            _sub(pr, "w:sz", val=str(size))
            _sub(pr, "w:szCs", val=str(size))
        for i, line in enumerate(text.split("\n")):
            if i:
                _sub(r, "w:br")
            for j, piece in enumerate(line.split("\t")):
                if j:
                    _sub(r, "w:tab")
                if piece:
                    t = _sub(r, "w:t")
                    t.text = piece
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return r

    def paragraph(self, runs: str | list[str], *, bold: bool = False, size: int | None = None, font: str | None = None,
                  center: bool = False, indent: bool = False, into: Any = None) -> Any:
        p = _el("w:p")
        if center or indent:
            pr = _sub(p, "w:pPr")
            if indent:
                _sub(pr, "w:ind", firstLineChars="200", firstLine="640")
            if center:
                _sub(pr, "w:jc", val="center")
        for text in [runs] if isinstance(runs, str) else runs:
            p.append(self.run(text, bold=bold, size=size, font=font))
        if into is not None:
            into.append(p)
            return p
        return self._add(p)

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.paragraph([])

    def page_break(self) -> None:
        p = self.paragraph([])
        r = _sub(p, "w:r")
        _sub(r, "w:br", type="page")

    def section_break(self) -> None:
        """A next-page section break: an empty paragraph carrying the ending section's properties."""
        p = self.paragraph([])
        pr = _el("w:pPr")
        p.insert(0, pr)
        sect = _sub(pr, "w:sectPr")
        _sub(sect, "w:pgSz", w="11906", h="16838")
        _sub(sect, "w:pgMar", top="2098", right="1474", bottom="1984", left="1588", header="851", footer="992", gutter="0")

    def title(self, lines: tuple[str, ...] | list[str]) -> None:
        if self.style.title_breaks == "line-breaks":
            self.paragraph("\n".join(lines), bold=True, size=36, font="方正小标宋简体", center=True)
        else:
            for line in lines:
                self.paragraph(line, bold=True, size=36, font="方正小标宋简体", center=True)

    def label(self, number: str | None) -> None:
        """The annex label as Style.labels says: 附件3-1 / 附件 3－1 / 附件三-1, or nothing."""
        if number is None or self.style.labels == "none":
            return
        if self.style.labels == "spaced":
            text = "附件 " + number.replace("-", "－")
        elif self.style.labels == "chinese":
            main, _, rest = number.partition("-")
            text = "附件" + _chinese(int(main)) + ("-" + rest if rest else "")  # 附件三-1
        else:
            text = "附件" + number
        self.paragraph(text, font="黑体", size=32)

    def table(self, widths: list[int], rows: list[Row]) -> Any:
        tbl = _el("w:tbl")
        pr = _sub(tbl, "w:tblPr")
        _sub(pr, "w:tblW", w=str(sum(widths)), type="dxa")
        _sub(pr, "w:jc", val="center")
        borders = _sub(pr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            _sub(borders, f"w:{side}", val="single", sz="4", space="0", color="auto")
        _sub(pr, "w:tblLayout", type="fixed")
        grid = _sub(tbl, "w:tblGrid")
        for w in widths:
            _sub(grid, "w:gridCol", w=str(w))
        for row in rows:
            used = row.before + sum(c.span for c in row.cells) + row.after
            assert used <= len(widths), f"row wider than the grid: {used} > {len(widths)}"
            tr = _sub(tbl, "w:tr")
            if row.before or row.after:
                trpr = _sub(tr, "w:trPr")
                if row.before:
                    _sub(trpr, "w:gridBefore", val=str(row.before))
                    _sub(trpr, "w:wBefore", w=str(sum(widths[: row.before])), type="dxa")
                if row.after:
                    _sub(trpr, "w:gridAfter", val=str(row.after))
                    _sub(trpr, "w:wAfter", w=str(sum(widths[len(widths) - row.after:])), type="dxa")
            col = row.before
            for cell in row.cells:
                tc = _sub(tr, "w:tc")
                tcpr = _sub(tc, "w:tcPr")
                _sub(tcpr, "w:tcW", w=str(sum(widths[col: col + cell.span])), type="dxa")
                if cell.span > 1:
                    _sub(tcpr, "w:gridSpan", val=str(cell.span))
                _sub(tcpr, "w:vAlign", val="center")
                for runs in cell.paragraphs or [[]]:
                    self.paragraph(runs, size=21, into=tc)
                col += cell.span
        return self._add(tbl)

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.save(str(path))
        return path


def _chinese(n: int) -> str:
    if n <= 10:
        return _CHINESE[n]
    tens, ones = divmod(n, 10)
    return (_CHINESE[tens] if tens > 1 else "") + "十" + (_CHINESE[ones] if ones else "")


# --- layouts ---------------------------------------------------------------------------------------------


def write_annexes(year: Year, annexes: list[Planned], path: Path, style: Style = Style()) -> ClerkFile:
    """One .docx holding the given annexes in order, each after a page or section break."""
    from clerkforms import write_annex

    doc = ClerkDoc(style)
    parts = []
    for i, planned in enumerate(annexes):
        if i:
            doc.section_break() if i % 2 else doc.page_break()
        write_annex(doc, year, planned)
        number = planned.printed_number if style.labels != "none" else None
        parts.append(Part(number, planned.kind, planned.title, planned.project))
    return ClerkFile(doc.save(Path(path)), parts)


def write_year(root: Path | Year, out: Path, layout: str = "per-annex", style: Style = Style()) -> list[ClerkFile]:
    """Every annex of a data/ department-year as a clerk's Word files in `out`, in one of LAYOUTS.

    - per-annex: one file per annex;
    - one-file: all annexes in one file, in the form set's order;
    - attached: the overall report with the 基础数据表 after it in one file, every other annex alone.
    Files are named 文件01.docx, 文件02.docx …: nothing in a name tells what it holds.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    year = root if isinstance(root, Year) else load_year(root)
    annexes = plan(year)
    if layout == "one-file":
        groups = [annexes]
    elif layout == "attached":
        report = [a for a in annexes if a.kind == "部门整体支出绩效自评报告"]
        basic = [a for a in annexes if a.kind == "基础数据表"]
        groups = [report + basic] + [[a] for a in annexes if a not in report and a not in basic]
    else:
        groups = [[a] for a in annexes]
    return [write_annexes(year, group, Path(out) / f"文件{i:02d}.docx", style) for i, group in enumerate(groups, 1)]


def write_intake(out: Path, roots: list[Path]) -> dict[Path, list[ClerkFile]]:
    """A bureau's intake: per department-year a subfolder of clerk files (layouts and labels in turn) or one file.

    Returns the files written per department-year root.
    """
    result = {}
    for i, root in enumerate(roots):
        year = load_year(root)
        name = f"{year.sub.部门.部门名称}{year.sub.年度}"
        style = Style(labels=("digits", "chinese", "spaced")[i % 3])
        if i % 3 == 2:
            result[Path(root)] = [write_annexes(year, plan(year), Path(out) / f"{name}.docx", style)]
        else:
            result[Path(root)] = write_year(year, Path(out) / name, ("per-annex", "attached")[i % 3], style)
    return result


# --- LibreOffice ---------------------------------------------------------------------------------------


def convert(paths: list[Path], target: str, outdir: Path) -> list[Path]:
    """Convert files with one LibreOffice call (a private profile, so parallel runs do not collide).

    `target` is a --convert-to argument: "doc", "odt", or "docx:MS Word 2007 XML" (from .doc or .odt).
    Returns the converted files, in the order given.
    """
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    stems = [Path(p).stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError(f"LibreOffice would write files of the same name into one folder: {stems}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="clerkdocs-lo-"))
    try:
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target, "--outdir", str(outdir), *map(str, paths)],
            check=True, capture_output=True, timeout=600,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    suffix = "." + target.split(":")[0]
    out = [outdir / (Path(p).stem + suffix) for p in paths]
    missing = [p for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return out


def to_doc(docx_path: Path, outdir: Path | None = None) -> Path:
    """The legacy .doc LibreOffice saves of a .docx (next to it unless `outdir` is given)."""
    return to_doc_all([Path(docx_path)], outdir or Path(docx_path).parent)[0]


def to_doc_all(paths: list[Path], outdir: Path) -> list[Path]:
    """`to_doc` for several files with one LibreOffice call."""
    return convert(paths, "doc", outdir)


def via_odt(docx_path: Path, outdir: Path | None = None) -> Path:
    """The .docx LibreOffice writes after docx → odt → docx: the structure rewritten, the content kept.

    Written as `<stem>.odt.docx` next to the source unless `outdir` is given.
    """
    return via_odt_all([Path(docx_path)], outdir or Path(docx_path).parent)[0]


def via_odt_all(paths: list[Path], outdir: Path) -> list[Path]:
    """`via_odt` for several files with two LibreOffice calls."""
    work = Path(tempfile.mkdtemp(prefix="clerkdocs-odt-"))
    try:
        odts = convert(paths, "odt", work / "odt")
        out = []
        for source, back in zip(paths, convert(odts, "docx:MS Word 2007 XML", work / "back")):
            target = Path(outdir) / f"{Path(source).stem}.odt.docx"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(back), target)
            out.append(target)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)

