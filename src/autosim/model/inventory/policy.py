"""Replenishment policies: the rule on each bin card, its parameters, and when it changes.

This module owns how a shelf is refilled. A reorder policy watches each shelf — continuously
((s, S), (r, Q), base stock), at periodic counts that may be wrong (``periodic``: (R, S),
(R, s, S) or (R, s, nQ)), or not at all until someone finds the bin empty (``manual``, the
scenario's ``none``; ``never`` orders nothing) — and :class:`StockItem` adds the opening stock
and what happens to a demand the shelf cannot fill (``backorder`` or ``lost``).
:func:`n_reviews` and :func:`max_orders` size the supply draws a policy can consume.

It also reads the scenario's bin cards into engine policies: the analyst's own policy, the
demand-based (s, S) points (service-level s, s + EOQ for S), and the day an automation switches a
whole shelf to continuous review, exact counts or demand-based points (:func:`policy_plan`).
The stock engine (:mod:`autosim.model.inventory.engine`) carries the decisions out in time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from autosim.model.inventory.validate import days
from autosim.model.timetable import DAY
from autosim.queueing import checked_int
from autosim.scenario.inventory_schema import Inventory
from autosim.scenario.schema import Automation, Scenario

__all__ = [
    "POLICY_KINDS",
    "SHORTAGE_RULES",
    "SWITCHES",
    "Policy",
    "StockItem",
    "demand_based_points",
    "max_orders",
    "n_reviews",
    "policy_plan",
    "switch_day",
]

POLICY_KINDS = ("ss", "rq", "base_stock", "periodic", "none")
SHORTAGE_RULES = ("backorder", "lost")


# --------------------------------------------------------------------------- the rules


#: Per kind: the settings a policy needs, and those it may take besides.
_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ss": (("reorder_point", "order_up_to"), ()),
    "rq": (("reorder_point", "order_quantity"), ()),
    "base_stock": (("order_up_to",), ()),
    "periodic": (("review_every",), ("reorder_point", "order_up_to", "order_quantity")),
    "none": (("order_quantity",), ()),
}


@dataclass(frozen=True)
class Policy:
    """How one shelf is refilled; build it with the class methods, which read like the theory.

    ``reorder_point`` is s (``ss``, ``periodic``) or r (``rq``); ``order_up_to`` is S;
    ``order_quantity`` is Q (``rq``, a periodic (R, s, nQ) policy, and the amount ordered by hand
    under ``none``); ``review_every`` is T (the review period R) in days. A setting the kind does
    not use is refused, never ignored.
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
    def periodic(cls, T: float, S: int, s: int | None = None) -> Policy:
        """Count every ``T`` days (t = 0, T, 2T, ...); order up to ``S`` when the position is at
        or below ``s`` — (R, s, S) — or, without ``s``, at every count below S — (R, S)."""
        return cls("periodic", reorder_point=s, order_up_to=S, review_every=T)

    @classmethod
    def periodic_rq(cls, T: float, s: int, Q: int) -> Policy:
        """Count every ``T`` days; when the position is at or below ``s``, order the smallest
        multiple of ``Q`` that lifts it above ``s`` — the (R, s, nQ) policy."""
        return cls("periodic", reorder_point=s, order_quantity=Q, review_every=T)

    @classmethod
    def manual(cls, Q: int, notice_delay: float = 0.0) -> Policy:
        """No policy (kind ``none``): order ``Q`` by hand ``notice_delay`` days after a stockout."""
        return cls("none", order_quantity=Q, notice_delay=notice_delay)

    @property
    def levels(self) -> tuple[int, int, int, bool]:
        """(reorder level, S, Q, lots) as an ordering decision reads them.

        Order when the position is at or below the level — s (r); base stock and (R, S), which
        have no s, at S - 1 — either up to S or, with ``lots`` ((r, Q), (R, s, nQ)), the
        smallest multiple of Q that lifts the position above the level. Numbers the kind does
        not use are set to neutral values (S = 0, Q = 1).
        """
        big_s = self.order_up_to or 0
        low = self.reorder_point if self.reorder_point is not None else big_s - 1
        lots = self.kind in ("rq", "periodic") and self.order_quantity is not None
        return low, big_s, self.order_quantity or 1, lots

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"policy kind must be one of {POLICY_KINDS} (got {self.kind!r})")
        needs, may = _RULES[self.kind]
        for name in ("reorder_point", "order_up_to", "order_quantity", "review_every"):
            given = getattr(self, name) is not None
            if given != (name in needs) and not (given and name in may):
                rule = "needs" if name in needs else "does not take"
                raise ValueError(f"policy {self.kind!r} {rule} {name}")
        where = f"policy {self.kind!r}:"
        if self.kind == "periodic":
            if (self.order_up_to is None) == (self.order_quantity is None):
                raise ValueError(f"{where} give exactly one of order_up_to (S), order_quantity (Q)")
            if self.order_quantity is not None and self.reorder_point is None:
                raise ValueError(f"{where} order_quantity (Q) needs a reorder_point (s)")
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
            if self.order_up_to is not None and s >= self.order_up_to:
                raise ValueError(f"{where} s must be < S (got s={s}, S={self.order_up_to})")
            object.__setattr__(self, "reorder_point", s)
        if self.review_every is not None:
            T = days(f"{where} T", self.review_every, positive=True)
            object.__setattr__(self, "review_every", T)
        object.__setattr__(
            self, "notice_delay", days(f"{where} notice_delay", self.notice_delay, positive=False)
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


# --------------------------------------------------------------------------- whole-shelf switches


#: The whole-shelf switches: effect path -> the value that switches them on.
SWITCHES = {
    "inventory.review": "continuous",
    "inventory.count_accuracy": "exact",
    "inventory.reorder_points": "demand_based",
}


def _half_adopted(auto: Automation) -> float:
    """Minutes at which the automation's adoption share first reaches 50% (inf: never)."""
    level = float(auto.adoption.level)
    if level < 0.5:
        return math.inf
    ramp = float(auto.adoption.ramp)
    return float(auto.costs.implementation) + (ramp * 0.5 / level if ramp > 0 else 0.0)


def switch_day(inv: Inventory, automations: Sequence[Automation], path: str) -> float:
    """Day from which a whole-shelf switch is on: 0 if the file sets it, inf if never."""
    on = SWITCHES[path]
    if getattr(inv, path.split(".")[1]) == on:
        return 0.0
    times = [_half_adopted(a) for a in automations if a.effects.get(path) == on]
    return min(times, default=math.inf) / DAY


# --------------------------------------------------------------------------- the bin cards


def demand_based_points(scenario: Scenario, i: int) -> tuple[int, int]:
    """(s, S) for item ``i`` from its expected demand: service-level s, s + EOQ for S."""
    inv = scenario.inventory
    item = inv.items[i]
    flows = [(float(item.orders_per_day), item.units_per_order)]
    scale = float(scenario.dispatch.rate_factor)
    for jt in scenario.dispatch.job_types:
        flows += [
            (float(jt.rate_per_day) * scale * float(need.prob), need.quantity)
            for need in jt.parts
            if need.item == item.id
        ]
    mu = sum(r * max(q.mean, 1.0) for r, q in flows)  # units per day
    second = sum(r * (q.sd**2 + max(q.mean, 1.0) ** 2) for r, q in flows)  # compound Poisson
    lead_mean, lead_sd = item.lead_time.mean / DAY, item.lead_time.sd / DAY
    mean = mu * lead_mean
    var = second * lead_mean + mu**2 * lead_sd**2
    z = NormalDist().inv_cdf(float(inv.service_level))
    s = max(0, math.ceil(mean + z * math.sqrt(var)))
    holding = float(item.holding_cost_rate) * float(item.unit_cost)
    eoq = math.sqrt(2 * 365 * mu * float(item.order_cost) / holding) if holding > 0 else 0.0
    return s, s + max(1, round(eoq))


def _policies(
    scenario: Scenario, continuous: bool, demand_based: bool, horizon_days: float
) -> list[Policy]:
    """The engine policy of every item under the given whole-shelf settings."""
    out = []
    for i, item in enumerate(scenario.inventory.items):
        p = item.policy
        if p.kind == "never":
            out.append(Policy.manual(1, notice_delay=horizon_days))  # the notice never comes
        elif demand_based:
            out.append(Policy.ss(*demand_based_points(scenario, i)))
        elif p.kind == "rq" or (continuous and p.kind == "periodic" and p.order_up_to is None):
            out.append(Policy.rq(p.reorder_point, p.order_quantity))
        elif p.kind == "ss" or (continuous and p.kind in ("periodic", "none")):
            out.append(Policy.ss(p.reorder_point, p.order_up_to))
        elif p.kind == "base_stock":
            out.append(Policy.base_stock(p.order_up_to))
        elif p.kind == "periodic" and p.order_up_to is None:
            T = float(p.review_every) / DAY
            out.append(Policy.periodic_rq(T, p.reorder_point, p.order_quantity))
        elif p.kind == "periodic":
            T = float(p.review_every) / DAY
            out.append(Policy.periodic(T, p.order_up_to, p.reorder_point))
        else:
            out.append(Policy.manual(p.order_quantity))
    return out


def policy_plan(
    scenario: Scenario, automations: Sequence[Automation]
) -> tuple[list[Policy], float, dict[int, Policy], float]:
    """Policies at day 0, the switch day, the continuous policies items take then, the
    exact-count day."""
    inv, n_days = scenario.inventory, scenario.n_days
    day_on = {p: switch_day(inv, automations, p) for p in SWITCHES}
    cont, based = day_on["inventory.review"], day_on["inventory.reorder_points"]
    start = _policies(scenario, cont <= 0, based <= 0, n_days)
    switch = min(d for d in (cont, based, math.inf) if d > 0)  # several: all at the earliest
    later = _policies(scenario, cont < math.inf, based < math.inf, n_days)
    new_policy = {
        i: p
        for i, (p, q) in enumerate(zip(later, start, strict=True))
        if p != q and switch < n_days
    }
    return start, switch, new_policy, day_on["inventory.count_accuracy"]
