"""Risk measures besides the mean: how bad can buying an automation turn out?

An owner who borrows to buy a tool asks less "what do I gain on average?" than "how likely am
I to lose money, how much when it goes wrong, and will the bank balance hold in the worst
month?". Every replication is one plausible year of the business, so these are read straight off
the replications: the share with a negative NPV against the same replication's baseline, the
expected NPV in the worst 10% of them (CVaR, with a bootstrap interval), and the lowest month-end
cash balance of the variant itself. The per-replication number is computed on the worker, so a
run that keeps no daily cash still has it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from autosim.stats import describe, wilson_interval

__all__ = [
    "CVAR_LEVEL",
    "analysis_rng",
    "cvar",
    "risk_measures",
    "variant_risk",
]

#: The tail CVaR averages over: the worst 10% of replications.
CVAR_LEVEL = 0.10

#: Bootstrap resamples for the CVaR interval (a few ms per variant at 10,000 replications).
N_BOOTSTRAP = 1000


def cvar(values: np.ndarray, level: float = CVAR_LEVEL, axis: int = -1) -> np.ndarray | float:
    """Expected value in the worst ``level`` share of outcomes (conditional value at risk).

    The empirical tail mean of Rockafellar and Uryasev: the lowest ``floor(level * n)`` values
    count fully and the next one by the remaining fraction, so the measure is continuous in
    ``n`` (with 5 values and a 10% level it is the lowest value). Works along ``axis`` so a
    bootstrap can evaluate many resamples at once.
    """
    x = np.asarray(values, dtype=float)
    n = x.shape[axis]
    if n == 0:
        return float("nan")
    tail = level * n
    whole = math.floor(tail)
    kth = min(whole, n - 1)  # a partial sort is enough: O(n) for large bootstraps
    part = np.moveaxis(np.partition(x, kth, axis=axis), axis, -1)
    out = part[..., :whole].sum(axis=-1)
    if whole < n:
        out = out + (tail - whole) * part[..., kth]
    out = out / tail
    return float(out) if np.ndim(out) == 0 else out


def analysis_rng(seed: int, name: str) -> np.random.Generator:
    """A generator for a post-run analysis (bootstrap), reproducible from the run's seed.

    Its seed-sequence branch ``(hash("analysis"), hash(name))`` cannot meet the replications'
    branches ``(r,)`` and ``(r, salt)``, so analysing a run never reuses simulation draws.
    """
    from autosim.experiment.streams import name_key  # here: the runner imports this module

    seq = np.random.SeedSequence(seed, spawn_key=(name_key("analysis"), name_key(name)))
    return np.random.Generator(np.random.PCG64(seq))


def _cvar_interval(x: np.ndarray, level: float, rng: np.random.Generator) -> list[float | None]:
    if x.size < 10 or np.ptp(x) == 0:
        value = float(cvar(x, level)) if x.size else None
        return [value, value] if x.size and np.ptp(x) == 0 else [None, None]
    res = stats.bootstrap(
        (x,),
        lambda s, axis: cvar(s, level, axis),
        n_resamples=N_BOOTSTRAP,
        method="percentile",
        vectorized=True,
        batch=50,  # 50 resamples at a time: memory stays small with 10,000 replications
        rng=rng,
    )
    ci = res.confidence_interval
    return [float(ci.low), float(ci.high)]


def risk_measures(
    npv: np.ndarray, worst_cash: np.ndarray | None, seed: int, name: str = ""
) -> dict[str, Any]:
    """P(NPV < 0), CVaR of NPV and the worst month-end cash of one variant's replications.

    ``p_loss`` carries a Wilson interval; ``cvar10`` a percentile-bootstrap interval over
    replications (drawn from :func:`analysis_rng` of ``seed`` and ``name``, so it is the same on
    every rerun); ``worst_month_cash`` is summarised like a KPI (mean, P5, ...). With fewer than
    10 replications the CVaR interval is left empty: the tail is one or no value.
    """
    x = np.asarray(npv, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    losses = int((x < 0).sum())
    lo, hi = wilson_interval(losses, n)
    out: dict[str, Any] = {
        "p_loss": {
            "value": losses / n if n else None,
            "ci95": [lo, hi] if n else [None, None],
            "n": n,
        },
        "cvar10": {
            "value": float(cvar(x, CVAR_LEVEL)) if n else None,
            "ci95": _cvar_interval(x, CVAR_LEVEL, analysis_rng(seed, f"cvar:{name}")),
            "level": CVAR_LEVEL,
        },
    }
    if worst_cash is not None:
        out["worst_month_cash"] = describe(np.asarray(worst_cash, dtype=float))
    return out


def variant_risk(rows: pd.DataFrame, seed: int, name: str) -> dict[str, Any]:
    """:func:`risk_measures` of one automation variant's replication rows (``finance.risk``)."""
    worst = rows["worst_month_cash"].to_numpy(float) if "worst_month_cash" in rows else None
    return risk_measures(rows["npv"].to_numpy(float), worst, seed, name)
