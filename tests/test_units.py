"""Tests for autosim.units: durations, clock times, opening hours and money."""

from __future__ import annotations

import math
import re

import pytest

from autosim.units import format_duration, parse_clock, parse_duration, parse_hours, parse_money


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45 min", 45.0),
        ("45min", 45.0),
        ("45 MIN", 45.0),
        ("1 minute", 1.0),
        ("3 mins", 3.0),
        ("10 m", 10.0),
        ("2 h", 120.0),
        ("1.5 hours", 90.0),
        ("2 hr", 120.0),
        ("2 Hrs", 120.0),
        ("3 day", 4320.0),
        ("3 days", 4320.0),
        ("0.5 d", 720.0),
        ("30 s", 0.5),
        ("30 sec", 0.5),
        ("90 seconds", 1.5),
        ("1 week", 10080.0),
        ("2 weeks", 20160.0),
        ("1 wk", 10080.0),
        ("1 year", 365.25 * 1440.0),
        ("2 years", 2 * 365.25 * 1440.0),
        ("1 yr", 365.25 * 1440.0),
        ("12 month", 365.25 * 1440.0),
        ("  1e3 min  ", 1000.0),
        ("0", 0.0),
        ("0 h", 0.0),
        (0, 0.0),
        (0.0, 0.0),
    ],
)
def test_parse_duration_good(text: object, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (45, "a duration needs a unit, e.g. '45 min' or '2 h' (got 45)"),
        (2.5, "needs a unit"),
        ("45", "needs a unit"),
        (-3, "cannot be negative (got -3)"),
        ("-3 min", "cannot be negative"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("nan min", "finite"),
        ("inf h", "finite"),
        (True, "(got True)"),
        (None, "(got None)"),
        ([45], "(got [45])"),
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("min", "needs a number"),
        ("3 fortnights", "unknown duration unit 'fortnights'"),
        ("3 fortnights", "Allowed: s, min, h, day, week"),
        ("3 minuts", "did you mean 'minutes'?"),
        ("2 h 30 min", "cannot read '2 h 30 min'"),
        ("abc min", "cannot read 'abc min'"),
    ],
)
def test_parse_duration_bad(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_duration(value)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (45, "45 min"),
        (120, "2 h"),
        (90, "1.5 h"),
        (4320, "3 day"),
        (30240, "3 week"),
        (0.5, "30 s"),
        (0, "0 min"),
        (1, "1 min"),
        (100.0 / 3.0, "33.3 min"),
        (1234567, "122 week"),
        (-90, "-1.5 h"),
    ],
)
def test_format_duration(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text


@pytest.mark.parametrize("text", ["45 min", "1.5 h", "3 day", "30 s", "2 week"])
def test_format_duration_round_trips(text: str) -> None:
    assert parse_duration(format_duration(parse_duration(text))) == pytest.approx(
        parse_duration(text)
    )


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("08:00", 480.0), ("7:30", 450.0), ("00:00", 0.0), ("24:00", 1440.0), (" 23:59 ", 1439.0)],
)
def test_parse_clock_good(text: str, minutes: float) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("25:00", "between 00:00 and 24:00"),
        ("24:01", "between 00:00 and 24:00"),
        ("08:61", "00-59"),
        ("8", "'08:00'"),
        ("8am", "'8am'"),
        ("", "(got '')"),
        (480, "(got 480)"),
    ],
)
def test_parse_clock_bad(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_clock(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08:00-17:00", (480.0, 1020.0)),
        ("7:30 - 12:00", (450.0, 720.0)),
        ("closed", None),
        ("Closed", None),
        (None, None),
        ("00:00-24:00", (0.0, 1440.0)),
        ("24h", (0.0, 1440.0)),
        ("24H", (0.0, 1440.0)),
    ],
)
def test_parse_hours_good(value: object, expected: tuple[float, float] | None) -> None:
    assert parse_hours(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("22:00-06:00", "'00:00-24:00'"),
        ("22:00-06:00", "split"),
        ("17:00-17:00", "end after they start"),
        ("08:00", "'08:00-17:00'"),
        ("08:00-25:00", "'08:00-25:00'"),
        ("open", "'open'"),
        (8, "(got 8)"),
    ],
)
def test_parse_hours_bad(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_hours(value)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (1200, 1200.0),
        (12.5, 12.5),
        ("12,000", 12000.0),
        ("$1,200.50", 1200.5),
        ("1.2k", 1200.0),
        ("1.2K", 1200.0),
        ("3M", 3_000_000.0),
        ("3m", 3_000_000.0),
        ("$2.5k", 2500.0),
        ("-$300", -300.0),
        ("  42 ", 42.0),
        ("1e6", 1e6),
    ],
)
def test_parse_money_good(value: object, amount: float) -> None:
    assert parse_money(value) == pytest.approx(amount)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("nan", "finite"),
        (True, "(got True)"),
        (None, "(got None)"),
        ("abc", "'abc'"),
        ("1,2,3", "'1,2,3'"),
        ("$", "'$'"),
        ("12 dollars", "'12 dollars'"),
        ("-$-3", "two signs"),
    ],
)
def test_parse_money_bad(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        parse_money(value)
