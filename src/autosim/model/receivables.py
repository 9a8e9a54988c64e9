"""The money KPIs of the invoicing path, measured the way an accountant would sign them.

Owns three readings of the same money path (:mod:`autosim.model.invoicing`), each chosen so its
number means what its name says:

* **DSO** from *billed* receivables (invoices out, not yet paid or written off) over revenue
  billed per day, over the last 90 days — the accountant's formula. Work done but not yet
  invoiced is not a receivable: it is **work in progress**, reported on its own (``wip_days``).
* **Days to cash** (completion to payment) from a Kaplan–Meier estimate. At the horizon some
  invoices are still open: averaging only the paid ones drops the slow payers and reads low (a
  right-censored mean). Open invoices are censored at the horizon instead; the estimate is the
  area under the survival curve (restricted to the longest time observed), the censored share
  is reported, and the old paid-only mean survives as ``days_to_cash_paid_mean``. What the
  business could read off its own books at the horizon is used — invoices written off are known
  never to pay and left out, bad debts not yet written off are open like any other invoice.
* Early-payment discounts given away, card fees, bad debt, admin time.
"""

from __future__ import annotations

import numpy as np

from autosim.model.invoicing import Collections, billed_by_day, receivables_by_day
from autosim.model.timetable import DAY
from autosim.scenario.schema import Scenario

__all__ = ["DSO_WINDOW_DAYS", "kaplan_meier", "km_mean", "km_quantile", "money_kpis"]

#: DSO is measured over the last 90 days of the horizon (or all days after the warm-up).
DSO_WINDOW_DAYS = 90


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct times and the Kaplan–Meier survival just after each (events before censoring).

    ``observed`` is True where the event (payment) happened at ``durations``, False where the
    observation stops there without it (still open at the horizon).
    """
    order = np.argsort(durations, kind="stable")
    t = np.asarray(durations, float)[order]
    events = np.asarray(observed, bool)[order].astype(float)
    times, first = np.unique(t, return_index=True)
    at_risk = t.size - first
    happened = np.add.reduceat(events, first) if t.size else events
    return times, np.cumprod(1.0 - happened / at_risk)


def km_mean(times: np.ndarray, survival: np.ndarray) -> float:
    """Area under the survival curve from 0 to the longest time observed (restricted mean)."""
    if times.size == 0:
        return float("nan")
    steps = np.diff(times)
    return float(times[0] + np.sum(survival[:-1] * steps))


def km_quantile(times: np.ndarray, survival: np.ndarray, q: float) -> float:
    """The first time by which a share ``q`` has had the event (NaN if not reached)."""
    reached = np.flatnonzero(survival <= 1.0 - q + 1e-12)
    return float(times[reached[0]]) if reached.size else float("nan")


def money_kpis(scenario: Scenario, done: np.ndarray, money: Collections) -> dict[str, float]:
    """DSO, work in progress, days to cash, receivables, bad debt, discounts, fees, admin."""
    n_days = scenario.n_days
    horizon = n_days * DAY
    receivables, collected, written_off = receivables_by_day(done, money, n_days)
    unbilled, billed_open, billed = billed_by_day(done, money, n_days)
    completed = np.isfinite(done)
    earned = np.bincount(
        (done[completed] // DAY).astype(int), money.amount[completed], minlength=n_days
    )[:n_days]
    first = max(int(np.ceil(scenario.warmup / DAY)), n_days - DSO_WINDOW_DAYS)
    daily_revenue = earned[first:].mean()
    daily_billed = billed[first:].mean()
    in_window = completed & (done >= scenario.warmup)
    cashed = in_window & (money.paid <= horizon)
    to_cash = (money.paid[cashed] - done[cashed]) / DAY
    known = in_window & ~(money.written_off <= horizon)  # written off: known never to pay
    waited = (np.minimum(money.paid[known], horizon) - done[known]) / DAY
    times, survival = kaplan_meier(waited, money.paid[known] <= horizon)
    discounts = np.where(money.paid <= horizon, money.discount, 0.0)
    nan = float("nan")
    return {
        "revenue_horizon": float(earned.sum()),
        "collections": float(collected.sum() - discounts.sum()),
        "dso_days": float(billed_open[first:].mean() / daily_billed) if daily_billed > 0 else nan,
        "wip_days": float(unbilled[first:].mean() / daily_revenue) if daily_revenue > 0 else nan,
        "days_to_cash_mean": km_mean(times, survival),
        "days_to_cash_p90": km_quantile(times, survival, 0.9),
        "days_to_cash_paid_mean": float(to_cash.mean()) if to_cash.size else nan,
        "days_to_cash_censored_share": float(np.mean(money.paid[known] > horizon))
        if known.any()
        else nan,
        "receivables_end": float(receivables[-1]),
        "bad_debt": float(written_off.sum()),
        "early_payment_discounts": float(discounts.sum()),
        "admin_hours": float(money.admin_minutes[in_window].sum() / 60.0),
        "card_fees": float(money.card_fee[completed].sum()),
        "on_site_payment_share": float(money.on_site[in_window].mean()) if in_window.any() else nan,
        "invoice_errors": float(money.error[in_window].sum()),
    }
