"""The stock room's books: KPIs, daily cash and what missing parts did to jobs.

At the end of a run the storekeeper closes the books: how much of what was asked for was handed
over at once (fill rate), what the shop sold and had to refund, what the suppliers were paid and
when, how much money sat on the shelves, and which jobs waited for a part — a supply-house trip
or a second visit. Everything is read off the stock engine's recorded arrays; nothing here is
random or event-driven.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autosim.kpis import column, period_suffix
from autosim.model.inventory.arrays import ORDER, Demand, InventoryResult
from autosim.model.timetable import DAY
from autosim.scenario.inventory_schema import Inventory, InventoryItem
from autosim.scenario.schema import Scenario

__all__ = ["STOCK_FLOWS", "StockOutcome", "read_books"]

#: Daily cash-flow columns the stock room adds to the ledger (money in +, out -).
STOCK_FLOWS = ("online_sales", "refunds", "purchases")


@dataclass(frozen=True)
class StockOutcome:
    """What the stock room did in one variant; per-job arrays follow the jobs that happened."""

    kpis: dict[str, float]
    flows: dict[str, np.ndarray]
    short_job: np.ndarray  # a needed part was not on the shelf when the technician arrived
    supply_trip: np.ndarray
    return_visit: np.ndarray
    extra_minutes: np.ndarray  # supply trip and/or return visit minutes, added to busy time
    return_at: np.ndarray  # minutes: earliest return visit (inf: part not in within the horizon)
    return_minutes: np.ndarray
    accrual_adjustment: float  # profit: replace cash purchases by the cost of what was used
    result: InventoryResult
    demand: Demand  # every request for stock, in time order (jobs' parts and online orders)
    job_of_event: np.ndarray  # per demand event: its job (index among the jobs), -1: an order
    initial_on_hand: np.ndarray

    def completion(self, done: np.ndarray, horizon: float) -> np.ndarray:
        """Jobs' completion times (minutes) after supply trips and return visits (NaN: later)."""
        out = np.where(self.supply_trip, done + self.extra_minutes, done)
        second = np.maximum(self.return_at, done) + self.return_minutes
        out = np.where(self.return_visit, second, out)
        out[~(out <= horizon)] = np.nan  # also NaN where the first visit did not end in time
        return out


# --------------------------------------------------------------------------- the books


def _per_day(days: np.ndarray, amounts: np.ndarray, n_days: int) -> np.ndarray:
    """Sum ``amounts`` by day, ignoring times outside the horizon (NaN, inf, later)."""
    keep = days < n_days
    return np.bincount(days[keep].astype(int), amounts[keep], minlength=n_days)[:n_days]


def _event_kpis(
    items: Sequence[InventoryItem],
    demand: Demand,
    res: InventoryResult,
    mask: np.ndarray,
    delay: np.ndarray,
) -> dict[str, float]:
    """Fill rate, oversells, lost sales and delay per demand over the events in ``mask``, by item.

    ``delay`` is each event's days from demand to fulfilment (NaN: lost or oversold, never
    fulfilled). Per-item oversells and lost sales are left out when no item is sold online (a
    plumber's stock room), so the tables are not padded with zeros.
    """
    n = len(items)
    online = any(float(it.orders_per_day) > 0 for it in items)
    item, qty = demand.item[mask], demand.quantity[mask].astype(float)
    order = demand.source[mask] == ORDER
    wanted = np.bincount(item, qty, minlength=n)
    filled = np.bincount(item, qty * res.filled_now[mask], minlength=n)
    over = np.bincount(item, res.oversold[mask].astype(float), minlength=n)
    lost = np.bincount(item, qty * (res.lost[mask] & order), minlength=n)
    served = ~np.isnan(delay[mask])
    waits = np.bincount(item[served], delay[mask][served], minlength=n)
    n_served = np.bincount(item[served], minlength=n)
    out = {
        "fill_rate": float(filled.sum() / wanted.sum()) if wanted.sum() else math.nan,
        "oversells": float(over.sum()),
        "lost_sales": float(lost.sum()),
        "backorder_delay_mean_days": float(waits.sum() / served.sum())
        if served.any()
        else math.nan,
    }
    for i, it in enumerate(items):
        out[column("fill_rate", "item", it.id)] = (
            float(filled[i] / wanted[i]) if wanted[i] else math.nan
        )
        out[column("backorder_delay_mean_days", "item", it.id)] = (
            float(waits[i] / n_served[i]) if n_served[i] else math.nan
        )
        if online:
            out[column("oversells", "item", it.id)] = float(over[i])
            out[column("lost_sales", "item", it.id)] = float(lost[i])
    return out


def _shortage_kpis(items: Sequence[InventoryItem], res: InventoryResult) -> dict[str, float]:
    """Stockouts counted by replenishment cycle, and the units owed on average, by item too."""
    short, cycles = res.stockout_cycles, res.replenishment_cycles
    out = {
        "stockout_cycles": float(short.sum()),
        "stockout_cycle_share": float(short.sum() / cycles.sum()),
        "backorders_mean": float(res.time_avg_backorders.sum()),
    }
    for i, it in enumerate(items):
        out[column("stockout_cycles", "item", it.id)] = float(short[i])
        out[column("stockout_cycle_share", "item", it.id)] = float(short[i] / cycles[i])
        out[column("backorders_mean", "item", it.id)] = float(res.time_avg_backorders[i])
    return out


