"""What goes into the stock engine and what comes out, as arrays.

Nothing in the stock engine draws random numbers. Demand (:class:`Demand`) and the supply side's
randomness (:class:`Supply`: lead times, count errors, noticing delays) come in as arrays,
indexed by occurrence (the k-th replenishment of item i uses ``lead_times[i][k]``, the k-th count
of item i uses ``count_errors[i][k]``). Every variant of a replication therefore sees the same
customers and the same supplier; a policy change alters what the shop does, not what happens to
it. What happened comes back as arrays too (:class:`InventoryResult`), per demand event, item,
replenishment order and day; money, KPIs and the cash ledger are the caller's. This module owns
those containers and the checks that they agree with each other (:func:`check_sizes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from autosim.model.inventory.policy import StockItem, n_reviews
from autosim.model.inventory.validate import day_array, whole_numbers

__all__ = ["JOB", "ORDER", "Demand", "InventoryResult", "Supply", "check_sizes"]

JOB = 0
"""Demand source code: a technician needs a part for a job."""
ORDER = 1
"""Demand source code: an online customer order."""


# --------------------------------------------------------------------------- inputs


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
        object.__setattr__(self, "item", whole_numbers("demand item", self.item, 0))
        object.__setattr__(self, "quantity", whole_numbers("demand quantity", self.quantity, 1))
        src = whole_numbers("demand source", self.source, 0)
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
    :func:`~autosim.model.inventory.policy.max_orders` and
    :func:`~autosim.model.inventory.policy.n_reviews`.
    """

    lead_times: Sequence[np.ndarray | float]
    count_errors: Sequence[np.ndarray | None] | None = None
    notice_delays: Sequence[np.ndarray | None] | None = None

    def __post_init__(self) -> None:
        leads = tuple(day_array(f"lead_times[{i}]", v) for i, v in enumerate(self.lead_times))
        object.__setattr__(self, "lead_times", leads)
        n = len(leads)
        for name, conv in (("count_errors", whole_numbers), ("notice_delays", day_array)):
            values = getattr(self, name)
            if values is None:
                continue
            if len(values) != n:
                raise ValueError(f"{name} must have one entry per item ({n}, got {len(values)})")
            out = tuple(
                None if v is None else conv(f"{name}[{i}]", v) for i, v in enumerate(values)
            )
            object.__setattr__(self, name, out)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class InventoryResult:
    """What happened, as arrays: per demand event, per item, per replenishment order, per day.

    A demand event is exactly one of: ``filled_now``; filled later (``fill_time`` > its time);
    ``lost``; ``oversold``; or still waiting at the horizon (see :attr:`pending_`). Unit counts
    satisfy ``initial + received - consumed - sold = final_on_hand`` per item, and all demand
    units = ``consumed + sold + lost + oversold + final_backorders``.

    Two stockout counts per item: an *episode* starts when a demand finds the shelf short and
    lasts until a delivery leaves stock on it (``stockout_events``); a *replenishment cycle* runs
    from one delivery to the next (the first from t = 0, the last to the horizon) and is a
    stockout cycle when a demand in it found the shelf short or it began with demand still
    waiting (``stockout_cycles`` out of ``replenishment_cycles``).
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
    stockout_events: np.ndarray  # episodes: from a short demand until a delivery restocks
    stockout_cycles: np.ndarray  # replenishment cycles (delivery to delivery) with a stockout
    replenishment_cycles: np.ndarray  # cycles: deliveries + 1 (from t = 0, to the horizon)
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


# --------------------------------------------------------------------------- consistency


def check_sizes(items: Sequence[StockItem], demand: Demand, supply: Supply, horizon: float) -> None:
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
