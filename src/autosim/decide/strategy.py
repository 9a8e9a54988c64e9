"""Goals, attainment and alignment verdicts: is an automation worth it *for this business*?

Each replication either meets a goal or not, so a variant's P(goal met) is a proportion (with a
Wilson interval) and an automation's effect on a goal is a paired difference of proportions
against the baseline of the same replications (with Newcombe's interval for paired data). An
automation is then judged only by what it measurably does to the goals the business set itself:

* ``aligned`` — improves at least one goal beyond noise and by at least ``min_effect``, harms none;
* ``detrimental`` — harms at least one goal beyond noise and by at least ``min_effect``;
* ``misaligned`` — its effect on every goal is confidently smaller than ``min_effect``,
  whatever its ROI;
* ``inconclusive`` — the replications cannot tell yet; the verdict says roughly how many would.

Explanations are sentences assembled from these numbers, never hand-written labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from autosim.scenario.goals import Goal, Strategy, goal_met
from autosim.stats import mean_ci, wilson_interval

__all__ = [
    "GoalEffect",
    "Verdict",
    "evaluate_strategy",
    "goal_met",
    "judge",
    "key_goals",
    "newcombe_paired_interval",
]


def newcombe_paired_interval(
    both: int, only_first: int, only_second: int, neither: int, level: float = 0.95
) -> tuple[float, float]:
    """Interval for p1 - p2 of paired proportions (Newcombe 1998, method 10).

    Built from the Wilson intervals of both proportions and the correlation of the pairs, so it
    stays honest with few replications and when every pair agrees (where a t-interval would
    collapse to a point).
    """
    n = both + only_first + only_second + neither
    if n == 0:
        return (float("nan"), float("nan"))
    p1 = (both + only_first) / n
    p2 = (both + only_second) / n
    l1, u1 = wilson_interval(both + only_first, n, level)
    l2, u2 = wilson_interval(both + only_second, n, level)
    denom = (both + only_first) * (only_second + neither) * (both + only_second)
    denom *= only_first + neither
    phi = (both * neither - only_first * only_second) / math.sqrt(denom) if denom > 0 else 0.0
    delta = p1 - p2
    lower = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    upper = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return (max(-1.0, delta - lower), min(1.0, delta + upper))


@dataclass(frozen=True)
class GoalEffect:
    """An automation's effect on one goal, against the baseline of the same replications."""

    goal: Goal
    p_base: float
    p_variant: float
    ci_variant: tuple[float, float]
    delta: float
    ci_delta: tuple[float, float]
    n: int
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # both, only variant, only baseline, neither

    def improves(self, min_effect: float) -> bool:
        """Better beyond noise (interval above 0) and by at least ``min_effect``."""
        return self.ci_delta[0] > 0 and self.delta >= min_effect

    def harms(self, min_effect: float) -> bool:
        """Worse beyond noise and by at least ``min_effect``."""
        return self.ci_delta[1] < 0 and self.delta <= -min_effect

    def negligible(self, min_effect: float) -> bool:
        """Confidently smaller than ``min_effect`` either way."""
        return self.ci_delta[0] > -min_effect and self.ci_delta[1] < min_effect


@dataclass(frozen=True)
class Verdict:
    """The judgement of one automation, with the numbers behind it."""

    verdict: str
    explanation: str
    effects: tuple[GoalEffect, ...]
    impact: float
    impact_ci: tuple[float, float]
    replications_needed: int | None = None
    constraints: dict[str, Any] = field(default_factory=dict)


def _decided(e: GoalEffect, min_effect: float) -> bool:
    return e.improves(min_effect) or e.harms(min_effect) or e.negligible(min_effect)


def _replications_needed(effects: list[GoalEffect], n: int, min_effect: float) -> int | None:
    """Replications at which every undecided goal would be decided, if the observed shares held.

    The paired counts are scaled up (same proportions) until each goal's interval either
    clears ``min_effect`` or fits inside it; None when even 1000 times more would not do.
    """
    for factor in (1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256, 512, 1000):
        scaled = []
        for e in effects:
            counts = [round(c * factor) for c in e.counts]
            ci = newcombe_paired_interval(*counts)
            scaled.append(replace(e, ci_delta=ci, n=sum(counts)))
        if all(_decided(e, min_effect) for e in scaled):
            return math.ceil(n * factor)
    return None


