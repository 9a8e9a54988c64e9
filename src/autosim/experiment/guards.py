"""Scale guards: refuse runs whose size is absurd before they eat the machine.

A typo such as ``rate_per_day: 1e12`` would make the demand generator try to allocate a trillion
calls. Before anything runs, the expected number of calls per replication is estimated from the
scenario (at the top of every uncertain range, with every automation's extra demand and the
customers' follow-up calls) and compared with a limit the user can raise knowingly.
"""

from __future__ import annotations

from autosim.errors import RunError
from autosim.scenario.fields import Uncertain
from autosim.scenario.schema import Scenario

__all__ = ["DEFAULT_MAX_JOBS", "check_size", "expected_jobs"]

#: Calls per replication above which a run is refused unless the limit is raised.
DEFAULT_MAX_JOBS = 2_000_000


def _high(value: float | Uncertain) -> float:
    """A value, or the 99.9th percentile of an uncertain one."""
    return float(value.dist.ppf(0.999)) if isinstance(value, Uncertain) else float(value)


def expected_jobs(scenario: Scenario) -> float:
    """Upper estimate of the calls one replication will generate (all variants alike)."""
    days = scenario.n_days
    base_factor = _high(scenario.dispatch.rate_factor)
    total = 0.0
    for jt in scenario.dispatch.job_types:
        growth = max(1.0, (1.0 + _high(jt.growth_per_year)) ** (days / 365.0))
        extra = 1.0
        for auto in scenario.automations:
            factor = auto.effects.get("dispatch.rate_factor")
            if factor is not None:
                extra *= max(1.0, _high(factor))
        total += _high(jt.rate_per_day) * days * growth * extra * base_factor
    if scenario.customers is not None:
        loyalty = [scenario.customers.loyalty(j.segment) for j in scenario.dispatch.job_types]
        p = max(_high(x.repeat_prob) + _high(x.referral_prob) for x in loyalty)
        total *= sum(min(p, 1.0) ** g for g in range(scenario.customers.generations + 1))
    return total


def check_size(scenario: Scenario, max_jobs: int | None = None) -> float:
    """Raise a RunError naming the estimate and the override when a replication is too big."""
    limit = DEFAULT_MAX_JOBS if max_jobs is None else max_jobs
    estimate = expected_jobs(scenario)
    if estimate > limit:
        raise RunError(
            f"{scenario.name}: one replication would generate about {estimate:,.0f} calls "
            f"(limit {limit:,}); check the rates (rate_per_day is per day), or raise the limit "
            "knowingly with --max-jobs (CLI) or max_jobs= (Python)"
        )
    return estimate
