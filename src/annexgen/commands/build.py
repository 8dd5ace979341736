"""`annexgen build`: check and render every department-year at or under PATH."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence, TextIO

from .. import titles
from ..build import BuildResult, make
from ..errors import AnnexgenError
from ..findings import Finding, display_path
from ..forms import FormSet
from ..load import find_department_years
from ..output import Interrupted, WriteError, absolute, batch
from ..pool import cores as pool_cores
from ..pool import ordered, workers_for
from ..write import write_files
from .progress import Advance, progress
from .check import Report


def _make(job: tuple[Path, bool, bool, tuple[Path, ...]]) -> BuildResult:
    """One department-year, checked and rendered (in a worker process when the batch has several)."""
    return make(*job)


#: .docx files gathered per core before LibreOffice converts them (pdf.py: it starts once per core per window)
PDF_WINDOW = 100


def run(
    path: Path, out: Path, combine: bool, strict: bool, stdout: TextIO, trusted: Sequence[Path] = (), jobs: int | None = None, pdf: bool = False
) -> int:
    """Build each department-year into `out` (mirroring the folders under `path`); returns the exit code.

    `trusted` are the form-set folders named with --forms (see `build.build`). The
    department-years are made on `jobs` cores (default: all; pool.py) and written here,
    one at a time and in order, so the output is the same as one core's. With `pdf`,
    a PDF of every .docx is written with it, in the same atomic swap-in; LibreOffice
    converts the files of many department-years at once (`PDF_WINDOW` per core).

    The output folder is locked for the whole run. SIGINT, SIGTERM and SIGHUP
    raise `Interrupted` carrying a message that says which department-years were
    swapped in before it; a WriteError after some were says so too.
    """
    years = find_department_years(path)
    targets = [out / root.relative_to(path) if root != path else out for root in years]
    committed: list[Path] = []
    report = Report()  # findings, as each department-year is written
    stopped = []
    used = []  # (department-year, the form set it was built with): every build says which, from where
    written = 0
    window: list[tuple[Path, BuildResult]] = []  # made, waiting for their PDFs
    sets: dict[tuple, FormSet] = {}
    cores = jobs or pool_cores()

    def write(pending: list[tuple[Path, BuildResult]], advance: Advance) -> None:
        nonlocal written
        if pdf:
            with_pdfs(pending, cores, lambda name: advance.note(f"转成 PDF：{name.split('/', 1)[1]}"))
        for target, result in pending:
            report.add(result.findings)
            if not result.stopped:
                written += len(write_files(target, result.files))
            result.files = {}
        pending.clear()

    try:
        if pdf:
            from ..pdf import find_soffice

            find_soffice()  # no LibreOffice: say so before anything is made
        with batch(out) as current:
            committed = current.committed  # filled in as each department-year is swapped in
            workers = workers_for(len(years), jobs)
            if workers > 1:
                titles.warm()  # once here, shared by the forked workers, not once in each
            made = ordered(_make, [(root, combine, strict, tuple(trusted)) for root in years], workers)
            with progress(len(years), "生成") as advance:
                for root, target, result in zip(years, targets, made):
                    advance(display_path(root))
                    window.append((target, result))
                    if not pdf or sum(len(r.files) for _, r in window) >= PDF_WINDOW * cores:
                        write(window, advance)
                    if result.stopped:
                        stopped.append(root)
                    if result.form_set is not None:  # one copy of each form set, not one per department-year from the workers
                        fs = result.form_set
                        used.append((root, sets.setdefault((fs.name, fs.folder, fs.builtin), fs)))
                write(window, advance)
        report.write(stdout, len(years), used)
        for root in stopped:
            why = "有警告或错误（--strict）" if strict else "数据有格式错误或缺少表样需要的部分，无法生成"
            stdout.write(f"{display_path(root)}: 未生成：{why}。请按上面的提示改正后再运行。\n")
        if written:
            stdout.write(f"已生成 {written} 个文件，在 {display_path(out)}/\n")
    except KeyboardInterrupt as e:
        stop = e if isinstance(e, Interrupted) else Interrupted()
        stop.message = interrupted_state(years, swapped_in(targets, committed))
        raise stop from None
    except WriteError as e:
        done = swapped_in(targets, committed)
        if any(done):
            raise WriteError(e.path, f"{e.detail}。另外，{_state(years, done)}", e.code) from None
        raise
    except AnnexgenError as e:  # a form set or template that cannot be used: say what the years before it left
        done = swapped_in(targets, committed)
        if any(done):
            e.args = (f"{e}\n{_state(years, done)}。",)
        raise
    return 1 if report.errors or stopped else 0


def with_pdfs(pending: list[tuple[Path, BuildResult]], workers: int, progress: Callable[[str], None] | None = None) -> None:
    """Add a PDF beside every .docx of these department-years (one LibreOffice run for all); failures join their findings."""
    from ..pdf import to_pdf

    jobs = [(f"{i}/{name}", data) for i, (_, r) in enumerate(pending) for name, data in r.files.items() if name.endswith(".docx")]
    pdfs, failures = to_pdf(jobs, workers, progress)
    for key, data in pdfs.items():
        i, name = key.split("/", 1)
        pending[int(i)][1].files[name.removesuffix(".docx") + ".pdf"] = data
    for failure in failures:
        i, name = failure.name.split("/", 1)
        target, result = pending[int(i)]
        message = f"没能转成 PDF（Word 文件照常写出）：{failure.message}"
        result.findings.append(Finding(display_path(target / name), 1, 1, failure.code, "error", message))


def swapped_in(targets: list[Path], committed: list[Path]) -> list[bool]:
    """For each department-year's output folder, whether its files were swapped in."""
    return [absolute(t) in committed for t in targets]


def interrupted_state(years: list[Path], done: list[bool]) -> str:
    """What an interruption left in the output, from which department-years (in order) were swapped in."""
    if not any(done):
        return "已中断：输出文件夹未改动（原有文件保持原样）。"
    if all(done):
        if len(done) == 1:
            return "已中断：但中断时文件已全部写好，输出文件夹里是这次新生成的文件。"
        return f"已中断：但中断时全部 {len(done)} 个年度都已生成（新文件）。"
    return f"已中断：{_state(years, done)}。请重新运行以生成其余年度。"


def _state(years: list[Path], done: list[bool]) -> str:
    """'前 k 个年度已生成（新文件），第 k+1 个年度（…）起未改动（原有文件保持原样）', or the list when not a prefix."""
    k = sum(done)
    if k == len(done):
        return f"全部 {k} 个年度已生成（新文件）"
    if done[:k] == [True] * k:
        return f"前 {k} 个年度已生成（新文件），第 {k + 1} 个年度（{display_path(years[k])}）起未改动（原有文件保持原样）"
    names = "、".join(display_path(y) for y, d in zip(years, done) if d)
    return f"{k} 个年度已生成（新文件）：{names}；其余 {len(done) - k} 个年度未改动（原有文件保持原样）"
