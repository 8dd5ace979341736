"""`annexgen forms new`: a copy of a form set, whole or some of its annexes renumbered, written whole.

- `choose` reads `--only 2,3` or `--only 2:1,3:2`: an annex is chosen by its printed
  number ("3" chooses the per-project pattern "3-{序号}"; "4-1" and "3-附1" their own),
  and may be given a new one ("3:2" makes "3-{序号}" into "2-{序号}").
- `manifest_text` edits the manifest in place (`yamledit`): the annexes not chosen are
  removed with their lines, 编号 and 模板 rewritten, 名称 set; comments and every other
  key (the profile: 附件编号, 评分, 审核, 标签; per annex: 必备 …) stay as written.
- `copy_form_set` copies the manifest and the templates the chosen annexes use (renamed
  so their leading number follows the new 编号) into a staging folder beside the target,
  reads the copy back as a form set, and moves it into place whole; an existing folder is
  never replaced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

from .files import MAX_FILE_BYTES, BadFile, TooLarge, read_regular
from .findings import display_path
from .forms import MANIFEST, AnnexSpec, FormSet, FormSetError, find_form_set, name_problem, read_form_set
from .output import held
from .yamledit import EditError, YamlEdit
from .yamlread import Budget, Document, Problem, decode, parse

MAX_NUMBER = 20  # characters of an annex number given with --only
_LEAD = re.compile(r"\d+(?:-\d+)*")  # the leading number of an annex number or a template's name (after 附件)


class OnlyError(FormSetError):
    """`--only` names an annex the set does not have, or gives two annexes one number."""

    code = "bad-only"


@dataclass(frozen=True)
class Pick:
    """One annex of the copy: its place in the source manifest, the annex, and its new 编号 (pattern kept)."""

    index: int
    annex: AnnexSpec
    number: str  # the new 编号, e.g. "2-{序号}"

    @property
    def renumbered(self) -> bool:
        return self.number != self.annex.编号

    @property
    def key(self) -> str:
        """The new number that would choose it ("2-{序号}" → "2")."""
        return head(self.number)


def head(number: str) -> str:
    return split_number(number)[0]


def printed(annex: AnnexSpec) -> tuple[str, str]:
    """(the number that chooses an annex, the pattern after it): "3-{序号}" → ("3", "-{序号}"), "4-1" → ("4-1", "")."""
    return split_number(annex.编号)


def split_number(number: str) -> tuple[str, str]:
    """An annex number split before its pattern: "3-{序号}" → ("3", "-{序号}"); one without a pattern is all head."""
    brace = number.find("{")
    if brace < 0:
        return number, ""
    head = number[:brace].rstrip("-－_ ")
    return head, number[len(head):]


def parse_only(text: str) -> list[tuple[str, str | None]]:
    """`2,3:2` → [("2", None), ("3", "2")]; Chinese commas and colons, spaces and a leading 附件 are allowed."""
    out: list[tuple[str, str | None]] = []
    if not text.strip():
        raise OnlyError("--only: 错误: 没有写附件号：写要复制的附件号，用逗号分开，如 --only 2,3 或 --only 2:1,3:2；复制整套表样时不加 --only")
    for item in re.split(r"[,，、]", text):
        item = item.strip()
        if not item:
            raise OnlyError(f"--only: 错误: “{text}”里有空的一项：写要复制的附件号，用逗号分开，如 --only 2,3 或 --only 2:1,3:2")
        parts = [p.strip().removeprefix("附件").strip() for p in re.split(r"[:：]", item)]
        if len(parts) > 2 or not all(parts):
            raise OnlyError(f"--only: 错误: “{item}”写法不对：每项写一个附件号，要改号时写“原号:新号”，如 3:2")
        out.append((parts[0], parts[1] if len(parts) == 2 else None))
    return out


def _number_problem(number: str) -> str | None:
    from .render import safe_filename

    if len(number) > MAX_NUMBER:
        return f"新附件号“{number[:MAX_NUMBER]}…”过长（不超过 {MAX_NUMBER} 字）"
    if any(c in number for c in "{}") or any(c.isspace() for c in number) or safe_filename(number) != number:
        return f"新附件号“{number}”不能用：附件号用于文件名，不能含空格、花括号或 / \\ : * ? \" < > | 等字符"
    return None


def choose(form_set: FormSet, only: str | None) -> list[Pick]:
    """The annexes `--only` chooses, in the source's order, with their new numbers; all of them, unchanged, without it."""
    annexes = form_set.annexes
    if only is None:
        return [Pick(i, a, a.编号) for i, a in enumerate(annexes)]
    numbers = "、".join(printed(a)[0] for a in annexes)
    wanted = parse_only(only)
    chosen: dict[int, str | None] = {}
    unknown = []
    for old, new in wanted:
        index = next((i for i, a in enumerate(annexes) if a.编号 == old), None)
        if index is None:
            index = next((i for i, a in enumerate(annexes) if printed(a)[0] == old), None)
        if index is None:
            unknown.append(old)
        elif index in chosen:
            raise OnlyError(f"--only: 错误: 附件{old} 写了两次：每个附件只写一次。没有写入任何文件")
        else:
            chosen[index] = new
    if unknown:
        patterned = next((printed(a)[0] for a in annexes if printed(a)[1]), None)
        hint = f"（按项目印的附件写前面的号：{patterned} 代表 {patterned}-1、{patterned}-2……）" if patterned else ""
        raise OnlyError(f"--only: 错误: 表样“{form_set.name}”没有附件 {'、'.join(unknown)}：它的附件号是 {numbers}{hint}。没有写入任何文件")
    picks = []
    for index in sorted(chosen):
        annex, new = annexes[index], chosen[index]
        if new is None:
            picks.append(Pick(index, annex, annex.编号))
            continue
        problem = _number_problem(new)
        if problem:
            raise OnlyError(f"--only: 错误: {problem}。没有写入任何文件")
        picks.append(Pick(index, annex, new + printed(annex)[1]))
    seen: dict[str, Pick] = {}
    for pick in picks:
        key = pick.key
        if key in seen:
            first = seen[key]
            raise OnlyError(
                f"--only: 错误: 附件{first.annex.编号}（{first.annex.名称}）和附件{pick.annex.编号}（{pick.annex.名称}）都编为附件{key}："
                f"请用“原号:新号”给它们不同的号，如 --only {printed(first.annex)[0]}:1,{printed(pick.annex)[0]}:2。没有写入任何文件"
            )
        seen[key] = pick
    return picks


