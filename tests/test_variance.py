"""Variance attribution: known splits through the ANOVA, the design, and the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from autosim import RunError, run_experiment, scenario_from_dict
from autosim.cli import main
from autosim.experiment.designs.base import DesignPoint, run_design
from autosim.experiment.designs.variance import split_variance, variance_attribution
from autosim.experiment.inputs import InputSampler
from autosim.experiment.streams import Streams

ADOPTION = "input:automations.auto.adoption.level"


def synthetic(param_sd: float, process_sd: float, k: int = 400, r: int = 5) -> np.ndarray:
    """Outer effects with variance param_sd**2 plus inner noise with variance process_sd**2."""
    rng = np.random.default_rng(7)
    return rng.normal(0, param_sd, size=(k, 1)) + rng.normal(0, process_sd, size=(k, r))


@pytest.mark.parametrize(("param_sd", "process_sd"), [(3.0, 1.0), (1.0, 1.0), (1.0, 3.0)])
def test_known_split_is_recovered(param_sd: float, process_sd: float) -> None:
    truth = param_sd**2 / (param_sd**2 + process_sd**2)
    split = split_variance(synthetic(param_sd, process_sd), np.random.default_rng(1))
    assert split["share_parameters"] == pytest.approx(truth, abs=0.06)
    assert split["share_parameters_lo"] < split["share_parameters"] < split["share_parameters_hi"]
    assert split["share_process"] == pytest.approx(1 - split["share_parameters"])
    assert split["var_process"] == pytest.approx(process_sd**2, rel=0.1)


def test_the_bootstrap_interval_covers_the_true_share_about_95_percent_of_the_time() -> None:
    data, boot = np.random.default_rng(123), np.random.default_rng(5)
    hits = 0
    for _ in range(100):
        values = data.normal(0, 1, size=(60, 1)) + data.normal(0, 1, size=(60, 5))
        split = split_variance(values, boot)
        hits += split["share_parameters_lo"] <= 0.5 <= split["share_parameters_hi"]
    assert 85 <= hits <= 100  # percentile bootstrap over 60 worlds: slightly narrow (~91%)


def test_no_parameter_effect_is_clipped_at_zero_and_rows_with_gaps_left_out() -> None:
    values = synthetic(0.0, 1.0, k=50)
    values[3, 1] = np.nan
    split = split_variance(values, np.random.default_rng(1))
    assert split["n_outer"] == 49
    assert 0.0 <= split["share_parameters"] < 0.1
    assert split["share_parameters_lo"] == 0.0


def test_too_few_outer_samples_give_nan() -> None:
    split = split_variance(np.ones((1, 3)))
    assert np.isnan(split["share_parameters"])


def test_design_replays_each_world_with_fresh_process_randomness(
    tiny_dict: dict[str, Any],
) -> None:
    scenario = scenario_from_dict(tiny_dict)
    world = InputSampler(scenario)(Streams(3, 0))
    points = [DesignPoint(world, 0, salt=j) for j in range(3)]
    rows = run_design(scenario, points, 3, executor="serial").query("variant == 'baseline'")
    assert rows[ADOPTION].nunique() == 1
    assert rows["jobs_called"].nunique() > 1  # different customers in each repetition


def test_outer_samples_are_the_main_run_s_worlds(tiny_dict: dict[str, Any]) -> None:
    scenario = scenario_from_dict(tiny_dict)
    result = variance_attribution(scenario, 3, 2, seed=8, executor="serial")
    main_run = run_experiment(scenario, 3, seed=8, executor="serial").replications
    table = result.table.set_index(["variant", "output"])
    assert {("auto", "roi"), ("auto", "npv")} <= set(table.index)
    assert table.loc[("auto", "roi"), "n_outer"] == 3
    worlds = InputSampler(scenario)
    for k in range(3):
        expected = main_run.query("variant == 'auto' and replication == @k")[ADOPTION].iloc[0]
        assert worlds(Streams(8, k))["automations.auto.adoption.level"] == expected
    assert result.summary()["headlines"][0]


def test_a_scenario_without_uncertain_inputs_is_refused(tiny_dict: dict[str, Any]) -> None:
    tiny_dict["automations"][0]["adoption"]["level"] = 0.8
    with pytest.raises(RunError, match="no uncertain inputs"):
        variance_attribution(scenario_from_dict(tiny_dict), 3, 2, seed=1, executor="serial")


def test_cli_runs_sobol_and_variance_split_and_writes_them(
    tiny_dict: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", str(path), "-n", "3", "--seed", "2", "--executor", "serial", "--no-plots"]
    argv += ["--sobol", "--sobol-samples", "2", "--variance-split", "3", "--inner", "2"]
    assert main([*argv, "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "Sobol indices of roi" in printed and "Where the spread comes from" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["sobol"]["output"] == "roi" and summary["sobol"]["runs"] == 2 * 3
    assert summary["variance"]["outer_samples"] == 3
    sobol = pd.read_csv(out / "sobol.csv")
    assert list(sobol.columns) == ["variant", "output", "input", "S1", "S1_conf", "ST", "ST_conf"]
    variance = pd.read_csv(out / "variance.csv")
    assert set(variance["output"]) == {"roi", "npv"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--inner", "3"], "--inner only applies with --variance-split"),
        (["--sobol", "--sobol-samples", "10"], "power of 2"),
        (["--variance-split", "1"], "must be >= 2"),
    ],
)
def test_cli_refuses_bad_design_options(
    tiny_dict: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict), encoding="utf-8")
    argv = ["run", str(path), "-n", "2", "--executor", "serial", "--no-plots", "-q"]
    assert main([*argv, "--out", str(tmp_path / "out"), *extra]) == 2
    assert message in capsys.readouterr().err
