"""Goals, progress and alignment verdicts: is an automation worth it *for this business*?

Each replication either meets a goal or not, so a variant's P(goal met) is a proportion (with a
Wilson interval) and an automation's effect on a goal is a paired difference of proportions
against the baseline of the same replications (with Newcombe's interval for paired data). Beside
it, the goal's *progress* (:mod:`autosim.decide.progress`): the share of the baseline's gap to the
target that the automation closes, paired, with an interval. An automation is then judged only
by what it measurably does to the goals the business set itself:

* ``aligned`` — improves at least one goal beyond noise and materially (P(goal met) up by at
  least ``min_effect``, or at least ``min_progress`` of the gap closed), harms none; "partly" in
  the explanation when the target itself stays out of reach;
* ``detrimental`` — harms at least one goal beyond noise and materially (either measure);
* ``misaligned`` — on every goal both measures are confidently below the thresholds, whatever
  its ROI;
* ``inconclusive`` — the replications cannot tell yet; the verdict says roughly how many would.

Explanations are sentences assembled from these numbers, never hand-written labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from autosim.decide.progress import ConditionProgress, binding, goal_progress
from autosim.scenario.goals import Goal, Strategy, goal_met
from autosim.stats import mean_ci, wilson_interval

__all__ = [
    "GoalEffect",
    "Rule",
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
class Rule:
    """What counts as a material effect on a goal (the strategy's thresholds)."""

    min_effect: float  # change in P(goal met), in probability points
    min_progress: float = 0.25  # share of the baseline's gap to the target closed


@dataclass(frozen=True)
class GoalEffect:
    """An automation's effect on one goal, against the baseline of the same replications.

    Two measures: the change in P(goal met) (``delta``, paired, Newcombe's interval) and the
    share of the baseline's gap to the target that the option closes (``progress``, paired
    ratio, delta-method interval; None when the baseline already meets the target).
    """

    goal: Goal
    p_base: float
    p_variant: float
    ci_variant: tuple[float, float]
    delta: float
    ci_delta: tuple[float, float]
    n: int
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # both, only variant, only baseline, neither
    progress: float | None = None
    progress_ci: tuple[float, float] | None = None
    binding: ConditionProgress | None = None  # the condition that holds the goal back

    def _has_progress(self) -> bool:
        return self.progress is not None and self.progress_ci is not None

    def improves(self, rule: Rule) -> bool:
        """Better beyond noise and materially: in P(goal met) or in the gap closed."""
        by_chance = self.ci_delta[0] > 0 and self.delta >= rule.min_effect
        return by_chance or self.progresses(rule)

    def progresses(self, rule: Rule) -> bool:
        """Closes at least ``min_progress`` of the gap, beyond noise."""
        return (
            self._has_progress() and self.progress_ci[0] > 0 and self.progress >= rule.min_progress
        )

    def harms(self, rule: Rule) -> bool:
        """Worse beyond noise and materially: in P(goal met), or moving away from the target."""
        by_chance = self.ci_delta[1] < 0 and self.delta <= -rule.min_effect
        away = (
            self._has_progress() and self.progress_ci[1] < 0 and self.progress <= -rule.min_progress
        )
        return by_chance or away

    def negligible(self, rule: Rule) -> bool:
        """Confidently smaller than the thresholds, either way, on both measures."""
        chance = self.ci_delta[0] > -rule.min_effect and self.ci_delta[1] < rule.min_effect
        if not self._has_progress():
            return chance
        lo, hi = self.progress_ci
        return chance and lo > -rule.min_progress and hi < rule.min_progress


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


def _decided(e: GoalEffect, rule: Rule) -> bool:
    return e.improves(rule) or e.harms(rule) or e.negligible(rule)


def _scaled(e: GoalEffect, factor: float) -> GoalEffect:
    """The same effect seen with ``factor`` times the replications (same shares, same spread)."""
    counts = [round(c * factor) for c in e.counts]
    progress_ci = e.progress_ci
    if e.progress is not None and progress_ci is not None:
        half = (progress_ci[1] - progress_ci[0]) / 2 / math.sqrt(factor)
        progress_ci = (e.progress - half, e.progress + half)
    ci = newcombe_paired_interval(*counts)
    return replace(e, ci_delta=ci, n=sum(counts), progress_ci=progress_ci)


def _replications_needed(effects: list[GoalEffect], n: int, rule: Rule) -> int | None:
    """Replications at which every undecided goal would be decided, if the observed shares held.

    The paired counts are scaled up (same proportions) and the progress interval narrowed by
    the square root of the factor, until each goal's intervals clear the thresholds or fit
    inside them; None when even 1000 times more would not do.
    """
    for factor in (1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256, 512, 1000):
        if all(_decided(_scaled(e, factor), rule) for e in effects):
            return math.ceil(n * factor)
    return None


def judge(
    automation_id: str,
    effects: list[GoalEffect],
    rule: Rule,
    roi_mean: float | None = None,
) -> tuple[str, str, int | None]:
    """Verdict, plain-language explanation and (when inconclusive) replications needed.

    ``aligned``: improves a goal materially (P(goal met) by ``min_effect`` or its gap by
    ``min_progress``, beyond noise) and harms none; ``detrimental``: harms one; ``misaligned``:
    confidently below both thresholds on every goal; ``inconclusive``: not yet known.
    """
    improved = [e for e in effects if e.improves(rule)]
    harmed = [e for e in effects if e.harms(rule)]
    undecided = [e for e in effects if e not in improved + harmed and not e.negligible(rule)]
    n = effects[0].n if effects else 0
    if harmed:
        text = f"{automation_id} " + "; and ".join(_harm_words(e, rule) for e in harmed)
        if improved:
            text += ", even though it " + "; and ".join(_gain_words(e, rule) for e in improved)
        return "detrimental", text + ".", None
    if improved:
        partly = all(not _reached(e, rule) for e in improved)
        lead = f"{automation_id} is partly aligned: it " if partly else f"{automation_id} "
        text = lead + "; and ".join(_gain_words(e, rule) for e in improved)
        if partly:
            text += " (the target stays out of reach in most replications)"
        rest = [e for e in effects if e not in improved]
        if rest:
            text += "; it does not materially change " + _goal_list(rest)
        return "aligned", text + ".", None
    if undecided:
        needed = _replications_needed(undecided, n, rule)
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
    roi = f"; its ROI is {roi_mean:+.0%}" if roi_mean is not None else ""
    text = (
        f"{automation_id} moves no goal by a material amount (at least "
        f"{rule.min_effect * 100:.0f} points of P(goal met), or {rule.min_progress:.0%} of the "
        f"gap to a target): {_largest_words(effects)}{roi}."
    )
    return "misaligned", text, None


def _reached(e: GoalEffect, rule: Rule) -> bool:
    """Does the option make the goal likely met (not only closer)?"""
    raised = e.ci_delta[0] > 0 and e.delta >= rule.min_effect
    return raised or e.p_variant >= 0.5


def _progress_words(e: GoalEffect) -> str:
    """'closes 47% [28%, 66%] of the gap to <goal> (+7.1% against +15% wanted)'."""
    lo, hi = e.progress_ci or (math.nan, math.nan)
    words = f"{e.progress:.0%} [{lo:.0%}, {hi:.0%}] of the gap to {e.goal.text()}"
    c = e.binding
    if c is not None and c.change_pct is not None and "wanted_change" in c.level:
        words += f" ({c.change_pct:+.1%} of the {c.level['wanted_change']:+.0%} wanted)"
    elif c is not None and np.isfinite(c.level["mean"]):
        words += (
            f" (level {c.level['mean']:.3g} against a target of {c.level['target_text']}, "
            f"baseline {c.level['baseline_mean']:.3g})"
        )
    return words


def _gain_words(e: GoalEffect, rule: Rule) -> str:
    if e.ci_delta[0] > 0 and e.delta >= rule.min_effect:
        return f"raises the chance that {_change(e)}"
    return "closes " + _progress_words(e)


def _harm_words(e: GoalEffect, rule: Rule) -> str:
    if e.ci_delta[1] < 0 and e.delta <= -rule.min_effect:
        return f"lowers the chance that {_change(e)}"
    return "moves away from its target: " + _progress_words(e).replace("-", "minus ", 1)


def _largest_words(effects: list[GoalEffect]) -> str:
    """The biggest movement, so "misaligned" never hides a measurable change."""
    with_progress = [e for e in effects if e.progress is not None]
    if with_progress:
        e = max(with_progress, key=lambda x: abs(x.progress))
        return "the largest closes " + _progress_words(e)
    e = max(effects, key=lambda x: abs(x.delta))
    return f"the largest change is {e.delta * 100:+.0f} points on whether {e.goal.text()}"


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


def _effects(
    strategy: Strategy, rows: pd.DataFrame, base: pd.DataFrame, is_option: bool = True
) -> tuple[list[GoalEffect], list[list[ConditionProgress]]]:
    """Each goal's effect, and the level/progress of each of its conditions."""
    out = []
    levels = []
    for goal in strategy.goals:
        met_v = goal_met(goal, rows, base)
        met_b = goal_met(goal, base, base)
        n = int(met_v.size)
        counts = paired_counts(met_v, met_b)
        conditions = goal_progress(goal, rows, base, is_option)
        held = binding(conditions)
        levels.append(conditions)
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
                progress=held.share,
                progress_ci=held.ci95,
                binding=held,
            )
        )
    return out, levels


def _goal_entry(e: GoalEffect, conditions: list[ConditionProgress], is_option: bool) -> dict:
    """summary.json's ``goals[goal_id]``: P(met), its change, the level and the progress."""
    held = e.binding or conditions[0]
    entry: dict[str, Any] = {
        "description": e.goal.text(),
        "p_met": e.p_variant,
        "ci95": list(e.ci_variant),
        "delta_vs_baseline": e.delta if is_option else None,
        "delta_ci95": list(e.ci_delta) if is_option else None,
        "level": held.level,
        "progress": held.as_dict()["progress"],
    }
    if len(conditions) > 1:
        entry["conditions"] = [c.as_dict() for c in conditions]
    return entry


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
        effects, levels = _effects(
            strategy, rows.reset_index(drop=True), base.reset_index(drop=True), is_automation
        )
        entry: dict[str, Any] = {
            "goals": {
                e.goal.id: _goal_entry(e, conditions, is_automation)
                for e, conditions in zip(effects, levels, strict=True)
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
            rule = Rule(float(strategy.min_effect), float(strategy.min_progress))
            verdict, text, needed = judge(variant_id, effects, rule, roi_mean)
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
