"""Reference models that autosim is measured against, each fed the very same customers.

A speed figure means little on its own; what matters is how autosim compares with the obvious
alternatives doing the same work on the same machine at the same moment. The references are:

* ``mmc_simpy`` — an M/M/c queue written the way the SimPy documentation teaches it: one process
  per customer requesting a :class:`simpy.Resource`. This is what a modeller would write first.
* ``mmc_ciw`` and ``mmc_salabim`` — the same queue in two other discrete-event libraries (both
  optional: the suite reports them as skipped when they are not installed). salabim runs in its
  fastest style (yield API, no animation, long-lived server processes pulling from a line).
* ``mmc_heap`` — the exact Kiefer–Wolfowitz recursion (a heap of server-free times). It is not a
  simulator but the floor: nothing that processes customers one by one can be much faster, and
  for FIFO it gives the exact waits every simulator must reproduce.
* ``field_service_simpy`` — plain SimPy field service: technicians on a grid, a FIFO job queue,
  the nearest idle technician drives (distance / speed + overhead) and then works. It is fed the
  jobs autosim's flagship scenario dispatches, so its time is the cost of "dispatch alone".

Every function takes arrays (arrival and service times, locations) rather than drawing its own
random numbers: that is what makes the comparisons pair-wise exact, and what lets the tests check
that all methods give the same waits for the same customers.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

__all__ = [
    "HAVE_CIW",
    "HAVE_SALABIM",
    "INSTALL_HINT",
    "FieldJobs",
    "FieldRecord",
    "MMcCustomers",
    "count_simpy_events",
    "field_service_simpy",
    "mmc_ciw",
    "mmc_customers",
    "mmc_heap",
    "mmc_salabim",
    "mmc_simpy",
]

try:  # optional comparison: the suite still runs without it
    import ciw
except ImportError:  # pragma: no cover - depends on the environment
    ciw = None
try:
    import salabim as sim
except ImportError:  # pragma: no cover - depends on the environment
    sim = None

HAVE_CIW = ciw is not None
HAVE_SALABIM = sim is not None
INSTALL_HINT = "skipped (install with: pip install ciw salabim)"


# -- customers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MMcCustomers:
    """One stream of customers for an M/M/c queue: sorted arrivals and their service times."""

    arrival: np.ndarray
    service: np.ndarray
    servers: int

    def __len__(self) -> int:
        return int(self.arrival.size)


def mmc_customers(
    n: int, servers: int, rho: float, seed: int, mean_service: float = 60.0
) -> MMcCustomers:
    """Draw ``n`` Poisson arrivals and exponential services at utilisation ``rho`` (minutes)."""
    rng = np.random.default_rng(seed)
    lam = rho * servers / mean_service
    arrival = np.cumsum(rng.exponential(1.0 / lam, n))
    service = rng.exponential(mean_service, n)
    return MMcCustomers(arrival, service, servers)


# -- the floor: exact FIFO waits ------------------------------------------------------------------
def mmc_heap(c: MMcCustomers) -> np.ndarray:
    """Exact FIFO waits by the Kiefer–Wolfowitz recursion (heap of the times servers free up).

    Each customer starts at ``max(arrival, earliest free time)`` and makes that server busy until
    start + service. One heap operation per customer: the cheapest exact method there is.
    """
    free = [0.0] * c.servers
    waits = []
    append = waits.append
    replace = heapq.heapreplace
    for a, s in zip(c.arrival.tolist(), c.service.tolist(), strict=True):
        earliest = free[0]
        start = a if a >= earliest else earliest
        replace(free, start + s)
        append(start - a)
    return np.asarray(waits)


# -- plain SimPy ----------------------------------------------------------------------------------
def mmc_simpy(c: MMcCustomers) -> np.ndarray:
    """Idiomatic SimPy: a source process starts one process per customer, who requests a server.

    Written the way SimPy's own examples are (``with resource.request() as req: yield req``), so
    it measures what a modeller gets without thinking about events per customer.
    """
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c.servers)
    arrival = c.arrival.tolist()
    service = c.service.tolist()
    waits = [math.nan] * len(arrival)

    def customer(i: int):
        with servers.request() as req:
            yield req
            waits[i] = env.now - arrival[i]
            yield env.timeout(service[i])

    def source():
        for i, a in enumerate(arrival):
            yield env.timeout(a - env.now)
            env.process(customer(i))

    env.process(source())
    env.run()
    return np.asarray(waits)


# -- Ciw ------------------------------------------------------------------------------------------
if HAVE_CIW:

    class _ByCustomer(ciw.dists.Distribution):
        """Service time looked up by the customer's number, so Ciw serves our customers."""

        def __init__(self, values: list[float]) -> None:
            self.values = values

        def sample(self, t: float | None = None, ind: Any = None) -> float:
            return self.values[ind.id_number - 1]

    class _Gaps(ciw.dists.Distribution):
        """Our interarrival times in order, then no more arrivals (an infinite gap)."""

        def __init__(self, values: list[float]) -> None:
            self.values = iter(values)

        def sample(self, t: float | None = None, ind: Any = None) -> float:
            return next(self.values, math.inf)


def mmc_ciw(c: MMcCustomers) -> np.ndarray:
    """The same M/M/c in Ciw: interarrival times in sequence, service times by customer number."""
    if not HAVE_CIW:
        raise RuntimeError(INSTALL_HINT)
    gaps = np.diff(c.arrival, prepend=0.0).tolist()
    network = ciw.create_network(
        arrival_distributions=[_Gaps(gaps)],
        service_distributions=[_ByCustomer(c.service.tolist())],
        number_of_servers=[c.servers],
    )
    simulation = ciw.Simulation(network)
    # Run until well after the last customer could have left: at most all work done in a row.
    simulation.simulate_until_max_time(float(c.arrival[-1] + c.service.sum()) + 1.0)
    waits = np.full(len(c), math.nan)
    for record in simulation.get_all_records():
        waits[record.id_number - 1] = record.waiting_time
    return waits


