"""The JSON Schema of the format (draft 7, which the YAML language server reads)."""

from __future__ import annotations

import json
from typing import Any

from .model import BasicData, Department, Form, Overall, Project, SelfReport, Submission

DRAFT7 = "http://json-schema.org/draft-07/schema#"

#: schema name → the model of one kind of data file
SCHEMA_FILES: dict[str, type[Form]] = {
    "department": Department,
    "basic-data": BasicData,
    "overall": Overall,
    "report": SelfReport,
    "project": Project,
}


def _draft7(schema: dict[str, Any]) -> dict[str, Any]:
    """Pydantic writes draft 2020-12: move $defs to definitions and point $ref there."""
    text = json.dumps(schema, ensure_ascii=False).replace('"#/$defs/', '"#/definitions/')
    out = json.loads(text)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    return {"$schema": DRAFT7, **out}


def file_schema(name: str) -> dict[str, Any]:
    """The schema of one kind of data file."""
    return _draft7(SCHEMA_FILES[name].model_json_schema(by_alias=True))


def submission_schema() -> dict[str, Any]:
    """The schema of a whole department-year, its files merged under their names."""
    return _draft7(Submission.model_json_schema(by_alias=True))


def write_all(folder) -> list:
    """Write every file's schema and the whole submission's into `folder`; returns the paths."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in [*((n, file_schema(n)) for n in SCHEMA_FILES), ("annexgen", submission_schema())]:
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
