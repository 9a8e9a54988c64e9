"""Who calls, and when: the replication's job table, drawn before the simulation runs.

Every variant of a replication must see the same customers (common random numbers), so calls and
everything about each job that does not depend on how the business works — where it is, how long
the repair takes, what it pays, how patient the customer is — are drawn up front, vectorised,
from the job type's own random stream. Each job also carries a row of uniforms that later stages
turn into values by inverse transform; an automation that changes a distribution then changes
the value, not the customer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autosim.model.timetable import DAY
from autosim.scenario.dispatch_schema import JobType
from autosim.scenario.schema import Automation, Scenario

__all__ = ["Jobs", "U", "demand_multiplier", "generate_jobs"]


class U:
    """Column of each per-job uniform in :attr:`Jobs.u` (fixed, so streams stay aligned)."""

    SERVICE = 0
    REVENUE = 1
    PATIENCE = 2
    TRAVEL = 3
    HANDLE = 4
    MANUAL = 5
    PICK = 6
    KEEP = 7
    INVOICE_ERROR = 8
    REWORK = 9
    CARD = 10
    PAYMENT = 11
    BAD_DEBT = 12
    ADMIN = 13
    RETURN = 14  # when a satisfied customer calls again
    CHILD = 15  # whether they do
    N = 16


@dataclass(frozen=True)
class Jobs:
    """All calls of one replication, sorted by call time (minutes from the start)."""

    call: np.ndarray
    type_idx: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    extra: np.ndarray  # True: demand that exists only where an automation adds it
    parent: np.ndarray  # index of the job whose satisfied customer makes this call (-1: none)
    referral: np.ndarray | None = None  # a follow-up from a neighbour rather than the customer

    @property
    def potential(self) -> np.ndarray:
        """Repeat or referral calls: they happen only if the parent job leaves them happy."""
        return self.parent >= 0

    @property
    def is_referral(self) -> np.ndarray:
        """Follow-up calls from referred new customers (the others are returning customers)."""
        return np.zeros(len(self), bool) if self.referral is None else self.referral

    def subset(self, mask: np.ndarray) -> Jobs:
        """The jobs where ``mask`` holds, with parent indices renumbered (-1 if dropped)."""
        new_index = np.full(len(self) + 1, -1)
        new_index[np.flatnonzero(mask)] = np.arange(int(mask.sum()))
        return Jobs(
            self.call[mask],
            self.type_idx[mask],
            self.x[mask],
            self.y[mask],
            self.u[mask],
            self.extra[mask],
            new_index[self.parent[mask]],
            self.is_referral[mask],
        )

    def __len__(self) -> int:
        return int(self.call.size)


def demand_multiplier(scenario: Scenario, job_type: JobType) -> float:
    """Largest demand any combination of the scenario's automations can add (product of > 1)."""
    factor = 1.0
    for auto in scenario.automations:
        f = auto.effects.get("dispatch.rate_factor")
        if f is not None and f > 1 and applies_to_type(auto, job_type):
            factor *= float(f)
    return factor


def applies_to_type(auto: Automation, job_type: JobType) -> bool:
    """Whether an automation's ``applies_to`` covers this job type."""
    scope = auto.applies_to
    return (scope.segments is None or job_type.segment in scope.segments) and (
        scope.job_types is None or job_type.id in scope.job_types
    )


def _rates(job_type: JobType, scenario: Scenario, scale: float) -> np.ndarray:
    """Expected calls per (day, hour) over the horizon: rate x growth x weekday x hour shape."""
    n_days = scenario.n_days
    days = np.arange(n_days)
    weekday = (scenario.calendar.start_date.weekday() + days) % 7
    wd = np.ones(7) if job_type.weekday_profile is None else np.asarray(job_type.weekday_profile)
    wd = wd / wd.mean()
    hours = np.ones(24) if job_type.hourly_profile is None else np.asarray(job_type.hourly_profile)
    hours = hours / hours.sum()
    growth = (1.0 + float(job_type.growth_per_year)) ** (days / 365.0)
    daily = float(job_type.rate_per_day) * scale * growth * wd[weekday]
    return daily[:, None] * hours[None, :]


def _arrivals(rng: np.random.Generator, rates: np.ndarray) -> np.ndarray:
    """Non-homogeneous Poisson arrivals, piecewise constant per hour."""
    counts = rng.poisson(rates).ravel()
    starts = np.repeat(np.arange(counts.size, dtype=float) * 60.0, counts)
    return np.sort(starts + 60.0 * rng.random(starts.size))


def _draw(
    rng: np.random.Generator, rates: np.ndarray, job_type_idx: int, scenario: Scenario, extra: bool
) -> tuple[np.ndarray, ...]:
    call = _arrivals(rng, rates)
    n = call.size
    area = scenario.dispatch.area
    x = rng.random(n) * float(area.width_km)
    y = rng.random(n) * float(area.height_km)
    u = rng.random((n, U.N))
    return call, np.full(n, job_type_idx), x, y, u, np.full(n, extra)


