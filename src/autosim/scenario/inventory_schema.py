"""The ``inventory`` section of a scenario: the items on the shelf, their refill rules, their users.

Think of the stock room of a small business as a row of bins with a card on each: what a unit
costs, what it sells for, how many there are today, and the rule written on the card for when to
reorder ("count every Monday, top up to 60", "when 5 are left, order 20", "when someone notices it
is empty"). Technicians take parts from the bins for jobs (``parts`` on a job type); the online
shop sells from the same bins, showing a stock figure that may only be refreshed every so often.

How automations act on the stock room (an inventory system is bought once for the whole shelf,
not used job by job):

* ``inventory.sync_every: null`` (real-time stock figure): each online order, independently,
  sees the real shelf with probability = the automation's adoption share at the order's time
  (a per-order uniform from the automation's own stream ``adopt:<id>:orders:<item>``); the others
  see the stale figure. Only real time (``null`` or ``0``) can be set by an automation.
* ``inventory.review: continuous``, ``inventory.count_accuracy: exact`` and
  ``inventory.reorder_points: demand_based`` are switches for the whole shelf: they apply from the
  time the automation's adoption share first reaches 50% (never, if its level stays below 50%).
  Set in the scenario itself, they apply from day 0.

A ``periodic`` item is counted every ``review_every`` and honours its ``reorder_point`` (s): at a
count with the position at or below s it orders up to ``order_up_to`` (R, s, S), or the smallest
multiple of ``order_quantity`` that lifts the position above s (R, s, nQ); without s it tops up
to S at every count (R, S). Every setting is used by its kind or refused, located at the setting:
nothing on a bin card is silently ignored.

Under continuous review every ``periodic`` or ``none`` item is watched continuously with its
``reorder_point``: as (s, S) with its ``order_up_to``, as (r, Q) with its ``order_quantity`` (a
periodic (R, s, nQ) item); ``never`` items (limited editions) are never reordered, whatever the
review. A ``none`` item's ``reorder_point`` and ``order_up_to`` exist only for that switch, so
they are an error in a scenario where nothing switches to continuous review. Demand-based points
replace s and S of every reorderable item by s = the ``service_level`` quantile of demand over
the lead time (normal approximation of the compound-Poisson lead-time demand, from the file's
demand rates) and S = s + the economic order quantity (at least 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from autosim.dists import Constant, Distribution
from autosim.scenario.fields import (
    DistField,
    Minutes,
    Money,
    Probability,
    Scalar,
    is_uncertain,
)
from autosim.scenario.schema_base import Frozen, Loc, check_id, require_unique_ids

__all__ = [
    "INVENTORY_EFFECTS",
    "Inventory",
    "InventoryItem",
    "PartNeed",
    "StockPolicy",
    "inventory_problems",
    "quantity_units",
]

MAX_UNITS = 1_000_000  # far beyond any small business's shelf; keeps the arithmetic exact

#: Effect paths on the inventory section (their meanings are in ``EFFECTABLE``).
INVENTORY_EFFECTS = (
    "inventory.sync_every",
    "inventory.review",
    "inventory.count_accuracy",
    "inventory.reorder_points",
)

#: The settings of a bin card, and which kinds use each one. ``periodic`` takes ``order_up_to``
#: (S) or ``order_quantity`` (Q, then ``reorder_point`` is required); ``none`` uses
#: ``reorder_point`` and ``order_up_to`` only under continuous review (checked against the
#: scenario's switches in :func:`inventory_problems`).
_SETTINGS = ("reorder_point", "order_up_to", "order_quantity", "review_every", "notice_delay")
_USES: dict[str, tuple[str, ...]] = {
    "ss": ("reorder_point", "order_up_to"),
    "rq": ("reorder_point", "order_quantity"),
    "base_stock": ("order_up_to",),
    "periodic": ("review_every", "reorder_point", "order_up_to", "order_quantity"),
    "none": ("order_quantity", "notice_delay", "reorder_point", "order_up_to"),
    "never": (),
}
_NEEDS: dict[str, tuple[str, ...]] = {
    "ss": ("reorder_point", "order_up_to"),
    "rq": ("reorder_point", "order_quantity"),
    "base_stock": ("order_up_to",),
    "periodic": ("review_every",),
    "none": ("order_quantity",),
    "never": (),
}


def _sane_quantity(dist: Distribution) -> Distribution:
    if not dist.mean <= 1000:
        raise ValueError(f"a quantity averaging {dist.mean:g} units is implausible (at most 1000)")
    return dist


class StockPolicy(Frozen):
    """The reorder rule on an item's bin card.

    ``ss``: when the position (on hand + on order - backorders) falls to ``reorder_point`` (s),
    order up to ``order_up_to`` (S). ``rq``: at s, order ``order_quantity`` (Q). ``base_stock``:
    one for one, keeping the position at S. ``periodic``: count every ``review_every``; with
    ``order_up_to`` order up to S — at every count (R, S), or only when the position is at or
    below ``reorder_point`` (R, s, S); with ``order_quantity`` and ``reorder_point`` order the
    smallest multiple of Q that lifts a position at or below s above it (R, s, nQ). ``none``:
    nobody watches; ``notice_delay`` after the bin is found empty, someone orders Q by hand.
    ``never``: a limited edition, sold out is sold out. A setting the kind does not use is an
    error, located at the setting.
    """

    kind: Literal["ss", "rq", "base_stock", "periodic", "none", "never"]
    reorder_point: int | None = Field(None, ge=-1, le=MAX_UNITS)
    order_up_to: int | None = Field(None, ge=1, le=MAX_UNITS)
    order_quantity: int | None = Field(None, ge=1, le=MAX_UNITS)
    review_every: Minutes | None = None
    notice_delay: DistField("duration") | None = None

    @field_validator(*_SETTINGS)
    @classmethod
    def _used_by_the_kind(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        if value is not None and kind in _USES and info.field_name not in _USES[kind]:
            uses = ", ".join(_USES[kind]) or "no settings"
            raise ValueError(
                f"policy {kind!r} does not use {info.field_name} (it uses {uses}): remove it, "
                "or pick the kind that uses it"
            )
        return value

    @model_validator(mode="after")
    def _settings_fit_the_kind(self) -> StockPolicy:
        missing = [n for n in _NEEDS[self.kind] if getattr(self, n) is None]
        if self.kind == "periodic":
            if self.order_up_to is None and self.order_quantity is None:
                missing.append("order_up_to (S) or order_quantity (Q, with reorder_point)")
            elif self.order_up_to is not None and self.order_quantity is not None:
                raise ValueError(
                    "policy 'periodic' takes order_up_to (order up to S) or order_quantity "
                    "(order in lots of Q), not both"
                )
            elif self.order_quantity is not None and self.reorder_point is None:
                missing.append(
                    "reorder_point (s: order lots of Q when the position is at or below s)"
                )
        if self.kind == "none" and (self.reorder_point is None) != (self.order_up_to is None):
            missing.append(
                "reorder_point and order_up_to together (its (s, S) under continuous review)"
            )
        if missing:
            raise ValueError(f"policy {self.kind!r} needs {' and '.join(missing)}")
        if isinstance(self.review_every, float) and self.review_every <= 0:
            raise ValueError("review_every must be longer than 0 (e.g. '7 day')")
        s, big_s = self.reorder_point, self.order_up_to
        if s is not None and big_s is not None and s >= big_s:
            raise ValueError(
                f"reorder_point (s = {s}) must be below order_up_to (S = {big_s}): an order is "
                "placed when the position falls to s and brings it back up to S"
            )
        return self

    @property
    def reorderable(self) -> bool:
        """False for limited editions (``never``)."""
        return self.kind != "never"


class InventoryItem(Frozen):
    """One item (SKU): money, opening stock, supplier, reorder rule, shortages, online demand."""

    id: str
    name: str = ""
    unit_cost: Money
    price: Money = 0.0
    holding_cost_rate: Scalar(0.0, 5.0) = 0.25
    order_cost: Money = 0.0
    initial_on_hand: int = Field(ge=0, le=MAX_UNITS)
    lead_time: DistField("duration")
    policy: StockPolicy
    count_error_sd: Scalar(0.0, 1000.0) = 0.0
    job_shortage: Literal["supply_trip", "return_visit"] = "supply_trip"
    order_shortage: Literal["lost", "backorder"] = "lost"
    orders_per_day: Scalar(0.0, 10_000.0) = 0.0
    units_per_order: DistField() = Constant(1.0)

    @field_validator("units_per_order")
    @classmethod
    def _units(cls, value: Distribution) -> Distribution:
        return _sane_quantity(value)

    @field_validator("count_error_sd")
    @classmethod
    def _counted(cls, value: Any, info: ValidationInfo) -> Any:
        policy = info.data.get("policy")
        if policy is not None and policy.kind != "periodic" and (is_uncertain(value) or value):
            raise ValueError(
                f"count_error_sd is only used by periodic counts, and policy {policy.kind!r} "
                "does not count: remove it"
            )
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return check_id(value)


class PartNeed(Frozen):
    """A job type's need for an item: with probability ``prob``, ``quantity`` units (rounded)."""

    item: str
    prob: Probability = 1.0
    quantity: DistField() = Constant(1.0)

    @field_validator("quantity")
    @classmethod
    def _units(cls, value: Distribution) -> Distribution:
        return _sane_quantity(value)


