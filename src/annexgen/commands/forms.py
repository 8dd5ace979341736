"""`annexgen forms list|new|check`: the form sets on the search path (--forms folders, then built in)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence, TextIO

from ..findings import display_path
from ..forms import NO_FORM_SETS, FormSet, FormSetError, FoundSet, find_form_set, list_form_sets, read_form_set


def existing_sets(trusted: Sequence[Path]) -> list[FoundSet]:
    """The form sets on the search path; an error saying what to do when there is none."""
    found = list_form_sets(trusted)
    if not found:
        raise FormSetError(f"错误: {NO_FORM_SETS}")
    return found


def run_list(trusted: Sequence[Path], out: TextIO) -> int:
    for found in existing_sets(trusted):
        where = "内置" if found.builtin else "--forms"
        note = "（被前面同名的表样覆盖）" if found.shadowed else ""
        out.write(f"{found.name}\t{where}\t{display_path(found.folder)}{note}\n")
    return 0


def run_new(name: str, source: str, into: Path, trusted: Sequence[Path], out: TextIO, only: str | None = None) -> int:
    """Copy a form set (or the annexes `only` chooses, renumbered), then check the copy as `forms check` does."""
    from ..formcopy import copy_form_set

    copied = copy_form_set(name, source, into, trusted, only)
    out.write(f"已从表样“{source}”复制出新表样“{name}”：{display_path(copied.folder)}\n")
    if only is not None:
        listed = "、".join(f"附件{p.number} {p.annex.名称}" + (f"（原附件{p.annex.编号}）" if p.renumbered else "") for p in copied.picks)
        out.write(f"其中有 {len(copied.picks)} 个附件：{listed}\n")
    code = _report(copied.form_set, out)
    if code:
        out.write(f"复制出的表样有上面这些问题（多半原样来自表样“{source}”）：请用 Word/WPS 改正后运行 annexgen forms check {name} --forms {display_path(into)}\n")
    out.write(
        f"用 Word/WPS 修改其中的 .docx 后，运行 annexgen forms check {name} --forms {display_path(into)} 检查；"
        f"在 部门.yaml 中写“表样: {name}”，生成时加 --forms {display_path(into)}（或设置环境变量 ANNEXGEN_FORMS）即可使用。\n"
    )
    return code


def _report(form_set: FormSet, out: TextIO) -> int:
    """Write the problems `forms check` finds in one form set (or that it has none); 1 if any."""
    from ..templatecheck import check_form_set

    found = check_form_set(form_set)
    for p in found:
        out.write(f"{display_path(form_set.folder)}/{p.text()}\n")
    if not found:
        out.write(f"表样“{form_set.name}”（{display_path(form_set.folder)}）：没有发现问题。\n")
    return 1 if found else 0


def run_check(name: str | None, trusted: Sequence[Path], out: TextIO) -> int:
    if name:
        sets = [find_form_set(name, trusted)]
    else:
        sets = [read_form_set(f.folder, f.builtin) for f in existing_sets(trusted) if not f.shadowed]
    codes = [_report(form_set, out) for form_set in sets]
    return max(codes, default=0)
