"""The whole business's cash ledger, and the money KPIs read from it.

Every cash movement lands on its day: customers' payments (not revenue: money arrives when they
pay), card fees, technicians' and dispatchers' wages with overtime, office time spent on
invoices, fixed monthly costs, and what each automation costs (up front, monthly, per use).
Revenue earned at completion stays available as an accrual KPI, and the receivables between the
two are tracked day by day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from autosim.model.automation import AutomatedPaths
from autosim.model.demand import Jobs, U
from autosim.model.finance import Ledger, month_starts
from autosim.model.inventory.books import STOCK_FLOWS
from autosim.model.invoicing import Collections, collect, receivables_by_day
from autosim.model.timetable import DAY, Timetable
from autosim.scenario.schema import Automation, Scenario

__all__ = ["DSO_WINDOW_DAYS", "LedgerInputs", "build_ledger", "collections_of", "money_kpis"]

#: DSO is measured over the last 90 days of the horizon (or all days after the warm-up).
DSO_WINDOW_DAYS = 90


def collections_of(
    scenario: Scenario,
    jobs: Jobs,
    paths: AutomatedPaths,
    rows: np.ndarray,
    done: np.ndarray,
    amount: np.ndarray,
) -> Collections:
    """The money path of the jobs ``rows`` of the whole table ``jobs`` (``done``/``amount``
    are per job of ``rows``, in the same order).

    Without an ``invoicing`` section customers pay at completion (cash = revenue).
    """
    inv = scenario.invoicing
    n = done.size
    if inv is None:
        completed = np.isfinite(done)
        return Collections(
            invoiced=done,
            paid=np.where(completed, done, np.inf),
            written_off=np.full(n, np.inf),
            amount=np.where(completed, amount, 0.0),
            card_fee=np.zeros(n),
            admin_minutes=np.zeros(n),
            on_site=completed,
            error=np.zeros(n, bool),
        )
    active = rows
    u_all = jobs.u  # the mix works on the whole job table; the rows are read back
    u = u_all[active]

    def full(value: object) -> np.ndarray:
        return np.full(len(jobs), value)

    def mixed(path: str, to_array) -> np.ndarray:
        return paths.mix(path, to_array)[active]

    segments = [jt.segment for jt in scenario.dispatch.job_types]
    pay = [inv.payment_for(seg) for seg in segments]
    t = jobs.type_idx[active]
    terms = np.array([float(p.terms) for p in pay])[t]
    late = np.zeros(n)
    bad = np.zeros(n, bool)
    for idx, p in enumerate(pay):
        mask = t == idx
        late[mask] = p.paid_after_due.ppf(u[mask, U.PAYMENT])
        bad[mask] = u[mask, U.BAD_DEBT] < float(p.bad_debt_prob)
    return collect(
        done,
        amount,
        mobile=mixed("invoicing.mode", lambda m: full(m == "mobile")),
        batch_every=mixed("invoicing.batch_every", full),
        admin_minutes=mixed("invoicing.admin_time_per_invoice", lambda d: d.ppf(u_all[:, U.ADMIN])),
        error=u[:, U.INVOICE_ERROR] < mixed("invoicing.error_rate", full),
        rework_delay=mixed("invoicing.rework_delay", lambda d: d.ppf(u_all[:, U.REWORK])),
        pays_on_site=u[:, U.CARD] < mixed("invoicing.card_payment_share", full),
        card_fee_rate=float(inv.card_fee_rate),
        terms=terms,
        paid_after_due=late,
        bad_debt=bad,
        write_off_after=float(inv.write_off_after),
    )


def money_kpis(scenario: Scenario, done: np.ndarray, money: Collections) -> dict[str, float]:
    """DSO, days to cash, receivables, bad debt, admin hours and card fees."""
    n_days = scenario.n_days
    horizon = n_days * DAY
    receivables, collected, written_off = receivables_by_day(done, money, n_days)
    completed = np.isfinite(done)
    earned = np.bincount(
        (done[completed] // DAY).astype(int), money.amount[completed], minlength=n_days
    )[:n_days]
    first = max(int(np.ceil(scenario.warmup / DAY)), n_days - DSO_WINDOW_DAYS)
    daily_revenue = earned[first:].mean()
    in_window = completed & (done >= scenario.warmup)
    cashed = in_window & (money.paid <= horizon)
    to_cash = (money.paid[cashed] - done[cashed]) / DAY
    return {
        "revenue_horizon": float(earned.sum()),
        "collections": float(collected.sum()),
        "dso_days": float(receivables[first:].mean() / daily_revenue)
        if daily_revenue > 0
        else float("nan"),
        "days_to_cash_mean": float(to_cash.mean()) if to_cash.size else float("nan"),
        "days_to_cash_p90": float(np.quantile(to_cash, 0.9)) if to_cash.size else float("nan"),
        "receivables_end": float(receivables[-1]),
        "bad_debt": float(written_off.sum()),
        "admin_hours": float(money.admin_minutes[in_window].sum() / 60.0),
        "card_fees": float(money.card_fee[completed].sum()),
        "on_site_payment_share": float(money.on_site[in_window].mean())
        if in_window.any()
        else float("nan"),
        "invoice_errors": float(money.error[in_window].sum()),
    }


@dataclass(frozen=True)
class LedgerInputs:
    """What the ledger needs from one variant's run (arrays over its active jobs)."""

    done: np.ndarray
    assign: np.ndarray
    overtime: np.ndarray
    call: np.ndarray
    money: Collections
    automation_masks: tuple[np.ndarray, ...]
    automations: tuple[Automation, ...]
    stock_flows: Mapping[str, np.ndarray] | None = None  # online sales, refunds, purchases
    starts: tuple[float, ...] = ()  # purchase time (minutes) per automation; () = day 0


