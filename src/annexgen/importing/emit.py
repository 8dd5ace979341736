"""Writing imported data as YAML in exactly the format of `data/`.

Each file starts with the `# yaml-language-server` line and the explanatory comments
a clerk finds in `data/`, keys come in the model's order, and every figure is written
as printed: `12.00` stays `12.00`, a blank cell is `~`. Fund lines and totals are
written in flow style (`{年初预算数: 200, …}`), rows of three as `[a, b, c]`, as in
`data/`. Strings are written plain when YAML reads them back as the same string, and
double-quoted with escapes otherwise, so that every value loads back unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@` \t")
_FLOW_INDICATORS = ",[]{}?"  # end a plain scalar inside {…} or […] ("?" in PyYAML's parser, which yamlread falls back to)
#: written as \uXXXX in quoted text: C1 controls, line separators, and the invisible and bidi controls that would
#: make the YAML read differently in an editor than it loads (findings.printable escapes the same for the terminal)
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufff9-\ufffb]")
INDENT = "  "
MAX_IMPLICIT_KEY = 1000  # characters: YAML allows a key without "?" up to 1024 characters

SCHEMAS = {
    "部门.yaml": "department.schema.json",
    "基础数据表.yaml": "basic-data.schema.json",
    "整体自评.yaml": "overall.schema.json",
    "自评报告.yaml": "report.schema.json",
    "项目": "project.schema.json",
}


def scalar(value: Any, in_flow: bool = False) -> str:
    """One value as YAML text that loads back as the same value (`in_flow`: inside `{…}` or `[…]`)."""
    if value is None:
        return "~"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return string(str(value), in_flow)


def string(text: str, in_flow: bool = False) -> str:
    """A string plain when that reads back as the same string, else double-quoted."""
    if (
        text
        and not (in_flow and any(c in text for c in _FLOW_INDICATORS))
        and text[0] not in _PLAIN_START
        and not text.startswith("...")  # at the start of a line (a key) it ends the document
        and text == text.strip()
        and text.isprintable()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG
    ):
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _key(key: Any) -> str:
    return string(str(key))


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def flow(value: Any, in_flow: bool = False) -> str:
    """A small mapping or list on one line: `{a: 1, b: ~}`, `[1, 2, 3]`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string(str(k), True)}: {flow(v, True)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v, True) for v in value) + "]"
    return scalar(value, in_flow)


def _flow_ok(value: Any, path: tuple, flows: set[str]) -> bool:
    if isinstance(value, list):
        return not value or all(v is None or isinstance(v, (int, Decimal)) for v in value)  # rows of figures, or []
    if isinstance(value, dict):
        return not value or (bool(path) and path[-1] in flows and all(_is_scalar(v) for v in value.values()))
    return True


def block(value: Any, path: tuple, depth: int, comments: dict[tuple, list[str]], flows: set[str]) -> list[str]:
    """The lines of a mapping or list in block style, with the comments given for its keys."""
    pad = INDENT * depth
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = path + (k,)
            for c in comments.get(_pattern(here), []):
                lines.append(f"{pad}# {c}" if c else "")
            key = _key(k)
            if len(key) > MAX_IMPLICIT_KEY:  # YAML reads no longer key on one line: "? key" then ": value"
                lines.append(f"{pad}? {key}")
                key = ""
            if _is_scalar(v) or _flow_ok(v, here, flows):
                lines.append(f"{pad}{key}: {flow(v)}")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(block(v, here, depth + 1, comments, flows))
        return lines
    for i, item in enumerate(value):
        here = path + (i,)
        if _is_scalar(item) or _flow_ok(item, here, flows):
            lines.append(f"{pad}- {flow(item)}")
            continue
        inner = block(item, here, depth + 1, comments, flows)
        first = inner[0][len(INDENT) * (depth + 1) :] if inner else "{}"
        lines.append(f"{pad}- {first}")
        lines.extend(inner[1:])
    return lines


def _pattern(path: tuple) -> tuple:
    """A path with list positions as "*", the form comments are keyed by."""
    return tuple("*" if isinstance(p, int) else p for p in path)


def schema_line(file: Path, schema: str) -> str:
    """`# yaml-language-server: $schema=…` pointing at annexgen's schema/ folder, relative to `file`."""
    checkout = Path(__file__).resolve().parents[3]
    folder = checkout / "schema"
    here = Path(os.path.abspath(file)).parent
    if folder.is_dir() and here.is_relative_to(checkout):
        rel = os.path.relpath(folder / schema, here)
    elif folder.is_dir():  # outside the checkout: the schema where it is
        rel = str(folder / schema)
    else:  # an installed annexgen: as in data/
        rel = ("../" * (4 if file.parent.name == "项目" else 3)) + "schema/" + schema
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}"


def document(file: Path, tree: dict, header: list[str], comments: dict[tuple, list[str]] | None = None, flows: set[str] | None = None) -> str:
    """The text of one YAML file: schema line, header comments, a blank line, the data."""
    schema = SCHEMAS["项目" if file.parent.name == "项目" else file.name]
    lines = [schema_line(file, schema)] + [f"# {h}" for h in header] + [""]
    lines += block(tree, (), 0, comments or {}, flows or set())
    return "\n".join(lines) + "\n"
