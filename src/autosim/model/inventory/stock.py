"""The stock room in one variant of one replication: parts for jobs, products for online orders.

This module is the storekeeper between the rest of the business and the stock engine
(:mod:`autosim.model.inventory.engine`). After the dispatch run it knows when each technician
reached each job; a job that needs a part takes it from the shelf then. Online customers order
around the clock; the shop accepts an order when its stock figure — synchronised only every
``sync_every`` — shows enough, so it may sell what is already gone (an oversell: cancelled,
refunded). The storekeeper reorders by the rule on each bin card
(:mod:`autosim.model.inventory.policy`), pays the supplier on delivery or on terms, and closes
the books (KPIs, daily cash, what missing parts did to jobs: :mod:`autosim.model.inventory.books`).

Common random numbers: online orders, lead times, count errors and noticing delays are drawn per
replication from named streams (``inventory:orders:<item>``, ``inventory:lead:<item>``,
``inventory:count:<item>``, ``inventory:notice:<item>``), so every variant faces the same customers
and the same supplier; the k-th replenishment of an item uses the k-th lead-time draw whatever
the policy. Which parts a job needs (and the minutes of a supply trip or return visit) come from
the stream ``inventory:parts``, one row per job of the replication's whole job table (the job
table's own uniform columns ``U`` are all taken, and widening them would change every existing
draw), so the same job needs the same parts in every variant. Only *when* a part is taken depends
on the variant: at the technician's arrival.

Approximations, stated plainly:

* A **supply trip** (a needed part is not on the shelf and the item's ``job_shortage`` is
  ``supply_trip``): the technician drives to the supply house and buys it at unit cost (paid that
  day, not taken from the shelf). The trip's minutes are added to the technician's busy time on
  that job (utilization; overtime when it runs past the shift) and delay the job's completion
  and so its invoice — but they are **not fed back into the dispatch queue**: the technician's
  next job starts as if there had been no trip.
* A **return visit** (``job_shortage: return_visit``): the part is ordered as a backorder and the
  job completes on a second visit, at least ``return_visit_delay`` after the first arrival and not
  before the part is on the shelf (never, if it does not arrive within the horizon); completion,
  revenue and invoice move to the end of that visit. Its ``return_visit_time`` is booked onto the
  first visit's busy time, and the second trip takes no slot in the dispatch queue. The job is
  flagged (``return_visit``) for the satisfaction model.
* Automations act on the whole shelf (see :mod:`autosim.scenario.inventory_schema`): real-time
  stock per online order with the adoption probability; review, count accuracy and demand-based
  reorder points switch on when the adoption share first reaches 50%
  (:func:`autosim.model.inventory.policy.policy_plan`).
* Stock KPIs cover the whole horizon (the opening stock is the analyst's, not a warm-up artefact).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autosim.dists import Constant
from autosim.model.automation import adoption_share
from autosim.model.demand import Jobs
from autosim.model.inventory.arrays import JOB, ORDER, Demand, Supply, check_sizes
from autosim.model.inventory.books import STOCK_FLOWS, StockOutcome, read_books
from autosim.model.inventory.engine import EVENT_REVIEW, RULE_PERIODIC, ShelfRun
from autosim.model.inventory.policy import Policy, StockItem, n_reviews, policy_plan
from autosim.model.timetable import DAY
from autosim.scenario.inventory_schema import Inventory, InventoryItem, quantity_units
from autosim.scenario.schema import Automation, Scenario

__all__ = ["STOCK_FLOWS", "StockOutcome", "run_stock"]

Stream = Callable[[str], np.random.Generator]

#: Heap event kind of the whole-shelf switch, after the engine's own (receipt, ..., review).
_SWITCH = EVENT_REVIEW + 1


# --------------------------------------------------------------------------- adoption


def _real_time_orders(
    inv: Inventory,
    automations: Sequence[Automation],
    item: InventoryItem,
    t_days: np.ndarray,
    stream: Stream,
) -> np.ndarray:
    """Per online order of one item: does it see the real shelf (automated, adopted)?"""
    flags = np.zeros(t_days.size, bool)
    if inv.sync_every is None or inv.sync_every == 0:
        return flags
    for auto in automations:
        if "inventory.sync_every" in auto.effects and not auto.effects["inventory.sync_every"]:
            u = stream(f"adopt:{auto.id}:orders:{item.id}").random(t_days.size)
            flags |= u < adoption_share(auto, t_days * DAY)
    return flags


# --------------------------------------------------------------------------- the adopting run


class _AdoptingRun(ShelfRun):
    """The engine's run, plus per-order real-time stock and a mid-run switch to (s, S) review.

    Real-time orders bypass the stale figure (and lower it when accepted, as the shop took them);
    at ``switch_day`` the items in ``new_policy`` start continuous review ((s, S), or (r, Q) for
    a periodic (R, s, nQ) item) and their periodic counts stop.
    """

    def __init__(self, *args: object, realtime: list[bool], switch: float, new_policy: dict):
        super().__init__(*args)  # type: ignore[arg-type]
        self.realtime = realtime
        self.new_policy = new_policy
        if new_policy:
            self.push(switch, _SWITCH, 0, 0)

    def demand_event(self, e: int, t: float, i: int, q: int) -> None:
        if not self.realtime[e]:
            super().demand_event(e, t, i, q)
            return
        stale, self.sync = self.sync, None
        try:
            super().demand_event(e, t, i, q)
        finally:
            self.sync = stale
        if not self.lost[e]:
            self.shown[i] = max(self.shown[i] - q, 0)

    def scheduled(self, t: float, kind: int, i: int, payload: int) -> None:
        if kind == _SWITCH:
            for j, policy in self.new_policy.items():
                self.adopt(j, policy, t)
        elif kind != EVENT_REVIEW or self.kind[i] == RULE_PERIODIC:
            super().scheduled(t, kind, i, payload)


# --------------------------------------------------------------------------- demand and supply


def _job_demand(
    scenario: Scenario, jobs: Jobs, rows: np.ndarray, arrive_days: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(time, item, quantity, job) of every part need of the jobs reached within the horizon."""
    inv = scenario.inventory
    type_idx = jobs.type_idx[rows]
    reached = arrive_days < scenario.n_days
    cols: list[list[np.ndarray]] = [[], [], [], []]
    for t, jt in enumerate(scenario.dispatch.job_types):
        mine = np.flatnonzero((type_idx == t) & reached)
        if not jt.parts or not mine.size:
            continue
        ur = u[rows[mine]]
        for j, need in enumerate(jt.parts):
            hit = ur[:, 2 * j] < float(need.prob)
            cols[0].append(arrive_days[mine[hit]])
            cols[1].append(np.full(int(hit.sum()), inv.index(need.item)))
            cols[2].append(quantity_units(need.quantity, ur[hit, 2 * j + 1]))
            cols[3].append(mine[hit])
    return tuple(np.concatenate(c) if c else np.zeros(0) for c in cols)


