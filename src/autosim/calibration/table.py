"""Clean records: the table every reader and simulator ends with, and how a table gets clean.

A :class:`RecordTable` holds records in canonical columns (datetimes, floats, text) with what was
dropped on the way and why. It has the same shape whether it came from a file
(:mod:`autosim.calibration.records`) or from a simulated replication
(:mod:`autosim.calibration.simrecords`), so one KPI function serves both
(:mod:`autosim.calibration.kpis`): both end in :func:`tidy_records`, which completes derived
columns, checks that times run forwards and drops (and counts) the rows it cannot use. This
module also owns :class:`RecordError`, the one error a records file is refused with, and how such
an error names the offending file lines (:func:`describe_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from autosim.errors import AutosimError

__all__ = ["RecordError", "RecordTable", "describe_lines", "tidy_records"]

_SHOW_ROWS = 5


class RecordError(AutosimError, ValueError):
    """A records file cannot be used as it is (the CLI prints it and exits 2)."""


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


def describe_lines(rows: np.ndarray, values: Sequence[object] | None = None) -> str:
    """'line 5 ('31/02/2027'), line 9 (...)' for the first few offending rows (file lines)."""
    parts = []
    for i, row in enumerate(rows[:_SHOW_ROWS]):
        line = int(row) + 2  # header is line 1
        parts.append(f"line {line}" + (f" ({values[i]!r})" if values is not None else ""))
    more = f" and {len(rows) - _SHOW_ROWS} more" if len(rows) > _SHOW_ROWS else ""
    return ", ".join(parts) + more


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
        """Drop the rows ``mask`` marks from ``frame`` (for real) and count them under ``why``."""
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
                    f"{describe_lines(labels)}; fix the export or pass --drop-invalid to drop them"
                )
            drop(backwards, why)
    # The derived columns first, then the drops, each on the frame as it stands: a helper that
    # dropped rows from its own copy would fit the very rows the summary reports as dropped.
    if table.kind == "jobs":
        frame = _job_columns(frame)
        drop(frame["job_type"].isna(), "no job type")
        done = frame["status"].eq("completed").fillna(False)
        drop(done & frame["finished"].isna(), "completed without a finish time")
    elif table.kind == "invoices":
        frame = _invoice_columns(frame)
        drop(~(frame["amount"] > 0), "amount missing or not positive")
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


def _job_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The job columns completed (defaults for optional ones); no row is dropped here."""
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
    return frame


def _invoice_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The invoice columns completed (defaults for optional ones); no row is dropped here."""
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
    return frame
