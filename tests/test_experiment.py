"""Experiments: reproducible on any executor, common random numbers, sensible results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autosim import RunError, run_experiment
from autosim.experiment.chunks import chunk_bounds
from autosim.experiment.executors import run_tasks
from autosim.experiment.replication import run_replication

from .conftest import FLAGSHIP


def test_same_seed_same_numbers_different_seed_different(tiny) -> None:
    a = run_experiment(tiny, 4, seed=11, executor="serial")
    b = run_experiment(tiny, 4, seed=11, executor="serial")
    c = run_experiment(tiny, 4, seed=12, executor="serial")
    pd.testing.assert_frame_equal(a.replications, b.replications)
    pd.testing.assert_frame_equal(a.cash, b.cash)
    assert not a.replications["revenue"].equals(c.replications["revenue"])


def test_identical_whatever_the_executor_workers_and_chunks(tiny) -> None:
    serial = run_experiment(tiny, 6, seed=5, executor="serial")
    two = run_experiment(tiny, 6, seed=5, executor="processes", n_jobs=2, chunk_size=1)
    chunky = run_experiment(tiny, 6, seed=5, executor="processes", n_jobs=2, chunk_size=4)
    for other in (two, chunky):
        pd.testing.assert_frame_equal(serial.replications, other.replications)
        pd.testing.assert_frame_equal(serial.cash, other.cash)


def test_unseeded_run_records_its_entropy(tiny) -> None:
    first = run_experiment(tiny, 2, executor="serial")
    again = run_experiment(tiny, 2, seed=first.seed, executor="serial")
    assert not first.seed_given
    pd.testing.assert_frame_equal(first.replications, again.replications)


def test_every_variant_sees_the_same_customers(tiny) -> None:
    rows = run_replication(tiny, [v for v in _variants(tiny)], 99, 0).rows
    base, auto = rows
    assert base["jobs_called"] == auto["jobs_called"]
    assert (
        base["input:automations.auto.adoption.level"]
        == auto["input:automations.auto.adoption.level"]
    )


def _variants(scenario):
    from autosim.experiment.variants import default_variants

    return default_variants(scenario)


def test_common_random_numbers_shrink_the_paired_variance() -> None:
    from autosim import load_scenario

    scenario = load_scenario(FLAGSHIP)
    scenario = scenario.model_copy(update={"horizon": 120 * 1440.0, "warmup": 0.0})
    crn = run_experiment(scenario, 24, seed=2, n_jobs=2)
    independent = run_experiment(scenario, 24, seed=2, n_jobs=2, common_random_numbers=False)
    for auto in ("auto_dispatch", "generic_crm"):
        v_crn = crn.variant_frame(auto)["net_benefit"].var()
        v_ind = independent.variant_frame(auto)["net_benefit"].var()
        assert v_crn < 0.2 * v_ind, (auto, v_crn, v_ind)


def test_automation_costs_and_finance_are_consistent(tiny) -> None:
    results = run_experiment(tiny, 3, seed=1, executor="serial")
    auto = results.variant_frame("auto")
    base = results.variant_frame("baseline")
    benefit = auto["net_cash_flow"].to_numpy() - base["net_cash_flow"].to_numpy()
    np.testing.assert_allclose(auto["net_benefit"], benefit)
    np.testing.assert_allclose(auto["roi"], benefit / auto["automation_cost"])
    assert (auto["automation_cost"] >= 1000 + 100).all()  # up-front + at least one month
    assert (base["automation_cost"] == 0).all()
    cash = results.cash[results.cash["variant"] == "auto"]
    for rep, days in cash.groupby("replication"):
        row = auto[auto["replication"] == rep].iloc[0]
        assert days["net_flow"].sum() == pytest.approx(row["net_cash_flow"])
        assert days["balance"].iloc[-1] == pytest.approx(10000 + row["net_cash_flow"])
        assert days["automation"].sum() == pytest.approx(-row["automation_cost"])


def test_summary_has_the_contracted_shape(tiny) -> None:
    summary = run_experiment(tiny, 3, seed=1, executor="serial").summary()
    assert {"scenario", "replications", "seed", "variants"} <= set(summary)
    base, auto = summary["variants"]
    assert base["id"] == "baseline" and "finance" not in base
    assert auto["automations"] == ["auto"]
    stats = auto["kpis"]["response_time_p90_min"]
    assert {"mean", "ci95", "p5", "p50", "p95"} <= set(stats)
    assert {"roi", "npv", "payback_months"} <= set(auto["finance"])
    assert 0 <= auto["finance"]["roi"]["p_positive"] <= 1


def test_bad_arguments_are_clear_errors(tiny) -> None:
    with pytest.raises(RunError, match="replications must be >= 1"):
        run_experiment(tiny, 0, seed=1)
    with pytest.raises(RunError, match="unknown executor 'gpu'"):
        run_experiment(tiny, 1, seed=1, executor="gpu")
    with pytest.raises(RunError, match="seed must be a non-negative"):
        run_experiment(tiny, 1, seed=-3)


def test_chunks_cover_every_replication_once() -> None:
    assert chunk_bounds(7, 3) == [(0, 3), (3, 6), (6, 7)]
    assert run_tasks(abs, [-1, -2, 3], executor="serial") == [1, 2, 3]
