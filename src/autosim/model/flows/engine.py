"""The floor where items compete for pool units: the only event-driven part of operations (SimPy).

Every item's route is known before the run (:mod:`autosim.model.flows.plan`): a list of
**legs**, each "wait for a unit of pool p, then take s minutes", with the delays between them.
What is not known is how long each wait lasts, because that depends on everybody else — so that,
and only that, is simulated. A leg that is ready joins its pool's priority queue (lower priority
first, then first ready, then first arrived); a free unit of the pool takes the best one while
on shift, works it to the end (past the shift's end if need be: overtime), and takes the next.
An arrival who finds ``limit`` items already waiting at the pool balks; one who has waited their
patience when a unit would take them has reneged (decided lazily at the head of the queue, which
is exact and costs no event; a pool that has both a limit and impatient customers also keeps a
heap of deadlines so the count a newcomer sees is exact).

Events per leg: one when it becomes ready after a delay (none when it follows the previous leg
directly) and one when its service ends; the first leg of an item is fed by one arrivals process
(one event per item). An M/M/c customer therefore costs two events, against about six for the
one-process-per-customer SimPy idiom. Shifts and changes of a pool's size (a hire going live)
are a handful of events per day. Everything is recorded in flat arrays for vectorised KPIs.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np
import simpy

from autosim.model.timetable import Timetable

__all__ = ["LegState", "PoolPlan", "Work", "WorkRecord", "simulate_work"]


class LegState:
    """What happened to a leg (``WorkRecord.state``)."""

    NONE = 0  # never reached (the item left before, or the horizon came first)
    WAITING = 1  # in the queue at the horizon
    STARTED = 2
    BALKED = 3
    RENEGED = 4


@dataclass(frozen=True)
class PoolPlan:
    """The pools of one variant: shift timetables and size over time (a hire from go-live)."""

    ids: tuple[str, ...]
    shifts: tuple[Timetable, ...]
    counts: tuple[tuple[tuple[float, int], ...], ...]  # per pool: (from minute, count), sorted
    wage: np.ndarray
    overtime_multiplier: np.ndarray

    def count_at(self, p: int, t: np.ndarray) -> np.ndarray:
        """Units of pool ``p`` at times ``t``."""
        times = np.array([c[0] for c in self.counts[p]])
        values = np.array([c[1] for c in self.counts[p]])
        return values[np.maximum(np.searchsorted(times, t, side="right") - 1, 0)]


@dataclass(frozen=True)
class Work:
    """One variant's items and their legs (legs of an item consecutive, in route order)."""

    # per item
    flow: np.ndarray
    arrival: np.ndarray
    revenue: np.ndarray  # paid when completed
    after: np.ndarray  # delay after the last leg (or after arrival, without legs)
    first: np.ndarray  # index of the item's first leg (meaningless without legs)
    n_legs: np.ndarray
    # per leg
    item: np.ndarray
    step: np.ndarray  # global step number (flows' steps one after another)
    pool: np.ndarray
    service: np.ndarray
    priority: np.ndarray
    limit: np.ndarray  # waiting items at which an arrival balks (inf: no limit)
    patience: np.ndarray  # inf: never gives up at this leg
    before: np.ndarray  # delay from the previous leg's end (or the arrival) to joining

    @property
    def n_items(self) -> int:
        """Items in the horizon."""
        return int(self.arrival.size)


@dataclass(frozen=True)
class WorkRecord:
    """Per leg: when it joined its queue, when service started, its state; event count."""

    ready: np.ndarray
    start: np.ndarray
    deadline: np.ndarray
    state: np.ndarray
    n_events: int


