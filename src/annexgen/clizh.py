"""The command line in Chinese: help text, section titles and usage errors of Typer/Click.

Typer prints its own words ("Usage:", "Options", "Show this message and exit.",
"Error: Missing argument …") in English. A clerk reads only Chinese, so the
command classes here print those words in Chinese, and `usage_error` turns
Click's usage errors into a Chinese message. Help is drawn with Click's plain
formatter, not rich: the same content, and `annexgen --help` stays fast (rich
alone costs about 300 ms to import and lay out).
"""

from __future__ import annotations

import re

import typer.core
from typer.core import TyperCommand, TyperGroup

HELP_OPTION = "显示帮助并退出"

#: Typer's gettext strings (typer.core looks `_` up when it formats help)
WORDS = {
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（运行时决定）",
    "Aborted!": "已中断。",
    "Missing command.": "缺少命令",
    "No such command {name!r}.": "没有命令“{name}”：可用的命令见 annexgen --help",
}


def _zh(message: str) -> str:
    return WORDS.get(message, message)


typer.core._ = _zh  # type: ignore[attr-defined]


class _Chinese:
    """What both command classes print differently: the usage line and the help option."""

    def format_usage(self, ctx, formatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option


class ZhCommand(_Chinese, TyperCommand):
    """A command whose help is all Chinese (plain layout)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["rich_markup_mode"] = None
        kwargs["options_metavar"] = "[选项]"
        super().__init__(*args, **kwargs)


class ZhGroup(_Chinese, TyperGroup):
    """A command group whose help is all Chinese (plain layout)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["rich_markup_mode"] = None
        kwargs["options_metavar"] = "[选项]"
        kwargs["subcommand_metavar"] = "命令 [参数]..."
        super().__init__(*args, **kwargs)


#: Click's usage errors → Chinese (the first pattern that matches wins)
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<a>.*)\)$"), "多写了 {a}：这个命令只收一个文件夹（或文件）参数；路径里有空格时请用引号括起来"),
    (re.compile(r"^Missing argument '(?P<a>[^']*)'\.?$"), "缺少参数 {a}"),
    (re.compile(r"^Missing option '(?P<a>[^']*)'\.?$"), "缺少选项 {a}"),
    (re.compile(r"^Missing parameter: (?P<a>.*)$"), "缺少 {a}"),
    (re.compile(r"^No such option: (?P<a>\S+) Did you mean (?P<c>\S+)\?$"), "没有选项 {a}：是不是 {c}？"),
    (re.compile(r"^No such option: (?P<a>\S+) \(Possible options: (?P<c>.+)\)$"), "没有选项 {a}：是不是 {c} 之一？"),
    (re.compile(r"^No such option: (?P<a>\S+)$"), "没有选项 {a}"),
    (re.compile(r"^No such command '(?P<a>[^']*)'\.$"), "没有命令“{a}”"),
    (re.compile(r"^Option '(?P<a>[^']*)' requires an argument\.$"), "选项 {a} 后面要写一个值"),
    (re.compile(r"^Option '(?P<a>[^']*)' does not take a value\.$"), "选项 {a} 后面不能写值"),
    (re.compile(r"^Invalid value for (?P<names>'[^']*'(?: / '[^']*')*): (?P<b>.*)$"), "{names} 的值不对：{b}"),
    (re.compile(r"^Invalid value: (?P<b>.*)$"), "值不对：{b}"),
    (re.compile(r"^Missing command\.$"), "缺少命令"),
]
#: the reasons inside "Invalid value for …"
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:File|Directory|Path|File or directory) '(?P<a>.*)' does not exist\.$"), "“{a}”不存在"),
    (re.compile(r"^(?:File|Directory|Path|dir|file) '(?P<a>.*)' is a file\.$"), "“{a}”是文件，这里要写文件夹"),
    (re.compile(r"^(?:File|Directory|Path|dir|file) '(?P<a>.*)' is a directory\.$"), "“{a}”是文件夹，这里要写文件"),
    (re.compile(r"^(?:File|Directory|Path) '(?P<a>.*)' is not (?:readable|writable)\.$"), "没有权限读写“{a}”"),
    (re.compile(r"^'(?P<a>.*)' is not one of (?P<b>.*)\.$"), "“{a}”不是可选的值，可选：{b}"),
    (re.compile(r"^'(?P<a>.*)' is not a valid integer\.$"), "“{a}”不是整数"),
    (re.compile(r"^Input should be a valid integer.*$"), "要写一个整数"),
]


def _translate(text: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, chinese in table:
        m = pattern.match(text.strip())
        if m:
            parts = {k: (v or "") for k, v in m.groupdict().items()}
            if "names" in parts:  # an option's names: '-j' / '--jobs' → -j/--jobs
                parts["names"] = parts["names"].replace("' / '", "/").strip("'")
            if "b" in parts:  # the reason of an invalid value
                reason = parts["b"].removeprefix("Value error, ")
                parts["b"] = _translate(reason, _REASONS) or reason
            return chinese.format(**parts)
    return None


def usage_error(error) -> str:
    """A Click usage error as the Chinese lines a clerk reads: what is wrong, and where to see how to write it."""
    message = error.format_message()
    shown = _translate(message, _ERRORS) or message
    path = getattr(getattr(error, "ctx", None), "command_path", "") or "annexgen"
    command = " ".join(["annexgen", *path.split(" ")[1:]])  # the program's name as typed: `annexgen`, whatever launched it
    shown = shown.rstrip("。.")
    return f"错误：{shown}{'' if shown.endswith('？') else '。'}\n运行 {command} --help 查看用法。"
