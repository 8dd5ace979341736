"""A wheel carries the built-in form sets and the sample: install it in a fresh virtualenv and use it elsewhere.

The wheel is built offline (`pip wheel --no-build-isolation`, with the setuptools and
wheel the test extra installs) from a copy of this checkout, so the checkout gets no
build/ or egg-info. The virtualenv gets the wheel alone; the dependencies already
installed for the tests are reached through a .pth file naming their site-packages
folders, which adds those folders to sys.path without running the .pth files inside them,
so the editable install of this checkout stays out of the venv. Every command then runs
from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SETS = {"汨罗", "隆回", "全国"}
SAMPLE = REPO / "data" / "example-county" / "2024"
BUILT = [
    "附件1 部门整体支出绩效评价基础数据表.docx",
    "附件2 部门整体支出绩效自评表.docx",
    "附件3-1 就业服务项目支出绩效自评表.docx",
    "附件4 部门整体支出绩效自评报告.docx",
    "附件5-1 就业服务项目支出绩效自评报告.docx",
]
NOT_SOURCES = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks", ".venv")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def clean_env() -> dict[str, str]:
    """The environment without anything that would put this checkout on the venv's import path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A wheel of this checkout, installed into a new virtualenv; a working folder outside the repository."""
    tmp = tmp_path_factory.mktemp("install")
    source, dist, venv, work = tmp / "source", tmp / "dist", tmp / "venv", tmp / "work"
    shutil.copytree(REPO, source, ignore=NOT_SOURCES)
    work.mkdir()
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", dist, source, cwd=work, env=clean_env())
    assert built.returncode == 0, f"wheel build failed (does `pip install -e '.[test]'` need a rerun for setuptools/wheel?)\n{built.stdout}{built.stderr}"
    (wheel,) = dist.glob("annexgen-*.whl")
    assert run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work).returncode == 0
    python = venv / "bin" / "python"
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=work, env=clean_env())
    assert done.returncode == 0, done.stdout + done.stderr
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work).stdout.strip())
    outer = [p for p in (*site.getsitepackages(), site.getusersitepackages()) if Path(p).is_dir()]
    (purelib / "outer-dependencies.pth").write_text("".join(f"{p}\n" for p in outer), encoding="utf-8")
    return {"wheel": wheel, "venv": venv.resolve(), "bin": venv / "bin", "python": python, "work": work, "purelib": purelib.resolve()}


def in_venv(installed: dict[str, Path], *args: str | Path) -> subprocess.CompletedProcess:
    return run(*args, cwd=installed["work"], env=clean_env())


def test_wheel_holds_the_code_the_form_sets_and_the_sample(installed: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    code = {f"annexgen/{p.relative_to(REPO / 'src' / 'annexgen').as_posix()}" for p in (REPO / "src" / "annexgen").rglob("*.py")}
    assert code - names == set(), "a module is missing from the wheel: add its package to [tool.setuptools] packages"
    templates = {f"annexgen/templates/{p.relative_to(REPO / 'templates').as_posix()}" for p in (REPO / "templates").glob("*/*") if p.is_file()}
    assert {n.split("/")[2] for n in templates} == SETS
    assert templates - names == set()
    sample = {f"annexgen/sample/{p.relative_to(SAMPLE).as_posix()}" for p in SAMPLE.rglob("*.yaml")}
    assert "annexgen/sample/项目/1-就业服务.yaml" in sample
    assert sample - names == set()


def test_installed_package_is_the_venvs_own(installed: dict[str, Path]) -> None:
    probe = "import annexgen, annexgen.cli, annexgen.forms as f, annexgen.templatecheck as t; print(*annexgen.__path__, annexgen.cli.__file__, f.BUILTIN, t.SAMPLE, sep='\\n')"
    r = in_venv(installed, installed["python"], "-c", probe)
    assert r.returncode == 0, r.stderr
    *package, cli, builtin, sample = r.stdout.splitlines()
    assert package == [str(installed["purelib"] / "annexgen")]
    assert Path(cli) == installed["purelib"] / "annexgen" / "cli.py"
    assert Path(builtin) == installed["purelib"] / "annexgen" / "templates"
    assert Path(sample) == installed["purelib"] / "annexgen" / "sample"
    assert str(REPO) not in r.stdout


def test_forms_list_outside_the_repository(installed: dict[str, Path]) -> None:
    r = in_venv(installed, installed["bin"] / "annexgen", "forms", "list")
    assert r.returncode == 0, r.stderr
    lines = [line.split("\t") for line in r.stdout.splitlines()]
    assert [(name, where) for name, where, _ in lines] == [("全国", "内置"), ("汨罗", "内置"), ("隆回", "内置")]
    for name, _, folder in lines:
        assert Path(folder) == installed["purelib"] / "annexgen" / "templates" / name


def test_build_a_copy_of_the_example_outside_the_repository(installed: dict[str, Path]) -> None:
    work = installed["work"]
    shutil.copytree(SAMPLE, work / "2024")
    r = in_venv(installed, installed["bin"] / "annexgen", "build", "2024", "-o", "out")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "已生成 5 个文件，在 out/" in r.stdout
    assert sorted(p.name for p in (work / "out").iterdir()) == BUILT
    from annexgen.validity import audit

    assert {name: audit(work / "out" / name) for name in BUILT} == dict.fromkeys(BUILT, [])


def test_forms_check_from_the_wheel(installed: dict[str, Path]) -> None:
    r = in_venv(installed, installed["bin"] / "annexgen", "forms", "check")
    assert r.returncode == 0, r.stdout + r.stderr
    templates = installed["purelib"] / "annexgen" / "templates"
    assert r.stdout.splitlines() == [f"表样“{name}”（{templates / name}）：没有发现问题。" for name in sorted(SETS)]
