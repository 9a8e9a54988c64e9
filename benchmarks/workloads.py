"""autosim's side of each benchmark: the same work the references do, through autosim's own code.

Two kinds of work are measured:

* the dispatch engine in its reduced M/M/c form (zero travel and intake, ``first_available``, no
  priorities or patience, always on shift), fed the references' customers; and
* the flagship scenario: whole replications, and the exact jobs each variant dispatches, captured
  from autosim itself so the plain-SimPy field-service reference can be given the same jobs.

It also holds the per-stage profiler that splits a replication's time between the event-driven
dispatch and everything else, because that split is one of the targets and the first thing to
look at when autosim is slow.
"""

from __future__ import annotations

import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from autosim import scenario_from_dict
from autosim.experiment.replication import run_replication
from autosim.experiment.variants import Variant, default_variants
from autosim.model.dispatch import CHOICE, Crew, DispatchJobs, DispatchRecord, simulate_dispatch
from autosim.model.timetable import Timetable
from autosim.scenario.schema import Scenario
from benchmarks.refs import FieldJobs, MMcCustomers

__all__ = [
    "FLAGSHIP",
    "STAGES",
    "CapturedDispatch",
    "StageProfile",
    "capture_dispatch",
    "field_jobs",
    "flagship_scenario",
    "matching_autosim_dispatch",
    "mmc_autosim",
    "mmc_autosim_record",
    "operations_present",
    "profile_replications",
]

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "plumbing_residential_emergency.yaml"


# -- scenarios ------------------------------------------------------------------------------------
def flagship_scenario(horizon_days: int | None = None, path: Path = FLAGSHIP) -> Scenario:
    """The flagship scenario, optionally with a shorter horizon (for quick runs and big sweeps).

    The file is read as plain YAML and re-validated, so a shortened scenario is checked exactly
    like the original; the warm-up is capped below the new horizon, and phased roadmaps (whose
    later phases would start after a shortened horizon) are left out.
    """
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    if horizon_days is not None:
        data["horizon"] = f"{horizon_days} day"
        data.pop("roadmaps", None)
        if "warmup" in data:
            data["warmup"] = f"{min(7, max(horizon_days - 1, 0))} day"
    return scenario_from_dict(data, source=str(path), base_dir=path.parent)


# -- reduced-form dispatch (M/M/c) ----------------------------------------------------------------
def mmc_autosim_record(c: MMcCustomers) -> DispatchRecord:
    """Run autosim's dispatch engine as an M/M/c queue on the given customers."""
    n = len(c)
    jobs = DispatchJobs(
        ready=c.arrival,
        deadline=np.full(n, math.inf),
        priority=np.zeros(n, dtype=int),
        x=np.zeros(n),
        y=np.zeros(n),
        service=c.service,
        overhead=np.zeros(n),
        speed=np.ones(n),
        choice=np.full(n, CHOICE["first_available"]),
        pick=np.zeros(n),
        after_hours=np.zeros(n, dtype=bool),
    )
    horizon = float(c.arrival[-1] + c.service.sum() + 1.0)  # late enough for everyone to finish
    always = Timetable(np.array([0.0]), np.array([2.0 * horizon]))
    crew = Crew(c.servers, (0.0, 0.0), "manhattan", 0, always)
    return simulate_dispatch(jobs, crew, horizon)


def mmc_autosim(c: MMcCustomers) -> np.ndarray:
    """Waits (assignment - arrival) from autosim's dispatch engine in its reduced form."""
    return mmc_autosim_record(c).assign - c.arrival


# -- flagship: the jobs each variant dispatches ---------------------------------------------------
@dataclass(frozen=True)
class CapturedDispatch:
    """One variant's call to ``simulate_dispatch``, exactly as autosim made it."""

    variant: str
    jobs: DispatchJobs
    crew: Crew
    horizon: float

    @property
    def n_jobs(self) -> int:
        """Jobs that became ready within the horizon (what a dispatcher handles)."""
        return int((self.jobs.ready < self.horizon).sum())