class Inventory(Frozen):
    """The stock room: items, the shop's stock figure, missing-part handling, supplier payment."""

    items: tuple[InventoryItem, ...] = Field(min_length=1)
    sync_every: Minutes | None = None
    supply_trip_time: DistField("duration") = Constant(45.0)
    return_visit_delay: Minutes = 1440.0
    return_visit_time: DistField("duration") = Constant(60.0)
    payment_terms: Minutes = 0.0
    oversell_cost: Money = 0.0
    review: Literal["as_configured", "continuous"] = "as_configured"
    count_accuracy: Literal["manual", "exact"] = "manual"
    reorder_points: Literal["as_configured", "demand_based"] = "as_configured"
    service_level: Scalar(0.5, 0.9999) = 0.95

    @field_validator("items")
    @classmethod
    def _unique(cls, items: tuple[InventoryItem, ...]) -> tuple[InventoryItem, ...]:
        require_unique_ids(items, "item")
        return items

    def index(self, item_id: str) -> int:
        """Position of an item in ``items`` (KeyError if unknown)."""
        for i, item in enumerate(self.items):
            if item.id == item_id:
                return i
        raise KeyError(item_id)


def _real_time(value: Any) -> bool:
    return value is None or value == 0


def _continuous_needs(
    inv: Inventory, settings: dict[str, Any], where: Loc, by: str
) -> list[tuple[Loc, str]]:
    """Items that continuous review would need s and S (or s and Q) for, but that have none."""
    if settings.get("review") != "continuous" or settings.get("reorder_points") == "demand_based":
        return []
    lacking = [
        it.id
        for it in inv.items
        if it.policy.kind in ("periodic", "none")
        and (
            it.policy.reorder_point is None
            or (it.policy.order_up_to is None and it.policy.order_quantity is None)
            or (it.policy.kind == "none" and it.policy.order_up_to is None)
        )
    ]
    if not lacking:
        return []
    return [
        (
            where,
            f"{by} switches to continuous review, which needs policy.reorder_point and "
            f"policy.order_up_to on item(s) {', '.join(lacking)} (or reorder_points: "
            "demand_based)",
        )
    ]


