"""One variant's operations before the run: who uses what, the pools over time, every route.

Like the dispatch board on Monday morning: before anyone moves, the manager knows which
customers will take the kiosk (adoption, decided per item when it arrives, from the
automation's own stream), how many baristas are on the rota each day (a hire counts from its
go-live), and — because an item's choices are its own draws — which steps each item will walk
through. Only the waiting is left to the floor (:mod:`autosim.model.flows.engine`).

Routes are computed for all items of a flow at once, in lock-step: every round moves each item
one step (a serve step becomes a leg, a delay adds time before the next leg, a branch or a rework
picks the next step from the item's uniform for that visit, a leave ends the route). An
automation's per-item effects are applied to a copy of the operations; each item reads every
parameter from the base or from the last automation it uses that changes that parameter (later
automations in a bundle win, as in :meth:`autosim.model.automation.AutomatedPaths.mix`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autosim.errors import RunError
from autosim.model.automation import adoption_share, bought_at
from autosim.model.flows.arrivals import FlowArrivals, draw_arrivals
from autosim.model.flows.draws import Purpose, uniforms
from autosim.model.flows.engine import PoolPlan, Work
from autosim.model.timetable import Timetable
from autosim.scenario.operations_effects import apply_ops_effect, parse_ops_path
from autosim.scenario.operations_schema import Flow, Operations
from autosim.scenario.schema import Automation, Scenario

__all__ = ["MAX_ITEMS", "MAX_ROUTE_STEPS", "OperationsPlan", "plan_operations", "splice"]

Stream = Callable[[str], np.random.Generator]

#: Steps one item may take before its route is cut (it then leaves as if done). With every
#: rework probability below 1 this is never reached in practice: p = 0.9 gives 0.9**10000.
MAX_ROUTE_STEPS = 10_000

#: Items per replication above which a run is refused (a typo in a rate, not a small business).
MAX_ITEMS = 5_000_000


def _expected_items(scenario: Scenario) -> float:
    """Upper estimate of the items one replication brings (growth at its end of the horizon)."""
    days = scenario.n_days
    total = 0.0
    for flow in scenario.operations.flows:
        arr = flow.arrivals
        if arr.schedule is not None:
            total += sum(e.quantity for e in arr.schedule) * days
        else:
            growth = max(1.0, (1.0 + float(arr.growth_per_year)) ** (days / 365.0))
            peak = 1.0
            for profile in (arr.weekday_profile, arr.monthly_profile):
                if profile is not None:
                    peak *= max(profile) / (sum(profile) / len(profile))
            total += float(arr.rate_per_day) * days * growth * peak
    return total


@dataclass(frozen=True)
class OperationsPlan:
    """Everything about one variant's operations that is known before the run."""

    pools: PoolPlan
    work: Work
    automations: tuple[Automation, ...]  # as bought (go-live moved by a roadmap start)
    uses: tuple[np.ndarray, ...]  # per automation: items that took its automated path
    flows: tuple[Flow, ...]
    step_keys: tuple[str, ...]  # "flow.step" per global step number


def splice(pieces: Sequence[tuple[float, Timetable]]) -> Timetable:
    """One timetable following each piece from its start time until the next piece's start."""
    opens, closes = [], []
    for k, (t0, table) in enumerate(pieces):
        t1 = pieces[k + 1][0] if k + 1 < len(pieces) else np.inf
        o, c = np.maximum(table.opens, t0), np.minimum(table.closes, t1)
        keep = o < c
        opens.append(o[keep])
        closes.append(c[keep])
    o, c = np.concatenate(opens), np.concatenate(closes)
    if o.size > 1:  # join intervals cut only by a piece's start
        joined = np.r_[False, o[1:] == c[:-1]]
        o, c = o[~joined], c[np.r_[~joined[1:], True]]
    return Timetable(o, c)


