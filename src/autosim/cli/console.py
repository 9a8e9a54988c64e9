"""The terminal: the consoles the commands print to, how a table is shown, the progress bar.

A name or a number is never split across lines. In a terminal, a table narrower than the
window is drawn as a table; a wider one is printed as one block of ``column: value`` lines per
row. Through a pipe or into a file (not a terminal) nothing is wrapped or truncated at all:
tables keep their natural width and sentences stay on one line, so ``grep`` and copy-paste get
whole names. Long sentences are never broken by autosim (``soft_wrap``): a narrow terminal
folds them on screen only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["ERR", "OUT", "emit", "progress_for", "with_progress"]

#: Width used when output is not a terminal: wide enough that nothing is ever wrapped.
UNBOUNDED = 100_000


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr, soft_wrap=True)  # width from the terminal (or COLUMNS)
    return Console(stderr=stderr, width=UNBOUNDED, soft_wrap=True, color_system=None)


#: Results and tables (standard output) and notes, errors and progress (standard error).
OUT = _console()
ERR = _console(stderr=True)


def _natural_width(table: Table) -> int:
    probe = Console(width=UNBOUNDED, color_system=None)
    return probe.measure(table).maximum


def emit(table: Table, console: Console | None = None) -> None:
    """Print ``table`` whole: as drawn when it fits, else one ``column: value`` block per row."""
    console = console or OUT
    if not console.is_terminal or _natural_width(table) <= console.width:
        console.print(table, crop=False)
        return
    if table.title:
        console.print(table.title, highlight=False)
    headers = [str(c.header).replace("\n", " ") for c in table.columns]
    rows = zip(*(list(c.cells) for c in table.columns), strict=True)
    for row in rows:
        for header, cell in zip(headers, row, strict=True):
            text = str(cell).replace("\n", " ")
            if text:
                console.print(f"  {escape(header) or '-'}: {escape(text)}", highlight=False)
        console.print()
    if table.caption:
        console.print(table.caption, highlight=False)


def with_progress(work: Any, total: int, quiet: bool) -> Any:
    """Run ``work(progress)`` with a progress bar on a terminal's standard error."""
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
