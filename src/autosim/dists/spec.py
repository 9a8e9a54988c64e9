"""Reading distributions from scenario files: :func:`from_spec` and the family registry.

This module owns the scenario form of a distribution -- a number, a duration string such as
``"45 min"``, or a mapping ``{dist: family, **parameters}`` -- and its translation into the
family objects, with unit handling (durations must carry a unit and become minutes), typo
suggestions, and reading empirical values from a CSV column. It also holds :data:`FAMILIES`
and :func:`describe_families`, the single list of families that help texts and documentation
are generated from. It is the only module that imports every family, so the families never
depend on how they are written down.
"""

from __future__ import annotations

import csv
import difflib
import math
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any

from autosim.dists.base import Distribution, _is_number
from autosim.dists.bounded import Beta, Pert, Triangular, Uniform
from autosim.dists.continuous import Constant, Exponential, Gamma, Lognormal, Normal, Weibull
from autosim.dists.discrete import Discrete, Empirical, Poisson
from autosim.units import parse_duration


def _join_names(names: Sequence[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b' and 'c'`` -- for readable messages."""
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls
    for cls in sorted(
        (
            Beta,
            Constant,
            Discrete,
            Empirical,
            Exponential,
            Gamma,
            Lognormal,
            Normal,
            Pert,
            Poisson,
            Triangular,
            Uniform,
            Weibull,
        ),
        key=lambda c: c.family,
    )
}
"""Every distribution family by its scenario name."""


def describe_families() -> list[dict[str, str]]:
    """One row per family (name, parameters, meaning) for generated documentation and help."""
    return [
        {"dist": name, "parameters": cls.parameters_doc, "meaning": cls.meaning}
        for name, cls in FAMILIES.items()
    ]


# --------------------------------------------------------------------------- reading specs

_DURATION = "duration"
_EMPIRICAL_FILE_KEYS = ("file", "column", "unit")


def from_spec(
    spec: object, *, unit: str | None = None, base_dir: pathlib.Path | None = None
) -> Distribution:
    """Build a distribution from its scenario form.

    Parameters
    ----------
    spec
        A number (a constant), a duration string such as ``"45 min"`` (a constant, only when
        ``unit="duration"``), a mapping ``{"dist": family, **parameters}``, or a
        :class:`Distribution` (returned as is).
    unit
        ``"duration"`` where the quantity is a time: location/scale parameters must then carry
        a unit (``"45 min"``) and are converted to minutes, so no number is ever silently read
        in the wrong unit. ``None`` where plain numbers are expected.
    base_dir
        Folder that relative ``file:`` paths (empirical data) are resolved against, normally
        the scenario file's folder.
    """
    if unit not in (None, _DURATION):
        raise ValueError(f"unit must be None or 'duration' (got {unit!r})")
    if isinstance(spec, Distribution):
        return spec
    if isinstance(spec, Mapping):
        try:
            dist = _from_mapping(spec, unit, base_dir)
            finite = [dist.mean, *dist.support]
        except (OverflowError, ZeroDivisionError, FloatingPointError):
            raise ValueError(
                f"the parameters of {spec.get('dist')!r} are too extreme to compute with "
                f"(got {spec})"
            ) from None
        if math.isnan(finite[0]) or math.isinf(finite[0]):
            raise ValueError(f"{dist!r} has no finite mean; check its parameters")
        return dist
    if isinstance(spec, bool) or not (_is_number(spec) or isinstance(spec, str)):
        expected = "a duration like '45 min'" if unit == _DURATION else "a number"
        raise ValueError(
            f"a distribution must be {expected} or a mapping with 'dist:' (got {spec!r})"
        )
    if unit == _DURATION:
        return Constant(parse_duration(spec))
    return Constant(_plain_number(spec, "a distribution without 'dist:' "))


def _plain_number(value: object, where: str) -> float:
    """A number where no unit is expected; a duration string gets a pointed message."""
    if isinstance(value, str):
        try:
            parse_duration(value)
        except ValueError:
            raise ValueError(f"{where}must be a number (got {value!r})") from None
        raise ValueError(
            f"{where}expects a number, not a duration (got {value!r}); units are only "
            "allowed where a time is expected"
        )
    if not _is_number(value):
        raise ValueError(f"{where}must be a number (got {value!r})")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"{where}must be finite (got {value!r})")
    return number


