"""Summaries of Monte Carlo outputs: means with confidence intervals, percentiles, shares.

Every number a report shows comes with its uncertainty. The mean's 95% interval is Student's t
over replications (replications are independent; the paired differences inside one replication
are already folded into ROI and NPV). Percentiles describe the spread of outcomes the business
could live through, which is a different question from how well the mean is known.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["describe", "mean_ci", "wilson_interval"]


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval for the mean of finite values (NaN, NaN when fewer than two)."""
    x = values[np.isfinite(values)]
    if x.size < 2:
        return (float("nan"), float("nan"))
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return (float(x.mean() - half), float(x.mean() + half))


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (sensible near 0 and 1, unlike the normal one)."""
    if n == 0:
        return (float("nan"), float("nan"))
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def _clean(x: float) -> float | None:
    """JSON has no NaN or infinity: they become null."""
    return float(x) if math.isfinite(x) else None


def describe(values: np.ndarray) -> dict[str, object]:
    """Mean, 95% CI of the mean, P5/P50/P95 and counts of one output over replications.

    NaN values (a KPI undefined in a replication, e.g. no emergency calls) are left out and
    counted in ``n_undefined``; infinite values (payback never reached) count in percentiles
    but not in the mean, and are counted in ``n_infinite``.
    """
    x = np.asarray(values, dtype=float)
    defined = x[~np.isnan(x)]
    finite = defined[np.isfinite(defined)]
    # Interpolating between infinities is undefined: use order statistics when there are any
    # (numpy still computes inf - inf internally, hence the errstate).
    method = "linear" if finite.size == defined.size else "inverted_cdf"
    with np.errstate(invalid="ignore"):
        p5, p50, p95 = (
            np.quantile(defined, [0.05, 0.5, 0.95], method=method)
            if defined.size
            else (np.nan,) * 3
        )

    lo, hi = mean_ci(finite)
    return {
        "mean": _clean(float(finite.mean())) if finite.size else None,
        "ci95": [_clean(lo), _clean(hi)],
        "p5": _clean(float(p5)),
        "p50": _clean(float(p50)),
        "p95": _clean(float(p95)),
        "n": int(defined.size),
        "n_undefined": int(x.size - defined.size),
        "n_infinite": int(defined.size - finite.size),
    }
