"""Generators of hostile department-year folders for the fuzz test (issue 9).

Each case builder writes one folder as a hostile unit might send it and returns a `Made`: a one-line
description for the reproducer, plus what the harness must also verify for this case (text that must never
reach the output, the number of project annexes a successful build must write). Builders draw every choice
from the `random.Random` they are given, so a (seed, case number) pair always makes the same folder.

Layout of a case (`work` is an empty folder):  work/单位/<year>/ the department-year (`root`),
work/单位/templates/ and work/outside/ for things planted beside it, work/out/ for build output.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).parent.parent
SOURCES = [REPO / "data" / "miluo-hrss" / "2023", REPO / "data" / "longhui-hrss" / "2024", REPO / "data" / "example-county" / "2024"]
WITH_PROJECTS = [s for s in SOURCES if (s / "项目").is_dir()]  # 汨罗 form set: one 项目支出绩效自评表 per project file
BUILTIN_FORMS = REPO / "templates"
MARKER = "PLANTED-7Q3Z"  # text a planted template or an outside file carries; it must never reach the output


@dataclass
class Made:
    description: str
    forbidden: tuple[str, ...] = ()  # must appear neither on the terminal nor inside any written .docx
    projects: int | None = None  # when build writes files: exactly this many 项目支出绩效自评表 (附件3-N) annexes
    extra: dict = field(default_factory=dict)


def copy_source(root: Path, rng: random.Random, sources: list[Path] = SOURCES) -> Path:
    """Copy one of `sources` to `root`; the small consistent example twice as often (its build is the quickest, its check passes)."""
    source = rng.choice(sources + [s for s in sources if s.parent.name == "example-county"])
    shutil.copytree(source, root)
    return source


def project_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "项目").glob("*.yaml")) if (root / "项目").is_dir() else []


def yaml_single(text: str) -> str:
    """A YAML single-quoted scalar: backslashes stay literal, so Jinja sees '\\ud800' as its own escape."""
    return "'" + text.replace("'", "''") + "'"


def set_line(path: Path, key: str, value: str) -> bool:
    """Replace the value of the first line `key: …` (any indentation); False if there is none."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(rf"(?m)^(\s*{re.escape(key)}:) .*$", lambda m: f"{m.group(1)} {value}", text, count=1)
    path.write_text(new, encoding="utf-8")
    return n == 1


def add_paragraphs(path: Path, items: list[str]) -> None:
    """Insert YAML list items (already quoted, possibly `heading:` with children) at the top of the first 正文."""
    text = path.read_text(encoding="utf-8")
    at = re.search(r"(?m)^  正文:\n", text)
    assert at, path
    block = "".join(f"    - {item}\n" for item in items)
    path.write_text(text[: at.end()] + block + text[at.end() :], encoding="utf-8")


