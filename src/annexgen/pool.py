"""A batch over many department-years on every core: `ordered(fn, items)` in a process pool.

Results come back in the order of `items`, so a parallel batch writes and reports
exactly what a serial one does (its files are byte-identical: each department-year
is made independently of the others). The pool is bounded: at most `2 × workers`
department-years are in flight, so memory stays flat however large the tree.

Signals belong to the main process: workers run in a process group of their own, so
SIGINT, SIGTERM and SIGHUP sent to the command (or its group) reach the main process
alone, which turns them into `output.Interrupted`, cancels what has not started, lets
the running department-years finish (a fraction of a second each) and only then
unwinds. A worker that dies (killed, out of memory) is `WorkerLost`; the others are
ended by the pool, and none outlives the main process. Workers are forked where the platform allows, so what the main
process has loaded (modules, the title word list) is shared, not loaded again; spawned
elsewhere.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

from .errors import AnnexgenError

T = TypeVar("T")
R = TypeVar("R")

#: how many department-years each worker may have queued ahead of the one the main process waits for
AHEAD = 2


class WorkerLost(AnnexgenError):
    """A worker process ended without finishing its department-year (killed, or out of memory)."""

    code = "worker-lost"


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers_for(items: int, jobs: int | None = None) -> int:
    """How many worker processes a batch of `items` uses: `jobs` if given, else one per core; 1 means none."""
    return max(1, min(jobs or cores(), items))


def _worker() -> None:
    """In a worker: signals are the main process's to handle (see the module docstring).

    The worker leaves the main process's group, so Ctrl-C at a terminal or a signal to the
    whole group reaches the main process alone; the Python handlers it inherited are reset,
    so the pool can still end it (SIGTERM) when another worker is lost; and on Linux it is
    killed with the main process, never left behind should that one be killed outright.
    """
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the main process died before that took effect
            os._exit(1)
    except (OSError, AttributeError):  # not Linux
        pass


def ordered(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """`fn(item)` for each item, in order; in `workers` processes when more than one.

    `fn` must be a module-level function and its results picklable. An exception `fn`
    raises in a worker is raised here, in order, as it would be serially.
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    gc.freeze()  # what the main process holds now is shared with forked workers: their collector leaves it untouched (no copy)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_worker)
    try:
        source = iter(items)
        pending: deque[Future] = deque(pool.submit(fn, item) for item in islice(source, workers * (AHEAD + 1)))
        while pending:
            future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                raise WorkerLost("错误: 一个工作进程意外退出（可能是内存不足或被系统终止），这一批没有全部完成：请重新运行；如果再次出现，请用 --jobs 1 逐个生成") from None
            pending.extend(pool.submit(fn, item) for item in islice(source, 1))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
