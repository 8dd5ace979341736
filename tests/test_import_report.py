"""Issue 10: narrative reports read back from Word — our builds round-trip, clerks' files keep their structure."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK

from annexgen.build import build
from annexgen.check import review
from annexgen.importing.annexes import split_annexes
from annexgen.importing.grid import read_docx
from annexgen.importing.notes import Notes
from annexgen.importing.report import heading_shape, numbering, parse_date, read_report
from annexgen.load import load
from annexgen.model import Report, SelfReport
from annexgen.render import annexes, properties, render_annex
from clerkdocs import via_odt_all

REPO = Path(__file__).parent.parent
YEARS = ("miluo-hrss/2023", "longhui-hrss/2024", "example-county/2024")
REPORT_KINDS = ("部门整体支出绩效自评报告", "项目支出绩效自评报告")


# --- helpers ---------------------------------------------------------------------------------


def normal(value: Any) -> Any:
    """A dump compared with Decimal precision (str) and a heading with nothing under it as None."""
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def empty_headings_none(blocks: list) -> list:
    return [{k: (empty_headings_none(v) if v else None) for k, v in b.items()} if isinstance(b, dict) else b for b in blocks]


def reduce_cover(tree: dict, sub) -> dict:
    """What the assembler does: cover values equal to 部门.yaml's are left out."""
    cover = dict(tree.get("封面") or {})
    if cover.get("部门名称") == sub.部门.部门名称:
        cover.pop("部门名称")
    if sub.部门.签字 and cover.get("日期") == sub.部门.签字.填报日期:
        cover.pop("日期")
    return {**tree, "封面": cover} if "封面" in tree else tree


def render_one(sub, form_set, number: str) -> tuple[bytes, list[str]]:
    """The report annex `number` as annexgen builds it, and its title lines as printed (wrapped to fit)."""
    annex, number, name, ctx = next(x for x in annexes(sub, form_set) if x[1] == number)
    data = render_annex(form_set.template(annex), ctx, properties(sub, f"附件{number} {name}"))
    return data, list(ctx["标题行"])


@cache
def year_reports(year: str) -> tuple:
    """(sub, form_set, [(number, derived Report, replace(sub, report) → sub)]) for one data/ department-year."""
    loaded = load(REPO / "data" / year)
    _, form_set = review(loaded, ())
    sub = loaded.submission
    reports = []
    for annex, number, _, ctx in annexes(sub, form_set):
        if annex.内容 == "部门整体支出绩效自评报告":
            def put(s, r):
                return s.model_copy(update={"自评报告": SelfReport(部门整体支出绩效自评报告=r)})
            reports.append((number, sub.自评报告.部门整体支出绩效自评报告, put))
        elif annex.内容 == "项目支出绩效自评报告":
            i = sum(1 for n, *_ in reports if n.split("-")[0] == number.split("-")[0])  # projects before this one

            def put(s, r, i=i):
                projects = list(s.项目)
                projects[i] = projects[i].model_copy(update={"自评报告": r})
                return s.model_copy(update={"项目": projects})
            reports.append((number, sub.项目[i].自评报告, put))
    return sub, form_set, reports


def read_one(path_or_bytes, file: str = "x.docx") -> tuple[dict | None, Notes]:
    found = [a for a in split_annexes(read_docx(path_or_bytes)) if a.kind in REPORT_KINDS]
    assert len(found) == 1, [(a.number, a.kind, a.title) for a in split_annexes(read_docx(path_or_bytes))]
    notes = Notes()
    return read_report(found[0], file, notes), notes


