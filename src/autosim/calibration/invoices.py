"""From an invoice register to the scenario's money path: delays, lateness, bad debt, card share.

The accounts clerk knows, for every invoice, when the work was done, when the invoice went out,
when it was due, when (and whether) it was paid and how. This module reads those back into the
scenario's ``invoicing`` section: the office's invoicing rhythm (``batch_every``), each segment's
``terms``, how late customers pay after the due date (``paid_after_due``), the share that never
pays (``bad_debt_prob``) and the share paying on site by card (``card_payment_share``).

Invoices still open when the register was exported are not thrown away: a customer who has not
paid 40 days after the due date is evidence of slow payers and of bad debt. Lateness is fitted
with those open invoices as right-censored values and a share that never pays (see
:mod:`autosim.calibration.fitting`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from autosim.calibration.fitting import FitResult, fit_distribution
from autosim.calibration.jobs import share_interval
from autosim.calibration.table import RecordTable

__all__ = ["InvoicesFit", "SegmentPayment", "fit_invoices"]

_DAY = pd.Timedelta(days=1)
_BATCH_SHARE = 0.6


@dataclass(frozen=True)
class SegmentPayment:
    """How one segment pays."""

    segment: str
    n_invoices: int
    n_paid: int
    n_open: int
    n_written_off: int
    n_on_time: int  # paid on or before the due date (lateness 0)
    terms_days: float
    lateness: FitResult | None  # days after due, paid ones; open ones censored
    bad_debt: float
    bad_debt_ci: tuple[float, float]


@dataclass(frozen=True)
class InvoicesFit:
    """What the invoice register says about the money path."""

    segments: tuple[SegmentPayment, ...]
    n_invoices: int
    on_site_share: float
    on_site_ci: tuple[float, float]
    invoice_delay_mean_days: float
    invoice_delay_p90_days: float
    batch_every_days: float | None  # detected office invoice runs (None: no batch rhythm)
    batch_share: float
    records: RecordTable


def _days(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return ((later - earlier) / _DAY).to_numpy(dtype=float)


def _batch_rhythm(issued: pd.Series) -> tuple[float | None, float]:
    """Days between office invoice runs, when most invoices go out on a few busy days."""
    per_day = issued.dt.normalize().value_counts().sort_index()
    if per_day.size < 3:
        return None, 0.0
    busy = per_day[per_day >= 0.25 * per_day.max()]
    share = float(busy.sum() / per_day.sum())
    if share < _BATCH_SHARE or busy.size < 3:
        return None, share
    gaps = np.diff(busy.index.to_numpy()) / np.timedelta64(1, "D")
    return float(np.median(gaps)), share


def _segment(rows: pd.DataFrame, end: pd.Timestamp, family: str | None, n_boot: int, rng):
    on_site = rows["paid_on_site"].to_numpy(bool)
    rest = rows[~on_site]
    paid = rest["paid"].notna() & (rest["paid"] <= end)
    written = rest["written_off"].notna() & ~paid
    still_open = ~paid & ~written
    late = _days(rest.loc[paid, "paid"], rest.loc[paid, "due"])
    waited = _days(pd.Series(end, index=rest.index)[still_open], rest.loc[still_open, "due"])
    terms = _days(rows["due"], rows["issued"])
    n_written = int(written.sum())
    lateness = None
    if int((late > 0).sum()) >= 5:
        lateness = fit_distribution(
            late[late > 0],
            force=family,
            censored=waited[waited > 0],
            n_never=n_written,
            cure=True,
            n_boot=n_boot,
            rng=rng,
            what=f"payment lateness of {rows['segment'].iloc[0]!r}",
        )
    if lateness is not None and lateness.never_share is not None:
        bad, bad_ci = lateness.never_share, lateness.never_ci or (math.nan, math.nan)
    else:
        decided = int(paid.sum()) + n_written
        bad = n_written / decided if decided else math.nan
        bad_ci = share_interval(n_written, decided)
    return SegmentPayment(
        segment=str(rows["segment"].iloc[0]),
        n_invoices=len(rows),
        n_paid=int(paid.sum()) + int(on_site.sum()),
        n_open=int(still_open.sum()),
        n_written_off=n_written,
        n_on_time=int((late <= 0).sum()),
        terms_days=float(np.round(np.median(terms))) if terms.size else 0.0,
        lateness=lateness,
        bad_debt=bad,
        bad_debt_ci=bad_ci,
    )


def fit_invoices(
    table: RecordTable,
    *,
    lateness_family: str | None = None,
    n_boot: int = 200,
    rng: np.random.Generator | None = None,
    end: pd.Timestamp | None = None,
) -> InvoicesFit:
    """Estimate the invoicing parameters from a clean invoice table.

    ``end`` is when the register was exported (default: the end of the last day with an invoice,
    payment or write-off): invoices unpaid then are open, and their lateness is censored there.
    """
    frame = table.frame
    if end is None:
        last = pd.concat([frame["issued"], frame["paid"], frame["written_off"]]).max()
        end = last.normalize() + _DAY
    rng = rng or np.random.default_rng(20270104)
    segments = tuple(
        _segment(rows, end, lateness_family, n_boot, rng)
        for _, rows in frame.groupby("segment", sort=False)
    )
    on_site = int(frame["paid_on_site"].sum())
    delay = _days(frame["issued"], frame["completed"])
    delay = delay[np.isfinite(delay)]
    batch, share = _batch_rhythm(frame.loc[~frame["paid_on_site"].to_numpy(bool), "issued"])
    return InvoicesFit(
        segments=segments,
        n_invoices=len(frame),
        on_site_share=on_site / len(frame),
        on_site_ci=share_interval(on_site, len(frame)),
        invoice_delay_mean_days=float(delay.mean()) if delay.size else math.nan,
        invoice_delay_p90_days=float(np.quantile(delay, 0.9)) if delay.size else math.nan,
        batch_every_days=batch,
        batch_share=share,
        records=table,
    )
