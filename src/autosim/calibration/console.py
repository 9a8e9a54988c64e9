"""Terminal tables of a calibration: fitted parameters with their intervals, rows dropped, and
the back-test (80 columns, rich)."""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autosim.calibration.backtest import BacktestResult
from autosim.calibration.fields import FIELDS
from autosim.calibration.fitting import FitResult
from autosim.calibration.invoices import InvoicesFit
from autosim.calibration.jobs import JobsFit
from autosim.calibration.stock import StockFit
from autosim.calibration.table import RecordTable

__all__ = ["print_backtest", "print_fit", "print_records"]

#: Optional fields whose absence loses an estimate, and which one.
_USEFUL = {
    "arrived": "no service or response times",
    "finished": "no service times",
    "revenue": "no revenue distribution",
    "paid": "no payment delays",
    "due": "terms taken as due on the invoice date",
    "completed": "no invoicing delay",
    "order_ref": "no lead times",
}


def _g(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:,.0f}"


def _ci(lo: float, hi: float, digits: int = 3) -> str:
    return f"{_g(lo, digits)}–{_g(hi, digits)}"


def _dist_cell(fit: FitResult | None, scale: float = 1.0) -> tuple[str, str, str]:
    if fit is None:
        return ("too few", "", "")
    d = fit.best
    forced = " (forced)" if fit.forced else ""
    return (
        f"{d.family}{forced} {_g(d.dist.mean / scale)} ± {_g(d.dist.sd / scale)}",
        f"mean {_ci(fit.mean_ci[0] / scale, fit.mean_ci[1] / scale)}",
        f"KS p {_g(d.ks_pvalue, 2)}",
    )


def print_records(console: Console, table: RecordTable) -> None:
    """Rows read, used and dropped (with why), and the columns used for each field."""
    dropped = sum(table.dropped.values())
    console.print(
        f"{table.source}: {table.n_read} rows read, {table.n_used} used, {dropped} dropped",
        highlight=False,
    )
    for why, n in table.dropped.items():
        console.print(f"  - {n} dropped: {why}", highlight=False)
    mapped = ", ".join(f"{f}←{c!r}" for f, c in table.columns.items() if f != c)
    if mapped:
        console.print(f"  columns: {mapped}", highlight=False)
    if table.columns:  # read from a file: say which useful optional fields were not found
        for f in FIELDS[table.kind]:
            if f.name in _USEFUL and f.name not in table.columns:
                console.print(
                    f"  note: no column for '{f.name}' ({f.meaning}; looked for "
                    f"{', '.join(repr(a) for a in f.aliases)}): {_USEFUL[f.name]}; "
                    "name it with --map 'Column=field'",
                    highlight=False,
                )


def _jobs(console: Console, fit: JobsFit) -> None:
    console.print(f"Period: {fit.n_days} days from {fit.start.date()}", highlight=False)
    t = Table(title="Job types (95% intervals)", width=80)
    for col in ("job type", "parameter", "estimate", "interval", "check"):
        t.add_column(col, overflow="fold")
    for jt in fit.types:
        seg = jt.segment + (f" (+{', '.join(jt.other_segments)})" if jt.other_segments else "")
        t.add_row(jt.id, "calls/day", _g(jt.rate.mean), _ci(*jt.rate.ci), f"n={jt.n_jobs}")
        t.add_row("", "segment", seg, "", "")
        for name, prof in (("weekday profile", jt.weekday), ("hourly profile", jt.hourly)):
            t.add_row(
                "", name, "shaped" if prof.significant else "flat", "", f"χ² p {_g(prof.pvalue, 2)}"
            )
        t.add_row("", "service (min)", *_dist_cell(jt.service))
        t.add_row("", "revenue", *_dist_cell(jt.revenue))
        t.add_row("", "lost share", _g(jt.lost_share), _ci(*jt.lost_ci), f"n={jt.n_lost}")
        t.add_row(
            "",
            "response P50/P90",
            f"{_g(jt.response_p50_min)}/{_g(jt.response_p90_min)} min",
            "",
            "",
            end_section=True,
        )
    console.print(t)