class _Floor:
    """One run. Plain lists and local names: this is the hot loop."""

    def __init__(self, work: Work, pools: PoolPlan) -> None:
        self.env = simpy.Environment()
        n = work.item.size
        self.pool = work.pool.tolist()
        self.service = work.service.tolist()
        self.priority = work.priority.tolist()
        self.limit = work.limit.tolist()
        self.patience = work.patience.tolist()
        self.before = work.before.tolist()
        last = np.ones(n, bool)
        last[:-1] = work.item[1:] != work.item[:-1]
        self.next = np.where(last, -1, np.arange(n) + 1).tolist()
        self.ready_at = [math.nan] * n
        self.start_at = [math.nan] * n
        self.deadline = [math.inf] * n
        self.state = [LegState.NONE] * n
        n_pools = len(pools.ids)
        self.queues: list[list[tuple[int, float, int]]] = [[] for _ in range(n_pools)]
        self.n_waiting = [0] * n_pools
        # a pool whose newcomers may balk while others may renege keeps a heap of deadlines
        self.deadlines: list[list[tuple[float, int]] | None] = [None] * n_pools
        for p in range(n_pools):
            at = work.pool == p
            if np.isfinite(work.limit[at]).any() and np.isfinite(work.patience[at]).any():
                self.deadlines[p] = []
        self.idle: list[deque[int]] = [deque() for _ in range(n_pools)]
        self.on_shift = [False] * n_pools
        self.target = [0] * n_pools
        self.active = [0] * n_pools
        self.unit_pool: list[int] = []
        self.unit_leg: list[int] = []
        self.n_events = 0

    # -- processes ---------------------------------------------------------------------------
    def feed(self, legs: list[int], times: list[float]):
        env, ready = self.env, self.ready
        for leg, t in zip(legs, times, strict=True):
            if t > env.now:
                self.n_events += 1
                yield env.timeout(t - env.now)
            ready(leg)

    def timeline(self, events: list[tuple[float, int, int, int]]):
        """Shift boundaries (kind 0 close, 2 open) and pool sizes (kind 1) in time order."""
        env = self.env
        for t, kind, p, value in events:
            if t > env.now:
                self.n_events += 1
                yield env.timeout(t - env.now)
            if kind == 1:
                self.resize(p, value)
            elif kind == 2:
                self.on_shift[p] = True
                self.pull(p)
            else:
                self.on_shift[p] = False

    # -- decisions ---------------------------------------------------------------------------
    def ready(self, leg: int) -> None:
        p = self.pool[leg]
        now = self.env.now
        self.ready_at[leg] = now
        idle = self.idle[p]
        if idle and self.on_shift[p]:
            self.start(idle.popleft(), leg)
            return
        limit = self.limit[leg]
        dl = self.deadlines[p]
        if limit != math.inf:
            if dl is not None:
                self.expire(p, dl, now)
            if self.n_waiting[p] >= limit:
                self.state[leg] = LegState.BALKED
                return
        deadline = now + self.patience[leg]
        self.deadline[leg] = deadline
        self.state[leg] = LegState.WAITING
        heapq.heappush(self.queues[p], (self.priority[leg], now, leg))
        self.n_waiting[p] += 1
        if dl is not None and deadline != math.inf:
            heapq.heappush(dl, (deadline, leg))

    def expire(self, p: int, dl: list[tuple[float, int]], now: float) -> None:
        """Count out the customers who have given up by now (their queue entries stay)."""
        state = self.state
        while dl and dl[0][0] <= now:
            leg = heapq.heappop(dl)[1]
            if state[leg] == LegState.WAITING:
                state[leg] = LegState.RENEGED
                self.n_waiting[p] -= 1

    def pop_next(self, p: int) -> int:
        """Best waiting leg of pool ``p`` (-1: none), dropping those who gave up."""
        q, state, deadline = self.queues[p], self.state, self.deadline
        now = self.env.now
        while q:
            leg = heapq.heappop(q)[2]
            if state[leg] != LegState.WAITING:
                continue  # already counted out as reneged
            self.n_waiting[p] -= 1
            if deadline[leg] <= now:
                state[leg] = LegState.RENEGED
                continue
            return leg
        return -1

    def start(self, unit: int, leg: int) -> None:
        self.state[leg] = LegState.STARTED
        self.start_at[leg] = self.env.now
        self.unit_leg[unit] = leg
        self.n_events += 1
        self.env.timeout(self.service[leg], unit).callbacks.append(self.done)

    def done(self, event: simpy.Event) -> None:
        unit = event.value
        leg = self.unit_leg[unit]
        p = self.unit_pool[unit]
        if self.active[p] > self.target[p]:
            self.active[p] -= 1  # the pool shrank while this unit was busy: it leaves now
        elif self.on_shift[p]:
            nxt = self.pop_next(p)
            if nxt >= 0:
                self.start(unit, nxt)
            else:
                self.idle[p].append(unit)
        else:
            self.idle[p].append(unit)
        leg = self.next[leg]
        if leg >= 0:
            delay = self.before[leg]
            if delay > 0:
                self.n_events += 1
                self.env.timeout(delay, leg).callbacks.append(self.delayed)
            else:
                self.ready(leg)

    def delayed(self, event: simpy.Event) -> None:
        self.ready(event.value)

    def pull(self, p: int) -> None:
        """Free units of pool ``p`` take waiting work."""
        idle = self.idle[p]
        while idle:
            leg = self.pop_next(p)
            if leg < 0:
                return
            self.start(idle.popleft(), leg)

    def resize(self, p: int, count: int) -> None:
        self.target[p] = count
        while self.active[p] < count:
            self.unit_pool.append(p)
            self.unit_leg.append(-1)
            self.idle[p].append(len(self.unit_pool) - 1)
            self.active[p] += 1
        while self.active[p] > count and self.idle[p]:
            self.idle[p].pop()
            self.active[p] -= 1
        if self.on_shift[p]:
            self.pull(p)


def _timeline(pools: PoolPlan, horizon: float) -> list[tuple[float, int, int, int]]:
    events = []
    for p, (shift, counts) in enumerate(zip(pools.shifts, pools.counts, strict=True)):
        events += [(t, 1, p, c) for t, c in counts if t < horizon]
        events += [(t, 2 if opening else 0, p, 0) for t, opening in shift.boundaries(horizon)]
    events.sort()  # at one moment: shifts close, then sizes change, then shifts open
    return events


def simulate_work(work: Work, pools: PoolPlan, horizon: float) -> WorkRecord:
    """Run the floor until ``horizon`` minutes and record every leg's fate."""
    floor = _Floor(work, pools)
    has_legs = np.flatnonzero(work.n_legs > 0)
    first = work.first[has_legs]
    t0 = work.arrival[has_legs] + work.before[first]
    order = np.argsort(t0, kind="stable")
    keep = t0[order] < horizon
    floor.env.process(floor.timeline(_timeline(pools, horizon)))
    floor.env.process(floor.feed(first[order][keep].tolist(), t0[order][keep].tolist()))
    floor.env.run(until=horizon)
    state = np.asarray(floor.state, dtype=np.int8)
    deadline = np.asarray(floor.deadline)
    state[(state == LegState.WAITING) & (deadline <= horizon)] = LegState.RENEGED
    return WorkRecord(
        ready=np.asarray(floor.ready_at),
        start=np.asarray(floor.start_at),
        deadline=deadline,
        state=state,
        n_events=floor.n_events,
    )
