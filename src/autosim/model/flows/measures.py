"""The operations KPIs, read off the recorded arrays after the run (nothing here is an event).

What the owner of a café asks at the end of the week — how many came in, how many we served,
how many walked out when they saw the line (balked) or gave up waiting (reneged), how long they
waited, how many were served within our target, what the counter took in, how busy the baristas
were and what they cost — per flow, per segment, per step and per pool, all computed vectorised
from the per-item and per-leg arrays of :mod:`autosim.model.flows.engine`. The names and
meanings are those of the catalogue (:mod:`autosim.kpis.flows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autosim.kpis import column
from autosim.model.flows.engine import LegState, PoolPlan, Work, WorkRecord
from autosim.model.flows.plan import OperationsPlan
from autosim.model.timetable import Timetable

__all__ = ["Fates", "busy_minutes", "fates_of", "flow_kpis", "pool_kpis"]


@dataclass(frozen=True)
class Fates:
    """Per item: what became of it (times in minutes; NaN where it did not happen)."""

    completed: np.ndarray
    balked: np.ndarray
    reneged: np.ndarray
    done: np.ndarray  # when it left, completed
    reached: np.ndarray  # when its first service started (its arrival, without serve steps)
    wait: np.ndarray  # minutes spent in queues (legs started)


def fates_of(work: Work, record: WorkRecord, horizon: float) -> Fates:
    """Each item's outcome from its legs' states."""
    n, item = work.n_items, work.item
    state = record.state
    started = state == LegState.STARTED
    balked = np.bincount(item, state == LegState.BALKED, minlength=n) > 0
    reneged = np.bincount(item, state == LegState.RENEGED, minlength=n) > 0
    has = work.n_legs > 0
    first = np.where(has, work.first, 0)
    last = np.where(has, work.first + work.n_legs - 1, 0)
    if item.size:
        end_last = np.where(started[last], record.start[last] + work.service[last], np.nan)
        reached = np.where(has, np.where(started[first], record.start[first], np.nan), 0.0)
    else:
        end_last = reached = np.zeros(n)
    done = np.where(has, end_last, work.arrival) + work.after
    completed = np.isfinite(done) & (done <= horizon)
    waited = np.where(started, record.start - record.ready, 0.0)
    return Fates(
        completed=completed,
        balked=balked,
        reneged=reneged,
        done=np.where(completed, done, np.nan),
        reached=np.where(has, reached, work.arrival),
        wait=np.bincount(item, waited, minlength=n),
    )


def _quantiles(values: np.ndarray) -> tuple[float, float]:
    if not values.size:
        return float("nan"), float("nan")
    p50, p90 = np.quantile(values, [0.5, 0.9])
    return float(p50), float(p90)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _flow_block(m: np.ndarray, work: Work, fates: Fates, target: np.ndarray) -> dict[str, float]:
    """The per-item KPIs of the items ``m`` (a flow, a segment, all)."""
    n = int(m.sum())
    done = m & fates.completed
    lost = m & (fates.balked | fates.reneged)
    p50, p90 = _quantiles(fates.wait[done])
    reached = np.isfinite(fates.reached)
    with_target = m & np.isfinite(target)
    judged = with_target & (reached | lost)
    hit = judged & reached & (fates.reached - work.arrival <= np.nan_to_num(target, nan=np.inf))
    return {
        "flow_arrivals": float(n),
        "flow_completed": float(done.sum()),
        "flow_lost": float(lost.sum()),
        "flow_balked": float((m & fates.balked).sum()),
        "flow_reneged": float((m & fates.reneged).sum()),
        "flow_lost_share": float(lost.sum() / n) if n else float("nan"),
        "flow_wait_mean_min": _mean(fates.wait[done]),
        "flow_wait_p50_min": p50,
        "flow_wait_p90_min": p90,
        "flow_time_in_system_mean_min": _mean(fates.done[done] - work.arrival[done]),
        "flow_within_target_share": float(hit.sum() / judged.sum())
        if judged.any()
        else float("nan"),
        "flow_revenue": float(work.revenue[done].sum()),
    }


def flow_kpis(
    plan: OperationsPlan, fates: Fates, record: WorkRecord, t0: float
) -> dict[str, float]:
    """Per-item KPIs of the items arriving from ``t0`` on: overall, per flow, per segment; and
    per step (``flow.step``): visits served and their mean wait."""
    work = plan.work
    window = work.arrival >= t0
    target = np.array(
        [np.nan if f.response_target is None else f.response_target for f in plan.flows]
    )[work.flow]
    segment = np.array([f.segment for f in plan.flows])[work.flow] if work.n_items else []
    groups = [(None, None, window)]
    groups += [("flow", f.id, window & (work.flow == i)) for i, f in enumerate(plan.flows)]
    for seg in dict.fromkeys(f.segment for f in plan.flows):
        groups.append(("segment", seg, window & (segment == seg)))
    out: dict[str, float] = {}
    for by, value, m in groups:
        for name, v in _flow_block(m, work, fates, target).items():
            out[column(name, by, value)] = v
    started = (record.state == LegState.STARTED) & window[work.item]
    waits = record.start - record.ready
    served = {f"{f.id}.{s.id}" for f in plan.flows for s in f.steps if s.serve is not None}
    for s, key in enumerate(plan.step_keys):
        if key not in served:
            continue
        legs = started & (work.step == s)
        out[column("step_served", "step", key)] = float(legs.sum())
        out[column("step_wait_mean_min", "step", key)] = _mean(waits[legs])
    return out


def busy_minutes(
    work: Work, record: WorkRecord, pools: PoolPlan, horizon: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per leg: minutes of service inside its pool's shift and outside it (overtime), within
    the horizon (0 for legs never started)."""
    started = record.state == LegState.STARTED
    a = np.where(started, record.start, 0.0)
    b = np.where(started, np.minimum(a + work.service, horizon), 0.0)
    inside = np.zeros(a.size)
    for p, shift in enumerate(pools.shifts):
        at = work.pool == p
        inside[at] = shift.open_minutes_before(b[at]) - shift.open_minutes_before(a[at])
    return inside, (b - a) - inside


