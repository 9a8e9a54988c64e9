"""Executors: where chunks of replications run — here, serially, or in local processes.

Tasks are pure and carry their own seeds, so an executor only has to run them and hand results
back; it never changes the numbers. Process pools ``fork`` on Linux: workers start in
milliseconds with the package already imported, and scripts or notebooks need no
``if __name__ == "__main__"`` guard (``spawn`` elsewhere, where fork is unsafe). Workers only run
pure simulation code, so the progress bar's thread in the parent cannot block them.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from autosim.errors import RunError

__all__ = ["EXECUTORS", "run_tasks"]

EXECUTORS = ("serial", "processes")

T = TypeVar("T")
R = TypeVar("R")


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    *,
    executor: str = "processes",
    n_workers: int = 1,
    on_result: Callable[[R], Any] | None = None,
) -> list[R]:
    """Run ``fn`` over ``tasks``; results come back in task order, ``on_result`` as they land."""
    if executor not in EXECUTORS:
        raise RunError(f"unknown executor {executor!r}; choose one of: {', '.join(EXECUTORS)}")
    if n_workers < 1:
        raise RunError(f"the number of workers must be >= 1 (got {n_workers})")
    if executor == "serial" or n_workers == 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(fn(task))
            if on_result is not None:
                on_result(results[-1])
        return results
    context = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    out: dict[int, R] = {}
    with (
        warnings.catch_warnings(),
        ProcessPoolExecutor(max_workers=min(n_workers, len(tasks)), mp_context=context) as pool,
    ):
        warnings.filterwarnings(
            "ignore", message=".*multi-threaded.*fork", category=DeprecationWarning
        )
        pending: dict[Future[R], int] = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    out[index] = future.result()
                    if on_result is not None:
                        on_result(out[index])
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [out[i] for i in range(len(tasks))]
