"""Folders that ship inside the annexgen package: the built-in form sets and the sample department-year.

pyproject.toml declares two data-only packages and lists their files as package data:

- `annexgen.templates`: the repository's top-level `templates/` (the built-in form sets);
- `annexgen.sample`: `data/example-county/2024` (the department-year `forms check` reads).

A wheel (`pip install .`, `pipx install`) carries them as `annexgen/templates/` and
`annexgen/sample/`; an editable install (`pip install -e .`) maps the same package names
onto the checkout. Either way they are found here by asking the import system where the
package is. They are plain folders (no `__init__.py`), and on Python 3.11
`importlib.resources.files` cannot open such a package under an editable install (the
editable finder puts a placeholder entry in its `__path__`), so the folder is read from
the package's import spec instead.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

TEMPLATES_PACKAGE = "annexgen.templates"
SAMPLE_PACKAGE = "annexgen.sample"


def bundled_folder(package: str) -> Path | None:
    """The folder of one of annexgen's data packages, or None when this installation lacks it."""
    try:
        spec = importlib.util.find_spec(package)
    except ImportError:
        return None
    locations = spec.submodule_search_locations if spec is not None else None
    for location in locations or ():
        folder = Path(location)
        if folder.is_dir():
            return folder.resolve()
    return None


REINSTALL = "请重新安装 annexgen（如 pip install --force-reinstall annexgen；在源代码文件夹里则运行 bash scripts/setup）"