def _capacity(pools: PoolPlan, p: int, t0: float, t1: float) -> float:
    """Unit-minutes on shift of pool ``p`` between ``t0`` and ``t1`` (size changes included)."""
    shift: Timetable = pools.shifts[p]
    total = 0.0
    counts = pools.counts[p]
    for k, (since, count) in enumerate(counts):
        until = counts[k + 1][0] if k + 1 < len(counts) else np.inf
        a, b = max(since, t0), min(until, t1)
        if b > a:
            total += count * float(shift.open_minutes_before(b) - shift.open_minutes_before(a))
    return total


def pool_kpis(
    work: Work,
    record: WorkRecord,
    pools: PoolPlan,
    overtime: np.ndarray,
    t0: float,
    horizon: float,
) -> dict[str, float]:
    """Utilization, time-average queue and overtime of each pool (and of all) from ``t0``."""
    state = record.state
    started = state == LegState.STARTED
    # busy time within [t0, horizon] on shift: clip each started leg to the window
    a = np.where(started, np.maximum(record.start, t0), 0.0)
    b = np.where(started, np.minimum(record.start + work.service, horizon), 0.0)
    b = np.maximum(a, b)
    left = np.select(
        [started, state == LegState.RENEGED, state == LegState.WAITING],
        [record.start, record.deadline, np.full(state.size, horizon)],
        record.ready,
    )
    joined = np.maximum(np.nan_to_num(record.ready, nan=0.0), t0)
    queued = np.clip(np.minimum(np.nan_to_num(left, nan=0.0), horizon) - joined, 0.0, None)
    counted = started & (record.start >= t0)
    span = horizon - t0
    out: dict[str, float] = {}
    busy_all = capacity_all = 0.0
    for p, pool in enumerate(pools.ids):
        at = work.pool == p
        shift = pools.shifts[p]
        busy = float(np.sum(shift.open_minutes_before(b[at]) - shift.open_minutes_before(a[at])))
        capacity = _capacity(pools, p, t0, horizon)
        busy_all += busy
        capacity_all += capacity
        out[column("pool_utilization", "pool", pool)] = busy / capacity if capacity else np.nan
        out[column("pool_queue_length_mean", "pool", pool)] = float(queued[at].sum() / span)
        out[column("pool_overtime_hours", "pool", pool)] = float(overtime[at & counted].sum() / 60)
    out["pool_utilization"] = busy_all / capacity_all if capacity_all else float("nan")
    out["pool_queue_length_mean"] = float(queued.sum() / span)
    out["pool_overtime_hours"] = float(overtime[counted].sum() / 60)
    return out
