"""The stock engine: every shelf's stock over time, demand by demand, delivery by delivery.

This module owns the simulation of stock of every item the business keeps: the van's parts bin
that technicians draw from (``job`` demand) and the online shop's stock counter (``order``
demand), which share one shelf per item. Each shelf follows its reorder policy
(:mod:`autosim.model.inventory.policy`) and the supplier delivers after a lead time. A demand the
shelf cannot fill waits for the next delivery (``backorder``, first come first served) or goes
elsewhere (``lost``). The shop may show a stock figure that is only synchronised now and then, so
it can sell what it no longer has: an *oversell*, cancelled and refunded.

The engine is an exact event loop over Python lists (demand in time order, merged with a heap of
deliveries, counts and stock-figure syncs) on the arrays of :mod:`autosim.model.inventory.arrays`;
nothing here is random, and times are in days. :class:`ShelfRun` is one simulation, open to
extension: the stock room (:mod:`autosim.model.inventory.stock`) subclasses it for automations
adopted mid-run.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence

import numpy as np

from autosim.model.inventory.arrays import ORDER, Demand, InventoryResult, Supply, check_sizes
from autosim.model.inventory.policy import Policy, StockItem
from autosim.model.inventory.validate import days

__all__ = [
    "EVENT_NOTICE",
    "EVENT_RECEIPT",
    "EVENT_REVIEW",
    "EVENT_SYNC",
    "RULE_NONE",
    "RULE_PERIODIC",
    "RULE_RQ",
    "RULE_SS",
    "ShelfRun",
    "simulate_inventory",
]

#: How :class:`ShelfRun` encodes a policy kind in ``ShelfRun.kind`` (base stock is (S - 1, S)).
RULE_SS, RULE_RQ, RULE_PERIODIC, RULE_NONE = 0, 1, 2, 3
#: Kinds of scheduled events; at equal times the lower kind comes first (deliveries first).
EVENT_RECEIPT, EVENT_SYNC, EVENT_NOTICE, EVENT_REVIEW = 0, 1, 2, 3
_CODES = {"ss": RULE_SS, "base_stock": RULE_SS, "rq": RULE_RQ, "periodic": RULE_PERIODIC}


def simulate_inventory(
    items: Sequence[StockItem],
    demand: Demand,
    supply: Supply,
    horizon: float,
    *,
    sync_every: float | None = None,
) -> InventoryResult:
    """Run every item's shelf over ``[0, horizon)`` days against the given demand and supply.

    How a demand of ``q`` units is met (events are indivisible, except that a backordered one
    takes what is on the shelf at once and waits for the rest, first come first served):

    * ``job`` demand sees the real shelf: filled now if ``q`` units are there, else backordered
      or lost by the item's ``job_shortage`` rule;
    * ``order`` demand with real-time stock (``sync_every`` None or 0) works the same way by
      ``order_shortage``. With a stale figure, the shop takes the order when the figure shows
      ``q`` units (and lowers it by ``q``); if the real shelf has fewer the order is *oversold*
      (cancelled and refunded, whatever the shortage rule). When the figure shows fewer, the
      order is lost under ``lost`` (even if a delivery the shop has not seen is on the shelf),
      or goes to the real shelf as a backorder under ``backorder``.

    Continuous policies review the inventory position (on hand + on order - backorders) at
    t = 0 and after every demand; periodic ones at every count (t = 0, T, 2T, ...), on the
    counted stock, and order only when the position is at or below s — up to S, or the smallest
    multiple of Q that lifts it above s. Several orders may be outstanding and may cross. At
    equal times, deliveries come first, then syncs, noticed stockouts, counts and demand.
    Stockouts are counted as episodes and by replenishment cycle (see :class:`InventoryResult`).

    Parameters
    ----------
    items
        One :class:`StockItem` per item; demand's ``item`` indexes this sequence.
    demand, supply
        The replication's draws, shared by all variants (nothing here is random).
    horizon
        Days simulated; demand must fall in ``[0, horizon)``; later deliveries stay on order.
    sync_every
        Days between updates of the shop's displayed stock, at ``k * sync_every`` (``None`` or
        0: real time, no oversells). Between syncs the figure only drops with accepted online
        orders, so parts used on jobs and deliveries go unseen.

    Returns
    -------
    InventoryResult
        Per event, per item, per replenishment order and per day; money is the caller's.
    """
    horizon = days("horizon", horizon, positive=True)
    sync = (
        None
        if sync_every is None or sync_every == 0
        else days("sync_every", sync_every, positive=True)
    )
    check_sizes(items, demand, supply, horizon)
    return ShelfRun(items, demand, supply, horizon, sync).result()


def _ints(values: object) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _kth(draws: float | list[float], k: int, name: str, i: int) -> float:
    """Draw ``k`` of an item's supply array (a plain number is used every time)."""
    if isinstance(draws, float):
        return draws
    if k < len(draws):
        return draws[k]
    raise ValueError(
        f"supply.{name}[{i}] has {len(draws)} draws but item {i} needs more; "
        "size it with max_orders()"
    )