def capture_dispatch(
    scenario: Scenario, variants: Sequence[Variant], entropy: int, replication: int
) -> list[CapturedDispatch]:
    """Run one replication and keep the inputs of every ``simulate_dispatch`` call, in order.

    Spying on the call (rather than rebuilding the job table here) means the references get
    exactly autosim's jobs — ready times after intake, locations, service and travel draws —
    whatever the model code does to produce them.
    """
    import autosim.model.business as business

    original = business.simulate_dispatch
    calls: list[tuple[DispatchJobs, Crew, float]] = []

    def spy(jobs: DispatchJobs, crew: Crew, horizon: float) -> DispatchRecord:
        calls.append((jobs, crew, horizon))
        return original(jobs, crew, horizon)

    business.simulate_dispatch = spy
    try:
        run_replication(scenario, variants, entropy, replication)
    finally:
        business.simulate_dispatch = original
    if len(calls) != len(variants):
        raise RuntimeError(
            f"expected one dispatch run per variant, saw {len(calls)} for {len(variants)}"
        )
    return [
        CapturedDispatch(v.id, jobs, crew, horizon)
        for v, (jobs, crew, horizon) in zip(variants, calls, strict=True)
    ]


def field_jobs(captured: CapturedDispatch) -> FieldJobs:
    """The captured jobs in the field-service reference's terms (what it needs, nothing more)."""
    j = captured.jobs
    return FieldJobs(j.ready, j.x, j.y, j.service, j.overhead, j.speed)


def matching_autosim_dispatch(captured: CapturedDispatch) -> DispatchRecord:
    """autosim's engine configured like the reference (always on shift, nearest idle, FIFO).

    Used only to check that the reference is a faithful model: on the same jobs both must give
    the same assignments and times.
    """
    j = captured.jobs
    n = j.ready.size
    always = Timetable(np.array([0.0]), np.array([2.0 * captured.horizon + 1.0]))
    crew = Crew(captured.crew.n, captured.crew.base, captured.crew.metric, 0, always)
    jobs = DispatchJobs(
        ready=j.ready,
        deadline=np.full(n, math.inf),
        priority=np.zeros(n, dtype=int),
        x=j.x,
        y=j.y,
        service=j.service,
        overhead=j.overhead,
        speed=j.speed,
        choice=np.full(n, CHOICE["nearest_idle"]),
        pick=np.zeros(n),
        after_hours=np.zeros(n, dtype=bool),
    )
    return simulate_dispatch(jobs, crew, captured.horizon)


def all_variants(scenario: Scenario) -> list[Variant]:
    """Every variant the sweep runs (the baseline and each automation)."""
    return default_variants(scenario)


# -- profile of a replication ---------------------------------------------------------------------
#: Function names (or ``Class.method``) looked up in every loaded ``autosim`` module ->
#: (stage, kind). Kinds: ``queue`` (event-driven or queueing work: dispatch, the office queue,
#: the stock room's event loop where stockouts delay jobs), ``vector`` (non-queueing work the
#: issue wants vectorised: invoicing, payments, inventory books, KPIs, ledger, finance) and
#: ``setup`` (drawing inputs and per-job parameters). Names that do not exist (yet) are simply
#: not timed: their time lands in the stage that called them.
STAGES: dict[str, tuple[str, str]] = {
    "resolve": ("uncertain inputs & resolve", "setup"),
    "uncertain_inputs": ("uncertain inputs & resolve", "setup"),
    "generate_jobs": ("demand: job table", "setup"),
    "automated_paths": ("adoption & per-job parameters", "setup"),
    "_per_job": ("adoption & per-job parameters", "setup"),
    "intake_times": ("intake (office FIFO heap)", "queue"),
    "simulate_dispatch": ("dispatch (SimPy)", "queue"),
    "simulate_inventory": ("inventory: stock event loop", "queue"),
    "ShelfRun.result": ("inventory: stock event loop", "queue"),
    "run_stock": ("inventory: parts demand & supply set-up", "setup"),
    "_stock": ("inventory: parts demand & supply set-up", "setup"),
    "read_books": ("inventory: books & stock KPIs", "vector"),
    "follow_ups": ("customers: repeat & referral demand", "setup"),
    "customer_kpis": ("KPIs", "vector"),
    "collections_of": ("invoicing & payments", "vector"),
    "collect": ("invoicing & payments", "vector"),
    "receivables_by_day": ("invoicing & payments", "vector"),
    "build_ledger": ("cash ledger & finance", "vector"),
    "money_kpis": ("cash ledger & finance", "vector"),
    "_versus": ("cash ledger & finance", "vector"),
    "job_kpis": ("KPIs", "vector"),
    "_crew_kpis": ("KPIs", "vector"),
    "_overtime": ("KPIs", "vector"),
    "_read_outcome": ("KPIs", "vector"),
    "simulate_variant": ("variant set-up (timetables, arrays)", "setup"),
    "run_replication": ("replication glue (rows, cash cube)", "setup"),
}


