"""An adversarial review of `annexgen import` and `annexgen new`: what a demanding clerk or an attacker tries.

Each test here pins a problem the review found (and fixed), or a property the import must keep:
- the YAML that import writes loads back (with annexgen's own loader, libyaml or the
  pure-Python parser it falls back to) as exactly the values written, for any text;
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annexgen.importing.emit import document, string
from annexgen.yamlread import XML_FORBIDDEN, Budget, Document, _Builder, _Composer, parse

REPO = Path(__file__).resolve().parents[1]


# --- emit: every value loads back as written ----------------------------------------------------


def _load(text: str, pure: bool = False):
    """`text` as annexgen reads it: libyaml's events, or the pure-Python parser's (yamlread's fallback)."""
    loader = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = Document(Path("x.yaml"), None)
    builder = _Builder(doc, Budget())
    value = builder.build(_Composer(Budget()).compose(yaml.parse(text, Loader=loader)), ())
    assert builder.warnings == []
    return value


#: characters YAML treats specially, line and paragraph separators, BOM, bidi controls, odd spaces
_TRICKY = list("-?:,[]{}#&*!|>'\"%@` \t\n\r\\/.0123456789eEx+_~ynoYNO") + [
    "\x85", "\u2028", "\u2029", "\ufeff", "\u202e", "\u2066", "\u3000", "\xa0", "\ufffd", "\U0001f600", "\u200b", "\x7f", "\x9f", "\ue000",
]
_WORDS = ["yes", "No", "on", "OFF", "null", "~", "0x1F", "1e5", ".inf", ".NaN", "1_000", "0731", "1:20", "2024-10-17", "2024-13-45",
          "12.00", "+1", "<<", "!!str", "---", "...", "- a", "a: b", "a #b", "a:", "? a", "=", "&a", "*a"]
_TEXTS = (
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
    | st.lists(st.sampled_from(_TRICKY + _WORDS), max_size=10).map("".join)
).filter(lambda s: not XML_FORBIDDEN.search(s))  # what a .docx (XML 1.0) can hold, and so what import can write


@settings(max_examples=1500, suppress_health_check=list(HealthCheck), deadline=None)
@given(_TEXTS, st.booleans())
def test_any_string_loads_back_as_written(text: str, pure: bool) -> None:
    """emit.string in every place import writes a string: a value, a key, inside {…} and […]."""
    assert _load(f"k: {string(text)}\n", pure)["k"] == text
    assert list(_load(f"{string(text)}: 1\n", pure)) == [text]
    assert _load(f"k: {{a: {string(text, True)}, b: 1}}\n", pure)["k"]["a"] == text
    assert _load(f"k: [{string(text, True)}, 1]\n", pure)["k"][0] == text


def test_a_question_mark_inside_braces_is_quoted() -> None:
    """PyYAML's parser ends a plain scalar at "?" inside {…}: "a?b" there must be quoted."""
    assert _load(f"k: {{a: {string('a?b', True)}}}\n", pure=True) == {"k": {"a": "a?b"}}


def _normal(value):
    """Values as compared after loading: numbers by their text (12.00 ≠ 12.0), the rest as they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return ("number", str(value))
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


_SCALARS = (
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6) | _TEXTS
)
_TREES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXTS, inner, max_size=4), max_leaves=20)
_FLOWS = {"年度资金总额", "总分"}


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.dictionaries(_TEXTS | st.sampled_from(sorted(_FLOWS)), _TREES, min_size=1, max_size=5))
def test_any_tree_loads_back_as_written(tree: dict) -> None:
    text = document(Path("/tmp/部门.yaml"), tree, ["说明"], {}, _FLOWS)
    assert _normal(_load(text)) == _normal(tree)


def test_a_key_longer_than_yaml_allows_on_one_line_loads_back() -> None:
    """A report heading is a key; YAML reads a key written as "key:" only up to 1024 characters."""
    for heading in ("一、" + "很长的标题" * 220, "x\ny" * 400):
        tree = {"正文": [{heading: ["段落", {heading: None}]}, {heading: []}]}
        text = document(Path("/tmp/自评报告.yaml"), tree, [], {}, set())
        doc = Document(Path("自评报告.yaml"), None)
        parse(text, doc, Budget())
        assert doc.data == tree
