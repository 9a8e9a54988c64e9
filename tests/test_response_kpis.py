"""Response KPIs that count the customers who gave up, against Erlang-A (M/M/c+M) theory.

The reduced dispatch (zero travel, zero intake, exponential service and patience,
``first_available``, always on shift) is the Erlang-A queue, where the share of ALL arrivals
that are served within ``t`` is known exactly:

    P(reached within t) = sum_{n<c} pi_n + sum_{k>=0} pi_{c+k} P_k(served by t).

``pi`` is the birth-death chain's stationary law, seen by arrivals (PASTA). An arrival finding
``k`` ahead is served once ``k + 1`` "ahead-reductions" happened (a service completion, or one of
those ahead abandoning: rate ``c mu + j theta`` with ``j`` ahead) before its own patience runs
out (rate ``theta``): an absorbing Markov chain whose ``expm`` gives ``P_k(served by t)``. At
``t = 0`` this is ``1 - p_wait`` and as ``t`` grows it tends to ``1 - p_abandon``, which the first
test checks against :func:`autosim.queueing.erlang_a`. Simulated KPIs are compared with 99%
batch-means intervals (20 batches of 10,000 to 20,000 calls) that are asked to be tight, and
to exclude what the KPI would be if lost calls were ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.linalg import expm
from scipy.optimize import brentq

from autosim import run_experiment, scenario_from_dict
from autosim.model.business import reach_kpis
from autosim.model.job_kpis import job_kpis
from autosim.queueing import erlang_a

from .test_dispatch_theory import N_BATCHES, batch_ci, mmc_scenario, reduced_run

MU = 1 / 60.0  # service rate per minute (mean 60 min), as in reduced_run
N_STATES = 80  # truncation of the chain; the tests assert the neglected tail is negligible


def _stationary(c: int, lam: float, theta: float) -> np.ndarray:
    n = np.arange(N_STATES + 1)
    death = np.minimum(n, c) * MU + np.maximum(n - c, 0) * theta
    log_pi = np.concatenate(([0.0], np.cumsum(np.log(lam / death[1:]))))
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    assert pi[-1] < 1e-14, "state space too small for these parameters"
    return pi


def reached_within(c: int, rho: float, patience: float, t: float) -> float:
    """Stationary P(an arrival is served with a wait <= t) in M/M/c+M, FIFO."""
    lam, theta = rho * c * MU, 1 / patience
    pi = _stationary(c, lam, theta)
    k_max = N_STATES - c
    served, gone = k_max + 1, k_max + 2
    gen = np.zeros((k_max + 3, k_max + 3))
    for j in range(k_max + 1):  # j customers ahead
        gen[j, j - 1 if j else served] = c * MU + j * theta
        gen[j, gone] = theta
        gen[j, j] = -(c * MU + (j + 1) * theta)
    p_served = expm(gen * t)[: k_max + 1, served]
    return float(pi[:c].sum() + pi[c:] @ p_served)


def reached_quantile(c: int, rho: float, patience: float, q: float) -> float:
    """Smallest t with P(reached within t) = q (only when fewer than 1 - q abandon)."""
    return float(brentq(lambda t: reached_within(c, rho, patience, t) - q, 0.0, 1e4, xtol=1e-6))


def batch_kpis(
    servers: int, rho: float, patience: float, target: float, seed: int, n: int = 200_000
) -> pd.DataFrame:
    """The model's own KPI code on the reduced dispatch, one row per batch of calls."""
    wait, served, call = reduced_run(servers, rho, n, seed=seed, patience_mean=patience)
    arrive = np.where(served, call + wait, np.nan)  # zero travel: on site when assigned
    lost = ~served  # every customer is resolved: the run goes on past the last call
    arrays = {
        "call": call,
        "ready": call,
        "arrive": arrive,
        "completed": served,
        "lost": lost,
        "revenue": np.zeros(n),
        "target": np.full(n, target),
    }
    start = n // 20  # drop the start-up transient
    groups = []
    for b, rows in enumerate(np.array_split(np.arange(start, n), N_BATCHES)):
        mask = np.zeros(n, bool)
        mask[rows] = True
        groups.append(("batch", str(b), mask))
    kpis = job_kpis(groups, **arrays)
    kpis.update(reach_kpis(groups, call, arrive, lost))
    names = [
        "within_target_share",
        "lost_share",
        "response_time_p90_min",
        "response_time_all_p50_min",
        "response_time_all_p90_min",
    ]
    return pd.DataFrame(
        {name: [kpis[f"{name}[batch={b}]"] for b in range(N_BATCHES)] for name in names}
    )


