"""One department-year from the annexes found in its Word files.

The annexes of every file are found by content (`annexes.split_annexes`), each is
read by the reader of its kind, and the parts are put together into the files of a
department-year folder: 部门.yaml (部门名称, 年度, 表样, 签字), 基础数据表.yaml,
整体自评.yaml, 自评报告.yaml and 项目/N-名称.yaml. The form set is the one whose
annexes (kinds and numbers) the files match best, unless the operator names one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..forms import FormSet, FormSetError, fill_pattern, find_form_set, list_form_sets, read_form_set
from ..render import safe_filename
from .annexes import Annex
from .grid import Block, Paragraph, Table
from .notes import Notes, Where, quote
from .signature import is_signature, read_signature

PROJECT_KINDS = ("项目支出绩效自评表", "项目支出绩效自评报告")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年\s*度?")


@dataclass
class Found:
    """An annex found in a file: the file as shown in messages, and the annex."""

    file: str
    annex: Annex


@dataclass
class YearImport:
    """What was read for one department-year: its files as data trees, the notes, the form set chosen."""

    files: dict[str, dict] = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)
    form_set: str | None = None
    reason: str = ""
    sources: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Whether anything beyond 部门.yaml was read."""
        return any(name != "部门.yaml" for name in self.files)


def _readers() -> dict[str, Callable]:
    from .basic import read_basic
    from .checklist import read_checklist
    from .report import read_report
    from .selfeval import read_overall, read_project

    return {
        "基础数据表": read_basic,
        "自评基础数据表": read_checklist,
        "部门整体支出绩效自评表": read_overall,
        "项目支出绩效自评表": read_project,
        "部门整体支出绩效自评报告": read_report,
        "项目支出绩效自评报告": read_report,
    }


def _first_place(found: Found) -> Where:
    for block in found.annex.blocks:
        if isinstance(block, Table):
            return Where(found.file, block.index, 1, 1)
        if isinstance(block, Paragraph) and block.text.strip():
            return Where(found.file, paragraph=block.index)
    return Where(found.file)


def _number_pattern(spec_number: str) -> re.Pattern:
    return re.compile("^" + re.escape(spec_number).replace(re.escape("{序号}"), r"(\d+)") + "$")


def score(form_set: FormSet, found: Sequence[Found]) -> int:
    """How well the annexes found fit a form set: kinds it has, numbers as it prints them."""
    total = 0
    for f in found:
        specs = [s for s in form_set.annexes if s.内容 == f.annex.kind]
        if not specs:
            total -= 2
        elif f.annex.number is not None and any(_number_pattern(s.编号).match(f.annex.number) for s in specs):
            total += 2
        else:
            total += 1
    return total


def choose_form_set(found: Sequence[Found], name: str | None, trusted: Sequence = ()) -> tuple[FormSet, str]:
    """The form set named, or the one the annexes fit best (ties: the first on the search path)."""
    if name:
        return find_form_set(name, trusted), "按 --form-set 指定"
    best: tuple[int, FormSet] | None = None
    for candidate in list_form_sets(trusted):
        if candidate.shadowed:
            continue
        try:
            fs = read_form_set(candidate.folder, candidate.builtin)
        except FormSetError:
            continue
        points = score(fs, found)
        if best is None or points > best[0]:
            best = (points, fs)
    if best is None:
        raise FormSetError("错误: 没有可用的表样：请用 --forms 指定表样文件夹")
    names = list(dict.fromkeys(f"附件{f.annex.number}" if f.annex.number else str(f.annex.kind) for f in found))
    kinds = "、".join(names) if len(names) <= 4 else "、".join(names[:3]) + f" 等 {len(names)} 个附件"
    return best[1], f"按文件中的附件（{kinds}）与表样的附件最相符选定；不对时用 --form-set 指定"


def _project_index(f: Found, form_set: FormSet) -> int | None:
    if f.annex.number is None:
        return None
    for spec in form_set.annexes:
        m = _number_pattern(spec.编号).match(f.annex.number)
        if spec.内容 == f.annex.kind and m and m.groups():
            return int(m.group(1))
    return None


def _signatures(found: Sequence[Found], notes: Notes) -> dict | None:
    """The signature line of the tables (one line, or typed over several paragraphs); a different one is noted."""
    signature: dict | None = None
    for f in found:
        if f.annex.kind not in ("基础数据表", "自评基础数据表", "部门整体支出绩效自评表", "项目支出绩效自评表"):
            continue  # a report's cover may print 填报日期 too
        here: dict = {}
        first: Paragraph | None = None
        for block in f.annex.blocks:
            if isinstance(block, Paragraph) and is_signature(block.text):
                here.update({k: v for k, v in read_signature(block.text).items() if k not in here or v is not None})
                first = first or block
        if first is None:
            continue
        if signature is None:
            signature = here
        elif here != signature:
            notes.warning(Where(f.file, paragraph=first.index), "signature-differs",
                          f"签字行与前面的不同：“{quote(first.text)}”；部门.yaml 只记第一处的签字，请核对")
    return signature


