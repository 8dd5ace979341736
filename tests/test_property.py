"""Property: any Unicode text in a text field builds into .docx files that contain it, or is refused with a located message.

The text reaches the YAML as a double-quoted scalar (JSON escapes are YAML escapes), so every
character can be written. The documented rules apply: characters XML 1.0 forbids are removed
with a warning (load.XML_FORBIDDEN), a carriage return reads back as a line break (XML
normalises line ends), and U+E000 is annexgen's merge marker (render.MERGE), never printed.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annexgen.build import build
from annexgen.load import XML_FORBIDDEN
from annexgen.render import MERGE
from extract import extract_text
from helpers import year

EXAMPLES = int(os.environ.get("ANNEXGEN_PROPERTY_EXAMPLES", "40"))  # more: ANNEXGEN_PROPERTY_EXAMPLES=1000
FIELDS = [
    # (file stem, text to replace, where the value is printed)
    ("部门", "部门名称: 测试县人力资源和社会保障局", "部门名称: {}", "附件2"),
    ("部门", "填表人: 张三", "填表人: {}", "附件1"),
    ("就业服务", "名称: 招聘会场次", "名称: {}", "附件3-1"),
    ("就业服务", "预期目标: 提供就业服务。", "预期目标: {}", "附件3-1"),
    ("基础数据表", "厉行节约保障措施: 压减一般性支出。", "厉行节约保障措施: {}", "附件1"),
]


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text`."""
    out = json.dumps(text, ensure_ascii=False)
    # characters YAML reads as line breaks or refuses raw: write them as escapes
    return re.sub("[\u0085\u2028\u2029\x7f-\x9f\ufeff]", lambda m: f"\\u{ord(m[0]):04x}", out)


def expected(text: str) -> str:
    text = XML_FORBIDDEN.sub("", text).replace(MERGE, "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), text=st.text(min_size=1, max_size=40))
def test_any_text_builds_or_is_refused_with_a_location(field, text: str) -> None:
    stem, old, new, annex = field
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = year(tmp / "data", **{stem: (old, new.format(yaml_string(text)))})
        result = build(root, tmp / "out")
        if result.stopped:
            blocking = [f for f in result.findings if f.severity == "error"]
            assert blocking and all(f.line >= 1 and f.column >= 1 and f.file.endswith(".yaml") for f in blocking)
            return
        target = next(p for p in result.written if p.name.split(" ")[0] == annex)
        for path in result.written:
            extract_text(path)  # python-docx opens every file
        assert expected(text) in extract_text(target)
