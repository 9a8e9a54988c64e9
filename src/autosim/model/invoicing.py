"""Invoicing and collections: from a finished job to money in the bank.

Nothing here queues (the office is not modelled as a capacity), so the whole path is computed
vectorised from the table of completed jobs after the dispatch run: when the invoice goes out
(at the next weekly office run, or on site from a tablet), whether it has to be re-issued, whether
the customer pays on the spot by card, when they pay otherwise, and who never pays. It is the
accounts clerk's ledger, filled in all at once.

Two kinds of money are owed to the business between a job's end and its payment. Work done but
not yet invoiced is *work in progress* (unbilled); an invoice sent and not yet paid or written off
is a *billed receivable* — the accountant's accounts receivable, from which DSO is computed.
:func:`receivables_by_day` tracks their sum (everything earned and not yet settled), for which
Little's law holds exactly (average = daily revenue x mean days from completion to cash);
:func:`billed_by_day` splits it. An early-payment discount settles the whole invoice for less
cash: the receivable goes, the discount is a cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autosim.model.timetable import DAY

__all__ = ["Collections", "billed_by_day", "collect", "receivables_by_day"]


@dataclass(frozen=True)
class Collections:
    """The money path of every job (NaN / inf where it does not happen)."""

    invoiced: np.ndarray  # final (correct) invoice sent, minutes
    paid: np.ndarray  # cash received, minutes (inf: never)
    written_off: np.ndarray  # written off as bad debt, minutes (inf: not bad debt)
    amount: np.ndarray
    card_fee: np.ndarray
    admin_minutes: np.ndarray
    on_site: np.ndarray
    error: np.ndarray
    discount: np.ndarray  # early-payment discount kept by the customer (cash = amount - it)


def collect(
    done: np.ndarray,
    amount: np.ndarray,
    *,
    mobile: np.ndarray,
    batch_every: np.ndarray,
    admin_minutes: np.ndarray,
    error: np.ndarray,
    rework_delay: np.ndarray,
    pays_on_site: np.ndarray,
    card_fee_rate: float,
    terms: np.ndarray,
    paid_after_due: np.ndarray,
    bad_debt: np.ndarray,
    write_off_after: float,
    early_discount: np.ndarray | None = None,
) -> Collections:
    """Invoice, payment and write-off times of completed jobs (``done`` finite).

    All arguments are per-job arrays already decided for this variant (who used mobile
    invoicing, who has an invoice error, who is a bad payer...), so this is pure arithmetic.
    Manual invoices go out at the first office run (every ``batch_every`` minutes from the
    start) at or after completion; mobile invoices at completion. An erroneous invoice is
    re-issued after ``rework_delay`` and the payment terms run from the correct one.
    ``early_discount`` is the discount rate of the customers who take an early-payment
    discount (0 elsewhere); it is granted only on invoices they actually pay.
    """
    completed = np.isfinite(done)
    runs = np.ceil(done / batch_every) * batch_every
    first = np.where(mobile, done, runs)
    invoiced = np.where(error, first + rework_delay, first)
    on_site = completed & mobile & pays_on_site
    never = completed & ~on_site & bad_debt
    due = invoiced + terms
    paid = np.where(on_site, done, due + paid_after_due)
    paid = np.where(never | ~completed, np.inf, paid)
    written_off = np.where(never, invoiced + write_off_after, np.inf)
    office = completed & ~mobile
    admin = np.where(office, admin_minutes * np.where(error, 2.0, 1.0), 0.0)
    fee = np.where(on_site, amount * card_fee_rate, 0.0)
    pays_later = completed & ~on_site & ~never
    rate = np.zeros(done.size) if early_discount is None else early_discount
    discount = np.where(pays_later, amount * rate, 0.0)
    return Collections(
        invoiced=np.where(completed, invoiced, np.nan),
        paid=paid,
        written_off=written_off,
        amount=np.where(completed, amount, 0.0),
        card_fee=fee,
        admin_minutes=admin,
        on_site=on_site,
        error=completed & error,
        discount=discount,
    )


def _day(t: np.ndarray, n_days: int) -> np.ndarray:
    """Day index of each time, with times beyond the horizon (or inf) put in day ``n_days``."""
    return np.minimum(np.floor(np.where(np.isfinite(t), t, n_days * DAY) / DAY), n_days).astype(int)


def receivables_by_day(
    done: np.ndarray, money: Collections, n_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """End-of-day receivables, daily collections and daily write-offs over the horizon."""
    completed = np.isfinite(done)
    amount = money.amount[completed]
    earned = np.bincount(_day(done[completed], n_days), amount, minlength=n_days + 1)
    collected = np.bincount(_day(money.paid[completed], n_days), amount, minlength=n_days + 1)
    lost = np.bincount(_day(money.written_off[completed], n_days), amount, minlength=n_days + 1)
    receivables = np.cumsum(earned - collected - lost)[:n_days]
    return receivables, collected[:n_days], lost[:n_days]


def billed_by_day(
    done: np.ndarray, money: Collections, n_days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """End-of-day unbilled work, end-of-day billed receivables and revenue billed per day.

    Billed means the correct invoice has gone out (an erroneous one counts from its re-issue);
    a job paid on site is billed and paid at once. Unbilled + billed = :func:`receivables_by_day`.
    """
    completed = np.isfinite(done)
    amount = money.amount[completed]
    days = n_days + 1
    earned = np.bincount(_day(done[completed], n_days), amount, minlength=days)
    billed = np.bincount(_day(money.invoiced[completed], n_days), amount, minlength=days)
    settled = np.bincount(_day(money.paid[completed], n_days), amount, minlength=days)
    settled += np.bincount(_day(money.written_off[completed], n_days), amount, minlength=days)
    unbilled = np.cumsum(earned - billed)[:n_days]
    return unbilled, np.cumsum(billed - settled)[:n_days], billed[:n_days]
