"""Roll a department-year forward: this year's folder → next year's, ready for the clerk to fill.

`annexgen new 2025/ --from 2024/` (issue 10, item 7). The YAML files are edited in
place, at the exact spans of the values (every comment, the ``# yaml-language-server``
line and the layout stay), by `yamledit.YamlEdit`: each edited file is parsed again
and compared with the values it should now hold, so an edit that would change
anything else is refused, located. Nothing is written here (see commands/new.py).

What happens to each value, and why:

- 年度 +1; every 标题 gets the new year where it names a year before 年 (a title
  always speaks of the fiscal year, so a title that had the wrong year is corrected);
  年度标签 become the new year's labels [new-1, new, new].
- 基础数据表 经费控制情况 rows [上年决算, 本年预算, 本年决算] → [old 本年决算, ~, ~], and
  so for each 专项明细 row: last year's 决算 is this year's 上年决算.
- Cleared (written ~): this year's budget and execution figures (年初预算数, 全年预算数,
  全年执行数, 按收入/支出性质分), 执行率, 得分 (indicator, fund line, 总分), 实际完成值,
  偏差原因, 实际完成情况, 楼堂馆所 (this year's completed buildings), 填报日期, the
  report cover date, and in the 自评基础数据表 every figure, every tick (each is a
  statement about this year), 部门主要绩效, 自评结论, 问题与建议, 主管部门意见.
- Staff: 编制数 (编制人数) is the structure of the unit and is kept; 实际在职人数
  (实有人数) and 控制率 are this year's facts and are cleared.
- Kept: department, form set, signers, projects (名称, 主管部门, 实施单位), indicators
  (名称, 年度指标值, 分值), 一级/二级 names, 预期目标, 部门职能概述, 厉行节约保障措施,
  表注, 附件清单, 副标题, and each report's headings with their sub-headings; the
  report's paragraphs are removed, so the clerk writes this year's text. In kept
  texts that speak of a year (年度指标值 “2023年全年”, 预期目标, headings) the fiscal
  year and the year before it move on by one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import UnusableInputError
from .files import MAX_FILE_BYTES, BadFile, TooLarge, read_regular, shown
from .findings import display_path
from .load import _known_keys, load
from .values import SourceInt
from .yamledit import EditError, YamlEdit, get, scalar_text
from .yamlread import Problem, decode


class RolloverError(EditError):
    """`annexgen new` cannot make the new folder: `where: 错误: message [code]`."""


# --- years --------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(\d{4})(?=\s*年)")


def title_years(old: int) -> Callable[[str], str]:
    """A title speaks of the fiscal year: NNNN年度 → the new year; other mentions move on as in `shift_years`."""
    def one(m: re.Match) -> str:
        if re.match(r"\s*年度", m.string[m.end():]):
            return str(old + 1)
        return str(int(m[1]) + 1) if int(m[1]) in (old - 1, old) else m[1]
    return lambda text: _YEAR.sub(one, text)


def shift_years(old: int) -> Callable[[str], str]:
    """In kept texts, the fiscal year and the year before it move on by one (2023年全年 → 2024年全年)."""
    return lambda text: _YEAR.sub(lambda m: str(int(m[1]) + 1) if int(m[1]) in (old - 1, old) else m[1], text)


# --- one file -------------------------------------------------------------------------


@dataclass
class Tally:
    """What a rollover did, for the summary the command prints."""

    moved: int = 0  # 决算 figures moved into the 上年决算 column
    cleared: int = 0  # values written ~
    removed: int = 0  # report paragraphs removed
    retitled: int = 0  # titles, headings and kept texts whose year changed

    def add(self, f: "FileRoll") -> None:
        self.moved += f.moved
        self.cleared += f.counts["cleared"]
        self.removed += f.counts["removed"]
        self.retitled += f.counts["retexted"]


class FileRoll(YamlEdit):
    """The edits of one file of the department-year, for the year after `year`."""

    def __init__(self, file: Path, text: str, data: Any, year: int) -> None:
        super().__init__(file, text, data)
        self.year = year
        self.moved = 0

    def comment(self, text: str) -> str:
        """Comments that name the fiscal year or the one before move on too (“2023年决算数” → “2024年决算数”)."""
        return shift_years(self.year)(text)

    def roll_row(self, path: tuple) -> None:
        """[上年决算, 本年预算, 本年决算] → [本年决算, ~, ~]."""
        row = get(self.data, path)
        if not isinstance(row, list) or len(row) != 3 or path + (2,) not in self.values:
            return
        last = self.values[path + (2,)]
        if row[2] is not None:  # copied as written (1.50 stays 1.50); an alias or anchored value by its value
            start, end = self._span(path + (2,))
            self.set(path + (0,), row[2], self.text[start:end] if last.kind == "scalar" and last.bare else scalar_text(row[2]))
            self.moved += 1
        elif row[0] is not None:
            self.set(path + (0,), None)
        for c in (1, 2):
            self.clear(path + (c,))

    def blocks(self, path: tuple, items: list, headings: Callable[[str], str]) -> list | None:
        """A report body without its paragraphs: headings kept (years moved on), with their sub-headings."""
        span = self.values[path]
        if span.flow:
            kept = _headings_only(items, headings)
            self.edits.append((span.start, span.end, _flow(kept)))
            self.counts["removed"] += _paragraphs(items)
            return kept
        kept: list = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                self.delete_item(path + (i,))
                continue
            new = {}
            for heading, inner in item.items():
                name = self.retext(path + (i, heading), headings, _YEAR, key=True)
                new[name] = self.blocks(path + (i, heading), inner, headings) if isinstance(inner, list) and inner else inner
            kept.append(new)
        return kept if kept or not items else None


def _paragraphs(items: list | None) -> int:
    return sum(1 if not isinstance(b, dict) else sum(_paragraphs(v) for v in b.values() if isinstance(v, list)) for b in items or [])


def _headings_only(items: list, headings: Callable[[str], str]) -> list:
    return [{headings(h): (_headings_only(v, headings) if isinstance(v, list) else v) for h, v in b.items()} for b in items if isinstance(b, dict)]


def _flow(items: list) -> str:
    parts = []
    for block in items:
        inner = ", ".join(f"{scalar_text(h)}: {_flow(v) if isinstance(v, list) else '~'}" for h, v in block.items())
        parts.append("{" + inner + "}")
    return "[" + ", ".join(parts) + "]"


# --- what changes in each file ------------------------------------------------------------

FUND_FIGURES = ("年初预算数", "全年预算数", "全年执行数", "执行率", "得分")  # a fund line's 分值 is a weight: kept
INDICATOR_RESULTS = ("实际完成值", "得分", "偏差原因分析及改进措施")
CHECKLIST_TEXTS = ("部门主要绩效", "自评结论", "问题与建议", "主管部门意见")


def roll_department(f: FileRoll, old: int) -> None:
    f.set(("年度",), SourceInt(old + 1, str(old + 1)))
    f.clear(("签字", "填报日期"))


def roll_basic(f: FileRoll, old: int) -> None:
    new = old + 1
    f.retext(("标题",), title_years(old), _YEAR)
    for key, year in (("实际在职人数", new), ("楼堂馆所控制情况", new)):
        if get(f.data, ("年度标签", key)) is not None:
            f.set(("年度标签", key), SourceInt(year, str(year)))
    if isinstance(get(f.data, ("年度标签", "经费控制情况")), list):
        for c, year in enumerate((new - 1, new, new)):
            f.set(("年度标签", "经费控制情况", c), SourceInt(year, str(year)))
    # 编制数 is the unit's structure and stays; who is in post and the rate are this year's facts
    for key in ("实际在职人数", "控制率"):
        f.clear(("财政供养人员情况", key))
    funds = get(f.data, ("经费控制情况",)) or {}
    for key, value in funds.items():
        if isinstance(value, list) and key != "专项明细":
            f.roll_row(("经费控制情况", key))
    for i, _item in enumerate(funds.get("专项明细") or []):
        f.roll_row(("经费控制情况", "专项明细", i, "金额"))
    f.clear_all(("楼堂馆所控制情况",))


def roll_results(f: FileRoll, table: tuple, old: int) -> None:
    """A self-evaluation table's goals, indicators and 总分: targets and weights kept, results cleared."""
    f.retext(table + ("年度总体目标", "预期目标"), shift_years(old), _YEAR)
    f.clear(table + ("年度总体目标", "实际完成情况"))
    for g, group in enumerate(get(f.data, table + ("绩效指标",)) or []):
        for s, sub in enumerate(group.get("二级指标") or [] if isinstance(group, dict) else []):
            for k, _ind in enumerate(sub.get("三级指标") or [] if isinstance(sub, dict) else []):
                row = table + ("绩效指标", g, "二级指标", s, "三级指标", k)
                f.retext(row + ("年度指标值",), shift_years(old), _YEAR)
                for key in INDICATOR_RESULTS:
                    f.clear(row + (key,))
    f.clear(table + ("总分", "得分"))