def replace_value(path: Path, rng: random.Random, value: str) -> str:
    """Give a random `key: scalar` line of the file `value`; returns the key."""
    lines = path.read_text(encoding="utf-8").splitlines()
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*[^#\s-][^:]*: \S", line) and not line.rstrip().endswith(":")]
    i = rng.choice(candidates)
    key = lines[i].partition(": ")[0]
    lines[i] = f"{key}: {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return key.strip()


def random_yaml(root: Path, rng: random.Random) -> Path:
    return rng.choice(sorted(p for p in root.rglob("*.yaml") if p.is_file() and not p.is_symlink()))


# ---------------------------------------------------------------- 1. form sets as paths, planted templates

TEMPLATE_PAYLOADS = [
    "{{ lipsum.__globals__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os.system('echo " + MARKER + "-RAN > /dev/null') }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ self.__init__.__globals__ }}",
]


def plant_form_set(folder: Path, name: str, rng: random.Random) -> str:
    """A copy of a built-in set whose every template starts with the marker and a hostile expression."""
    shutil.copytree(BUILTIN_FORMS / rng.choice(["汨罗", "隆回"]), folder / name)
    payload = rng.choice(TEMPLATE_PAYLOADS)
    for docx in sorted((folder / name).glob("*.docx")):
        with zipfile.ZipFile(docx) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        xml = parts["word/document.xml"].decode("utf-8")
        xml = re.sub(r"(<w:t(?: [^>]*)?>)", lambda m: m.group(1) + MARKER + payload.replace("<", "&lt;").replace(">", "&gt;"), xml, count=1)
        parts["word/document.xml"] = xml.encode("utf-8")
        with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in parts.items():
                z.writestr(n, data)
    if rng.random() < 0.3:  # the manifest itself may point anywhere
        manifest = folder / name / "表样.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace("模板: 附件", "模板: ../../附件", 1), encoding="utf-8")
    return payload


def forms_as_path(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    work = root.parent.parent
    payload = plant_form_set(work / "outside", "x", rng)
    value = rng.choice(["../../outside/x", str(work / "outside" / "x"), "汨罗/../隆回", "../隆回", "./汨罗", "汨罗/", "~/x", "..", "/"])
    set_line(root / "部门.yaml", "表样", json.dumps(value, ensure_ascii=False))
    return Made(f"表样: {value} (planted set at outside/x with {payload})", forbidden=(MARKER,))


def forms_planted_beside(root: Path, rng: random.Random) -> Made:
    source = copy_source(root, rng)
    where = rng.choice([root / "templates", root.parent / "templates"])
    name = "汨罗" if "汨罗" in (source / "部门.yaml").read_text(encoding="utf-8") else "隆回"
    payload = plant_form_set(where, name, rng)
    return Made(f"{where.relative_to(root.parent.parent)}/{name} planted with {payload}", forbidden=(MARKER,))


# ---------------------------------------------------------------- 2. report text

EXPRESSIONS = [
    "{{ 项目.clear() }}", "{{ 项目.append(1) }}", "{{ 项目.pop() }}", "{{ 基础数据表.__dict__.clear() }}",
    "{% for a in 部门名称*1000 %}{% for b in 部门名称*1000 %}{% for c in 部门名称 %}x{% endfor %}{% endfor %}{% endfor %}", "{{ 'x'.ljust(2000000000) }}",
    "{{ '{:>2000000000}'.format(1) }}",
    "{% set s = 部门名称 ~ 部门名称 %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{% set s = s ~ s ~ s ~ s %}{{ s|length }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "{% set ns = namespace(n=2) %}{% for i in range(30) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}", "{{ 9 ** 9 ** 9 }}", "{{ '\\ud800' }}",
    "{{ '\\udfff' ~ 部门名称 }}", "{{ '\\x1b[31m' }}", "{{ '\\x00\\x07\\x0c' }}", "{{ '\\u202e' }}", "{{ '\\ufffe\\uffff' }}",
    "{{ range(10**9)|list|length }}", "{{ (部门名称 * 100000)|length }}", "{{ 部门名称|wordwrap(1) }}", "{{ 年度.__class__ }}",
    "{{ 项目[0].__class__.__init__ }}", "{% raw %}{{{% endraw %}", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ ''|attr('__class__') }}",
    "{{ 项目.sort() }}{{ 项目.reverse() }}{{ 项目.extend(项目) }}", "{{ 项目.insert(0, 项目[0]) }}", "{% set x = 项目 %}{{ x.__setitem__(0, 1) }}",
    "{{ 项目|map(attribute='__class__')|list }}", "{{ 基础数据表|attr('__dict__') }}", "{{ (项目 * 1000000)|length }}", "{{ 部门名称|center(1000000000) }}",
    "{{ 部门名称.zfill(1000000000) }}", "{{ ('\\t' ~ 部门名称).expandtabs(1073741824) }}", "{{ 部门名称.replace('', 部门名称 * 100) }}",
    "{{ range(100000)|join(部门名称 * 100) }}", "{{ 'a\\nb'|indent(1000000000) }}", "{{ lipsum(1000000) }}", "{{ dict(a=1).update(b=2) }}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "{{ 年度 ** 年度 ** 年度 }}", "{{ 10 ** 10 ** 10 }}",
    "{{ '{0:.1000000000f}'.format(1) }}", "{{ '%.*f'|format(1000000000, 1) }}", "{{ 部门名称|truncate(10 ** 12) }}",
    "{{ config }}{{ self }}{{ namespace }}", "{% include '/etc/passwd' %}", "{% extends '/etc/passwd' %}", "{% import 'x.html' as y %}",
    "{{ 项目[0].项目资金.年度资金总额.全年执行数 * 10 ** 999999 }}", "{{ 基础数据表.经费控制情况.公务接待[2] ** 99999 }}", "{{ 基础数据表.经费控制情况.公务接待[2] / 0 }}",
    "{{ 项目[0].项目资金.年度资金总额.全年执行数|round(1000000000) }}", "{{ 本项目.clear() }}{{ 本项目.项目名称 }}", "{{ 项目[0].__dict__ }}", "{{ '\\U0010ffff\\ue000\\ufeff' }}",
]


