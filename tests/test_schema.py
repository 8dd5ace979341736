"""The JSON Schema accepts every example file and refuses what the model refuses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from annexgen.load import load_document
from annexgen.schema import file_schema

REPO = Path(__file__).parent.parent
KIND = {"部门.yaml": "department", "基础数据表.yaml": "basic-data", "整体自评.yaml": "overall", "自评报告.yaml": "report"}


def plain(value):
    """YAML values as JSON would hold them (the schema sees what an editor sees)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


def data_files():
    for f in sorted((REPO / "data").rglob("*.yaml")):
        yield f


@pytest.mark.parametrize("file", list(data_files()), ids=lambda f: str(f.relative_to(REPO / "data")))
def test_example_file_valid_against_its_schema(file: Path) -> None:
    kind = "project" if file.parent.name == "项目" else KIND[file.name]
    first = file.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=") and first.endswith(f"schema/{kind}.schema.json")
    assert (file.parent / first.split("=", 1)[1]).resolve() == (REPO / "schema" / f"{kind}.schema.json").resolve()
    doc, problems = load_document(file)
    assert not problems
    schema = file_schema(kind)
    Draft7Validator.check_schema(schema)
    errors = list(Draft7Validator(schema).iter_errors(plain(doc.data)))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_schema_refuses_unknown_key_and_text_amount() -> None:
    v = Draft7Validator(file_schema("basic-data"))
    ok = {"财政供养人员情况": {"编制数": 1}, "经费控制情况": {"公务接待": [1.5, None, 2]}}
    assert not list(v.iter_errors(ok))
    assert list(v.iter_errors({**ok, "财政供养人员": {}}))
    assert list(v.iter_errors({**ok, "经费控制情况": {"公务接待": ["12万", None, 2]}}))
    assert list(v.iter_errors({**ok, "经费控制情况": {"公务接待": [1, 2]}}))


def test_descriptions_are_chinese() -> None:
    schema = file_schema("basic-data")
    text = json.dumps(schema, ensure_ascii=False)
    assert "“三公”经费 = 公务用车购置和维护经费 + 出国经费 + 公务接待" in text
