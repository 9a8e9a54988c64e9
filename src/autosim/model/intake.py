"""Intake: from a customer's call to a job that a technician can be sent to.

Calls reach a staffed office (dispatchers answer in order of arrival, during opening hours),
an answering service that passes after-hours emergencies to the on-call technician, or an
automated intake that is open around the clock and never queues. The office queue is a plain
first-come-first-served multi-server queue that nothing else competes for, so it is computed
exactly with a heap of dispatcher-free times rather than simulated event by event.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from autosim.model.timetable import Timetable

__all__ = ["IntakeResult", "fifo_start_times", "intake_times"]


def fifo_start_times(arrivals: np.ndarray, services: np.ndarray, servers: int) -> np.ndarray:
    """Service start times of a FIFO queue with ``servers`` identical servers.

    ``arrivals`` must be sorted. Exact (the Kiefer–Wolfowitz recursion with a heap of the times
    each server becomes free).
    """
    free = [0.0] * servers
    starts = np.empty(arrivals.size)
    for i, (a, s) in enumerate(zip(arrivals.tolist(), services.tolist(), strict=True)):
        earliest = free[0]
        start = a if a >= earliest else earliest
        heapq.heapreplace(free, start + s)
        starts[i] = start
    return starts


@dataclass(frozen=True)
class IntakeResult:
    """When each job is ready for a technician, and how much dispatcher time it took."""

    ready: np.ndarray
    via_office: np.ndarray  # handled by the staffed office queue
    office_minutes: float


def intake_times(
    call: np.ndarray,
    automated: np.ndarray,
    handling: np.ndarray,
    on_call_answering: np.ndarray,
    office: Timetable,
    dispatchers: int,
) -> IntakeResult:
    """Ready time of every job.

    Parameters
    ----------
    call
        Call times (sorted), minutes.
    automated
        Job uses the automated intake (24/7, no queue).
    handling
        Handling time of each call, minutes (automated or human, as decided per job).
    on_call_answering
        Job is eligible for the after-hours answering service (on-call policy and a job type
        served after hours) — used only when the office is closed at the call.
    office, dispatchers
        Office hours and staff for the human path. Calls outside hours wait for a callback at
        the next opening; a queue left at closing time is still worked through.
    """
    ready = call + handling
    open_now = office.is_open(call)
    direct = automated | (~open_now & on_call_answering)
    via_office = ~direct
    if via_office.any():
        idx = np.flatnonzero(via_office)
        joins = office.next_open(call[idx])
        order = np.lexsort((call[idx], joins))
        idx, joins = idx[order], joins[order]
        starts = fifo_start_times(joins, handling[idx], max(dispatchers, 1))
        ready[idx] = starts + handling[idx]
    return IntakeResult(ready, via_office, float(handling[via_office].sum()))