def judge(
    automation_id: str,
    effects: list[GoalEffect],
    min_effect: float,
    roi_mean: float | None = None,
) -> tuple[str, str, int | None]:
    """Verdict, plain-language explanation and (when inconclusive) replications needed."""
    improved = [e for e in effects if e.improves(min_effect)]
    harmed = [e for e in effects if e.harms(min_effect)]
    undecided = [e for e in effects if e not in improved + harmed and not e.negligible(min_effect)]
    n = effects[0].n if effects else 0
    if harmed:
        text = f"{automation_id} lowers the chance that " + ", and that ".join(
            _change(e) for e in harmed
        )
        if improved:
            text += ", even though it raises the chance that " + ", and that ".join(
                _change(e) for e in improved
            )
        return "detrimental", text + ".", None
    if improved:
        text = f"{automation_id} raises the chance that " + ", and that ".join(
            _change(e) for e in improved
        )
        rest = [e for e in effects if e not in improved]
        if rest:
            text += "; it does not measurably change " + _goal_list(rest)
        return "aligned", text + ".", None
    if undecided:
        needed = _replications_needed(undecided, n, min_effect)
        settle = (
            f"about {needed} replications would settle it"
            if needed
            else "its effect is too close to the smallest change that counts to settle"
        )
        text = (
            f"With {n} replications it cannot be told whether {automation_id} changes "
            + _goal_list(undecided)
            + f"; {settle}."
        )
        return "inconclusive", text, needed
    largest = max(effects, key=lambda e: abs(e.delta))
    roi = f", although its ROI is {roi_mean:+.0%}" if roi_mean is not None else ""
    text = (
        f"{automation_id} moves none of the business's goals beyond noise (largest change: "
        f"{largest.delta * 100:+.0f} points on whether {largest.goal.text()}){roi}."
    )
    return "misaligned", text, None


def _change(e: GoalEffect) -> str:
    return f"{e.goal.text()} from {e.p_base:.0%} to {e.p_variant:.0%}"


def _goal_list(effects: list[GoalEffect]) -> str:
    return " or ".join(f"whether {e.goal.text()}" for e in effects)


def paired_counts(met_v: np.ndarray, met_b: np.ndarray) -> tuple[int, int, int, int]:
    """Replications where both, only the variant, only the baseline, neither met a goal."""
    return (
        int((met_v & met_b).sum()),
        int((met_v & ~met_b).sum()),
        int((~met_v & met_b).sum()),
        int((~met_v & ~met_b).sum()),
    )


def _effects(strategy: Strategy, rows: pd.DataFrame, base: pd.DataFrame) -> list[GoalEffect]:
    out = []
    for goal in strategy.goals:
        met_v = goal_met(goal, rows, base)
        met_b = goal_met(goal, base, base)
        n = int(met_v.size)
        counts = paired_counts(met_v, met_b)
        out.append(
            GoalEffect(
                goal=goal,
                p_base=float(met_b.mean()) if n else float("nan"),
                p_variant=float(met_v.mean()) if n else float("nan"),
                ci_variant=wilson_interval(int(met_v.sum()), n),
                delta=float(met_v.mean() - met_b.mean()) if n else float("nan"),
                ci_delta=newcombe_paired_interval(*counts),
                n=n,
                counts=counts,
            )
        )
    return out


def _constraints(strategy: Strategy, rows: pd.DataFrame) -> dict[str, Any]:
    """Does the automation fit the budget, the payback limit and the minimum cash balance?"""
    c = strategy.constraints
    checks: dict[str, Any] = {}
    level = float(c.confidence)

    def check(name: str, limit: float | None, values: np.ndarray, holds: np.ndarray) -> None:
        if limit is None:
            return
        share = float(holds.mean()) if holds.size else float("nan")
        checks[name] = {
            "limit": float(limit),
            "median": float(np.median(values)) if values.size else None,
            "p_holds": share,
            "fits": bool(share >= level),
        }

    upfront = rows["automation_upfront"].to_numpy(float)
    budget = None if c.budget_upfront is None else float(c.budget_upfront)
    check("budget_upfront", budget, upfront, upfront <= (budget or 0.0))
    payback = rows["payback_months"].to_numpy(float)
    limit = None if c.max_payback_months is None else float(c.max_payback_months)
    check("max_payback_months", limit, payback, payback <= (limit or 0.0))
    cash = rows["min_cash_balance"].to_numpy(float)
    floor = None if c.min_cash_balance is None else float(c.min_cash_balance)
    check("min_cash_balance", floor, cash, cash >= (floor or 0.0))
    if "min_cash_balance" in checks and "cash_floor_day" in rows:
        from autosim.decide.roadmap import breach_summary

        checks["min_cash_balance"]["breach"] = breach_summary(rows["cash_floor_day"].to_numpy())
    return checks