def expr_paragraph(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng, WITH_PROJECTS)
    chosen = [rng.choice(EXPRESSIONS) for _ in range(rng.randint(1, 2))]
    targets = [root / "自评报告.yaml"] + [p for p in project_files(root) if "\n自评报告:" in p.read_text(encoding="utf-8")]
    target = rng.choice(targets)
    add_paragraphs(target, [yaml_single(e) for e in chosen])
    return Made(f"{target.relative_to(root)} paragraph {' / '.join(chosen)}", projects=len(project_files(root)))


def expr_heading(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng, WITH_PROJECTS)
    name = re.search(r"(?m)^部门名称: (.*)$", (root / "部门.yaml").read_text(encoding="utf-8")).group(1).strip()
    variant = rng.choice(["equal", "expr"])
    if variant == "equal":  # two headings that become equal after expansion
        items = [f"{yaml_single(name)}:\n        - 甲", f"{yaml_single('{{ 部门名称 }}')}:\n        - 乙"]
    else:
        items = [f"{yaml_single(rng.choice(EXPRESSIONS))}:\n        - 甲"]
    add_paragraphs(root / "自评报告.yaml", items)
    return Made(f"自评报告.yaml headings {variant}: {' | '.join(i.splitlines()[0] for i in items)}", projects=len(project_files(root)))


def expr_everywhere(root: Path, rng: random.Random) -> Made:
    """An expression in every report of the year (department and each project)."""
    copy_source(root, rng, WITH_PROJECTS)
    e = rng.choice(EXPRESSIONS)
    for path in [root / "自评报告.yaml"] + project_files(root):
        if "  正文:\n" in path.read_text(encoding="utf-8"):
            add_paragraphs(path, [yaml_single(e)])
    return Made(f"every report: {e}", projects=len(project_files(root)))


# ---------------------------------------------------------------- 3. parser and numbers

SCALARS = [
    "!!bool maybe", "!!timestamp abc", "!!int abc", "!!float x", "!!null 1", "!!binary ***", "!!python/object:os.system", "!!python/object/apply:os.system ['echo hi']",
    "!!str", "!<tag:yaml.org,2002:int> 0x", "!foo bar", "1" * 5000, "-" + "9" * 4400, "0." + "0" * 23 + "1", "0.000000000000000000000001", "1e999", "-1e999",
    "1e-999", ".nan", ".inf", "-.inf", ".NaN", "1_000", "0x1F", "0o17", "1:20:30", "2024-13-45", "2024-02-29T25:61:00", "9" * 40 + "." + "9" * 40,
    "123456789012345678901234567890%", "1e2%", "-0", "0.0000000000000000000000000000000000000001%", "1E+99999999",
    "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]", "*undefined", "&x [*x]", "&y {a: *y}", "{<<: {a: 1}}", "{[1, 2]: x}", "{{a: 1}: x}",
    "!!float .nan", "!!timestamp 2024-02-30", "!!float 1e999", "!!int " + "9" * 5000, "1e-9999999999", "9" * 4301 + "%", "0." + "1" * 5000,
    '"\\ud800"', '"\\udfff"', "2024-02-29", "10000-01-01", "0000-01-01", "!!timestamp 99999-01-01",
]


