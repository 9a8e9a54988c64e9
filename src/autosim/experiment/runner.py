"""The experiment: variants x replications, run in chunks, gathered into a :class:`Run`.

Work is cut into chunks of replications (:mod:`autosim.experiment.chunks`); each is a pure
function of (scenario, entropy, replication range), so any worker can run any chunk and the
results do not depend on the executor or the number of workers. Finished chunks go to a store
(memory, or Parquet parts in the output folder so a long sweep can resume); with a precision
target, batches are added until the target is met. The result is data only: judging it is
:mod:`autosim.decide`'s work.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from autosim.errors import RunError
from autosim.experiment.chunks import (
    ChunkDone,
    Task,
    default_chunk_size,
    run_chunk_frames,
)
from autosim.experiment.executors import cpu_count, run_tasks
from autosim.experiment.guards import check_size
from autosim.experiment.precision import Precision, assess, next_size
from autosim.experiment.run import Run
from autosim.experiment.store import MemoryParts
from autosim.experiment.streams import SeedLike, fresh_entropy
from autosim.experiment.variants import Variant, default_variants
from autosim.scenario.schema import Scenario

__all__ = ["run_sweep"]


def run_sweep(
    scenario: Scenario,
    n_replications: int = 100,
    seed: SeedLike = None,
    *,
    variants: Sequence[Variant] | None = None,
    executor: str = "processes",
    n_jobs: int | None = None,
    chunk_size: int | None = None,
    common_random_numbers: bool = True,
    progress: Callable[[int, int], None] | bool | None = None,
    max_jobs: int | None = None,
    keep_cash: bool = True,
    scheduler: str | None = None,
    store: MemoryParts | None = None,
    run_info: dict[str, Any] | None = None,
    precision: Precision | None = None,
) -> Run:
    """Run ``n_replications`` of every variant and return the frames as a :class:`Run`.

    Parameters
    ----------
    scenario
        A validated scenario (see :func:`autosim.load_scenario`).
    n_replications
        Replications per variant (the same replications for every variant).
    seed
        Integer seed; ``None`` draws OS entropy, which is recorded in the results.
    executor, n_jobs, scheduler
        ``"serial"``, ``"processes"`` (``n_jobs`` workers, default all cores) or ``"dask"``
        (the Dask cluster at ``scheduler``, e.g. ``"tcp://10.0.0.5:8786"``, or a local cluster
        of ``n_jobs`` workers; needs ``autosim[dask]``). Results are identical whatever the
        choice.
    chunk_size
        Replications per task (default: about four tasks per worker, at most 8 each).
    common_random_numbers
        Keep True. False gives every variant its own streams, to show what CRN buys.
    progress
        Called as ``progress(replications_done, n_replications)`` after each chunk; ``True``
        shows a progress bar (in a terminal or a notebook).
    max_jobs
        Refuse to run when one replication would generate more calls than this (default
        :data:`autosim.experiment.guards.DEFAULT_MAX_JOBS`): a typo in a rate should not eat
        the machine's memory.
    keep_cash
        False keeps only the replications frame (KPIs, inputs, finance) and leaves ``cash``
        empty: memory then grows by one small row per replication and variant, nothing more.
    store
        Where finished chunks go: a :class:`~autosim.experiment.store.ChunkStore` streams them
        to an output folder (and skips chunks already there when resuming); default: memory.
    run_info
        Extra fields recorded with the run's state in a store (e.g. the scenario's sha256).
    precision
        Precision on demand (:class:`~autosim.experiment.precision.Precision`): run
        ``n_replications`` first, then add batches until the 95% half-width of the chosen
        quantity meets the target or ``precision.max_replications`` is reached. The numbers
        equal a fixed run of the final count with the same seed.
    """
    if n_replications < 1:
        raise RunError(f"replications must be >= 1 (got {n_replications})")
    entropy = fresh_entropy() if seed is None else int(seed)
    if entropy < 0:
        raise RunError(f"seed must be a non-negative integer (got {seed})")
    if progress is True and not _can_draw_a_bar():
        progress = None
    if progress is True:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("replications", total=n_replications)
            return run_sweep(
                scenario,
                n_replications,
                entropy,
                variants=variants,
                executor=executor,
                n_jobs=n_jobs,
                chunk_size=chunk_size,
                common_random_numbers=common_random_numbers,
                progress=lambda done, _total: bar.update(task, completed=done),
                max_jobs=max_jobs,
                keep_cash=keep_cash,
                scheduler=scheduler,
                store=store,
                run_info={"seed_given": seed is not None, **(run_info or {})},
                precision=precision,
            )
    check_size(scenario, max_jobs)
    variants = tuple(variants or default_variants(scenario))
    workers = n_jobs or cpu_count()
    if precision is not None:
        n_replications = min(n_replications, precision.max_replications)
    size = chunk_size or default_chunk_size(n_replications, workers)
    sink = store if store is not None else MemoryParts()
    info = {
        "scenario": scenario.name,
        "seed_given": seed is not None,
        **(run_info or {}),
        "seed": entropy,
        "replications": n_replications if precision is None else precision.describe(),
        "chunk_size": size,
        "variants": [[v.id, list(v.automations)] for v in variants],
        "keep_cash": keep_cash,
        "common_random_numbers": common_random_numbers,
    }
    sink.start(info)
    started = time.time()
    planned = n_replications

    def on_chunk(done: ChunkDone) -> None:
        sink.add(done.span, done.rows, done.cash, done.n_events)
        if progress is not None:
            progress(sink.n_done, planned)

    def run_range(first: int, stop: int) -> None:
        # Made as they are handed out (a few per worker ahead), so -n 10,000,000 costs no memory
        # before it runs; the same cut as chunk_bounds(stop, size, first).
        spans = ((a, min(a + size, stop)) for a in range(first, stop, size))
        tasks = (
            Task(scenario, variants, entropy, a, b, common_random_numbers, keep_cash=keep_cash)
            for a, b in spans
            if (a, b) not in sink.done
        )
        if progress is not None and sink.n_done:
            progress(sink.n_done, planned)
        try:
            run_tasks(
                run_chunk_frames,
                tasks,
                executor=executor,
                n_workers=workers,
                on_result=on_chunk,
                keep=False,
                scheduler=scheduler,
            )
        except BaseException:
            sink.flush()  # Ctrl-C or a failure: keep every chunk that did finish
            raise

    run_range(0, n_replications)
    status = None
    if precision is not None:
        while True:
            status = assess(precision, sink.rows(variants), scenario.strategy)
            if status["met"] or planned >= precision.max_replications:
                break
            first, planned = planned, next_size(precision, status)
            run_range(first, planned)
        status["max_replications"] = precision.max_replications
        status["first_batch"] = n_replications
    replications, cash = sink.frames(variants)
    return Run(
        scenario,
        variants,
        replications,
        cash,
        seed=entropy,
        seed_given=bool(info["seed_given"]),
        timing={
            "started": started,
            "finished": time.time(),
            "chunk_size": size,
            "executor": executor,
            "workers": workers,
            "n_events": int(sum(sink.done.values())),
            "request": info["replications"],
        },
        precision=status,
    )


def _can_draw_a_bar() -> bool:
    """A terminal, or a notebook with ipywidgets: elsewhere rich would only print warnings."""
    from rich.console import Console

    console = Console()
    if not console.is_jupyter:
        return console.is_terminal
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True
