"""One variant of one replication: the whole business run over the horizon.

This module wires the operations together in the order the business lives them — calls come in
(demand), the office or the automation takes them (intake), technicians go out (dispatch) — then
reads KPIs and the cash ledger off the recorded arrays. A business built from operations blocks
(an ``operations`` section) runs its flows alongside (:mod:`autosim.model.flows`), and their KPIs,
sales and pay join the same outcome and ledger. Per-job parameters are mixed between the
baseline and each automation's version according to who actually used the automation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from autosim.kpis import column, period_suffix
from autosim.model.automation import AutomatedPaths, automated_paths
from autosim.model.customers import FollowUps, customer_kpis, follow_ups
from autosim.model.demand import Jobs, U
from autosim.model.dispatch import (
    CHOICE,
    Crew,
    DispatchJobs,
    DispatchRecord,
    queue_kpis,
    simulate_dispatch,
)
from autosim.model.finance import Ledger
from autosim.model.flows import (
    FlowsOutcome,
    dispatch_view,
    field_crew_kpi,
    merge_ledger,
    operations_only,
)
from autosim.model.flows import run_operations as run_flows
from autosim.model.intake import intake_times
from autosim.model.inventory.stock import StockOutcome, run_stock
from autosim.model.job_kpis import job_kpis
from autosim.model.ledger import LedgerInputs, build_ledger, collections_of, financing_owed
from autosim.model.receivables import money_kpis
from autosim.model.timetable import DAY, Timetable
from autosim.scenario.schema import Scenario, technician_shift

__all__ = ["VariantOutcome", "reach_kpis", "simulate_variant"]

Stream = Callable[[str], np.random.Generator]
_POLICY = {"first_available": 0, "nearest_idle": 1, "manual": 2}
Group = tuple[str | None, str | None, np.ndarray]


@dataclass(frozen=True)
class VariantOutcome:
    """KPIs and the daily ledger of one variant in one replication."""

    kpis: dict[str, float]
    ledger: Ledger
    n_events: int
    n_jobs: int
    trace: dict[str, Any] | None = None  # with trace=True: per-job arrays for record tables


@dataclass(frozen=True)
class _PerJob:
    """Everything per job that the variant decides, aligned with the job table."""

    service: np.ndarray
    revenue: np.ndarray
    deadline: np.ndarray
    handling: np.ndarray
    automated_intake: np.ndarray
    answering: np.ndarray
    overhead: np.ndarray
    speed: np.ndarray
    choice: np.ndarray


def _by_type(scenario: Scenario, jobs: Jobs, column: int, attr: str) -> np.ndarray:
    """Inverse-transform each job's uniform through its type's distribution ``attr``."""
    out = np.full(len(jobs), np.inf)
    for idx, jt in enumerate(scenario.dispatch.job_types):
        dist = getattr(jt, attr)
        if dist is not None:
            mask = jobs.type_idx == idx
            out[mask] = dist.ppf(jobs.u[mask, column])
    return out


def _per_job(scenario: Scenario, jobs: Jobs, paths: AutomatedPaths) -> _PerJob:
    n = len(jobs)
    u = jobs.u
    types = scenario.dispatch.job_types
    after_hours = np.array([jt.after_hours_service for jt in types])[jobs.type_idx]

    def full(value: object) -> np.ndarray:
        return np.full(n, value)

    policy = paths.mix("dispatch.policy", lambda p: np.full(n, _POLICY[p]))
    near_p = paths.mix("dispatch.manual_nearest_prob", full)
    manual_choice = np.where(u[:, U.MANUAL] < near_p, CHOICE["nearest_idle"], CHOICE["random"])
    factor = paths.mix("dispatch.service_time_factor", full)
    return _PerJob(
        service=_by_type(scenario, jobs, U.SERVICE, "service_time") * factor,
        revenue=_by_type(scenario, jobs, U.REVENUE, "revenue"),
        deadline=jobs.call + _by_type(scenario, jobs, U.PATIENCE, "patience"),
        handling=paths.mix("dispatch.intake.handling_time", lambda d: d.ppf(u[:, U.HANDLE])),
        automated_intake=paths.mix("dispatch.intake.mode", lambda m: full(m == "automated")),
        answering=after_hours
        & paths.mix("dispatch.intake.after_hours", lambda v: full(v == "on_call")),
        overhead=paths.mix("dispatch.travel.overhead", lambda d: d.ppf(u[:, U.TRAVEL])),
        speed=paths.mix("dispatch.travel.speed_kmh", full) / 60.0,
        choice=np.where(policy == _POLICY["manual"], manual_choice, policy),
    )


def _crew(scenario: Scenario, shift: Timetable) -> Crew:
    techs = scenario.dispatch.technicians
    area = scenario.dispatch.area
    base = techs.base_km or (float(area.width_km) / 2, float(area.height_km) / 2)
    return Crew(techs.count, base, scenario.dispatch.travel.metric, techs.on_call, shift)


def _groups(scenario: Scenario, jobs: Jobs) -> list[Group]:
    types = scenario.dispatch.job_types
    segment_of = np.array([jt.segment for jt in types])[jobs.type_idx] if len(jobs) else []
    groups: list[Group] = [(None, None, np.ones(len(jobs), bool))]
    groups += [("segment", s, segment_of == s) for s in scenario.dispatch.segments]
    groups += [("job_type", jt.id, jobs.type_idx == i) for i, jt in enumerate(types)]
    return groups


def _overtime(
    record: DispatchRecord, shift: Timetable, horizon: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per job: minutes worked outside shifts, and minutes worked inside them."""
    started = ~np.isnan(record.assign)
    start = np.where(started, record.assign, 0.0)
    end = np.where(started, np.minimum(np.nan_to_num(record.done, nan=horizon), horizon), 0.0)
    inside = shift.open_minutes_before(end) - shift.open_minutes_before(start)
    return (end - start) - inside, inside


