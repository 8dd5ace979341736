"""`annexgen forms check`: find a form set's broken tags and unknown names before any build.

Every template is read the way docxtpl reads it (its `patch_xml` joins tags
that Word split across runs), then

- the whole XML is parsed by Jinja: a syntax error is reported at the
  paragraph or table cell it is in;
- every `{{ name.path }}` in every paragraph and cell is resolved against the
  shape of the context `render` gives that kind of annex (taken from a sample
  department-year), `{% for x in y %}` binding `x` to an item of `y`: a name the
  context does not have is reported with the template, the place and the
  nearest valid name;
- the template, as the build will use it, is audited for what Microsoft Word
  would offer to repair (`validity`): an element out of place, a relationship
  to a part that is not there.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.defaults import DEFAULT_NAMESPACE

from .bundled import REINSTALL, SAMPLE_PACKAGE, bundled_folder
from .errors import AnnexgenError
from .forms import FormSet
from .render import TemplateEnvironment
from .validity import place, template_findings

#: the sample department-year, shipped as package data (None when this installation lacks it)
SAMPLE = bundled_folder(SAMPLE_PACKAGE)
ANY = object()  # a value whose inside is not known (an item of an empty sample list)


@dataclass(frozen=True)
class Problem:
    """One problem in a template: which file, where in it, what."""

    template: str
    where: str
    message: str

    def text(self) -> str:
        return f"{self.template}: {self.where}: 错误: {self.message}"


# --- the shape of a context -------------------------------------------------------------


def shape(value: Any) -> Any:
    """Dicts keep their keys, lists become [shape of an item], everything else is text."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [shape(v) for v in value]
        merged: Any = ANY
        for item in items:
            merged = item if merged is ANY else _merge(merged, item)
        return [merged]
    return "text"


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in {**a, **b}}
    return a


def sample_shapes() -> dict[str, Any]:
    """The context shape of every kind of annex, from the sample department-year."""
    from .derive import derive
    from .forms import AnnexSpec
    from .load import load
    from .render import annexes

    if SAMPLE is None:
        raise AnnexgenError(f"错误: 检查表样要用到 annexgen 自带的示例数据，但它不在安装里。{REINSTALL}")
    loaded = load(SAMPLE)
    if loaded.submission is None:
        raise RuntimeError(f"sample department-year {SAMPLE} does not load")
    sub = derive(loaded.submission)
    kinds = ("基础数据表", "部门整体支出绩效自评表", "自评基础数据表", "项目支出绩效自评表", "部门整体支出绩效自评报告", "项目支出绩效自评报告")
    specs = tuple(AnnexSpec(编号=f"{i}" if k not in ("项目支出绩效自评表", "项目支出绩效自评报告") else f"{i}-{{序号}}", 名称="{项目名称}" if "项目" in k else k, 模板="-", 内容=k, 默认标题="{年度}") for i, k in enumerate(kinds, 1))
    fake = FormSet("sample", SAMPLE, specs)
    out: dict[str, Any] = {}
    for annex, _number, _name, ctx in annexes(sub, fake):
        # 封面 is None when a report has no cover: its shape is the one a cover gives
        out.setdefault(annex.内容, shape(ctx))
    return out


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


# --- checking ----------------------------------------------------------------------------------

_TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?\s*(?:tr|tc|p|r)?\s*(.*?)-?%\}", re.S)
_ENV = jinja2.Environment()


def _path(node: nodes.Node) -> list[str] | None:
    """`行.一级` → ['行', '一级']; `列[0]` → ['列', '[]']; None for anything else."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return base + [node.attr] if base else None
    if isinstance(node, nodes.Getitem):
        base = _path(node.node)
        return base + ["[]"] if base else None
    return None


def _resolve(names: dict[str, Any], path: list[str]) -> tuple[bool, str, list[str]]:
    """(found, the part not found, the valid names at that point)."""
    here: Any = names
    for i, part in enumerate(path):
        if here is ANY or here == "text":
            return True, "", []
        if part == "[]":
            if isinstance(here, list):
                here = here[0]
                continue
            return False, ".".join(path[: i + 1]), []
        if isinstance(here, dict) and part in here:
            here = here[part]
            continue
        valid = sorted(here) if isinstance(here, dict) else []
        return False, ".".join(p for p in path[: i + 1] if p != "[]"), valid
    return True, "", []


def _expressions(source: str) -> list[nodes.Node]:
    """The expressions a tag's text holds ({{ x }} and the iterables/conditions of {% %})."""
    try:
        tree = _ENV.parse(source)
    except jinja2.TemplateSyntaxError:
        return []
    return [n for n in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem))]


BUILTINS = {"loop", "range", "true", "false", "none", "True", "False", "None"}