class ShelfRun:
    """One simulation. Plain attributes and lists: this is the hot loop.

    Build it from inputs that passed :func:`~autosim.model.inventory.arrays.check_sizes` and call
    :meth:`result` once. A subclass may add event kinds after :data:`EVENT_REVIEW` (schedule them
    with :meth:`push`, handle them in :meth:`scheduled`) or override :meth:`demand_event`.
    """

    def __init__(
        self,
        items: Sequence[StockItem],
        demand: Demand,
        supply: Supply,
        horizon: float,
        sync: float | None,
    ) -> None:
        n = len(items)
        self.horizon, self.sync = horizon, sync
        pol = [it.policy for it in items]
        self.kind = [_CODES.get(p.kind, RULE_NONE) for p in pol]
        levels = [p.levels for p in pol]
        self.low, self.up_to, self.qty, self.lots = (list(v) for v in zip(*levels, strict=True))
        self.review = [p.review_every or 1.0 for p in pol]  # 1.0: unused by the kind
        self.delay = [p.notice_delay for p in pol]
        self.lost_rule = [(it.job_shortage == "lost", it.order_shortage == "lost") for it in items]
        self.leads = [v.tolist() for v in supply.lead_times]  # a float: fixed lead time
        none = [None] * n
        self.errors = [None if v is None else v.tolist() for v in supply.count_errors or none]
        self.notices = [None if v is None else v.tolist() for v in supply.notice_delays or none]
        self.on_hand = [it.initial_on_hand for it in items]
        self.shown = list(self.on_hand)
        self.on_order, self.backlog = [0] * n, [0] * n
        self.waiting: list[deque[list[int]]] = [deque() for _ in range(n)]
        self.out, self.noticing = [False] * n, [False] * n
        self.last, self.area_oh, self.area_bo = [0.0] * n, [0.0] * n, [0.0] * n
        z = [0] * n
        self.ordered, self.received, self.placed, self.consumed = list(z), list(z), list(z), list(z)
        self.sold, self.lost_u, self.over_u, self.stockouts = list(z), list(z), list(z), list(z)
        self.n_notices, self.n_reviews = list(z), list(z)
        self.cycles, self.short_cycles, self.cycle_out = list(z), list(z), [False] * n
        m = demand.time.size
        self.filled_now, self.lost, self.oversold = [False] * m, [False] * m, [False] * m
        self.fill_time = [math.nan] * m
        self.orders: list[list[float]] = []  # [item, time, quantity, received]
        self.heap: list[tuple[float, int, int, int, int]] = []  # (t, kind, seq, item, payload)
        self.seq = 0
        self.days: list[list[int]] = []
        self.n_days = math.ceil(horizon)
        self.next_day = 1.0
        self.n_events = 0
        self.demand = demand
        self.src = demand.source.tolist()

    # -- scheduling ------------------------------------------------------------------------
    def push(self, t: float, kind: int, i: int, payload: int) -> None:
        if t < self.horizon:
            self.seq += 1
            heapq.heappush(self.heap, (t, kind, self.seq, i, payload))

    def touch(self, i: int, t: float) -> None:
        """Accumulate on-hand and backorder areas of item i up to time t."""
        dt = t - self.last[i]
        self.area_oh[i] += self.on_hand[i] * dt
        self.area_bo[i] += self.backlog[i] * dt
        self.last[i] = t

    def adopt(self, i: int, policy: Policy, t: float) -> None:
        """Item i follows ``policy`` from time t on (a continuous one is reviewed at once)."""
        self.kind[i] = _CODES.get(policy.kind, RULE_NONE)
        self.low[i], self.up_to[i], self.qty[i], self.lots[i] = policy.levels
        self.check(i, t)

    def place(self, i: int, t: float, q: int) -> None:
        k = self.placed[i]
        when = t + _kth(self.leads[i], k, "lead_times", i)
        self.placed[i] = k + 1
        self.on_order[i] += q
        self.ordered[i] += q
        self.orders.append([i, t, q, math.nan])
        self.push(when, EVENT_RECEIPT, i, len(self.orders) - 1)

    def check(self, i: int, t: float) -> None:
        """Continuous review after the position of item i changed."""
        kind = self.kind[i]
        if kind > RULE_RQ:
            return
        ip = self.on_hand[i] + self.on_order[i] - self.backlog[i]
        low = self.low[i]
        if ip <= low:
            q = (
                self.up_to[i] - ip
                if kind == RULE_SS
                else ((low - ip) // self.qty[i] + 1) * self.qty[i]
            )
            self.place(i, t, q)

    # -- events ----------------------------------------------------------------------------
    def receive(self, t: float, i: int, k: int) -> None:
        """A delivery: waiting demand is served first come first served, the rest is shelved."""
        dt = t - self.last[i]  # touch(), inlined: this and demand_event() are the hot path
        self.area_oh[i] += self.on_hand[i] * dt
        self.area_bo[i] += self.backlog[i] * dt
        self.last[i] = t
        self.cycles[i] += 1  # a replenishment cycle ends with this delivery
        if self.cycle_out[i]:
            self.short_cycles[i] += 1
        order = self.orders[k]
        q = int(order[2])
        order[3] = t
        self.on_order[i] -= q
        self.received[i] += q
        stock = self.on_hand[i] + q
        queue, src = self.waiting[i], self.src
        while queue and stock:
            entry = queue[0]
            e, want = entry
            take = want if want <= stock else stock
            stock -= take
            self.backlog[i] -= take
            (self.sold if src[e] else self.consumed)[i] += take
            if take == want:
                queue.popleft()
                self.fill_time[e] = t
            else:
                entry[1] = want - take
        self.on_hand[i] = stock
        if stock:
            self.out[i] = False
        elif queue:
            self.notice(i, t)  # still short after the delivery: whoever unpacks it reorders
        self.cycle_out[i] = bool(queue)  # the next cycle starts short if demand still waits

    def count(self, t: float, i: int) -> None:
        """Periodic review k of item i on a counted (possibly wrong) stock figure."""
        k = self.n_reviews[i]
        self.n_reviews[i] = k + 1
        errors = self.errors[i]
        counted = self.on_hand[i] + (errors[k] if errors is not None else 0)
        ip = max(counted, 0) + self.on_order[i] - self.backlog[i]
        low = self.low[i]
        if ip <= low:
            q = self.qty[i]
            self.place(i, t, ((low - ip) // q + 1) * q if self.lots[i] else self.up_to[i] - ip)
        self.push((k + 1) * self.review[i], EVENT_REVIEW, i, 0)

    def notice(self, i: int, t: float) -> None:
        """Someone finds the bin empty; under ``none`` they order by hand after a delay."""
        if self.kind[i] != RULE_NONE or self.noticing[i] or self.on_order[i]:
            return
        k = self.n_notices[i]
        self.n_notices[i] = k + 1
        delays = self.notices[i]
        delay = self.delay[i] if delays is None else _kth(delays, k, "notice_delays", i)
        self.noticing[i] = True
        self.push(t + delay, EVENT_NOTICE, i, 0)

    def demand_event(self, e: int, t: float, i: int, q: int) -> None:
        """One request: filled from the shelf, oversold, lost, or queued for the next delivery."""
        stock = self.on_hand[i]
        dt = t - self.last[i]  # touch(), inlined
        self.area_oh[i] += stock * dt
        self.area_bo[i] += self.backlog[i] * dt
        self.last[i] = t
        src = self.src[e]
        if src == ORDER and self.sync is not None:
            if self.shown[i] < q and self.lost_rule[i][1]:  # shown out of stock: lost sale
                self.lost[e] = True
                self.lost_u[i] += q
                if stock < q:
                    self.short(i, t)
                return
            if self.shown[i] >= q:  # shown in stock: the shop takes the order
                self.shown[i] -= q
                if stock < q:
                    self.oversold[e] = True
                    self.over_u[i] += q
                    self.short(i, t)
                    return
        if stock >= q:
            self.on_hand[i] = stock - q
            (self.sold if src else self.consumed)[i] += q
            self.filled_now[e] = True
            self.fill_time[e] = t
        elif self.lost_rule[i][src]:
            self.lost[e] = True
            self.lost_u[i] += q
            self.short(i, t)
            return
        else:
            self.on_hand[i] = 0
            (self.sold if src else self.consumed)[i] += stock
            self.backlog[i] += q - stock
            self.waiting[i].append([e, q - stock])
            self.short(i, t)
        if self.kind[i] <= RULE_RQ:
            self.check(i, t)

    def short(self, i: int, t: float) -> None:
        """A demand met an empty (or too thin) shelf: a stockout starts unless one is running."""
        self.cycle_out[i] = True
        if not self.out[i]:
            self.out[i] = True
            self.stockouts[i] += 1
        self.notice(i, t)

    def scheduled(self, t: float, kind: int, i: int, payload: int) -> None:
        """A sync of the shop's figure, a noticed stockout or a periodic count."""
        if kind == EVENT_SYNC:
            self.shown = list(self.on_hand)
            self.push((payload + 1) * self.sync, EVENT_SYNC, 0, payload + 1)  # type: ignore[operator]
        elif kind == EVENT_NOTICE:
            self.noticing[i] = False
            self.place(i, t, self.qty[i])
        else:
            self.count(t, i)

    # -- the loop --------------------------------------------------------------------------
    def advance(self, until: float) -> None:
        """Process scheduled events at or before ``until`` and record the days that ended."""
        heap, days = self.heap, self.days
        while heap and heap[0][0] <= until:
            t, kind, _, i, payload = heapq.heappop(heap)
            self.n_events += 1
            while self.next_day <= t:
                days.append(list(self.on_hand))
                self.next_day += 1.0
            if kind == EVENT_RECEIPT:
                self.receive(t, i, payload)
            else:
                self.scheduled(t, kind, i, payload)
        while self.next_day <= until:
            days.append(list(self.on_hand))
            self.next_day += 1.0

    def run(self) -> None:
        for i, kind in enumerate(self.kind):
            if kind == RULE_PERIODIC:
                self.push(0.0, EVENT_REVIEW, i, 0)
            else:
                self.check(i, 0.0)
        if self.sync is not None:
            self.push(self.sync, EVENT_SYNC, 0, 1)
        heap, d = self.heap, self.demand
        self.n_events += d.time.size
        for e, (t, i, q) in enumerate(
            zip(d.time.tolist(), d.item.tolist(), d.quantity.tolist(), strict=True)
        ):
            if (heap and heap[0][0] <= t) or self.next_day <= t:
                self.advance(t)
            self.demand_event(e, t, i, q)
        self.advance(self.horizon)
        while len(self.days) < self.n_days:
            self.days.append(list(self.on_hand))
        for i in range(len(self.kind)):
            self.touch(i, self.horizon)
            self.cycles[i] += 1  # the last cycle, cut by the horizon
            self.short_cycles[i] += self.cycle_out[i]

    def result(self) -> InventoryResult:
        self.run()
        orders = np.array(self.orders, dtype=np.float64).reshape(-1, 4)
        return InventoryResult(
            filled_now=np.array(self.filled_now, dtype=bool),
            fill_time=np.array(self.fill_time, dtype=np.float64),
            lost=np.array(self.lost, dtype=bool),
            oversold=np.array(self.oversold, dtype=bool),
            ordered_units=_ints(self.ordered),
            received_units=_ints(self.received),
            orders_placed=_ints(self.placed),
            consumed_units=_ints(self.consumed),
            sold_units=_ints(self.sold),
            lost_units=_ints(self.lost_u),
            oversold_units=_ints(self.over_u),
            stockout_events=_ints(self.stockouts),
            stockout_cycles=_ints(self.short_cycles),
            replenishment_cycles=_ints(self.cycles),
            final_on_hand=_ints(self.on_hand),
            final_backorders=_ints(self.backlog),
            time_avg_on_hand=np.array(self.area_oh) / self.horizon,
            time_avg_backorders=np.array(self.area_bo) / self.horizon,
            order_item=orders[:, 0].astype(np.int64),
            order_time=orders[:, 1],
            order_quantity=orders[:, 2].astype(np.int64),
            order_received=orders[:, 3],
            daily_on_hand=_ints(self.days).reshape(self.n_days, len(self.kind)).T.copy(),
            n_events=self.n_events,
        )
