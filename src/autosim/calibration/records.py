"""Reading a business's own exports: job logs, invoices and stock movements, cleaned and checked.

An analyst's CSV comes out of a job-management, accounting or shop system with that system's
column names ("Job #", "Customer Type", "Invoice Total"), its date format and its data-entry
slips. This module is the clerk who reads such a file: it finds each field the calibration needs
under the usual export names (or the names the user maps with ``--map Column=field``), parses
dates and amounts, and either refuses the file with one clear message (a missing column, a date it
cannot read, times that run backwards) or drops the rows it cannot use and says how many and why.

The result is a :class:`RecordTable` in canonical columns (datetimes, floats, text), the same
shape whether it came from a file or from a simulated replication, so one KPI function serves
both (see :mod:`autosim.calibration.kpis`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from autosim.errors import AutosimError

__all__ = [
    "FIELDS",
    "KINDS",
    "Field",
    "RecordError",
    "RecordTable",
    "parse_mapping",
    "read_records",
    "tidy_records",
]

Kind = Literal["jobs", "invoices", "inventory"]
KINDS: tuple[str, ...] = ("jobs", "invoices", "inventory")
_MAX_BYTES = 50_000_000
_SHOW_ROWS = 5


class RecordError(AutosimError, ValueError):
    """A records file cannot be used as it is (the CLI prints it and exits 2)."""


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

_STATUS = {
    "completed": ("completed", "complete", "done", "closed", "finished", "invoiced", "paid"),
    "lost": (
        "lost",
        "cancelled",
        "canceled",
        "declined",
        "abandoned",
        "no show",
        "lost to competitor",
        "missed",
    ),
    "open": ("open", "scheduled", "in progress", "pending", "dispatched", "on hold"),
}
_MOVES = {
    "issue": ("issue", "issued", "issued to job", "used", "consumed", "job", "used on job", "out"),
    "sale": ("sale", "sold", "shipped", "order out", "web order", "online order"),
    "order": ("order", "ordered", "po", "purchase order", "po raised", "reorder"),
    "receipt": ("receipt", "received", "receive", "delivery", "delivered", "in"),
}
_TRUE = ("1", "true", "yes", "y", "t", "x", "card", "on site")
_FALSE = ("0", "false", "no", "n", "f", "", "nan")


@dataclass
class RecordTable:
    """Clean records in canonical columns, with what was dropped on the way and why."""

    kind: str
    frame: pd.DataFrame
    source: str = "<records>"
    n_read: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # field -> file column used

    @property
    def n_used(self) -> int:
        """Rows kept."""
        return len(self.frame)

    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last day covered (midnight of the first day, midnight after the last)."""
        col = {"jobs": "created", "invoices": "issued", "inventory": "date"}[self.kind]
        times = self.frame[col]
        return times.min().normalize(), times.max().normalize() + pd.Timedelta(days=1)


