"""Progress on long batch work (import, check, build, summary): a bar on a terminal, silence elsewhere.

On a terminal (stderr is a tty) a rich bar shows the count and the unit at work; in CI,
pipes and files nothing is drawn: the command's own final line says what was done.
The bar is redrawn as each unit starts, by the caller's thread: no refresh thread runs
(a batch forks its worker processes, pool.py, and a fork should not copy a busy thread).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager, nullcontext
from typing import Callable, ContextManager

from ..findings import printable


class Advance:
    """`advance(name)` as each unit starts; `advance.note(text)` says what the current step is doing (no count)."""

    def __init__(self, step: Callable[[str], None] = lambda _name: None, note: Callable[[str], None] = lambda _text: None) -> None:
        self._step, self.note = step, note

    def __call__(self, name: str) -> None:
        self._step(name)


def progress(total: int, verb: str) -> ContextManager[Advance]:
    """A context giving `advance(name)`: call it as each unit starts; `verb` labels the bar (导入, 检查, 生成)."""
    if total < 2 or not sys.stderr.isatty():
        return nullcontext(Advance())

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    @contextmanager
    def bar():
        console = Console(file=sys.stderr, force_terminal=True)
        with Progress(TextColumn(verb), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"), console=console, transient=False, auto_refresh=False) as shown:
            task = shown.add_task("", total=total)
            started = [False]

            def advance(name: str) -> None:
                if started[0]:
                    shown.advance(task)
                started[0] = True
                shown.update(task, description=escape(printable(name, newlines=False)), refresh=True)  # data: neither markup nor escapes

            def note(text: str) -> None:
                shown.update(task, description=escape(printable(text, newlines=False)), refresh=True)

            yield Advance(advance, note)
            shown.update(task, completed=total, description="")

    return bar()
