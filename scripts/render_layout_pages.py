"""Render chosen pages of chosen built annexes to PNG, for before/after pictures of layout fixes.

    python3 scripts/render_layout_pages.py --src SRC_ROOT --label before|after

Builds with SRC_ROOT's own code and templates (in a subprocess, PYTHONPATH=SRC_ROOT/src, cwd=SRC_ROOT) from
SRC_ROOT/data, converts the annexes to PDF with LibreOffice and writes the pages to
docs/images/layout-<key>-<label>.png in this repository. Needs LibreOffice and poppler-utils.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# data set -> {key: (annex number, page)}; page -1 is the last page
PAGES = {
    "miluo": {"miluo-overall-p1": ("附件2", 1), "miluo-overall-p2": ("附件2", 2), "miluo-project-p1": ("附件3-3", 1),
              "miluo-report-cover": ("附件4", 1), "miluo-project-report-cover": ("附件5-3", 1)},
    "longhui": {"longhui-overall-p1": ("附件4-2", 1)},
    "nosign": {"nosign-basic-data": ("附件1", -1), "nosign-project-table": ("附件3-1", -1)},
}
# Runs the CLI and fails if any annexgen module came from outside SRC_ROOT/src (an editable install is on sys.path too).
BUILD = """import sys
SRC = sys.argv.pop(1)
from annexgen.cli import app
try:
    app()
finally:
    bad = [m.__file__ for n, m in list(sys.modules.items()) if n.split('.')[0] == 'annexgen'
           and getattr(m, '__file__', None) and not m.__file__.startswith(SRC)]
    if bad:
        print('annexgen imported from outside', SRC, bad, file=sys.stderr)
        raise SystemExit(3)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, required=True, help="root of the annexgen source tree to build with")
    parser.add_argument("--label", required=True, choices=["before", "after"])
    args = parser.parse_args()
    src = args.src.resolve()
    out = REPO / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nosign = tmp / "example-county" / "2024"
        shutil.copytree(src / "data" / "example-county" / "2024", nosign)
        yaml = nosign / "部门.yaml"
        yaml.write_text(re.sub(r"^签字:.*\n(?:[ \t]+.*\n?|\n)*", "", yaml.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
        data = {"miluo": src / "data" / "miluo-hrss" / "2023", "longhui": src / "data" / "longhui-hrss" / "2024", "nosign": nosign}
        for name, pages in PAGES.items():
            for path in render(src, data[name], tmp / name, pages, args.label, out):
                print(path)


def render(src: Path, data: Path, tmp: Path, pages: dict, label: str, out: Path):
    env = {**os.environ, "PYTHONPATH": str(src / "src")}
    run = subprocess.run([sys.executable, "-c", BUILD, str(src / "src") + "/", "build", str(data), "-o", str(tmp / "docx")], cwd=src, env=env, capture_output=True, text=True)
    built = list((tmp / "docx").glob("*.docx"))
    docx = {num: next((p for p in built if p.name.startswith(num + " ")), None) for num, _ in pages.values()}
    if run.returncode not in (0, 1) or None in docx.values():  # 1: built, but the check found errors in the data
        sys.exit(f"build of {data} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "pdf"), *map(str, docx.values())], check=True, capture_output=True)
    for key, (num, page) in pages.items():
        pdf = tmp / "pdf" / (docx[num].stem + ".pdf")
        count = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout, re.M)[1])
        if page > count:
            print(f"note: {docx[num].name} has {count} pages, not {page}: using page {count} for {key}")
        page = count if page == -1 or page > count else page
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(tmp / key)], check=True)
        target = out / f"layout-{key}-{label}.png"
        shutil.copy(tmp / f"{key}.png", target)
        yield target


if __name__ == "__main__":
    main()