def _norm(name: object) -> str:
    """Compare column names loosely: case, spaces, punctuation and '#' vs 'no' do not matter."""
    text = str(name).strip().lower().replace("#", " no ").replace("_", " ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def parse_mapping(items: Sequence[str] | None, kind: str) -> dict[str, str]:
    """``["Tech On Site=arrived", ...]`` -> {field: column}; unknown fields are refused."""
    known = {f.name for f in FIELDS[kind]}
    out: dict[str, str] = {}
    for item in items or ():
        column, sep, name = item.rpartition("=")
        if not sep or not column.strip() or not name.strip():
            raise RecordError(
                f"--map expects COLUMN=FIELD, e.g. 'Tech On Site=arrived' (got {item!r})"
            )
        name = name.strip()
        if name not in known:
            raise RecordError(
                f"--map {item!r}: {name!r} is not a {kind} field; "
                f"fields: {', '.join(sorted(known))}"
            )
        out[name] = column.strip()
    return out


def _match_columns(
    header: Sequence[str], kind: str, mapping: Mapping[str, str], source: str
) -> dict[str, str]:
    """Field -> file column: mapped ones first, then the first alias the file has."""
    by_norm: dict[str, str] = {}
    for col in header:
        by_norm.setdefault(_norm(col), col)
    found: dict[str, str] = {}
    for name, column in mapping.items():
        if column not in header and _norm(column) not in by_norm:
            raise RecordError(
                f"{source}: --map names column {column!r}, which the file does not have "
                f"(columns: {', '.join(map(repr, header))})"
            )
        found[name] = column if column in header else by_norm[_norm(column)]
    taken = set(found.values())
    missing = []
    for f in FIELDS[kind]:
        if f.name in found:
            continue
        hit = next(
            (
                by_norm[_norm(a)]
                for a in f.aliases
                if _norm(a) in by_norm and by_norm[_norm(a)] not in taken
            ),
            None,
        )
        if hit is not None:
            found[f.name] = hit
            taken.add(hit)
        elif f.required:
            missing.append(f)
    if missing:
        lines = "; ".join(
            f"'{f.name}' ({f.meaning}; looked for: {', '.join(repr(a) for a in f.aliases)})"
            for f in missing
        )
        raise RecordError(
            f"{source}: missing column(s) for {lines}. The file has: "
            f"{', '.join(map(repr, header))}. Name the right column with --map 'Column=field'."
        )
    return found


def _rows_text(rows: np.ndarray, values: Sequence[object] | None = None) -> str:
    """'line 5 ('31/02/2027'), line 9 (...)' for the first few offending rows (file lines)."""
    parts = []
    for i, row in enumerate(rows[:_SHOW_ROWS]):
        line = int(row) + 2  # header is line 1
        parts.append(f"line {line}" + (f" ({values[i]!r})" if values is not None else ""))
    more = f" and {len(rows) - _SHOW_ROWS} more" if len(rows) > _SHOW_ROWS else ""
    return ", ".join(parts) + more


def _dates(raw: pd.Series, column: str, source: str, date_format: str | None) -> pd.Series:
    """Parse one date column; blank cells are NaT, unreadable ones an error naming the rows."""
    text = raw.astype("string").str.strip()
    blank = text.isna() | (text == "")
    cells = text.where(~blank)
    try:
        parsed = pd.to_datetime(cells, errors="coerce", format=date_format or "ISO8601")
        if date_format is None and (parsed.isna() & ~blank).any():
            parsed = pd.to_datetime(cells, errors="coerce", format="mixed")
    except (ValueError, TypeError) as exc:
        raise RecordError(f"{source}: column {column!r}: {exc}") from None
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    bad = np.flatnonzero((parsed.isna() & ~blank).to_numpy())
    if bad.size:
        hint = "" if date_format else "; give the format with --date-format, e.g. '%d/%m/%Y %H:%M'"
        raise RecordError(
            f"{source}: column {column!r}: {bad.size} date(s) that cannot be read, at "
            f"{_rows_text(bad, text.iloc[bad].tolist())}{hint}"
        )
    return parsed


def _numbers(raw: pd.Series, column: str, source: str) -> pd.Series:
    """Amounts such as '1,234.50', '$380' or '(12.00)'; blank is NaN; text is an error."""
    text = raw.astype("string").str.strip()
    blank = text.isna() | (text == "")
    negative = text.str.match(r"^\(.*\)$", na=False)
    cleaned = text.str.replace(r"[\s$€£,()]", "", regex=True)
    values = pd.to_numeric(cleaned.where(~blank), errors="coerce")
    bad = np.flatnonzero((values.isna() & ~blank).to_numpy())
    if bad.size:
        raise RecordError(
            f"{source}: column {column!r}: {bad.size} value(s) that are not numbers, at "
            f"{_rows_text(bad, text.iloc[bad].tolist())}"
        )
    return values.where(~negative, -values).astype(float)


def _flags(raw: pd.Series, column: str, source: str) -> pd.Series:
    text = raw.astype("string").str.strip().str.lower().fillna("")
    yes, no = text.isin(_TRUE), text.isin(_FALSE)
    bad = np.flatnonzero((~yes & ~no).to_numpy())
    if bad.size:
        raise RecordError(
            f"{source}: column {column!r}: expected yes/no values, got "
            f"{_rows_text(bad, text.iloc[bad].tolist())}"
        )
    return yes


def _vocabulary(
    raw: pd.Series, column: str, source: str, words: Mapping[str, tuple[str, ...]]
) -> pd.Series:
    """Map free-text status / movement words onto the canonical ones; unknown words: error."""
    lookup = {_norm(w): key for key, ws in words.items() for w in ws}
    text = raw.astype("string").map(lambda v: _norm(v) if isinstance(v, str) else "")
    out = text.map(lookup)
    unknown = sorted(set(text[out.isna() & (text != "")]))
    if unknown:
        allowed = "; ".join(f"{k}: {', '.join(ws)}" for k, ws in words.items())
        raise RecordError(
            f"{source}: column {column!r}: unknown value(s) {', '.join(map(repr, unknown[:8]))}. "
            f"Understood: {allowed}"
        )
    return out


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise RecordError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise RecordError(f"{path}: the file is empty")
    if size > _MAX_BYTES:
        raise RecordError(
            f"{path}: larger than {_MAX_BYTES // 1_000_000} MB; export a shorter period"
        )
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="utf-8-sig"
        )
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not UTF-8 text; export the file as CSV (UTF-8)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise RecordError(f"{path}: not a readable CSV file ({exc})") from None
    if frame.empty:
        raise RecordError(f"{path}: has a header but no rows")
    return frame


