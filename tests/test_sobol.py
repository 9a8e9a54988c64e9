"""Sobol indices: known answers through the same code path the scenarios use."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from autosim import RunError, scenario_from_dict
from autosim.experiment.designs.sobol import sobol_analysis, sobol_indices

A, B = 7.0, 0.1
_V = A**2 / 8 + B * math.pi**4 / 5 + B**2 * math.pi**8 / 18 + 0.5
_V1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
_V2 = A**2 / 8
_V13 = B**2 * math.pi**8 / 18 - B**2 * math.pi**8 / 50
#: The Ishigami function's indices (Ishigami & Homma 1990; Sobol' & Levitan 1999).
ISHIGAMI_S1 = np.array([_V1 / _V, _V2 / _V, 0.0])
ISHIGAMI_ST = np.array([(_V1 + _V13) / _V, _V2 / _V, _V13 / _V])


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


@pytest.mark.parametrize("seed", [1, 2])
def test_ishigami_indices_are_within_salib_intervals(seed: int) -> None:
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    table = sobol_indices(problem, ishigami, n=1024, seed=seed)
    assert list(table["input"]) == ["x1", "x2", "x3"]
    assert (np.abs(table["S1"] - ISHIGAMI_S1) <= table["S1_conf"]).all()
    assert (np.abs(table["ST"] - ISHIGAMI_ST) <= table["ST_conf"]).all()
    assert table["ST"].idxmax() == 0 and table["S1"].idxmax() == 1


def test_a_linear_model_recovers_order_and_magnitude() -> None:
    # y = 4a + 2b + 0c on independent uniforms: S1 = ST = (16, 4, 0) / 20
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    table = sobol_indices(problem, lambda x: 4 * x[:, 0] + 2 * x[:, 1], n=512, seed=3)
    assert table["S1"].to_numpy() == pytest.approx([0.8, 0.2, 0.0], abs=0.05)
    assert table["ST"].to_numpy() == pytest.approx([0.8, 0.2, 0.0], abs=0.05)


def test_several_outputs_and_undefined_ones() -> None:
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}

    def evaluate(x: np.ndarray) -> dict[str, np.ndarray]:
        broken = x[:, 0].copy()
        broken[3] = np.nan
        return {"sum": x[:, 0] + x[:, 1], "flat": np.ones(len(x)), "broken": broken}

    table = sobol_indices(problem, evaluate, n=64, seed=1)
    assert list(table["output"].unique()) == ["sum", "flat", "broken"]
    assert table.query("output == 'sum'")["S1"].notna().all()
    assert table.query("output != 'sum'")[["S1", "ST"]].isna().all().all()


def test_the_base_sample_must_be_a_power_of_two() -> None:
    problem = {"num_vars": 1, "names": ["a"], "bounds": [[0, 1]]}
    with pytest.raises(RunError, match="power of 2"):
        sobol_indices(problem, lambda x: x[:, 0], n=48, seed=1)


def with_uncertain_rate(tiny_dict: dict[str, Any]) -> dict[str, Any]:
    tiny_dict["dispatch"]["job_types"][1]["rate_per_day"] = {
        "uncertain": {"dist": "uniform", "low": 2, "high": 8}
    }
    return tiny_dict


def test_scenario_design_attributes_calls_to_the_rate_not_to_adoption(
    tiny_dict: dict[str, Any],
) -> None:
    scenario = scenario_from_dict(with_uncertain_rate(tiny_dict))
    result = sobol_analysis(scenario, "jobs_called", n=8, seed=2, executor="serial")
    assert result.n_runs == 8 * (2 + 2)
    table = result.table.set_index(["variant", "input"])
    assert list(result.table.columns) == [
        "variant", "output", "input", "S1", "S1_conf", "ST", "ST_conf"
    ]  # fmt: skip
    # The baseline never uses the automation: with the base row's process streams shared by
    # its mixes, adoption's total index is exactly zero and the rate explains the calls.
    base = table.loc["baseline"]
    assert base.loc["automations.auto.adoption.level", "ST"] == 0.0
    assert base.loc["dispatch.job_types.routine.rate_per_day", "ST"] > 0.5
    summary = result.summary()
    assert summary["output"] == "jobs_called" and summary["runs"] == 32
    assert summary["variants"][0]["inputs"][0]["input"].endswith("rate_per_day")


def test_scenario_design_is_identical_on_any_executor(tiny_dict: dict[str, Any]) -> None:
    scenario = scenario_from_dict(with_uncertain_rate(tiny_dict))
    serial = sobol_analysis(scenario, "roi", n=4, seed=5, executor="serial")
    pool = sobol_analysis(scenario, "roi", n=4, seed=5, executor="processes", n_jobs=2)
    pd.testing.assert_frame_equal(serial.table, pool.table)
    assert list(serial.table["variant"].unique()) == ["auto"]  # ROI: automations only


def test_unknown_output_is_refused_before_the_design_runs(tiny_dict: dict[str, Any]) -> None:
    scenario = scenario_from_dict(tiny_dict)
    with pytest.raises(RunError, match="did you mean 'roi'"):
        sobol_analysis(scenario, "roii", n=4, seed=1, executor="serial")


def test_correlations_are_noted_as_ignored(tiny_dict: dict[str, Any]) -> None:
    data = with_uncertain_rate(tiny_dict)
    data["correlations"] = [
        {
            "between": [
                "dispatch.job_types.routine.rate_per_day",
                "automations.auto.adoption.level",
            ],
            "rank": 0.4,
        }
    ]
    result = sobol_analysis(scenario_from_dict(data), "roi", n=2, seed=1, executor="serial")
    assert any("correlations are ignored" in note for note in result.notes)