def simulate_variant(
    scenario: Scenario,
    jobs: Jobs,
    automation_ids: Sequence[str],
    stream: Stream,
    starts: Sequence[float] = (),
    trace: bool = False,
) -> VariantOutcome:
    """Run one variant (baseline when ``automation_ids`` is empty) on a resolved scenario.

    ``starts`` (minutes, one per automation) buys the automations later, as a roadmap does.
    ``trace`` keeps the per-job arrays the business's own records would hold (calls, arrivals,
    completions, invoices, stock movements: see :mod:`autosim.calibration.simrecords`).
    """
    n_days = scenario.n_days
    horizon = n_days * DAY
    flows = None
    if scenario.operations is not None:  # operations from building blocks (model.flows)
        flows = run_flows(scenario, automation_ids, stream, starts, goal_periods(scenario))
    paths = automated_paths(dispatch_view(scenario), jobs, automation_ids, stream, starts)
    per = _per_job(scenario, jobs, paths)
    office = Timetable.weekly(scenario.calendar.hours, scenario.calendar.start_date, n_days)
    shift = Timetable.weekly(technician_shift(scenario), scenario.calendar.start_date, n_days)
    rows = np.flatnonzero(paths.active)
    sub = jobs.subset(paths.active)
    follow = follow_ups(scenario, jobs, paths, rows, sub) if scenario.customers else None
    intake = intake_times(
        sub.call,
        per.automated_intake[rows] | sub.potential,  # returning customers book directly
        per.handling[rows],
        per.answering[rows],
        office,
        scenario.dispatch.intake.dispatchers,
    )
    types = scenario.dispatch.job_types
    priority = np.array([jt.priority for jt in types])[sub.type_idx]
    after_hours = np.array([jt.after_hours_service for jt in types])[sub.type_idx]
    record = simulate_dispatch(
        DispatchJobs(
            ready=intake.ready,
            deadline=per.deadline[rows],
            priority=priority,
            x=sub.x,
            y=sub.y,
            service=per.service[rows],
            overhead=per.overhead[rows],
            speed=per.speed[rows],
            choice=per.choice[rows],
            pick=sub.u[:, U.PICK],
            after_hours=after_hours,
            exists=~sub.potential if follow else None,
            child=follow.child if follow else None,
            expect_by=follow.expect_by if follow else None,
            p_on_time=follow.p_on_time if follow else None,
            p_late=follow.p_late if follow else None,
            u_child=sub.u[:, U.CHILD] if follow else None,
        ),
        _crew(scenario, shift),
        horizon,
    )
    happened = record.exists
    sink: dict[str, Any] | None = {} if trace else None
    kpis, ledger = _read_outcome(
        scenario,
        _Run(
            jobs=jobs,
            rows=rows[happened],
            sub=sub.subset(happened),
            paths=paths,
            per=per,
            ready=intake.ready[happened],
            via_office=intake.via_office[happened],
            record=record.subset(happened),
            follow=follow.subset(happened) if follow else None,
        ),
        shift,
        office,
        stream,
        sink,
        flows,
    )
    n_events, n_jobs = record.n_events, int(happened.sum())
    if flows is not None:
        n_events, n_jobs = n_events + flows.n_events, n_jobs + flows.n_items
    return VariantOutcome(kpis, ledger, n_events, n_jobs, sink)