# --- round trip over every report in data/ ---------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_every_report_in_data_round_trips(year: str) -> None:
    sub, form_set, reports = year_reports(year)
    assert len(reports) == 1 + sum(1 for p in sub.项目 if p.自评报告 is not None)
    for number, derived, put in reports:
        data, title_lines = render_one(sub, form_set, number)
        tree, notes = read_one(data)
        assert list(notes) == [], (number, [n.text() for n in notes])
        assert list(tree) == [k for k in Report.model_fields if k in tree]  # model field order
        got = Report.model_validate(reduce_cover(tree, sub))
        want = normal(derived.model_dump())
        want["标题"] = "\n".join(title_lines)  # a title too long for a line is printed on two: read as printed
        want["正文"] = empty_headings_none(want["正文"])
        assert normal(got.model_dump()) == want, number
        # building from what was read gives the same file, byte for byte
        again, _ = render_one(put(sub, got), form_set, number)
        assert again == data, number


def test_cover_is_returned_as_found() -> None:
    sub, form_set, reports = year_reports("miluo-hrss/2023")
    tree, _ = read_one(render_one(sub, form_set, "5-1")[0])
    assert tree["封面"] == {"部门名称": "汨罗市人力资源和社会保障局", "日期": dt.date(2024, 10, 17)}
    assert tree["副标题"] == "项目支出绩效评价报告"
    tree, _ = read_one(render_one(*year_reports("longhui-hrss/2024")[:2], "3")[0])
    assert "封面" not in tree and "副标题" not in tree  # 隆回's report has neither


# --- numbering and heading shape -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, number",
    [
        ("一、部门基本情况", "一、", 1),
        ("一 、项目支出基本情况", "一、", 1),
        ("十二．其他", "一、", 12),
        ("（一）基本支出情况", "（一）", 1),
        ("(三)项目支出产出情况", "（一）", 3),
        ("（ 二 ）项目", "（一）", 2),
        ("1.因公出国", "1.", 1),
        ("2、专项资金", "1.", 2),
        ("１０．全角", "1.", 10),
        ("3.2024年的重点工作情况：", "1.", 3),
        ("（1）建章立制", "（1）", 1),
        ("(12)完成县委", "（1）", 12),
        ("( 2 ) 项目执行过程情况", "（1）", 2),
        ("⑶项目", "（1）", 3),
        ("②其二", "①", 2),
        ("       1、缩进", "1.", 1),
    ],
)
def test_numbering_variants(text: str, kind: str, number: int) -> None:
    n = numbering(text)
    assert n is not None and (n.kind, n.number) == (kind, number)


@pytest.mark.parametrize("text", ["一是对各个专项资金的设立", "1.5万元用于培训", "2024年度决算支出", "无。", "第一，", "十分重要", "0.项目"])
def test_not_numbering(text: str) -> None:
    assert numbering(text) is None


def test_heading_shape() -> None:
    assert heading_shape("一、部门基本情况") == "open"
    assert heading_shape("3.2024年的重点工作情况：") == "open"
    assert heading_shape("(一)项目支出概况。 ") == "closed"
    assert heading_shape("1.因公出国（境）费用；0元。") is None  # two sentences
    assert heading_shape("（1）" + "很长" * 40) is None
    assert heading_shape("（1）未完，") is None


def test_dates() -> None:
    assert parse_date("2024  年 10 月 17 日") == (dt.date(2024, 10, 17), True)
    assert parse_date("二〇二四年十月十七日") == (dt.date(2024, 10, 17), True)
    assert parse_date("填报日期：２０２４年１０月１７日") == (dt.date(2024, 10, 17), True)
    assert parse_date("2024年2月30日") == (None, True)
    assert parse_date("2024年10月") == (None, True)
    assert parse_date("2024-10-17") == (dt.date(2024, 10, 17), True)
    assert parse_date("2024年度决算") == (None, False)


# --- clerks' files -----------------------------------------------------------------------------


def clerk_docx(path: Path, paragraphs: list, label: str | None = "附件4") -> Path:
    """A plain python-docx file, no styles of ours: strings are paragraphs, "<page>" a page break, lists a table."""
    doc = Document()
    if label:
        doc.add_paragraph(label)
    for p in paragraphs:
        if p == "<page>":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(p, list):
            table = doc.add_table(rows=len(p), cols=len(p[0]))
            for r, row in enumerate(p):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        else:
            doc.add_paragraph(p)
    doc.save(str(path))
    return path