def _pool_plan(scenario: Scenario, autos: Sequence[Automation]) -> PoolPlan:
    """Each pool's size and shift over time: base values, then each structural effect from its
    automation's go-live (a later automation of the variant wins where two are live)."""
    ops = scenario.operations
    cal = scenario.calendar
    counts, shifts = [], []
    for res in ops.resources:
        changes = []
        for auto in autos:
            for path, value in auto.effects.items():
                parsed = parse_ops_path(path) if path.startswith("operations.") else None
                if parsed is not None and parsed.structural and parsed.pool == res.id:
                    changes.append((float(auto.costs.implementation), parsed.attr, value))
        times = sorted({0.0} | {live for live, _, _ in changes})
        count_at, shift_at = [], []
        for t in times:
            now = {"count": res.count, "shift": res.shift or cal.hours}
            for live, attr, value in changes:
                if live <= t:
                    now[attr] = value
            count_at.append((t, int(now["count"])))
            shift_at.append((t, now["shift"]))
        counts.append(
            tuple(c for k, c in enumerate(count_at) if k == 0 or c[1] != count_at[k - 1][1])
        )
        tables = [(t, Timetable.weekly(h, cal.start_date, scenario.n_days)) for t, h in shift_at]
        shifts.append(splice(tables))
    return PoolPlan(
        ids=tuple(r.id for r in ops.resources),
        shifts=tuple(shifts),
        counts=tuple(counts),
        wage=np.array([float(r.wage_per_hour) for r in ops.resources]),
        overtime_multiplier=np.array([float(r.overtime_multiplier) for r in ops.resources]),
    )


class _Choices:
    """Per item of one flow: which version of each parameter it uses (0: the base)."""

    def __init__(
        self, base: Flow, views: Sequence[Flow | None], masks: Sequence[np.ndarray], n: int
    ) -> None:
        self.base, self.views, self.masks, self.n = base, views, masks, n

    def pick(self, get: Callable[[Flow], Any]) -> tuple[list[Any], np.ndarray]:
        base = get(self.base)
        values, idx = [base], np.zeros(self.n, np.intp)
        for view, mask in zip(self.views, self.masks, strict=True):
            if view is None:
                continue
            value = get(view)
            if value != base and mask.any():
                if value not in values:
                    values.append(value)
                idx[mask] = values.index(value)
        return values, idx


def _by_choice(values: list[Any], idx: np.ndarray, what: Callable[[Any, np.ndarray], Any]):
    """Evaluate ``what(value, rows)`` for each version's items into one array."""
    out = np.empty(idx.size)
    for k, value in enumerate(values):
        rows = np.flatnonzero(idx == k)
        if rows.size:
            out[rows] = what(value, rows)
    return out