@dataclass(frozen=True)
class _Run:
    """One variant's jobs that happened, with everything decided and recorded about them."""

    jobs: Jobs  # the whole table (automation masks and mixes are indexed on it)
    rows: np.ndarray  # indices into ``jobs`` of the jobs that happened
    sub: Jobs  # those jobs
    paths: AutomatedPaths
    per: _PerJob
    ready: np.ndarray
    via_office: np.ndarray
    record: DispatchRecord
    follow: FollowUps | None


def _stock(scenario: Scenario, run: _Run, stream: Stream) -> StockOutcome | None:
    """The stock room after the dispatch run (None without an inventory section)."""
    if scenario.inventory is None:
        return None
    arrive = np.where(run.record.arrive <= scenario.n_days * DAY, run.record.arrive, np.nan)
    autos = run.paths.automations
    return run_stock(scenario, run.jobs, run.rows, arrive, autos, stream, goal_periods(scenario))


def _read_outcome(
    scenario: Scenario,
    run: _Run,
    shift: Timetable,
    office: Timetable,
    stream: Stream,
    sink: dict[str, Any] | None = None,
    flows: FlowsOutcome | None = None,
) -> tuple[dict[str, float], Ledger]:
    """KPIs and daily cash from the recorded arrays (nothing here is event-driven).

    A ``sink`` dict receives the per-job arrays (for record tables); None keeps nothing.
    """
    horizon = scenario.n_days * DAY
    sub, rows, record, per = run.sub, run.rows, run.record, run.per
    stock = _stock(scenario, run, stream)
    busy = record  # when each technician is free again (supply trips and return visits added)
    if stock is not None:
        busy = replace(record, done=record.done + stock.extra_minutes)
        record = replace(record, done=stock.completion(record.done, horizon))
    completed = ~np.isnan(record.done)
    types = scenario.dispatch.job_types
    target = np.array([np.nan if t.response_target is None else t.response_target for t in types])
    window = sub.call >= scenario.warmup
    arrive = np.where(record.arrive <= horizon, record.arrive, np.nan)
    arrays = {
        "call": sub.call,
        "ready": run.ready,
        "arrive": arrive,
        "completed": completed,
        "lost": np.isnan(record.assign) & (per.deadline[rows] <= horizon),
        "revenue": per.revenue[rows],
        "target": target[sub.type_idx],
    }
    all_groups = _groups(scenario, sub)
    kpis = _dispatch_kpis([(b, v, m & window) for b, v, m in all_groups], arrays)
    queue = (all_groups, run.ready, run.record, per.deadline[rows])  # the dispatch run's own
    kpis.update(queue_kpis(*queue, scenario.warmup, horizon))
    for days in goal_periods(scenario):
        recent = sub.call >= horizon - days * DAY
        block = _dispatch_kpis([(b, v, m & recent) for b, v, m in all_groups], arrays)
        block.update(queue_kpis(*queue, horizon - days * DAY, horizon))
        block.update(
            customer_kpis(scenario, sub, run.follow, arrive, completed, all_groups, recent)
        )
        kpis.update({name + period_suffix(days): value for name, value in block.items()})
    kpis.update(customer_kpis(scenario, sub, run.follow, arrive, completed, all_groups, window))
    overtime, inside = _overtime(busy, shift, horizon)
    kpis.update(_crew_kpis(scenario, busy, overtime, inside, shift))
    kpis["office_hours"] = float(per.handling[rows][run.via_office & window].sum() / 60.0)

    money = collections_of(scenario, run.jobs, run.paths, rows, record.done, per.revenue[rows])
    kpis.update(money_kpis(scenario, record.done, money))
    if flows is not None:  # counter sales: cash at completion
        kpis.update(flows.kpis)
        kpis["revenue_horizon"] += flows.revenue_horizon
        kpis["collections"] += flows.revenue_horizon
    if sink is not None:
        sink.update(jobs=sub, record=record, lost=arrays["lost"], money=money, stock=stock)
        sink["revenue"] = per.revenue[rows]
    inputs = LedgerInputs(
        done=record.done,
        assign=record.assign,
        overtime=overtime,
        call=sub.call,
        money=money,
        automation_masks=tuple(
            m[rows] & (flows is None or not operations_only(scenario.automation(a.id)))
            for a, m in zip(run.paths.automations, run.paths.masks, strict=True)
        ),
        automations=run.paths.automations,
        stock_flows=stock.flows if stock is not None else None,
        starts=run.paths.starts,
    )
    ledger = build_ledger(scenario, inputs, shift, office)
    if flows is not None:  # the pools' pay, counter sales and per-item fees
        ledger = merge_ledger(ledger, flows)
    kpis.update(ledger.summary())
    kpis["wages"] = float(-(ledger.flows["wages"].sum()))
    kpis["automation_cost"] = float(-(ledger.flows["automation"].sum()))
    kpis["financing_owed_end"] = financing_owed(scenario, inputs)
    # Accrual profit: revenue earned, less every cost, the bad debt written off and the
    # early-payment discounts given (collections are cash: net of those discounts).
    kpis["profit"] = float(
        kpis["revenue_horizon"]
        + ledger.net.sum()
        - ledger.flows["collections"].sum()
        - kpis["bad_debt"]
        - kpis["early_payment_discounts"]
    )
    if stock is not None:
        kpis.update(stock.kpis)
        kpis["profit"] += stock.accrual_adjustment  # stock bought but not used is not a cost
    if not scenario.has_field_crew:  # built from operations alone: no field jobs, no invoices
        kpis = {k: v for k, v in kpis.items() if not field_crew_kpi(k)}
    return kpis, ledger


