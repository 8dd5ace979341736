"""Shared fixtures. Every .docx any test builds is audited for what Microsoft Word would repair."""

import hashlib
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from annexgen import write  # noqa: E402
from annexgen.validity import audit  # noqa: E402

_AUDITED: dict[str, list] = {}  # sha256 of a .docx → its findings (the suite builds the same bytes many times)


def audit_bytes(data: bytes) -> list:
    """openxml-audit's findings for a .docx given as bytes; each distinct file is audited once per session."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _AUDITED:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "annex.docx"
            path.write_bytes(data)
            _AUDITED[digest] = audit(path)
    return _AUDITED[digest]


@pytest.fixture(autouse=True)
def every_docx_is_valid(monkeypatch):
    """Record every .docx handed to write.write_files during the test; afterwards, none may have a finding."""
    written: list[tuple[str, bytes]] = []
    real = write.write_files

    def recording(out, files):
        written.extend((name, data) for name, data in files.items() if name.endswith(".docx"))
        return real(out, files)

    monkeypatch.setattr(write, "write_files", recording)
    yield
    invalid = {name: findings for name, data in written if (findings := audit_bytes(data))}
    assert not invalid, "Word would repair these files:\n" + "\n".join(f"{name}: {f.text()}" for name, fs in invalid.items() for f in fs[:5])