def _year(found: Sequence[Found], trees: list[tuple[str, dict]]) -> int | None:
    years = Counter(int(m.group(1)) for f in found for line in f.annex.title for m in [_YEAR.search(line)] if m)
    if years:
        return years.most_common(1)[0][0]
    for kind, tree in trees:
        if kind == "基础数据表":
            labels = tree.get("年度标签") or {}
            if isinstance(labels.get("实际在职人数"), int):
                return labels["实际在职人数"]
    return None


def assemble(found: Sequence[Found], form_set_name: str | None = None, trusted: Sequence = ()) -> YearImport:
    """Read every annex found and put the parts together as a department-year's files."""
    result = YearImport(sources=list(dict.fromkeys(f.file for f in found)))
    notes = result.notes
    readers = _readers()
    useful = [f for f in found if f.annex.kind in readers]
    for f in found:
        if f.annex.kind not in readers and (f.annex.title or f.annex.has_content() or any(isinstance(b, Paragraph) and b.text.strip() for b in f.annex.blocks)):
            text = " ".join(f.annex.title) or next((b.text for b in f.annex.blocks if isinstance(b, Paragraph) and b.text.strip()), "")
            notes.error(_first_place(f), "unknown-annex", f"认不出这部分是哪个附件（“{quote(text)}”）：应以附件标签（如“附件2”）或表名（如“部门整体支出绩效自评表”）开头")
    if not useful:
        return result
    form_set, result.reason = choose_form_set(useful, form_set_name, trusted)
    result.form_set = form_set.name

    trees: list[tuple[str, dict]] = []
    singles: dict[str, tuple[Found, dict]] = {}
    projects: list[tuple[Found, dict]] = []
    reports: list[tuple[Found, dict]] = []
    for f in useful:
        tree = readers[f.annex.kind](f.annex, f.file, notes)
        if tree is None:
            continue
        trees.append((f.annex.kind, tree))
        if f.annex.kind == "项目支出绩效自评表":
            projects.append((f, tree))
        elif f.annex.kind == "项目支出绩效自评报告":
            reports.append((f, tree))
        elif f.annex.kind in singles:
            notes.error(_first_place(f), "duplicate-annex", f"又一份“{f.annex.kind}”：一个年度只有一份，这一份没有读入；请把不同年度或不同单位的文件分开导入")
        else:
            singles[f.annex.kind] = (f, tree)

    department = _department(useful, singles, projects, reports)
    signature = _signatures(useful, notes)
    year = _year(useful, trees)
    dept: dict = {"部门名称": department, "年度": year, "表样": form_set.name}
    if signature:
        dept["签字"] = signature
    where = Where(result.sources[0]) if result.sources else Where("")
    if department is None:
        notes.error(where, "no-department-name", "文件中找不到部门名称（自评表的“预算部门名称”、项目表的“主管部门”或报告封面）：请在 部门.yaml 中填写")
    if year is None:
        notes.error(where, "no-year", "文件中找不到年度（如标题“2023年度…”）：请在 部门.yaml 中填写年度")
    result.files["部门.yaml"] = dept

    if "基础数据表" in singles:
        result.files["基础数据表.yaml"] = singles["基础数据表"][1]
    overall = {}
    if "部门整体支出绩效自评表" in singles:
        overall["部门整体支出绩效自评表"] = singles["部门整体支出绩效自评表"][1]
    if "自评基础数据表" in singles:
        overall["自评基础数据表"] = singles["自评基础数据表"][1]
    if overall:
        result.files["整体自评.yaml"] = overall
    if "部门整体支出绩效自评报告" in singles:
        result.files["自评报告.yaml"] = {"部门整体支出绩效自评报告": _cover(singles["部门整体支出绩效自评报告"][1], dept)}
    _place_projects(result, form_set, projects, reports, dept)
    _unwrap_titles(result, form_set)
    return result


def _capacity(form_set: FormSet, kind: str) -> float | None:
    """How many em a title line of this kind of annex holds in the form set's template."""
    from docx import Document

    from ..titles import capacity

    spec = next((s for s in form_set.annexes if s.内容 == kind), None)
    if spec is None:
        return None
    try:
        return capacity(Document(str(form_set.template(spec))))
    except Exception:  # a template python-docx cannot open: titles stay as printed
        return None


def unwrap(title: str, room: float | None, keep: tuple[str, ...]) -> str:
    """A printed title with the line breaks `titles.wrap` would make again taken out (the author's own breaks stay)."""
    from ..titles import wrap

    lines = title.split("\n")
    if room is None or len(lines) < 2:
        return title
    out, i = [], 0
    while i < len(lines):
        j = max(k for k in range(i + 1, len(lines) + 1) if k == i + 1 or wrap("".join(lines[i:k]), room, keep) == lines[i:k])
        out.append("".join(lines[i:j]))
        i = j
    return "\n".join(out)


