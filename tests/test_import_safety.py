"""Submitted Word files are untrusted: a hostile or broken file gets one located note, never a crash or a hang,
and the other files of the intake are still imported."""

from __future__ import annotations

import zipfile
from pathlib import Path

from typer.testing import CliRunner

from annexgen.cli import app
from annexgen.importing.grid import MAX_PART_BYTES
from clerkdocs import write_year

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "example-county" / "2024"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def annexgen(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def docx(path: Path, document: bytes, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def test_hostile_files_are_named_and_the_rest_imported(tmp_path: Path) -> None:
    inbox = tmp_path / "收件"
    good = inbox / "测试县"
    write_year(EXAMPLE, good, "one-file")
    bad = inbox / "坏单位"
    bad.mkdir(parents=True)
    body = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    docx(bad / "炸弹.docx", body + b" " * (MAX_PART_BYTES + 10) + b"</w:t></w:r></w:p></w:body></w:document>")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        + body + b"&e;&e;&e;&e;&e;&e;&e;&e;</w:t></w:r></w:p></w:body></w:document>"
    )
    docx(bad / "实体.docx", laughs)
    docx(bad / "样式炸弹.docx", body + b"x</w:t></w:r></w:p></w:body></w:document>", {"word/styles.xml": b" " * (MAX_PART_BYTES + 10)})
    (bad / "不是压缩包.docx").write_bytes(b"PK\x03\x04 not really")
    docx(bad / "没有正文.docx", b"").unlink()
    with zipfile.ZipFile(bad / "没有正文.docx", "w") as z:
        z.writestr("word/other.xml", "<x/>")
    (bad / "乱码.doc").write_bytes(b"\xd0\xcf\x11\xe0 garbage" * 10)
    (bad / "~$锁文件.docx").write_bytes(b"lock")

    result = annexgen("import", inbox, "-o", tmp_path / "各单位")
    out = result.stdout
    assert result.exit_code == 1, out
    for name in ("炸弹.docx", "样式炸弹.docx", "不是压缩包.docx", "没有正文.docx"):
        assert f"坏单位/{name}: 错误:" in out, name
    # LibreOffice reads any bytes as text: the garbage comes back as an annex nobody recognises
    assert any(line.startswith(str(bad / "乱码.doc")) and ": 错误:" in line for line in out.splitlines())
    assert out.count("[bad-file]") == 4 and "锁文件" not in out
    assert "实体.docx" in out and "aaaaaaaaaa" not in out  # the entities were never expanded
    assert "导入了 2 个单位：1 个写入" in out
    assert (tmp_path / "各单位" / "测试县" / "2024" / "部门.yaml").is_file()
    assert not (tmp_path / "各单位" / "坏单位").exists()


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    result = annexgen("import", tmp_path / "没有这个文件夹", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "找不到这个文件或文件夹" in result.stderr and "[no-data]" in result.stderr
    empty = tmp_path / "空"
    empty.mkdir()
    result = annexgen("import", empty, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "没有 Word 文件" in result.stderr
