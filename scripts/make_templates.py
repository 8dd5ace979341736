"""Generate the built-in form sets' docxtpl templates: templates/<form set>/*.docx.

    python3 scripts/make_templates.py [OUT]

The committed .docx files are what `annexgen build` reads; this script is how
they were made, and the starting point when a county's layout is built anew.
A user may open the .docx in Word, WPS or LibreOffice, restyle it and save it:
the Jinja tags ({{ … }}, {%tr … %}, {%p … %}) are plain text in the cells and
paragraphs.

Each form set is one module in scripts/formsets/ that defines NAME (the folder
under templates/) and TEMPLATES (file name → function returning a python-docx
document); adding a set means adding a module. The layout they share (GB/T
9704-2012 page, styles, Grid tables, title and signature blocks) is in
formsets/layout.py and formsets/tables.py.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import formsets

OUT = Path(__file__).resolve().parent.parent / "templates"


def form_sets() -> dict[str, dict]:
    """NAME → TEMPLATES of every module in scripts/formsets/ that defines both, in module-name order."""
    found: dict[str, dict] = {}
    for info in sorted(pkgutil.iter_modules(formsets.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"formsets.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "TEMPLATES"):
            assert module.NAME not in found, f"two modules define the form set {module.NAME}"
            found[module.NAME] = module.TEMPLATES
    return found


def main(out: Path = OUT) -> None:
    """Write every form set's templates under `out`; the same script gives the same bytes."""
    for form_set, templates in form_sets().items():
        write_set(out / form_set, templates)


def write_set(out: Path, templates: dict) -> None:
    """Write one form set's templates, trimmed, with fixed document properties and zip layout."""
    import datetime as dt

    from annexgen.write import CoreProperties, docx_bytes
    from template_package import trim

    out.mkdir(parents=True, exist_ok=True)
    when = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    for name, make in templates.items():
        doc = make()
        trim(doc)
        (out / name).write_bytes(docx_bytes(doc, CoreProperties(title=name.removesuffix(".docx"), author="annexgen", subject="", when=when)))
        print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
