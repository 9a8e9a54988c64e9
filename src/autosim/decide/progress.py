"""Goal progress: how far an option moves a goal's KPI toward its target, not only pass/fail.

P(goal met) counts a replication as a success or a failure, so an option that closes half of
the gap to a distant target scores nothing there. Progress measures the level instead: for each
replication, the change the option makes to the goal's KPI (against the baseline of the same
replication) and the gap the baseline had to the target, both signed so that "toward the
target" is positive. The share of the gap closed is the ratio of their sums — a paired ratio
estimator, stable where single replications have tiny gaps — with a 95% interval from its
linearisation (the delta method): ``R = sum(d) / sum(g)``, ``se = sd(d - R g) / (sqrt(n) mean(g))``.

A share of 0 means no change; 1 means the option reaches the target on average; above 1 it
overshoots; below 0 it moves away. When the baseline already meets the target on average there
is no gap to close, and progress is not defined (P(goal met) still judges the goal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from autosim.scenario.goals import Condition, Goal

__all__ = ["ConditionProgress", "condition_progress", "goal_progress"]


@dataclass(frozen=True)
class ConditionProgress:
    """One condition's level under an option and the share of the baseline's gap it closes."""

    column: str
    level: dict[str, Any]
    share: float | None = None  # share of the gap closed (None: no gap, or not an option)
    ci95: tuple[float, float] | None = None
    change_pct: float | None = None  # mean relative change of the KPI against the baseline

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``column``, ``level``, ``progress`` (``mean``, ``ci95``) or None."""
        progress = None
        if self.share is not None:
            progress = {"mean": self.share, "ci95": list(self.ci95 or (np.nan, np.nan))}
        return {"column": self.column, "level": self.level, "progress": progress}


def _bound(cond: Condition, base: np.ndarray) -> np.ndarray:
    """The target each replication must reach (relative targets move with the baseline)."""
    target = cond.target
    if target.relative:
        return base * (1.0 + target.threshold)
    return np.full(base.shape, float(target.threshold))


def _summary(values: np.ndarray) -> tuple[float, float, float]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return (np.nan, np.nan, np.nan)
    p5, p95 = np.quantile(finite, [0.05, 0.95])
    return (float(finite.mean()), float(p5), float(p95))


def condition_progress(
    cond: Condition, value: np.ndarray, base: np.ndarray, is_option: bool = True
) -> ConditionProgress:
    """Level reached and share of the gap closed, paired per replication.

    ``value`` and ``base`` are the condition's KPI per replication for the option and the
    baseline, aligned by replication.
    """
    bound = _bound(cond, base)
    mean, p5, p95 = _summary(value)
    level = {
        "mean": mean,
        "p5": p5,
        "p95": p95,
        "target": _summary(bound)[0],
        "target_text": str(cond.target),
        "baseline_mean": _summary(base)[0],
    }
    if cond.target.relative:
        level["wanted_change"] = float(cond.target.threshold)
    if not is_option:
        return ConditionProgress(cond.column(), level)
    sign = 1.0 if cond.target.op in (">=", ">") else -1.0
    ok = np.isfinite(value) & np.isfinite(base) & np.isfinite(bound)
    change = sign * (value[ok] - base[ok])
    gap = sign * (bound[ok] - base[ok])
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = (value[ok] - base[ok]) / np.abs(base[ok])
    change_pct = float(np.nanmean(relative)) if np.isfinite(relative).any() else None
    n = int(ok.sum())
    if n < 2 or gap.mean() <= 0:
        return ConditionProgress(cond.column(), level, change_pct=change_pct)
    share = float(change.sum() / gap.sum())
    residual = change - share * gap
    se = float(np.std(residual, ddof=1) / (np.sqrt(n) * gap.mean()))
    half = float(stats.t.ppf(0.975, n - 1)) * se
    return ConditionProgress(
        cond.column(), level, share, (share - half, share + half), change_pct=change_pct
    )


def goal_progress(
    goal: Goal, rows: pd.DataFrame, base: pd.DataFrame, is_option: bool = True
) -> list[ConditionProgress]:
    """Every condition of a goal (rows of the option and of the baseline, aligned)."""
    out = []
    for cond in goal.all:
        col = cond.column()
        value = rows[col].to_numpy(float)
        baseline = base[col].to_numpy(float)
        out.append(condition_progress(cond, value, baseline, is_option))
    return out


def binding(conditions: list[ConditionProgress]) -> ConditionProgress:
    """The condition that holds a joint goal back: the least progress (a gapless one last)."""
    with_gap = [c for c in conditions if c.share is not None]
    return min(with_gap, key=lambda c: c.share) if with_gap else conditions[0]
