"""The benchmark suite still runs, on tiny sizes, so it cannot rot between benchmark runs.

Nothing here is timed and no speed threshold is asserted (a shared 2-core machine cannot give
stable times inside a test run). What is asserted is what makes the benchmark figures mean
something: every reference simulates the same customers as autosim and gets the same waits, and
the suite produces every section and target it documents.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from benchmarks import refs, run, workloads


@pytest.fixture(scope="module")
def customers() -> refs.MMcCustomers:
    return refs.mmc_customers(500, servers=3, rho=0.85, seed=5)


def test_autosim_reduced_dispatch_gives_the_exact_fifo_waits(customers) -> None:
    exact = refs.mmc_heap(customers)
    assert (exact > 0).any()
    np.testing.assert_allclose(workloads.mmc_autosim(customers), exact, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("name", "available"),
    [
        ("mmc_simpy", True),
        ("mmc_ciw", refs.HAVE_CIW),
        ("mmc_salabim", refs.HAVE_SALABIM),
    ],
)
def test_reference_queues_agree_with_autosim_on_the_same_customers(
    customers, name: str, available: bool
) -> None:
    if not available:
        pytest.skip(refs.INSTALL_HINT)
    waits = getattr(refs, name)(customers)
    np.testing.assert_allclose(waits, workloads.mmc_autosim(customers), rtol=0, atol=1e-6)


def test_field_service_reference_matches_autosim_engine_on_flagship_jobs() -> None:
    scenario = workloads.flagship_scenario(horizon_days=3)
    variants = workloads.all_variants(scenario)
    captured = workloads.capture_dispatch(scenario, variants, entropy=1, replication=0)
    assert [c.variant for c in captured] == [v.id for v in variants]
    for cap in captured[:2]:
        ref = refs.field_service_simpy(
            workloads.field_jobs(cap), cap.crew.n, cap.crew.base, cap.crew.metric, cap.horizon
        )
        mine = workloads.matching_autosim_dispatch(cap)
        assert cap.n_jobs > 0
        np.testing.assert_array_equal(ref.tech, mine.tech)
        np.testing.assert_allclose(ref.assign, mine.assign, rtol=0, atol=1e-6, equal_nan=True)
        np.testing.assert_allclose(ref.done, mine.done, rtol=0, atol=1e-6, equal_nan=True)


def test_profile_splits_a_whole_replication() -> None:
    scenario = workloads.flagship_scenario(horizon_days=3)
    profile = workloads.profile_replications(
        scenario, workloads.all_variants(scenario), entropy=1, replications=[0]
    )
    assert profile.calls["dispatch (SimPy)"] == len(workloads.all_variants(scenario))
    assert sum(profile.seconds.values()) == pytest.approx(profile.total, rel=1e-6)
    assert sum(profile.share(k) for k in ("queue", "vector", "setup")) == pytest.approx(1.0)
    assert workloads.operations_present(profile, scenario)["dispatch"]


def test_counting_events_restores_simpy(customers) -> None:
    import simpy

    before = simpy.core.Environment.schedule
    n = refs.count_simpy_events(lambda: refs.mmc_simpy(customers))
    assert n > 4 * len(customers)  # process start, request, timeouts... per customer
    assert simpy.core.Environment.schedule is before


def test_whole_suite_runs_on_tiny_sizes_and_writes_json(tmp_path) -> None:
    out = tmp_path / "results.json"
    report = run.run_suite(run.SIZES["tiny"], out, "test", echo=False)
    saved = json.loads(out.read_text())
    for key in ("mmc", "flagship", "profile", "sweep", "memory", "targets", "machine"):
        assert key in saved, key
    assert saved["targets"] == json.loads(json.dumps(report["targets"]))
    assert {t["verdict"] for t in saved["targets"]} <= {"PASS", "FAIL", "SKIP"}
    names = " ".join(t["target"] for t in saved["targets"])
    for word in ("plain SimPy", "ciw", "salabim", "replication-year", "non-queueing", "sweep"):
        assert word in names, word

    methods = {m["method"]: m for m in saved["mmc"]["methods"]}
    for name, row in methods.items():
        if "skipped" in row:
            assert row["skipped"] == refs.INSTALL_HINT, name
        else:
            assert row["max_abs_wait_diff_vs_exact"] < 1e-6, name
            assert row["customers_per_second"] > 0
    check = saved["flagship"]["reference_check"]
    assert check["same_technician_share"] == 1.0
    assert check["max_abs_assign_diff_min"] < 1e-6
    assert saved["sweep"]["chunk_size"] >= 1
    assert saved["memory"]["max_rss_mb"][0] > 0
    assert not list(tmp_path.glob(".results.json.*"))  # the atomic write left no temp file


def test_memory_benchmark_extrapolates_when_the_large_sweep_does_not_fit(monkeypatch) -> None:
    calls: list[int] = []

    def fake_child(
        replications: int, jobs: int, horizon_days: int | None, stream: bool = False
    ) -> dict:
        assert stream  # memory is judged on the bounded (streamed, KPIs-only) path
        calls.append(replications)
        return {
            "horizon_days": horizon_days,
            "seconds": 0.01 * replications,
            "cpu_seconds": 0.0,
            "cpu_seconds_children": 0.0,
            "max_rss_mb": 200.0 + 0.1 * replications,  # linear growth: 100 MB per 1,000
            "max_rss_children_mb": 100.0,
            "rss_before_mb": 190.0,
            "results_mb": 0.004 * replications,
            "cash_rows": 4 * replications,
        }

    monkeypatch.setattr(run, "run_sweep_child", fake_child)
    res = run.bench_memory(1_000, 10_000, 1, seconds_left=40.0)
    assert calls[0] == 1_000 and 2_000 <= calls[1] < 10_000
    assert res["extrapolated"]
    assert res["max_rss_mb_at_large"] == pytest.approx(200.0 + 0.1 * 10_000)
    assert res["ratio"] == pytest.approx(1200.0 / 300.0)

    calls.clear()
    res = run.bench_memory(1_000, 10_000, 1, seconds_left=None)
    assert calls == [1_000, 10_000] and not res["extrapolated"]