_VARIANTS = [(re.compile(r"^([一二三四五六七八九十]+)、"), r"\1 、"), (re.compile(r"^（([一二三四五六七八九十]+)）"), r"( \1 )"),
             (re.compile(r"^(\d+)\."), r"\1．"), (re.compile(r"^（(\d+)）"), r"(\1)")]


def variant(heading: str) -> str:
    """A heading as another clerk numbers it: "一 、", "( 一 )", "1．", "(1)"."""
    for pattern, repl in _VARIANTS:
        heading = pattern.sub(repl, heading)
    return heading


def flatten(blocks: list, blank_between: bool = True) -> list:
    """A report body as a clerk's paragraphs: headings with numbering variants, blank paragraphs between."""
    out = []
    for b in blocks:
        if isinstance(b, str):
            out.append(b)
        else:
            for heading, inner in b.items():
                out.append(variant(heading))
                out.extend(flatten(inner or [], blank_between))
        if blank_between:
            out.append("")
    return out


def as_clerk_expects(blocks: list, renumber: bool = True) -> list:
    """What reading the clerk's version must give: headings renumbered as printed; unnumbered headings
    (no style to tell them) are paragraphs followed by their content; blank paragraphs are layout."""
    out = []
    for b in blocks:
        if isinstance(b, str):
            if b.strip():
                out.append(b)
            continue
        for heading, inner in b.items():
            inner = as_clerk_expects(inner or [], renumber)
            if numbering(heading) is None:
                out.append(heading)
                out.extend(inner)
            else:
                out.append({variant(heading) if renumber else heading: inner or None})
    return out


