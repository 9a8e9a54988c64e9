"""Operations built from blocks reproduce queueing theory in their reduced forms.

Every system here is written as an ``operations`` section of a scenario (pools and flows with
serve, branch, rework and leave steps), drawn and run by the flows layer exactly as a business
is, open around the clock, exponential times of mean 1 minute. Each check uses a fixed seed,
enough items for a tight interval, and compares the theory with a 99% batch-means confidence
interval of the simulation (the first 5% of items, a start from empty, left out); the interval
must also be narrow (within 10% of the value) so that passing means something.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from autosim import run_experiment, scenario_from_dict
from autosim.experiment.streams import Streams
from autosim.model.flows import FlowsOutcome, run_operations
from autosim.model.flows.engine import LegState, simulate_work
from autosim.model.flows.plan import plan_operations
from autosim.queueing import erlang_a, mmc

N_BATCHES = 20
EXP = {"dist": "exponential", "mean": "1 min"}


def batch_ci(values: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """Batch-means confidence interval for the mean of a correlated sequence."""
    batches = np.array([b.mean() for b in np.array_split(values, N_BATCHES)])
    half = stats.t.ppf(0.5 + level / 2, N_BATCHES - 1) * batches.std(ddof=1) / np.sqrt(N_BATCHES)
    return batches.mean() - half, batches.mean() + half


def assert_within(values: np.ndarray, theory: float, rel: float = 0.1) -> None:
    lo, hi = batch_ci(values)
    assert lo <= theory <= hi, (lo, theory, hi)
    assert (hi - lo) / 2 < rel * abs(theory), ("interval too wide", lo, hi, theory)


def scenario(pools: dict[str, int], flow: dict[str, Any], days: int, **extra: Any):
    """An always-open business with these pools (id -> count) and one flow."""
    return scenario_from_dict(
        {
            "name": "reduced",
            "horizon": f"{days} day",
            "calendar": {"hours": "00:00-24:00"},
            "operations": {
                "resources": [{"id": p, "count": c} for p, c in pools.items()],
                "flows": [{"id": "items", **flow}],
            },
            **extra,
        }
    )


def per_minute(rate: float) -> float:
    """Rate per minute as a rate per day (what a scenario file takes)."""
    return rate * 1440.0


def run(sc, seed: int, automations: tuple[str, ...] = ()) -> FlowsOutcome:
    return run_operations(sc, automations, Streams(seed, 0))


def steady(values: np.ndarray) -> np.ndarray:
    """Drop the first 5% (the start from an empty system)."""
    return values[values.size // 20 :]


def leg_waits(out: FlowsOutcome, step: int) -> np.ndarray:
    """Waits of the started legs of one global step, in item order."""
    rec, work = out.record, out.plan.work
    legs = (work.step == step) & (rec.state == LegState.STARTED)
    return (rec.start - rec.ready)[legs]


def test_mmc_matches_erlang_c_and_the_within_target_share() -> None:
    c, lam = 3, 2.4  # rho = 0.8
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "response_target": "1 min",
        "steps": [{"id": "serve", "serve": {"pool": "desk", "time": EXP}}],
    }
    out = run(scenario({"desk": c}, flow, days=120), seed=11)
    theory = mmc(c, lam, 1.0)
    wait = steady(leg_waits(out, 0))
    assert_within(wait, theory.mean_wait)
    assert_within((wait > 0).astype(float), theory.p_wait)
    within = 1 - theory.p_wait_exceeds(1.0)
    assert_within((wait <= 1.0).astype(float), within, rel=0.05)
    # the KPI reads the same: share of all arrivals whose service started within the target
    lo, hi = batch_ci((wait <= 1.0).astype(float))
    assert lo - 0.005 <= out.kpis["flow_within_target_share"] <= hi + 0.005
    assert out.kpis["pool_utilization"] == pytest.approx(theory.utilization, abs=0.01)
    assert out.kpis["pool_queue_length_mean"] == pytest.approx(theory.mean_queue, rel=0.1)


def mmck(c: int, limit: int, a: float) -> tuple[float, float]:
    """M/M/c/K with K = c + limit, offered load a: (blocking probability, mean in system)."""
    n = np.arange(c + limit + 1)
    log_w = np.where(
        n <= c,
        n * math.log(a) - np.array([math.lgamma(k + 1) for k in n]),
        c * math.log(a) - math.lgamma(c + 1) + (n - c) * math.log(a / c),
    )
    pi = np.exp(log_w - log_w.max())
    pi /= pi.sum()
    return float(pi[-1]), float(n @ pi)


def test_a_full_room_balks_as_mmck() -> None:
    c, limit, lam = 2, 3, 2.0  # offered load 2 on 2 servers, room for 3 waiting
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "steps": [{"id": "serve", "serve": {"pool": "desk", "time": EXP, "queue_limit": limit}}],
    }
    out = run(scenario({"desk": c}, flow, days=50), seed=12)
    p_block, in_system = mmck(c, limit, lam)
    fates = out.fates
    assert_within(steady(fates.balked.astype(float)), p_block)
    assert not fates.reneged.any()
    # Little's law: mean in system = admitted rate x mean time in system
    admitted = steady(fates.completed)
    time_in = steady(fates.done - out.plan.work.arrival)[admitted]
    assert_within(time_in, in_system / (lam * (1 - p_block)))


def test_patience_matches_erlang_a() -> None:
    c, lam, patience = 3, 3.3, 2.0  # overloaded (rho = 1.1), impatient customers
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "patience": {"dist": "exponential", "mean": f"{patience} min"},
        "steps": [{"id": "serve", "serve": {"pool": "desk", "time": EXP}}],
    }
    out = run(scenario({"desk": c}, flow, days=30), seed=13)
    theory = erlang_a(c, lam, 1.0, 1 / patience)
    fates = out.fates
    assert_within(steady(fates.reneged.astype(float)), theory.p_abandon)
    served = steady(fates.completed)
    assert_within(steady(fates.wait)[served], theory.mean_wait_served)
    assert out.kpis["flow_lost_share"] == pytest.approx(theory.p_abandon, abs=0.01)


def test_two_stations_in_series_add_their_sojourns() -> None:
    lam = 1.5  # station A: 2 servers, mean 1 min; station B: 1 server, mean 0.5 min
    half = {"dist": "exponential", "mean": "0.5 min"}
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "steps": [
            {"id": "a", "serve": {"pool": "first", "time": EXP}},
            {"id": "b", "serve": {"pool": "second", "time": half}},
        ],
    }
    out = run(scenario({"first": 2, "second": 1}, flow, days=70), seed=14)
    a, b = mmc(2, lam, 1.0), mmc(1, lam, 2.0)
    assert_within(steady(leg_waits(out, 0)), a.mean_wait)
    assert_within(steady(leg_waits(out, 1)), b.mean_wait)
    fates = out.fates
    done = steady(fates.completed)
    sojourn = steady(fates.done - out.plan.work.arrival)[done]
    assert_within(sojourn, a.mean_wait + 1.0 + b.mean_wait + 0.5)


def test_bernoulli_rework_raises_the_arrival_rate_to_lambda_over_one_minus_p() -> None:
    c, lam, p = 2, 1.2, 0.25  # effective rate 1.6: rho = 0.8
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "steps": [
            {"id": "fix", "serve": {"pool": "bench", "time": EXP}},
            {"id": "check", "rework": {"to": "fix", "p": p}},
        ],
    }
    days = 60
    out = run(scenario({"bench": c}, flow, days=days), seed=15)
    work = out.plan.work
    lam_eff = lam / (1 - p)
    visits = steady(work.n_legs.astype(float))
    assert_within(visits, 1 / (1 - p), rel=0.02)
    served_per_min = out.kpis["step_served[step=items.fix]"] / (days * 1440.0)
    assert served_per_min == pytest.approx(lam_eff, rel=0.01)
    # Jackson: each visit is an M/M/c sojourn at the effective rate; Little: T = visits x sojourn
    station = mmc(c, lam_eff, 1.0)
    done = steady(out.fates.completed)
    time_in = steady(out.fates.done - work.arrival)[done]
    assert_within(time_in, (station.mean_wait + 1.0) / (1 - p))


def test_a_branch_thins_poisson_arrivals() -> None:
    lam, p = 2.0, 0.3
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "steps": [
            {"id": "split", "branch": [{"to": "small", "p": p}, {"to": "big", "p": 1 - p}]},
            {"id": "small", "serve": {"pool": "one", "time": EXP}},
            {"id": "out", "leave": {}},
            {"id": "big", "serve": {"pool": "two", "time": EXP}},
        ],
    }
    out = run(scenario({"one": 1, "two": 2}, flow, days=120), seed=16)
    work = out.plan.work
    to_small = np.bincount(work.item[work.step == 1], minlength=work.n_items).astype(float)
    assert_within(steady(to_small), p, rel=0.02)
    # the thinned stream is Poisson(lambda p): exponential gaps (mean 1/(lambda p), CV 1)
    gaps = np.diff(work.arrival[to_small > 0])
    assert gaps.mean() == pytest.approx(1 / (lam * p), rel=0.02)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.02)
    assert stats.kstest(gaps * lam * p, "expon").pvalue > 0.001  # 70,000 gaps: KS is sharp
    assert_within(steady(leg_waits(out, 1)), mmc(1, lam * p, 1.0).mean_wait)
    assert_within(steady(leg_waits(out, 3)), mmc(2, lam * (1 - p), 1.0).mean_wait)


def test_the_floor_gives_the_exact_fifo_waits() -> None:
    """On the same customers, the engine's waits equal the Kiefer–Wolfowitz recursion's."""
    c = 4
    flow = {
        "arrivals": {"rate_per_day": per_minute(3.6)},
        "steps": [{"id": "serve", "serve": {"pool": "desk", "time": EXP}}],
    }
    sc = scenario({"desk": c}, flow, days=5)
    plan = plan_operations(sc, (), Streams(17, 0))
    work = plan.work
    record = simulate_work(work, plan.pools, 1e9)
    free, exact = [0.0] * c, []
    for a, s in zip(work.arrival.tolist(), work.service.tolist(), strict=True):
        start = max(a, free[0])
        heapq.heapreplace(free, start + s)
        exact.append(start - a)
    np.testing.assert_allclose(record.start - record.ready, exact, rtol=0, atol=1e-9)
    # one arrival and one completion per customer (give or take the shift's end and an arrival
    # that ties with the clock to the last bit)
    assert abs(record.n_events - 2 * work.n_items) <= 3


def test_variants_see_the_same_items() -> None:
    """Common random numbers: a hire or a faster step changes what the business does, not who
    comes, what they choose or how long their own service would take."""
    flow = {
        "arrivals": {"rate_per_day": 500, "hourly_profile": [0] * 7 + [3, 2] + [1] * 8 + [0] * 7},
        "patience": {"dist": "exponential", "mean": "5 min"},
        "steps": [
            {"id": "order", "serve": {"pool": "desk", "time": EXP, "queue_limit": 6}},
            {"id": "split", "branch": [{"to": "make", "p": 0.6}, {"to": "out", "p": 0.4}]},
            {"id": "make", "serve": {"pool": "desk", "time": EXP}},
            {"id": "again", "rework": {"to": "make", "p": 0.1}},
            {"id": "out", "leave": {}},
        ],
    }
    automations = [
        {"id": "hire", "effects": {"operations.resources.desk.count": 3}},
        {
            "id": "kiosk",
            "adoption": {"level": 0.5},
            "effects": {"operations.flows.items.steps.order.serve.time": "20 s"},
        },
    ]
    sc = scenario({"desk": 2}, flow, days=20, automations=automations)
    base, hire, kiosk = (
        plan_operations(sc, ids, Streams(18, 0)) for ids in ((), ("hire",), ("kiosk",))
    )
    np.testing.assert_array_equal(base.work.arrival, hire.work.arrival)
    np.testing.assert_array_equal(base.work.service, hire.work.service)  # same routes, same draws
    np.testing.assert_array_equal(base.work.patience, hire.work.patience)
    assert hire.pools.counts[0] == ((0.0, 3),) and base.pools.counts[0] == ((0.0, 2),)
    # the kiosk changes the order time of the adopters only, and nothing else about anybody
    np.testing.assert_array_equal(base.work.arrival, kiosk.work.arrival)
    np.testing.assert_array_equal(base.work.step, kiosk.work.step)
    used = kiosk.uses[0][kiosk.work.item]
    order = kiosk.work.step == 0
    assert 0.4 < kiosk.uses[0].mean() < 0.6
    np.testing.assert_array_equal(kiosk.work.service[order & used], 20 / 60)
    np.testing.assert_array_equal(
        kiosk.work.service[~(order & used)], base.work.service[~(order & used)]
    )
    # and the outcomes of the runs pair up: the hire loses fewer customers, same arrivals
    outs = [run(sc, 18, ids) for ids in ((), ("hire",))]
    assert outs[0].kpis["flow_arrivals"] == outs[1].kpis["flow_arrivals"]
    assert outs[1].kpis["flow_lost"] < outs[0].kpis["flow_lost"]


def test_the_whole_pipeline_reduces_to_erlang_c() -> None:
    c, lam = 3, 2.4
    flow = {
        "arrivals": {"rate_per_day": per_minute(lam)},
        "steps": [{"id": "serve", "serve": {"pool": "desk", "time": EXP}}],
    }
    sc = scenario({"desk": c}, flow, days=20, warmup="1 day")
    results = run_experiment(sc, 8, seed=3, executor="serial")
    waits = results.replications["flow_wait_mean_min[flow=items]"].to_numpy()
    theory = mmc(c, lam, 1.0).mean_wait
    half = stats.t.ppf(0.995, waits.size - 1) * waits.std(ddof=1) / np.sqrt(waits.size)
    assert abs(waits.mean() - theory) <= half, (waits.mean(), theory, half)
    assert half < 0.1 * theory