def _online_orders(item: InventoryItem, n_days: int, stream: Stream) -> tuple[np.ndarray, ...]:
    """(time in days, quantity) of one item's online orders: Poisson per day, any hour."""
    rate = float(item.orders_per_day)
    if rate <= 0:
        return np.zeros(0), np.zeros(0, np.int64)
    rng = stream(f"inventory:orders:{item.id}")
    day = np.repeat(np.arange(n_days), rng.poisson(rate, n_days))
    t = np.minimum(day + rng.random(day.size), np.nextafter(n_days, 0))
    return t, quantity_units(item.units_per_order, rng.random(day.size))


def _supply(
    scenario: Scenario,
    policies: list[Policy],
    units: np.ndarray,
    exact_day: float,
    stream: Stream,
) -> Supply:
    """Lead times, count errors and noticing delays per item, from the items' own streams."""
    n_days = scenario.n_days
    leads, errors, notices = [], [], []
    for i, item in enumerate(scenario.inventory.items):
        n_counts = n_reviews(policies[i], n_days)
        n = n_counts + 2 * int(units[i]) + 2  # enough for any policy, before and after a switch
        if isinstance(item.lead_time, Constant):
            leads.append(item.lead_time.value / DAY)
        else:
            leads.append(item.lead_time.ppf(stream(f"inventory:lead:{item.id}").random(n)) / DAY)
        sd = float(item.count_error_sd)
        if n_counts and sd > 0 and exact_day > 0:
            err = np.rint(sd * stream(f"inventory:count:{item.id}").standard_normal(n_counts))
            err[np.arange(n_counts) * policies[i].review_every >= exact_day] = 0
            errors.append(err.astype(np.int64))
        else:
            errors.append(None)
        delay = item.policy.notice_delay
        notices.append(
            None
            if delay is None or item.policy.kind != "none"
            else delay.ppf(stream(f"inventory:notice:{item.id}").random(n)) / DAY
        )
    return Supply(leads, errors, notices)


