"""Reading and writing the human units used in scenario files: durations, clock times, money.

This module owns the boundary between what an analyst types ("45 min", "08:00-17:00",
"$1.2k") and the plain numbers the simulator works in: durations in **minutes**, clock times
in minutes after midnight, money as a float in the scenario's currency. It is like the front
desk of a workshop that converts every job ticket into the one unit the mechanics use, and
refuses tickets it cannot read instead of guessing.

Every parser raises a plain :class:`ValueError` whose message quotes the offending value; the
scenario layer adds the file, line and field.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re

__all__ = [
    "DURATION_UNITS",
    "format_duration",
    "parse_clock",
    "parse_duration",
    "parse_hours",
    "parse_money",
]

_MINUTES_PER_UNIT: dict[str, float] = {
    "s": 1.0 / 60.0,
    "min": 1.0,
    "h": 60.0,
    "day": 1440.0,
    "week": 10080.0,
    "month": 30.4375 * 1440.0,  # an average Gregorian month: 12 of them are 365.25 days
    "year": 365.25 * 1440.0,  # an average Gregorian year (leap days included), 12 months
}
#: Units format_duration may choose ("1.5 month" reads worse than "6.5 week" in a report).
_FORMAT_UNITS = ("s", "min", "h", "day", "week")

DURATION_UNITS: dict[str, str] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "min"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "day"),
    **dict.fromkeys(("w", "wk", "week", "weeks"), "week"),
    **dict.fromkeys(("mo", "month", "months"), "month"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "year"),
}
"""Every accepted unit spelling (lower case) mapped to its canonical name."""

_UNIT_HINT = "s, min, h, day, week, month, year (and spellings like sec, minutes, hr, days, wk, yr)"
_TRAILING_WORD = re.compile(r"([a-z]+)$")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_MONEY = re.compile(
    r"(?P<sign>[+-]?)\s*[$€£]?\s*(?P<sign2>[+-]?)"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)\s*(?P<suffix>[km]?)",
    re.IGNORECASE,
)
_MONEY_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6}


def _is_number(value: object) -> bool:
    """Return True for real numbers, excluding booleans (YAML's ``yes`` is not a quantity)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _unit_factor(unit: str, original: object) -> float:
    """Minutes per ``unit``; an unknown unit lists the allowed ones and suggests a close one."""
    canonical = DURATION_UNITS.get(unit.lower())
    if canonical is not None:
        return _MINUTES_PER_UNIT[canonical]
    close = difflib.get_close_matches(unit.lower(), DURATION_UNITS, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else "."
    raise ValueError(f"unknown duration unit '{unit}' in {original!r}{hint} Allowed: {_UNIT_HINT}")


def parse_duration(value: object) -> float:
    """Read a duration such as ``"45 min"`` or ``"1.5 hours"`` and return it in minutes.

    A bare number is refused (except 0) because "45" is ambiguous between seconds, minutes and
    hours, and that ambiguity is the classic way a model ends up 60 times too fast.

    Parameters
    ----------
    value
        A string with a number and a unit, or the number 0.

    Returns
    -------
    float
        The duration in minutes (>= 0, finite).
    """
    if isinstance(value, bool) or not (_is_number(value) or isinstance(value, str)):
        raise ValueError(f"a duration must be text like '45 min' or '2 h' (got {value!r})")
    if _is_number(value):
        number = float(value)  # type: ignore[arg-type]
        if not math.isfinite(number):
            raise ValueError(f"a duration must be finite (got {value!r})")
        if number == 0:
            return 0.0
        if number < 0:
            raise ValueError(f"a duration cannot be negative (got {value!r})")
        raise ValueError(f"a duration needs a unit, e.g. '45 min' or '2 h' (got {value!r})")
    return _parse_duration_text(value)  # type: ignore[arg-type]


def _parse_duration_text(text: str) -> float:
    """Split ``text`` into number and trailing unit word, then convert to minutes."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("a duration cannot be empty; write e.g. '45 min' or '2 h'")
    match = _TRAILING_WORD.search(stripped.lower())
    unit = match.group(1) if match else ""
    number_text = stripped[: len(stripped) - len(unit)].strip()
    if not number_text:
        raise ValueError(f"a duration needs a number before the unit, e.g. '45 min' (got {text!r})")
    try:
        number = float(number_text)
    except ValueError:
        raise ValueError(
            f"cannot read {text!r} as a duration; write one number and one unit, e.g. '90 min'"
        ) from None
    if not math.isfinite(number):
        raise ValueError(f"a duration must be finite (got {text!r})")
    if number < 0:
        raise ValueError(f"a duration cannot be negative (got {text!r})")
    if not unit:
        if number == 0:
            return 0.0
        raise ValueError(f"a duration needs a unit, e.g. '45 min' or '2 h' (got {text!r})")
    return number * _unit_factor(unit, text)


def _three_significant(value: float) -> str:
    """Format ``value`` with at most 3 significant digits and no exponent."""
    rounded = float(f"{value:.3g}")
    if rounded.is_integer():
        return str(int(rounded))
    return f"{rounded:f}".rstrip("0").rstrip(".")


def format_duration(minutes: float) -> str:
    """Write a duration in minutes the way a person would say it (``"1.5 h"``, ``"3 day"``).

    The largest unit that keeps the number >= 1 is used, so reports never show "0.02 week" or
    "4320 min".
    """
    minutes = float(minutes)
    if not math.isfinite(minutes):
        return f"{minutes} min"
    if minutes == 0:
        return "0 min"
    size = abs(minutes)
    chosen = "s"
    for unit in _FORMAT_UNITS:
        if size / _MINUTES_PER_UNIT[unit] >= 1:
            chosen = unit
    sign = "-" if minutes < 0 else ""
    return f"{sign}{_three_significant(size / _MINUTES_PER_UNIT[chosen])} {chosen}"


def parse_clock(value: str) -> float:
    """Read a clock time ``"HH:MM"`` (00:00 to 24:00) as minutes after midnight.

    ``"24:00"`` is allowed so that a day that runs to midnight can be written as
    ``"08:00-24:00"`` without wrapping to the next day.
    """
    if not isinstance(value, str):
        raise ValueError(f"a clock time must be text like '08:00' (got {value!r})")
    match = _CLOCK.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"a clock time must look like '08:00' or '7:30' (got {value!r})")
    hours, mins = int(match.group(1)), int(match.group(2))
    if mins > 59:
        raise ValueError(f"minutes of a clock time must be 00-59 (got {value!r})")
    if hours > 24 or (hours == 24 and mins > 0):
        raise ValueError(f"a clock time must be between 00:00 and 24:00 (got {value!r})")
    return float(hours * 60 + mins)


def parse_hours(value: object) -> tuple[float, float] | None:
    """Read opening hours like ``"08:00-17:00"`` into (start, end) minutes after midnight.

    ``None`` or ``"closed"`` mean closed all day (returns None); ``"24h"`` means open all day.
    Overnight intervals are refused because a single day's interval cannot wrap midnight.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"opening hours must be text like '08:00-17:00' (got {value!r})")
    text = value.strip().lower()
    if text == "closed":
        return None
    if text.replace(" ", "") == "24h":
        return (0.0, 1440.0)
    parts = re.split(r"\s*[-–]\s*", text)
    if len(parts) != 2:
        raise ValueError(
            f"opening hours must look like '08:00-17:00', 'closed' or '24h' (got {value!r})"
        )
    try:
        start, end = parse_clock(parts[0]), parse_clock(parts[1])
    except ValueError as exc:
        raise ValueError(f"opening hours {value!r}: {exc}") from None
    if end <= start:
        raise ValueError(
            f"opening hours must end after they start (got {value!r}); split an overnight "
            "shift into two days' intervals or use '00:00-24:00'"
        )
    return (start, end)


def parse_money(value: object) -> float:
    """Read an amount of money: a number, or text like ``"12,000"``, ``"$1,200.50"``, ``"3M"``.

    Negative amounts are allowed (a saving entered as a negative cost is legitimate); NaN and
    infinity are not, because one of them silently poisons every total it touches.
    """
    if _is_number(value):
        amount = float(value)  # type: ignore[arg-type]
    elif isinstance(value, str):
        amount = _parse_money_text(value)
    else:
        raise ValueError(
            f"an amount of money must be a number or text like '$1,200' (got {value!r})"
        )
    if not math.isfinite(amount):
        raise ValueError(f"an amount of money must be finite (got {value!r})")
    return amount


def _parse_money_text(text: str) -> float:
    """Parse currency text; falls back to ``float`` so ``"1e6"`` also works."""
    match = _MONEY.fullmatch(text.strip())
    if match is None:
        try:
            return float(text.strip())
        except ValueError:
            raise ValueError(
                f"cannot read {text!r} as money; write e.g. 1200, '12,000', '$1,200.50' or '1.2k'"
            ) from None
    if match.group("sign") and match.group("sign2"):
        raise ValueError(f"an amount of money has two signs (got {text!r})")
    number = float(match.group("num").replace(",", ""))
    number *= _MONEY_SUFFIX[match.group("suffix").lower()]
    return -number if "-" in (match.group("sign"), match.group("sign2")) else number