def _route(
    flow: Flow,
    arrivals: FlowArrivals,
    choices: _Choices,
    pool_index: dict[str, int],
    step0: int,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Legs of every item of one flow, with each item's revenue and final delay."""
    n, keys, steps = len(arrivals), arrivals.key, flow.steps
    n_steps = len(steps)
    pos = np.zeros(n, np.intp)
    visits = np.zeros((n, n_steps), np.int64)
    pending = np.zeros(n)  # delay since the last leg
    seq = np.zeros(n, np.intp)
    after = np.zeros(n)
    values, idx = choices.pick(lambda f: f.revenue)
    u_rev = uniforms(keys, n_steps, 0, Purpose.REVENUE)
    revenue = _by_choice(values, idx, lambda d, r: d.ppf(u_rev[r]))
    legs: dict[str, list[np.ndarray]] = {k: [] for k in _LEG_FIELDS}
    active = np.arange(n)
    for _ in range(MAX_ROUTE_STEPS):
        at = pos[active]
        finished = at >= n_steps
        after[active[finished]] = pending[active[finished]]
        active, at = active[~finished], at[~finished]
        if not active.size:
            break
        for s in np.unique(at):
            rows = active[at == s]
            visit = visits[rows, s]
            visits[rows, s] += 1
            step = steps[s]
            pos[rows] = s + 1
            if step.serve is not None:
                _serve_legs(
                    legs, flow, s, step0, rows, visit, keys, choices, pool_index, pending, seq
                )
            elif step.delay is not None:
                vals, k = choices.pick(lambda f, s=s: f.steps[s].delay)
                u = uniforms(keys[rows], s, visit, Purpose.DELAY)
                pending[rows] += _by_choice(vals, k[rows], lambda d, r, u=u: d.ppf(u[r]))
            elif step.branch is not None:
                vals, k = choices.pick(lambda f, s=s: f.steps[s].branch)
                u = uniforms(keys[rows], s, visit, Purpose.BRANCH)
                pos[rows] = _by_choice(vals, k[rows], lambda b, r, u=u: _choose(flow, b, u[r]))
            elif step.rework is not None:
                vals, k = choices.pick(lambda f, s=s: float(f.steps[s].rework.p))
                u = uniforms(keys[rows], s, visit, Purpose.REWORK)
                back = u < _by_choice(vals, k[rows], lambda p, r: p)
                pos[rows[back]] = flow.step_index(step.rework.to)
            else:  # leave
                if step.leave.revenue is not None:
                    u = uniforms(keys[rows], s, visit, Purpose.REVENUE)
                    revenue[rows] = step.leave.revenue.ppf(u)
                pos[rows] = n_steps
    else:  # the cap: whoever is still walking leaves now
        after[active] = pending[active]
    out = {k: np.concatenate(v) if v else np.zeros(0) for k, v in legs.items()}
    return out, revenue, after


_LEG_FIELDS = ("item", "seq", "step", "pool", "service", "priority", "limit", "patience", "before")


def _choose(flow: Flow, branch: Any, u: np.ndarray) -> np.ndarray:
    cum = np.cumsum([b.p for b in branch])
    way = np.minimum(np.searchsorted(cum, u, side="right"), len(branch) - 1)
    return np.array([flow.step_index(b.to) for b in branch])[way]


def _serve_legs(
    legs: dict[str, list[np.ndarray]],
    flow: Flow,
    s: int,
    step0: int,
    rows: np.ndarray,
    visit: np.ndarray,
    keys: np.ndarray,
    choices: _Choices,
    pool_index: dict[str, int],
    pending: np.ndarray,
    seq: np.ndarray,
) -> None:
    """Append the legs of the items ``rows`` visiting serve step ``s`` (their ``visit``-th time):
    pool, service time, priority, queue limit and patience, each from the item's own version."""
    k_rows = rows
    u = uniforms(keys[rows], s, visit, Purpose.SERVICE)
    vals, k = choices.pick(lambda f: f.steps[s].serve.time)
    legs["service"].append(_by_choice(vals, k[k_rows], lambda d, r: d.ppf(u[r])))
    vals, k = choices.pick(lambda f: f.steps[s].serve.pool)
    legs["pool"].append(_by_choice(vals, k[k_rows], lambda p, r: pool_index[p]).astype(np.intp))
    vals, k = choices.pick(lambda f: f.steps[s].serve.priority)
    prio = _by_choice(vals, k[k_rows], lambda p, r: flow.priority if p is None else p)
    legs["priority"].append(prio.astype(np.int64))
    vals, k = choices.pick(lambda f: f.steps[s].serve.queue_limit)
    legs["limit"].append(_by_choice(vals, k[k_rows], lambda q, r: np.inf if q is None else q))
    if flow.steps[s].serve.renege:
        vals, k = choices.pick(lambda f: f.patience)
        u_pat = uniforms(keys[rows], s, visit, Purpose.PATIENCE)
        patience = _by_choice(
            vals, k[k_rows], lambda d, r: np.inf if d is None else d.ppf(u_pat[r])
        )
    else:
        patience = np.full(rows.size, np.inf)
    legs["patience"].append(patience)
    legs["item"].append(rows)
    legs["seq"].append(seq[rows].copy())
    legs["step"].append(np.full(rows.size, step0 + s))
    legs["before"].append(pending[rows].copy())
    pending[rows] = 0.0
    seq[rows] += 1


def _per_item_views(
    ops: Operations, autos: Sequence[Automation]
) -> list[tuple[Operations, set[str]] | None]:
    """Per automation: the operations with its per-item effects, and the flows they touch."""
    out = []
    for auto in autos:
        view, touched = ops, set()
        for path, value in auto.effects.items():
            if not path.startswith("operations."):
                continue
            parsed = parse_ops_path(path)
            if not parsed.structural:
                view = apply_ops_effect(view, parsed, value)
                touched.add(parsed.flow)
        out.append((view, touched) if touched else None)
    return out


def plan_operations(
    scenario: Scenario,
    automation_ids: Sequence[str],
    stream: Stream,
    starts: Sequence[float] = (),
) -> OperationsPlan:
    """Arrivals, adoption, pools over time and every item's legs for one variant."""
    ops = scenario.operations
    cal = scenario.calendar
    expected = _expected_items(scenario)
    if expected > MAX_ITEMS:
        raise RunError(
            f"{scenario.name}: one replication would bring about {expected:,.0f} items through "
            f"the operations (limit {MAX_ITEMS:,}); check the rates (rate_per_day is per day) "
            "and the schedules' quantities"
        )
    starts = tuple(float(s) for s in starts) or (0.0,) * len(automation_ids)
    autos = tuple(
        bought_at(scenario.automation(a), s) for a, s in zip(automation_ids, starts, strict=True)
    )
    pools = _pool_plan(scenario, autos)
    pool_index = {p: i for i, p in enumerate(pools.ids)}
    hours = Timetable.weekly(cal.hours, cal.start_date, scenario.n_days)
    views = _per_item_views(ops, autos)
    salts = [int(stream(f"adopt:{a.id}:flows").integers(0, 2**63)) for a in autos]
    items: dict[str, list[np.ndarray]] = {k: [] for k in ("flow", "arrival", "revenue", "after")}
    legs: dict[str, list[np.ndarray]] = {k: [] for k in _LEG_FIELDS}
    uses: list[list[np.ndarray]] = [[] for _ in autos]
    offset, step0 = 0, 0
    for f, flow in enumerate(ops.flows):
        arrivals = draw_arrivals(
            flow.arrivals, hours, cal.start_date, scenario.n_days, stream(f"flow:{flow.id}")
        )
        masks, flow_views = [], []
        for j, auto in enumerate(autos):
            touches = views[j] is not None and flow.id in views[j][1]
            scoped = auto.applies_to.segments is None or flow.segment in auto.applies_to.segments
            mask = np.zeros(len(arrivals), bool)
            if touches and scoped:
                u = uniforms(arrivals.key ^ np.uint64(salts[j]), 0, 0, Purpose.ADOPT)
                mask = u < adoption_share(auto, arrivals.time)
            masks.append(mask)
            flow_views.append(views[j][0].flow(flow.id) if touches else None)
            uses[j].append(mask)
        route, revenue, after = _route(
            flow, arrivals, _Choices(flow, flow_views, masks, len(arrivals)), pool_index, step0
        )
        route["item"] = route["item"].astype(np.intp) + offset
        for k in _LEG_FIELDS:
            legs[k].append(route[k])
        items["flow"].append(np.full(len(arrivals), f))
        items["arrival"].append(arrivals.time)
        items["revenue"].append(revenue)
        items["after"].append(after)
        offset += len(arrivals)
        step0 += len(flow.steps)
    it = {k: np.concatenate(v) for k, v in items.items()}
    lg = {k: np.concatenate(v) for k, v in legs.items()}
    order = np.lexsort((lg["seq"], lg["item"]))
    lg = {k: v[order] for k, v in lg.items()}
    item = lg["item"].astype(np.intp)
    n_legs = np.bincount(item, minlength=offset)
    work = Work(
        flow=it["flow"],
        arrival=it["arrival"],
        revenue=it["revenue"],
        after=it["after"],
        first=np.cumsum(n_legs) - n_legs,
        n_legs=n_legs,
        item=item,
        step=lg["step"].astype(np.intp),
        pool=lg["pool"].astype(np.intp),
        service=lg["service"],
        priority=lg["priority"].astype(np.int64),
        limit=lg["limit"],
        patience=lg["patience"],
        before=lg["before"],
    )
    keys = tuple(f"{f.id}.{s.id}" for f in ops.flows for s in f.steps)
    masks = tuple(np.concatenate(m) if m else np.zeros(0, bool) for m in uses)
    return OperationsPlan(pools, work, autos, masks, ops.flows, keys)
