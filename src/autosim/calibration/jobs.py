"""From a job log to job types: arrival rates and profiles, service times, revenue, lost share.

Each job type of a scenario is a Poisson stream of calls with a daily rate shaped by weekday and
hour-of-day weights, a service-time distribution, a revenue distribution and impatient customers.
Reading them back from the log is the dispatcher's own tally: how many calls of each kind came in
on each weekday and at each hour, how long the work took once the technician was on site, what it
paid, and how many callers gave up. Every estimate carries its 95% interval, and a profile is only
proposed when the data show one (a chi-square test against flat at the 1% level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from autosim.calibration.fitting import CANDIDATES, FitResult, fit_distribution
from autosim.calibration.table import RecordTable

__all__ = ["JobTypeFit", "JobsFit", "Profile", "Rate", "fit_jobs", "share_interval"]

PROFILE_ALPHA = 0.01


@dataclass(frozen=True)
class Rate:
    """Calls per day with a 95% interval (and the sd written into ``{uncertain: gamma}``)."""

    mean: float
    sd: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class Profile:
    """Relative weights (mean 1) with 95% intervals and the test against a flat profile."""

    weights: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    pvalue: float

    @property
    def significant(self) -> bool:
        """The data reject a flat profile at the 1% level."""
        return self.pvalue < PROFILE_ALPHA


@dataclass(frozen=True)
class JobTypeFit:
    """Everything estimated for one job type."""

    id: str
    segment: str
    other_segments: tuple[str, ...]
    n_jobs: int
    n_completed: int
    n_lost: int
    rate: Rate
    weekday: Profile
    hourly: Profile
    service: FitResult | None  # minutes
    revenue: FitResult | None
    lost_share: float
    lost_ci: tuple[float, float]
    response_p50_min: float
    response_p90_min: float


@dataclass(frozen=True)
class JobsFit:
    """A job log's job types, over the period it covers."""

    types: tuple[JobTypeFit, ...]
    start: pd.Timestamp
    n_days: int
    records: RecordTable


def share_interval(k: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval of a proportion k/n (nan, nan when n = 0)."""
    if n == 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(int(k), int(n)).proportion_ci(0.95, method="wilson")
    return (float(ci.low), float(ci.high))


def _day_counts(start: pd.Timestamp, n_days: int) -> np.ndarray:
    """How many of each weekday (Monday first) the period holds."""
    weekdays = (start.day_of_week + np.arange(n_days)) % 7
    return np.bincount(weekdays, minlength=7).astype(float)


def _rate_and_weekdays(
    created: pd.Series, start: pd.Timestamp, n_days: int
) -> tuple[Rate, Profile]:
    """Poisson MLE with weekday effects: rate = mean over weekdays of calls per such day."""
    days = _day_counts(start, n_days)
    counts = np.bincount(created.dt.day_of_week.to_numpy(), minlength=7).astype(float)
    present = days > 0
    per_day = np.where(present, counts / np.where(present, days, 1), np.nan)
    mean = float(np.nanmean(per_day))
    var = float(np.nansum(np.where(present, counts / np.where(present, days, 1) ** 2, 0.0)))
    sd = math.sqrt(var) / present.sum()
    total = counts.sum()
    lo = stats.chi2.ppf(0.025, 2 * total) / 2 if total else 0.0
    hi = stats.chi2.ppf(0.975, 2 * total + 2) / 2
    scale = mean / total if total else 0.0
    rate = Rate(
        mean, sd if total else 0.0, (float(lo * scale), float(hi * scale) if total else 0.0)
    )
    # Weekday weights relative to the mean day, with Poisson intervals per weekday.
    with np.errstate(divide="ignore", invalid="ignore"):
        w = per_day / mean if mean > 0 else np.ones(7)
        w_lo = stats.chi2.ppf(0.025, 2 * counts) / 2 / days / mean
        w_hi = stats.chi2.ppf(0.975, 2 * counts + 2) / 2 / days / mean
    expected = total * days / days.sum()
    keep = expected > 0
    pvalue = float(stats.chisquare(counts[keep], expected[keep]).pvalue) if total > 7 else 1.0
    profile = Profile(
        tuple(np.nan_to_num(w, nan=1.0).tolist()),
        tuple(np.nan_to_num(w_lo, nan=0.0).tolist()),
        tuple(np.nan_to_num(w_hi, nan=math.inf).tolist()),
        pvalue,
    )
    return rate, profile


def _hours(created: pd.Series) -> Profile:
    """Hour-of-day weights (mean 1 over the 24 hours) with Wilson intervals."""
    counts = np.bincount(created.dt.hour.to_numpy(), minlength=24).astype(float)
    n = int(counts.sum())
    weights = counts / n * 24 if n else np.ones(24)
    bands = [share_interval(int(k), n) for k in counts]
    pvalue = float(stats.chisquare(counts).pvalue) if n > 24 else 1.0
    return Profile(
        tuple(weights.tolist()),
        tuple(b[0] * 24 for b in bands),
        tuple(b[1] * 24 for b in bands),
        pvalue,
    )


def _minutes(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier).dt.total_seconds() / 60.0).to_numpy(dtype=float)


def fit_jobs(
    table: RecordTable,
    *,
    service_family: str | None = None,
    revenue_family: str | None = None,
    n_boot: int = 200,
    rng: np.random.Generator | None = None,
) -> JobsFit:
    """Estimate every job type's scenario parameters from a clean job table.

    The period is the whole days from the first to the last call; rates are calls per day of
    that period (lost and open jobs included: they were calls).
    """
    frame = table.frame
    start, end = table.period()
    n_days = int((end - start).days)
    rng = rng or np.random.default_rng(20270104)
    types = []
    for job_type, rows in frame.groupby("job_type", sort=False):
        segments = rows["segment"].value_counts()
        rate, weekday = _rate_and_weekdays(rows["created"], start, n_days)
        done = rows[rows["status"] == "completed"]
        lost = int((rows["status"] == "lost").sum())
        decided = len(done) + lost
        service = _try_fit(
            _minutes(done["finished"], done["arrived"]),
            service_family,
            n_boot,
            rng,
            f"service time of {job_type!r}",
        )
        revenue = _try_fit(
            done["revenue"].to_numpy(dtype=float),
            revenue_family,
            n_boot,
            rng,
            f"revenue of {job_type!r}",
        )
        response = _minutes(rows["arrived"], rows["created"])
        response = response[np.isfinite(response)]
        types.append(
            JobTypeFit(
                id=str(job_type),
                segment=str(segments.index[0]),
                other_segments=tuple(str(s) for s in segments.index[1:]),
                n_jobs=len(rows),
                n_completed=len(done),
                n_lost=lost,
                rate=rate,
                weekday=weekday,
                hourly=_hours(rows["created"]),
                service=service,
                revenue=revenue,
                lost_share=lost / decided if decided else math.nan,
                lost_ci=share_interval(lost, decided),
                response_p50_min=float(np.median(response)) if response.size else math.nan,
                response_p90_min=float(np.quantile(response, 0.9)) if response.size else math.nan,
            )
        )
    return JobsFit(tuple(types), start, n_days, table)


def _try_fit(
    values: np.ndarray, family: str | None, n_boot: int, rng: np.random.Generator, what: str
) -> FitResult | None:
    """A fit when there are enough positive values, else None (reported as 'too few')."""
    x = values[np.isfinite(values) & (values > 0)]
    if x.size < 5:
        return None
    return fit_distribution(x, families=CANDIDATES, force=family, n_boot=n_boot, rng=rng, what=what)