def roll_overall(f: FileRoll, old: int) -> None:
    t = ("部门整体支出绩效自评表",)
    f.retext(t + ("标题",), title_years(old), _YEAR)
    for key in FUND_FIGURES:
        f.clear(t + ("年度资金总额", key))
    f.clear_all(t + ("按收入性质分",))
    f.clear_all(t + ("按支出性质分",))
    roll_results(f, t, old)
    c = ("自评基础数据表",)
    if get(f.data, c) is None:
        return
    f.retext(c + ("标题",), title_years(old), _YEAR)
    f.clear(c + ("基本情况", "实有人数"))  # 编制人数 and 部门职能概述 stay, as 编制数
    f.clear_all(c + ("基本情况", "年度收入"))
    f.clear_all(c + ("基本情况", "年度支出"))
    f.clear_all(c + ("实施情况",))  # every tick is a statement about this year
    for key in CHECKLIST_TEXTS:
        f.clear(c + (key,))


def roll_report(f: FileRoll, r: tuple, old: int) -> None:
    if get(f.data, r) is None:
        return
    f.retext(r + ("标题",), title_years(old), _YEAR)
    f.clear(r + ("封面", "日期"))
    body = get(f.data, r + ("正文",))
    if not isinstance(body, list) or not body:
        return
    kept = f.blocks(r + ("正文",), body, shift_years(old))
    if kept is None:  # every item was a paragraph: the body is written as an empty list
        key = f.keys[r + ("正文",)]
        colon = f.text.index(":", key.end)
        f.edits.append((colon + 1, colon + 1, " []"))
        kept = []
    f._put(r + ("正文",), kept)


