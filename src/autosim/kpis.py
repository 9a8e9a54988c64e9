"""The KPI catalogue: every KPI's name, unit, meaning and better direction, and column names.

One catalogue names every KPI with its unit and meaning; the README's table, ``autosim kpis``,
the goals of a strategy and the columns of ``replications.parquet`` all come from it, so they
cannot drift apart. KPIs that can be broken down appear again as
``name[segment=residential]`` and ``name[job_type=emergency]`` columns (stock KPIs as
``name[item=fittings]``). The per-job KPIs are computed in :mod:`autosim.model.job_kpis`, the
money KPIs in :mod:`autosim.model.receivables` and :mod:`autosim.model.ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOGUE", "KPI", "catalogue_markdown", "column", "kpi", "period_suffix"]


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
    KPI(
        "response_time_mean_min",
        "min",
        "mean time from call to technician on site, among calls that were reached (lost "
        "calls left out: see within_target_share, response_time_all_p90_min)",
        "lower",
        _BY,
    ),
    KPI("response_time_p50_min", "min", "median response time of the calls reached", "lower", _BY),
    KPI("response_time_p90_min", "min", "P90 response time of the calls reached", "lower", _BY),
    KPI("response_time_p95_min", "min", "P95 response time of the calls reached", "lower", _BY),
    # response_time_all_p50_min, ..._p90_min, ..._p95_min: every call counted
    *(
        KPI(
            f"response_time_all_p{p}_min",
            "min",
            f"time within which {p}% of all calls (reached or lost) were reached, a lost call "
            f"counting as never reached (inf: more than {100 - p}% were lost)",
            "lower",
            _BY,
        )
        for p in (50, 90, 95)
    ),
    KPI(
        "within_target_share",
        "share",
        "share of all calls reached within their type's response target, a lost call counting "
        "as not reached: out of calls reached or lost (types with a target only)",
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
        "days sales outstanding as accountants compute it, over the last 90 days: average "
        "billed receivables (invoiced, not yet paid or written off) / revenue billed per day",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "wip_days",
        "days",
        "work done, not yet invoiced (last 90 days): average / revenue earned per day",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "days_to_cash_mean",
        "days",
        "mean days from completion to payment (Kaplan–Meier: unpaid jobs censored, not dropped)",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "days_to_cash_p90",
        "days",
        "90th percentile of days from completion to payment (Kaplan–Meier, as the mean)",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "days_to_cash_paid_mean",
        "days",
        "the old days_to_cash_mean: jobs paid within the horizon only (biased low)",
        "lower",
        (),
        "invoicing",
    ),
    KPI(
        "days_to_cash_censored_share",
        "share",
        "completed jobs still unpaid at the horizon (censored in days_to_cash_mean)",
        "",
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
        "early_payment_discounts",
        "money",
        "early-payment discounts kept by customers who paid within the window",
        "lower",
        (),
        "invoicing",
    ),
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
        "automation cash paid within the horizon: the purchase as financed (up front, down "
        "payment and loan instalments, or lease payments), monthly and per-transaction fees",
        "lower",
        (),
        "finance",
    ),
    KPI(
        "financing_owed_end",
        "money",
        "owed at the horizon end on loans (principal) and leases (payments and residual)",
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
        "cash tied up in stock: average end-of-day stock at cost already paid for (each "
        "item's stock less its unpaid bills, first in first out; 0 when suppliers' credit "
        "covers the whole shelf)",
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
        "(net cash flow with the automation − without) / automation_cost, same replication, "
        "within the horizon; a ratio, shown as a percentage: 0.5 = +50%, the automation "
        "returned its cost plus 50%",
        "higher",
        (),
        "versus",
    ),
    KPI(
        "npv",
        "money",
        "net present value of the monthly cash-flow difference against the baseline (month m "
        "dated m months from the start; financing owed after the horizon included)",
        "higher",
        (),
        "versus",
    ),
    KPI(
        "payback_months",
        "months",
        "first month-point (month m dated m, as NPV) from which the cumulative cash-flow "
        "difference against the baseline stays >= 0; whole months (inf: never)",
        "lower",
        (),
        "versus",
    ),
    KPI(
        "irr",
        "per year",
        "internal rate of return of the monthly stream npv discounts, annualised: (1 + monthly)"
        "^12 - 1 (empty when undefined, e.g. no change of sign)",
        "higher",
        (),
        "versus",
    ),
    KPI(
        "automation_upfront",
        "money",
        "cash paid for the variant's purchases on their day (the price, a loan's down payment, "
        "0 for a lease): for the budget constraint",
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
