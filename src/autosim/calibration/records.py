"""Reading a business's own exports: job logs, invoices and stock movements, cleaned and checked.

An analyst's CSV comes out of a job-management, accounting or shop system with that system's
column names ("Job #", "Customer Type", "Invoice Total"), its date format and its data-entry
slips. This module is the clerk who reads such a file: it finds each field the calibration needs
under the usual export names (or the names the user maps with ``--map Column=field``), parses
dates and amounts, and either refuses the file with one clear message (a missing column, a date it
cannot read, times that run backwards) or drops the rows it cannot use and says how many and why.

Here is the file itself (CSV dialect, encoding, size) and the matching of its header to the
canonical fields (:mod:`autosim.calibration.fields`); cells are parsed by
:mod:`autosim.calibration.cells` and the rows tidied by
:func:`~autosim.calibration.table.tidy_records` into a
:class:`~autosim.calibration.table.RecordTable`, the shape simulated records share.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from autosim.calibration.cells import (
    MOVE_WORDS,
    STATUS_WORDS,
    date_order,
    parse_dates,
    parse_flags,
    parse_numbers,
    parse_words,
)
from autosim.calibration.fields import FIELDS, KINDS, loose_name
from autosim.calibration.table import RecordError, RecordTable, describe_lines, tidy_records

__all__ = ["MAX_SPAN_YEARS", "check_period", "parse_mapping", "read_records"]

_MAX_BYTES = 50_000_000


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
    header: Sequence[str],
    kind: str,
    mapping: Mapping[str, str],
    source: str,
    doubled: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """Field -> file column: mapped ones first, then the first alias the file has.

    ``doubled`` counts the file's header names that appear more than once (by loose name): a
    field found under such a name is refused, since nothing says which copy holds it.
    """
    found = _find_columns(header, kind, mapping, source)
    for name, column in found.items():
        count = (doubled or {}).get(loose_name(column.rsplit(".", 1)[0]), 0)
        if count > 1:
            raise RecordError(
                f"{source}: {count} columns are named {column.rsplit('.', 1)[0]!r}, so "
                f"'{name}' could be any of them; rename or remove the extra ones"
            )
    return found


def _find_columns(
    header: Sequence[str], kind: str, mapping: Mapping[str, str], source: str
) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for col in header:
        by_norm.setdefault(loose_name(col), col)
    found: dict[str, str] = {}
    for name, column in mapping.items():
        if column not in header and loose_name(column) not in by_norm:
            raise RecordError(
                f"{source}: --map names column {column!r}, which the file does not have "
                f"(columns: {', '.join(map(repr, header))})"
            )
        found[name] = column if column in header else by_norm[loose_name(column)]
    taken = set(found.values())
    missing = []
    for f in FIELDS[kind]:
        if f.name in found:
            continue
        hit = next(
            (
                by_norm[loose_name(a)]
                for a in f.aliases
                if loose_name(a) in by_norm and by_norm[loose_name(a)] not in taken
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


def _read_csv(path: Path) -> tuple[pd.DataFrame, Counter[str]]:
    """The file as text cells, and how often each header name (loosely) appears."""
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
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not UTF-8 text; export the file as CSV (UTF-8)") from None
    sample = text[:65536]
    try:  # only real separators: a one-column file must not be split on a letter
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, sep=delimiter, engine="python"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise RecordError(f"{path}: not a readable CSV file ({exc})") from None
    if frame.empty:
        raise RecordError(f"{path}: has a header but no rows")
    return frame, Counter(loose_name(h) for h in header if h.strip())


def read_records(
    path: str | Path,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    date_format: str | None = None,
    drop_invalid: bool = False,
    dayfirst: bool | None = None,
    allow_long_span: bool = False,
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
    dayfirst
        Numeric dates are day/month (True) or month/day (False); default: decided from the
        data (a day above 12), and a file where nothing decides it is refused.
    allow_long_span
        Accept dates far outside the rest and periods over :data:`MAX_SPAN_YEARS` years
        (refused by default: usually a mistyped year).

    Raises
    ------
    RecordError
        Missing columns (naming the names looked for), a field's column named twice,
        unreadable or ambiguous dates, numbers that are not (with the file line and value),
        times running backwards, implausible periods, an empty file.
    """
    if kind not in FIELDS:
        raise RecordError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    file = Path(path)
    raw, names = _read_csv(file)
    columns = _match_columns(list(raw.columns), kind, dict(mapping or {}), str(file), names)
    frame = pd.DataFrame(index=raw.index)
    dates = {columns[f.name]: raw[columns[f.name]] for f in FIELDS[kind] if f.type == "datetime"
             and f.name in columns}  # fmt: skip
    if date_format is None and dayfirst is None:
        dayfirst = date_order(dates, str(file))
    for f in FIELDS[kind]:
        if f.name not in columns:
            continue
        col = raw[columns[f.name]]
        if f.type == "datetime":
            frame[f.name] = parse_dates(col, columns[f.name], str(file), date_format, dayfirst)
        elif f.type == "number":
            frame[f.name] = parse_numbers(col, columns[f.name], str(file))
        elif f.type == "flag":
            frame[f.name] = parse_flags(col, columns[f.name], str(file))
        else:
            frame[f.name] = col.astype("string").str.strip().replace("", pd.NA)
    if kind == "jobs" and "status" in frame:
        frame["status"] = parse_words(frame["status"], columns["status"], str(file), STATUS_WORDS)
    if kind == "inventory":
        frame["kind"] = parse_words(frame["kind"], columns["kind"], str(file), MOVE_WORDS)
    if not allow_long_span:
        check_period(frame, kind, str(file), columns)
    table = RecordTable(kind, frame, str(file), len(raw), {}, columns)
    return tidy_records(table, drop_invalid=drop_invalid)