def _unused_continuous_points(
    inv: Inventory, automations: Sequence[_ChangesParameters]
) -> list[tuple[Loc, str]]:
    """``none`` items' (s, S) when nothing ever switches the shelf to continuous review."""
    if inv.review == "continuous" or any(
        a.effects.get("inventory.review") == "continuous" for a in automations
    ):
        return []
    return [
        (
            ("inventory", "items", i, "policy", "reorder_point"),
            "reorder_point and order_up_to of policy 'none' are used only under continuous "
            "review (inventory.review: continuous, in the scenario or an automation's effects), "
            "and nothing in this scenario switches to it: remove them",
        )
        for i, it in enumerate(inv.items)
        if it.policy.kind == "none" and it.policy.reorder_point is not None
    ]


class _UsesParts(Protocol):
    """A job type, as far as the inventory checks read it."""

    @property
    def parts(self) -> tuple[PartNeed, ...]: ...


class _ChangesParameters(Protocol):
    """An automation, as far as the inventory checks read it."""

    @property
    def id(self) -> str: ...

    @property
    def effects(self) -> dict[str, Any]: ...


def inventory_problems(
    inv: Inventory | None,
    job_types: Sequence[_UsesParts],
    automations: Sequence[_ChangesParameters],
) -> list[tuple[Loc, str]]:
    """Cross-references of the inventory section: part items, effects, continuous-review needs.

    ``inv`` is the scenario's inventory (if any), ``job_types`` its ``dispatch.job_types`` and
    ``automations`` its automations, in file order (their positions locate the problems).
    """
    problems: list[tuple[Loc, str]] = []
    known = {it.id for it in inv.items} if inv is not None else set()
    for t, jt in enumerate(job_types):
        for p, need in enumerate(jt.parts):
            if inv is None:
                problems.append(
                    (
                        ("dispatch", "job_types", t, "parts"),
                        "parts need an 'inventory' section listing the items",
                    )
                )
                break
            if need.item not in known:
                problems.append(
                    (
                        ("dispatch", "job_types", t, "parts", p, "item"),
                        f"unknown item {need.item!r} (known: {', '.join(sorted(known))})",
                    )
                )
    for a, auto in enumerate(automations):
        touched = {k: v for k, v in auto.effects.items() if k.startswith("inventory.")}
        if not touched:
            continue
        where = ("automations", a, "effects")
        if inv is None:
            problems.append(
                (where, "changes inventory, but the scenario has no 'inventory' section")
            )
            continue
        if "inventory.sync_every" in touched and not _real_time(touched["inventory.sync_every"]):
            problems.append(
                (
                    where,
                    "an automation can make the stock figure real time (inventory.sync_every: "
                    "null); other sync periods are not supported",
                )
            )
        settings = {
            "review": touched.get("inventory.review", inv.review),
            "reorder_points": touched.get("inventory.reorder_points", inv.reorder_points),
        }
        problems += _continuous_needs(inv, settings, where, f"automation {auto.id!r}")
    if inv is not None:
        settings = {"review": inv.review, "reorder_points": inv.reorder_points}
        problems += _continuous_needs(inv, settings, ("inventory", "review"), "the scenario")
        problems += _unused_continuous_points(inv, automations)
    return problems


def quantity_units(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Whole units from a quantity distribution: rounded, at least 1 (and at most a million)."""
    return np.clip(np.rint(dist.ppf(u)), 1, MAX_UNITS).astype(np.int64)
