"""Cash ledger maths and investment measures: ROI, NPV, IRR, payback — on one timing convention.

The ledger is a set of daily flows (money in is positive, out negative), so the bank balance on
any day is the opening balance plus the running sum. An automation is judged on the *difference*
between its ledger and the baseline's in the same replication — the same customers, the same
luck — which is what makes the comparison sharp. NPV and IRR come from numpy-financial rather
than hand-written formulas.

**Timing convention**, the same for NPV, IRR and payback: the daily differences are summed into
calendar months, and month ``m``'s sum is dated ``t = m`` months from the start (month 0, which
holds day 0 and its up-front payments, is not discounted). NPV discounts it by ``(1 + r_m)**m``;
IRR is the monthly rate at which that NPV is zero; payback is the first ``t`` from which the
cumulative undiscounted sum stays non-negative — a whole number of months, because on this
convention money moves only at month points. So payback ``T`` means exactly: the NPV at a zero
rate of the stream cut after month ``T`` is >= 0, and so is every longer cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf

__all__ = [
    "Ledger",
    "cash_floor_breach",
    "irr_annual",
    "irr_monthly",
    "month_index",
    "month_starts",
    "monthly_totals",
    "npv_monthly",
    "payback_months",
    "roi",
    "with_later",
    "worst_month_cash",
]


def month_index(start_date: dt.date, n_days: int) -> np.ndarray:
    """Calendar month (0 = the first simulated month) of every simulated day."""
    dates = np.datetime64(start_date, "D") + np.arange(n_days)
    months = dates.astype("datetime64[M]")
    return (months - months[0]).astype(int)


def month_starts(start_date: dt.date, n_days: int) -> np.ndarray:
    """Days on which monthly bills are paid: day 0 and each first of the month after it."""
    idx = month_index(start_date, n_days)
    return np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])


def monthly_totals(daily: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Sum daily flows into calendar months."""
    return np.bincount(months, weights=daily, minlength=int(months.max()) + 1)


@dataclass(frozen=True)
class Ledger:
    """Daily cash flows by category (positive in, negative out) and the opening balance."""

    flows: Mapping[str, np.ndarray]
    opening_balance: float

    @property
    def net(self) -> np.ndarray:
        """Net flow per day."""
        return np.sum(list(self.flows.values()), axis=0)

    @property
    def balance(self) -> np.ndarray:
        """End-of-day balance."""
        return self.opening_balance + np.cumsum(self.net)

    def summary(self) -> dict[str, float]:
        """Cash KPIs: net flow, lowest balance and its day, days below zero."""
        balance = self.balance
        low = int(np.argmin(balance))
        return {
            "net_cash_flow": float(self.net.sum()),
            "min_cash_balance": float(balance[low]),
            "min_cash_day": float(low),
            "days_below_zero": float((balance < 0).sum()),
        }


def npv_monthly(annual_rate: float, monthly_flows: np.ndarray) -> float:
    """NPV of monthly flows; month 0 is not discounted, month m by ``(1 + r_m)**m``.

    ``r_m = (1 + annual_rate)**(1/12) - 1`` so twelve months compound to the annual rate.
    """
    rate = (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0
    return float(npf.npv(rate, monthly_flows))


def with_later(monthly_flows: np.ndarray, months: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """The monthly stream followed by payments owed after it (``amounts`` paid in ``months``)."""
    if months.size == 0:
        return monthly_flows
    out = np.zeros(max(monthly_flows.size, int(months.max()) + 1))
    out[: monthly_flows.size] = monthly_flows
    np.subtract.at(out, months, amounts)
    return out


def irr_monthly(monthly_flows: np.ndarray) -> float:
    """Monthly IRR of monthly flows (NaN when it does not exist, e.g. no change of sign)."""
    flows = np.asarray(monthly_flows, float)
    if not (flows > 0).any() or not (flows < 0).any():
        return float("nan")
    monthly = npf.irr(flows)
    return float(monthly) if np.isfinite(monthly) else float("nan")


def irr_annual(monthly_flows: np.ndarray) -> float:
    """Annualised IRR of monthly flows, ``(1 + monthly)**12 - 1`` (NaN when undefined)."""
    monthly = irr_monthly(monthly_flows)
    return float((1.0 + monthly) ** 12 - 1.0) if np.isfinite(monthly) else float("nan")


def payback_months(monthly_flows: np.ndarray) -> float:
    """First month ``t`` from which the cumulative flow stays >= 0 (0: never negative; inf: still
    negative at the end of the stream). Month ``m``'s flow is dated ``t = m``, as NPV dates it.
    """
    cum = np.cumsum(monthly_flows)
    negative = np.flatnonzero(cum < 0)
    if negative.size == 0:
        return 0.0
    last = int(negative[-1])
    return float("inf") if last == cum.size - 1 else float(last + 1)


def roi(net_benefit: float, cost: float) -> float:
    """Return on investment: net benefit (after the automation's costs) per unit of cost."""
    return float(net_benefit / cost) if cost > 0 else float("nan")


def worst_month_cash(balance: np.ndarray, months: np.ndarray) -> float:
    """Lowest month-end cash balance (the balance on the last simulated day of each month).

    ``min_cash_balance`` is the lowest *end-of-day* balance, which catches the day before
    customers pay; month-end balances are what a bank statement and a cash plan show.
    """
    if balance.size == 0:
        return float("nan")
    ends = np.flatnonzero(np.r_[months[1:] != months[:-1], True])
    return float(balance[ends].min())


def cash_floor_breach(floor: float | None, balance: np.ndarray) -> dict[str, float]:
    """``{"cash_floor_day": d}``: the first day whose closing balance is under ``floor``.

    NaN when the balance never goes under it; an empty dict when there is no floor (the
    strategy sets none), so the column only exists where it means something.
    """
    if floor is None:
        return {}
    below = np.flatnonzero(balance < floor)
    return {"cash_floor_day": float(below[0]) if below.size else float("nan")}