def test_theory_reduces_to_erlang_a_at_both_ends() -> None:
    """t = 0: served at once = an arrival finds a free server; t large: 1 - P(abandon)."""
    for c, rho, patience in [(4, 0.8, 240.0), (2, 1.1, 30.0)]:
        theory = erlang_a(c, rho * c * MU, MU, 1 / patience)
        assert reached_within(c, rho, patience, 0.0) == pytest.approx(1 - theory.p_wait, abs=1e-9)
        assert reached_within(c, rho, patience, 1e4) == pytest.approx(
            1 - theory.p_abandon, abs=1e-9
        )


@pytest.mark.parametrize(
    ("servers", "rho", "patience", "target", "n"),
    [(4, 0.8, 240.0, 30.0, 400_000), (2, 1.1, 30.0, 20.0, 200_000)],
)
def test_share_reached_within_target_counts_the_lost_calls(
    servers: int, rho: float, patience: float, target: float, n: int
) -> None:
    batches = batch_kpis(servers, rho, patience, target, seed=11 + servers, n=n)
    theory = reached_within(servers, rho, patience, target)
    lo, hi = batch_ci(batches["within_target_share"].to_numpy())
    assert lo <= theory <= hi, (lo, theory, hi)
    assert hi - lo < 0.025  # tight enough to mean something: +-1.25 points at most
    # Among the reached calls only, the share would be P(W <= t | served): far outside.
    p_abandon = erlang_a(servers, rho * servers * MU, MU, 1 / patience).p_abandon
    assert theory / (1 - p_abandon) > hi + 2 * (hi - lo)
    # Exact in every batch: calls reached in target <= calls reached = 1 - lost share; and the
    # all-calls median is within target exactly when at least half the calls were.
    assert (batches["within_target_share"] <= 1 - batches["lost_share"] + 1e-12).all()
    median_in_target = batches["response_time_all_p50_min"] <= target
    assert (median_in_target == (batches["within_target_share"] >= 0.5)).all()


def test_all_calls_p90_matches_theory_and_is_not_the_reached_calls_p90() -> None:
    servers, rho, patience = 4, 0.8, 240.0  # P(abandon) ~ 7%: a finite all-calls P90
    batches = batch_kpis(servers, rho, patience, 30.0, seed=5, n=400_000)
    theory = reached_quantile(servers, rho, patience, 0.9)
    lo, hi = batch_ci(batches["response_time_all_p90_min"].to_numpy())
    assert lo <= theory <= hi, (lo, theory, hi)
    assert hi - lo < 0.15 * theory  # a P90 where few calls remain is noisier than a share
    # The P90 of the reached calls alone is the quantile 0.9 (1 - P(abandon)) of the same law.
    p_abandon = erlang_a(servers, rho * servers * MU, MU, 1 / patience).p_abandon
    reached_only = reached_quantile(servers, rho, patience, 0.9 * (1 - p_abandon))
    lo_r, hi_r = batch_ci(batches["response_time_p90_min"].to_numpy())
    assert lo_r <= reached_only <= hi_r, (lo_r, reached_only, hi_r)
    assert reached_only < lo - (hi - lo)  # ignoring the lost calls would miss by far


def test_all_calls_p90_is_never_reached_when_more_than_10_percent_are_lost() -> None:
    servers, rho, patience = 2, 1.1, 30.0  # P(abandon) ~ 34%
    batches = batch_kpis(servers, rho, patience, 20.0, seed=9)
    assert np.isinf(batches["response_time_all_p90_min"]).all()
    assert np.isfinite(batches["response_time_p90_min"]).all()  # what the old KPI shows
    theory = reached_quantile(servers, rho, patience, 0.5)  # 66% are reached: median finite
    lo, hi = batch_ci(batches["response_time_all_p50_min"].to_numpy())
    assert lo <= theory <= hi, (lo, theory, hi)


def test_scenario_pipeline_reports_lost_aware_kpis_by_job_type_and_in_goals() -> None:
    servers, rho, patience, target = 4, 0.8, 240.0, 30.0
    spec = mmc_scenario(servers, rho, "240 min")
    job = spec["dispatch"]["job_types"][0]
    job.update(segment="homes", response_target=f"{target:g} min")
    spec["strategy"] = {
        "goals": [
            {
                "id": "reach_nine_in_ten",
                "kpi": "response_time_all_p90_min",
                "filter": {"job_type": "job"},
                "target": "<= 120",
            }
        ]
    }
    results = run_experiment(scenario_from_dict(spec), 8, seed=6, executor="serial")
    reps = results.replications
    for name, theory in [
        ("within_target_share", reached_within(servers, rho, patience, target)),
        ("response_time_all_p90_min", reached_quantile(servers, rho, patience, 0.9)),
    ]:
        for column in (name, f"{name}[job_type=job]", f"{name}[segment=homes]"):
            values = reps[column].to_numpy(float)
            half = stats.t.ppf(0.995, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
            assert abs(values.mean() - theory) <= half, (column, values.mean(), theory, half)
    goal = results.summary()["variants"][0]["goals"]["reach_nine_in_ten"]
    assert goal["p_met"] == 1.0  # P90 ~ 84 min in every replication
