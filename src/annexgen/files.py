"""Files: read only regular files inside a department-year folder, and never block.

A submitted folder is untrusted. A name ending in ``.yaml`` may be a symbolic link
out of the folder (to ``/etc/passwd`` or ``/dev/zero``), a link loop, a FIFO that
blocks a reader forever, a socket, a device, a folder, or a file without read
permission. Every data file is therefore opened through `read_regular`, which

- follows a symbolic link only when its real path stays inside the folder;
- opens with ``O_NONBLOCK`` and ``O_NOFOLLOW`` (so a FIFO cannot block and the
  checked path is the one opened), then ``fstat``'s the descriptor and requires a
  regular file;
- reads at most ``limit + 1`` bytes.

Anything else raises `BadFile` with what the file is and what to do, in Chinese;
the loader turns it into one located ``bad-file`` finding, naming the file as it
appears in the folder (never the link's target). Folders are listed and walked
with ``os.scandir`` without following links, and names are sorted by
`natural_key`, which treats only ASCII 0-9 as digits.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from pathlib import Path
from typing import Iterator

from .findings import display_path

MAX_FILE_BYTES = 5 * 1024 * 1024  # one data file
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_COPY = "请删除这个链接，把文件本身放在这里"


class BadFile(Exception):
    """A path that is not a regular file inside the folder, or cannot be read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(Exception):
    """A regular file larger than the limit it was read with."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _not_regular(kind: str, advice: str) -> BadFile:
    return BadFile(f"这不是普通文件（{kind}），没有读取：{advice}")


def shown(path: Path) -> str:
    """`path` as the user would name it, without following a link in its last part."""
    return _shown(os.fspath(path), os.getcwd())


@functools.lru_cache(maxsize=4096)
def _shown(path: str, cwd: str) -> str:
    """`shown` from one working folder (every finding in a file names it: worked out once)."""
    p = Path(path)
    return str(Path(display_path(p.parent)) / p.name)


def _kind(mode: int) -> BadFile:
    if stat.S_ISDIR(mode):
        return _not_regular("是文件夹", "数据文件应是 .yaml 文件；如是误建的文件夹，请改名或删除")
    if stat.S_ISFIFO(mode):
        return _not_regular("是管道（FIFO）", "请换成保存在磁盘上的普通文件")
    if stat.S_ISSOCK(mode):
        return _not_regular("是套接字（socket）", "请换成保存在磁盘上的普通文件")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _not_regular("是设备文件", "请换成保存在磁盘上的普通文件")
    return _not_regular("是特殊文件", "请换成保存在磁盘上的普通文件")


def _os_error(e: OSError) -> BadFile:
    if e.errno == errno.ELOOP:
        return _not_regular("是循环的符号链接", _COPY)
    if e.errno == errno.ENOENT:
        return _not_regular("是指向不存在的文件的符号链接", _COPY)
    if e.errno in (errno.EACCES, errno.EPERM):
        return BadFile("没有读权限，无法读取：请给当前用户读权限（如 chmod u+r），或把文件另存一份")
    if e.errno == errno.ENXIO:
        return _not_regular("是套接字或设备", "请换成保存在磁盘上的普通文件")
    return BadFile(f"无法读取（{e.strerror or e}）：请检查这个文件")


def real_inside(path: Path, root: Path) -> str:
    """The real path of `path` when it stays inside `root`; BadFile when it leaves it, loops or dangles."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as e:
        raise _os_error(e) from None
    except (RuntimeError, ValueError):
        raise _not_regular("是循环的符号链接", _COPY) from None
    base = os.path.realpath(root)
    if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
        raise _not_regular("是指向年度文件夹以外的符号链接", "请把文件本身复制到这里")
    return real


def read_regular(path: Path, root: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file inside `root`, of at most `limit` bytes."""
    real = real_inside(path, root)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as e:
        raise _os_error(e) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _kind(info.st_mode)
        if info.st_size > limit:
            raise TooLarge(info.st_size)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise TooLarge(got)
        return b"".join(chunks)
    except OSError as e:
        raise _os_error(e) from None
    finally:
        os.close(fd)


def list_folder(folder: Path, root: Path) -> list[str]:
    """The names in `folder` (a folder inside `root`), sorted by `natural_key`."""
    real = real_inside(folder, root)
    try:
        with os.scandir(real) as entries:
            names = [e.name for e in entries]
    except NotADirectoryError:
        raise _not_regular("不是文件夹", "请把它改成文件夹，或删除") from None
    except OSError as e:
        raise _os_error(e) from None
    return sorted(names, key=natural_key)


_DIGITS = re.compile("([0-9]+)")


def natural_key(name: str) -> tuple:
    """Sort key: runs of ASCII digits compare as numbers (2 before 10), ties broken by the whole name.

    Only 0-9 count as digits: ``1²2`` and Arabic-Indic ``١٢`` are text.
    """
    parts = _DIGITS.split(name)
    return tuple((int(p), p) if i % 2 else (0, p) for i, p in enumerate(parts)), name


def walk_folders(top: Path, skip: str) -> Iterator[Path]:
    """`top` and every folder below it, in `natural_key` order, without following links or entering
    folders named `skip`; folders that cannot be listed are passed over."""
    stack = [top]
    while stack:
        folder = stack.pop()
        yield folder
        try:
            with os.scandir(folder) as entries:
                subs = [e.name for e in entries if e.name != skip and e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        stack.extend(folder / name for name in sorted(subs, key=natural_key, reverse=True))


def foreign(folder: Path, limit: int = 3) -> list[str]:
    """What in `folder` is not a department-year's data (YAML files, 项目/ with YAML files): at most `limit` + 1 names.

    --force replaces a department-year folder; one holding anything else (Word files, other
    years, notes) is not replaced."""
    out: list[str] = []
    for entry in sorted(folder.iterdir(), key=lambda e: natural_key(e.name)):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink() and entry.name == "项目":
            out += [f"项目/{n}" for n in foreign(entry, limit) if "/" not in n]
        elif entry.is_symlink() or not entry.is_file() or entry.suffix.lower() not in (".yaml", ".yml"):
            out.append(entry.name + ("/" if entry.is_dir() else ""))
        if len(out) > limit:
            break
    return out[: limit + 1]  # one more than shown: there are more


def some(names: list[str], limit: int = 3) -> str:
    return "、".join(names[:limit]) + (" 等" if len(names) > limit else "")
