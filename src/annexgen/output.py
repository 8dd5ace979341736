"""Output folder: its lock, and the signals that may interrupt writing to it.

`write.write_files` stages and swaps files in; this module gives it a locked
output root (`batch`) and a way to hold signals off during a swap-in (`held`).

- Signals: during a build (`interruptible`, from the start of `annexgen build`;
  `batch` for library use), SIGINT, SIGTERM and SIGHUP all raise
  `Interrupted`, so `finally` blocks clean up; all three are held off while one
  department-year is swapped in (`held`), and delivered right after it. Which
  department-years were swapped in is recorded inside that held region
  (`Batch.committed`), so the message after an interruption is computed from what
  really happened.
- Lock: a batch holds `flock` on the output folder itself (a directory fd: no
  lock file anywhere) from before the first department-year is written until the
  last, and a shared flock on each of its parent folders; a second build to the
  same folder, or to one above or below it, refuses at once with `output-busy`
  (naming the process that holds it, from /proc/locks). Where flock is missing
  (Windows) or refused (some network shares), the folder is written unlocked.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .errors import AnnexgenError
from .findings import display_path

try:
    import fcntl
except ImportError:  # Windows: no flock, the output folder is not locked there
    fcntl = None  # type: ignore[assignment]

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class WriteError(AnnexgenError):
    """The output cannot be written (read-only folder, full disk, another build at work): `path: 错误: … [code]`."""

    def __init__(self, path: Path, text: str, code: str = "write-error") -> None:
        self.path, self.detail, self.code = path, text, code
        super().__init__(f"{display_path(path)}: 错误: {text} [{code}]")


class Interrupted(KeyboardInterrupt):
    """A build stopped by SIGINT, SIGTERM or SIGHUP.

    The exit code is 128 + the signal number, as a shell reports a process killed
    by it: 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP. `message`
    says what state the output is in; `commands.build` fills it in.
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum
        self.message = ""

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass
class _Signals:
    depth: int = 0  # how many `held` blocks are open
    pending: int | None = None  # a signal that arrived while held
    stopping: bool = False  # an Interrupted has been raised: the rest is cleanup, further signals are ignored
    installed: bool = False  # `_on_signal` handles the three signals (inside `interruptible`)


_signals = _Signals()


def _on_signal(signum: int, _frame) -> None:
    if _signals.stopping:
        return
    if _signals.depth:
        _signals.pending = signum
        return
    _signals.stopping = True
    raise Interrupted(signum)


def _mask(how: str, signals) -> set | None:
    """signal.pthread_sigmask(signal.<how>, signals); None where there is none (Windows)."""
    try:
        return signal.pthread_sigmask(getattr(signal, how), signals)
    except (AttributeError, OSError):
        return None


@contextmanager
def held() -> Iterator[None]:
    """Hold off SIGINT, SIGTERM and SIGHUP until the block is done; one that arrived is delivered afterwards.

    Blocked with the signal mask (so not even the C handler runs) and, should a
    signal reach another thread, deferred by `_on_signal` too.
    """
    old = _mask("SIG_BLOCK", ())  # the mask as it is; a signal that arrived before is raised here, nothing changed
    try:
        _mask("SIG_BLOCK", SIGNALS)
    except BaseException:  # raised by a handler after the mask was set: put it back
        if old is not None:
            _mask("SIG_SETMASK", old)
        raise
    _signals.depth += 1
    try:
        yield
    finally:
        _signals.depth -= 1
        if old is not None:
            _mask("SIG_SETMASK", old)  # a blocked signal is handled here: `_on_signal` raises Interrupted
        if not _signals.depth and _signals.pending is not None and not _signals.stopping:
            signum, _signals.pending = _signals.pending, None
            _signals.stopping = True
            raise Interrupted(signum)


@dataclass
class Batch:
    """One build run: the locked output root and the department-year folders swapped in so far, in order."""

    root: Path
    fd: int = -1  # the root, locked exclusively
    shared: dict[Path, int] = field(default_factory=dict)  # its parent folders, locked shared
    created: bool = False
    committed: list[Path] = field(default_factory=list)

    def covers(self, target: Path) -> bool:
        return target == self.root or self.root in target.parents


_current: list[Batch] = []


def covering(target: Path) -> Batch | None:
    """The open batch whose output root holds the (absolute) folder `target`, if any."""
    return next((b for b in reversed(_current) if b.covers(target)), None)


@contextmanager
def interruptible() -> Iterator[None]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP raise `Interrupted`, so `finally` blocks clean up.

    A nested use shares the outer one. A signal that arrives while the block is
    ending, its work done, is dropped: there is nothing left to stop.
    """
    if _signals.installed:
        with _surfaced():
            yield
        return
    saved = _install_handlers()
    try:
        with _surfaced():
            yield
    finally:
        _restore_handlers(saved)


@contextmanager
def _surfaced() -> Iterator[None]:
    """An error raised while cleaning up after `Interrupted` is re-raised as that interruption.

    A library's cleanup can fail because a signal cut its work short (zipfile's
    close refuses while a write handle it was opening is still marked open); the
    interruption, not that consequence, is what the user must be told.
    """
    try:
        yield
    except BaseException as e:
        stop = interruption(e)
        if stop is None or stop is e:
            raise
        raise stop from None


def interruption(e: BaseException) -> Interrupted | None:
    """The `Interrupted` that `e` is, or was raised while handling; None if none."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, Interrupted):
            return cur
        seen.add(id(cur))
        cur = cur.__context__
    return None


