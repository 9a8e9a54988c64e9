"""Executors: where chunks of replications run — here, in local processes, or on a Dask cluster.

Think of a franchise handing out job sheets: each sheet (a chunk) says exactly what to do and
carries its own seeds, so it does not matter which branch, or how many, do the work — and a sheet
lost with a branch that closed is simply handed to another. An executor only runs tasks and hands
results back; it never changes the numbers.

Sheets are handed out a few at a time (:data:`IN_FLIGHT_PER_WORKER` per worker), never all at
once: a sweep of ten million replications holds a dozen tasks in flight, not a million futures,
and stopping it (Ctrl-C, SIGTERM, an error) cancels what is queued and ends the workers at once.

Process pools ``fork`` on Linux: workers start in milliseconds with the package already imported,
and scripts or notebooks need no ``if __name__ == "__main__"`` guard (``spawn`` elsewhere, where
fork is unsafe). Workers only run pure simulation code, so the progress bar's thread in the parent
cannot block them. A worker ignores Ctrl-C (the parent decides) and dies with its parent: on
Linux the kernel kills it when the parent goes (``PR_SET_PDEATHSIG``), elsewhere a watcher thread
notices the parent is gone — so even ``kill -9`` of a run leaves no worker behind. Dask (an
optional extra, imported only when asked for) runs the same tasks on an existing cluster
(``scheduler="tcp://host:8786"``) or on a local one it starts and stops; a task whose worker dies
is re-run elsewhere by the scheduler, and a cluster left with no worker at all for
:data:`NO_WORKERS_TIMEOUT` seconds fails the run with a message instead of waiting forever.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import closing
from itertools import chain, islice
from typing import Any, TypeVar

from autosim.errors import RunError

__all__ = ["EXECUTORS", "IN_FLIGHT_PER_WORKER", "NO_WORKERS_TIMEOUT", "run_tasks"]

EXECUTORS = ("serial", "processes", "dask")

#: How often Dask re-runs a task that raised (a task lost with its worker is re-run regardless).
DASK_RETRIES = 2
#: Tasks submitted ahead per worker: enough to keep every worker busy, few enough that memory
#: does not grow with the number of replications.
IN_FLIGHT_PER_WORKER = 3
#: Seconds a Dask cluster may have no worker at all before the run fails (environment variable
#: ``AUTOSIM_DASK_NO_WORKERS_TIMEOUT`` overrides it).
NO_WORKERS_TIMEOUT = float(os.environ.get("AUTOSIM_DASK_NO_WORKERS_TIMEOUT", "60"))
#: Seconds between checks of a Dask cluster's workers while no task finishes.
_POLL = 1.0
#: ``prctl`` option asking the kernel to signal a process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1

T = TypeVar("T")
R = TypeVar("R")


def cpu_count() -> int:
    """Cores this process may use (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_tasks(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    *,
    executor: str = "processes",
    n_workers: int = 1,
    on_result: Callable[[R], Any] | None = None,
    keep: bool = True,
    scheduler: str | None = None,
) -> list[R]:
    """Run ``fn`` over ``tasks``; results come back in task order, ``on_result`` as they land.

    ``tasks`` may be a lazy iterable: it is consumed as work is handed out, a few tasks per
    worker ahead. With ``keep=False`` results are only handed to ``on_result`` and not kept (an
    empty list is returned), so a long sweep holds one chunk at a time. ``scheduler`` is the
    address of a Dask scheduler (``executor="dask"`` only; without it a local cluster of
    ``n_workers`` is started).
    """
    if executor not in EXECUTORS:
        raise RunError(f"unknown executor {executor!r}; choose one of: {', '.join(EXECUTORS)}")
    if n_workers < 1:
        raise RunError(f"the number of workers must be >= 1 (got {n_workers})")
    if scheduler is not None and executor != "dask":
        raise RunError("a scheduler address needs the dask executor (--executor dask)")
    todo = iter(tasks)
    head = list(islice(todo, max(2, n_workers)))
    if not head:
        return []
    todo = chain(head, todo)
    if executor == "dask":
        landed = _dask(fn, todo, n_workers, scheduler)
    elif executor == "serial" or n_workers == 1 or len(head) <= 1:
        landed = _serial(fn, todo)
    else:
        landed = _processes(fn, todo, min(n_workers, len(head)))
    out: dict[int, R] = {}
    with closing(landed):  # stops the pool or cluster at once if the caller is interrupted
        for index, result in landed:
            if on_result is not None:
                on_result(result)
            if keep:
                out[index] = result
    return [out[i] for i in range(len(out))] if keep else []


def _serial(fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[int, R]]:
    for index, task in enumerate(tasks):
        yield index, fn(task)


def _worker_start(parent: int) -> None:
    """Pool initializer: leave Ctrl-C to the parent, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool; no tracebacks
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited by fork
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if not _kill_me_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above could notice
        os._exit(1)


def _kill_me_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Elsewhere: end this worker within a second of its parent's death (it is re-parented)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _processes(fn: Callable[[T], R], tasks: Iterator[T], n_workers: int) -> Iterator[tuple[int, R]]:
    context = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=n_workers,
        mp_context=context,
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )
    todo = enumerate(tasks)
    window = IN_FLIGHT_PER_WORKER * n_workers
    pending: dict[Future[R], int] = {}

    def top_up() -> None:
        for index, task in islice(todo, max(0, window - len(pending))):
            pending[pool.submit(fn, task)] = index

    finished = False
    try:
        with warnings.catch_warnings():  # the workers are forked at the first submit
            warnings.filterwarnings(
                "ignore", message=".*multi-threaded.*fork", category=DeprecationWarning
            )
            top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                yield index, future.result()
            top_up()
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _abandon(pool, pending)


def _abandon(pool: ProcessPoolExecutor, pending: dict[Future[Any], int]) -> None:
    """Stop a pool now: cancel what is queued and end the workers (no waiting for running work)."""
    for future in pending:
        future.cancel()
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for process in workers:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 5.0
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise RunError("the dask executor needs Dask: pip install 'autosim[dask]'") from None
    return distributed


def _connect(distributed: Any, n_workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster it starts (then returned)."""
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
            return distributed.Client(cluster), cluster
        return distributed.Client(scheduler, timeout="10s"), None
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise RunError(f"cannot reach the Dask scheduler {scheduler or ''}: {exc}") from None


def _dask(
    fn: Callable[[T], R], tasks: Iterator[T], n_workers: int, scheduler: str | None
) -> Iterator[tuple[int, R]]:
    distributed = _import_distributed()
    client, cluster = _connect(distributed, n_workers, scheduler)
    timeouts = (TimeoutError, getattr(distributed, "TimeoutError", TimeoutError))
    try:
        todo = enumerate(tasks)
        window = IN_FLIGHT_PER_WORKER * max(n_workers, sum(client.nthreads().values()))
        pending: dict[Any, int] = {}

        def top_up() -> None:
            for index, task in islice(todo, max(0, window - len(pending))):
                future = client.submit(fn, task, pure=False, retries=DASK_RETRIES)
                pending[future] = index

        idle_since: float | None = None
        try:
            top_up()
            while pending:
                try:
                    done = distributed.wait(
                        list(pending), timeout=_POLL, return_when="FIRST_COMPLETED"
                    ).done
                except timeouts:
                    idle_since = _check_workers(client, idle_since, scheduler)
                    continue
                idle_since = None
                for future in sorted(done, key=pending.__getitem__):
                    index = pending.pop(future)
                    result = future.result()
                    future.release()
                    yield index, result
                top_up()
        finally:
            if pending:
                client.cancel(list(pending))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _check_workers(client: Any, idle_since: float | None, scheduler: str | None) -> float | None:
    """When the cluster has had no worker for NO_WORKERS_TIMEOUT seconds, fail the run."""
    if client.nthreads():
        return None
    now = time.monotonic()
    if idle_since is None:
        return now
    if now - idle_since < NO_WORKERS_TIMEOUT:
        return idle_since
    where = f"scheduler {scheduler}" if scheduler else "the local cluster (workers kept dying)"
    raise RunError(
        f"the Dask cluster has had no workers for {NO_WORKERS_TIMEOUT:.0f} s ({where}); "
        "stopping instead of waiting forever: start workers, or use --executor processes"
    )
