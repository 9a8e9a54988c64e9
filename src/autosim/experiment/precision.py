"""Precision on demand: add replications until the answer is known well enough.

"How many replications?" has an honest answer only after looking at the spread: a quiet
business needs a few dozen, a decision between two close automations needs thousands. So the
experiment runs a first batch, measures the 95% interval of the quantity the analyst cares
about, and adds batches (sized from the square-root law) until the interval is narrow enough or
the budget of replications is spent. Replication ``r`` is a pure function of (scenario, seed,
r), so a run that stopped at N replications gives exactly the numbers of a fixed run of N.

Stopping rules (``on``):

``mean``
    relative half-width of the mean of ``output`` (ROI by default), every variant that has it;
``p_positive``
    half-width (in probability, e.g. 0.05 = 5 points) of P(``output`` > 0), e.g. P(NPV > 0);
``p_goal``
    half-width of P(goal met) for every goal and variant (needs a strategy);
``difference``
    relative half-width of the paired difference in ``output`` between the best automation and
    each other one (is the best really better, and by how much);
``ranking``
    the ranking of automations by mean ``output`` is settled: every pair of neighbours is
    either separated (paired interval excludes 0) or a practical tie (interval within
    ``target`` x |best mean|).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from autosim.errors import RunError
from autosim.scenario.goals import goal_met
from autosim.stats import mean_ci, wilson_interval

__all__ = ["STOP_ON", "Precision", "assess", "next_size"]

#: The stopping rules, in the order the CLI lists them.
STOP_ON = ("mean", "p_positive", "p_goal", "difference", "ranking")

#: Growth of one batch at most (x the replications so far), so a noisy early estimate of the
#: needed size cannot spend the whole budget at once.
MAX_GROWTH = 4.0


@dataclass(frozen=True)
class Precision:
    """What "precise enough" means: ``target`` half-width of ``on`` for ``output``."""

    target: float = 0.05
    output: str = "roi"
    on: str = "mean"
    max_replications: int = 10_000

    def __post_init__(self) -> None:
        if self.on not in STOP_ON:
            raise RunError(f"precision: unknown stopping rule {self.on!r} (one of {STOP_ON})")
        if not (0 < self.target < 1 if self.on.startswith("p_") else self.target > 0):
            allowed = "between 0 and 1 (probability points)" if self.on.startswith("p_") else "> 0"
            raise RunError(f"precision: target must be {allowed} (got {self.target})")
        if self.max_replications < 2:
            raise RunError(f"--max-replications must be >= 2 (got {self.max_replications})")

    def describe(self) -> str:
        """One line for manifests and messages."""
        unit = (
            f"{self.target:g} (probability)"
            if self.on.startswith("p_")
            else f"{self.target * 100:g}%"
        )
        return (
            f"until the 95% half-width of {self.on} of {self.output} is within {unit}, "
            f"at most {self.max_replications} replications"
        )


def _relative(lo: float, hi: float, centre: float) -> float:
    """Half-width over |centre| (infinite when the centre is 0 or the interval undefined)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return math.inf
    half = (hi - lo) / 2
    return half / abs(centre) if centre else (0.0 if half == 0 else math.inf)


def _column(rows: pd.DataFrame, output: str) -> np.ndarray:
    if output not in rows:
        raise RunError(
            f"precision: no output {output!r} in the results (e.g. roi, npv, or a KPI column "
            "listed by `autosim kpis`)"
        )
    return rows.sort_values("replication")[output].to_numpy(float)


def _by_variant(rows: pd.DataFrame, output: str) -> dict[str, np.ndarray]:
    """Per variant with a defined ``output`` (ROI exists only against the baseline)."""
    out = {}
    for vid, group in rows.groupby("variant", sort=False):
        values = _column(group, output)
        if np.isfinite(values).sum() >= 2:
            out[str(vid)] = values
    if not out:
        raise RunError(f"precision: {output!r} is undefined in every variant")
    return out


def _mean_rule(values: dict[str, np.ndarray], target: float) -> dict[str, dict[str, float]]:
    status = {}
    for vid, x in values.items():
        lo, hi = mean_ci(x)
        mean = float(np.mean(x[np.isfinite(x)]))
        status[vid] = {"estimate": mean, "half_width": (hi - lo) / 2}
        status[vid]["achieved"] = _relative(lo, hi, mean)
    return status


def _proportion(hits: np.ndarray) -> dict[str, float]:
    lo, hi = wilson_interval(int(hits.sum()), len(hits))
    return {"estimate": float(hits.mean()), "half_width": (hi - lo) / 2, "achieved": (hi - lo) / 2}


