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
    "date_order",
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


#: A numeric date written day/month or month/day ('04/01/2027 06:59', '4.1.27'): day or month
#: first, the other second, the year, and the rest (the time).
_NUMERIC_DATE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)(.*)$"


def _first_above_12(columns: Mapping[str, pd.Series], part: int) -> tuple[str, int, str] | None:
    """(column, row, text) of the first numeric date whose ``part`` (0 or 1) exceeds 12."""
    for name, raw in columns.items():
        text = raw.astype("string").str.strip()
        value = pd.to_numeric(text.str.extract(_NUMERIC_DATE)[part], errors="coerce")
        above = (value > 12).fillna(False).to_numpy(bool)
        if above.any():
            row = int(np.flatnonzero(above)[0])
            return name, row, str(text.iloc[row])
    return None


def date_order(columns: Mapping[str, pd.Series], source: str) -> bool | None:
    """Whether a file's numeric dates put the day first, decided from the data.

    True: day first ('13/01/2027' somewhere); False: month first ('01/13/2027' somewhere);
    None: no numeric day/month dates (ISO dates, month names). Refuses a file where both
    orders appear, and one where nothing tells them apart (every day and month 12 or less),
    rather than guess: read the wrong way, 90 days of records become 336.
    """
    day = _first_above_12(columns, 0)
    month = _first_above_12(columns, 1)
    if day and month:
        raise RecordError(
            f"{source}: dates are written day-first (column {day[0]!r}, "
            f"{describe_lines(np.array([day[1]]), [day[2]])}) and month-first (column "
            f"{month[0]!r}, {describe_lines(np.array([month[1]]), [month[2]])}); fix the "
            "export, or give the format with --date-format"
        )
    if day or month:
        return day is not None
    for name, raw in columns.items():
        text = raw.astype("string").str.strip()
        numeric = text.str.match(_NUMERIC_DATE, na=False).to_numpy(bool)
        if numeric.any():
            row = int(np.flatnonzero(numeric)[0])
            raise RecordError(
                f"{source}: column {name!r}: dates such as {str(text.iloc[row])!r} could be "
                "day-first or month-first, and no day above 12 tells which; pass --dayfirst "
                "or --monthfirst, or give the format with --date-format '%d/%m/%Y %H:%M'"
            )
    return None


def _as_iso(cells: pd.Series, dayfirst: bool) -> pd.Series:
    """Numeric day/month dates rewritten year first ('04/01/2027 06:59' -> '2027-01-04 06:59')."""
    parts = cells.str.extract(_NUMERIC_DATE)
    hit = parts[0].notna()
    if not hit.any():
        return cells
    day, month = (parts[0], parts[1]) if dayfirst else (parts[1], parts[0])
    year = pd.to_numeric(parts[2], errors="coerce").astype(float)
    short = (
        (parts[2].str.len() == 2).fillna(False).astype(bool)
    )  # strptime's %y: 69-99 -> 1900s, 00-68 -> 2000s
    year = year.where(~short, year + np.where(year < 69, 2000, 1900))
    text = year.astype("Int64").astype("string").str.zfill(4)
    iso = text + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + parts[3]
    return cells.where(~hit, iso)


def parse_dates(
    raw: pd.Series,
    column: str,
    source: str,
    date_format: str | None,
    dayfirst: bool | None = None,
) -> pd.Series:
    """Parse one date column; blank cells are NaT, unreadable ones an error naming the rows.

    ``dayfirst`` says how numeric day/month dates are written (see :func:`date_order`);
    ``date_format`` overrides everything.
    """
    text = raw.astype("string").str.strip()
    blank = text.isna() | (text == "")
    cells = text.where(~blank)
    if date_format is None and dayfirst is not None:
        cells = _as_iso(cells, dayfirst)
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
