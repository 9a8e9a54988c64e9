"""Cell values of an export: dates, amounts, yes/no flags, status and movement words.

Exports write values the way their system and their clerks do: '31/01/2027 14:05' or ISO dates,
'1,234.50', '$380' or '(12.00)' for a credit, 'Yes'/'card' for paid on site, 'Done' or
'Cancelled' for a job's status, 'Issued to job' or 'PO raised' for a stock movement. This module
owns turning one column of such text into values: blank cells become missing values, and
anything it cannot read refuses the file with a :class:`~autosim.calibration.table.RecordError`
naming the file lines and values (never a silent NaN).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from autosim.calibration.fields import loose_name
from autosim.calibration.table import RecordError, describe_lines

__all__ = [
    "MOVE_WORDS",
    "STATUS_WORDS",
    "parse_dates",
    "parse_flags",
    "parse_numbers",
    "parse_words",
]

#: Canonical job status -> the words exports use for it.
STATUS_WORDS = {
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
#: Canonical stock movement -> the words exports use for it.
MOVE_WORDS = {
    "issue": ("issue", "issued", "issued to job", "used", "consumed", "job", "used on job", "out"),
    "sale": ("sale", "sold", "shipped", "order out", "web order", "online order"),
    "order": ("order", "ordered", "po", "purchase order", "po raised", "reorder"),
    "receipt": ("receipt", "received", "receive", "delivery", "delivered", "in"),
}
_TRUE = ("1", "true", "yes", "y", "t", "x", "card", "on site")
_FALSE = ("0", "false", "no", "n", "f", "", "nan")


def parse_dates(raw: pd.Series, column: str, source: str, date_format: str | None) -> pd.Series:
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
            f"{describe_lines(bad, text.iloc[bad].tolist())}{hint}"
        )
    return parsed


def parse_numbers(raw: pd.Series, column: str, source: str) -> pd.Series:
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
            f"{describe_lines(bad, text.iloc[bad].tolist())}"
        )
    return values.where(~negative, -values).astype(float)


def parse_flags(raw: pd.Series, column: str, source: str) -> pd.Series:
    text = raw.astype("string").str.strip().str.lower().fillna("")
    yes, no = text.isin(_TRUE), text.isin(_FALSE)
    bad = np.flatnonzero((~yes & ~no).to_numpy())
    if bad.size:
        raise RecordError(
            f"{source}: column {column!r}: expected yes/no values, got "
            f"{describe_lines(bad, text.iloc[bad].tolist())}"
        )
    return yes


def parse_words(
    raw: pd.Series, column: str, source: str, words: Mapping[str, tuple[str, ...]]
) -> pd.Series:
    """Map free-text status / movement words onto the canonical ones; unknown words: error."""
    lookup = {loose_name(w): key for key, ws in words.items() for w in ws}
    text = raw.astype("string").map(lambda v: loose_name(v) if isinstance(v, str) else "")
    out = text.map(lookup)
    unknown = sorted(set(text[out.isna() & (text != "")]))
    if unknown:
        allowed = "; ".join(f"{k}: {', '.join(ws)}" for k, ws in words.items())
        raise RecordError(
            f"{source}: column {column!r}: unknown value(s) {', '.join(map(repr, unknown[:8]))}. "
            f"Understood: {allowed}"
        )
    return out
