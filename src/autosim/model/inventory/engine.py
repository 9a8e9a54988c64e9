"""Stock of parts and products: who gets a unit, when the shelf is refilled, what goes missing.

This module owns the stock of every item the business keeps: the van's parts bin that
technicians draw from (``job`` demand) and the online shop's stock counter (``order`` demand),
which share one shelf per item. A reorder policy watches each shelf — continuously ((s, S),
(r, Q), base stock), at periodic counts that may be wrong (``periodic``), or not at all until
someone finds the bin empty (``none``) — and the supplier delivers after a lead time. A demand the
shelf cannot fill waits for the next delivery (``backorder``, first come first served) or goes
elsewhere (``lost``). The shop may show a stock figure that is only synchronised now and then, so
it can sell what it no longer has: an *oversell*, cancelled and refunded.

Nothing here draws random numbers. Demand (:class:`Demand`) and the supply side's randomness
(:class:`Supply`: lead times, count errors, noticing delays) come in as arrays, indexed by
occurrence (the k-th replenishment of item i uses ``lead_times[i][k]``, the k-th count of item i
uses ``count_errors[i][k]``). Every variant of a replication therefore sees the same customers and
the same supplier; a policy change alters what the shop does, not what happens to it.

The engine is an exact event loop over Python lists (demand in time order, merged with a heap of
deliveries, counts and stock-figure syncs); money, KPIs and the cash ledger are the caller's,
from the recorded arrays. Times are in days.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from autosim.queueing import checked_int

__all__ = [
    "JOB",
    "ORDER",
    "POLICY_KINDS",
    "Demand",
    "InventoryResult",
    "Policy",
    "StockItem",
    "Supply",
    "max_orders",
    "n_reviews",
    "simulate_inventory",
]

JOB = 0
"""Demand source code: a technician needs a part for a job."""
ORDER = 1
"""Demand source code: an online customer order."""
POLICY_KINDS = ("ss", "rq", "base_stock", "periodic", "none")
SHORTAGE_RULES = ("backorder", "lost")

_SS, _RQ, _PERIODIC, _NONE = 0, 1, 2, 3
_RECEIPT, _SYNC, _NOTICE, _REVIEW = 0, 1, 2, 3  # tie order at equal times: deliveries first


# --------------------------------------------------------------------------- validation helpers


def _time(name: str, value: object, *, positive: bool) -> float:
    """A finite number of days, > 0 (``positive``) or >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be a number of days (got {value!r})")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'} days (got {value!r})")
    return number


