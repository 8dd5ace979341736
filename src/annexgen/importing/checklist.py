"""Reading the 自评基础数据表 (隆回 附件4-1, the 是☑/否□ checklist) back into 整体自评.yaml's `自评基础数据表`.

The table has a section column (基本情况, 实施情况), a group column (年度收入,
年度支出; the ten 实施情况 groups) and then labels with their values. A row whose
section or group cell is empty (a vertical merge, or a clerk's file without one)
carries the one above. 基本情况 pairs a label cell with the cell after it. Each
实施情况 cell holds question lines like “是否制定资金管理办法: 是☑  否□”; questions
are found by their text (letters and digits compared, punctuation and spaces
ignored) against the model's field names and aliases, wherever they are printed.
Ticks may be typed ☑ ✓ √ ■ ▣ ☒ ✔ (checked) or □ ☐ (unchecked), before or after 是/否.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..model import (
    Checklist,
    ChecklistBasics,
    Disclosure,
    Implementation,
    Income,
    Spending,
)
from .annexes import Annex
from .basic import OUT, amount_value, below_table, count_value, key_of, norm, ordered, text_value, title_of
from .grid import Cell, Table
from .notes import Notes, Where, quote

CHECKED = frozenset("☑✓√■▣☒✔✅")
UNCHECKED = frozenset("□☐")
YES, NO = frozenset("是有"), frozenset("否无")
GRADES = ("优", "良", "中", "差")
SECTIONS = ("基本情况", "实施情况")
SINGLES = ("部门主要绩效", "自评结论", "问题与建议", "主管部门意见")
GROUPS = {"年度收入": Income, "年度支出": Spending}
BASICS = ("编制人数", "实有人数", "部门职能概述")
_SEPARATORS = " \t\u3000:：,，;；、。"


def _is_bool(model: type[BaseModel], name: str) -> bool:
    return "bool" in str(model.model_fields[name].annotation)


def _questions() -> dict[str, tuple[str, str]]:
    """norm(printed question) → (group, field) for every 实施情况 item, 公开方式 included."""
    out = {}
    for group, info in Implementation.model_fields.items():
        model = info.annotation
        for name, field in model.model_fields.items():
            for label in {name, field.alias or name}:
                out[norm(label)] = (group, name)
    return out


QUESTIONS = _questions()
OPTIONS = {norm(key_of(Disclosure, n)): n for n in Disclosure.model_fields}


def _find(labels: dict[str, Any], text: str) -> list[tuple[int, int, Any]]:
    """Where `labels` (normalised) occur in `text`: (start, end, value) in original positions, longest first on overlap."""
    chars, where = [], []
    for i, ch in enumerate(text):
        for n in norm(ch):
            chars.append(n)
            where.append(i)
    flat = "".join(chars)
    hits = []
    for label, value in labels.items():
        start = flat.find(label)
        while label and start >= 0:
            hits.append((start, start + len(label), value))
            start = flat.find(label, start + 1)
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    kept: list[tuple[int, int, Any]] = []
    for h in hits:
        if all(h[1] <= k[0] or k[1] <= h[0] for k in kept):
            kept.append(h)
    kept.sort()
    return [(where[s], where[e - 1] + 1, v) for s, e, v in kept]


def ticks(segment: str) -> tuple[bool | None, bool | None, str]:
    """(yes ticked, no ticked, leftover letters) of an answer like “：是 ☑    □否”; a tick goes with the word beside it."""
    marks = [ch for ch in segment if ch in YES or ch in NO or ch in CHECKED or ch in UNCHECKED]
    leftover = "".join(ch for ch in norm(segment) if ch not in YES and ch not in NO)
    owner: dict[int, bool] = {}  # index of a word in marks → ticked
    for i, ch in enumerate(marks):
        if ch not in CHECKED and ch not in UNCHECKED:
            continue
        before = i - 1 if i > 0 and marks[i - 1] in YES | NO and (i - 1) not in owner else None
        after = i + 1 if i + 1 < len(marks) and marks[i + 1] in YES | NO and (i + 1) not in owner else None
        word = before if before is not None else after
        if word is not None:
            owner[word] = ch in CHECKED
    yes = [owner[i] for i, ch in enumerate(marks) if ch in YES and i in owner]
    no = [owner[i] for i, ch in enumerate(marks) if ch in NO and i in owner]
    return (any(yes) if yes else None), (any(no) if no else None), leftover


class _ChecklistReader:
    def __init__(self, file: str, notes: Notes) -> None:
        self.file, self.notes = file, notes
        self.basics: dict[str, Any] = {}
        self.groups: dict[str, dict[str, Any]] = {"年度收入": {}, "年度支出": {}}
        self.answers: dict[str, dict[str, Any]] = {}
        self.singles: dict[str, Any] = {}

    def where(self, table: Table, r: int, cell: Cell) -> Where:
        return Where(self.file, table.index, r + 1, cell.col + 1)

    def table(self, table: Table) -> None:
        section = group = None
        section_col = group_col = -1
        for r, row in enumerate(table.rows):
            cells = [c for c in row if not c.continued]
            filled = [c for c in cells if c.text.strip()]
            if not filled:
                continue
            lead = filled[0]
            if norm(lead.text) not in SECTIONS and lead.col <= section_col:
                section, group = None, None
            inner = next((c for c in filled if norm(c.text) not in SECTIONS), None)
            if inner is not None and inner.col <= group_col:
                group = None
            used: set[int] = set()
            for i, cell in enumerate(cells):
                if i in used or not cell.text.strip():
                    continue
                key = norm(cell.text)
                value = cells[i + 1] if i + 1 < len(cells) else None
                if value is not None and _is_label(norm(value.text)):
                    value = None  # the value cell is missing: the next cell is a label of its own
                if key in SECTIONS:
                    section, section_col, group = key, cell.col, None
                elif key in SINGLES:
                    self._single(table, r, key, cell, value)
                    used.add(i + 1 if value is not None else -1)
                elif key in Implementation.model_fields:
                    group, group_col = key, cell.col
                elif section == "实施情况" or _find(QUESTIONS, cell.text):
                    self._questions(table, r, cell)
                elif _strip_unit(key) in GROUPS:
                    group, group_col = _strip_unit(key), cell.col
                elif key in BASICS or (group in GROUPS and key in GROUPS[group].model_fields) or _only_group(key):
                    self._basic(table, r, key, group, cell, value)
                    used.add(i + 1 if value is not None else -1)
                else:
                    self.notes.error(self.where(table, r, cell), "unknown-cell", f"不认识的“{quote(cell.text)}”：应为自评基础数据表的栏目"
                                     "（基本情况、实施情况的各项，部门主要绩效、自评结论、问题与建议、主管部门意见）")

    def _single(self, table: Table, r: int, key: str, label: Cell, cell: Cell | None) -> None:
        text = cell.text if cell is not None else ""
        if key == "自评结论" and text.strip():
            grade = norm(text)
            if grade not in GRADES:
                self.notes.error(self.where(table, r, cell or label), "not-a-grade", f"自评结论应为 优、良、中、差 之一，现为“{quote(text)}”：没有读入")
                return
            self.singles[key] = grade
            return
        self.singles[key] = text_value(text)

    def _basic(self, table: Table, r: int, key: str, group: str | None, label: Cell, cell: Cell | None) -> None:
        text = cell.text if cell is not None else ""
        where = self.where(table, r, cell or label)
        if key in BASICS:
            value = text_value(text) if key == "部门职能概述" else count_value(text, where, self.notes)
            target = self.basics
        else:
            group = group if group in GROUPS and key in GROUPS[group].model_fields else _only_group(key)
            assert group is not None
            value = amount_value(text, where, self.notes)
            target = self.groups[group]
        if key in target:
            self.notes.error(where, "duplicate-row", f"“{quote(label.text)}”出现了两次：只读入第一次出现的")
        elif value is not OUT:
            target[key] = value

    def _questions(self, table: Table, r: int, cell: Cell) -> None:
        where = self.where(table, r, cell)
        for line in cell.text.split("\n"):
            hits = _find(QUESTIONS, line)
            head = line[: hits[0][0]] if hits else line
            if norm(head):
                self.notes.error(where, "unknown-question", f"不认识的勾选项“{quote(head)}”：应为自评基础数据表实施情况中的问题，如“是否制定资金管理办法”")
            for n, (start, end, (group, name)) in enumerate(hits):
                segment = line[end : hits[n + 1][0] if n + 1 < len(hits) else len(line)]
                answers = self.answers.setdefault(group, {})
                if name in answers:
                    self.notes.error(where, "duplicate-question", f"勾选项“{quote(line[start:end])}”出现了两次：只读入第一次出现的")
                    continue
                value = self._answer(group, name, line[start:end], segment, where)
                if value is not OUT:
                    answers[name] = value

    def _answer(self, group: str, name: str, label: str, segment: str, where: Where) -> Any:
        model = Implementation.model_fields[group].annotation
        if name == "公开方式":
            return self._options(segment, where)
        if not _is_bool(model, name):
            if "Decimal" in str(model.model_fields[name].annotation):
                figure = segment.strip(_SEPARATORS)
                figure = figure[:-2] if figure.endswith("万元") else figure
                return amount_value(figure, where, self.notes)
            text = segment.lstrip(" \t\u3000:：").rstrip()
            return text or None
        yes, no, leftover = ticks(segment)
        if leftover:
            self.notes.warning(where, "extra-text", f"“{quote(label)}”的勾选后还有文字“{quote(segment)}”：没有读入，请核对")
        if yes is None and no is None:
            words = [ch for ch in segment if ch in YES or ch in NO]
            if len(words) == 1:  # the answer typed as a word: 是 / 否
                return words[0] in YES
            if words or any(ch in CHECKED for ch in segment):
                self.notes.error(where, "no-tick", f"“{quote(label)}”的回答“{quote(segment)}”里看不出勾的是哪一项（应为“是☑ 否□”这样，勾选框紧挨着是或否）：没有读入")
                return OUT
            return None
        if yes and no:
            self.notes.error(where, "both-ticked", f"“{quote(label)}”是、否都勾了（“{quote(segment)}”）：没有读入，请核对原件")
            return OUT
        return True if yes else False if no else None

    def _options(self, segment: str, where: Where) -> Any:
        found: dict[str, bool] = {}
        hits = _find(OPTIONS, segment)
        if norm(segment[: hits[0][0]] if hits else segment):
            self.notes.error(where, "unknown-question", f"公开方式里不认识的“{quote(segment)}”：应为 门户网站、单位内部、其它")
        for n, (start, end, name) in enumerate(hits):
            after = segment[end : hits[n + 1][0] if n + 1 < len(hits) else len(segment)].strip(_SEPARATORS)
            before = segment[hits[n - 1][1] if n else 0 : start].strip(_SEPARATORS)
            box = after[:1] if after[:1] in CHECKED | UNCHECKED else before[-1:]
            found[name] = box in CHECKED
        if not any(found.values()):  # nothing ticked: not answered
            found = {name: None for name in found}  # type: ignore[misc]
        return ordered(Disclosure, found)

    def tree(self, title: str | None, notes_below: list[str]) -> dict[str, Any]:
        basics = dict(self.basics)
        for group, model in GROUPS.items():
            if self.groups[group]:
                basics[group] = ordered(model, self.groups[group])
        tree: dict[str, Any] = {}
        if title is not None:
            tree["标题"] = title
        tree["基本情况"] = ordered(ChecklistBasics, basics)
        tree["实施情况"] = {
            group: ordered(Implementation.model_fields[group].annotation, self.answers[group])
            for group in Implementation.model_fields
            if self.answers.get(group)
        }
        tree.update(ordered(Checklist, self.singles))
        tree["表注"] = notes_below
        return ordered(Checklist, tree)


def _is_label(key: str) -> bool:
    return bool(key) and (key in SECTIONS or key in SINGLES or key in BASICS or _strip_unit(key) in GROUPS
                          or any(key in model.model_fields for model in GROUPS.values()) or key in Implementation.model_fields)


def _strip_unit(key: str) -> str:
    return key[: -len("万元")] if key.endswith("万元") else key


def _only_group(key: str) -> str | None:
    """The one 年度收入/年度支出 group having a field `key` (合计 is in both: None)."""
    groups = [g for g, model in GROUPS.items() if key in model.model_fields]
    return groups[0] if len(groups) == 1 else None


def read_checklist(annex: Annex, file: str, notes: Notes) -> dict | None:
    """The tree of 整体自评.yaml's `自评基础数据表`, read from the checklist annex; None when it has no table."""
    if not annex.tables:
        notes.error(Where(file), "missing-table", "自评基础数据表里没有找到表格：自评基础数据表没有读入")
        return None
    reader = _ChecklistReader(file, notes)
    for table in annex.tables:
        reader.table(table)
    below = below_table(annex, file, notes, skip=("单位名称", "主管部门(盖章)"))
    return reader.tree(title_of(annex), below)
