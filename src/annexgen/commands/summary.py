"""`annexgen summary`: the bureau's summary workbook (汇总, 项目, 问题) of a tree of department-years.

Where it goes:
- xlsx (the default): `-o` names the .xlsx file; an existing folder gets 汇总.xlsx in it.
- csv: `-o` naming a .csv file gets the 汇总 sheet only; any other `-o` is a folder
  that gets 汇总.csv, 项目.csv and 问题.csv, all three swapped in together.
Without `--format`, a `-o` ending in .csv means csv. The exit code is 0 once written,
whatever the department-years' findings (the workbook lists them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, TextIO

from ..errors import UnusableInputError
from ..findings import display_path
from ..summary import collect, csv_bytes, write_file, xlsx_bytes
from .progress import progress


class BadOutput(UnusableInputError):
    code = "bad-output"


def targets(out: Optional[Path], fmt: Optional[str]) -> tuple[str, Path, bool]:
    """(format, path, whether the path is a folder of CSV files) for `-o` and `--format`."""
    if fmt is None:
        fmt = "csv" if out is not None and out.suffix.lower() == ".csv" else "xlsx"
    if out is None:
        return fmt, Path(f"汇总.{fmt}"), False
    if fmt == "xlsx":
        if out.is_dir():
            return fmt, out / "汇总.xlsx", False
        if out.suffix.lower() != ".xlsx":
            raise BadOutput(f"{out}: 错误: 汇总工作簿的文件名应以 .xlsx 结尾（如 -o 汇总.xlsx）；要写 CSV 请加 --format csv")
        return fmt, out, False
    if out.suffix.lower() == ".csv" and not out.is_dir():
        return fmt, out, False
    if out.exists() and not out.is_dir():
        raise BadOutput(f"{out}: 错误: 已有同名文件，不是文件夹：CSV 写到一个文件时，文件名应以 .csv 结尾；写三个 CSV（汇总、项目、问题）时请给一个文件夹")
    return fmt, out, True


def run(path: Path, out: Optional[Path], fmt: Optional[str], stdout: TextIO, trusted: Sequence[Path] = (), jobs: Optional[int] = None) -> int:
    """Summarise every department-year at or under `path` into `out`; returns the exit code (0)."""
    from ..load import find_department_years

    fmt, target, folder = targets(out, fmt)
    if not folder and not target.parent.is_dir():
        raise BadOutput(f"{target}: 错误: 文件夹 {display_path(target.parent)} 不存在：请先建好它，或换一个输出位置")
    years = find_department_years(path)
    with progress(len(years), "汇总") as advance:
        summary = collect(path, trusted, advance, years, jobs)
    if fmt == "xlsx":
        write_file(target, xlsx_bytes(summary))
        shown = display_path(target)
    elif folder:
        from ..write import write_files

        write_files(target, {f"{sheet.name}.csv": csv_bytes(sheet) for sheet in summary.sheets})
        shown = f"{display_path(target)}/（{'、'.join(s.name + '.csv' for s in summary.sheets)}）"
    else:
        write_file(target, csv_bytes(summary.sheet("汇总")))
        shown = display_path(target)
    projects = len(summary.sheet("项目").rows)
    stdout.write(
        f"汇总了 {summary.years} 个年度（{projects} 个项目；{summary.errors} 个错误，{summary.warnings} 个警告），写入 {shown}\n"
    )
    return 0
