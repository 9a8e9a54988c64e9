"""Field types for scenario files: numbers with units, uncertain scalars and distributions.

A scenario file is written by an analyst, not a programmer, so every field that holds a
quantity knows its unit ("45 min", "2 h", money) and its allowed range, and says so when a value
is wrong. Think of these as the cell formats of a well-kept spreadsheet: a duration cell refuses a
bare number because nobody can tell whether 45 meant minutes or hours.

Any scalar declared with :func:`Scalar` may also be written ``{uncertain: <distribution>}``: it is
then an :class:`Uncertain` value, sampled once per replication by the experiment layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo

from autosim.dists import Distribution, from_spec
from autosim.units import parse_duration, parse_money

__all__ = [
    "DistField",
    "Minutes",
    "Money",
    "NonNegative",
    "Positive",
    "Probability",
    "Scalar",
    "Uncertain",
    "check_range",
    "is_uncertain",
]


@dataclass(frozen=True)
class Uncertain:
    """A scalar whose value is not known for sure: drawn once per replication from ``dist``."""

    dist: Distribution

    def to_spec(self) -> dict[str, Any]:
        """Return the file form, ``{"uncertain": {...}}``, in internal units."""
        return {"uncertain": self.dist.to_spec()}


def is_uncertain(value: object) -> bool:
    """Tell whether a field value still needs sampling."""
    return isinstance(value, Uncertain)


def _bounds_text(lo: float | None, hi: float | None, lo_open: bool) -> str:
    if lo is not None and hi is not None:
        return f"between {lo:g} and {hi:g}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {lo:g}"
    return f"<= {hi:g}"


def check_range(
    value: float, lo: float | None, hi: float | None, lo_open: bool = False, what: str = ""
) -> None:
    """Raise ``ValueError`` when ``value`` lies outside ``[lo, hi]`` (``(lo, hi]`` if open)."""
    below = lo is not None and (value <= lo if lo_open else value < lo)
    above = hi is not None and value > hi
    if below or above:
        raise ValueError(f"{what}must be {_bounds_text(lo, hi, lo_open)} (got {value:g})")


def _number(value: object, unit: str | None) -> float:
    """Turn one plain (not uncertain) file value into a float in internal units."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if unit == "duration":
        return parse_duration(value)
    if unit == "money":
        return parse_money(value)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%")) / (
                100.0 if value.strip().endswith("%") else 1
            )
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number (got {value!r})")
    return number


def _scalar_validator(
    lo: float | None, hi: float | None, lo_open: bool, unit: str | None
) -> BeforeValidator:
    def validate(value: object) -> float | Uncertain:
        if isinstance(value, Uncertain):
            return value
        if isinstance(value, dict) and "uncertain" in value:
            extra = sorted(set(value) - {"uncertain"})
            if extra:
                raise ValueError(f"'uncertain' stands alone in its mapping (also found {extra})")
            dist = from_spec(value["uncertain"], unit=unit if unit == "duration" else None)
            low, high = dist.support
            try:
                check_range(low, lo, hi, lo_open)
                check_range(high, lo, hi, lo_open)
            except ValueError:
                raise ValueError(
                    f"uncertain value {dist!r} can take values from {low:g} to {high:g}, but this "
                    f"field must be {_bounds_text(lo, hi, lo_open)}; choose a distribution whose "
                    "range fits (e.g. uniform, triangular, pert or beta with bounds)"
                ) from None
            return Uncertain(dist)
        if isinstance(value, dict):
            raise ValueError(
                "expected a number or {uncertain: {dist: ..., ...}}, "
                f"got a mapping with keys {sorted(value)}"
            )
        number = _number(value, unit)
        check_range(number, lo, hi, lo_open)
        return number

    return BeforeValidator(validate)


def _serialize_scalar(value: float | Uncertain) -> Any:
    return value.to_spec() if isinstance(value, Uncertain) else value


def Scalar(
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    unit: str | None = None,
) -> Any:
    """A number (or ``{uncertain: ...}``) in ``[lo, hi]``; ``unit`` is None, "duration" or "money".

    Durations are stored in minutes.
    """
    return Annotated[
        float | Uncertain,
        _scalar_validator(lo, hi, lo_open, unit),
        PlainSerializer(_serialize_scalar),
    ]


def _dist_validator(unit: str | None, lo: float | None) -> BeforeValidator:
    def validate(value: object, info: ValidationInfo) -> Distribution:
        if isinstance(value, Distribution):
            return value
        base_dir = (info.context or {}).get("base_dir")
        dist = from_spec(value, unit=unit, base_dir=base_dir)
        low = dist.support[0]
        if lo is not None and low < lo:
            raise ValueError(
                f"{dist!r} can take values below {lo:g} (down to {low:g}); use a distribution "
                "that stays non-negative (lognormal, gamma, exponential, triangular...) or give "
                "normal a 'low' bound"
            )
        return dist

    return BeforeValidator(validate)


def DistField(unit: str | None = None, lo: float | None = 0.0) -> Any:
    """A distribution spec (or a plain value, meaning a constant), non-negative by default."""
    return Annotated[
        Distribution,
        _dist_validator(unit, lo),
        PlainSerializer(lambda d: d.to_spec()),
    ]


# The scalar kinds most sections use, named once.
Probability = Scalar(0.0, 1.0)
NonNegative = Scalar(0.0)
Positive = Scalar(0.0, lo_open=True)
Money = Scalar(0.0, unit="money")
Minutes = Scalar(0.0, unit="duration")