def generate_jobs(scenario: Scenario, stream: Callable[[str], np.random.Generator]) -> Jobs:
    """Draw every call of the horizon; ``stream(name)`` returns that source's Generator.

    ``scenario`` must be resolved (no uncertain values left).
    """
    parts = []
    base_scale = float(scenario.dispatch.rate_factor)
    for idx, jt in enumerate(scenario.dispatch.job_types):
        rates = _rates(jt, scenario, base_scale)
        parts.append(_draw(stream(f"jobs:{jt.id}"), rates, idx, scenario, extra=False))
        multiplier = demand_multiplier(scenario, jt)
        if multiplier > 1:
            extra_rates = rates * (multiplier - 1.0)
            parts.append(_draw(stream(f"jobs-extra:{jt.id}"), extra_rates, idx, scenario, True))
    call, type_idx, x, y, u, extra = (np.concatenate(cols) for cols in zip(*parts, strict=True))
    parent = np.full(call.size, -1)
    referral = np.zeros(call.size, bool)
    if scenario.customers is not None:
        call, type_idx, x, y, u, extra, parent, referral = _descendants(
            scenario, stream, call, type_idx, x, y, u, extra
        )
    order = np.argsort(call, kind="stable")
    order = order[call[order] < scenario.n_days * DAY]
    position = np.full(call.size + 1, -1)  # old index -> new index (last slot maps -1 to -1)
    position[order] = np.arange(order.size)
    return Jobs(
        call[order],
        type_idx[order],
        x[order],
        y[order],
        u[order],
        extra[order],
        position[parent[order]],
        referral[order],
    )


def _descendants(
    scenario: Scenario,
    stream: Callable[[str], np.random.Generator],
    *cols: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Append each job's potential repeat or referral call, generation by generation.

    A potential call is placed at the parent's call time plus the segment's ``return_after``
    (drawn from the parent's own uniform) and has a job type of the same segment chosen in
    proportion to base demand. It is a referral with probability
    ``referral_prob / (repeat_prob + referral_prob)`` (a new customer somewhere else in the
    area), else the same customer at the same address. Whether it happens
    is decided during the run, when the parent job ends and its customer is (or is not)
    satisfied. Everything is drawn here, identically for every variant.
    """
    customers = scenario.customers
    types = scenario.dispatch.job_types
    horizon = scenario.n_days * DAY
    p_any = np.array(
        [
            float(
                customers.loyalty(t.segment).repeat_prob
                + customers.loyalty(t.segment).referral_prob
            )
            for t in types
        ]
    )
    referral_share = np.array(
        [
            float(customers.loyalty(t.segment).referral_prob) / p if p > 0 else 0.0
            for t, p in zip(types, p_any, strict=True)
        ]
    )
    area = scenario.dispatch.area
    call, type_idx, x, y, u, _ = cols
    rows = [[*cols, np.full(call.size, -1), np.zeros(call.size, bool)]]
    last = np.arange(call.size)
    offset = call.size
    for generation in range(1, customers.generations + 1):
        prev_call, prev_type, prev_u = call[last], type_idx[last], u[last]
        delay = np.full(last.size, np.inf)
        for idx, t in enumerate(types):
            mask = prev_type == idx
            delay[mask] = customers.loyalty(t.segment).return_after.ppf(prev_u[mask, U.RETURN])
        child_call = prev_call + delay
        keep = (p_any[prev_type] > 0) & (child_call < horizon)
        parents = last[keep]
        rng = stream(f"customers:generation{generation}")
        m = parents.size
        child_type = _same_segment_type(scenario, type_idx[parents], rng.random(m))
        child_u = rng.random((m, U.N))
        referred = rng.random(m) < referral_share[type_idx[parents]]
        elsewhere_x = rng.random(m) * float(area.width_km)
        elsewhere_y = rng.random(m) * float(area.height_km)
        child = (
            child_call[keep],
            child_type,
            np.where(referred, elsewhere_x, x[parents]),
            np.where(referred, elsewhere_y, y[parents]),
            child_u,
            np.zeros(m, bool),
            parents,
            referred,
        )
        rows.append(list(child))
        call = np.concatenate([call, child[0]])
        type_idx = np.concatenate([type_idx, child_type])
        x, y = np.concatenate([x, child[2]]), np.concatenate([y, child[3]])
        u = np.concatenate([u, child[4]])
        last = offset + np.arange(m)
        offset += m
    merged = [np.concatenate(parts) for parts in zip(*rows, strict=True)]
    return tuple(merged)


def _same_segment_type(scenario: Scenario, parent_type: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """A job type of the parent's segment, in proportion to the types' base demand."""
    types = scenario.dispatch.job_types
    out = parent_type.copy()
    for segment in scenario.dispatch.segments:
        members = [i for i, t in enumerate(types) if t.segment == segment]
        weights = np.array([float(types[i].rate_per_day) for i in members])
        if weights.sum() <= 0:
            continue
        cum = np.cumsum(weights / weights.sum())
        mask = np.isin(parent_type, members)
        choice = np.minimum(np.searchsorted(cum, pick[mask], side="right"), len(members) - 1)
        out[mask] = np.asarray(members)[choice]
    return out
