"""Who calls, and when: the replication's job table, drawn before the simulation runs.

Every variant of a replication must see the same customers (common random numbers), so calls and
everything about each job that does not depend on how the business works — where it is, how long
the repair takes, what it pays, how patient the customer is — are drawn up front, vectorised,
from the job type's own random stream. Each job also carries a row of uniforms that later stages
turn into values by inverse transform; an automation that changes a distribution then changes
the value, not the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autosim.scenario.schema import Automation, JobType, Scenario
from autosim.timetable import DAY

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
    # 14..15 are reserved for parts and customers.
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


def generate_jobs(scenario: Scenario, stream: callable) -> Jobs:
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
    order = np.argsort(call, kind="stable")
    keep = call[order] < scenario.n_days * DAY
    order = order[keep]
    return Jobs(call[order], type_idx[order], x[order], y[order], u[order], extra[order])
