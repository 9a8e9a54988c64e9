"""Dispatch in its reduced form is M/M/c (Erlang-C) and, with patience, M/M/c+M (Erlang-A).

Zero travel, zero intake, exponential service, ``first_available`` and technicians always on
shift. Each check uses a fixed seed, enough customers for a tight interval, and compares the
theory with a 99% batch-means confidence interval of the simulation.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from autosim import run_experiment, scenario_from_dict
from autosim.model.dispatch import Crew, DispatchJobs, simulate_dispatch
from autosim.model.timetable import Timetable
from autosim.queueing import erlang_a, mmc

N_BATCHES = 20


def batch_ci(values: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """Batch-means confidence interval for the mean of a correlated sequence."""
    batches = np.array([b.mean() for b in np.array_split(values, N_BATCHES)])
    half = stats.t.ppf(0.5 + level / 2, N_BATCHES - 1) * batches.std(ddof=1) / np.sqrt(N_BATCHES)
    return batches.mean() - half, batches.mean() + half


def reduced_run(
    servers: int, rho: float, n: int, seed: int, patience_mean: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate the dispatch engine as M/M/c(+M); return waits, served mask, call times."""
    rng = np.random.default_rng(seed)
    mu = 1 / 60.0  # service rate per minute (mean 60 min)
    lam = rho * servers * mu
    call = np.cumsum(rng.exponential(1 / lam, n))
    patience = np.full(n, np.inf) if patience_mean is None else rng.exponential(patience_mean, n)
    horizon = float(call[-1] + 1.0)
    jobs = DispatchJobs(
        ready=call,
        deadline=call + patience,
        priority=np.zeros(n, int),
        x=np.zeros(n),
        y=np.zeros(n),
        service=rng.exponential(1 / mu, n),
        overhead=np.zeros(n),
        speed=np.ones(n),
        choice=np.zeros(n, int),
        pick=np.zeros(n),
        after_hours=np.zeros(n, bool),
    )
    crew = Crew(
        servers, (0.0, 0.0), "manhattan", 0, Timetable(np.array([0.0]), np.array([2 * horizon]))
    )
    record = simulate_dispatch(jobs, crew, horizon * 2)
    served = ~np.isnan(record.assign)
    return record.assign - call, served, call


@pytest.mark.parametrize(("servers", "rho"), [(1, 0.5), (3, 0.75), (4, 0.9)])
def test_reduced_dispatch_matches_erlang_c(servers: int, rho: float) -> None:
    n = 400_000 if rho >= 0.9 else 150_000
    wait, served, _ = reduced_run(servers, rho, n, seed=20 + servers)
    assert served.all()
    keep = wait[n // 20 :]  # drop the start-up transient
    theory = mmc(servers, rho * servers / 60.0, 1 / 60.0)
    lo, hi = batch_ci(keep)
    assert lo <= theory.mean_wait <= hi, (lo, theory.mean_wait, hi)
    lo, hi = batch_ci((keep > 0).astype(float))
    assert lo <= theory.p_wait <= hi, (lo, theory.p_wait, hi)
    # The interval is tight enough to mean something: within 10% of the theory.
    assert (hi - lo) / 2 < 0.1 * theory.mean_wait


@pytest.mark.parametrize(("servers", "rho", "patience"), [(2, 0.8, 60.0), (3, 1.1, 30.0)])
def test_reduced_dispatch_with_patience_matches_erlang_a(
    servers: int, rho: float, patience: float
) -> None:
    n = 200_000
    wait, served, _ = reduced_run(servers, rho, n, seed=7 + servers, patience_mean=patience)
    start = n // 20
    theory = erlang_a(servers, rho * servers / 60.0, 1 / 60.0, 1 / patience)
    lost = (~served[start:]).astype(float)
    lo, hi = batch_ci(lost)
    assert lo <= theory.p_abandon <= hi, (lo, theory.p_abandon, hi)
    served_wait = wait[start:][served[start:]]
    lo, hi = batch_ci(served_wait)
    assert lo <= theory.mean_wait_served <= hi, (lo, theory.mean_wait_served, hi)


def mmc_scenario(servers: int, rho: float, patience: str | None) -> dict:
    """The same reduced form written as a scenario file, to test the whole pipeline."""
    job = {
        "id": "job",
        "rate_per_day": rho * servers * 24.0,  # service mean 60 min -> mu = 24 per day
        "service_time": {"dist": "exponential", "mean": "60 min"},
    }
    if patience:
        job["patience"] = {"dist": "exponential", "mean": patience}
    return {
        "name": "mmc",
        "horizon": "400 day",
        "warmup": "10 day",
        "calendar": {"hours": "00:00-24:00"},
        "dispatch": {
            "policy": "first_available",
            "intake": {"mode": "automated", "handling_time": 0},
            "travel": {"speed_kmh": 1e12},
            "technicians": {"count": servers},
            "job_types": [job],
        },
    }


def test_scenario_pipeline_reduces_to_erlang_c() -> None:
    servers, rho = 3, 0.8
    scenario = scenario_from_dict(mmc_scenario(servers, rho, None))
    results = run_experiment(scenario, 8, seed=3, executor="serial")
    waits = results.replications["response_time_mean_min"].to_numpy()
    theory = mmc(servers, rho * servers / 60.0, 1 / 60.0).mean_wait
    half = stats.t.ppf(0.995, waits.size - 1) * waits.std(ddof=1) / np.sqrt(waits.size)
    assert abs(waits.mean() - theory) <= half, (waits.mean(), theory, half)
    assert half < 0.15 * theory


def test_scenario_pipeline_reduces_to_erlang_a() -> None:
    servers, rho = 2, 0.9
    scenario = scenario_from_dict(mmc_scenario(servers, rho, "45 min"))
    results = run_experiment(scenario, 8, seed=4, executor="serial")
    lost = results.replications["lost_share"].to_numpy()
    theory = erlang_a(servers, rho * servers / 60.0, 1 / 60.0, 1 / 45.0)
    half = stats.t.ppf(0.995, lost.size - 1) * lost.std(ddof=1) / np.sqrt(lost.size)
    assert abs(lost.mean() - theory.p_abandon) <= half, (lost.mean(), theory.p_abandon, half)
