"""`annexgen import`: Word files → department-year folders, one or a whole intake.

One department-year: `annexgen import 附件1.docx 附件2.docx … -o 2024/`, or a folder
holding one unit's files. A whole intake: `annexgen import 收件/ -o 各单位/` where 收件/
holds one subfolder (or one file) per unit; each unit becomes 各单位/<unit>/<年度>/.

Exit codes: 0 everything placed; 1 folders written but something could not be
placed (or a unit could not be read); 2 nothing usable found.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TextIO

from ..errors import AnnexgenError, UnusableInputError
from ..files import natural_key
from ..forms import FormSetError, find_form_set
from ..findings import display_path
from ..importing.assemble import YearImport, assemble
from ..importing.intake import LEGACY, WORD, find_annexes, word_files, write_year, year_texts
from ..importing.notes import Notes
from ..output import WriteError
from .progress import progress

PROJECT_PLACEHOLDER = "未知年度"


@dataclass
class Unit:
    """One unit of an intake: its name (subfolder or file stem) and its Word files."""

    name: str
    files: list[Path]
    path: Path | None = None  # the subfolder or file it came from


def units_of(inputs: Sequence[Path], out: Path | None = None) -> list[Unit] | None:
    """The units of an intake folder (one subfolder or loose file each), or None when the inputs are one department-year.

    The output folder, when it is inside the intake folder (`import 收件 -o 收件/各单位`), is no unit."""
    if len(inputs) != 1 or not inputs[0].is_dir():
        return None
    root = inputs[0]
    skip = os.path.realpath(out) if out is not None else None
    entries = sorted((e for e in root.iterdir() if not e.name.startswith((".", "~$")) and os.path.realpath(e) != skip), key=lambda e: natural_key(e.name))
    folders = [e for e in entries if e.is_dir()]
    loose = [e for e in entries if e.is_file() and e.suffix.lower() in WORD | LEGACY]
    if not folders:
        return None
    return _unique([Unit(d.name, word_files(d), d) for d in folders] + [Unit(f.stem, [f], f) for f in loose])


def _unique(units: list[Unit]) -> list[Unit]:
    """Units whose names (their output folders) collide — 甲/ and 甲.docx, 甲.doc and 甲.docx — named by their file names."""
    names = Counter(u.name.casefold() for u in units)  # a case-insensitive file system would merge them too
    return [Unit(u.path.name, u.files, u.path) if names[u.name.casefold()] > 1 and u.path is not None and u.path.is_file() else u for u in units]


def _repeated(found) -> str | None:
    """A once-per-year kind the annexes found repeat (files of several units or years, not one), or None."""
    kinds = Counter(f.annex.kind for f in found if f.annex.kind and "项目" not in f.annex.kind)
    return next((kind for kind, n in kinds.items() if n > 1), None)


def _mixed(found, kind: str, folder: Path) -> str:
    """The refusal of a folder mixing several units' (or years') files that are not one whole unit each."""
    files = list(dict.fromkeys(f.file for f in found if f.annex.kind == kind))
    shown = "、".join(Path(f).name for f in files[:3]) + (f" 等 {len(files)} 个文件" if len(files) > 3 else "")
    return (f"{display_path(folder)}: 错误: “{kind}”出现了 {len(files)} 次（{shown}），一个单位一年只有一份：这里像是几个单位或几个年度的附件"
            f"（或同一附件的几份稿子），分不出哪些文件是一起的，没有写入。请把每个单位的文件放进各自的子文件夹（如 收件/某某局/）再导入收件文件夹，或删去多余的稿子 [mixed-units]")


def _unreadable(unit: Unit) -> str:
    """Why a unit of an intake has nothing to import: no Word files in its folder."""
    assert unit.path is not None
    others = sorted((p.name for p in unit.path.rglob("*") if p.is_file() and not p.name.startswith(".")), key=natural_key) if unit.path.is_dir() else []
    found = f"，只有 {'、'.join(others[:3])}{' 等' if len(others) > 3 else ''}" if others else "，文件夹是空的"
    return f"{display_path(unit.path)}: 错误: 没有 Word 文件（.docx、.doc、.wps）{found}：请向该单位要 Word 格式的附件（PDF、图片读不出表格） [no-word-files]"


def _guard(target: Path, sources: Sequence[Path]) -> None:
    """Refuse to write a folder that holds the files being imported: --force would delete them."""
    real = Path(os.path.realpath(target))
    for source in sources:
        here = Path(os.path.realpath(source))
        if here == real or real in here.parents:
            raise WriteError(target, f"要导入的 {display_path(source)} 就是这个文件夹或在它里面，写入会把它删掉，没有写入：请换一个输出文件夹（-o）", "target-is-source")


def read_year(found, notes: Notes, form_set: str | None, trusted: Sequence[Path]) -> YearImport:
    """One department-year from the annexes found in its files (and the notes of reading them)."""
    result = assemble(found, form_set, trusted) if found else YearImport()
    result.notes[:0] = notes
    return result


def _report(result: YearImport, out: Path, stream: TextIO, source: Path | None = None) -> None:
    for note in sorted(result.notes, key=lambda n: n.where):
        stream.write(note.text() + "\n")
    if not result.usable:
        where = display_path(source) if source is not None else (result.sources[0] if len(result.sources) == 1 else display_path(out))
        stream.write(f"{where}: 错误: 没有找到可导入的自评附件，没有写入 {display_path(out)}：请确认这些文件是部门整体支出绩效自评的附件（基础数据表、自评表、自评报告） [no-annexes]\n")
        return
    files = len(result.files)
    placed = "全部内容都已导入" if not result.notes.errors else f"{result.notes.errors} 处内容无法放置（见上），其余已导入"
    stream.write(f"{display_path(out)}: 表样“{result.form_set}”（{result.reason}）\n")
    stream.write(f"{display_path(out)}: 写入 {files} 个文件；{placed}。\n")


def run(inputs: Sequence[Path], out: Path, form_set: str | None, force: bool, trusted: Sequence[Path], stream: TextIO) -> int:
    """Import one department-year or a whole intake; returns the exit code (0, 1, 2)."""
    missing = [p for p in inputs if not p.exists()]
    if missing:
        raise UnusableInputError(f"{display_path(missing[0])}: 错误: 找不到这个文件或文件夹：请检查路径")
    if form_set:  # once, before any file is read (not once per unit of an intake)
        try:
            find_form_set(form_set, trusted)
        except FormSetError as e:
            raise UnusableInputError(f"--form-set: {e.shown()}") from None
    with tempfile.TemporaryDirectory(prefix="annexgen-import-") as scratch:
        units = units_of(inputs, out)
        if units is None:
            files = [f for p in inputs for f in word_files(p)]
            if not files:
                raise UnusableInputError(f"{display_path(inputs[0])}: 错误: 没有 Word 文件（.docx、.doc、.wps）：请指定自评附件的文件或所在文件夹")
            notes = Notes()
            found = find_annexes(files, notes, Path(tempfile.mkdtemp(dir=scratch)))
            repeated = _repeated(found) if len(inputs) == 1 and len(files) > 1 else None
            if repeated is not None and min(Counter(f.file for f in found).values()) < 2:
                for note in sorted(notes, key=lambda n: n.where):
                    stream.write(note.text() + "\n")
                stream.write(_mixed(found, repeated, inputs[0]) + "\n")
                return 2
            if repeated is not None:  # each file holds a whole unit's annexes: a flat intake folder
                units = _unique([Unit(f.stem, [f], f) for f in files])
            else:
                result = read_year(found, notes, form_set, trusted)
                if result.usable:
                    _guard(out, [*inputs, *files])
                    write_year(out, year_texts(result.files, out, result.sources), force)
                _report(result, out, stream, inputs[0] if len(inputs) == 1 else None)
                return 2 if not result.usable else (1 if result.notes.errors else 0)
        return _intake(units, out, form_set, force, trusted, stream, Path(scratch))


def _intake(units: list[Unit], out: Path, form_set: str | None, force: bool, trusted: Sequence[Path], stream: TextIO, scratch: Path) -> int:
    usable = partial = 0
    written: set[str] = set()
    with progress(len(units), "导入") as advance:
        for unit in units:
            advance(unit.name)
            target = out / unit.name
            if not unit.files:
                stream.write(_unreadable(unit) + "\n")
                continue
            try:
                notes = Notes()
                result = read_year(find_annexes(unit.files, notes, Path(tempfile.mkdtemp(dir=scratch))), notes, form_set, trusted)
                year = result.files.get("部门.yaml", {}).get("年度")
                target = out / unit.name / str(year or PROJECT_PLACEHOLDER)
                if result.usable and os.path.normcase(target) in written:  # never one unit over another of this run
                    raise WriteError(target, f"另一个单位刚刚写到了这个文件夹，这个单位（{display_path(unit.path or target)}）没有写入：请把两个单位的文件夹改成不同的名称", "duplicate-unit")
                written.add(os.path.normcase(target))
                if result.usable:
                    _guard(target, [p for p in (unit.path, *unit.files) if p is not None])
                    write_year(target, year_texts(result.files, target, result.sources), force)
            except AnnexgenError as e:
                stream.write(f"{e.shown()}\n")
                partial += 1
                continue
            _report(result, target, stream, unit.path)
            usable += result.usable
            partial += result.usable and bool(result.notes.errors)
    stream.write(f"导入了 {len(units)} 个单位：{usable} 个写入 {display_path(out)}，其中 {partial} 个有无法放置的内容。\n")
    if usable:
        stream.write(f"下一步：运行 annexgen check {display_path(out)} 检查全部单位。\n")
    return 2 if not usable else (1 if partial or usable < len(units) else 0)
