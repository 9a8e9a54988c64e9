"""Chunks: replications cut into tasks that any worker can run on its own.

A chunk is a pure function of (scenario, variants, entropy, replication range), so the results
do not depend on which worker ran it, on how many workers there were or on how the range was
cut. Its frames are built on the worker, where that work runs in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autosim.experiment.replication import (
    ReplicationResult,
    replication_frames,
    run_replication,
)
from autosim.experiment.variants import Variant
from autosim.scenario.schema import Scenario

__all__ = [
    "ChunkDone",
    "Task",
    "chunk_bounds",
    "default_chunk_size",
    "run_chunk",
    "run_chunk_frames",
]


@dataclass(frozen=True)
class Task:
    """A chunk of replications: everything a worker needs, nothing it must share."""

    scenario: Scenario
    variants: tuple[Variant, ...]
    entropy: int
    start: int
    stop: int
    common_random_numbers: bool = True
    extra: dict[str, object] = field(default_factory=dict)
    keep_cash: bool = True


@dataclass
class ChunkDone:
    """A finished chunk as it travels back from a worker: its frames, ready to store."""

    span: tuple[int, int]
    rows: Any
    cash: Any
    n_events: int


def run_chunk(task: Task) -> list[ReplicationResult]:
    """Run replications ``task.start .. task.stop - 1`` (what one worker does).

    With ``task.keep_cash`` False the daily ledgers are dropped here, on the worker, so a
    KPIs-only sweep ships and keeps only the small rows.
    """
    out = []
    for r in range(task.start, task.stop):
        result = run_replication(
            task.scenario, task.variants, task.entropy, r, task.common_random_numbers
        )
        if not task.keep_cash:
            result.cash = result.cash[:, :, :0]
        out.append(result)
    return out


def run_chunk_frames(task: Task) -> ChunkDone:
    """Run a chunk and build its frames on the worker.

    Turning replication results into DataFrames is the chunk's own work: done here, it runs in
    parallel instead of in the parent process, which would otherwise take CPU from the workers.
    """
    results = run_chunk(task)
    rows, cash = replication_frames(task.scenario, task.variants, results)
    return ChunkDone((task.start, task.stop), rows, cash, sum(r.n_events for r in results))


def chunk_bounds(n_replications: int, chunk_size: int, first: int = 0) -> list[tuple[int, int]]:
    """Cut ``range(first, n_replications)`` into consecutive chunks."""
    return [
        (start, min(start + chunk_size, n_replications))
        for start in range(first, n_replications, chunk_size)
    ]


def default_chunk_size(n_replications: int, n_workers: int) -> int:
    """About four chunks per worker, at most 8 replications each.

    A flagship replication takes ~0.4 s, so a chunk is a few seconds of work: far above the
    ~0.3 ms a process pool costs per task, and short enough that no worker idles long at the
    end of a sweep.
    """
    return max(1, min(8, -(-n_replications // (4 * max(1, n_workers)))))