def _jobs_short(
    inv: Inventory, demand: Demand, res: InventoryResult, job: np.ndarray, n_jobs: int
) -> tuple[np.ndarray, ...]:
    """Per job: short at all, supply trip, return visit, and when the missing parts are in."""
    trip_rule = np.array([it.job_shortage == "supply_trip" for it in inv.items])
    short = (job >= 0) & ~res.filled_now
    trip_ev = short & trip_rule[demand.item]
    back_ev = short & ~trip_rule[demand.item]
    flags = [np.zeros(n_jobs, bool) for _ in range(3)]
    for flag, ev in zip(flags, (short, trip_ev, back_ev), strict=True):
        flag[job[ev]] = True
    part_in = np.full(n_jobs, -np.inf)
    np.maximum.at(part_in, job[back_ev], np.nan_to_num(res.fill_time[back_ev], nan=np.inf) * DAY)
    return (*flags, part_in, trip_ev)


def _purchases(
    inv: Inventory, res: InventoryResult, demand: Demand, trip_ev: np.ndarray, n_days: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Daily supplier payments (and supply-house buys), payables, supply-house spend.

    The payables are per item and day (items x days): the goods received by the end of that
    day and not yet paid for, at unit cost.
    """
    cost = np.array([float(it.unit_cost) for it in inv.items])
    order_cost = np.array([float(it.order_cost) for it in inv.items])
    amount = res.order_quantity * cost[res.order_item] + order_cost[res.order_item]
    received = np.nan_to_num(res.order_received, nan=np.inf)
    paid = received + float(inv.payment_terms) / DAY
    counter = demand.quantity[trip_ev] * cost[demand.item[trip_ev]]
    flow = -_per_day(paid, amount, n_days) - _per_day(demand.time[trip_ev], counter, n_days)
    goods = res.order_quantity * cost[res.order_item]
    owed = np.array(
        [
            _per_day(received[mine], goods[mine], n_days)
            - _per_day(paid[mine], goods[mine], n_days)
            for mine in (res.order_item == i for i in range(cost.size))
        ]
    ).reshape(cost.size, n_days)
    return flow, np.cumsum(owed, axis=1), float(counter.sum())


def _cash_in_stock(stock_at_cost: np.ndarray, payables: np.ndarray) -> float:
    """Average end-of-day value (at cost) of the stock on hand already paid for.

    Parts are used first in, first out, so each item's shelf holds its newest deliveries and
    that item's unpaid bills cover those first: the paid part of the shelf is the stock at cost
    less the item's payables, and never below zero. Bills still open for parts already used
    (suppliers' credit beyond the shelf) are payables, not stock.
    """
    return float(np.maximum(stock_at_cost - payables, 0.0).sum(axis=0).mean())


def read_books(
    scenario: Scenario,
    res: InventoryResult,
    demand: Demand,
    job: np.ndarray,
    n_jobs: int,
    arrive: np.ndarray,
    u: np.ndarray,
    periods: Sequence[int],
) -> StockOutcome:
    """KPIs, daily cash flows and per-job consequences from the engine's records."""
    inv, n_days = scenario.inventory, scenario.n_days
    items = inv.items
    cost = np.array([float(it.unit_cost) for it in items])
    price = np.array([float(it.price) for it in items])
    order = demand.source == ORDER
    delay = np.where(res.lost | res.oversold, np.nan, np.fmin(res.fill_time, n_days) - demand.time)
    kpis = _event_kpis(items, demand, res, np.ones(demand.time.size, bool), delay)
    for days in periods:
        block = _event_kpis(items, demand, res, demand.time >= n_days - days, delay)
        kpis.update({name + period_suffix(days): v for name, v in block.items()})
    kpis.update(_shortage_kpis(items, res))

    short, trip, back, part_in, trip_ev = _jobs_short(inv, demand, res, job, n_jobs)
    trip_min = inv.supply_trip_time.ppf(u[:, -2]) if n_jobs else np.zeros(0)
    back_min = inv.return_visit_time.ppf(u[:, -1]) if n_jobs else np.zeros(0)
    return_at = np.maximum(arrive + float(inv.return_visit_delay), part_in)

    purchases, payables, counter = _purchases(inv, res, demand, trip_ev, n_days)
    value = res.time_avg_on_hand @ cost
    rates = np.array([float(it.holding_cost_rate) for it in items])
    used = (res.consumed_units + res.sold_units) @ cost
    ordering = float(res.orders_placed @ np.array([float(it.order_cost) for it in items]))
    sold = order & ~res.lost
    line = demand.quantity * price[demand.item]
    oversold = res.oversold
    kpis.update(
        {
            "stockout_events": float(res.stockout_events.sum()),
            "online_revenue": float(line[sold & ~oversold].sum()),
            "avg_stock_value": float(value),
            "cash_in_stock": _cash_in_stock(cost[:, None] * res.daily_on_hand, payables),
            "holding_cost": float((res.time_avg_on_hand * cost) @ rates * n_days / 365.0),
            "ordering_cost": ordering,
            "orders_placed": float(res.orders_placed.sum()),
            "inventory_turns": float(used * 365.0 / n_days / value) if value > 0 else math.nan,
            "supply_trips": float(trip.sum()),
            "return_visits": float(back.sum()),
        }
    )
    refunds = line[oversold] + float(inv.oversell_cost)
    flows = {
        "online_sales": _per_day(demand.time[sold], line[sold], n_days),
        "refunds": -_per_day(demand.time[oversold], refunds, n_days),
        "purchases": purchases,
    }
    return StockOutcome(
        kpis=kpis,
        flows=flows,
        short_job=short,
        supply_trip=trip & ~back,
        return_visit=back,
        extra_minutes=trip_min * trip + back_min * back,
        return_at=return_at,
        return_minutes=back_min,
        accrual_adjustment=float(-purchases.sum() - used - counter - ordering),
        result=res,
        demand=demand,
        job_of_event=job,
        initial_on_hand=np.array([it.initial_on_hand for it in items]),
    )
