"""The fields calibration reads from each kind of record, and the names exports give them.

A job-management, accounting or shop system exports its own column names ("Job #", "Customer
Type", "Invoice Total"). This module owns the canonical fields of job logs, invoice registers and
stock movements — each one's type, whether a file must have it, what it means — and the export
names it usually goes by, compared loosely (:func:`loose_name`: case, spaces, punctuation and
"#" vs "no" do not matter). The reader (:mod:`autosim.calibration.records`) matches a file's
header against them; the CLI lists them in ``autosim fit --help`` and in its messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["FIELDS", "KINDS", "Field", "Kind", "loose_name"]

Kind = Literal["jobs", "invoices", "inventory"]
KINDS: tuple[str, ...] = ("jobs", "invoices", "inventory")


@dataclass(frozen=True)
class Field:
    """One canonical field: its type, whether a file must have it, and the export names for it."""

    name: str
    type: Literal["datetime", "number", "text", "flag"]
    required: bool
    aliases: tuple[str, ...]
    meaning: str


def _f(name: str, type_: str, required: bool, meaning: str, *aliases: str) -> Field:
    return Field(name, type_, required, (name, *aliases), meaning)  # type: ignore[arg-type]


#: The customer segment, named alike in job logs and invoice registers.
_SEGMENT = _f(
    "segment",
    "text",
    False,
    "customer segment",
    "customer type",
    "customer segment",
    "client type",
    "account type",
    "customer class",
)

#: Canonical fields per kind of record, with the column names exports usually give them.
FIELDS: dict[str, tuple[Field, ...]] = {
    "jobs": (
        _f(
            "job_id",
            "text",
            False,
            "job number",
            "job",
            "job #",
            "job no",
            "job number",
            "work order",
            "ticket",
            "id",
        ),
        _f(
            "created",
            "datetime",
            True,
            "when the customer called (job created)",
            "created at",
            "date created",
            "call time",
            "received",
            "requested",
            "logged",
            "booked",
        ),
        _f(
            "arrived",
            "datetime",
            False,
            "technician on site (work started)",
            "arrival",
            "on site",
            "started",
            "start",
            "actual start",
            "check in",
        ),
        _f(
            "finished",
            "datetime",
            False,
            "work completed",
            "completed",
            "completed at",
            "complete",
            "finish",
            "end",
            "actual end",
            "closed",
            "check out",
            "done",
        ),
        _f(
            "job_type",
            "text",
            True,
            "kind of job",
            "job type",
            "type",
            "service type",
            "category",
            "job category",
            "service",
        ),
        _SEGMENT,
        _f(
            "revenue",
            "number",
            False,
            "what the job earned",
            "invoice total",
            "total",
            "job total",
            "amount",
            "price",
            "value",
            "total amount",
        ),
        _f(
            "status",
            "text",
            False,
            "completed, lost/cancelled or open",
            "job status",
            "outcome",
            "state",
        ),
        _f("x_km", "number", False, "location east (km)", "x", "x (km)", "location x"),
        _f("y_km", "number", False, "location north (km)", "y", "y (km)", "location y"),
    ),
    "invoices": (
        _f(
            "invoice_id",
            "text",
            False,
            "invoice number",
            "invoice",
            "invoice no",
            "invoice number",
            "invoice #",
            "number",
            "doc number",
        ),
        _f("job_id", "text", False, "job number", "job", "job #", "job no", "work order"),
        _SEGMENT,
        _f(
            "completed",
            "datetime",
            False,
            "work completed (service date)",
            "service date",
            "job date",
            "work date",
            "date of service",
            "finished",
        ),
        _f(
            "issued",
            "datetime",
            True,
            "invoice sent",
            "invoice date",
            "issue date",
            "date",
            "sent",
            "created",
        ),
        _f("due", "datetime", False, "payment due", "due date"),
        _f(
            "paid",
            "datetime",
            False,
            "payment received",
            "paid date",
            "date paid",
            "payment date",
            "paid on",
        ),
        _f(
            "amount",
            "number",
            True,
            "invoice amount",
            "total",
            "invoice total",
            "amount due",
            "balance",
            "value",
        ),
        _f(
            "paid_on_site",
            "flag",
            False,
            "paid on site by card",
            "paid on site",
            "on site",
            "onsite payment",
            "on site payment",
        ),
        _f(
            "written_off",
            "datetime",
            False,
            "written off as bad debt",
            "write off",
            "write off date",
            "written off date",
            "bad debt date",
        ),
    ),
    "inventory": (
        _f(
            "date",
            "datetime",
            True,
            "when the stock moved",
            "movement date",
            "posted",
            "timestamp",
            "transaction date",
        ),
        _f(
            "item", "text", True, "item / SKU", "sku", "item code", "product", "part", "part number"
        ),
        _f(
            "kind",
            "text",
            True,
            "issue, sale, order or receipt",
            "movement",
            "type",
            "movement type",
            "transaction type",
            "transaction",
        ),
        _f("quantity", "number", True, "units", "qty", "units", "quantity moved"),
        _f(
            "order_ref",
            "text",
            False,
            "purchase order linking an order to its receipt",
            "po",
            "po number",
            "po #",
            "purchase order",
            "order",
            "order number",
            "reference",
        ),
    ),
}


def loose_name(name: object) -> str:
    """Compare column names loosely: case, spaces, punctuation and '#' vs 'no' do not matter."""
    text = str(name).strip().lower().replace("#", " no ").replace("_", " ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()
