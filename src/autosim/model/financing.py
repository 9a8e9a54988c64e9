"""Paying for an automation: the dated payments of cash up front, a loan or a lease.

Owns when the purchase itself is paid for, whatever the automation then does. The purchase day
is the automation's start — day 0, or its roadmap phase — the day ``costs.upfront`` has always
been charged. Paid up front, the whole price goes that day. With a loan, the down payment goes
that day and the rest is an annuity: equal instalments at ``rate / 12`` a month, the first one
month after the purchase, on the same day of the month (the month's last day when it is
shorter). A lease replaces the purchase: ``term`` monthly payments in advance (the first on
the purchase day) and the residual one term after the purchase.

Payments falling after the horizon are not simulated cash, but the business has signed for them:
:func:`later_payments` returns them by month (NPV, IRR and payback count them) and the amount
still owed at the horizon end (loan principal outstanding, lease payments and residual unpaid).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autosim.model.timetable import DAY
from autosim.scenario.schema import Automation

__all__ = [
    "LaterPayments",
    "LoanSchedule",
    "PurchasePayments",
    "later_payments",
    "loan_schedule",
    "purchase_days",
    "purchase_payments",
    "upfront_outlay",
]


@dataclass(frozen=True)
class LoanSchedule:
    """An annuity loan, instalment by instalment (the first one month after the loan)."""

    payment: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    balance: np.ndarray  # outstanding after each instalment


def loan_schedule(amount: float, annual_rate: float, months: int) -> LoanSchedule:
    """Equal monthly instalments repaying ``amount`` over ``months`` at ``annual_rate / 12``.

    Payment ``A i / (1 - (1 + i)^-n)`` (``A / n`` at a zero rate); each instalment pays the
    month's interest on the balance first, the rest repays principal.
    """
    i = annual_rate / 12.0
    pay = amount / months if i == 0 else amount * i / (1.0 - (1.0 + i) ** -months)
    interest = np.empty(months)
    balance = np.empty(months)
    owed = amount
    for k in range(months):
        interest[k] = owed * i
        owed -= pay - interest[k]
        balance[k] = owed
    payment = np.full(months, pay)
    return LoanSchedule(payment, interest, payment - interest, balance)


@dataclass(frozen=True)
class PurchasePayments:
    """One automation's purchase payments: day (from the start), amount, and debt part."""

    day: np.ndarray  # int, may lie beyond the horizon
    amount: np.ndarray  # paid (positive)
    owed: np.ndarray  # the part that is a debt until paid: loan principal, lease payments


def _month_later(start_date: dt.date, day: int, months: int) -> int:
    """The day (from the start) ``months`` calendar months after ``day``, same day of month."""
    date = start_date + dt.timedelta(days=day)
    year, month0 = divmod(date.month - 1 + months, 12)
    year += date.year
    last = calendar.monthrange(year, month0 + 1)[1]
    return (dt.date(year, month0 + 1, min(date.day, last)) - start_date).days


def purchase_payments(auto: Automation, start_date: dt.date, day: int) -> PurchasePayments:
    """What buying ``auto`` on ``day`` costs, when (see the module docstring for the rules)."""
    financing = auto.financing
    upfront = float(auto.costs.upfront)
    if financing.kind == "upfront":
        return PurchasePayments(np.array([day]), np.array([upfront]), np.zeros(1))
    n = financing.months
    if financing.kind == "loan":
        down = float(financing.down_payment or 0.0)
        loan = loan_schedule(upfront - down, float(financing.rate), n)
        days = [day] + [_month_later(start_date, day, k) for k in range(1, n + 1)]
        return PurchasePayments(
            np.array(days), np.r_[down, loan.payment], np.r_[0.0, loan.principal]
        )
    monthly = float(financing.monthly)
    days = [_month_later(start_date, day, k) for k in range(n + 1)]
    amount = np.r_[np.full(n, monthly), float(financing.residual or 0.0)]
    return PurchasePayments(np.array(days), amount, amount.copy())


def upfront_outlay(auto: Automation) -> float:
    """Cash paid for the purchase itself on its day: the price, a down payment, or 0 (lease)."""
    kind = auto.financing.kind
    if kind == "upfront":
        return float(auto.costs.upfront)
    return float(auto.financing.down_payment or 0.0) if kind == "loan" else 0.0


def purchase_days(starts: Sequence[float], n: int) -> tuple[int, ...]:
    """Purchase day of each of ``n`` automations (``starts`` in minutes; empty: all day 0)."""
    return tuple(int(s // DAY) for s in (starts or (0.0,) * n))


@dataclass(frozen=True)
class LaterPayments:
    """Purchase payments after the horizon: per calendar month (0 = the first simulated
    month), and what is still owed at the horizon end."""

    month: np.ndarray
    amount: np.ndarray
    owed: float


def later_payments(
    automations: Sequence[Automation],
    starts: Sequence[float],
    start_date: dt.date,
    n_days: int,
) -> LaterPayments:
    """Payments the variant's purchases still call for after the last simulated day.

    Automations bought at or after the horizon's end (a roadmap phase cut off by a shorter run)
    are not bought at all, as in the ledger.
    """
    months: list[int] = []
    amounts: list[float] = []
    owed = 0.0
    first = start_date.year * 12 + start_date.month
    for auto, day in zip(automations, purchase_days(starts, len(automations)), strict=True):
        if day >= n_days:
            continue
        pay = purchase_payments(auto, start_date, day)
        later = pay.day >= n_days
        owed += float(pay.owed[later].sum())
        for d, amount in zip(pay.day[later], pay.amount[later], strict=True):
            date = start_date + dt.timedelta(days=int(d))
            months.append(date.year * 12 + date.month - first)
            amounts.append(float(amount))
    return LaterPayments(np.array(months, int), np.array(amounts, float), owed)