def read_records(
    path: str | Path,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    date_format: str | None = None,
    drop_invalid: bool = False,
) -> RecordTable:
    """Read a CSV export of ``kind`` ("jobs", "invoices", "inventory") into a clean table.

    Parameters
    ----------
    path
        The CSV file (comma, semicolon or tab separated; UTF-8).
    kind
        What the file holds.
    mapping
        Field -> column name, for columns the built-in export names do not cover.
    date_format
        A ``strftime`` format for every date column (default: inferred).
    drop_invalid
        Drop rows whose times run backwards (and count them) instead of refusing the file.

    Raises
    ------
    RecordError
        Missing columns (naming the names looked for), unreadable dates or numbers (with the
        file line and value), times running backwards, an empty file.
    """
    if kind not in FIELDS:
        raise RecordError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    file = Path(path)
    raw = _read_csv(file)
    columns = _match_columns(list(raw.columns), kind, dict(mapping or {}), str(file))
    frame = pd.DataFrame(index=raw.index)
    for f in FIELDS[kind]:
        if f.name not in columns:
            continue
        col = raw[columns[f.name]]
        if f.type == "datetime":
            frame[f.name] = _dates(col, columns[f.name], str(file), date_format)
        elif f.type == "number":
            frame[f.name] = _numbers(col, columns[f.name], str(file))
        elif f.type == "flag":
            frame[f.name] = _flags(col, columns[f.name], str(file))
        else:
            frame[f.name] = col.astype("string").str.strip().replace("", pd.NA)
    if kind == "jobs" and "status" in frame:
        frame["status"] = _vocabulary(frame["status"], columns["status"], str(file), _STATUS)
    if kind == "inventory":
        frame["kind"] = _vocabulary(frame["kind"], columns["kind"], str(file), _MOVES)
    table = RecordTable(kind, frame, str(file), len(raw), {}, columns)
    return tidy_records(table, drop_invalid=drop_invalid)


_ORDER = {
    "jobs": [
        ("created", "arrived", "arrived before the call"),
        ("arrived", "finished", "finished before arrival"),
        ("created", "finished", "finished before the call"),
    ],
    "invoices": [
        ("completed", "issued", "invoiced before the work was done"),
        ("issued", "paid", "paid before the invoice"),
        ("issued", "due", "due before the invoice"),
    ],
    "inventory": [],
}


