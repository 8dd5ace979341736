"""`annexgen new NEW --from OLD`: next year's department-year folder, written whole or not at all.

The files come from `rollover.roll_folder`. They are written into a temporary
folder beside NEW, loaded again (a format error there would be ours: nothing is
swapped in), and only then renamed to NEW in one step; with --force an existing
NEW is moved aside first and deleted after the swap. An error or Ctrl-C before the
swap leaves NEW as it was and removes the temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TextIO

from ..check import check_loaded
from ..files import foreign, some
from ..findings import display_path
from ..load import load
from ..output import held
from ..rollover import Rolled, RolloverError, roll_folder


FORM_SET_CODES = {"unknown-form-set", "local-forms-ignored"}  # a county's own form set is named with --forms at check time


def _refuse(path: Path, message: str, code: str, exit_code: int = 1) -> RolloverError:
    return RolloverError(display_path(path), message, code, exit_code)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_target(new: Path, old: Path, force: bool) -> bool:
    """Whether NEW exists and will be replaced; refuses a target that must not be written."""
    real_new, real_old = Path(os.path.realpath(new)), Path(os.path.realpath(old))
    if real_new == real_old or real_old in real_new.parents or real_new in real_old.parents:
        raise _refuse(new, f"新文件夹不能是原文件夹 {display_path(old)} 本身、其中的文件夹或其上级：请另选一个文件夹，如与它并列的下一年度文件夹", "target-is-source")
    if os.path.islink(new):
        raise _refuse(new, "这是一个符号链接：请给出一个普通文件夹的路径", "target-exists")
    if not os.path.lexists(new):
        return False
    if not new.is_dir():
        raise _refuse(new, "已有同名的文件（不是文件夹）：请换一个名称", "target-exists")
    try:
        empty = not any(os.scandir(new))
    except OSError as e:
        raise _refuse(new, f"无法读取这个文件夹（{e.strerror or e}）", "write-error") from None
    if not empty and not force:
        raise _refuse(new, "文件夹已存在且不是空的，没有改动：换一个文件夹，或加 --force 用新年度的数据替换它（其中原有的年度数据会被替换）", "target-exists")
    others = foreign(new) if not empty else []
    if others:  # --force replaces a department-year folder, never one holding Word files, notes or other years
        raise _refuse(new, f"文件夹里有不是年度数据的内容（{some(others)}），--force 只替换年度数据文件夹，没有改动：请换一个文件夹，或先移走这些内容", "target-exists")
    return True


def write_folder(new: Path, files: dict[str, str], replace: bool) -> None:
    """Write `files` (relative path → text) as the folder `new`, atomically (see the module docstring)."""
    parent = Path(os.path.abspath(new)).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{new.name}.annexgen-new-", dir=parent))
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes it private; the new folder gets the usual permissions
    except OSError as e:
        raise _refuse(parent, f"无法在这里建立文件夹（{e.strerror or e}）：请检查路径和写权限", "write-error") from None
    aside: Path | None = None
    swapped = False
    try:
        for rel, text in files.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="") as out:
                out.write(text)
        problems = [f for f in load(stage).findings if f.severity == "error"]
        if problems:
            raise _refuse(new, f"生成的文件读不回来（{problems[0].message}），没有写出新文件夹：这是程序的问题，请报告", "internal")
        with held():  # the swap is not cut in two by Ctrl-C
            if replace:
                aside = stage.with_name(stage.name + "-old")
                os.rename(new, aside)
            elif os.path.lexists(new):
                os.rmdir(new)  # the empty folder NEW (only if still empty)
            os.rename(stage, new)
            swapped = True
    except OSError as e:
        raise _refuse(new, f"无法写出新文件夹（{e.strerror or e}），原有内容没有改动", "write-error") from None
    except KeyboardInterrupt as e:
        if swapped:  # a signal held off during the swap arrives once it is done
            e.message = f"已中断：{display_path(new)} 已经生成，请运行 annexgen check {display_path(new)} 查看。"  # type: ignore[attr-defined]
        raise
    finally:
        if not swapped:
            shutil.rmtree(stage, ignore_errors=True)
            if aside is not None and os.path.lexists(aside) and not os.path.lexists(new):
                os.rename(aside, new)  # put the old folder back
        if aside is not None and swapped:
            shutil.rmtree(aside, ignore_errors=True)


def run(new: Path, old: Path, force: bool, out: TextIO) -> int:
    """Make the folder NEW from OLD; returns the exit code (0). Refusals raise RolloverError."""
    rolled = roll_folder(old)
    replace = check_target(new, old, force)
    write_folder(new, rolled.files, replace)
    try:
        report(new, old, rolled, out)
    except KeyboardInterrupt as e:
        e.message = f"已中断：{display_path(new)} 已经生成，请运行 annexgen check {display_path(new)} 查看。"  # type: ignore[attr-defined]
        raise
    return 0


def report(new: Path, old: Path, rolled: Rolled, out: TextIO) -> None:
    """What was done, what the check of the new folder says, and the next step."""
    t, year = rolled.tally, rolled.old_year + 1
    out.write(f"已由 {display_path(old)}（{rolled.old_year} 年度）生成 {display_path(new)}（{year} 年度），共 {len(rolled.files)} 个文件：\n")
    out.write(f"  - 年度改为 {year}，标题和表头的年份随之改为 {year}；\n")
    if "基础数据表.yaml" in rolled.files:
        out.write(f"  - 基础数据表经费控制情况的 {rolled.old_year}年决算数（{t.moved} 个）移入新表的“{rolled.old_year}年决算数”（上年决算）一列；\n")
    out.write(f"  - {t.cleared} 项本年度的数字、得分、实际完成值和说明已清空（写作 ~），待填写；\n")
    out.write(f"  - 保留了编制数、项目、指标（名称、年度指标值、分值）、预期目标和报告的各级标题；删去了报告正文 {t.removed} 段。\n")
    for note in rolled.notes:
        out.write(f"  - {note}\n")
    if rolled.skipped:
        out.write(f"  没有复制（不是年度数据文件）：{'、'.join(rolled.skipped[:10])}{' 等' if len(rolled.skipped) > 10 else ''}\n")
    findings = check_loaded(load(new))
    errors = [f for f in findings if f.severity == "error" and f.code not in FORM_SET_CODES]
    if errors:
        out.write(f"注意：新文件夹里有 {len(errors)} 个错误，来自 {rolled.old_year} 年度保留下来的内容（如去年的本年决算数合计不符、指标分值之和不是 100），请核对：\n")
        for f in errors:
            out.write(f"  {f.text()}\n")
    out.write(f"下一步：填写 {year} 年度的预算数、决算数、执行数、实际在职人数、各指标的实际完成值和得分、报告正文，然后运行 annexgen check {display_path(new)}\n")
