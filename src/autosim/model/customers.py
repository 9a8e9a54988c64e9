"""Customers who come back — or don't: repeat and referral demand driven by experience.

A satisfied customer calls again (or sends a neighbour) some months later; a disappointed one
does not. Satisfaction starts at 1 and loses a penalty for a late arrival (later than the
segment expects), for an invoice that had to be re-issued, and for an impersonal contact in a
segment that values personal service. This is how an automation that saves money but erodes the
human touch shows up as lost growth rather than as a line in a spreadsheet.

The potential follow-up calls are drawn up front with the replication's customers (see
:mod:`autosim.model.demand`); here we compute, per job, the chance that its follow-up happens, and
read the customer KPIs off the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autosim.kpis import column
from autosim.model.automation import AutomatedPaths
from autosim.model.demand import Jobs, U
from autosim.model.timetable import DAY
from autosim.scenario.schema import Scenario

__all__ = ["FollowUps", "customer_kpis", "follow_ups"]

GROWTH_WINDOW_DAYS = 90


@dataclass(frozen=True)
class FollowUps:
    """Per job (of the active subset): its potential follow-up and the chances it happens."""

    child: np.ndarray
    expect_by: np.ndarray
    p_on_time: np.ndarray
    p_late: np.ndarray
    satisfaction_on_time: np.ndarray
    late_penalty: float

    def subset(self, mask: np.ndarray) -> FollowUps:
        """The jobs where ``mask`` holds (follow-up links are not kept: the run is over)."""
        return FollowUps(
            np.full(int(mask.sum()), -1),
            self.expect_by[mask],
            self.p_on_time[mask],
            self.p_late[mask],
            self.satisfaction_on_time[mask],
            self.late_penalty,
        )


def follow_ups(
    scenario: Scenario, jobs: Jobs, paths: AutomatedPaths, rows: np.ndarray, sub: Jobs
) -> FollowUps:
    """Chances of a follow-up for every job in ``rows`` (``sub`` = those jobs, renumbered)."""
    customers = scenario.customers
    types = scenario.dispatch.job_types
    n = len(sub)
    loyalty = [customers.loyalty(t.segment) for t in types]
    p_any = np.array([float(x.repeat_prob + x.referral_prob) for x in loyalty])[sub.type_idx]
    values_personal = np.array([float(x.values_personal_service) for x in loyalty])[sub.type_idx]
    expect = np.array(
        [
            float(x.response_expectation)
            if x.response_expectation is not None
            else (t.response_target if t.response_target is not None else np.inf)
            for x, t in zip(loyalty, types, strict=True)
        ]
    )[sub.type_idx]
    touch = paths.mix("customers.personal_touch", lambda v: np.full(len(jobs), v))[rows]
    if scenario.invoicing is not None:
        rate = paths.mix("invoicing.error_rate", lambda v: np.full(len(jobs), v))[rows]
        invoice_error = sub.u[:, U.INVOICE_ERROR] < rate
    else:
        invoice_error = np.zeros(n, bool)
    satisfaction = (
        1.0
        - float(customers.invoice_error_penalty) * invoice_error
        - float(customers.impersonal_penalty) * values_personal * (1.0 - touch)
    )
    late_penalty = float(customers.late_penalty)
    child = np.full(n, -1)
    has_parent = sub.parent >= 0
    child[sub.parent[has_parent]] = np.flatnonzero(has_parent)
    return FollowUps(
        child=child,
        expect_by=sub.call + expect,
        p_on_time=p_any * np.clip(satisfaction, 0.0, 1.0),
        p_late=p_any * np.clip(satisfaction - late_penalty, 0.0, 1.0),
        satisfaction_on_time=satisfaction,
        late_penalty=late_penalty,
    )


def customer_kpis(
    scenario: Scenario,
    sub: Jobs,
    follow: FollowUps | None,
    arrive: np.ndarray,
    completed: np.ndarray,
    groups: list[tuple[str | None, str | None, np.ndarray]],
    window: np.ndarray,
) -> dict[str, float]:
    """Repeat calls, satisfaction and growth of completed jobs, overall and per group.

    ``sub`` and the arrays are the jobs that happened; ``window`` selects the jobs the KPIs
    are about (the KPI window or a goal's period). Growth always compares completed jobs
    called in the last 90 days of the horizon with those called in the first 90 days after
    the warm-up.
    """
    horizon = scenario.n_days * DAY
    if follow is None:  # no customer model: growth comes from demand alone
        satisfaction = np.full(len(sub), np.nan)
    else:
        late = arrive > follow.expect_by
        satisfaction = np.clip(follow.satisfaction_on_time - follow.late_penalty * late, 0, 1)
    span = GROWTH_WINDOW_DAYS * DAY
    early = (sub.call >= scenario.warmup) & (sub.call < scenario.warmup + span)
    recent = sub.call >= horizon - span
    out: dict[str, float] = {}
    for by, value, mask in groups:
        called = mask & window
        done = called & completed
        first = (mask & early & completed).sum()
        last = (mask & recent & completed).sum()
        returning = called & sub.potential & ~sub.is_referral
        out[column("repeat_jobs", by, value)] = float(returning.sum())
        out[column("referral_jobs", by, value)] = float((called & sub.is_referral).sum())
        out[column("repeat_share", by, value)] = (
            float(returning.sum() / called.sum()) if called.any() else np.nan
        )
        out[column("satisfaction_mean", by, value)] = (
            float(satisfaction[done].mean()) if done.any() and follow is not None else np.nan
        )
        out[column("jobs_growth", by, value)] = float(last / first - 1.0) if first else np.nan
    return out
