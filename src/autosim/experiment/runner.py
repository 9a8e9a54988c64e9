"""The experiment: variants x replications, run in chunks, gathered into :class:`Results`.

A replication samples the uncertain inputs once, draws the customers once, then plays every
variant (the baseline, each automation) against the same world, so that each automation is
judged by paired differences. Work is cut into chunks of replications; each chunk is a pure
function of (scenario, entropy, replication range), so any worker can run any chunk and the
results do not depend on the executor or the number of workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from autosim.decide.risk import worst_month_cash
from autosim.decide.roadmap import cash_floor_breach
from autosim.experiment.executors import run_tasks
from autosim.experiment.guards import check_size
from autosim.experiment.inputs import sample_inputs
from autosim.experiment.precision import Precision, assess, next_size
from autosim.experiment.store import MemoryParts, chunk_frames
from autosim.experiment.streams import SeedLike, Streams, fresh_entropy
from autosim.model.business import VariantOutcome, simulate_variant
from autosim.model.demand import generate_jobs
from autosim.model.finance import month_index, monthly_totals, npv_monthly, payback_months, roi
from autosim.scenario.resolve import resolve
from autosim.scenario.schema import Scenario

__all__ = ["Task", "Variant", "default_variants", "run_chunk", "run_experiment", "run_replication"]

#: Daily ledger columns written to cash.parquet, in order (money in +, out -).
CASH_FLOWS = (
    "collections",
    "card_fees",
    "wages",
    "admin_wages",
    "fixed_costs",
    "automation",
    "online_sales",
    "refunds",
    "purchases",
)


#: --all-bundles refuses beyond this many automations (2**6 - 7 = 57 bundles).
MAX_ALL_BUNDLES = 6


@dataclass(frozen=True)
class Variant:
    """One way of running the business: the baseline, or with some automations.

    ``starts`` (minutes, one per automation) buys them later, phase by phase: a roadmap.
    Empty means every automation is bought on day 0.
    """

    id: str
    automations: tuple[str, ...] = ()
    starts: tuple[float, ...] = ()


def default_variants(scenario: Scenario, all_bundles: bool = False) -> list[Variant]:
    """The baseline, each automation alone, the scenario's bundles, then its roadmaps.

    With ``all_bundles``, every combination of two or more automations is added too (named
    ``a+b``), at most 6 automations (57 bundles).
    """
    variants = [Variant("baseline")] + [Variant(a.id, (a.id,)) for a in scenario.automations]
    variants += [Variant(b.id, b.automations) for b in scenario.bundles]
    if all_bundles:
        ids = [a.id for a in scenario.automations]
        if len(ids) > MAX_ALL_BUNDLES:
            from autosim.errors import RunError

            raise RunError(
                f"--all-bundles with {len(ids)} automations would simulate "
                f"{2 ** len(ids) - len(ids) - 1} bundles; name the bundles you want in the "
                f"scenario's 'bundles:' section instead (at most {MAX_ALL_BUNDLES} automations)"
            )
        named = {v.automations for v in variants}
        for size in range(2, len(ids) + 1):
            for combo in combinations(ids, size):
                if combo not in named:
                    variants.append(Variant("+".join(combo), combo))
    variants += [Variant(r.id, r.automations, r.starts) for r in scenario.roadmaps]
    return variants


@dataclass
class ReplicationResult:
    """Rows (one per variant) and daily cash (variants x flows+net+balance x days)."""

    replication: int
    rows: list[dict[str, object]]
    cash: np.ndarray
    n_events: int = 0
    seconds: float = 0.0


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


def _versus(
    scenario: Scenario,
    base: VariantOutcome,
    other: VariantOutcome,
    months: np.ndarray,
    automations: tuple[str, ...],
) -> dict[str, float]:
    """Finance of a variant against the baseline of the same replication."""
    daily = other.ledger.net - base.ledger.net
    monthly = monthly_totals(daily, months)
    benefit = float(daily.sum())
    cost = other.kpis["automation_cost"]
    upfront = sum(float(scenario.automation(a).costs.upfront) for a in automations)
    return {
        "automation_upfront": upfront,
        "net_benefit": benefit,
        "roi": roi(benefit, cost),
        "npv": npv_monthly(float(scenario.finance.discount_rate), monthly),
        "payback_months": payback_months(monthly),
        **cash_floor_breach(scenario, other.ledger.balance),
    }


def run_replication(
    scenario: Scenario,
    variants: Sequence[Variant],
    entropy: int,
    replication: int,
    common_random_numbers: bool = True,
    inputs: Mapping[str, float] | None = None,
    salt: int | None = None,
) -> ReplicationResult:
    """Simulate every variant of one replication (a pure function of its arguments).

    Designed experiments (:mod:`autosim.experiment.designs.sobol`,
    :mod:`autosim.experiment.designs.variance`) pass ``inputs`` to fix
    the uncertain inputs instead of sampling them, and ``salt`` to give the process randomness
    (customers, service times...) streams of its own within the same replication.
    """
    started = time.perf_counter()
    outcomes: list[VariantOutcome] = []
    inputs_by_variant: list[dict[str, float]] = []
    shared: tuple[dict[str, float], Scenario, object] | None = None
    for v_idx, variant in enumerate(variants):
        if shared is None or not common_random_numbers:
            streams = Streams(entropy, replication, salt if common_random_numbers else v_idx)
            values = dict(inputs) if inputs is not None else sample_inputs(scenario, streams)
            resolved = resolve(scenario, values)
            shared = (values, resolved, generate_jobs(resolved, streams), streams)
        values, resolved, jobs, streams = shared
        outcomes.append(
            simulate_variant(resolved, jobs, variant.automations, streams, variant.starts)
        )
        inputs_by_variant.append(values)

    resolved = shared[1]
    months = month_index(resolved.calendar.start_date, resolved.n_days)
    rows: list[dict[str, object]] = []
    cash = np.empty((len(variants), len(CASH_FLOWS) + 2, resolved.n_days))
    for v_idx, (variant, outcome) in enumerate(zip(variants, outcomes, strict=True)):
        row: dict[str, object] = {"variant": variant.id, "replication": replication}
        row.update({f"input:{p}": v for p, v in inputs_by_variant[v_idx].items()})
        row.update(outcome.kpis)
        row["worst_month_cash"] = worst_month_cash(outcome.ledger.balance, months)
        if variant.automations:
            row.update(_versus(resolved, outcomes[0], outcome, months, variant.automations))
        rows.append(row)
        for f_idx, name in enumerate(CASH_FLOWS):
            cash[v_idx, f_idx] = outcome.ledger.flows[name]
        cash[v_idx, -2] = outcome.ledger.net
        cash[v_idx, -1] = outcome.ledger.balance
    n_events = sum(o.n_events for o in outcomes)
    return ReplicationResult(replication, rows, cash, n_events, time.perf_counter() - started)


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


@dataclass
class ChunkDone:
    """A finished chunk as it travels back from a worker: its frames, ready to store."""

    span: tuple[int, int]
    rows: Any
    cash: Any
    n_events: int


def run_chunk_frames(task: Task) -> ChunkDone:
    """Run a chunk and build its frames on the worker.

    Turning replication results into DataFrames is the chunk's own work: done here, it runs in
    parallel instead of in the parent process, which would otherwise take CPU from the workers.
    """
    results = run_chunk(task)
    rows, cash = chunk_frames(task.scenario, task.variants, results)
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


def run_experiment(
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
):
    """Run ``n_replications`` of every variant and return the :class:`~autosim.Results`.

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
    from autosim.errors import RunError

    if n_replications < 1:
        raise RunError(f"replications must be >= 1 (got {n_replications})")
    entropy = fresh_entropy() if seed is None else int(seed)
    if entropy < 0:
        raise RunError(f"seed must be a non-negative integer (got {seed})")
    if progress is True:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("replications", total=n_replications)
            return run_experiment(
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
    workers = n_jobs or _cpu_count()
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
        tasks = [
            Task(scenario, variants, entropy, a, b, common_random_numbers, keep_cash=keep_cash)
            for a, b in chunk_bounds(stop, size, first)
            if (a, b) not in sink.done
        ]
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
    from autosim.study import Results

    return Results(
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


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