@contextmanager
def batch(out: Path) -> Iterator[Batch]:
    """Lock the output folder `out` for a whole build, with SIGINT, SIGTERM and SIGHUP raising `Interrupted`.

    The folder is created if missing (and removed again if the build left it
    empty). Raises WriteError `output-busy` if another build holds it.
    """
    with interruptible():
        with held():
            current = Batch(absolute(out))
            _lock(current, out)
            _current.append(current)
        try:
            yield current
        finally:
            with held():
                _current.remove(current)
                _unlock(current)


def _install_handlers() -> dict[int, object]:
    _signals.depth, _signals.pending, _signals.stopping = 0, None, False
    saved: dict[int, object] = {}
    try:
        for signum in SIGNALS:
            saved[signum] = signal.signal(signum, _on_signal)
    except ValueError:  # not the main thread: signals keep their handlers
        pass
    _signals.installed = bool(saved)
    return saved


def _restore_handlers(saved: dict[int, object]) -> None:
    """The handlers as before; a signal still pending is taken off the queue so that they never see it."""
    old = _mask("SIG_BLOCK", SIGNALS)
    try:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
        while old is not None and signal.sigtimedwait(SIGNALS, 0) is not None:
            pass
    finally:
        _signals.pending, _signals.installed = None, False
        if old is not None:
            _mask("SIG_SETMASK", old)


def absolute(out: Path) -> Path:
    """`out` resolved (symlinks, `.` and `..`), so that its parent is really outside it."""
    try:
        return out.resolve()
    except (OSError, RuntimeError) as e:  # the working folder was removed, a symlink loop
        raise WriteError(out, f"无法确定输出文件夹的位置：{getattr(e, 'strerror', None) or e}。请确认当前文件夹和输出路径都存在") from None


def _lock(b: Batch, shown: Path) -> None:
    """Create the root if missing and hold an exclusive flock on it (on the folder itself: no lock file).

    Its parent folders get a shared flock, so that a build into a folder above or
    below one that is being written refuses too, while builds into side-by-side
    folders go ahead.
    """
    root = b.root
    if root.parent == root:
        raise WriteError(shown, "不能把根目录作为输出文件夹：请给出一个专用的输出文件夹，如 build/")
    if fcntl is not None:
        _lock_parents(b, shown)  # those that exist, before anything is created
    for _attempt in range(5):
        try:
            b.created = b.created or not root.exists()
            root.mkdir(parents=True, exist_ok=True)
            if fcntl is None:
                return
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as e:
            raise WriteError(shown, f"无法创建输出文件夹：{e.strerror or e}。请检查路径和写权限") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _refuse(b, fd, shown, lambda kind: "这个输出文件夹下面的文件夹" if kind == "READ" else "这个输出文件夹") from None
        except OSError:  # a file system without flock on folders (some network shares): write unlocked, as before
            b.fd = fd
            return
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(root))
        except OSError:
            same = False
        if same:
            b.fd = fd
            _lock_parents(b, shown)  # those made just now
            return
        os.close(fd)  # the folder was removed or replaced between opening and locking it: take the new one
    raise WriteError(shown, "输出文件夹在生成时不断被删除或替换：请确认没有别的程序在改动它")


def _lock_parents(b: Batch, shown: Path) -> None:
    for parent in b.root.parents:
        if parent in b.shared or not parent.is_dir():
            continue
        try:
            fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:  # a folder we may pass through but not read: left unlocked
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _refuse(b, fd, shown, lambda _kind: f"它的上级文件夹 {display_path(parent)}") from None
        except OSError:
            os.close(fd)
            continue
        b.shared[parent] = fd


def _refuse(b: Batch, fd: int, shown: Path, where: Callable[[str], str]) -> WriteError:
    """Another build holds the folder open as `fd`: let go of everything this build locked; the output-busy error.

    `where` names the folder from the kind of lock the other build holds (WRITE, READ).
    """
    pid, kind = _lock_holder(fd)
    os.close(fd)
    b.created = False  # the other build may be about to write into it: leave it
    _unlock(b)
    who = f"（进程 {pid}）" if pid else ""
    return WriteError(shown, f"另一个 annexgen build 正在写入{where(kind)}{who}：请等它结束后再运行，或换一个输出文件夹", "output-busy")


def _lock_holder(fd: int) -> tuple[str, str]:
    """The process holding a flock on this folder and its kind (WRITE, READ), from /proc/locks (Linux); empty if unknown."""
    st = os.fstat(fd)
    where = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) > 5 and parts[1] == "FLOCK" and parts[5] == where and parts[4].isdigit():
                    return parts[4], parts[3]
    except OSError:
        pass
    return "", ""


def _unlock(b: Batch) -> None:
    if b.created and not b.committed:
        try:
            b.root.rmdir()  # made for this build, and nothing was written: as if never run
        except OSError:
            pass
    for fd in [b.fd, *b.shared.values()]:
        if fd >= 0:
            os.close(fd)  # closing the last fd of a folder releases its flock
    b.fd, b.shared = -1, {}