def key_goals(strategy: Strategy) -> tuple[Goal, ...]:
    """The goals that weigh most (every goal when all weights are equal).

    "P(all key goals met)" asks for the goals the owner cares most about at once, in the same
    replication; goals with a lower weight are nice to have and do not count.
    """
    top = max(float(g.weight) for g in strategy.goals)
    return tuple(g for g in strategy.goals if float(g.weight) == top)


def _key_goals_met(
    strategy: Strategy, rows: pd.DataFrame, base: pd.DataFrame, is_automation: bool
) -> dict[str, Any]:
    """P(all key goals met in the same replication), with its change against the baseline."""
    goals = key_goals(strategy)
    met_v = np.all([goal_met(g, rows, base) for g in goals], axis=0)
    met_b = np.all([goal_met(g, base, base) for g in goals], axis=0)
    n = int(met_v.size)
    counts = paired_counts(met_v, met_b)
    return {
        "goals": [g.id for g in goals],
        "p_met": float(met_v.mean()) if n else None,
        "ci95": list(wilson_interval(int(met_v.sum()), n)),
        "delta_vs_baseline": float(met_v.mean() - met_b.mean()) if n and is_automation else None,
        "delta_ci95": list(newcombe_paired_interval(*counts)) if is_automation else None,
    }


def _columns_read(strategy: Strategy, replications: pd.DataFrame) -> list[str]:
    """The columns goals, verdicts and constraints read: a large run's frame has hundreds."""
    wanted = ["variant", "replication", "roi", "automation_upfront", "payback_months"]
    wanted += ["min_cash_balance", "cash_floor_day"]
    wanted += [cond.column() for goal in strategy.goals for cond in goal.all]
    return [c for c in dict.fromkeys(wanted) if c in replications.columns]


def evaluate_strategy(
    strategy: Strategy, replications: pd.DataFrame, variants: list[tuple[str, bool]]
) -> dict[str, dict[str, Any]]:
    """Goals, impact score, verdict and constraints for every variant.

    ``variants`` lists ``(variant_id, is_automation)`` in order; the first is the baseline.
    Returns ``{variant_id: {"goals": {...}, "impact_score": ..., "verdict": ..., ...}}``.
    """
    base_id = variants[0][0]
    replications = replications[_columns_read(strategy, replications)]  # not every KPI
    base = replications[replications["variant"] == base_id].sort_values("replication")
    weights = np.array([float(g.weight) for g in strategy.goals])
    out: dict[str, dict[str, Any]] = {}
    for variant_id, is_automation in variants:
        rows = replications[replications["variant"] == variant_id].sort_values("replication")
        effects = _effects(strategy, rows.reset_index(drop=True), base.reset_index(drop=True))
        entry: dict[str, Any] = {
            "goals": {
                e.goal.id: {
                    "description": e.goal.text(),
                    "p_met": e.p_variant,
                    "ci95": list(e.ci_variant),
                    "delta_vs_baseline": e.delta if is_automation else None,
                    "delta_ci95": list(e.ci_delta) if is_automation else None,
                }
                for e in effects
            },
            "key_goals": _key_goals_met(
                strategy, rows.reset_index(drop=True), base.reset_index(drop=True), is_automation
            ),
        }
        if is_automation:
            met_v = np.array([goal_met(g, rows, base) for g in strategy.goals], float)
            met_b = np.array([goal_met(g, base, base) for g in strategy.goals], float)
            score = weights @ (met_v - met_b) / weights.sum()
            lo, hi = mean_ci(score)
            roi = rows["roi"].to_numpy(float)
            roi_mean = float(np.nanmean(roi)) if np.isfinite(roi).any() else None
            verdict, text, needed = judge(variant_id, effects, float(strategy.min_effect), roi_mean)
            constraints = _constraints(strategy, rows)
            cash = constraints.get("min_cash_balance", {})
            if cash.get("breach", {}).get("n_breached"):
                from autosim.decide.roadmap import breach_sentence

                text += " " + breach_sentence(cash)
            entry.update(
                impact_score={"mean": float(score.mean()), "ci95": [lo, hi]},
                verdict=verdict,
                explanation=text,
                replications_needed=needed,
                constraints=constraints,
            )
        out[variant_id] = entry
    return out
