"""Opening hours and shifts laid out over the whole horizon, as sorted interval arrays.

A weekly pattern ("Mon–Fri 08:00–17:00") is unrolled once into the concrete open intervals of
the simulated period, in minutes from the start. Every question the models ask — is the office
open now, when does it next open, how many open minutes lie between two times — is then a
vectorised ``searchsorted``, cheap enough to answer for thousands of jobs at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from autosim.scenario.calendar_schema import WeeklyHours

__all__ = ["Timetable"]

DAY = 1440.0


@dataclass(frozen=True)
class Timetable:
    """Sorted, non-overlapping open intervals ``[opens[i], closes[i])`` in minutes."""

    opens: np.ndarray
    closes: np.ndarray

    @classmethod
    def weekly(cls, hours: WeeklyHours, start_date: dt.date, n_days: int) -> Timetable:
        """Unroll a weekly pattern (Monday first) from ``start_date`` over ``n_days`` days.

        One extra week is laid out beyond the horizon so "next opening" always exists when the
        pattern has any open day.
        """
        first = start_date.weekday()
        opens, closes = [], []
        for day in range(n_days + 7):
            span = hours[(first + day) % 7]
            if span is not None:
                start, end = day * DAY + span[0], day * DAY + span[1]
                if closes and closes[-1] == start:  # 00:00-24:00 on consecutive days: merge
                    closes[-1] = end
                else:
                    opens.append(start)
                    closes.append(end)
        return cls(np.asarray(opens, dtype=float), np.asarray(closes, dtype=float))

    @classmethod
    def always(cls, n_days: int) -> Timetable:
        """Open around the clock (automated intake)."""
        return cls(np.array([0.0]), np.array([(n_days + 7) * DAY]))

    @property
    def empty(self) -> bool:
        """True when never open."""
        return self.opens.size == 0

    def is_open(self, t: np.ndarray | float) -> np.ndarray:
        """Whether each time lies inside an open interval."""
        i = np.searchsorted(self.opens, t, side="right") - 1
        ok = i >= 0
        return ok & (np.asarray(t) < self.closes[np.maximum(i, 0)])

    def next_open(self, t: np.ndarray | float) -> np.ndarray:
        """``t`` itself when open, else the next opening time (inf when none is left)."""
        t = np.asarray(t, dtype=float)
        if self.empty:
            return np.full_like(t, np.inf)
        i = np.searchsorted(self.closes, t, side="right")  # first interval closing after t
        nxt = np.where(i < self.opens.size, self.opens[np.minimum(i, self.opens.size - 1)], np.inf)
        return np.maximum(t, nxt)

    def open_minutes_before(self, t: np.ndarray | float) -> np.ndarray:
        """Total open minutes in ``[0, t)``; differences give the open time between two times."""
        t = np.asarray(t, dtype=float)
        if self.empty:
            return np.zeros_like(t)
        cum = np.concatenate([[0.0], np.cumsum(self.closes - self.opens)])
        i = np.searchsorted(self.opens, t, side="right")  # intervals opened before t
        last = np.maximum(i - 1, 0)
        partial = np.where(i > 0, np.clip(t - self.opens[last], 0.0, None), 0.0)
        partial = np.minimum(partial, (self.closes - self.opens)[last])
        return np.where(i > 0, cum[last] + partial, 0.0)

    def open_minutes_per_day(self, n_days: int) -> np.ndarray:
        """Open minutes on each simulated day (wages are paid for these)."""
        edges = np.arange(n_days + 1) * DAY
        return np.diff(self.open_minutes_before(edges))

    def boundaries(self, until: float) -> list[tuple[float, bool]]:
        """(time, opening?) events in time order up to ``until``: shift starts and ends."""
        events = [(float(o), True) for o in self.opens if o < until]
        events += [(float(c), False) for c in self.closes if c < until]
        events.sort(key=lambda e: (e[0], e[1]))  # a close before an open at the same minute
        return events
