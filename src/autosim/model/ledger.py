"""The whole business's cash ledger: every cash movement of one variant on its day.

Customers' payments (not revenue: money arrives when they pay, less any early-payment discount),
card fees, technicians' and dispatchers' wages with overtime, office time spent on invoices,
fixed monthly costs, and what each automation costs — its purchase as financed (up front, a
loan's down payment and instalments, or lease payments: :mod:`autosim.model.financing`), its
monthly fee and its per-use fees. Which customer pays when is decided here from the scenario's
payment terms (:func:`collections_of`); the money KPIs read off that path live in
:mod:`autosim.model.receivables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from autosim.model.automation import AutomatedPaths
from autosim.model.demand import Jobs, U
from autosim.model.finance import Ledger, month_starts
from autosim.model.financing import later_payments, purchase_payments
from autosim.model.inventory.books import STOCK_FLOWS
from autosim.model.invoicing import Collections, collect
from autosim.model.timetable import DAY, Timetable
from autosim.scenario.invoicing_schema import Payment
from autosim.scenario.schema import Automation, Scenario

__all__ = ["LedgerInputs", "build_ledger", "collections_of", "financing_owed", "payment_delays"]


def payment_delays(payment: Payment, u: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Delay after the due date (or, for early payers, after the invoice) from each invoice's
    payment uniform, and who takes the early-payment discount (None: nobody is offered one).

    The uniform is split, not redrawn: below ``share`` the customer takes the discount and pays
    ``within * u / share`` after the invoice; above it ``(u - share) / (1 - share)`` is the
    lateness quantile. Without an offer the lateness is read from ``u`` itself, as always.
    """
    early = payment.early_payment
    if early is None or float(early.share) <= 0:
        return payment.paid_after_due.ppf(u), None
    share = float(early.share)
    takes = u < share
    rest = np.clip((u - share) / max(1.0 - share, 1e-12), 0.0, np.nextafter(1.0, 0.0))
    delay = np.where(takes, float(early.within) * u / share, payment.paid_after_due.ppf(rest))
    return delay, takes


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
            discount=np.zeros(n),
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
    discount = np.zeros(n)
    for idx, p in enumerate(pay):
        mask = t == idx
        late[mask], early = payment_delays(p, u[mask, U.PAYMENT])
        bad[mask] = u[mask, U.BAD_DEBT] < float(p.bad_debt_prob)
        if early is not None:  # takers pay within the window from the invoice, not the due date
            terms[np.flatnonzero(mask)[early]] = 0.0
            discount[np.flatnonzero(mask)[early]] = float(p.early_payment.discount)
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
        early_discount=discount,
    )


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
    automation: np.ndarray,
    auto: Automation,
    start: float,
    month_starts_: np.ndarray,
    scenario: Scenario,
) -> None:
    """Charge the purchase as financed from the purchase day (within the horizon), and the
    monthly fee on the purchase day and each later first of the month.

    Bought on day 0 this is the first-of-month billing of every other cost; bought at or after
    the end of the horizon (a roadmap phase cut off by a shorter run) it costs nothing.
    """
    day = int(start // DAY)
    if day >= automation.size:
        return
    pay = purchase_payments(auto, scenario.calendar.start_date, day)
    within = pay.day < automation.size
    np.subtract.at(automation, pay.day[within], pay.amount[within])
    automation[np.union1d([day], month_starts_[month_starts_ > day])] -= float(auto.costs.monthly)


def financing_owed(scenario: Scenario, inputs: LedgerInputs) -> float:
    """What the variant still owes for its purchases at the horizon end (loans, leases)."""
    later = later_payments(
        inputs.automations, inputs.starts, scenario.calendar.start_date, scenario.n_days
    )
    return later.owed


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
        _subscription(automation, auto, start, starts, scenario)
        when = inputs.call[mask] if _touches_calls(auto) else inputs.done[mask & completed]
        automation -= _per_day(when, None, n_days) * float(auto.costs.per_transaction)

    flows = {
        "collections": _per_day(money.paid, money.amount - money.discount, n_days),
        "card_fees": -_per_day(inputs.done, money.card_fee, n_days),
        "wages": wages,
        "admin_wages": admin,
        "fixed_costs": fixed,
        "automation": automation,
    }
    for name in STOCK_FLOWS:  # zero without an inventory section
        flows[name] = inputs.stock_flows[name] if inputs.stock_flows else np.zeros(n_days)
    return Ledger(flows, float(scenario.finance.opening_balance))