def roll_project(f: FileRoll, old: int) -> None:
    f.retext(("标题",), title_years(old), _YEAR)
    for line in ("年度资金总额", "当年财政拨款", "上年结转资金", "其他资金"):
        for key in FUND_FIGURES:
            f.clear(("项目资金", line, key))
    roll_results(f, (), old)
    roll_report(f, ("自评报告",), old)


PLANS: dict[str, Callable[[FileRoll, int], None]] = {
    "部门.yaml": roll_department,
    "基础数据表.yaml": roll_basic,
    "整体自评.yaml": roll_overall,
    "自评报告.yaml": lambda f, old: roll_report(f, ("部门整体支出绩效自评报告",), old),
}


# --- a whole department-year ------------------------------------------------------------------


@dataclass
class Rolled:
    """The new year's files (relative path → text), what was done, and what was not copied."""

    old_year: int
    files: dict[str, str] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def roll_folder(old: Path) -> Rolled:
    """Next year's files made from the department-year folder `old` (nothing is written here)."""
    if not old.is_dir():
        raise RolloverError(display_path(old), "没有这个文件夹：--from 应是一个年度的数据文件夹，如 data/miluo-hrss/2024", "no-data", 2)
    loaded = load(old)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if loaded.submission is None or errors:
        shown_errors = "\n".join(f.text() for f in errors[:20])
        more = f"\n……共 {len(errors)} 个错误" if len(errors) > 20 else ""
        raise UnusableInputError(f"{shown_errors}{more}\n{display_path(old)}: 错误: 这个年度的数据有格式错误，先按上面的提示改正，再运行 annexgen new [bad-source]")
    year = loaded.submission.年度
    if year + 1 > 2100:
        raise RolloverError(display_path(old), f"年度 {year} 已是最后一个可写的年度", "bad-year")
    rolled = Rolled(old_year=year)
    for prefix, doc in loaded.docs.items():
        rel = doc.file.relative_to(old).as_posix()
        try:
            text, note = decode(read_regular(doc.file, old, MAX_FILE_BYTES), set(_known_keys()))
        except (BadFile, TooLarge, Problem) as e:
            raise RolloverError(shown(doc.file), f"无法再次读取（{getattr(e, 'message', e)}）", "bad-file", 2) from None
        if note:
            rolled.notes.append(f"{shown(doc.file)}: 原为 GBK/GB18030 编码，新文件改存为 UTF-8")
        f = FileRoll(doc.file, text, doc.data, year)
        plan = roll_project if prefix[0] == "项目" else PLANS[doc.file.name]
        plan(f, year)
        rolled.files[rel] = f.result()
        rolled.tally.add(f)
    rolled.skipped = sorted(set(_all_files(old)) - set(rolled.files))
    return rolled


def _all_files(root: Path, limit: int = 1000) -> list[str]:
    """Every file under `root` (links not followed), as relative paths; at most `limit` of them."""
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            out.append(Path(os.path.relpath(os.path.join(folder, name), root)).as_posix())
        if len(out) >= limit:
            break
    return out[:limit]
