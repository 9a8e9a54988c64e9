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
