"""Queue-length KPIs of the dispatch queue: Little's law per run, Erlang-C and Erlang-A in theory.

``queue_length_mean`` is the time-average number of jobs waiting for a technician and
``in_system_mean`` the number waiting or with a technician (:func:`autosim.model.dispatch.
queue_kpis`). In the reduced form of ``tests/test_dispatch_theory.py`` (zero travel, zero intake,
exponential service, ``first_available``, always on shift) the dispatch floor is M/M/c, or
M/M/c+M with exponential patience, and:

* Little's law holds in every run, up to the jobs that straddle the window's edges:
  ``queue_length_mean = lambda Wq`` and ``in_system_mean = lambda W`` with the run's own arrival
  rate and mean times (a job that gives up counts while it waits) — tolerance 0.5%;
* across independent runs, the mean queue length matches Erlang-C's ``Lq = lambda Wq`` (and
  Erlang-A's ``E[Q]`` with patience) and the number in system ``Lq + lambda (1 - P(abandon)) /
  mu``, within a 99% Student-t interval that is itself within 10% of the theory.

Through a scenario file and the whole pipeline: the same relations hold per replication between
the new KPIs and the existing ones (calls, response time, utilization), and the job-type columns
add up to the total.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from autosim import run_experiment, scenario_from_dict
from autosim.model.dispatch import Crew, DispatchJobs, DispatchRecord, queue_kpis, simulate_dispatch
from autosim.model.timetable import Timetable
from autosim.queueing import erlang_a, mmc

from .test_dispatch_theory import mmc_scenario

MU = 1 / 60.0  # service rate per minute (mean 60 min)
N_REPS = 10


def mmc_run(
    servers: int, rho: float, n: int, seed: int, patience: float | None = None
) -> tuple[np.ndarray, DispatchRecord, np.ndarray, float]:
    """One M/M/c(+M) run of the dispatch engine: calls, record, deadlines, horizon (minutes)."""
    rng = np.random.default_rng(seed)
    lam = rho * servers * MU
    call = np.cumsum(rng.exponential(1 / lam, n))
    wait_max = np.full(n, np.inf) if patience is None else rng.exponential(patience, n)
    horizon = float(call[-1])
    jobs = DispatchJobs(
        ready=call,
        deadline=call + wait_max,
        priority=np.zeros(n, int),
        x=np.zeros(n),
        y=np.zeros(n),
        service=rng.exponential(1 / MU, n),
        overhead=np.zeros(n),
        speed=np.ones(n),
        choice=np.zeros(n, int),
        pick=np.zeros(n),
        after_hours=np.zeros(n, bool),
    )
    shift = Timetable(np.array([0.0]), np.array([4 * horizon]))
    crew = Crew(servers, (0.0, 0.0), "manhattan", 0, shift)
    return call, simulate_dispatch(jobs, crew, 2 * horizon), call + wait_max, horizon


def little(
    call: np.ndarray, record: DispatchRecord, deadline: np.ndarray, start: float, end: float
) -> tuple[float, float]:
    """lambda Wq and lambda W from the run's own arrivals in ``[start, end)`` and their times."""
    mine = (call >= start) & (call < end)
    served = ~np.isnan(record.assign)
    left_queue = np.where(served, record.assign, deadline)
    left = np.where(served, record.done, deadline)
    lam = mine.sum() / (end - start)
    return lam * (left_queue - call)[mine].mean(), lam * (left - call)[mine].mean()


def interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 99% Student-t interval."""
    v = np.asarray(values)
    return v.mean(), stats.t.ppf(0.995, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)


@pytest.mark.parametrize(
    ("servers", "rho", "patience"), [(1, 0.7, None), (3, 0.85, None), (2, 1.1, 45.0)]
)
def test_queue_kpis_obey_littles_law_and_erlang(
    servers: int, rho: float, patience: float | None
) -> None:
    lam = rho * servers * MU
    if patience is None:
        theory = mmc(servers, lam, MU)
        lq, served_share = theory.mean_queue, 1.0
    else:
        theory = erlang_a(servers, lam, MU, 1 / patience)
        lq, served_share = theory.mean_queue, 1.0 - theory.p_abandon
    queue, system = [], []
    for rep in range(N_REPS):
        call, record, deadline, horizon = mmc_run(
            servers, rho, 40_000, 100 * servers + rep, patience
        )
        start = 0.05 * horizon  # a warm-up: jobs that called before it count from then on
        types = (call * 7919) % 1 < 0.3  # two arbitrary job types: their values must add up
        groups = [(None, None, np.ones(call.size, bool)), ("job_type", "a", types)]
        groups.append(("job_type", "b", ~types))
        kpis = queue_kpis(groups, call, record, deadline, start, horizon)
        for name in ("queue_length_mean", "in_system_mean"):
            parts = kpis[f"{name}[job_type=a]"] + kpis[f"{name}[job_type=b]"]
            assert parts == pytest.approx(kpis[name], rel=1e-12)
        assert kpis["in_system_mean"] > kpis["queue_length_mean"]
        lam_wq, lam_w = little(call, record, deadline, start, horizon)
        assert kpis["queue_length_mean"] == pytest.approx(lam_wq, rel=5e-3)
        assert kpis["in_system_mean"] == pytest.approx(lam_w, rel=5e-3)
        queue.append(kpis["queue_length_mean"])
        system.append(kpis["in_system_mean"])
    mean, half = interval(queue)
    assert abs(mean - lq) <= half, (mean, half, lq)
    assert half < 0.1 * lq
    expected = lq + lam * served_share / MU
    mean, half = interval(system)
    assert abs(mean - expected) <= half, (mean, half, expected)


def test_lost_jobs_count_while_they_wait() -> None:
    # Leaving the abandoners out (their wait cut to zero) breaks Erlang-A's E[Q] by far
    servers, rho, patience = 2, 1.1, 45.0
    call, record, deadline, horizon = mmc_run(servers, rho, 40_000, 7, patience)
    groups = [(None, None, np.ones(call.size, bool))]
    kpis = queue_kpis(groups, call, record, deadline, 0.0, horizon)
    never = np.where(np.isnan(record.assign), call, deadline)  # lost jobs leave at once
    without = queue_kpis(groups, call, record, never, 0.0, horizon)
    lq = erlang_a(servers, rho * servers * MU, MU, 1 / patience).mean_queue
    assert kpis["queue_length_mean"] == pytest.approx(lq, rel=0.1)
    assert without["queue_length_mean"] < 0.6 * lq


def test_queue_kpis_through_the_whole_pipeline() -> None:
    servers, rho = 3, 0.8
    data = mmc_scenario(servers, rho, None)
    job = data["dispatch"]["job_types"][0]
    job["rate_per_day"] /= 2
    data["dispatch"]["job_types"].append({**job, "id": "other", "segment": "commercial"})
    results = run_experiment(scenario_from_dict(data), 6, seed=5, executor="serial")
    rows = results.replications
    window = (400 - 10) * 1440.0  # minutes from the end of warm-up to the horizon
    for _, r in rows.iterrows():
        parts = r["queue_length_mean[job_type=job]"] + r["queue_length_mean[job_type=other]"]
        assert parts == pytest.approx(r["queue_length_mean"], rel=1e-12)
        segments = [c for c in rows.columns if c.startswith("in_system_mean[segment=")]
        assert sum(r[c] for c in segments) == pytest.approx(r["in_system_mean"], rel=1e-12)
        # Little's law with the run's own KPIs: zero travel and intake, so the response time is
        # the wait; the mean number with a technician is c x utilization (shifts 24/7)
        lam = r["jobs_called"] / window
        assert r["queue_length_mean"] == pytest.approx(lam * r["response_time_mean_min"], rel=0.01)
        busy = r["in_system_mean"] - r["queue_length_mean"]
        assert busy == pytest.approx(servers * r["utilization"], rel=0.01)
    theory = mmc(servers, rho * servers * MU, MU).mean_queue
    mean, half = interval(rows["queue_length_mean"].tolist())
    assert abs(mean - theory) <= half, (mean, half, theory)
