"""Executors: where chunks of replications run — here, in local processes, or on a Dask cluster.

Think of a franchise handing out job sheets: each sheet (a chunk) says exactly what to do and
carries its own seeds, so it does not matter which branch, or how many, do the work — and a sheet
lost with a branch that closed is simply handed to another. An executor only runs tasks and hands
results back; it never changes the numbers.

Process pools ``fork`` on Linux: workers start in milliseconds with the package already imported,
and scripts or notebooks need no ``if __name__ == "__main__"`` guard (``spawn`` elsewhere, where
fork is unsafe). Workers only run pure simulation code, so the progress bar's thread in the parent
cannot block them. Dask (an optional extra, imported only when asked for) runs the same tasks on
an existing cluster (``scheduler="tcp://host:8786"``) or on a local one it starts and stops; a
task whose worker dies is re-run elsewhere by the scheduler.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import closing
from typing import Any, TypeVar

from autosim.errors import RunError

__all__ = ["EXECUTORS", "run_tasks"]

EXECUTORS = ("serial", "processes", "dask")

#: How often Dask re-runs a task that raised (a task lost with its worker is re-run regardless).
DASK_RETRIES = 2

T = TypeVar("T")
R = TypeVar("R")


def cpu_count() -> int:
    """Cores this process may use (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    *,
    executor: str = "processes",
    n_workers: int = 1,
    on_result: Callable[[R], Any] | None = None,
    keep: bool = True,
    scheduler: str | None = None,
) -> list[R]:
    """Run ``fn`` over ``tasks``; results come back in task order, ``on_result`` as they land.

    With ``keep=False`` results are only handed to ``on_result`` and not kept (an empty list is
    returned), so a long sweep holds one chunk at a time. ``scheduler`` is the address of a Dask
    scheduler (``executor="dask"`` only; without it a local cluster of ``n_workers`` is started).
    """
    if executor not in EXECUTORS:
        raise RunError(f"unknown executor {executor!r}; choose one of: {', '.join(EXECUTORS)}")
    if n_workers < 1:
        raise RunError(f"the number of workers must be >= 1 (got {n_workers})")
    if scheduler is not None and executor != "dask":
        raise RunError("a scheduler address needs the dask executor (--executor dask)")
    if not tasks:
        return []
    if executor == "dask":
        landed = _dask(fn, tasks, n_workers, scheduler)
    elif executor == "serial" or n_workers == 1 or len(tasks) <= 1:
        landed = _serial(fn, tasks)
    else:
        landed = _processes(fn, tasks, n_workers)
    out: dict[int, R] = {}
    with closing(landed):  # stops the pool or cluster at once if the caller is interrupted
        for index, result in landed:
            if on_result is not None:
                on_result(result)
            if keep:
                out[index] = result
    return [out[i] for i in range(len(tasks))] if keep else []


def _serial(fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[int, R]]:
    for index, task in enumerate(tasks):
        yield index, fn(task)


def _processes(fn: Callable[[T], R], tasks: Sequence[T], n_workers: int) -> Iterator[tuple[int, R]]:
    context = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
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
                    yield index, future.result()
        finally:
            for future in pending:
                future.cancel()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise RunError("the dask executor needs Dask: pip install 'autosim[dask]'") from None
    return distributed


def _dask(
    fn: Callable[[T], R], tasks: Sequence[T], n_workers: int, scheduler: str | None
) -> Iterator[tuple[int, R]]:
    distributed = _import_distributed()
    cluster = None
    try:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            )
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(scheduler, timeout="10s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise RunError(f"cannot reach the Dask scheduler {scheduler or ''}: {exc}") from None
    try:
        futures = {
            client.submit(fn, task, pure=False, retries=DASK_RETRIES): i
            for i, task in enumerate(tasks)
        }
        try:
            for future in distributed.as_completed(list(futures)):
                index = futures.pop(future)
                result = future.result()
                future.release()
                yield index, result
        finally:
            if futures:
                client.cancel(list(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