def _int_array(name: str, values: object, minimum: int | None = None) -> np.ndarray:
    """A read-only 1-D int64 array of whole numbers (2.0 is accepted, 2.5 is not)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (got shape {arr.shape})")
    if arr.size and not (np.issubdtype(arr.dtype, np.integer) or np.all(np.mod(arr, 1) == 0)):
        raise ValueError(f"{name} must hold whole numbers")
    out = arr.astype(np.int64)
    if minimum is not None and out.size and out.min() < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {out.min()})")
    out.flags.writeable = False
    return out


def _time_array(name: str, values: object) -> np.ndarray:
    """A read-only float array (0-D for a constant, 1-D for draws) of finite values >= 0."""
    arr = np.array(values, dtype=np.float64)
    if arr.ndim > 1 or not np.all(np.isfinite(arr)) or (arr.size and arr.min() < 0):
        raise ValueError(f"{name} must be a number or 1-D array of finite days >= 0")
    arr.flags.writeable = False
    return arr


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Policy:
    """How one shelf is refilled; build it with the class methods, which read like the theory.

    ``reorder_point`` is s (``ss``) or r (``rq``); ``order_up_to`` is S; ``order_quantity`` is Q
    (``rq``, and the amount ordered by hand under ``none``); ``review_every`` is T in days.
    """

    kind: str
    reorder_point: int | None = None
    order_up_to: int | None = None
    order_quantity: int | None = None
    review_every: float | None = None
    notice_delay: float = 0.0

    @classmethod
    def ss(cls, s: int, S: int) -> Policy:
        """Continuous review: when the position drops to ``s`` or below, order up to ``S``."""
        return cls("ss", reorder_point=s, order_up_to=S)

    @classmethod
    def rq(cls, r: int, Q: int) -> Policy:
        """Continuous review: when the position drops to ``r`` or below, order ``Q`` (or n Q)."""
        return cls("rq", reorder_point=r, order_quantity=Q)

    @classmethod
    def base_stock(cls, S: int) -> Policy:
        """One-for-one replenishment keeping the position at ``S`` (the (S - 1, S) policy)."""
        return cls("base_stock", order_up_to=S)

    @classmethod
    def periodic(cls, T: float, S: int) -> Policy:
        """Count every ``T`` days (t = 0, T, 2T, ...) and order up to ``S`` on the count."""
        return cls("periodic", order_up_to=S, review_every=T)

    @classmethod
    def manual(cls, Q: int, notice_delay: float = 0.0) -> Policy:
        """No policy (kind ``none``): order ``Q`` by hand ``notice_delay`` days after a stockout."""
        return cls("none", order_quantity=Q, notice_delay=notice_delay)

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"policy kind must be one of {POLICY_KINDS} (got {self.kind!r})")
        needs = {
            "ss": ("reorder_point", "order_up_to"),
            "rq": ("reorder_point", "order_quantity"),
            "base_stock": ("order_up_to",),
            "periodic": ("order_up_to", "review_every"),
            "none": ("order_quantity",),
        }[self.kind]
        for name in ("reorder_point", "order_up_to", "order_quantity", "review_every"):
            given = getattr(self, name) is not None
            if given != (name in needs):
                rule = "needs" if name in needs else "does not take"
                raise ValueError(f"policy {self.kind!r} {rule} {name}")
        where = f"policy {self.kind!r}:"
        if self.order_up_to is not None:
            object.__setattr__(
                self, "order_up_to", checked_int(f"{where} S", self.order_up_to, minimum=0)
            )
        if self.order_quantity is not None:
            object.__setattr__(
                self, "order_quantity", checked_int(f"{where} Q", self.order_quantity, minimum=1)
            )
        if self.reorder_point is not None:
            s = checked_int(f"{where} reorder point", self.reorder_point)
            if self.kind == "ss" and s >= self.order_up_to:  # type: ignore[operator]
                raise ValueError(f"{where} s must be < S (got s={s}, S={self.order_up_to})")
            object.__setattr__(self, "reorder_point", s)
        if self.review_every is not None:
            T = _time(f"{where} T", self.review_every, positive=True)
            object.__setattr__(self, "review_every", T)
        object.__setattr__(
            self, "notice_delay", _time(f"{where} notice_delay", self.notice_delay, positive=False)
        )


@dataclass(frozen=True)
class StockItem:
    """What the business decides about one item: its policy, opening stock and shortage rules.

    ``job_shortage`` / ``order_shortage``: ``"backorder"`` (the demand waits for the next
    delivery) or ``"lost"`` (the job sends someone to the supply house, the customer buys
    elsewhere).
    """

    policy: Policy
    initial_on_hand: int
    job_shortage: str = "backorder"
    order_shortage: str = "lost"

    def __post_init__(self) -> None:
        if not isinstance(self.policy, Policy):
            raise ValueError(f"policy must be a Policy (got {self.policy!r})")
        object.__setattr__(
            self, "initial_on_hand", checked_int("initial_on_hand", self.initial_on_hand, minimum=0)
        )
        for name in ("job_shortage", "order_shortage"):
            if getattr(self, name) not in SHORTAGE_RULES:
                raise ValueError(
                    f"{name} must be one of {SHORTAGE_RULES} (got {getattr(self, name)!r})"
                )


@dataclass(frozen=True)
class Demand:
    """Every request for stock in one replication, sorted by time (days); arrays are read-only.

    ``source`` is :data:`JOB` or :data:`ORDER`. Draw it once per replication and pass the same
    object to every variant.
    """

    time: np.ndarray
    item: np.ndarray
    quantity: np.ndarray
    source: np.ndarray

    def __post_init__(self) -> None:
        t = np.array(self.time, dtype=np.float64)
        if t.ndim != 1 or not np.all(np.isfinite(t)) or (t.size and t.min() < 0):
            raise ValueError("demand time must be a 1-D array of finite days >= 0")
        if np.any(np.diff(t) < 0):
            raise ValueError("demand time must be sorted (earliest first)")
        t.flags.writeable = False
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "item", _int_array("demand item", self.item, 0))
        object.__setattr__(self, "quantity", _int_array("demand quantity", self.quantity, 1))
        src = _int_array("demand source", self.source, 0)
        if src.size and src.max() > ORDER:
            raise ValueError(f"demand source must be JOB (0) or ORDER (1) (got {src.max()})")
        object.__setattr__(self, "source", src)
        if not t.size == self.item.size == self.quantity.size == src.size:
            raise ValueError("demand time, item, quantity and source must have the same length")


@dataclass(frozen=True)
class Supply:
    """The supply side's randomness per item, consumed in order of occurrence (CRN-friendly).

    ``lead_times[i]`` is a fixed lead time (a number) or the draws for item i's replenishments:
    order k uses draw k (e.g. ``dist.ppf(u)`` with uniforms from the item's own stream), so
    variants that place different orders still share their k-th delivery delay. ``count_errors[i]``
    (periodic policies, whole units added to the true count at review k; ``None`` means exact
    counts) and ``notice_delays[i]`` (``none`` policy, delay before the k-th noticed stockout is
    ordered; ``None`` means the policy's constant) work the same way. Size the arrays with
    :func:`max_orders` and :func:`n_reviews`.
    """

    lead_times: Sequence[np.ndarray | float]
    count_errors: Sequence[np.ndarray | None] | None = None
    notice_delays: Sequence[np.ndarray | None] | None = None

    def __post_init__(self) -> None:
        leads = tuple(_time_array(f"lead_times[{i}]", v) for i, v in enumerate(self.lead_times))
        object.__setattr__(self, "lead_times", leads)
        n = len(leads)
        for name, conv in (("count_errors", _int_array), ("notice_delays", _time_array)):
            values = getattr(self, name)
            if values is None:
                continue
            if len(values) != n:
                raise ValueError(f"{name} must have one entry per item ({n}, got {len(values)})")
            out = tuple(
                None if v is None else conv(f"{name}[{i}]", v) for i, v in enumerate(values)
            )
            object.__setattr__(self, name, out)


def n_reviews(policy: Policy, horizon: float) -> int:
    """Number of counts a periodic policy makes in ``[0, horizon)`` (0 for other kinds)."""
    if policy.kind != "periodic":
        return 0
    return math.ceil(horizon / policy.review_every)  # type: ignore[operator]


def max_orders(policy: Policy, demand_units: int, horizon: float) -> int:
    """Upper bound on the replenishments of one item: how many lead-time draws to pass.

    Continuous policies order at most at t = 0 and once per demand event; periodic ones at most
    once per count; ``none`` once per noticed stockout, i.e. per short demand event or per
    delivery swallowed whole by the backlog. A generator's first k draws do not depend on how
    many are drawn, so variants may size their arrays differently and still share them.
    """
    if policy.kind == "periodic":
        return n_reviews(policy, horizon)
    if policy.kind == "none":
        return 2 * demand_units + 1
    return demand_units + 1


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class InventoryResult:
    """What happened, as arrays: per demand event, per item, per replenishment order, per day.

    A demand event is exactly one of: ``filled_now``; filled later (``fill_time`` > its time);
    ``lost``; ``oversold``; or still waiting at the horizon (see :attr:`pending_`). Unit counts
    satisfy ``initial + received - consumed - sold = final_on_hand`` per item, and all demand
    units = ``consumed + sold + lost + oversold + final_backorders``.
    """

    filled_now: np.ndarray
    fill_time: np.ndarray
    lost: np.ndarray
    oversold: np.ndarray
    ordered_units: np.ndarray
    received_units: np.ndarray
    orders_placed: np.ndarray
    consumed_units: np.ndarray
    sold_units: np.ndarray
    lost_units: np.ndarray
    oversold_units: np.ndarray
    stockout_events: np.ndarray
    final_on_hand: np.ndarray
    final_backorders: np.ndarray
    time_avg_on_hand: np.ndarray
    time_avg_backorders: np.ndarray
    order_item: np.ndarray
    order_time: np.ndarray
    order_quantity: np.ndarray
    order_received: np.ndarray  # NaN: still on its way at the horizon
    daily_on_hand: np.ndarray  # (items, days): on hand at the end of each day
    n_events: int = field(default=0)

    @property
    def pending_(self) -> np.ndarray:
        """Per event: backordered and not yet filled at the horizon."""
        return ~(self.lost | self.oversold) & np.isnan(self.fill_time)


# --------------------------------------------------------------------------- the engine


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
    t = 0 and after every demand; several orders may be outstanding and may cross. At equal
    times, deliveries come first, then syncs, noticed stockouts, counts and demand.

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
    horizon = _time("horizon", horizon, positive=True)
    sync = (
        None
        if sync_every is None or sync_every == 0
        else _time("sync_every", sync_every, positive=True)
    )
    _check_sizes(items, demand, supply, horizon)
    return _Run(items, demand, supply, horizon, sync).result()


def _check_sizes(
    items: Sequence[StockItem], demand: Demand, supply: Supply, horizon: float
) -> None:
    """Inputs agree with each other: item indices, per-item arrays, enough count errors."""
    n = len(items)
    if n == 0:
        raise ValueError("items must not be empty")
    if len(supply.lead_times) != n:
        raise ValueError(
            f"supply.lead_times must have one entry per item ({n}, got {len(supply.lead_times)})"
        )
    if demand.item.size and demand.item.max() >= n:
        raise ValueError(f"demand item {demand.item.max()} does not exist ({n} items)")
    if demand.time.size and demand.time[-1] >= horizon:
        raise ValueError(f"demand time must be < horizon {horizon} (got {demand.time[-1]})")
    for i, item in enumerate(items):
        need = n_reviews(item.policy, horizon)
        errors = None if supply.count_errors is None else supply.count_errors[i]
        if need and errors is not None and errors.size < need:
            raise ValueError(
                f"supply.count_errors[{i}] has {errors.size} values; the periodic "
                f"policy counts {need} times in {horizon} days"
            )


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


class _Run:
    """One simulation. Plain attributes and lists: this is the hot loop."""

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
        kinds = {"ss": _SS, "base_stock": _SS, "rq": _RQ, "periodic": _PERIODIC, "none": _NONE}
        self.kind = [kinds[p.kind] for p in pol]
        self.up_to = [p.order_up_to or 0 for p in pol]  # 0 and 1.0 below: unused by the kind
        self.low = [
            p.reorder_point if p.reorder_point is not None else S - 1
            for p, S in zip(pol, self.up_to, strict=True)
        ]
        self.qty = [p.order_quantity or 1 for p in pol]
        self.review = [p.review_every or 1.0 for p in pol]
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

    def place(self, i: int, t: float, q: int) -> None:
        k = self.placed[i]
        when = t + _kth(self.leads[i], k, "lead_times", i)
        self.placed[i] = k + 1
        self.on_order[i] += q
        self.ordered[i] += q
        self.orders.append([i, t, q, math.nan])
        self.push(when, _RECEIPT, i, len(self.orders) - 1)

    def check(self, i: int, t: float) -> None:
        """Continuous review after the position of item i changed."""
        kind = self.kind[i]
        if kind > _RQ:
            return
        ip = self.on_hand[i] + self.on_order[i] - self.backlog[i]
        low = self.low[i]
        if ip <= low:
            q = self.up_to[i] - ip if kind == _SS else ((low - ip) // self.qty[i] + 1) * self.qty[i]
            self.place(i, t, q)

    # -- events ----------------------------------------------------------------------------
    def receive(self, t: float, i: int, k: int) -> None:
        """A delivery: waiting demand is served first come first served, the rest is shelved."""
        dt = t - self.last[i]  # touch(), inlined: this and demand_event() are the hot path
        self.area_oh[i] += self.on_hand[i] * dt
        self.area_bo[i] += self.backlog[i] * dt
        self.last[i] = t
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

    def count(self, t: float, i: int) -> None:
        """Periodic review k of item i on a counted (possibly wrong) stock figure."""
        k = self.n_reviews[i]
        self.n_reviews[i] = k + 1
        errors = self.errors[i]
        counted = self.on_hand[i] + (errors[k] if errors is not None else 0)
        ip = max(counted, 0) + self.on_order[i] - self.backlog[i]
        if ip < self.up_to[i]:
            self.place(i, t, self.up_to[i] - ip)
        self.push((k + 1) * self.review[i], _REVIEW, i, 0)

    def notice(self, i: int, t: float) -> None:
        """Someone finds the bin empty; under ``none`` they order by hand after a delay."""
        if self.kind[i] != _NONE or self.noticing[i] or self.on_order[i]:
            return
        k = self.n_notices[i]
        self.n_notices[i] = k + 1
        delays = self.notices[i]
        delay = self.delay[i] if delays is None else _kth(delays, k, "notice_delays", i)
        self.noticing[i] = True
        self.push(t + delay, _NOTICE, i, 0)

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
        if self.kind[i] <= _RQ:
            self.check(i, t)

    def short(self, i: int, t: float) -> None:
        """A demand met an empty (or too thin) shelf: a stockout starts unless one is running."""
        if not self.out[i]:
            self.out[i] = True
            self.stockouts[i] += 1
        self.notice(i, t)

    def scheduled(self, t: float, kind: int, i: int, payload: int) -> None:
        """A sync of the shop's figure, a noticed stockout or a periodic count."""
        if kind == _SYNC:
            self.shown = list(self.on_hand)
            self.push((payload + 1) * self.sync, _SYNC, 0, payload + 1)  # type: ignore[operator]
        elif kind == _NOTICE:
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
            if kind == _RECEIPT:
                self.receive(t, i, payload)
            else:
                self.scheduled(t, kind, i, payload)
        while self.next_day <= until:
            days.append(list(self.on_hand))
            self.next_day += 1.0

    def run(self) -> None:
        for i, kind in enumerate(self.kind):
            if kind == _PERIODIC:
                self.push(0.0, _REVIEW, i, 0)
            else:
                self.check(i, 0.0)
        if self.sync is not None:
            self.push(self.sync, _SYNC, 0, 1)
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