def _invoices(console: Console, fit: InvoicesFit) -> None:
    t = Table(title="Invoices and payments (95% intervals)", width=80)
    for col in ("segment", "parameter", "estimate", "interval", "check"):
        t.add_column(col, overflow="fold")
    batch = f"every {_g(fit.batch_every_days)} days" if fit.batch_every_days else "no rhythm"
    t.add_row("all", "invoice runs", batch, "", f"{fit.batch_share:.0%} on run days")
    t.add_row(
        "",
        "done→invoice (days)",
        _g(fit.invoice_delay_mean_days),
        f"P90 {_g(fit.invoice_delay_p90_days)}",
        "",
    )
    t.add_row(
        "",
        "paid on site",
        _g(fit.on_site_share),
        _ci(*fit.on_site_ci),
        f"n={fit.n_invoices}",
        end_section=True,
    )
    for seg in fit.segments:
        t.add_row(seg.segment, "terms (days)", _g(seg.terms_days), "", f"n={seg.n_invoices}")
        t.add_row("", "late after due (d)", *_dist_cell(seg.lateness))
        t.add_row(
            "",
            "bad-debt share",
            _g(seg.bad_debt),
            _ci(*seg.bad_debt_ci),
            f"{seg.n_open} open",
            end_section=True,
        )
    console.print(t)


def _stock(console: Console, fit: StockFit) -> None:
    t = Table(title="Stock: demand and lead times (95% intervals)", width=80)
    for col in ("item", "parameter", "estimate", "interval", "check"):
        t.add_column(col, overflow="fold")
    for it in fit.items:
        t.add_row(
            it.item,
            "units/day",
            _g(it.units_per_day),
            _ci(*it.units_ci),
            f"var/mean {_g(it.dispersion, 2)}",
        )
        if it.sales is not None:
            t.add_row("", "orders/day", _g(it.sales.mean), _ci(*it.sales.ci), "")
        t.add_row("", "lead time (days)", *_dist_cell(it.lead_time), end_section=True)
    console.print(t)
    if fit.unmatched_receipts:
        console.print(
            f"{fit.unmatched_receipts} receipts had no matching order reference", highlight=False
        )


def print_fit(console: Console, fit: JobsFit | InvoicesFit | StockFit) -> None:
    """The fitted parameters of one records file, with their intervals."""
    print_records(console, fit.records)
    if isinstance(fit, JobsFit):
        _jobs(console, fit)
    elif isinstance(fit, InvoicesFit):
        _invoices(console, fit)
    else:
        _stock(console, fit)


def print_backtest(console: Console, result: BacktestResult) -> None:
    """Recorded value, simulated band and percentile of every KPI; flags outside P5–P95."""
    t = Table(
        title=f"Back-test: {result.n_days} days from {result.start.date()}, "
        f"{result.n_replications} replications",
        width=80,
    )
    t.add_column("KPI ([job type])", no_wrap=True, min_width=31)
    t.add_column("recorded", overflow="fold")
    t.add_column("sim P5–P95", no_wrap=True)
    for col in ("P50", "pct", ""):
        t.add_column(col, overflow="fold")
    for row in result.table.itertuples():
        flag = "[bold red]out[/]" if row.outside else ""
        name = row.kpi.replace("[job_type=", "[")
        t.add_row(
            escape(name),
            _g(row.recorded),
            _ci(row.p5, row.p95),
            _g(row.p50),
            _g(row.percentile, 2),
            flag,
        )
    console.print(t)
    console.print(
        f"{result.n_outside} of {int(result.table['recorded'].notna().sum())} KPIs outside the "
        f"P5–P95 band (about {result.expected_outside:.1f} expected by chance if the scenario "
        "is right).",
        highlight=False,
    )
