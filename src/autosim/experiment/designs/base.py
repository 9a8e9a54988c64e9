"""Designed experiments: replications whose uncertain inputs are chosen, not sampled.

A Sobol design asks "what if demand growth were exactly this and adoption exactly that?", and a
variance split replays the same sampled world with fresh day-to-day luck. Each such question is a
:class:`DesignPoint`: the inputs to use, and which replication's random streams (and salt) the
process randomness comes from. Points run through the normal machinery — chunks, executors,
common random numbers across variants — so any executor gives identical numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from autosim.errors import RunError
from autosim.experiment.chunks import ChunkDone, chunk_bounds, default_chunk_size
from autosim.experiment.executors import cpu_count, run_tasks
from autosim.experiment.guards import check_size
from autosim.experiment.replication import (
    ReplicationResult,
    replication_frames,
    run_replication,
)
from autosim.experiment.store import MemoryParts
from autosim.experiment.streams import SeedLike, fresh_entropy
from autosim.experiment.variants import Variant, default_variants
from autosim.scenario.schema import Scenario

__all__ = ["DesignPoint", "DesignTask", "run_design", "run_design_chunk"]


@dataclass(frozen=True)
class DesignPoint:
    """One run of every variant: fixed inputs, and the streams its process randomness uses."""

    inputs: dict[str, float]
    replication: int
    salt: int | None = None


@dataclass(frozen=True)
class DesignTask:
    """Consecutive design points from ``start``: what one worker runs."""

    scenario: Scenario
    variants: tuple[Variant, ...]
    entropy: int
    start: int
    points: tuple[DesignPoint, ...]


def run_design_chunk(task: DesignTask) -> ChunkDone:
    """Run the points of a task, each numbered by its point (not its streams); frames built here
    on the worker, as for a normal chunk (:func:`~autosim.experiment.chunks.run_chunk_frames`)."""
    out: list[ReplicationResult] = []
    for offset, point in enumerate(task.points):
        result = run_replication(
            task.scenario,
            task.variants,
            task.entropy,
            point.replication,
            inputs=point.inputs,
            salt=point.salt,
        )
        index = task.start + offset
        result.replication = index
        for row in result.rows:
            row["replication"] = index
        result.cash = result.cash[:, :, :0]
        out.append(result)
    rows, cash = replication_frames(task.scenario, task.variants, out)
    span = (task.start, task.start + len(task.points))
    return ChunkDone(span, rows, cash, sum(r.n_events for r in out))


def run_design(
    scenario: Scenario,
    points: Sequence[DesignPoint],
    seed: SeedLike = None,
    *,
    variants: Sequence[Variant] | None = None,
    executor: str = "processes",
    n_jobs: int | None = None,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_jobs: int | None = None,
) -> pd.DataFrame:
    """Run every design point and return its rows (as in ``replications.parquet``).

    The ``replication`` column holds the point's index in ``points``; the daily cash is not
    kept. Results are identical whatever the executor, the number of workers or the chunking.
    """
    if not points:
        raise RunError("a design needs at least one point")
    entropy = fresh_entropy() if seed is None else int(seed)
    check_size(scenario, max_jobs)
    variants = tuple(variants or default_variants(scenario))
    workers = n_jobs or cpu_count()
    size = chunk_size or default_chunk_size(len(points), workers)
    tasks = [
        DesignTask(scenario, variants, entropy, a, tuple(points[a:b]))
        for a, b in chunk_bounds(len(points), size)
    ]
    sink = MemoryParts()

    def on_chunk(done: ChunkDone) -> None:
        sink.add(done.span, done.rows, done.cash, done.n_events)
        if progress is not None:
            progress(sink.n_done, len(points))

    run_tasks(
        run_design_chunk,
        tasks,
        executor=executor,
        n_workers=workers,
        on_result=on_chunk,
        keep=False,
        scheduler=scheduler,
    )
    return sink.rows(variants)