# -- salabim --------------------------------------------------------------------------------------
def mmc_salabim(c: MMcCustomers) -> np.ndarray:
    """The same M/M/c in salabim's fastest style: yield API, no animation, server processes.

    ``c.servers`` long-lived server components pull customers from a line and passivate when it
    is empty; a source component wakes one when a customer arrives. Customers are plain indices,
    not components, so each costs only the source's hold and one server hold, and the components'
    status monitors are off (nothing reads them). salabim's own ``Resource`` with one component
    per customer was tried and is far slower (under 1,000 customers/s here).
    """
    if not HAVE_SALABIM:
        raise RuntimeError(INSTALL_HINT)
    env = sim.Environment(trace=False, yieldless=False, random_seed=1, set_numpy_random_seed=False)
    arrival = c.arrival.tolist()
    service = c.service.tolist()
    waits = [math.nan] * len(arrival)
    line: deque[int] = deque()
    idle: list[Any] = []

    class Server(sim.Component):
        def process(self):
            while True:
                while not line:
                    idle.append(self)
                    yield self.passivate()
                i = line.popleft()
                waits[i] = env.now() - arrival[i]
                yield self.hold(service[i])

    class Source(sim.Component):
        def process(self):
            for i, a in enumerate(arrival):
                yield self.hold(till=a)
                line.append(i)
                if idle:
                    idle.pop().activate()

    components = [Server(env=env) for _ in range(c.servers)] + [Source(env=env)]
    for component in components:  # no statistics are read: switch salabim's own monitors off
        component.status.monitor(False)
        component.mode.monitor(False)
    env.run()
    return np.asarray(waits)


# -- plain SimPy field service --------------------------------------------------------------------
@dataclass(frozen=True)
class FieldJobs:
    """Jobs for the field-service reference (times in minutes, distances in km)."""

    ready: np.ndarray
    x: np.ndarray
    y: np.ndarray
    service: np.ndarray
    overhead: np.ndarray
    speed: np.ndarray  # km per minute

    def __len__(self) -> int:
        return int(self.ready.size)


@dataclass(frozen=True)
class FieldRecord:
    """What happened to each job in the field-service reference (NaN where it did not)."""

    tech: np.ndarray
    assign: np.ndarray
    arrive: np.ndarray
    done: np.ndarray


def field_service_simpy(
    jobs: FieldJobs,
    n_techs: int,
    base: tuple[float, float],
    metric: str = "manhattan",
    horizon: float | None = None,
) -> FieldRecord:
    """Plain SimPy field service: one process per job, nearest idle technician, FIFO queue.

    A job that finds idle technicians takes the nearest (first in free-longest order on ties);
    otherwise it waits in a FIFO line for the next technician to finish. The technician drives
    from the last job's address (travel = distance / speed + overhead), then works. This is the
    "dispatch alone" a modeller would write in plain SimPy: no shifts, priorities or patience.
    """
    env = simpy.Environment()
    ready = jobs.ready.tolist()
    jx, jy = jobs.x.tolist(), jobs.y.tolist()
    service, overhead, speed = jobs.service.tolist(), jobs.overhead.tolist(), jobs.speed.tolist()
    n = len(ready)
    tech, assign = [-1] * n, [math.nan] * n
    arrive, done = [math.nan] * n, [math.nan] * n
    tx, ty = [base[0]] * n_techs, [base[1]] * n_techs
    idle = list(range(n_techs))  # free longest first
    line: deque[tuple[int, simpy.Event]] = deque()
    manhattan = metric == "manhattan"

    def distance(k: int, j: int) -> float:
        dx, dy = jx[j] - tx[k], jy[j] - ty[k]
        return abs(dx) + abs(dy) if manhattan else math.hypot(dx, dy)

    def job(j: int):
        if idle:
            k = min(idle, key=lambda k: distance(k, j))
            idle.remove(k)
        else:
            handover = env.event()
            line.append((j, handover))
            k = yield handover
        tech[j], assign[j] = k, env.now
        trip = distance(k, j) / speed[j] + overhead[j]
        tx[k], ty[k] = jx[j], jy[j]
        yield env.timeout(trip)
        arrive[j] = env.now
        yield env.timeout(service[j])
        done[j] = env.now
        if line:
            _, waiting = line.popleft()
            waiting.succeed(k)
        else:
            idle.append(k)

    def source():
        for j in sorted(range(n), key=ready.__getitem__):
            yield env.timeout(ready[j] - env.now)
            env.process(job(j))

    env.process(source())
    env.run(until=horizon)
    return FieldRecord(np.asarray(tech), np.asarray(assign), np.asarray(arrive), np.asarray(done))


# -- counting events ------------------------------------------------------------------------------
def count_simpy_events(fn: Callable[[], object]) -> int:
    """Events SimPy scheduled while ``fn`` ran (every timeout, process start, request, handover).

    Counted by wrapping :meth:`simpy.Environment.schedule` for one *untimed* run, so the same
    yardstick applies to the references and to autosim's own engine.
    """
    original = simpy.core.Environment.schedule
    counter = [0]

    def schedule(self, event, priority=simpy.core.NORMAL, delay=0):
        counter[0] += 1
        return original(self, event, priority, delay)

    simpy.core.Environment.schedule = schedule
    try:
        fn()
    finally:
        simpy.core.Environment.schedule = original
    return counter[0]
