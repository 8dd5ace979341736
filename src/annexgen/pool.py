"""A batch over many department-years on every core: `ordered(fn, items)` in a process pool.

Results come back in the order of `items`, so a parallel batch writes and reports
exactly what a serial one does (its files are byte-identical: each department-year
is made independently of the others). The pool is bounded: at most `2 × workers`
department-years are in flight, so memory stays flat however large the tree.

Signals belong to the main process: workers ignore SIGINT, SIGTERM and SIGHUP, and
the main process, which turns them into `output.Interrupted`, cancels what has not
started, lets the running department-years finish (a fraction of a second each)
and only then unwinds. Workers are forked where the platform allows, so what the main
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


def _quiet() -> None:
    """In a worker: signals are the main process's to handle (see the module docstring)."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


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
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_quiet)
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