def _per_day(times: np.ndarray, weights: np.ndarray | None, n_days: int) -> np.ndarray:
    """Sum weights by day, ignoring times outside the horizon."""
    keep = np.isfinite(times) & (times < n_days * DAY)
    w = None if weights is None else weights[keep]
    return np.bincount((times[keep] // DAY).astype(int), w, minlength=n_days)[:n_days]


def _touches_calls(auto: Automation) -> bool:
    """Automations that change dispatch are used per call; the others per completed job."""
    return any(path.startswith("dispatch.") for path in auto.effects) or not auto.effects


def _subscription(
    automation: np.ndarray, auto: Automation, start: float, month_starts_: np.ndarray
) -> None:
    """Charge the up-front cost on the purchase day, the monthly fee then and each later first.

    Bought on day 0 this is the first-of-month billing of every other cost; bought at or after
    the end of the horizon (a roadmap phase cut off by a shorter run) it costs nothing.
    """
    day = int(start // DAY)
    if day >= automation.size:
        return
    automation[day] -= float(auto.costs.upfront)
    automation[np.union1d([day], month_starts_[month_starts_ > day])] -= float(auto.costs.monthly)


def build_ledger(
    scenario: Scenario, inputs: LedgerInputs, shift: Timetable, office: Timetable
) -> Ledger:
    """Daily cash flows of one variant (money in positive, out negative)."""
    n_days = scenario.n_days
    techs = scenario.dispatch.technicians
    intake = scenario.dispatch.intake
    money = inputs.money

    wage = float(techs.wage_per_hour)
    regular = techs.count * wage * shift.open_minutes_per_day(n_days) / 60.0
    overtime_pay = inputs.overtime / 60.0 * wage * float(techs.overtime_multiplier)
    office_hours = office.open_minutes_per_day(n_days) / 60.0
    office_pay = intake.dispatchers * float(intake.wage_per_hour) * office_hours
    wages = -(regular + _per_day(inputs.assign, overtime_pay, n_days) + office_pay)

    admin_wage = (
        0.0 if scenario.invoicing is None else float(scenario.invoicing.admin_wage_per_hour)
    )
    admin = -_per_day(money.invoiced, money.admin_minutes / 60.0 * admin_wage, n_days)

    starts = month_starts(scenario.calendar.start_date, n_days)
    fixed = np.zeros(n_days)
    fixed[starts] = -float(scenario.finance.fixed_monthly_costs)

    automation = np.zeros(n_days)
    completed = np.isfinite(inputs.done)
    bought = inputs.starts or (0.0,) * len(inputs.automations)
    for auto, mask, start in zip(inputs.automations, inputs.automation_masks, bought, strict=True):
        _subscription(automation, auto, start, starts)
        when = inputs.call[mask] if _touches_calls(auto) else inputs.done[mask & completed]
        automation -= _per_day(when, None, n_days) * float(auto.costs.per_transaction)

    flows = {
        "collections": _per_day(money.paid, money.amount, n_days),
        "card_fees": -_per_day(inputs.done, money.card_fee, n_days),
        "wages": wages,
        "admin_wages": admin,
        "fixed_costs": fixed,
        "automation": automation,
    }
    for name in STOCK_FLOWS:  # zero without an inventory section
        flows[name] = inputs.stock_flows[name] if inputs.stock_flows else np.zeros(n_days)
    return Ledger(flows, float(scenario.finance.opening_balance))
