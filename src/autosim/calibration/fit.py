"""One call from a records file to fitted parameters, Q–Q plots and a scenario snippet.

This is what ``autosim fit`` does, as a library function for notebooks: read and clean the file
(:mod:`~autosim.calibration.records`), estimate the parameters its kind of records determines
(:mod:`~autosim.calibration.jobs`, :mod:`~autosim.calibration.invoices`,
:mod:`~autosim.calibration.stock`), and render them as scenario YAML
(:mod:`~autosim.calibration.snippet`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from autosim.calibration.fitting import FitResult
from autosim.calibration.invoices import InvoicesFit, fit_invoices
from autosim.calibration.jobs import JobsFit, fit_jobs
from autosim.calibration.records import read_records
from autosim.calibration.stock import StockFit, fit_stock
from autosim.calibration.table import RecordTable

__all__ = ["fit_records", "fit_table", "write_qq_plots"]

Fitted = JobsFit | InvoicesFit | StockFit


def fit_table(
    table: RecordTable,
    *,
    family: str | None = None,
    n_boot: int = 200,
    seed: int = 20270104,
) -> Fitted:
    """Fit a clean record table of any kind; ``family`` forces the distribution family."""
    rng = np.random.default_rng(seed)
    if table.kind == "jobs":
        return fit_jobs(table, service_family=family, revenue_family=family, n_boot=n_boot, rng=rng)
    if table.kind == "invoices":
        return fit_invoices(table, lateness_family=family, n_boot=n_boot, rng=rng)
    return fit_stock(table, lead_family=family, n_boot=n_boot, rng=rng)


def fit_records(
    path: str | os.PathLike[str],
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    family: str | None = None,
    n_boot: int = 200,
    date_format: str | None = None,
    drop_invalid: bool = False,
    dayfirst: bool | None = None,
    allow_long_span: bool = False,
) -> Fitted:
    """Read a CSV export of ``kind`` and fit it (see :func:`read_records` for the options)."""
    table = read_records(
        path,
        kind,
        mapping,
        date_format=date_format,
        drop_invalid=drop_invalid,
        dayfirst=dayfirst,
        allow_long_span=allow_long_span,
    )
    return fit_table(table, family=family, n_boot=n_boot)


def _fits(fit: Fitted) -> list[tuple[str, FitResult, str]]:
    """(label, fit, unit) of every distribution fitted."""
    out = []
    if isinstance(fit, JobsFit):
        for t in fit.types:
            if t.service is not None:
                out.append((f"service_time {t.id}", t.service, "min"))
            if t.revenue is not None:
                out.append((f"revenue {t.id}", t.revenue, "money"))
    elif isinstance(fit, InvoicesFit):
        out += [
            (f"paid_after_due {s.segment}", s.lateness, "days")
            for s in fit.segments
            if s.lateness is not None
        ]
    else:
        out += [
            (f"lead_time {i.item}", i.lead_time, "days")
            for i in fit.items
            if i.lead_time is not None
        ]
    return out


def write_qq_plots(fit: Fitted, folder: str | os.PathLike[str]) -> list[Path]:
    """One Q–Q plot per fitted distribution, ``qq_<field>_<name>.png`` in ``folder``."""
    from autosim.calibration.plots import qq_figure, save_figure, slug

    written = []
    for label, result, unit in _fits(fit):
        fig = qq_figure(result, f"Q–Q: {label}", unit)
        written.append(save_figure(fig, Path(folder) / f"qq_{slug(label)}.png"))
    return written
