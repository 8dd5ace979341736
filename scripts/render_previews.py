"""Render one page of each annex kind of each built-in set's department-years to PNG for the README (docs/images/).

    python3 scripts/render_previews.py

Needs LibreOffice and poppler-utils (scripts/setup installs them).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from annexgen.build import build

REPO = Path(__file__).resolve().parent.parent
SETS = {
    "miluo": [(REPO / "data" / "miluo-hrss" / "2023", {"附件1": "basic-data", "附件2": "overall-table", "附件3-1": "project-table", "附件4": "overall-report", "附件5-1": "project-report"})],
    "longhui": [(REPO / "data" / "longhui-hrss" / "2024", {"附件3": "overall-report", "附件3-附1": "basic-data", "附件4-1": "checklist", "附件4-2": "overall-table"})],
    # the 全国 set from two published Anhui submissions, one annex each (their mistakes kept)
    "national": [(REPO / "data" / "jinzhai-meili" / "2023", {"附件1": "overall-table"}), (REPO / "data" / "guichi-tangxi" / "2022", {"附件2-1": "project-table"})],
}


def main() -> None:
    for prefix, runs in SETS.items():
        for data, kinds in runs:
            render(data, prefix, kinds)


def render(data: Path, prefix: str, KINDS: dict[str, str]) -> None:
    out = REPO / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        result = build(data, tmp / "docx")
        files = [p for p in result.written if p.name.split(" ")[0] in KINDS]
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), *map(str, files)], check=True, capture_output=True)
        for docx in files:
            kind = KINDS[docx.name.split(" ")[0]]
            page = 2 if kind.endswith("report") and prefix == "miluo" else 1  # 汨罗 reports open with a cover
            stem = tmp / kind
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(tmp / "pdf" / (docx.stem + ".pdf")), str(stem)], check=True)
            shutil.copy(f"{stem}.png", out / f"{prefix}-{kind}.png")
            print(out / f"{prefix}-{kind}.png")


if __name__ == "__main__":
    main()
