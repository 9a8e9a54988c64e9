"""The KPI catalogue, and the KPIs of one replication computed from recorded job arrays.

One catalogue names every KPI with its unit and meaning; the README's table, ``autosim kpis``,
the goals of a strategy and the columns of ``replications.parquet`` all come from it, so they
cannot drift apart. KPIs that can be broken down appear again as
``name[segment=residential]`` and ``name[job_type=emergency]`` columns (stock KPIs as
``name[item=fittings]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["CATALOGUE", "KPI", "catalogue_markdown", "column", "job_kpis", "kpi"]


@dataclass(frozen=True)
class KPI:
    """One key performance indicator."""

    name: str
    unit: str
    meaning: str
    better: str = ""  # "higher", "lower" or "" (neither)
    by: tuple[str, ...] = ()  # breakdowns available: "segment", "job_type", "item"
    group: str = "dispatch"


_BY = ("segment", "job_type")

CATALOGUE: tuple[KPI, ...] = (
    KPI("jobs_called", "jobs", "calls received (jobs requested) in the KPI window", "", _BY),
    KPI("jobs_completed", "jobs", "jobs finished within the horizon", "higher", _BY),
    KPI(
        "jobs_lost",
        "jobs",
        "customers who called a competitor: no technician assigned within their patience",
        "lower",
        _BY,
    ),
    KPI("lost_share", "share", "jobs lost / jobs called", "lower", _BY),
    KPI("response_time_mean_min", "min", "mean time from call to technician on site", "lower", _BY),
    KPI("response_time_p50_min", "min", "median response time", "lower", _BY),
    KPI("response_time_p90_min", "min", "90th percentile of response time", "lower", _BY),
    KPI("response_time_p95_min", "min", "95th percentile of response time", "lower", _BY),
    KPI(
        "within_target_share",
        "share",
        "jobs reached within their type's response target, out "
        "of jobs reached or lost (types with a target only)",
        "higher",
        _BY,
    ),
    KPI(
        "intake_time_mean_min",
        "min",
        "mean time from call to job ready for a technician (office queue, callbacks, handling)",
        "lower",
        _BY,
    ),
    KPI(
        "repeat_jobs",
        "jobs",
        "calls from returning customers (customer model)",
        "higher",
        _BY,
    ),
    KPI(
        "referral_jobs",
        "jobs",
        "calls from new customers referred by satisfied ones (customer model)",
        "higher",
        _BY,
    ),
    KPI("repeat_share", "share", "calls from returning customers / all calls", "higher", _BY),
    KPI(
        "satisfaction_mean",
        "share",
        "mean satisfaction of completed jobs: 1 minus penalties "
        "for lateness, invoice errors and impersonal contact (customer model)",
        "higher",
        _BY,
    ),
    KPI(
        "jobs_growth",
        "share",
        "completed jobs called in the last 90 days / those called in "
        "the first 90 days after warm-up, minus 1",
        "higher",
        _BY,
    ),
    KPI(
        "utilization",
        "share",
        "technician time busy (travel + work) within shifts / shift time",
        "",
    ),
    KPI("travel_share", "share", "travel time / busy time of technicians", "lower"),
    KPI(
        "overtime_hours",
        "h",
        "technician hours worked outside shifts (paid at the overtime rate)",
        "lower",
    ),
    KPI("office_hours", "h", "dispatcher hours spent taking calls", "lower"),
    KPI("revenue", "money", "revenue of jobs completed (accrual, at completion)", "higher", _BY),
    KPI(
        "revenue_horizon",
        "money",
        "revenue earned over the whole horizon, warm-up included (reconciles with cash)",
        "higher",
        (),
        "invoicing",
    ),
    KPI("collections", "money", "customer payments received (cash in)", "higher", (), "invoicing"),
    KPI(
        "dso_days",
        "days",
        "days sales outstanding over the last 90 days of the horizon: average receivables "
        "(earned, not yet collected or written off) / average daily revenue",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "days_to_cash_mean",
        "days",
        "mean days from job completion to payment (jobs paid within the horizon)",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "days_to_cash_p90",
        "days",
        "90th percentile of days from completion to payment",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "receivables_end",
        "money",
        "receivables at the end of the horizon (unbilled work included)",
        "lower",
        (),
        "invoicing",
    ),
    KPI("bad_debt", "money", "invoices written off within the horizon", "lower", (), "invoicing"),
    KPI(
        "admin_hours",
        "h",
        "office hours spent preparing and re-issuing invoices",
        "lower",
        (),
        "invoicing",
    ),
    KPI("card_fees", "money", "card fees on on-site payments", "lower", (), "invoicing"),
    KPI(
        "on_site_payment_share", "share", "completed jobs paid on site by card", "", (), "invoicing"
    ),
    KPI(
        "invoice_errors", "invoices", "invoices that had to be re-issued", "lower", (), "invoicing"
    ),
    KPI("wages", "money", "technician and dispatcher wages incl. overtime", "lower", (), "finance"),
    KPI(
        "automation_cost",
        "money",
        "up-front, monthly and per-transaction automation costs",
        "lower",
        (),
        "finance",
    ),
    KPI(
        "net_cash_flow", "money", "cash in minus cash out over the horizon", "higher", (), "finance"
    ),
    KPI(
        "profit",
        "money",
        "revenue minus all costs over the horizon (accrual)",
        "higher",
        (),
        "finance",
    ),
    KPI("min_cash_balance", "money", "lowest end-of-day cash balance", "higher", (), "finance"),
    KPI(
        "worst_month_cash",
        "money",
        "lowest month-end cash balance (the balance on each month's last simulated day)",
        "higher",
        (),
        "finance",
    ),
    KPI(
        "min_cash_day", "day", "day (from the start) of the lowest cash balance", "", (), "finance"
    ),
    KPI(
        "days_below_zero",
        "days",
        "days ending with a negative cash balance",
        "lower",
        (),
        "finance",
    ),
    KPI(
        "fill_rate",
        "share",
        "units demanded (parts for jobs and online orders) handed over from the shelf at once",
        "higher",
        ("item",),
        "inventory",
    ),
    KPI(
        "stockout_events",
        "events",
        "times an item's shelf ran out (counted once until a delivery restocks it)",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "oversells",
        "orders",
        "online orders accepted on a stale stock figure for items already gone: cancelled, "
        "refunded, unhappy customer",
        "lower",
        ("item",),
        "inventory",
    ),
    KPI(
        "lost_sales",
        "units",
        "units of online orders lost because the item was (or was shown) out of stock",
        "lower",
        ("item",),
        "inventory",
    ),
    KPI(
        "online_revenue",
        "money",
        "online sales at price, less the oversold orders refunded",
        "higher",
        (),
        "inventory",
    ),
    KPI(
        "avg_stock_value",
        "money",
        "time-average stock on hand at unit cost",
        "",
        (),
        "inventory",
    ),
    KPI(
        "cash_in_stock",
        "money",
        "cash tied up in stock: average end-of-day stock at cost less unpaid supplier bills "
        "(negative: suppliers' credit more than funds the shelf)",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "holding_cost",
        "money",
        "cost of holding stock (capital, space, shrinkage) at each item's yearly rate; not a "
        "cash flow",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "ordering_cost",
        "money",
        "fixed cost of the replenishment orders placed",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "orders_placed", "orders", "replenishment orders placed with suppliers", "", (), "inventory"
    ),
    KPI(
        "inventory_turns",
        "per year",
        "cost of units used or sold per year / average stock value",
        "higher",
        (),
        "inventory",
    ),
    KPI(
        "supply_trips",
        "jobs",
        "jobs where a technician drove to the supply house for a part missing from the shelf",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "return_visits",
        "jobs",
        "jobs completed on a second visit because a part was missing",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "roi",
        "ratio",
        "(net cash flow with the automation − without) / automation cost, same "
        "replication; 0.5 = the automation returned its cost plus 50%",
        "higher",
        (),
        "versus",
    ),
    KPI(
        "npv",
        "money",
        "net present value of the monthly cash-flow difference against the "
        "baseline, at the scenario's discount rate",
        "higher",
        (),
        "versus",
    ),
    KPI(
        "payback_months",
        "months",
        "months until the cumulative cash-flow difference against "
        "the baseline turns and stays positive (inf: not within the horizon)",
        "lower",
        (),
        "versus",
    ),
    KPI(
        "automation_upfront",
        "money",
        "up-front cost of the variant's automations (for the budget constraint)",
        "lower",
        (),
        "versus",
    ),
    KPI(
        "net_benefit",
        "money",
        "net cash flow difference against the baseline over the horizon",
        "higher",
        (),
        "versus",
    ),
    KPI(
        "cash_floor_day",
        "day",
        "first day (from the start) ending with cash below the strategy's min_cash_balance "
        "(empty: never; only when the strategy sets that floor)",
        "",
        (),
        "versus",
    ),
)

_BY_NAME = {k.name: k for k in CATALOGUE}


def kpi(name: str) -> KPI:
    """Look a KPI up by name (KeyError listing the catalogue otherwise)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown KPI {name!r}; known: {', '.join(_BY_NAME)}") from None


def column(name: str, by: str | None = None, value: str | None = None) -> str:
    """Column name of a KPI, optionally broken down: ``response_time_p90_min[segment=home]``."""
    return name if by is None else f"{name}[{by}={value}]"


def period_suffix(days: int | None) -> str:
    """Suffix of a KPI column measured over the last ``days`` days only: ``@last90d``."""
    return "" if days is None else f"@last{days}d"


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (the README embeds exactly this)."""
    rows = ["| KPI | unit | better | by | meaning |", "|---|---|---|---|---|"]
    for k in CATALOGUE:
        by = ", ".join(k.by) or "—"
        rows.append(f"| `{k.name}` | {k.unit} | {k.better or '—'} | {by} | {k.meaning} |")
    return "\n".join(rows)


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