def check_template(path: Path, context_shape: dict[str, Any]) -> list[Problem]:
    """Every problem of one template."""
    problems: list[Problem] = []
    name = path.name
    tpl = DocxTemplate(str(path))
    tpl.render_init()
    xml = tpl.patch_xml(tpl.get_xml())
    numbered = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
    paragraphs = list(tpl.docx.element.body.iter(qn("w:p")))
    try:
        tree = _ENV.parse(numbered)
    except jinja2.TemplateSyntaxError as e:
        problems.append(Problem(name, _at_line(paragraphs, e.lineno), f"标签写法有误：{e.message}"))
    else:
        problems.extend(Problem(name, _at_line(paragraphs, line), _inside(what)) for line, what in _reaches_inside(tree))
    problems.extend(_unsafe_elsewhere(tpl, name))
    scope = dict(context_shape)
    for p in paragraphs:
        text = _text(p)
        problems.extend(_balance(name, p, text))
        for m in _TAG.finditer(text):
            inner = m.group(1) if m.group(1) is not None else m.group(2)
            loop = re.match(r"\s*for\s+(\w+)\s+in\s+(.+?)\s*$", inner or "")
            if loop:
                var, iterable = loop.groups()
                tree = _expressions("{{ " + iterable + " }}")
                target = _path(tree[0]) if tree else None
                if target:
                    found, missing, valid = _resolve(scope, target)
                    if not found:
                        problems.append(_unknown(name, p, missing, valid))
                        scope[var] = ANY
                    else:
                        value = _follow(scope, target)
                        scope[var] = value[0] if isinstance(value, list) else ANY
                continue
            source = "{{ " + inner + " }}" if m.group(1) is not None else "{% if " + re.sub(r"^\s*(el)?if\s+", "", inner or "") + " %}{% endif %}"
            if m.group(1) is None and not re.match(r"\s*(el)?if\s", inner or ""):
                continue  # endfor, endif, else
            for node in _expressions(source):
                target = _path(node)
                if not target or target[0] in BUILTINS:
                    continue
                found, missing, valid = _resolve(scope, target)
                if not found:
                    problems.append(_unknown(name, p, missing, valid))
    unique: list[Problem] = []
    for prob in problems:
        if prob not in unique:
            unique.append(prob)
    return unique


def _balance(template: str, p, text: str) -> list[Problem]:
    """A tag must open and close in one paragraph, and a {{ }} must parse on its own."""
    out = []
    for open_, close in (("{{", "}}"), ("{%", "%}")):
        if text.count(open_) != text.count(close):
            out.append(Problem(template, place(p), f"标签写法有误：这一段里“{open_}”和“{close}”不成对（{text.strip()[:40]}）"))
    for m in re.finditer(r"\{\{(.*?)\}\}", text):
        try:
            _ENV.parse("{{" + m.group(1) + "}}")
        except jinja2.TemplateSyntaxError as e:
            out.append(Problem(template, place(p), f"标签写法有误：{m.group(0)}（{e.message}）"))
    return out


def _follow(scope: dict[str, Any], path: list[str]) -> Any:
    here: Any = scope
    for part in path:
        if here is ANY:
            return ANY
        here = here[0] if part == "[]" else here[part]
    return here


def _unknown(template: str, p, missing: str, valid: list[str]) -> Problem:
    last = missing.split(".")[-1]
    near = difflib.get_close_matches(last, valid, n=1, cutoff=0.0)
    hint = f"，是不是“{near[0]}”？" if near else ""
    return Problem(template, place(p), f"模板里的名称“{missing}”不存在{hint}")


#: Jinja's default globals the build's sandbox does not offer (`render.TemplateEnvironment`), and `self`
FORBIDDEN_GLOBALS = frozenset(DEFAULT_NAMESPACE) - frozenset(TemplateEnvironment().globals) | {"self"}


def _at_line(paragraphs: list, line: int | None) -> str:
    """The place of line `line` of the body's Jinja source: docxtpl puts each paragraph on its own line, so line N is the (N-1)th."""
    if not paragraphs:
        return "第1段"
    return place(paragraphs[max(0, min((line or 1) - 2, len(paragraphs) - 1))])


def _inside(what: str) -> str:
    return f"模板试图访问程序内部（{what}），生成时会被拒绝：模板里只能用表上的名称（见 annexgen forms check 的其他提示）"


def _reaches_inside(tree: nodes.Template) -> list[tuple[int, str]]:
    """(line, what) for each reach past the data: an attribute or key starting with "_", a global the sandbox lacks."""
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and str(node.arg.value).startswith("_"):
            found.append((node.lineno, f"[{node.arg.value!r}]"))
        elif isinstance(node, nodes.Name) and node.name in FORBIDDEN_GLOBALS:
            found.append((node.lineno, node.name))
    return found


def _unsafe_elsewhere(tpl: DocxTemplate, name: str) -> list[Problem]:
    """`_reaches_inside` in the other parts docxtpl renders: headers, footers, footnotes, document properties."""
    parts = []
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _rel, part in tpl.get_headers_footers(uri):
            parts.append((str(part.partname).lstrip("/"), tpl.patch_xml(tpl.get_part_xml(part))))
    for part in tpl.docx.part.package.iter_parts():
        if part.content_type.endswith(".footnotes+xml"):
            parts.append((str(part.partname).lstrip("/"), tpl.patch_xml(part.blob.decode("utf-8", "replace"))))
    props = tpl.docx.core_properties
    for prop in ("author", "comments", "identifier", "language", "subject", "title"):
        parts.append((f"docProps/core.xml {prop}", getattr(props, prop) or ""))
    problems = []
    for where, source in parts:
        try:
            tree = _ENV.parse(source)
        except jinja2.TemplateSyntaxError:
            continue  # docxtpl fails on it at build time with a located template-error
        problems.extend(Problem(name, where, _inside(what)) for _line, what in _reaches_inside(tree))
    return problems


def check_form_set(form_set: FormSet, shapes: dict[str, Any] | None = None) -> list[Problem]:
    """Every problem of every template of a form set."""
    from .forms import MANIFEST, pattern_errors

    shapes = shapes or sample_shapes()
    errors = pattern_errors(form_set)
    problems: list[Problem] = []
    for annex in form_set.annexes:
        problems.extend(Problem(MANIFEST, f"附件{annex.编号}", str(e).removeprefix("错误: ")) for of, e in errors if of is annex)
        template = form_set.template(annex)
        problems.extend(check_template(template, shapes[annex.内容]))
        problems.extend(Problem(template.name, where, message) for where, message in template_findings(template))
    return problems
