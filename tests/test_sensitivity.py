"""Sensitivity: a synthetic model with known effects recovers their order and size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autosim.decide.sensitivity import tornado_table


def test_known_sensitivities_are_recovered() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    a, b, c = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rows = pd.DataFrame(
        {
            "input:a": a,
            "input:b": b,
            "input:c": c,
            "input:fixed": np.ones(n),
            "roi": 3 * a - 1 * b + 0 * c + rng.normal(0, 0.05, n),
        }
    )
    table = tornado_table(rows, "roi")
    assert list(table["input"]) == ["a", "b", "c"]  # a constant input is left out
    swing = (table["swing_hi"] - table["swing_lo"]).to_numpy()
    # slope x (P90 - P10) of a uniform(0, 1): 3 x 0.8 and -1 x 0.8
    assert swing[0] == pytest.approx(2.4, rel=0.03)
    assert swing[1] == pytest.approx(-0.8, rel=0.05)
    assert abs(swing[2]) < 0.02
    assert table["rank_correlation"].iloc[0] > 0.9 > abs(table["rank_correlation"].iloc[2]) + 0.8


def test_a_chosen_kpi_gets_its_own_tornado_in_summary_and_figures(tiny) -> None:
    from autosim import RunError, run_experiment
    from autosim.present.figures import standard_figures, tornado_name

    plain = run_experiment(tiny, 6, seed=4, executor="serial")
    results = plain.with_options(sensitivity=["jobs_lost", "roi"])
    assert results.run is plain.run  # a new judgement of the same data
    assert (
        "jobs_lost"
        not in next(v for v in plain.summary()["variants"] if v["id"] == "auto")["sensitivity"]
    )
    entry = next(v for v in results.summary()["variants"] if v["id"] == "auto")
    assert set(entry["sensitivity"]) == {"roi", "jobs_lost"}
    assert entry["sensitivity"]["jobs_lost"][0]["input"] == "automations.auto.adoption.level"
    figures = standard_figures(results)
    assert tornado_name("auto", "jobs_lost") in figures and "tornado_auto.png" in figures
    assert tornado_name("v", "within_target_share[job_type=a]") == (
        "tornado_v__within_target_share_job_type_a.png"
    )
    with pytest.raises(RunError, match="no column 'nope'"):
        results.with_options(sensitivity=["nope"])


def test_only_inputs_that_can_move_the_option_are_listed() -> None:
    """Another automation's input never appears, however strongly it happens to correlate."""
    rng = np.random.default_rng(8)
    n = 500
    own, other, shared = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rows = pd.DataFrame(
        {
            "input:automations.crm.adoption.level": own,
            "input:automations.crm_plus.adoption.level": other,  # a prefix of no use
            "input:automations.dispatch.adoption.level": own + rng.normal(0, 0.01, n),
            "input:dispatch.job_types.a.growth_per_year": shared,
            "roi": 2 * own + shared + rng.normal(0, 0.1, n),
        }
    )
    listed = set(tornado_table(rows, "roi", ["crm"])["input"])
    assert listed == {"automations.crm.adoption.level", "dispatch.job_types.a.growth_per_year"}
    both = set(tornado_table(rows, "roi", ["crm", "dispatch"])["input"])
    assert "automations.dispatch.adoption.level" in both
    assert set(tornado_table(rows, "roi", ())["input"]) == {"dispatch.job_types.a.growth_per_year"}
    assert len(tornado_table(rows, "roi")) == 4  # no filter without the variant's automations


def test_rank_correlation_interval_separates_drivers_from_noise() -> None:
    rng = np.random.default_rng(12)
    n = 300
    driver, noise = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rows = pd.DataFrame(
        {"input:driver": driver, "input:noise": noise, "roi": driver + rng.normal(0, 0.3, n)}
    )
    table = tornado_table(rows, "roi", ()).set_index("input")
    for name, row in table.iterrows():
        lo, hi = row["ci95"]
        assert lo < row["rank_correlation"] < hi, name
        assert row["significant"] == (lo > 0 or hi < 0)
    lo, hi = table.loc["driver", "ci95"]
    assert lo > 0 and table.loc["driver", "significant"]
    lo, hi = table.loc["noise", "ci95"]
    assert lo < 0 < hi and not table.loc["noise", "significant"]
    # Fisher z with the Fieller-Hartley-Pearson variance 1.06 / (n - 3)
    rho = table.loc["noise", "rank_correlation"]
    half = 1.959964 * np.sqrt(1.06 / (n - 3))
    assert (lo, hi) == pytest.approx(
        (np.tanh(np.arctanh(rho) - half), np.tanh(np.arctanh(rho) + half))
    )


def test_summary_tornadoes_leave_out_other_automations_inputs(tiny_dict) -> None:
    from autosim import run_experiment, scenario_from_dict

    second = {
        "id": "crm",
        "costs": {"upfront": 500, "monthly": 50},
        "adoption": {"level": {"uncertain": {"dist": "uniform", "low": 0.2, "high": 0.9}}},
        "effects": {
            "dispatch.rate_factor": {"uncertain": {"dist": "uniform", "low": 1, "high": 1.2}}
        },
    }
    tiny_dict["automations"].append(second)
    tiny_dict["bundles"] = [{"id": "both", "automations": ["auto", "crm"]}]
    results = run_experiment(scenario_from_dict(tiny_dict), 8, seed=2, executor="serial")
    results = results.with_options(sensitivity=["jobs_lost"])
    seen = {}
    for v in results.summary()["variants"]:
        for output, rows in (v.get("sensitivity") or {}).items():
            inputs = {r["input"] for r in rows}
            seen[v["id"], output] = inputs
            owners = {i.split(".")[1] for i in inputs if i.startswith("automations.")}
            assert owners <= set(v["automations"]), (v["id"], output, inputs)
            for r in rows:
                assert set(r) >= {"rank_correlation", "ci95", "significant", "swing_lo", "swing_hi"}
    assert seen["both", "roi"] >= {
        "automations.auto.adoption.level",
        "automations.crm.adoption.level",
    }
    assert "automations.auto.adoption.level" not in seen["crm", "roi"]
    assert not any(i.startswith("automations.") for i in seen["baseline", "jobs_lost"])
