"""The ``calendar`` section of a scenario, and the weekly opening hours it is written in.

Owns the one notation for "when are we open" (``{weekdays: "08:00-17:00", fri: "08:00-14:00"}``),
parsed into seven (open, close) pairs. The calendar's hours and the technicians' shift
(:mod:`autosim.scenario.dispatch_schema`) are both written this way, and the model's timetables
(:mod:`autosim.model.timetable`) read the parsed form.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from autosim.scenario.schema_base import Frozen
from autosim.units import parse_hours

__all__ = ["WEEKDAYS", "Calendar", "WeeklyHours", "weekly_hours"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUPS = {"daily": WEEKDAYS, "weekdays": WEEKDAYS[:5], "weekend": WEEKDAYS[5:]}
WeeklyHours = tuple[tuple[float, float] | None, ...]


def weekly_hours(value: object, default: str | None = "08:00-17:00") -> WeeklyHours:
    """Parse ``{mon: "08:00-17:00", weekend: closed, ...}`` into seven (open, close) pairs.

    Group keys (``daily``, ``weekdays``, ``weekend``) are applied first, single days after, so
    ``{weekdays: "08:00-17:00", fri: "08:00-14:00"}`` does what it says. Days not named are
    closed.
    """
    if value is None:
        value = {"weekdays": default}
    if isinstance(value, str):
        value = {"daily": value}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of weekday to hours, e.g. {weekdays: 08:00-17:00}")
    allowed = set(WEEKDAYS) | set(_GROUPS)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"unknown day {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    days: dict[str, tuple[float, float] | None] = dict.fromkeys(WEEKDAYS)
    for group, members in _GROUPS.items():
        if group in value:
            for day in members:
                days[day] = parse_hours(value[group])
    for day in WEEKDAYS:
        if day in value:
            days[day] = parse_hours(value[day])
    return tuple(days[d] for d in WEEKDAYS)


class Calendar(Frozen):
    """Business days and opening hours; day 0 of the simulation is ``start_date``."""

    start_date: dt.date = dt.date(2027, 1, 4)
    hours: WeeklyHours = Field(default_factory=lambda: weekly_hours(None))

    @field_validator("start_date", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"expected a date like 2027-01-04 (got {value!r})") from None
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        return weekly_hours(value)