def _convert(cls: type[Distribution], name: str, value: object, unit: str | None) -> object:
    """Turn one raw parameter into internal units (minutes for durations)."""
    where = f"{cls.family}: {name} "
    as_duration = unit == _DURATION and name in cls._duration_params
    if name in cls._list_params:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise ValueError(f"{where}must be a list (got {value!r})")
        return tuple(
            _convert_one(f"{cls.family}: {name}[{i}] ", item, as_duration)
            for i, item in enumerate(value)
        )
    return _convert_one(where, value, as_duration)


def _convert_one(where: str, value: object, as_duration: bool) -> float:
    """One scalar parameter: a duration string (-> minutes) or a plain number."""
    if not as_duration:
        return _plain_number(value, where)
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{where.rstrip()}: {exc}") from None


def _param_names(cls: type[Distribution]) -> tuple[list[str], list[str]]:
    """(required, optional) scenario parameter names of a family, in declaration order."""
    required: list[str] = []
    optional: list[str] = []
    for f in fields(cls):  # type: ignore[arg-type]
        if f.init:
            name = cls._spec_names.get(f.name, f.name)
            (required if f.default is MISSING else optional).append(name)
    return required, optional


def _check_keys(family: str, given: Mapping[str, object], allowed: Sequence[str]) -> None:
    """Refuse parameters the family does not have, suggesting the closest one."""
    for key in given:
        if key not in allowed:
            close = difflib.get_close_matches(str(key).lower(), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "."
            raise ValueError(
                f"{family} has no parameter {key!r}{hint} Allowed: {', '.join(allowed)}"
            )


def _check_required(family: str, given: Mapping[str, object], required: Sequence[str]) -> None:
    """Refuse a spec that leaves out a required parameter, listing all of them."""
    missing = [name for name in required if given.get(name) is None]
    if missing:
        raise ValueError(f"{family} needs {_join_names(required)} (missing {_join_names(missing)})")


def _family_of(spec: Mapping[Any, object]) -> type[Distribution]:
    """Look up the family named by ``dist:``, suggesting a close name on a typo."""
    allowed = ", ".join(FAMILIES)
    if "dist" not in spec:
        raise ValueError(
            "a distribution mapping needs a family: add a 'dist:' key, e.g. "
            f"{{dist: lognormal, mean: 90 min, sd: 45 min}}; families: {allowed}"
        )
    name = spec["dist"]
    if not isinstance(name, str):
        raise ValueError(f"'dist' must name a family (got {name!r}); families: {allowed}")
    cls = FAMILIES.get(name.strip().lower())
    if cls is None:
        close = difflib.get_close_matches(name.strip().lower(), FAMILIES, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "."
        raise ValueError(f"unknown distribution {name!r}{hint} Allowed: {allowed}")
    return cls


def _from_mapping(
    spec: Mapping[Any, object], unit: str | None, base_dir: pathlib.Path | None
) -> Distribution:
    """Build from ``{"dist": family, **parameters}``."""
    for key in spec:
        if not isinstance(key, str):
            raise ValueError(f"distribution parameter names must be text (got {key!r})")
    cls = _family_of(spec)
    given = {k: v for k, v in spec.items() if k != "dist"}
    if cls is Empirical:
        return _empirical_from_mapping(given, unit, base_dir)
    required, optional = _param_names(cls)
    _check_keys(cls.family, given, required + optional)
    _check_required(cls.family, given, required)
    _check_duration_context(cls, given, unit)
    kwargs = {k: _convert(cls, k, v, unit) for k, v in given.items() if v is not None}
    if cls is Normal and unit == _DURATION and kwargs.get("low") is None:
        kwargs["low"] = 0.0  # a duration cannot be negative
    return cls(**kwargs)


def _check_duration_context(
    cls: type[Distribution], given: Mapping[str, object], unit: str | None
) -> None:
    """Refuse families whose defaults or values make no sense as a time."""
    if unit != _DURATION:
        return
    if cls is Poisson:
        raise ValueError(
            "poisson gives whole-number counts, not durations; for a time use e.g. "
            "exponential, gamma or lognormal"
        )
    if cls is Beta and (given.get("low") is None or given.get("high") is None):
        raise ValueError(
            "beta for a duration needs 'low' and 'high' with units (e.g. low: 0 min, high: 2 h)"
        )


# --------------------------------------------------------------------------- empirical data


def _empirical_from_mapping(
    given: Mapping[str, object], unit: str | None, base_dir: pathlib.Path | None
) -> Empirical:
    """``empirical`` takes either ``values`` or ``file`` (with optional ``column``/``unit``)."""
    _check_keys("empirical", given, ["values", *_EMPIRICAL_FILE_KEYS])
    has_values, has_file = given.get("values") is not None, given.get("file") is not None
    if has_values == has_file:
        problem = "give only one of them" if has_values else "neither is given"
        raise ValueError(
            f"empirical needs either 'values' (a list) or 'file' (a CSV path); {problem}"
        )
    if has_values:
        for key in _EMPIRICAL_FILE_KEYS[1:]:
            if given.get(key) is not None:
                raise ValueError(f"empirical: {key!r} only applies together with 'file'")
        values = _convert(Empirical, "values", given["values"], unit)
        return Empirical(values)  # type: ignore[arg-type]
    cell_unit = given.get("unit")
    if cell_unit is not None and unit != _DURATION:
        raise ValueError("empirical: 'unit' only applies where a duration is expected")
    if cell_unit is not None and not isinstance(cell_unit, str):
        raise ValueError(f"empirical: unit must be a unit name like 'min' (got {cell_unit!r})")
    column = given.get("column")
    if column is not None and not isinstance(column, str):
        raise ValueError(
            f"empirical: column must be a column name from the header row (got {column!r})"
        )
    file = given["file"]
    if not isinstance(file, str | pathlib.Path):
        raise ValueError(f"empirical: file must be a path to a CSV file (got {file!r})")
    path = pathlib.Path(file)
    if not path.is_absolute() and base_dir is not None:
        path = pathlib.Path(base_dir) / path
    label = str(file)
    column_name, cells = _read_csv_column(path, label, column)
    return Empirical(
        tuple(
            _cell_value(
                f"empirical: file {label!r} row {row}, {column_name}: ", text, unit, cell_unit
            )
            for row, text in cells
        )
    )


def _looks_like_value(text: str) -> bool:
    """True if a CSV cell reads as a number or a duration (so a first row is data, not header)."""
    if isinstance(_number_or_text(text), float):
        return True
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def _read_csv_column(
    path: pathlib.Path, label: str, column: str | None
) -> tuple[str, list[tuple[int, str]]]:
    """The column's description and the (row number, text) of its non-blank cells."""
    if not path.is_file():
        raise ValueError(f"empirical: file {label!r} not found (looked for {path})")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [(i, row) for i, row in enumerate(csv.reader(handle), start=1)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"empirical: cannot read file {label!r}: {exc}") from None
    rows = [(i, row) for i, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"empirical: file {label!r} is empty")
    header = rows[0][1]
    has_header = not all(_looks_like_value(c.strip()) for c in header if c.strip())
    index = _column_index(label, header if has_header else None, column)
    data = rows[1:] if has_header else rows
    cells = [(i, row[index].strip()) for i, row in data if index < len(row) and row[index].strip()]
    name = f"column {header[index].strip()!r}" if has_header else f"column {index + 1}"
    if not cells:
        raise ValueError(f"empirical: file {label!r} has no values in {name}")
    return name, cells


def _column_index(label: str, header: list[str] | None, column: str | None) -> int:
    """Position of the requested column (the first one when none is named)."""
    if column is None:
        return 0
    if header is None:
        raise ValueError(
            f"empirical: file {label!r} has no header row, so column {column!r} cannot be found"
        )
    names = [c.strip() for c in header]
    if column.strip() in names:
        return names.index(column.strip())
    lowered = [n.lower() for n in names]
    if column.strip().lower() in lowered:
        return lowered.index(column.strip().lower())
    close = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise ValueError(
        f"empirical: file {label!r} has no column {column!r}{hint} Columns: {', '.join(names)}"
    )


def _cell_value(where: str, text: str, unit: str | None, cell_unit: str | None) -> float:
    """One CSV cell in internal units; ``where`` (file, row, column) prefixes any error."""
    if unit != _DURATION:
        return _plain_number(_number_or_text(text), where)
    try:
        return parse_duration(text if cell_unit is None else f"{text} {cell_unit}")
    except ValueError as exc:
        hint = ""
        if cell_unit is None and isinstance(_number_or_text(text), float):
            hint = " (or add e.g. 'unit: min' to say what unit the file's numbers are in)"
        raise ValueError(f"{where}{exc}{hint}") from None


def _number_or_text(text: str) -> object:
    """A CSV cell as a float when it reads as one, else the text (for the error message)."""
    try:
        return float(text)
    except ValueError:
        return text