def tidy_records(table: RecordTable, *, drop_invalid: bool = False) -> RecordTable:
    """Complete derived columns, check time order, drop unusable rows and count them.

    Used for files and simulated records alike, so both end up in exactly the same shape.
    """
    frame = table.frame.copy()
    dropped = dict(table.dropped)
    src = table.source

    def drop(mask: pd.Series | np.ndarray, why: str) -> None:
        nonlocal frame
        mask = np.asarray(mask, bool)
        if mask.any():
            dropped[why] = dropped.get(why, 0) + int(mask.sum())
            frame = frame.loc[~mask]

    key = {"jobs": "created", "invoices": "issued", "inventory": "date"}[table.kind]
    drop(frame[key].isna(), f"no {key} date")
    for a, b, why in _ORDER[table.kind]:
        if a in frame and b in frame:
            backwards = (frame[b] < frame[a]).fillna(False).to_numpy()
            if backwards.any() and not drop_invalid:
                rows = np.flatnonzero(backwards)
                labels = frame.index.to_numpy()[rows]
                raise RecordError(
                    f"{src}: {int(backwards.sum())} row(s) where {why} ({b} < {a}), at "
                    f"{_rows_text(labels)}; fix the export or pass --drop-invalid to drop them"
                )
            drop(backwards, why)
    if table.kind == "jobs":
        frame = _job_columns(frame, drop)
    elif table.kind == "invoices":
        frame = _invoice_columns(frame, drop)
    else:
        drop(frame["kind"].isna(), "no movement type")
        drop(frame["item"].isna(), "no item")
        drop(~(frame["quantity"] > 0), "quantity missing or not positive")
    if frame.empty:
        why = "; ".join(f"{n} {k}" for k, n in dropped.items()) or "no rows"
        raise RecordError(f"{src}: no usable rows left ({why})")
    frame = frame.sort_values(key, kind="stable").reset_index(drop=True)
    return RecordTable(
        table.kind, frame, src, table.n_read or len(table.frame), dropped, table.columns
    )


def _job_columns(frame: pd.DataFrame, drop) -> pd.DataFrame:
    frame = frame.copy()
    for name in ("arrived", "finished"):
        if name not in frame:
            frame[name] = pd.NaT
    if "segment" not in frame:
        frame["segment"] = "default"
    frame["segment"] = frame["segment"].fillna("default")
    if "revenue" not in frame:
        frame["revenue"] = np.nan
    if "status" not in frame:
        frame["status"] = np.where(
            frame["finished"].notna(),
            "completed",
            np.where(frame["arrived"].notna(), "open", "lost"),
        )
    else:
        frame["status"] = frame["status"].fillna(
            pd.Series(np.where(frame["finished"].notna(), "completed", "open"), index=frame.index)
        )
    if "job_id" not in frame:
        frame["job_id"] = [f"J{i + 1:06d}" for i in range(len(frame))]
    frame["job_type"] = frame["job_type"].astype("string")
    drop(frame["job_type"].isna(), "no job type")
    done = frame["status"].eq("completed")
    drop(done & frame["finished"].isna(), "completed without a finish time")
    return frame


def _invoice_columns(frame: pd.DataFrame, drop) -> pd.DataFrame:
    frame = frame.copy()
    for name in ("completed", "due", "paid", "written_off"):
        if name not in frame:
            frame[name] = pd.NaT
    if "segment" not in frame:
        frame["segment"] = "default"
    frame["segment"] = frame["segment"].fillna("default")
    if "paid_on_site" not in frame:
        frame["paid_on_site"] = False
    frame["due"] = frame["due"].fillna(frame["issued"])
    drop(~(frame["amount"] > 0), "amount missing or not positive")
    return frame
