"""Field-service dispatch: technicians, a job queue and the choice of who goes where (SimPy).

This is the part of the business where jobs compete for scarce people, so it is the part that is
event-driven. A job that is ready waits in a priority queue (lower number first, then first come)
until a technician who may take it is free; the dispatcher's policy picks among free
technicians — the one free longest (``first_available``), the nearest (``nearest_idle``), or the
nearest only some of the time (``manual``, a person juggling a whiteboard). The technician drives
from wherever the last job left them, works, and is then free at the job's address.

Shifts open and close the crew; after hours only the on-call technicians work, and only on job
types served after hours. A customer who is not assigned a technician within their patience calls
a competitor: the job is lost. Losses are decided lazily (a job whose deadline has passed is
dropped when it reaches the head of the queue), which is exact and costs no events.

Only two events happen per job (it becomes ready; its technician finishes), which is what keeps a
business-year of calls fast. Everything else — KPIs, wages, cash — is computed afterwards from
the arrays this model records; the queue lengths of this dispatch queue are read off them here
(:func:`queue_kpis`), since only this module knows when a job joins and leaves the queue.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from autosim.kpis import column
from autosim.model.timetable import Timetable

__all__ = ["CHOICE", "Crew", "DispatchJobs", "DispatchRecord", "queue_kpis", "simulate_dispatch"]

#: How a free technician is chosen for a job, as recorded per job.
CHOICE = {"first_available": 0, "nearest_idle": 1, "random": 2}


@dataclass(frozen=True)
class DispatchJobs:
    """Per-job inputs, aligned arrays (times in minutes, distances in km)."""

    ready: np.ndarray
    deadline: np.ndarray  # call + patience (inf when the customer waits forever)
    priority: np.ndarray
    x: np.ndarray
    y: np.ndarray
    service: np.ndarray
    overhead: np.ndarray  # travel overhead for this job's trip
    speed: np.ndarray  # km per minute for this job's trip
    choice: np.ndarray  # CHOICE code
    pick: np.ndarray  # uniform for a random choice among free technicians
    after_hours: np.ndarray  # on-call technicians take it outside shifts
    # Repeat and referral calls (optional): a potential job only happens if activated when its
    # parent ends, with probability p_on_time (reached within expectation) or p_late.
    exists: np.ndarray | None = None  # initially existing jobs (None: all)
    child: np.ndarray | None = None  # index of each job's potential follow-up (-1: none)
    expect_by: np.ndarray | None = None  # call + the response time the customer expects
    p_on_time: np.ndarray | None = None
    p_late: np.ndarray | None = None
    u_child: np.ndarray | None = None


@dataclass(frozen=True)
class Crew:
    """The technicians: how many, where they start, how fast they drive, when they work."""

    n: int
    base: tuple[float, float]
    metric: str
    on_call: int
    shift: Timetable


@dataclass(frozen=True)
class DispatchRecord:
    """What happened to each job (NaN / -1 where it did not happen within the horizon)."""

    tech: np.ndarray
    assign: np.ndarray
    arrive: np.ndarray
    done: np.ndarray
    n_events: int
    exists: np.ndarray  # the job happened (always, except follow-ups that were not activated)

    def subset(self, mask: np.ndarray) -> DispatchRecord:
        """The records of the jobs where ``mask`` holds."""
        return DispatchRecord(
            self.tech[mask],
            self.assign[mask],
            self.arrive[mask],
            self.done[mask],
            self.n_events,
            self.exists[mask],
        )


class _Model:
    """One run of the dispatch floor. Plain attributes and lists: this is the hot loop."""

    def __init__(self, jobs: DispatchJobs, crew: Crew) -> None:
        self.env = simpy.Environment()
        n = jobs.ready.size
        self.deadline = jobs.deadline.tolist()
        self.priority = jobs.priority.tolist()
        self.jx = jobs.x.tolist()
        self.jy = jobs.y.tolist()
        self.service = jobs.service.tolist()
        self.overhead = jobs.overhead.tolist()
        self.choice = jobs.choice.tolist()
        self.pick = jobs.pick.tolist()
        self.eligible = jobs.after_hours.tolist()
        self.ready = jobs.ready.tolist()
        self.crew = crew
        self.speed = jobs.speed.tolist()
        self.manhattan = crew.metric == "manhattan"
        self.tx = [crew.base[0]] * crew.n
        self.ty = [crew.base[1]] * crew.n
        self.idle: list[int] = list(range(crew.n))  # ordered: free longest first
        self.on_shift = False
        self.q_after: list[tuple[int, float, int]] = []  # served after hours
        self.q_day: list[tuple[int, float, int]] = []  # waits for the shift
        self.tech = [-1] * n
        self.assign = [math.nan] * n
        self.arrive = [math.nan] * n
        self.done = [math.nan] * n
        self.n_events = 0  # timeouts scheduled: what SimPy had to process
        self.current = [-1] * crew.n
        self.exists = [True] * n if jobs.exists is None else jobs.exists.tolist()
        self.follow_ups = jobs.child is not None
        if self.follow_ups:
            self.child = jobs.child.tolist()
            self.expect_by = jobs.expect_by.tolist()
            self.p_on_time = jobs.p_on_time.tolist()
            self.p_late = jobs.p_late.tolist()
            self.u_child = jobs.u_child.tolist()

    # -- processes -------------------------------------------------------------------------
    def arrivals(self, order: list[int]):
        env, ready = self.env, self.ready
        exists = self.exists
        for j in order:
            if not exists[j]:
                continue  # a follow-up call that the parent's experience did not bring
            delay = ready[j] - env.now
            if delay > 0:
                self.n_events += 1
                yield env.timeout(delay)
            self.job_ready(j)

    def shifts(self, boundaries: list[tuple[float, bool]]):
        env = self.env
        for t, opening in boundaries:
            if t > env.now:
                self.n_events += 1
                yield env.timeout(t - env.now)
            if opening:
                self.open_shift()
            else:
                self.close_shift()

    # -- decisions -------------------------------------------------------------------------
    def candidates(self, j: int) -> list[int]:
        if self.on_shift:
            return self.idle
        if self.eligible[j]:
            on_call = self.crew.on_call
            return [k for k in self.idle if k < on_call]
        return []

    def choose(self, cands: list[int], j: int) -> int:
        code = self.choice[j]
        if code == 0 or len(cands) == 1:
            return cands[0]
        if code == 2:
            return cands[int(self.pick[j] * len(cands))]
        x, y, tx, ty = self.jx[j], self.jy[j], self.tx, self.ty
        if self.manhattan:
            return min(cands, key=lambda k: abs(tx[k] - x) + abs(ty[k] - y))
        return min(cands, key=lambda k: math.hypot(tx[k] - x, ty[k] - y))

    def job_ready(self, j: int) -> None:
        if self.deadline[j] <= self.env.now:
            return  # the customer gave up before the job was even taken
        cands = self.candidates(j)
        if cands:
            self.start(self.choose(cands, j), j)
        else:
            entry = (self.priority[j], self.ready[j], j)
            heapq.heappush(self.q_after if self.eligible[j] else self.q_day, entry)

    def start(self, k: int, j: int) -> None:
        self.idle.remove(k)
        now = self.env.now
        dx, dy = self.jx[j] - self.tx[k], self.jy[j] - self.ty[k]
        dist = abs(dx) + abs(dy) if self.manhattan else math.hypot(dx, dy)
        travel = dist / self.speed[j] + self.overhead[j]
        self.tech[j] = k
        self.current[k] = j
        self.assign[j] = now
        self.arrive[j] = now + travel
        self.done[j] = now + travel + self.service[j]
        self.tx[k], self.ty[k] = self.jx[j], self.jy[j]
        self.n_events += 1
        self.env.timeout(travel + self.service[j]).callbacks.append(lambda _ev, k=k: self.free(k))

    def pop_next(self, include_day: bool) -> int | None:
        """Best waiting job (priority, then first ready), dropping customers who gave up."""
        now, deadline = self.env.now, self.deadline
        queues = (self.q_after, self.q_day) if include_day else (self.q_after,)
        for q in queues:
            while q and deadline[q[0][2]] <= now:
                heapq.heappop(q)
        heads = [q for q in queues if q]
        if not heads:
            return None
        best = min(heads, key=lambda q: q[0])
        return heapq.heappop(best)[2]

    def free(self, k: int) -> None:
        if self.follow_ups:
            self.follow_up(self.current[k])
        if self.on_shift:
            j = self.pop_next(include_day=True)
        elif k < self.crew.on_call:
            j = self.pop_next(include_day=False)
        else:
            j = None
        self.idle.append(k)
        if j is not None:
            self.start(k, j)
        elif not self.on_shift and k >= self.crew.on_call:
            self.tx[k], self.ty[k] = self.crew.base  # home after the last job

    def follow_up(self, j: int) -> None:
        """A finished job may bring the customer back (or a referral), if they were happy."""
        child = self.child[j]
        if child < 0:
            return
        late = self.arrive[j] > self.expect_by[j]
        if self.u_child[j] < (self.p_late[j] if late else self.p_on_time[j]):
            self.exists[child] = True

    def open_shift(self) -> None:
        self.on_shift = True
        for k in self.idle:
            self.tx[k], self.ty[k] = self.crew.base
        while self.idle:
            j = self.pop_next(include_day=True)
            if j is None:
                break
            self.start(self.choose(self.idle, j), j)

    def close_shift(self) -> None:
        self.on_shift = False
        for k in self.idle:
            if k >= self.crew.on_call:
                self.tx[k], self.ty[k] = self.crew.base


def simulate_dispatch(jobs: DispatchJobs, crew: Crew, horizon: float) -> DispatchRecord:
    """Run the dispatch floor until ``horizon`` minutes and record every job's fate."""
    model = _Model(jobs, crew)
    order = np.argsort(jobs.ready, kind="stable")
    order = order[jobs.ready[order] < horizon].tolist()
    model.env.process(model.arrivals(order))
    model.env.process(model.shifts(crew.shift.boundaries(horizon)))
    model.env.run(until=horizon)
    done = np.asarray(model.done)
    done[done > horizon] = np.nan  # still at work when the horizon ends
    return DispatchRecord(
        tech=np.asarray(model.tech),
        assign=np.asarray(model.assign),
        arrive=np.asarray(model.arrive),
        done=done,
        n_events=model.n_events,
        exists=np.asarray(model.exists, dtype=bool),
    )