# --------------------------------------------------------------------------- entry point


def _all_demand(
    scenario: Scenario,
    jobs: Jobs,
    rows: np.ndarray,
    arrive: np.ndarray,
    automations: Sequence[Automation],
    stream: Stream,
    u: np.ndarray,
) -> tuple[Demand, np.ndarray, np.ndarray]:
    """Job and online demand in time order, each event's job (-1: an order), real-time flags."""
    inv, n_days = scenario.inventory, scenario.n_days
    arrive_days = np.where(np.isfinite(arrive), arrive / DAY, np.inf)
    j_time, j_item, j_qty, j_job = _job_demand(scenario, jobs, rows, arrive_days, u)
    online = [_online_orders(item, n_days, stream) for item in inv.items]
    time = np.concatenate([j_time, *(t for t, _ in online)])
    item = np.concatenate([j_item, *(np.full(t.size, i) for i, (t, _) in enumerate(online))])
    qty = np.concatenate([j_qty, *(q for _, q in online)])
    job = np.concatenate([j_job, np.full(time.size - j_time.size, -1)]).astype(np.int64)
    realtime = np.concatenate(
        [np.zeros(j_time.size, bool)]
        + [
            _real_time_orders(inv, automations, it, t, stream)
            for it, (t, _) in zip(inv.items, online, strict=True)
        ]
    )
    order = np.lexsort((np.arange(time.size), job < 0, time))
    source = np.where(job[order] < 0, ORDER, JOB)
    demand = Demand(time[order], item[order].astype(np.int64), qty[order].astype(np.int64), source)
    return demand, job[order], realtime[order]


def run_stock(
    scenario: Scenario,
    jobs: Jobs,
    rows: np.ndarray,
    arrive: np.ndarray,
    automations: Sequence[Automation],
    stream: Stream,
    periods: Sequence[int] = (),
) -> StockOutcome:
    """Run the stock room for one variant after its dispatch run.

    Parameters
    ----------
    scenario
        A resolved scenario with an ``inventory`` section.
    jobs, rows
        The replication's whole job table and the indices of the jobs that happened.
    arrive
        Per job of ``rows``: the technician's arrival (minutes; NaN if never reached).
    automations
        The variant's automations.
    stream
        The replication's named random streams.
    periods
        Goal periods (days): per-item event KPIs are also given over the last ``d`` days.
    """
    inv, n_days = scenario.inventory, scenario.n_days
    width = 2 * max(len(jt.parts) for jt in scenario.dispatch.job_types) + 2
    u = stream("inventory:parts").random((len(jobs), width))  # row = job of the whole table
    demand, job, realtime = _all_demand(scenario, jobs, rows, arrive, automations, stream, u)
    start, switch, new_policy, exact_day = policy_plan(scenario, automations)
    units = np.bincount(demand.item, weights=demand.quantity, minlength=len(inv.items))
    supply = _supply(scenario, start, units, exact_day, stream)
    shelf = [
        StockItem(
            p,
            it.initial_on_hand,
            "lost" if it.job_shortage == "supply_trip" else "backorder",
            it.order_shortage,
        )
        for p, it in zip(start, inv.items, strict=True)
    ]
    sync = float(inv.sync_every or 0) / DAY or None
    check_sizes(shelf, demand, supply, float(n_days))
    args = (shelf, demand, supply, float(n_days), sync)
    run = (
        _AdoptingRun(*args, realtime=realtime.tolist(), switch=switch, new_policy=new_policy)
        if new_policy or realtime.any()
        else ShelfRun(*args)  # nothing adopted mid-run: the engine as it is
    )
    return read_books(scenario, run.result(), demand, job, len(rows), arrive, u[rows], periods)
