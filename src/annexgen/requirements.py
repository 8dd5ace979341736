"""What the chosen form set needs: `check` finds the form set as `build` will, and every part it lacks.

So that a check without errors means the build can run: the form set named in
部门.yaml is looked up by name only (built-in sets, then the folders the
operator named with --forms), and each annex of it is matched against the data
it is filled from. A missing file or part is reported once, located at
部门.yaml's 表样 or at the file that lacks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .findings import Finding, display_path
from .forms import PER_PROJECT, AnnexSpec, FormSet, FormSetNotFound, check_patterns, fill_pattern, find_form_set, local_form_sets
from .load import Loaded

#: annex content → (the model path it is filled from, how to name what is missing)
NEEDS = {
    "基础数据表": (("基础数据表",), "基础数据表.yaml"),
    "部门整体支出绩效自评表": (("整体自评",), "整体自评.yaml"),
    "自评基础数据表": (("整体自评", "自评基础数据表"), "整体自评.yaml 中的“自评基础数据表”"),
    "部门整体支出绩效自评报告": (("自评报告",), "自评报告.yaml"),
}
TABLE = ("部门", "表样")


def _present(sub, path: tuple) -> bool:
    node = sub
    for part in path:
        node = getattr(node, part, None)
        if node is None:
            return False
    return True


def choose_form_set(loaded: Loaded, trusted: Sequence[Path] = ()) -> tuple[FormSet | None, list[Finding]]:
    """The form set the data names (None when there is none), and the findings about it."""
    findings = [_ignored(loaded, folder) for folder in local_form_sets(loaded.root, trusted)]
    sub = loaded.submission
    if sub is None:
        return None, findings
    try:
        form_set = find_form_set(str(sub.部门.表样), trusted)
    except FormSetNotFound as e:
        message = str(e).removeprefix("错误: ")
        findings.append(loaded.finding(TABLE, "unknown-form-set", "error", message))
        return None, findings
    check_patterns(form_set)
    findings.extend(missing_parts(loaded, form_set))
    findings.extend(unused_parts(loaded, form_set))
    return form_set, findings


#: parts of the data no annex of a set may be made from: (model path, kind that uses it, how to name it).
#: The 自评基础数据表 inside 整体自评.yaml is not among them: its answers are checked against the tables
#: (grade, 追加预算, 超编) whether or not the set prints it.
PARTS = (
    (("基础数据表",), "基础数据表", "基础数据表.yaml"),
    (("整体自评", "部门整体支出绩效自评表"), "部门整体支出绩效自评表", "整体自评.yaml 的部门整体支出绩效自评表"),
    (("自评报告",), "部门整体支出绩效自评报告", "自评报告.yaml"),
)


def unused_parts(loaded: Loaded, form_set: FormSet) -> list[Finding]:
    """A warning for each part of the data that the chosen set has no annex for: it would be left out of the build unsaid."""
    sub = loaded.submission
    assert sub is not None
    kinds = {a.内容 for a in form_set.annexes}
    out = []
    for path, kind, what in PARTS:
        if kind not in kinds and _present(sub, path):
            out.append(_unused(loaded, path, form_set, what))
    for n, project in enumerate(sub.项目):
        if "项目支出绩效自评表" not in kinds:
            out.append(_unused(loaded, ("项目", n), form_set, f"项目“{project.项目名称}”的项目支出绩效自评表"))
        elif project.自评报告 is not None and "项目支出绩效自评报告" not in kinds:
            out.append(_unused(loaded, ("项目", n, "自评报告"), form_set, f"项目“{project.项目名称}”的自评报告"))
    return out


def _unused(loaded: Loaded, path: tuple, form_set: FormSet, what: str) -> Finding:
    return loaded.finding(
        path,
        "unused-part",
        "warning",
        f"{what}在表样“{form_set.name}”的附件里没有位置，生成时不会印出：若它应当报送，请改用含这个附件的表样（部门.yaml 的“表样”）",
    )


def _ignored(loaded: Loaded, folder: Path) -> Finding:
    where = display_path(folder)
    return loaded.finding(
        TABLE,
        "local-forms-ignored",
        "warning",
        f"{where}/ 里有表样，但数据文件夹里（或上级）的表样不会被自动使用（它们可能来自别处，能改变生成的文件）："
        f"本次用的是 --forms 指定的或内置的表样。若确认可信，请加 --forms {where}",
    )


def has_data(sub, annex: AnnexSpec, project=None) -> bool:
    """Whether the data holds what `annex` is filled from (for a per-project annex: what `project` holds)."""
    if annex.内容 == "项目支出绩效自评表":
        return project is not None
    if annex.内容 == "项目支出绩效自评报告":
        return project is not None and project.自评报告 is not None
    return _present(sub, NEEDS[annex.内容][0])


def missing_parts(loaded: Loaded, form_set: FormSet) -> list[Finding]:
    """One finding for each part of the data a required annex of `form_set` is filled from and the data lacks.

    All of them at once, so that check without errors means build can run. An annex
    the manifest marks `必备: false` is made only when its data is there; when the
    data fills no annex at all, that is one finding naming what could be added.
    """
    sub = loaded.submission
    assert sub is not None
    out = []
    for annex in form_set.annexes:
        if not annex.必备:
            continue
        if annex.内容 == "项目支出绩效自评报告":
            for n, project in enumerate(sub.项目, 1):
                if not has_data(sub, annex, project):
                    number = fill_pattern(annex, "编号", 序号=n)
                    out.append(
                        loaded.finding(
                            ("项目", n - 1),
                            "missing-part",
                            "error",
                            f"表样“{form_set.name}”的附件{number}（项目支出绩效自评报告）要用本项目的“自评报告”，但这个文件里没有：请补上“自评报告:”（写法见示例数据），或改用不含项目报告的表样",
                        )
                    )
        elif annex.内容 not in PER_PROJECT:
            path, what = NEEDS[annex.内容]
            if not has_data(sub, annex):
                where = path[:1] if path[0] == "整体自评" and _present(sub, path[:1]) else TABLE
                out.append(
                    loaded.finding(
                        where,
                        "missing-part",
                        "error",
                        f"表样“{form_set.name}”的附件{annex.编号}（{annex.名称}）要用 {what}，但数据里没有：请补上，或改用不含该附件的表样",
                    )
                )
    if not out and not any(has_data(sub, a, p) for a in form_set.annexes for p in (sub.项目 if a.内容 in PER_PROJECT else [None])):
        out.append(loaded.finding(TABLE, "nothing-to-build", "error", f"表样“{form_set.name}”的附件所需的数据这里都没有（{_wanted(form_set)}）：请至少补上其中一项"))
    return out


def _wanted(form_set: FormSet) -> str:
    """'整体自评.yaml、项目/1-名称.yaml' — what the annexes of a set are filled from."""
    out: list[str] = []
    for annex in form_set.annexes:
        if annex.内容 == "项目支出绩效自评表":
            what = "项目/1-项目名称.yaml"
        elif annex.内容 == "项目支出绩效自评报告":
            what = "项目文件中的“自评报告”"
        else:
            what = NEEDS[annex.内容][1]
        if what not in out:
            out.append(what)
    return "、".join(out)
