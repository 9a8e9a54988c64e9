"""The terminal: the two consoles the commands print to, and the progress bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console

__all__ = ["ERR", "OUT", "with_progress"]

#: Results and tables (standard output) and notes, errors and progress (standard error).
OUT = Console(width=80)
ERR = Console(stderr=True, width=80)


def with_progress(work: Any, total: int, quiet: bool) -> Any:
    if quiet or not ERR.is_terminal:
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=ERR, transient=True) as bar:
        task = bar.add_task("replications", total=total)
        return work(lambda done, _n: bar.update(task, completed=done))


def progress_for(quiet: bool) -> Callable[[Callable[[Any], Any], int], Any]:
    """``with_progress`` with the ``quiet`` option bound, as the library functions take it."""
    return lambda work, total: with_progress(work, total, quiet)