def _goal_rule(rows: pd.DataFrame, strategy: Any) -> dict[str, dict[str, float]]:

    if strategy is None:
        raise RunError("precision on p_goal needs a strategy section with goals in the scenario")
    ordered = rows.sort_values(["variant", "replication"])
    baseline = ordered[ordered["variant"] == "baseline"]
    status = {}
    for vid, group in ordered.groupby("variant", sort=False):
        for goal in strategy.goals:
            hits = goal_met(goal, group, baseline)
            status[f"{vid}/{goal.id}"] = _proportion(hits)
    return status


def _paired(values: dict[str, np.ndarray], a: str, b: str) -> tuple[float, float, float]:
    diff = values[a] - values[b]
    lo, hi = mean_ci(diff)
    return float(np.nanmean(diff)), lo, hi


def _difference_rule(values: dict[str, np.ndarray], target: float, ranking: bool):
    order = sorted(values, key=lambda v: float(np.nanmean(values[v])), reverse=True)
    best_mean = abs(float(np.nanmean(values[order[0]])))
    status = {}
    pairs = pairwise(order) if ranking else ((order[0], o) for o in order[1:])
    for a, b in pairs:
        mean, lo, hi = _paired(values, a, b)
        entry = {"estimate": mean, "half_width": (hi - lo) / 2}
        if ranking:
            separated = lo > 0 or hi < 0
            tie = math.isfinite(lo) and max(abs(lo), abs(hi)) <= target * best_mean
            # The half-width as a share of the gap (or of the tie band) says how close it is.
            gap = max(abs(mean), target * best_mean) or math.inf
            entry["achieved"] = 0.0 if separated or tie else entry["half_width"] / gap
        else:
            entry["achieved"] = _relative(lo, hi, mean)
        status[f"{a} - {b}"] = entry
    return status, order


def assess(precision: Precision, rows: pd.DataFrame, strategy: Any = None) -> dict[str, Any]:
    """How precise the answer is now: per quantity its estimate, half-width and whether met.

    ``rows`` are the replications frame so far. ``achieved`` is on the scale of the target
    (relative half-width, or probability points); for ``ranking`` it is 0 once a pair is
    settled and must reach 0, i.e. the target there is the tie tolerance.
    """
    target = precision.target
    ranking: list[str] | None = None
    if precision.on == "mean":
        status = _mean_rule(_by_variant(rows, precision.output), target)
    elif precision.on == "p_positive":
        values = _by_variant(rows, precision.output)
        status = {v: _proportion(x[np.isfinite(x)] > 0) for v, x in values.items()}
    elif precision.on == "p_goal":
        status = _goal_rule(rows, strategy)
    else:
        values = _by_variant(rows[rows["variant"] != "baseline"], precision.output)
        if len(values) < 2:
            raise RunError(f"precision on {precision.on} needs two or more automations")
        status, ranking = _difference_rule(values, target, precision.on == "ranking")
    limit = 0.0 if precision.on == "ranking" else target
    for entry in status.values():
        entry["met"] = bool(entry["achieved"] <= limit)
    out: dict[str, Any] = {
        "on": precision.on,
        "output": precision.output,
        "target": target,
        "met": all(e["met"] for e in status.values()),
        "replications": int(rows["replication"].nunique()),
        "quantities": status,
    }
    if ranking is not None:
        out["ranking"] = ranking
    return out


def next_size(precision: Precision, status: dict[str, Any]) -> int:
    """Replications for the next look: the square-root law on the worst quantity, capped.

    Half-widths shrink like 1/sqrt(n), so reaching ``target`` from ``achieved`` takes
    n x (achieved / target)^2; 10% is added so the next look usually suffices, growth is capped
    at x4 per batch and the budget is never exceeded.
    """
    n = status["replications"]
    worst = max((e["achieved"] for e in status["quantities"].values() if not e["met"]), default=0.0)
    if precision.on == "ranking":
        # Settling a pair: its half-width must fall below the gap, i.e. below 1 on this scale.
        ratio = worst if worst > 0 else 1.0
        wanted = n * max(ratio, 1.0) ** 2 * 1.1
    elif math.isfinite(worst) and worst > 0:
        wanted = n * (worst / precision.target) ** 2 * 1.1
    else:
        wanted = n * MAX_GROWTH
    grown = min(max(math.ceil(wanted), n + max(2, n // 4)), math.ceil(n * MAX_GROWTH))
    return int(min(grown, precision.max_replications))