def renamed(file: str, old: str, new: str) -> str:
    """A template's file name with its leading number following the annex's new one.

    附件2-部门整体支出绩效自评表.docx (2 → 1) → 附件1-部门整体支出绩效自评表.docx; 附件3附-基础数据表.docx
    (3-附1 → 2) → 附件2附-基础数据表.docx. A name that does not start with the annex's number stays.
    """
    if old == new or not file.startswith("附件"):
        return file
    lead = _LEAD.match(file, len("附件"))
    if lead is None:
        return file
    if lead[0] == old:
        put = new
    else:
        old_lead, new_lead = _LEAD.match(old), _LEAD.match(new)
        if old_lead is None or old_lead[0] != lead[0]:
            return file
        put = new_lead[0] if new_lead else new
    return "附件" + put + file[lead.end():]


def template_names(picks: Sequence[Pick]) -> dict[int, tuple[str, str]]:
    """{source index of an annex: (its template's file name, its name in the copy)}.

    A template two annexes share is copied once, named after the first; a new name
    another template already takes falls back to the old name, then to a numbered one.
    """
    out: dict[int, tuple[str, str]] = {}
    by_source: dict[str, str] = {}
    taken: set[str] = set()
    for pick in picks:
        source = Path(pick.annex.模板).name
        if source not in by_source:
            want = renamed(source, printed(pick.annex)[0], pick.key)
            stem, suffix = os.path.splitext(source)
            candidates = [want, source, *(f"{stem}-{k}{suffix}" for k in range(2, len(picks) + 3))]
            by_source[source] = next(c for c in candidates if c not in taken and c != MANIFEST)
            taken.add(by_source[source])
        out[pick.index] = (source, by_source[source])
    return out


def _written(raw: str, value: str) -> str:
    """`value` as YAML, in the quoting `raw` (the old value as written) used; plain only when it reads back the same."""
    if raw.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    if not raw.startswith('"'):
        try:
            if yaml.safe_load(f"k: {value}\n") == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _raw(edit: YamlEdit, path: tuple) -> str:
    span = edit.values[path]
    return edit.text[span.start:span.end]


def _put(edit: YamlEdit, path: tuple, value: str) -> None:
    if path not in edit.values:
        raise edit.refuse(path[:-1], f"附件缺少“{path[-1]}”")
    edit.set(path, value, _written(_raw(edit, path), value))


def _drop(edit: YamlEdit, path: tuple) -> tuple[int, int, str]:
    """The edit removing one annex from the list: its lines (“- 编号: …” to its last value), or in a [ ] list its text and a comma."""
    span, seq = edit.values[path], edit.values[path[:-1]]
    text = edit.text
    if span.kind != "map" or not span.bare:
        raise edit.refuse(path, "这个附件带锚点、标签或是别名")
    if seq.flow:
        items = sorted((s for p, s in edit.values.items() if p[:-1] == path[:-1] and len(p) == len(path)), key=lambda s: s.start)
        n = next(k for k, s in enumerate(items) if s is span)
        if n + 1 < len(items):
            return span.start, items[n + 1].start, ""
        if n > 0:
            return items[n - 1].end, span.end, ""
        return span.start, span.end, ""
    if span.flow:
        end = span.end
    else:
        inside = [s for p, s in (*edit.values.items(), *edit.keys.items()) if p[: len(path)] == path and len(p) > len(path)]
        end = max(s.start + len(text[s.start:s.end].rstrip()) for s in inside)
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    if not re.fullmatch(r"[ \t]*-[ \t]+", text[line_start:span.start]) or not re.fullmatch(r"[ \t]*(#[^\n]*)?\n?", text[end:line_end]):
        raise edit.refuse(path, "这个附件与别的内容写在同一行")
    return line_start, line_end, ""