def queue_kpis(
    groups: Sequence[tuple[str | None, str | None, np.ndarray]],
    ready: np.ndarray,
    record: DispatchRecord,
    deadline: np.ndarray,
    start: float,
    horizon: float,
) -> dict[str, float]:
    """Time-average number of jobs waiting for a technician and in the dispatch system.

    A job waits from ``ready`` (intake done: the office's own queue is not counted) until a
    technician is assigned — or, if none ever is, until its customer gives up (``deadline``, a
    lost job counts while it waits) or the horizon. It is in the system until its technician is
    free again (travel and work; the horizon if later). The time-average of a count is the time
    jobs spent in that state within the window ``[start, horizon]`` (minutes) divided by its
    length: ``queue_length_mean`` and ``in_system_mean`` per group of ``groups`` ((by, value,
    mask) over the jobs; by None: all jobs), so the groups' values add up to the total.
    """
    assigned = ~np.isnan(record.assign)
    leave_queue = np.where(assigned, record.assign, np.minimum(deadline, horizon))
    leave = np.where(assigned, np.fmin(record.done, horizon), leave_queue)
    first = np.maximum(ready, start)
    waiting = np.clip(np.minimum(leave_queue, horizon) - first, 0.0, None)
    inside = np.clip(np.minimum(leave, horizon) - first, 0.0, None)
    span = horizon - start
    out: dict[str, float] = {}
    for by, value, mask in groups:
        out[column("queue_length_mean", by, value)] = float(waiting[mask].sum() / span)
        out[column("in_system_mean", by, value)] = float(inside[mask].sum() / span)
    return out