#: Longest period records may cover without --allow-long-span.
MAX_SPAN_YEARS = 20
_YEAR = pd.Timedelta(days=365.25)


def check_period(frame: pd.DataFrame, kind: str, source: str, columns: Mapping[str, str]) -> None:
    """Refuse dates far outside the rest (a mistyped year) and periods of decades.

    The bulk of the records is the main date column without its first and last 1%; a date
    more than the bulk's own length (at least 60 days; a year for dates such as payments,
    which follow the work) before or after it is a typo until the user says otherwise — one
    1900 among 2027's jobs would turn 90 days into 127 years and every rate into nothing.
    """
    key = {"jobs": "created", "invoices": "issued", "inventory": "date"}[kind]
    times = frame[key].dropna().sort_values()
    if len(times) < 3:
        return
    cut = max(1, math.ceil(0.01 * len(times)))
    bulk = times.iloc[cut:-cut] if len(times) - 2 * cut >= 2 else times
    low, high = bulk.iloc[0], bulk.iloc[-1]
    for f in FIELDS[kind]:
        if f.type != "datetime" or f.name not in frame:
            continue
        margin = max(high - low, pd.Timedelta(days=60) if f.name == key else _YEAR)
        values = frame[f.name]
        far = ((values < low - margin) | (values > high + margin)).fillna(False).to_numpy(bool)
        if far.any():
            rows = frame.index.to_numpy()[far]
            shown = [str(v.date()) for v in values[far]]
            raise RecordError(
                f"{source}: column {columns[f.name]!r}: {int(far.sum())} date(s) far outside "
                f"the rest ({low.date()} to {high.date()}), at {describe_lines(rows, shown)}: "
                "a mistyped year? Fix the export, or pass --allow-long-span to use it as it is"
            )
    every = pd.concat([frame[f.name] for f in FIELDS[kind] if f.type == "datetime"
                       and f.name in frame]).dropna()  # fmt: skip
    span = (every.max() - every.min()) / _YEAR
    if span > MAX_SPAN_YEARS:
        raise RecordError(
            f"{source}: the records span {span:.0f} years ({every.min().date()} to "
            f"{every.max().date()}); check the dates, or pass --allow-long-span to use them"
        )