def clerk_version(report: Report, tmp: Path, name: str) -> Path:
    """A report typed again by a clerk: cover on its own page with a spaced label and a Chinese date, title
    over three lines, no styles, blank paragraphs everywhere, numbering variants, attachments on one line."""
    title = report.标题.replace("\n", "")
    head = ["", title[: len(title) // 2], title[len(title) // 2:], ""]
    cover = ["", "", "部 门 名 称 ： 汨罗市人力资源和社会保障局", "", "二〇二四年十月十七日", "<page>"] if report.封面 is not None else []
    sub = [report.副标题, ""] if report.副标题 else []
    tail = ["", "附件：" + "  ".join(f"{i}.{a}" for i, a in enumerate(report.附件清单, 1))] if report.附件清单 else []
    tail += ["填表人：张三    单位负责人签字：李四"]
    return clerk_docx(tmp / name, head + cover + sub + flatten(report.正文) + tail)


@pytest.mark.parametrize("year", YEARS)
def test_clerk_typed_reports_keep_their_structure(year: str, tmp_path: Path) -> None:
    sub, _, reports = year_reports(year)
    for number, derived, _ in reports:
        tree, notes = read_one(clerk_version(derived, tmp_path, f"{number}.docx"))
        assert list(notes) == [], [n.text() for n in notes]
        Report.model_validate(tree)
        assert tree["标题"].replace("\n", "") == derived.标题.replace("\n", "")
        if derived.封面 is not None:
            assert tree["封面"] == {"部门名称": "汨罗市人力资源和社会保障局", "日期": dt.date(2024, 10, 17)}
        else:
            assert "封面" not in tree
        assert tree.get("副标题") == derived.副标题
        assert tree.get("附件清单", []) == derived.附件清单
        assert tree["正文"] == as_clerk_expects(normal(derived.model_dump())["正文"]), number


def test_a_skipped_level_nests_as_written(tmp_path: Path) -> None:
    body = ["一、基本情况", "1.主要职能", "负责全县就业工作。", "2.机构设置", "内设机构14个。",
            "二、支出情况", "（一）基本支出", "1、人员经费", "人员经费1505.63万元。", "（二）项目支出", "无。",
            "三、其他需要说明的情况"]
    tree, notes = read_one(clerk_docx(tmp_path / "r.docx", ["2024年度某局部门整体支出绩效自评报告", *body]))
    assert list(notes) == []
    assert tree["正文"] == [
        {"一、基本情况": [{"1.主要职能": ["负责全县就业工作。"]}, {"2.机构设置": ["内设机构14个。"]}]},
        {"二、支出情况": [{"（一）基本支出": [{"1、人员经费": ["人员经费1505.63万元。"]}]}, {"（二）项目支出": ["无。"]}]},
        {"三、其他需要说明的情况": None},
    ]


def test_numbered_paragraphs_and_prose(tmp_path: Path) -> None:
    long = "（1）强化预算执行，提高预算完成率。严格按项目和进度执行预算，合理安排资金支出。"
    body = ["一、存在的问题", "（1）项目推进力度有待进一步加强。", "（2）政府采购预算编制准确性有待提高。",
            "二、改进措施", long, "一是加强培训。二是完善制度。", "三、项目支出情况", "(一)项目支出概况。",
            "该项目用于劳动监察。", "(2) 项目执行过程情况", "   严格按照规定支出。", "(3) 项目产出情况", "1.财务管理有待创新。财务管理水平不高。"]
    tree, notes = read_one(clerk_docx(tmp_path / "r.docx", ["2024年度某局部门整体支出绩效自评报告", *body]))
    assert list(notes) == []
    assert tree["正文"] == [
        {"一、存在的问题": ["（1）项目推进力度有待进一步加强。", "（2）政府采购预算编制准确性有待提高。"]},
        {"二、改进措施": [long, "一是加强培训。二是完善制度。"]},
        {"三、项目支出情况": [
            {"(一)项目支出概况。": ["该项目用于劳动监察。"]},
            # "(2)" after "(一)": the same numbering in the other script, a sibling, not a level below
            {"(2) 项目执行过程情况": ["   严格按照规定支出。"]},
            {"(3) 项目产出情况": ["1.财务管理有待创新。财务管理水平不高。"]},
        ]},
    ]


def test_what_cannot_be_placed_is_reported(tmp_path: Path) -> None:
    paragraphs = ["2024年度某局部门整体支出绩效自评报告", "部门名称：某局", "2024年2月30日", "一、基本情况", "正文一段。",
                  [["项目", "金额"], ["就业服务", "48.5"]], "附件：", "1.部门整体支出绩效评价基础数据表", "某局（盖章）",
                  "单位负责人签字：李四"]
    tree, notes = read_one(clerk_docx(tmp_path / "r.docx", paragraphs), "r.docx")
    assert tree["正文"] == [{"一、基本情况": ["正文一段。"]}]
    assert tree["封面"] == {"部门名称": "某局"}
    assert tree["附件清单"] == ["部门整体支出绩效评价基础数据表"]
    assert [(n.code, n.severity, n.where.text()) for n in notes] == [
        ("bad-date", "error", "r.docx:第4段"),
        ("table-in-report", "error", "r.docx:表1"),
        ("after-attachments", "error", "r.docx:第9段"),
    ]
    assert "2024年2月30日" in notes[0].message and "就业服务" not in notes[1].message and "项目" in notes[1].message
    assert "某局（盖章）" in notes[2].message


def test_cover_without_label_and_attachments_on_their_own_lines(tmp_path: Path) -> None:
    paragraphs = ["2023年度劳动维权办案专项项目支出", "绩效自评报告", "", "汨罗市人力资源和社会保障局", "", "2024年10月17日",
                  "<page>", "（此页为封面）", "项目支出绩效评价报告", "一、项目支出基本情况", "  该项目用于劳动监察。",
                  "附件:", "1. 项目支出绩效自评表", "2、部门整体支出绩效自评表"]
    tree, notes = read_one(clerk_docx(tmp_path / "r.docx", paragraphs, label="附件 5-1"))
    assert list(notes) == []
    assert tree == {
        "标题": "2023年度劳动维权办案专项项目支出\n绩效自评报告",
        "封面": {"部门名称": "汨罗市人力资源和社会保障局", "日期": dt.date(2024, 10, 17)},
        "副标题": "项目支出绩效评价报告",
        "正文": [{"一、项目支出基本情况": ["  该项目用于劳动监察。"]}],
        "附件清单": ["项目支出绩效自评表", "部门整体支出绩效自评表"],
    }


def test_an_edited_build_keeps_its_styles(tmp_path: Path) -> None:
    """A clerk edits last year's built report in Word: styles stay, an unnumbered 二级标题 is still a heading."""
    sub, form_set, _ = year_reports("miluo-hrss/2023")
    path = tmp_path / "built.docx"
    path.write_bytes(render_one(sub, form_set, "5-2")[0])
    doc = Document(str(path))
    heading = next(p for p in doc.paragraphs if p.text == "存在的问题及原因分析")
    heading.insert_paragraph_before("")  # blank, unstyled: layout
    doc.save(str(path))
    tree, notes = read_one(path)
    five = next(b for b in tree["正文"] if "五、主要经验及做法、存在的问题及原因分析" in b)
    assert "存在的问题及原因分析" in five["五、主要经验及做法、存在的问题及原因分析"][-1]
    assert list(notes) == []


# --- the seeds: the reports as their clerks typed them -----------------------------------------

SEEDS = REPO.parent / "shared" / "seeds"
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def seed_section(name: str, label: str, stop: str | None = None) -> list[str]:
    """The seed's lines from an annex label to the next label (or to the first line after the
    cover that starts with `stop`), bookmarks left out: the paragraphs as the clerk typed them."""
    lines = [_BOOKMARK.sub("", line) for line in (SEEDS / name).read_text(encoding="utf-8").split("\n")]
    start = next(i for i, line in enumerate(lines) if line.strip() == label)
    end = next((i for i in range(start + 1, len(lines)) if re.fullmatch(r"\s*附件\s*\d+(-\d+)?\s*", lines[i])), len(lines))
    if stop is not None:
        cover = next(i for i in range(start, end) if lines[i].lstrip().startswith(stop))
        end = next(i for i in range(cover + 1, end) if lines[i].lstrip().startswith(stop))
    return lines[start:end]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside the repository")
@pytest.mark.parametrize(
    "seed, label, year, which, stop",
    [
        ("000_3be2371918d1ba32.txt", "附件4", "miluo-hrss/2023", "4", None),
        # the seed lost 附件5-2's label and title: 5-1 ends where 5-2's cover begins
        ("000_3be2371918d1ba32.txt", "附件5-1", "miluo-hrss/2023", "5-1", "部 门 名 称"),
        ("000_3be2371918d1ba32.txt", "附件5-3", "miluo-hrss/2023", "5-3", None),
        ("000_3be2371918d1ba32.txt", "附件5-4", "miluo-hrss/2023", "5-4", None),
        ("003_054a0f482106efb5.txt", "附件3", "longhui-hrss/2024", "3", None),
    ],
)
def test_seed_reports_read_as_transcribed(seed: str, label: str, year: str, which: str, stop: str | None, tmp_path: Path) -> None:
    """The seed's paragraphs in a plain file (no styles): the same report as the data/ transcription,
    except that a heading without a number cannot be told from a paragraph without styles."""
    _, _, reports = year_reports(year)
    derived = next(r for n, r, _ in reports if n == which)
    path = clerk_docx(tmp_path / "seed.docx", seed_section(seed, label, stop), label=None)
    tree, notes = read_one(path)
    assert list(notes) == [], [n.text() for n in notes]
    assert tree["标题"].replace("\n", "") == derived.标题.replace("\n", "")
    assert tree.get("副标题") == derived.副标题
    assert ("封面" in tree) == (derived.封面 is not None)
    if "封面" in tree:
        assert tree["封面"] == {"部门名称": "汨罗市人力资源和社会保障局", "日期": dt.date(2024, 10, 17)}
    assert tree.get("附件清单", []) == derived.附件清单
    want = as_clerk_expects(normal(derived.model_dump())["正文"], renumber=False)
    assert tree["正文"] == want


# --- styles: rewritten by LibreOffice, Word's own headings, a clerk's 正文 ----------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by scripts/setup (required in CI)")
def test_reports_rewritten_by_libreoffice_read_the_same(tmp_path: Path) -> None:
    """docx → odt → docx renames the template's style ids (一级标题 → Style17) but keeps their names."""
    files = []
    for year, number in (("miluo-hrss/2023", "4"), ("miluo-hrss/2023", "5-2"), ("longhui-hrss/2024", "3")):
        sub, form_set, _ = year_reports(year)
        files.append(tmp_path / f"{year.split('/')[0]}-{number}.docx")
        files[-1].write_bytes(render_one(sub, form_set, number)[0])
    for f, back in zip(files, via_odt_all(files, tmp_path / "back")):
        assert "一级标题" not in back.read_bytes().decode("latin-1", "replace")  # the ids did change...
        ours, theirs = read_one(f), read_one(back)
        assert list(theirs[1]) == []
        assert theirs[0] == ours[0], f.name  # ...the report read did not


def test_every_report_read_the_same_from_the_combined_file(tmp_path: Path) -> None:
    result = build(REPO / "data" / "miluo-hrss" / "2023", tmp_path / "out", combine=True)
    combined = next(f for f in result.written if "全部附件" in f.name)
    found = [a for a in split_annexes(read_docx(combined)) if a.kind in REPORT_KINDS]
    sub, form_set, reports = year_reports("miluo-hrss/2023")
    assert [a.number for a in found] == [n for n, *_ in reports]
    for annex, (number, _, _) in zip(found, reports):
        notes = Notes()
        assert read_report(annex, "全部附件.docx", notes) == read_one(render_one(sub, form_set, number)[0])[0]
        assert list(notes) == []


def test_word_heading_styles_and_a_clerks_own_body_style(tmp_path: Path) -> None:
    """Word's Heading 1/2 give levels (an unnumbered heading too); a style of the clerk's own named 正文 does not
    make the file look like annexgen's: numbering still decides, and its blank paragraphs are layout."""
    doc = Document()
    body_style = doc.styles.add_style("正文", WD_STYLE_TYPE.PARAGRAPH)
    doc.add_paragraph("2024年度某局部门整体支出绩效自评报告")
    doc.add_paragraph("部门概况", style="Heading 1")
    doc.add_paragraph("机构设置", style="Heading 2")
    doc.add_paragraph("内设机构5个。", style=body_style)
    doc.add_paragraph("", style=body_style)
    doc.add_paragraph("1.主要职能", style=body_style)
    doc.add_paragraph("负责全县就业。", style=body_style)
    doc.add_paragraph("存在的问题", style="Heading 1")
    doc.add_paragraph("（一）管理不够规范。", style=body_style)  # under a styled level 1, a numbered 正文 may be level 2
    doc.add_paragraph("资产管理有待加强。", style=body_style)
    doc.save(str(tmp_path / "r.docx"))
    tree, notes = read_one(tmp_path / "r.docx")
    assert list(notes) == []
    assert tree["正文"] == [
        {"部门概况": [{"机构设置": ["内设机构5个。", {"1.主要职能": ["负责全县就业。"]}]}]},
        {"存在的问题": [{"（一）管理不够规范。": ["资产管理有待加强。"]}]},
    ]


def test_signature_lines_are_skipped_but_prose_naming_them_stays(tmp_path: Path) -> None:
    paragraphs = ["2024年度某局部门整体支出绩效自评报告", "部 门 名 称 ：", "    年   月   日", "一、绩效评价工作情况",
                  "单位负责人高度重视，填表人认真核对。", "填表人：张三  填报日期：2025年3月1日", "单位负责人签字：李四"]
    tree, notes = read_one(clerk_docx(tmp_path / "r.docx", paragraphs))
    assert list(notes) == []
    assert tree["封面"] == {}  # a cover left blank: there is one, with nothing filled in
    assert tree["正文"] == [{"一、绩效评价工作情况": ["单位负责人高度重视，填表人认真核对。"]}]
