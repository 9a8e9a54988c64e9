"""The per-job KPIs of one replication (response times, jobs lost, revenue...) from job arrays.

Owns the arithmetic of the dispatch KPIs named in :mod:`autosim.kpis`, computed per group of
jobs (all, a segment, a job type) from the arrays a variant's run recorded. It sits in the model
layer because it reads the model's arrays; the catalogue that names the KPIs stays a foundation.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autosim.kpis import column

__all__ = ["job_kpis"]


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


_RESPONSE_QUANTILES = np.array([0.5, 0.9, 0.95])


def _quantiles(values: np.ndarray, q: np.ndarray = _RESPONSE_QUANTILES) -> list[float]:
    """numpy's default (linear) quantiles from one sort: np.quantile's overhead per call is
    larger than the work on the few hundred values of a job group, and KPIs run per group."""
    if not values.size:
        return [float("nan")] * len(q)
    ordered = np.sort(values)
    position = q * (ordered.size - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, ordered.size - 1)
    weight = position - below
    low, high = ordered[below], ordered[above]
    step = high - low
    # numpy's own lerp, so the figures are bit-identical to np.quantile's
    return np.where(weight >= 0.5, high - step * (1 - weight), low + step * weight).tolist()


def _job_block(
    call: np.ndarray,
    ready: np.ndarray,
    arrive: np.ndarray,
    completed: np.ndarray,
    lost: np.ndarray,
    revenue: np.ndarray,
    target: np.ndarray,
) -> dict[str, float]:
    """Per-job KPIs over one group of jobs (all, a segment or a job type)."""
    reached = ~np.isnan(arrive)
    response = arrive[reached] - call[reached]
    p50, p90, p95 = _quantiles(response)
    n_called = call.size
    with_target = ~np.isnan(target)
    hit = reached & with_target & (arrive - call <= np.nan_to_num(target, nan=np.inf))
    judged = with_target & (reached | lost)
    return {
        "jobs_called": float(n_called),
        "jobs_completed": float(completed.sum()),
        "jobs_lost": float(lost.sum()),
        "lost_share": float(lost.sum() / n_called) if n_called else float("nan"),
        "response_time_mean_min": _mean(response),
        "response_time_p50_min": float(p50),
        "response_time_p90_min": float(p90),
        "response_time_p95_min": float(p95),
        "within_target_share": float(hit.sum() / judged.sum()) if judged.any() else float("nan"),
        "intake_time_mean_min": _mean(ready[np.isfinite(ready)] - call[np.isfinite(ready)]),
        "revenue": float(revenue[completed].sum()),
    }


def job_kpis(
    groups: Iterable[tuple[str | None, str | None, np.ndarray]],
    **arrays: np.ndarray,
) -> dict[str, float]:
    """Per-job KPIs for each ``(by, value, mask)`` group, named by :func:`column`."""
    out: dict[str, float] = {}
    for by, value, mask in groups:
        block = _job_block(**{k: v[mask] for k, v in arrays.items()})
        out.update({column(name, by, value): v for name, v in block.items()})
    return out