def _crew_kpis(
    scenario: Scenario,
    record: DispatchRecord,
    overtime: np.ndarray,
    inside: np.ndarray,
    shift: Timetable,
) -> dict[str, float]:
    """Utilization, travel share and overtime of the technicians over the KPI window."""
    n_days = scenario.n_days
    busy = np.nan_to_num(record.done - record.assign, nan=0.0)
    travel = np.nan_to_num(record.arrive - record.assign, nan=0.0)
    counted = ~np.isnan(record.assign) & (record.assign >= scenario.warmup)
    window_days = np.arange(n_days) >= scenario.warmup / DAY
    capacity = scenario.dispatch.technicians.count * shift.open_minutes_per_day(n_days)
    capacity = capacity[window_days].sum()
    busy_total = busy[counted].sum()
    return {
        "utilization": float(inside[counted].sum() / capacity) if capacity else float("nan"),
        "travel_share": float(travel[counted].sum() / busy_total) if busy_total else float("nan"),
        "overtime_hours": float(overtime[counted].sum() / 60.0),
    }


#: Response-time percentiles over all calls, lost ones included: (KPI, percent).
_ALL_CALLS = (
    ("response_time_all_p50_min", 50),
    ("response_time_all_p90_min", 90),
    ("response_time_all_p95_min", 95),
)


def reach_kpis(
    groups: Sequence[Group], call: np.ndarray, arrive: np.ndarray, lost: np.ndarray
) -> dict[str, float]:
    """Response-time percentiles of each group over all its calls, lost ones included.

    A lost call is never reached (response time +inf); calls neither reached nor lost (still
    waiting at the horizon) are left out, as in ``within_target_share``. The P-th percentile is
    the smallest response time within which at least P% of the calls were reached (the
    empirical quantile, no interpolation), so it is inf when more than (100 - P)% were lost.
    """
    response = np.where(np.isnan(arrive), np.inf, arrive - call)
    counted = ~np.isnan(arrive) | lost
    out: dict[str, float] = {}
    for by, value, mask in groups:
        times = np.sort(response[mask & counted])
        n = times.size
        for name, percent in _ALL_CALLS:
            # the ceil(P n / 100)-th smallest, in integers (0.9 * 10 is not 9 in floats)
            out[column(name, by, value)] = float(times[-(-percent * n // 100) - 1]) if n else np.nan
    return out


def _dispatch_kpis(groups: Sequence[Group], arrays: dict[str, np.ndarray]) -> dict[str, float]:
    """The per-job KPIs of each group, then the all-calls response percentiles."""
    kpis = job_kpis(groups, **arrays)
    kpis.update(reach_kpis(groups, arrays["call"], arrays["arrive"], arrays["lost"]))
    return kpis


def goal_periods(scenario: Scenario) -> list[int]:
    """Distinct judging periods (days) that the strategy's goals ask for."""
    if scenario.strategy is None:
        return []
    days = {c.period_days for g in scenario.strategy.goals for c in g.all}
    return sorted(d for d in days if d is not None)
