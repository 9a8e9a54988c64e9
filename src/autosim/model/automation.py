"""Automations at work: when they go live, who actually uses them, and what changes per job.

An automation is bought on day 0 (or at its phase start in a roadmap), goes live after its
implementation time, and is then used for a growing share of events: the adoption ramps
linearly to its realised level, because people keep phoning the office out of habit for a
while. Each event draws from the automation's own uniform stream, so the same calls are
automated in every variant that contains the automation, and a call's automated path is decided
once, whatever else the variant changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autosim.model.demand import Jobs, U, applies_to_type, demand_multiplier
from autosim.scenario.effects import get_param, override
from autosim.scenario.schema import Automation, Scenario

__all__ = ["AutomatedPaths", "adoption_share", "automated_paths", "bought_at"]


def adoption_share(auto: Automation, t: np.ndarray) -> np.ndarray:
    """Share of events at time ``t`` (minutes) that use the automation."""
    live = float(auto.costs.implementation)
    ramp = float(auto.adoption.ramp)
    level = float(auto.adoption.level)
    since = np.asarray(t, dtype=float) - live
    if ramp <= 0:
        return np.where(since >= 0, level, 0.0)
    return level * np.clip(since / ramp, 0.0, 1.0)


@dataclass(frozen=True)
class AutomatedPaths:
    """For one variant of one replication: which jobs exist and which take automated paths."""

    base: Scenario
    scenarios: tuple[Scenario, ...]  # the base with each automation's effects applied
    automations: tuple[Automation, ...]
    masks: tuple[np.ndarray, ...]  # per automation: job uses its automated path
    active: np.ndarray  # job exists in this variant
    starts: tuple[float, ...] = ()  # purchase time (minutes) per automation; () = all on day 0

    def mix(self, path: str, to_array: Callable[[Any], np.ndarray]) -> np.ndarray:
        """Per-job value of a parameter: the base value, or an automation's where it is used.

        Later automations in a bundle win where two change the same parameter.
        """
        base_value = get_param(self.base, path)
        out = to_array(base_value)
        for scenario, mask in zip(self.scenarios, self.masks, strict=True):
            value = get_param(scenario, path)
            if value != base_value and mask.any():
                out = np.where(mask, to_array(value), out)
        return out

    def transactions(self) -> list[int]:
        """Events that used each automation (for per-transaction fees)."""
        return [int((m & self.active).sum()) for m in self.masks]


def _with_effects(scenario: Scenario, auto: Automation) -> Scenario:
    for path, value in auto.effects.items():
        scenario = override(scenario, path, value)
    return scenario


def _type_scope(scenario: Scenario, auto: Automation) -> np.ndarray:
    return np.array([applies_to_type(auto, jt) for jt in scenario.dispatch.job_types])


def bought_at(auto: Automation, start: float) -> Automation:
    """The automation as bought ``start`` minutes in: implementation (so go-live) moves along.

    Everything that reads go-live (adoption here, whole-shelf switches in the stock room) then
    follows the purchase date without knowing about roadmaps.
    """
    if start == 0:
        return auto
    live = float(auto.costs.implementation) + start
    costs = auto.costs.model_copy(update={"implementation": live})
    return auto.model_copy(update={"costs": costs})


def automated_paths(
    scenario: Scenario,
    jobs: Jobs,
    automation_ids: Sequence[str],
    stream: Callable[[str], np.random.Generator],
    starts: Sequence[float] = (),
) -> AutomatedPaths:
    """Decide, for one variant, which calls exist and which use each automation.

    ``starts`` gives each automation's purchase time in minutes (a roadmap); empty means all
    are bought on day 0. The adoption draws do not depend on it (common random numbers).
    """
    starts = tuple(float(s) for s in starts) or (0.0,) * len(automation_ids)
    autos = tuple(
        bought_at(scenario.automation(a), s) for a, s in zip(automation_ids, starts, strict=True)
    )
    masks = []
    keep_base = np.ones(len(jobs))
    extra_rate = np.ones(len(jobs))
    for auto in autos:
        u_adopt = stream(f"adopt:{auto.id}").random(len(jobs))
        share = adoption_share(auto, jobs.call)
        in_scope = _type_scope(scenario, auto)[jobs.type_idx]
        masks.append((u_adopt < share) & in_scope)
        factor = auto.effects.get("dispatch.rate_factor")
        if factor is not None:
            f = float(factor)
            scoped_share = share * in_scope
            if f > 1:
                extra_rate *= 1.0 + scoped_share * (f - 1.0)
            elif f < 1:
                keep_base *= 1.0 - scoped_share * (1.0 - f)
    max_rate = np.array([demand_multiplier(scenario, jt) for jt in scenario.dispatch.job_types])
    max_rate = max_rate[jobs.type_idx]
    keep_extra = np.divide(
        extra_rate - 1.0, max_rate - 1.0, out=np.zeros(len(jobs)), where=max_rate > 1
    )
    u_keep = jobs.u[:, U.KEEP]
    active = np.where(jobs.extra, u_keep < keep_extra, u_keep < keep_base)
    # A base job is kept with probability keep_base; u_keep < 1 always, so 1.0 keeps all.
    return AutomatedPaths(
        base=scenario,
        scenarios=tuple(_with_effects(scenario, a) for a in autos),
        automations=autos,
        masks=tuple(masks),
        active=active,
        starts=starts,
    )