@dataclass
class StageProfile:
    """Exclusive wall time per stage over some replications, and how many calls it took."""

    seconds: dict[str, float]
    calls: dict[str, int]
    kinds: dict[str, str]
    total: float
    replications: int

    def share(self, kind: str) -> float:
        """Fraction of the total spent in stages of one kind."""
        part = sum(s for name, s in self.seconds.items() if self.kinds[name] == kind)
        return part / self.total if self.total else math.nan

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, stages sorted by time."""
        order = sorted(self.seconds, key=self.seconds.__getitem__, reverse=True)
        return {
            "replications": self.replications,
            "total_seconds": self.total,
            "stages": [
                {
                    "stage": name,
                    "kind": self.kinds[name],
                    "seconds": self.seconds[name],
                    "share": self.seconds[name] / self.total if self.total else math.nan,
                    "calls": self.calls[name],
                }
                for name in order
            ],
            "share_by_kind": {k: self.share(k) for k in sorted(set(self.kinds.values()))},
        }


@contextmanager
def _timed_stages() -> Iterator[tuple[dict[str, float], dict[str, int]]]:
    """Wrap each stage function wherever autosim modules refer to it; yield the accumulators.

    Times are *exclusive* (a stage's children are subtracted), so nested stages add up to the
    total without double counting. A handful of calls per replication: the wrappers cost
    microseconds, nothing next to the work they time.
    """
    seconds: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    stack: list[float] = []
    patched: list[tuple[object, str, object]] = []

    def wrap(fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                children = stack.pop()
                seconds[stage] += elapsed - children
                calls[stage] += 1
                if stack:
                    stack[-1] += elapsed

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed

    wrappers: dict[int, Callable[..., Any]] = {}
    seen: set[tuple[int, str]] = set()
    for mod_name, module in list(sys.modules.items()):
        if module is None or not (mod_name == "autosim" or mod_name.startswith("autosim.")):
            continue
        for key, (stage, _kind) in STAGES.items():
            owner: object = module
            name = key
            if "." in key:  # a method: patched on its class (imported by several modules)
                cls_name, name = key.split(".", 1)
                owner = getattr(module, cls_name, None)
                if not isinstance(owner, type) or name not in vars(owner):
                    continue
                fn = vars(owner)[name]
            else:
                fn = getattr(module, name, None)
            if (id(owner), name) in seen or not callable(fn) or isinstance(fn, type):
                continue
            seen.add((id(owner), name))
            if id(fn) not in wrappers:
                wrappers[id(fn)] = wrap(fn, stage)
            patched.append((owner, name, fn))
            setattr(owner, name, wrappers[id(fn)])
    try:
        yield seconds, calls
    finally:
        for module, name, fn in patched:
            setattr(module, name, fn)


def profile_replications(
    scenario: Scenario, variants: Sequence[Variant], entropy: int, replications: Sequence[int]
) -> StageProfile:
    """Time each stage of whole replications (all variants) with ``time.perf_counter``."""
    import autosim.experiment.replication as replication

    with _timed_stages() as (seconds, calls):
        started = time.perf_counter()
        for r in replications:
            replication.run_replication(scenario, variants, entropy, r)  # looked up: wrapped
        total = time.perf_counter() - started
    kinds = {stage: kind for stage, kind in STAGES.values()}
    seconds = dict(seconds)
    untimed = total - sum(seconds.values())
    if untimed > 0:
        seconds["outside any stage"] = untimed
        calls["outside any stage"] = 0
        kinds["outside any stage"] = "setup"
    return StageProfile(
        seconds,
        dict(calls),
        {s: kinds[s] for s in seconds},
        total,
        len(replications),
    )


def operations_present(profile: StageProfile, scenario: Scenario) -> dict[str, bool]:
    """Which operations actually ran inside a flagship replication.

    An operation counts when its stage was called *and* the scenario has that section (a stage
    called on a scenario without it only passes money straight through).
    """
    ran = {stage for stage, n in profile.calls.items() if n > 0}

    def has(section: str) -> bool:
        return getattr(scenario, section, None) is not None

    return {
        "dispatch": "dispatch (SimPy)" in ran,
        "intake": "intake (office FIFO heap)" in ran,
        "invoicing": "invoicing & payments" in ran and has("invoicing"),
        "inventory": any(s.startswith("inventory") for s in ran) and has("inventory"),
        "ledger": "cash ledger & finance" in ran,
        "kpis": "KPIs" in ran,
    }