def _unwrap_titles(result: YearImport, form_set: FormSet) -> None:
    """Titles as the data writes them: breaks that annexgen makes by itself for a long title are not written."""
    department = result.files["部门.yaml"].get("部门名称") or ""
    parts: list[tuple[str, dict, str]] = []
    if "基础数据表.yaml" in result.files:
        parts.append(("基础数据表", result.files["基础数据表.yaml"], ""))
    for key, kind in (("部门整体支出绩效自评表", "部门整体支出绩效自评表"), ("自评基础数据表", "自评基础数据表")):
        if key in result.files.get("整体自评.yaml", {}):
            parts.append((kind, result.files["整体自评.yaml"][key], ""))
    if "自评报告.yaml" in result.files:
        parts.append(("部门整体支出绩效自评报告", result.files["自评报告.yaml"]["部门整体支出绩效自评报告"], ""))
    for name, tree in result.files.items():
        if name.startswith("项目/"):
            parts.append(("项目支出绩效自评表", tree, tree.get("项目名称") or ""))
            if isinstance(tree.get("自评报告"), dict):
                parts.append(("项目支出绩效自评报告", tree["自评报告"], tree.get("项目名称") or ""))
    rooms: dict[str, float | None] = {}
    year = result.files["部门.yaml"].get("年度")
    for kind, tree, project in parts:
        if isinstance(tree.get("标题"), str) and "\n" in tree["标题"]:
            spec = next((s for s in form_set.annexes if s.内容 == kind), None)
            try:
                default = fill_pattern(spec, "默认标题", 年度=year, 部门名称=department, 项目名称=project) if spec and year else None
            except FormSetError:
                default = None
            if default is not None and default.replace("\n", "") == tree["标题"].replace("\n", ""):
                tree["标题"] = default  # the form set's own title: its breaks, not the ones wrapping added
                continue
            if kind not in rooms:
                rooms[kind] = _capacity(form_set, kind)
            tree["标题"] = unwrap(tree["标题"], rooms[kind], (department, project))


#: a unit code the 预算管理一体化 systems print before a unit's name: "219-", "101001 "
_UNIT_CODE = re.compile(r"^\d{3,}\s*[-－—_]?\s*(?=\D)")


def _department(useful, singles, projects, reports) -> str | None:
    if "部门整体支出绩效自评表" in singles:
        from .selfeval import department_name

        name = department_name(singles["部门整体支出绩效自评表"][0].annex)
        if name:
            return name
    owners = Counter(t.get("主管部门") for _f, t in projects if t.get("主管部门"))
    if owners:  # printed with the budget system's unit code ("219-池州市…") the department's name is the rest
        return _UNIT_CODE.sub("", owners.most_common(1)[0][0]) or owners.most_common(1)[0][0]
    for kind in ("部门整体支出绩效自评报告",):
        if kind in singles:
            cover = singles[kind][1].get("封面") or {}
            if cover.get("部门名称"):
                return cover["部门名称"]
    for _f, tree in reports:
        cover = tree.get("封面") or {}
        if cover.get("部门名称"):
            return cover["部门名称"]
    return None


def _empty_headings(blocks: list) -> list:
    """A heading with nothing under it written as `: []`, as data/ writes it."""
    out = []
    for block in blocks or []:
        if isinstance(block, dict):
            block = {k: _empty_headings(v) if v else [] for k, v in block.items()}
        out.append(block)
    return out


def _cover(report: dict, dept: dict) -> dict:
    """A report whose cover repeats 部门.yaml (部门名称, 填报日期) keeps only what differs: `封面: {}`."""
    if isinstance(report.get("正文"), list):
        report = {**report, "正文": _empty_headings(report["正文"])}
    cover = report.get("封面")
    if isinstance(cover, dict):
        signed = (dept.get("签字") or {}).get("填报日期")
        kept = {k: v for k, v in cover.items() if not (k == "部门名称" and v == dept.get("部门名称")) and not (k == "日期" and v is not None and v == signed)}
        report = {**report, "封面": kept}
    return report


def _place_projects(result: YearImport, form_set: FormSet, projects, reports, dept: dict) -> None:
    numbered: dict[int, tuple[Found, dict]] = {}
    for order, (f, tree) in enumerate(projects, 1):
        index = _project_index(f, form_set) or order
        while index in numbered:
            index += 1
        numbered[index] = (f, tree)
    names = {i: t.get("项目名称") or "" for i, (_f, t) in numbered.items()}
    for order, (f, report) in enumerate(reports, 1):
        index = _project_index(f, form_set)
        title = "".join(report.get("标题") or "").replace("\n", "")
        if index is None or index not in numbered:
            index = next((i for i, n in names.items() if n and n in title), None)
        if index is None or index not in numbered:
            result.notes.error(_first_place(f), "unmatched-report", f"这份项目支出绩效自评报告（“{quote(title)}”）找不到对应的项目支出绩效自评表：请一并导入该项目的自评表")
            continue
        tree = numbered[index][1]
        if "自评报告" in tree:
            result.notes.error(_first_place(f), "duplicate-annex", f"项目“{names[index]}”已有一份自评报告，这一份没有读入")
            continue
        tree["自评报告"] = _cover(report, dept)
    for index in sorted(numbered):
        name = names[index] or "项目"
        result.files[f"项目/{safe_filename(f'{index}-{name}', '.yaml')}"] = numbered[index][1]
