"""KPIs read off record tables — the one yardstick for history and simulation alike.

A back-test is only fair if the recorded history and each simulated replication are measured
the same way. :func:`record_kpis` takes the canonical job (and optionally invoice) tables of
:mod:`autosim.calibration.table`, whichever way they were made, and returns the same named
numbers: jobs per day, lost share, response and service times, revenue per job, and the money
path's delays and DSO — overall and per job type.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["KPI_UNITS", "record_kpis"]

#: Unit of each record KPI (the part of the name before any ``[job_type=...]``).
KPI_UNITS = {
    "jobs_per_day": "jobs/day",
    "lost_share": "share",
    "response_time_p50_min": "min",
    "response_time_p90_min": "min",
    "service_time_mean_min": "min",
    "service_time_p90_min": "min",
    "revenue_per_job": "money",
    "invoice_delay_mean_days": "days",
    "payment_days_mean": "days",
    "days_to_cash_mean": "days",
    "on_site_share": "share",
    "dso_days": "days",
}

_DAY = pd.Timedelta(days=1)


def _minutes(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier).dt.total_seconds() / 60.0).to_numpy(dtype=float)


def _since(times: pd.Series, start: pd.Timestamp) -> np.ndarray:
    """Days since ``start`` as floats (NaN where no time)."""
    return ((times - start) / _DAY).to_numpy(dtype=float)


def _quantile(x: np.ndarray, q: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.quantile(x, q)) if x.size else math.nan


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


def _job_block(rows: pd.DataFrame, n_days: int) -> dict[str, float]:
    done = rows["status"].eq("completed").to_numpy()
    lost = rows["status"].eq("lost").to_numpy()
    decided = int(done.sum() + lost.sum())
    service = _minutes(rows["finished"], rows["arrived"])[done]
    response = _minutes(rows["arrived"], rows["created"])
    return {
        "jobs_per_day": len(rows) / n_days,
        "lost_share": float(lost.sum() / decided) if decided else math.nan,
        "response_time_p50_min": _quantile(response, 0.5),
        "response_time_p90_min": _quantile(response, 0.9),
        "service_time_mean_min": _mean(service),
        "service_time_p90_min": _quantile(service, 0.9),
        "revenue_per_job": _mean(rows["revenue"].to_numpy(dtype=float)[done]),
    }


def _invoice_block(inv: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float]:
    paid = inv["paid"].notna() & (inv["paid"] <= end)
    off_site = ~inv["paid_on_site"].to_numpy(bool)
    out = {
        "invoice_delay_mean_days": _mean(((inv["issued"] - inv["completed"]) / _DAY).to_numpy()),
        "payment_days_mean": _mean(
            ((inv["paid"] - inv["issued"]) / _DAY).to_numpy()[paid.to_numpy() & off_site]
        ),
        "days_to_cash_mean": _mean(
            ((inv["paid"] - inv["completed"].fillna(inv["issued"])) / _DAY).to_numpy()[
                paid.to_numpy()
            ]
        ),
        "on_site_share": float((~off_site).mean()) if len(inv) else math.nan,
    }
    # DSO over the second half of the period: receivables at each day's end / daily revenue.
    earned = _since(inv["completed"].fillna(inv["issued"]), start)
    settled = _since(inv["paid"].where(paid, inv["written_off"]), start)
    n_days = round((end - start) / _DAY)
    days = np.arange(n_days // 2 + 1, n_days + 1, dtype=float)  # ends of days
    amount = inv["amount"].to_numpy(float)
    open_at = [amount[(earned <= d) & ~(settled <= d)].sum() for d in days]
    window = (earned >= days[0] - 1) & (earned < n_days)
    daily = amount[window].sum() / max(days.size, 1)
    out["dso_days"] = float(np.mean(open_at) / daily) if daily > 0 else math.nan
    return out


def record_kpis(
    jobs: pd.DataFrame,
    invoices: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp,
    n_days: int,
) -> dict[str, float]:
    """KPIs of a period's records (canonical tables), overall and per job type.

    Only calls created within ``[start, start + n_days)`` count; invoices of jobs done in the
    period likewise. Per-type KPIs are named ``name[job_type=<id>]`` as in the KPI catalogue.
    """
    end = start + n_days * _DAY
    rows = jobs[(jobs["created"] >= start) & (jobs["created"] < end)]
    out = _job_block(rows, n_days)
    for job_type, part in rows.groupby("job_type", sort=True):
        for name, value in _job_block(part, n_days).items():
            out[f"{name}[job_type={job_type}]"] = value
    if invoices is not None:
        inv = invoices[(invoices["issued"] >= start) & (invoices["issued"] < end)]
        if len(inv):
            out.update(_invoice_block(inv, start, end))
    return out