def manifest_text(file: Path, text: str, name: str, picks: Sequence[Pick], templates: dict[int, tuple[str, str]]) -> str:
    """The manifest of the copy, edited in place: only the chosen annexes, their new 编号 and 模板, 名称 `name`."""
    doc = Document(file=file, data=None)
    try:
        parse(text, doc, Budget())
    except Problem as p:
        raise FormSetError(f"{display_path(file)}:{p.loc[0]}:{p.loc[1]}: 错误: {p.message}") from None
    edit = YamlEdit(file, text, doc.data)
    _put(edit, ("名称",), name)
    kept = {p.index: p for p in picks}
    dropped = []
    for i, annex in enumerate(doc.data["附件"]):  # validated a moment ago: a list of mappings
        pick = kept.get(i)
        if pick is None:
            edit.edits.append(_drop(edit, ("附件", i)))
            dropped.append(i)
            continue
        if pick.renumbered:
            _put(edit, ("附件", i, "编号"), pick.number)
        if i in templates and templates[i][1] != str(annex["模板"]):
            _put(edit, ("附件", i, "模板"), templates[i][1])
    for i in reversed(dropped):
        del edit.expected["附件"][i]
    return edit.result()


@dataclass(frozen=True)
class Copied:
    """A form set `forms new` made: where, from which set, and the annexes it holds."""

    folder: Path
    source: FormSet
    picks: tuple[Pick, ...]
    form_set: FormSet


def copy_form_set(name: str, source: str, into: Path, trusted: Sequence[Path] = (), only: str | None = None) -> Copied:
    """Copy form set `source` (all of it, or the annexes `only` chooses, renumbered) to `into`/<name>, staged and moved in whole."""
    problem = name_problem(name)
    if problem:
        raise FormSetError(f"错误: {problem}")
    origin = find_form_set(source, trusted)
    picks = choose(origin, only)
    target = into / name
    if target.exists() or target.is_symlink():
        raise FormSetError(f"{display_path(target)}: 错误: 已经有这个表样了：换一个名称，或先删除它")
    manifest = origin.folder / MANIFEST
    try:
        text, _note = decode(read_regular(manifest, origin.folder, MAX_FILE_BYTES), {"名称", "附件"})
    except (BadFile, TooLarge, Problem) as e:  # the set was read a moment ago
        raise FormSetError(f"{display_path(manifest)}: 错误: 无法再次读取表样清单（{getattr(e, 'message', e)}）") from None
    templates = template_names(picks) if only is not None else {}
    try:
        new_text = manifest_text(manifest, text, name, picks, templates)
    except EditError as e:
        raise FormSetError(f"{e}\n没有写入任何文件：请按提示改写 {display_path(manifest)}，或不加 --only 复制整套表样后手工删改") from None
    files = sorted({pair for pair in templates.values()}) if only is not None else None
    made = _write(target, origin.folder, new_text, files)
    return Copied(made, origin, tuple(picks), read_form_set(made))


def _write(target: Path, origin: Path, manifest: str, files: list[tuple[str, str]] | None) -> Path:
    """Write the copy in a staging folder beside `target`, read it back as a form set, move it into place.

    `files` lists (file in `origin`, its name in the copy); None copies every file of `origin`.
    """
    into = target.parent
    created = [p for p in (into, *into.parents) if not p.exists()]
    stage: Path | None = None
    try:
        into.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=into))
        staged = stage / target.name  # the stage itself holds no manifest: a leftover is never taken for a form set
        if files is None:
            shutil.copytree(origin, staged)
        else:
            staged.mkdir()
            for old, new in files:
                shutil.copyfile(origin / old, staged / new)
        (staged / MANIFEST).write_text(manifest, encoding="utf-8")
        try:
            read_form_set(staged)
        except FormSetError as e:
            raise FormSetError(f"{e.shown()}\n错误: 复制出的表样读不出来（程序错误），没有写入任何文件：请不加 --only 复制整套表样后手工删改") from None
        with held():
            if target.exists() or target.is_symlink():
                raise FormSetError(f"{display_path(target)}: 错误: 已经有这个表样了：换一个名称，或先删除它")
            os.rename(staged, target)
    except OSError as e:
        raise FormSetError(f"{display_path(target)}: 错误: 写入失败（{e.strerror or e}），没有生成新表样：请检查位置、磁盘空间和写权限") from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if not target.exists():
            for folder in created:  # the folders made for it, deepest first, while empty
                try:
                    folder.rmdir()
                except OSError:
                    break
    return target
