"""The catalogue's money KPIs: invoicing and collections, cash and finance, and the comparison
with the baseline (ROI, NPV, payback).

They are computed in :mod:`autosim.model.receivables` and :mod:`autosim.model.ledger` (one
variant) and in the experiment layer (against the baseline, group ``versus``).
"""

from __future__ import annotations

from autosim.kpis.base import KPI

__all__ = ["MONEY", "VERSUS"]

MONEY: tuple[KPI, ...] = (
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
)

VERSUS: tuple[KPI, ...] = (
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
