"""The `annexgen` command line: a thin Typer layer over load/check/schema.

Every command catches `AnnexgenError` once and turns it into a Chinese message
and an exit code; the library functions do the work.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .clizh import ZhCommand, ZhGroup, usage_error
from .errors import AnnexgenError
from .findings import SafeStream, printable

app = typer.Typer(
    cls=ZhGroup,
    help="annexgen：部门整体支出绩效自评附件。用 YAML 写数据，检查算术，生成 Word 附件。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    text = "text"
    json = "json"


def _fail(error: AnnexgenError) -> typer.Exit:
    typer.echo(printable(error.shown()), err=True)
    return typer.Exit(error.exit_code)


def _abandon(interruption: BaseException) -> int:
    """Drop the work an interruption cut short; returns the exit code (128 + signal: 130 SIGINT, 143 SIGTERM, 129 SIGHUP).

    An interruption can land inside a library writing a zip: the half-written
    objects are finalised here, with Python's "Exception ignored in …" reports
    silenced, so that nothing but our message reaches the terminal.
    """
    import gc
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        if interruption.__traceback__ is not None:
            traceback.clear_frames(interruption.__traceback__)
        interruption.__traceback__ = None
        interruption.__context__ = None
        gc.collect()
    finally:
        sys.unraisablehook = hook
    return getattr(interruption, "exit_code", 130)


def _json_error(code: str, message: str) -> None:
    """What stopped a command, as the one finding of a JSON list (its file is in the message)."""
    from .commands.check import write_json
    from .findings import Finding

    write_json([Finding("", 0, 0, code, "error", message)], _out())


def _out() -> SafeStream:
    """Standard output for a command: nothing from the data reaches the terminal raw."""
    return SafeStream(sys.stdout)


FORMS_HELP = (
    "另外使用的表样文件夹（本县自己的表样，确认可信后才指定；可写多次，也可用环境变量 ANNEXGEN_FORMS）。"
    "其中的表样优先于内置表样。数据文件夹里（或上级）的 templates/ 不会被自动使用"
)


def forms_option() -> list[Path]:
    return typer.Option([], "--forms", help=FORMS_HELP, envvar="ANNEXGEN_FORMS", file_okay=False)


def jobs_option() -> Optional[int]:
    return typer.Option(None, "-j", "--jobs", metavar="核数", callback=_at_least_one, help="多个年度时同时使用几个处理器核（默认：全部）")


def _at_least_one(value: Optional[int]) -> Optional[int]:
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} 不行，至少要写 1")
    return value


@app.command("check", cls=ZhCommand)
def check_command(
    path: Path = typer.Argument(..., help="一个年度的数据文件夹（如 data/miluo-hrss/2023），或包含多个年度文件夹的上级文件夹"),
    format: Format = typer.Option(Format.text, "--format", help="输出格式：text（按文件分组）或 json（发现列表）"),
    strict: bool = typer.Option(False, "--strict", help="有警告也以退出码 1 结束"),
    forms: list[Path] = forms_option(),
    jobs: Optional[int] = jobs_option(),
) -> None:
    """检查数据：格式错误、合计不符、计分错误、年份错误等，逐条给出 文件:行:列。"""
    from .commands.check import run
    from .output import interruptible

    try:
        with interruptible():  # SIGTERM and SIGHUP end like Ctrl-C: with a message, and JSON when asked for
            code = run(path, format.value, strict, _out(), forms, jobs)
    except AnnexgenError as e:
        if format == Format.json:  # valid JSON on every exit path: the error as the one finding
            _json_error(e.code, str(e))
        raise _fail(e) from None
    except KeyboardInterrupt as e:
        stopped = "已中断：检查没有做完，上面的结果不完整。"
        if format == Format.json:
            _json_error("interrupted", stopped)
        typer.echo(f"{stopped} [interrupted]", err=True)
        raise typer.Exit(_abandon(e)) from None
    raise typer.Exit(code)


@app.command("build", cls=ZhCommand)
def build_command(
    path: Path = typer.Argument(..., help="一个年度的数据文件夹，或包含多个年度文件夹的上级文件夹"),
    out: Path = typer.Option(Path("build"), "-o", "--out", help="输出文件夹（默认 build/）；多个年度时按原文件夹结构分开存放"),
    combine: bool = typer.Option(False, "--combine", help="另外生成一个包含全部附件的文件，每个附件从新的一页开始"),
    strict: bool = typer.Option(False, "--strict", help="有任何错误或警告就不生成"),
    forms: list[Path] = forms_option(),
    jobs: Optional[int] = jobs_option(),
    pdf: bool = typer.Option(False, "--pdf", help="每个 Word 文件旁再生成一份 PDF（用 LibreOffice 转换，字体按公文字体对应）"),
) -> None:
    """生成 Word 附件：先检查数据，再按表样生成每个附件的 .docx。"""
    from .output import interruptible

    try:
        with interruptible():  # from here on SIGTERM and SIGHUP, like Ctrl-C, end with the message below
            from .commands.build import run

            code = run(path, out, combine, strict, _out(), forms, jobs, pdf)
    except AnnexgenError as e:
        raise _fail(e) from None
    except KeyboardInterrupt as e:  # output.Interrupted says what state the output is in; before the build began, nothing was written
        typer.echo(printable(getattr(e, "message", "") or "已中断：输出文件夹未改动（原有文件保持原样）。"), err=True)
        raise typer.Exit(_abandon(e)) from None
    raise typer.Exit(code)


@app.command("import", cls=ZhCommand)
def import_command(
    paths: list[Path] = typer.Argument(..., metavar="文件或文件夹", help="Word 文件（.docx、.doc、.wps），或放这些文件的文件夹；收件文件夹里每个单位一个子文件夹（或一个文件）"),
    out: Path = typer.Option(..., "-o", "--out", help="写到哪里：一个年度时是该年度的文件夹（如 2024/）；收件文件夹时是放各单位的文件夹"),
    form_set: Optional[str] = typer.Option(None, "--form-set", help="表样名称（如 汨罗）；不写则按文件中的附件自动选定"),
    force: bool = typer.Option(False, "--force", help="输出文件夹已存在时，用这次导入的数据替换它；只替换以前导入或写好的年度数据文件夹（YAML 文件），放有其他文件（如 Word 文件）的文件夹不会被替换"),
    forms: list[Path] = forms_option(),
) -> None:
    """从 Word 附件导入数据：每份自评附件读成一个年度的 YAML 文件夹，供 check 检查、build 生成。"""
    from .output import interruptible

    try:
        with interruptible():
            from .commands.importing import run

            code = run(paths, out, form_set, force, forms, _out())
    except AnnexgenError as e:
        raise _fail(e) from None
    except KeyboardInterrupt as e:
        typer.echo("已中断：正在写入的文件夹没有改动（已写完的单位保留）。 [interrupted]", err=True)
        raise typer.Exit(_abandon(e)) from None
    raise typer.Exit(code)


@app.command("summary", cls=ZhCommand)
def summary_command(
    path: Path = typer.Argument(..., help="包含多个年度文件夹的上级文件夹（如 data/），或一个年度的数据文件夹"),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="写到哪里：xlsx 时是 .xlsx 文件（默认 汇总.xlsx；给文件夹则写入其中的 汇总.xlsx）；csv 时是 .csv 文件（只写汇总表）或文件夹（写 汇总.csv、项目.csv、问题.csv）"),
    format: Optional[str] = typer.Option(None, "--format", metavar="[xlsx|csv]", help="输出格式：xlsx（Excel 工作簿，三张表）或 csv（UTF-8，Excel 可直接打开）；不写则按 -o 的扩展名，默认 xlsx"),
    forms: list[Path] = forms_option(),
    jobs: Optional[int] = jobs_option(),
) -> None:
    """汇总各年度的自评：每个年度一行（资金、执行率、各一级指标得分、总分、等级、错误数和警告数），另有项目表和问题表。"""
    from .output import interruptible

    if format is not None and format not in ("xlsx", "csv"):
        typer.echo(f"错误：--format 只能是 xlsx 或 csv，现为“{printable(format, newlines=False)}”。 [usage]", err=True)
        raise typer.Exit(2)
    try:
        with interruptible():
            from .commands.summary import run

            code = run(path, out, format, _out(), forms, jobs)
    except AnnexgenError as e:
        raise _fail(e) from None
    except KeyboardInterrupt as e:
        typer.echo("已中断：汇总没有写出（原有文件保持原样）。 [interrupted]", err=True)
        raise typer.Exit(_abandon(e)) from None
    raise typer.Exit(code)


forms_app = typer.Typer(cls=ZhGroup, help="表样（各县的附件格式）：列出、复制、检查。", no_args_is_help=True)
app.add_typer(forms_app, name="forms")

@forms_app.command("list", cls=ZhCommand)
def forms_list(forms: list[Path] = forms_option()) -> None:
    """列出可用的表样及其位置（--forms 指定的在前，内置的在后）。"""
    from .commands.forms import run_list

    try:
        code = run_list(forms, _out())
    except AnnexgenError as e:
        raise _fail(e) from None
    raise typer.Exit(code)


@forms_app.command("new", cls=ZhCommand)
def forms_new(
    name: str = typer.Argument(..., help="新表样的名称，如 某某县"),
    source: str = typer.Option(..., "--from", help="以哪个表样为起点，如 汨罗"),
    into: Path = typer.Option(..., "--to", help="放在哪个表样文件夹里，如 我的表样/（生成时用 --forms 指定它）", file_okay=False),
    only: Optional[str] = typer.Option(
        None,
        "--only",
        metavar="附件号",
        help="只复制这些附件，用逗号分开，如 2,3（3 代表按项目印的 3-1、3-2……）；要改号时写“原号:新号”，如 2:1,3:2 把附件2 改为附件1、附件3-1 改为附件2-1，模板文件名随之改号。不写则复制整套",
    ),
    forms: list[Path] = forms_option(),
) -> None:
    """复制一个表样（整套，或用 --only 选其中几个附件并改号），作为本县表样的起点（放在 --to 指定的文件夹里），复制后按 forms check 检查。"""
    from .commands.forms import run_new
    from .output import interruptible

    try:
        with interruptible():
            code = run_new(name, source, into, forms, _out(), only)
    except AnnexgenError as e:
        raise _fail(e) from None
    except KeyboardInterrupt as e:
        typer.echo(printable("已中断：新表样没有生成（--to 文件夹里原有的内容保持原样）。") + " [interrupted]", err=True)
        raise typer.Exit(_abandon(e)) from None
    raise typer.Exit(code)


@forms_app.command("check", cls=ZhCommand)
def forms_check(
    name: Optional[str] = typer.Argument(None, help="表样名称；不写则检查所有表样"),
    forms: list[Path] = forms_option(),
) -> None:
    """检查表样的模板：标签写法是否正确，用到的名称是否都存在，指出文件和段落或表格单元格。"""
    from .commands.forms import run_check

    try:
        code = run_check(name, forms, _out())
    except AnnexgenError as e:
        raise _fail(e) from None
    raise typer.Exit(code)


@app.command("new", cls=ZhCommand)
def new_command(
    new: Path = typer.Argument(..., metavar="NEW_DIR", help="新年度的数据文件夹（如 data/miluo-hrss/2024），应不存在或是空的"),
    source: Path = typer.Option(..., "--from", metavar="OLD_DIR", help="上一年度的数据文件夹（如 data/miluo-hrss/2023）"),
    force: bool = typer.Option(False, "--force", help="新文件夹已存在且有内容时，用新年度的数据替换它；只替换年度数据文件夹（YAML 文件），放有其他文件的文件夹不会被替换"),
) -> None:
    """从上一年度的数据开始新的年度：年度加 1，决算数移入上年决算一列，本年的数字、得分和报告正文清空待填。"""
    from .commands.new import run
    from .output import interruptible

    try:
        with interruptible():
            code = run(new, source, force, _out())
    except AnnexgenError as e:
        raise _fail(e) from None
    except KeyboardInterrupt as e:
        typer.echo(printable(getattr(e, "message", "") or "已中断：新文件夹没有生成（已有的文件夹保持原样）。") + " [interrupted]", err=True)
        raise typer.Exit(_abandon(e)) from None
    raise typer.Exit(code)


@app.command("schema", cls=ZhCommand)
def schema_command(
    file: Optional[str] = typer.Option(
        None, "--file", help="只输出一种文件的 Schema：department、basic-data、overall、report、project"
    ),
    write: Optional[Path] = typer.Option(None, "--write", help="把各文件的 Schema 写入这个文件夹（如 schema/）"),
) -> None:
    """输出数据格式的 JSON Schema（draft 7），供编辑器（YAML 插件）校验和补全。"""
    from .schema import SCHEMA_FILES, file_schema, submission_schema, write_all

    if write is not None:
        for path in write_all(write):
            typer.echo(str(path))
        return
    if file is None:
        schema = submission_schema()
    elif file in SCHEMA_FILES:
        schema = file_schema(file)
    else:
        typer.echo(f"错误：没有“{file}”这种文件；可选：{'、'.join(SCHEMA_FILES)}", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(schema, ensure_ascii=False, indent=2))


def main() -> None:
    """The `annexgen` command. Usage errors (an unknown option, a missing argument) keep Click's
    text and exit code 2; when the command line asks for JSON, a JSON finding is printed too,
    so that `--format json` gives valid JSON on every exit path."""
    try:
        from typer._click.exceptions import ClickException  # typer >= 0.24 vendors Click
    except ImportError:  # pragma: no cover - an older typer uses Click itself
        from click import ClickException

    try:
        code = app(standalone_mode=False)  # without standalone mode Click returns a command's exit code
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as e:  # the command's own exit code
        sys.exit(e.exit_code)
    except typer.Abort:
        typer.echo("已中断。", err=True)
        sys.exit(130)
    except ClickException as e:
        shown = usage_error(e)
        typer.echo(printable(shown), err=True)
        argv = sys.argv[1:]
        if "--format=json" in argv or any(a == "--format" and b == "json" for a, b in zip(argv, argv[1:])):
            reason = shown.splitlines()[0].removeprefix("错误：").rstrip("。")
            _json_error("usage", f"命令写法有误：{reason}。请运行 annexgen --help 查看用法")
        sys.exit(e.exit_code)
