"""The records a simulated business would have kept: job log, invoice register, stock ledger.

A simulated replication knows, for every call, when it came in, when a technician got there, when
the work was done and what it paid; for every invoice when it went out, was due and was paid; for
every part when it left the shelf and for every purchase order when it arrived. This module writes
those down as the business's own systems would — timestamps to the minute from the calendar's
start date, job types and segments by name, statuses in words — in the same canonical tables that
:func:`autosim.calibration.records.read_records` makes of a real export. A back-test can then apply
one KPI function to history and to simulation alike, and the sample exports are simulated records
under export column names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from autosim.calibration.table import RecordTable, tidy_records
from autosim.experiment.inputs import sample_inputs
from autosim.experiment.streams import Streams
from autosim.model.business import simulate_variant
from autosim.model.demand import generate_jobs
from autosim.model.inventory.arrays import JOB
from autosim.model.timetable import DAY
from autosim.scenario.resolve import resolve
from autosim.scenario.schema import Scenario

__all__ = ["SimRecords", "records_from_trace", "sample_world", "simulate_records"]


@dataclass(frozen=True)
class SimRecords:
    """One simulated replication's records, as clean canonical tables."""

    jobs: RecordTable
    invoices: RecordTable | None
    stock: RecordTable | None


def _stamps(start: pd.Timestamp, minutes: np.ndarray) -> pd.Series:
    """Minutes from the start as timestamps rounded to the minute (NaT where not finite)."""
    m = np.asarray(minutes, dtype=float)
    finite = np.isfinite(m)
    whole = np.where(finite, np.round(m), 0).astype("int64")
    out = pd.Series(start + pd.to_timedelta(whole, unit="min"))
    return out.where(finite, pd.NaT)


def _jobs_frame(scenario: Scenario, trace: dict, start: pd.Timestamp) -> pd.DataFrame:
    horizon = scenario.n_days * DAY
    jobs, record = trace["jobs"], trace["record"]
    types = scenario.dispatch.job_types
    arrive = np.where(record.arrive <= horizon, record.arrive, np.nan)
    done = np.asarray(record.done, dtype=float)
    completed = np.isfinite(done)
    status = np.where(completed, "completed", np.where(trace["lost"], "lost", "open"))
    return pd.DataFrame(
        {
            "job_id": [f"J{i + 1:06d}" for i in range(len(jobs))],
            "created": _stamps(start, jobs.call),
            "arrived": _stamps(start, arrive),
            "finished": _stamps(start, done),
            "job_type": pd.array([t.id for t in types], dtype="string")[jobs.type_idx],
            "segment": pd.array([t.segment for t in types], dtype="string")[jobs.type_idx],
            "revenue": np.where(completed, np.round(trace["revenue"], 2), np.nan),
            "status": status,
            "x_km": np.round(jobs.x, 2),
            "y_km": np.round(jobs.y, 2),
        }
    )


def _invoices_frame(scenario: Scenario, trace: dict, start: pd.Timestamp) -> pd.DataFrame:
    horizon = scenario.n_days * DAY
    jobs, money, done = trace["jobs"], trace["money"], np.asarray(trace["record"].done, float)
    types = scenario.dispatch.job_types
    inv = scenario.invoicing
    terms = np.array(
        [0.0 if inv is None else float(inv.payment_for(t.segment).terms) for t in types]
    )[jobs.type_idx]
    issued = np.asarray(money.invoiced, dtype=float)
    keep = np.isfinite(done) & np.isfinite(issued) & (issued <= horizon)
    paid = np.where(money.paid <= horizon, money.paid, np.nan)
    written = np.where(money.written_off <= horizon, money.written_off, np.nan)
    ids = np.flatnonzero(keep)
    return pd.DataFrame(
        {
            "invoice_id": [f"INV{i + 1:06d}" for i in range(ids.size)],
            "job_id": [f"J{i + 1:06d}" for i in ids],
            "segment": pd.array([t.segment for t in types], dtype="string")[jobs.type_idx[ids]],
            "completed": _stamps(start, done[ids]),
            "issued": _stamps(start, issued[ids]),
            "due": _stamps(start, issued[ids] + terms[ids]),
            "paid": _stamps(start, paid[ids]),
            "amount": np.round(money.amount[ids], 2),
            "paid_on_site": np.asarray(money.on_site, bool)[ids],
            "written_off": _stamps(start, written[ids]),
        }
    )


def _stock_frame(scenario: Scenario, trace: dict, start: pd.Timestamp) -> pd.DataFrame | None:
    stock = trace.get("stock")
    if stock is None:
        return None
    names = np.array([it.id for it in scenario.inventory.items], dtype=object)
    n_days = scenario.n_days
    res, demand = stock.result, stock.demand
    moved = ~(res.lost | res.oversold) & np.isfinite(res.fill_time) & (res.fill_time < n_days)
    out_rows = pd.DataFrame(
        {
            "date": _stamps(start, res.fill_time[moved] * DAY),
            "item": names[demand.item[moved]],
            "kind": np.where(demand.source[moved] == JOB, "issue", "sale"),
            "quantity": demand.quantity[moved].astype(float),
            "order_ref": pd.NA,
        }
    )
    placed = res.order_time < n_days
    refs = np.array([f"PO{i + 1:05d}" for i in range(int(placed.sum()))], dtype=object)
    orders = pd.DataFrame(
        {
            "date": _stamps(start, res.order_time[placed] * DAY),
            "item": names[res.order_item[placed].astype(int)],
            "kind": "order",
            "quantity": res.order_quantity[placed].astype(float),
            "order_ref": refs,
        }
    )
    arrived = np.isfinite(res.order_received[placed]) & (res.order_received[placed] < n_days)
    receipts = orders.loc[arrived].copy()
    receipts["date"] = _stamps(start, res.order_received[placed][arrived] * DAY).to_numpy()
    receipts["kind"] = "receipt"
    frame = pd.concat([out_rows, orders, receipts], ignore_index=True)
    frame["order_ref"] = frame["order_ref"].astype("string")
    return frame


def records_from_trace(scenario: Scenario, trace: dict) -> SimRecords:
    """Record tables of one variant run with ``simulate_variant(..., trace=True)``."""
    start = pd.Timestamp(scenario.calendar.start_date)
    jobs = tidy_records(RecordTable("jobs", _jobs_frame(scenario, trace, start), "<simulated>"))
    invoices_frame = _invoices_frame(scenario, trace, start)
    invoices = (
        tidy_records(RecordTable("invoices", invoices_frame, "<simulated>"))
        if len(invoices_frame)
        else None
    )
    stock_frame = _stock_frame(scenario, trace, start)
    stock = (
        tidy_records(RecordTable("inventory", stock_frame, "<simulated>"))
        if stock_frame is not None and len(stock_frame)
        else None
    )
    return SimRecords(jobs, invoices, stock)


def sample_world(scenario: Scenario, streams: Streams) -> Scenario:
    """The replication's resolved scenario: every uncertain input drawn from its own stream.

    Uses the experiment's own sampler (same streams, correlations honoured), so replication
    ``r`` of a back-test lives in the same world as replication ``r`` of ``autosim run``.
    """
    return resolve(scenario, sample_inputs(scenario, streams))


def simulate_records(scenario: Scenario, seed: int, replication: int = 0) -> SimRecords:
    """Simulate the baseline once (replication ``replication`` of ``seed``) and keep its records."""
    streams = Streams(int(seed), replication)
    world = sample_world(scenario, streams)
    jobs = generate_jobs(world, streams)
    outcome = simulate_variant(world, jobs, (), streams, trace=True)
    return records_from_trace(world, outcome.trace)