def parser_scalar(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    path, value = random_yaml(root, rng), rng.choice(SCALARS)
    key = replace_value(path, rng, value)
    return Made(f"{path.relative_to(root)} {key}: {value[:60]}{'…' if len(value) > 60 else ''}")


def parser_deep(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    path = random_yaml(root, rng)
    depth = rng.choice([1000, 5000, 30000, 100000])
    kind = rng.choice(["[", "{", "[{", "- ", "indent", "mixed"])
    if kind == "[":
        value = "[" * depth
    elif kind == "{":
        value = "{a: " * depth
    elif kind == "[{":
        value = "[{a: " * (depth // 2)
    elif kind == "- ":
        value = "\n" + "- " * depth + "x"
    elif kind == "mixed":
        value = "[" * depth + "]" * depth
    else:  # nested block mappings, each one level deeper (capped: n levels take n²/2 bytes)
        depth = min(depth, 2500)
        value = "\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(depth)) + " " * (depth + 1) + "x"
    key = replace_value(path, rng, value)
    return Made(f"{path.relative_to(root)} {key}: {kind!r} nested {depth} deep")


def alias_bomb(levels: int, width: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def parser_alias_bombs(root: Path, rng: random.Random) -> Made:
    """Many files, each under any per-file bound, together well over any sane total."""
    copy_source(root, rng, WITH_PROJECTS)
    files = rng.choice([20, 100, 200])
    levels, width = rng.choice([(5, 10), (6, 9), (4, 30)])
    template = (project_files(root)[0]).read_text(encoding="utf-8")
    bomb = alias_bomb(levels, width)
    for i in range(files):
        where = rng.choice(["own", "append"])
        body = bomb if where == "own" else template + "备注: " + "\n" + "\n".join("  " + line for line in bomb.splitlines()) + "\n"
        (root / "项目" / f"{100 + i}-炸弹{i}.yaml").write_text(body, encoding="utf-8")
    return Made(f"{files} project files each with an alias bomb of {width}^{levels}")


def parser_big_totals(root: Path, rng: random.Random) -> Made:
    """Many files under the per-file size limit whose total is large (bytes and nodes across the folder)."""
    copy_source(root, rng, WITH_PROJECTS)
    files, size = rng.choice([(30, 2_000_000), (200, 300_000)])
    row = "  - [" + ", ".join(["1"] * 50) + "]\n"
    body = "列表:\n" + row * (size // len(row))
    for i in range(files):
        (root / "项目" / f"{200 + i}-大{i}.yaml").write_text(body, encoding="utf-8")
    return Made(f"{files} project files of {size} bytes of small nodes")


# ---------------------------------------------------------------- 4. files that are not regular files

def files_special(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    work = root.parent.parent
    target = rng.choice(sorted(p for p in root.rglob("*.yaml")) + [root / "项目" / "9-新.yaml"])
    (root / "项目").mkdir(exist_ok=True)
    rel = target.relative_to(root)
    kind = rng.choice(["loop", "self-loop", "dir-loop", "fifo", "dev-zero", "dev-random", "dev-stdin", "proc-environ", "outside", "outside-dir", "dangling", "dir-named-yaml", "unreadable", "digits", "socket-like-name", "bad-utf8-name", "root-is-link"])
    forbidden: tuple[str, ...] = ()
    if kind in ("loop", "self-loop", "fifo", "dev-zero", "dev-random", "dev-stdin", "proc-environ", "outside", "dangling", "dir-named-yaml") and target.exists():
        target.unlink()
    if kind == "loop":
        os.symlink(target.with_name("b.yaml").name, target)
        os.symlink(target.name, target.with_name("b.yaml"))
    elif kind == "self-loop":
        os.symlink(target.name, target)
    elif kind == "dir-loop":
        os.symlink("..", root / "项目" / "loop") if (root / "项目").is_dir() else os.symlink(".", root / "loop")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind in ("dev-zero", "dev-random", "dev-stdin", "proc-environ"):
        os.symlink({"dev-zero": "/dev/zero", "dev-random": "/dev/urandom", "dev-stdin": "/dev/stdin", "proc-environ": "/proc/self/environ"}[kind], target)
        forbidden = (MARKER,) if kind == "proc-environ" else ()  # the fuzz puts the marker in the environment
    elif kind in ("outside", "outside-dir"):
        secret = work / "outside" / f"{MARKER}-secret"
        secret.mkdir(parents=True)
        (secret / target.name).write_text(f"部门名称: {MARKER}\n年度: 2024\n表样: 汨罗\n", encoding="utf-8")
        if kind == "outside":
            os.symlink(secret / target.name, target)
        else:
            os.symlink(secret, root / "项目" / "外面") if (root / "项目").is_dir() else os.symlink(secret, root / "外面")
        forbidden = (MARKER,)
    elif kind == "dangling":
        os.symlink("不存在.yaml", target)
    elif kind == "dir-named-yaml":
        target.mkdir()
        (target / "x.yaml").write_text("a: 1\n", encoding="utf-8")
    elif kind == "unreadable":  # root reads it anyway; the case still checks the folder reads without a traceback
        target.exists() and target.chmod(0)
    elif kind == "digits":
        names = rng.sample(["1²2.yaml", "٣-阿拉伯.yaml", "１-全角.yaml", "²-上标.yaml", "1e5-x.yaml", "99999999999999999999999-大.yaml", "-1-负.yaml", "0-零.yaml", "1-.yaml", ".yaml"], 3)
        for name in names:
            shutil.copy(REPO / "data" / "example-county" / "2024" / "项目" / "1-就业服务.yaml", root / "项目" / name)
        rel = Path("项目") / "、".join(names)
    elif kind == "socket-like-name":
        (root / "项目" / "2-\x1b[2J\x07名.yaml").write_text("项目名称: x\n", encoding="utf-8")
    elif kind == "bad-utf8-name":
        os.close(os.open(os.fsencode(root / "项目") + b"/3-\xff\xfe.yaml", os.O_CREAT | os.O_WRONLY, 0o644))
    elif kind == "root-is-link":
        real = work / "real"
        root.rename(real)
        os.symlink(real, root)
    return Made(f"{rel}: {kind}", forbidden=forbidden)


# ---------------------------------------------------------------- 5. check/build agreement (names and lengths)

NASTY_CHARS = ["/", "\\", ":", "*", "?", '"', "<", ">", "|", "\\x01", "\\x1f", "\\t", "\\n", "\\r", "\\u202e", "\\x85", ".", " ", "\\u3000", "CON", "..", "\\ufeff"]


def agree_names(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    projects = project_files(root)
    kinds = ["department", "department-nasty", "title"] + (["signer"] if "签字:" in (root / "部门.yaml").read_text(encoding="utf-8") else [])
    kind = rng.choice(kinds + (["project", "project-nasty", "no-report"] if projects else []))
    if kind == "signer":
        key, n = rng.choice(["填表人", "单位负责人", "联系电话"]), rng.choice([254, 255, 256, 300, 5000])
        set_line(root / "部门.yaml", key, "'" + rng.choice("张李王") * n + "'")
        return Made(f"部门.yaml {key} of {n} characters")
    if kind in ("project", "project-nasty"):
        path = rng.choice(projects)
        if kind == "project":
            n = rng.choice([60, 72, 85, 100, 127, 300, 1000])
            name = "".join(rng.choice("就业服务专项资金ab1") for _ in range(n))
        else:
            name = "".join(rng.choice(NASTY_CHARS + ["名"]) for _ in range(rng.randint(1, 12)))
        set_line(path, "项目名称", json.dumps(name, ensure_ascii=False).replace("\\\\", "\\"))
        return Made(f"{path.relative_to(root)} 项目名称 {name[:40]!r} ({len(name)} chars)", projects=len(projects))
    if kind in ("department", "department-nasty"):
        if kind == "department":
            name = "部" * rng.choice([72, 100, 256, 300, 2000])
        else:
            name = "".join(rng.choice(NASTY_CHARS + ["局"]) for _ in range(rng.randint(1, 12)))
        set_line(root / "部门.yaml", "部门名称", json.dumps(name, ensure_ascii=False).replace("\\\\", "\\"))
        return Made(f"部门名称 {name[:40]!r} ({len(name)} chars)", projects=len(projects) if (root / "项目").is_dir() else None)
    if kind == "title":
        path = random_yaml(root, rng)
        set_line(path, "标题", "'" + "标" * rng.choice([100, 300, 3000]) + "'")
        return Made(f"{path.relative_to(root)} 标题 very long (if it has one)")
    path = rng.choice(projects)  # no-report
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n自评报告:") + 1], encoding="utf-8")
    return Made(f"{path.relative_to(root)} without 自评报告", projects=len(projects))


# ---------------------------------------------------------------- 6. terminal: escapes in keys, values, names

ESCAPES = ["\\e[2J", "\\x1b]0;pwn\\x07", "\\x1b[31m红", "\\x9b31m", "\\x85", "\\u202e右到左", "\\u2066隔离", "\\x00", "\\x7f", "\\r覆盖", "\\b\\b\\b", "\\udc80", "\\U0001F600", "\\u200f"]


def terminal_escapes(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    path = random_yaml(root, rng)
    esc = rng.choice(ESCAPES)
    where = rng.choice(["key", "value", "number", "heading"])
    text = path.read_text(encoding="utf-8")
    if where == "key":
        path.write_text(text + f'"{esc}": 1\n', encoding="utf-8")
    elif where == "heading" and "  正文:\n" in text:
        add_paragraphs(path, [f'"{esc}{{{{ 不存在 }}}}":\n        - "{esc}"'])
    else:
        replace_value(path, rng, f'"{esc}" ' if where == "value" else f'"12{esc}"')
    return Made(f"{path.relative_to(root)} {where} with \"{esc}\"")


# ---------------------------------------------------------------- mutation: random edits of the data/ examples

VALUES = ["~", "0", "-5", '"x"', "[]", "{}", "true", "100%", "0.0", "12万", "2024-02-30", '"≥0人"', '"0%"', '"≤0万元"', "1e999", ".5", "[1, 2, 3, 4]", "&a x", "*a",
          '"\\x07"', "１２．５", '"1,234.5"', "—", "'{{ 年度 }}'", "'{{ 不存在 }}'", "'{% for i in range(3) %}x{% endfor %}'", "0731", "1:20", "!!str 5", "|\n  多行"]
NOISE = ["\t", "\x07", "\u3000", "：", "\ufeff", "#", "'", '"', "{{", "}}", "- ", ": ", "\u2028", "😀", "\x1b", "\u202e", "\x85"]


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.35 and ": " in lines[i]:
            key = lines[i].partition(": ")[0]
            lines[i] = f"{key}: {rng.choice(VALUES)}"
        elif op < 0.5 and len(lines) > 1:
            del lines[i]
        elif op < 0.65:
            lines.insert(i, lines[i])
        elif op < 0.8:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op < 0.9:
            lines[i] = lines[i].replace(rng.choice("0123456789"), rng.choice("0123456789.-"))
        else:
            at = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:at] + rng.choice(NOISE) + lines[i][at:]
    return lines


def mutation(root: Path, rng: random.Random) -> Made:
    copy_source(root, rng)
    path = random_yaml(root, rng)
    path.write_text("\n".join(mutate(path.read_text(encoding="utf-8").splitlines(), rng)) + "\n", encoding="utf-8")
    return Made(f"mutated {path.relative_to(root)}")


# (class, builder name, builder): the fuzz picks among these with the case's own random generator
BUILDERS: list[tuple[str, str, Callable[[Path, random.Random], Made]]] = [
    ("1-forms", "forms_as_path", forms_as_path),
    ("1-forms", "forms_planted_beside", forms_planted_beside),
    ("2-expr", "expr_paragraph", expr_paragraph),
    ("2-expr", "expr_heading", expr_heading),
    ("2-expr", "expr_everywhere", expr_everywhere),
    ("3-parser", "parser_scalar", parser_scalar),
    ("3-parser", "parser_deep", parser_deep),
    ("3-parser", "parser_alias_bombs", parser_alias_bombs),
    ("3-parser", "parser_big_totals", parser_big_totals),
    ("4-files", "files_special", files_special),
    ("5-agree", "agree_names", agree_names),
    ("6-terminal", "terminal_escapes", terminal_escapes),
]
MUTATION = ("0-mutation", "mutation", mutation)
CLASSES = sorted({c for c, _, _ in BUILDERS} | {MUTATION[0]})


def make_case(work: Path, seed: int, case: int) -> tuple[str, str, Made]:
    """Write case `case` of `seed` under `work`; returns (class, builder name, what was made). Every third case is a mutation."""
    rng = random.Random(f"annexgen-fuzz:{seed}:{case}")
    cls, name, builder = MUTATION if rng.random() < 1 / 3 else rng.choice(BUILDERS)
    (work / "单位").mkdir(parents=True)
    (work / "outside").mkdir()
    made = builder(work / "单位" / "2024", rng)
    return cls, name, made
