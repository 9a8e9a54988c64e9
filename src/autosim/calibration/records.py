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
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from autosim.calibration.cells import (
    MOVE_WORDS,
    STATUS_WORDS,
    parse_dates,
    parse_flags,
    parse_numbers,
    parse_words,
)
from autosim.calibration.fields import FIELDS, KINDS, loose_name
from autosim.calibration.table import RecordError, RecordTable, tidy_records

__all__ = ["parse_mapping", "read_records"]

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
    header: Sequence[str], kind: str, mapping: Mapping[str, str], source: str
) -> dict[str, str]:
    """Field -> file column: mapped ones first, then the first alias the file has."""
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
            frame[f.name] = parse_dates(col, columns[f.name], str(file), date_format)
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
    table = RecordTable(kind, frame, str(file), len(raw), {}, columns)
    return tidy_records(table, drop_invalid=drop_invalid)
