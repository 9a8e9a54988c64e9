"""When items arrive: each flow's arrivals over the horizon, drawn before the run.

A café's walk-ins follow the clock (a morning rush), the week (quiet Mondays) and the season
(cold months sell more coffee), and grow as the place gets known; a bakery's trays come out of
the oven on a plan. Arrivals do not depend on how the business works, so they are drawn once
per flow from its own stream, vectorised, identically for every variant (common random numbers),
each with its own random key (:mod:`autosim.model.flows.draws`).

Poisson arrivals: the day's expected count is ``rate_per_day`` x weekday weight / mean weight x
month weight / mean weight x ``(1 + growth_per_year) ** (day / 365)``. With ``only_when_open``
it is spread over the day's open minutes (``calendar.hours``) in proportion to the hourly
weights — an hour open for half its minutes gets half its weight — and a closed day gets none;
otherwise over all 24 hours. Within each hour the rate is constant. A schedule puts
``quantity`` items at ``at`` o'clock on its days, from ``start`` until ``end`` (or the horizon).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from autosim.model.flows.draws import derived_keys, new_keys
from autosim.model.timetable import DAY, Timetable
from autosim.scenario.operations_schema import Arrivals

__all__ = ["FlowArrivals", "draw_arrivals", "open_time_at"]


@dataclass(frozen=True)
class FlowArrivals:
    """One flow's items: sorted arrival times (minutes from the start) and their keys."""

    time: np.ndarray
    key: np.ndarray

    def __len__(self) -> int:
        return int(self.time.size)


def open_time_at(table: Timetable, opened: np.ndarray) -> np.ndarray:
    """The moment by which ``opened`` open minutes have passed (inverse of open minutes)."""
    cum = np.concatenate([[0.0], np.cumsum(table.closes - table.opens)])
    i = np.clip(np.searchsorted(cum, opened, side="right") - 1, 0, table.opens.size - 1)
    return table.opens[i] + (opened - cum[i])


def _day_weights(arr: Arrivals, start_date: dt.date, n_days: int) -> np.ndarray:
    """Expected arrivals per day before the hours are laid out."""
    days = np.arange(n_days)
    dates = np.datetime64(start_date, "D") + days
    weekday = (start_date.weekday() + days) % 7
    month = dates.astype("datetime64[M]").astype(int) % 12
    wd = np.ones(7) if arr.weekday_profile is None else np.asarray(arr.weekday_profile)
    mo = np.ones(12) if arr.monthly_profile is None else np.asarray(arr.monthly_profile)
    growth = (1.0 + float(arr.growth_per_year)) ** (days / 365.0)
    return float(arr.rate_per_day) * growth * (wd / wd.mean())[weekday] * (mo / mo.mean())[month]


def _poisson(
    arr: Arrivals, hours: Timetable, start_date: dt.date, n_days: int, rng: np.random.Generator
) -> FlowArrivals:
    table = hours if arr.only_when_open else Timetable.always(n_days)
    edges = np.arange(n_days * 24 + 1) * 60.0
    opened = table.open_minutes_before(edges)
    open_in_slot = np.diff(opened).reshape(n_days, 24)
    weight = np.ones(24) if arr.hourly_profile is None else np.asarray(arr.hourly_profile)
    shaped = weight[None, :] * open_in_slot
    total = shaped.sum(axis=1, keepdims=True)
    share = np.divide(shaped, total, out=np.zeros_like(shaped), where=total > 0)
    expected = _day_weights(arr, start_date, n_days)[:, None] * share
    counts = rng.poisson(expected).ravel()
    slot = np.repeat(np.arange(counts.size), counts)
    within = rng.random(slot.size) * open_in_slot.ravel()[slot]
    time = np.sort(open_time_at(table, opened[slot] + within))
    return FlowArrivals(time, new_keys(rng, time.size))


def _scheduled(
    arr: Arrivals, start_date: dt.date, n_days: int, rng: np.random.Generator
) -> FlowArrivals:
    horizon = n_days * DAY
    seed = int(rng.integers(0, 2**63))
    times, keys = [], []
    for j, entry in enumerate(arr.schedule or ()):
        days = np.arange(n_days)
        t = days * DAY + entry.at
        end = horizon if entry.end is None else min(horizon, entry.end)
        on = np.asarray(entry.days)[(start_date.weekday() + days) % 7]
        chosen = days[on & (t >= entry.start) & (t < end)]
        number = np.tile(np.arange(entry.quantity), chosen.size)
        day = np.repeat(chosen, entry.quantity)
        times.append(day * DAY + entry.at)
        keys.append(derived_keys(seed, np.full(day.size, j), day, number))
    time = np.concatenate(times) if times else np.zeros(0)
    key = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
    order = np.argsort(time, kind="stable")
    return FlowArrivals(time[order].astype(float), key[order])


def draw_arrivals(
    arr: Arrivals,
    hours: Timetable,
    start_date: dt.date,
    n_days: int,
    rng: np.random.Generator,
) -> FlowArrivals:
    """Every arrival of one flow within the horizon (``hours``: the business's opening hours)."""
    if arr.schedule is not None:
        return _scheduled(arr, start_date, n_days, rng)
    return _poisson(arr, hours, start_date, n_days, rng)
