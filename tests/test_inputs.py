"""Correlated uncertain inputs: exact marginals, requested rank correlations, clear errors."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from autosim import ScenarioError, run_experiment, scenario_from_dict
from autosim.experiment.inputs import InputSampler, sample_inputs
from autosim.experiment.streams import Streams
from autosim.scenario.load import scenario_from_text

GROWTH = "dispatch.job_types.emergency.growth_per_year"
RATE = "dispatch.job_types.routine.rate_per_day"
ADOPTION = "automations.auto.adoption.level"
COSTS = "finance.fixed_monthly_costs"

#: Requested rank correlations (COSTS is in none of them).
RANKS = {(GROWTH, ADOPTION): 0.6, (GROWTH, RATE): -0.3, (RATE, ADOPTION): 0.2}

#: The same marginals as scipy distributions, for the KS tests.
SIGMA2 = math.log1p((1 / 4) ** 2)
MARGINALS = {
    GROWTH: stats.triang(c=0.5, loc=-0.02, scale=0.1),
    RATE: stats.lognorm(s=math.sqrt(SIGMA2), scale=math.exp(math.log(4) - SIGMA2 / 2)),
    ADOPTION: stats.uniform(loc=0.5, scale=0.5),
    COSTS: stats.uniform(loc=4000, scale=2000),
}


def uncertain(tiny_dict: dict[str, Any], correlations: bool = True) -> dict[str, Any]:
    data = copy.deepcopy(tiny_dict)
    jobs = data["dispatch"]["job_types"]
    jobs[0]["growth_per_year"] = {
        "uncertain": {"dist": "triangular", "low": -0.02, "mode": 0.03, "high": 0.08}
    }
    jobs[1]["rate_per_day"] = {"uncertain": {"dist": "lognormal", "mean": 4, "sd": 1}}
    data["finance"]["fixed_monthly_costs"] = {
        "uncertain": {"dist": "uniform", "low": 4000, "high": 6000}
    }
    if correlations:
        data["correlations"] = [{"between": list(k), "rank": r} for k, r in RANKS.items()]
    return data


def test_sampler_gives_requested_rank_correlations_and_exact_marginals(
    tiny_dict: dict[str, Any],
) -> None:
    sampler = InputSampler(scenario_from_dict(uncertain(tiny_dict)))
    draws = pd.DataFrame([sampler(Streams(11, r)) for r in range(4000)])
    spearman = draws.corr(method="spearman")
    for a in draws:
        for b in draws:
            if a != b:
                wanted = RANKS.get((a, b), RANKS.get((b, a), 0.0))
                assert spearman.loc[a, b] == pytest.approx(wanted, abs=0.05), (a, b)
    for name, dist in MARGINALS.items():
        assert stats.kstest(draws[name], dist.cdf).pvalue > 0.01, name


def test_inputs_outside_any_correlation_keep_their_own_streams(tiny_dict: dict[str, Any]) -> None:
    with_corr = scenario_from_dict(uncertain(tiny_dict))
    without = scenario_from_dict(uncertain(tiny_dict, correlations=False))
    for r in range(20):
        streams = Streams(5, r)
        a, b = sample_inputs(with_corr, streams), sample_inputs(without, streams)
        assert a[COSTS] == b[COSTS]
        assert a[GROWTH] != b[GROWTH]
        # without correlations each input is its own stream's inverse-transform draw, as before
        for path, u in InputSampler(without).inputs.items():
            assert b[path] == u.dist.sample(streams(f"input:{path}"))


def test_replications_carry_the_correlated_inputs(tiny_dict: dict[str, Any]) -> None:
    scenario = scenario_from_dict(uncertain(tiny_dict))
    results = run_experiment(scenario, 2, seed=4, executor="serial")
    for r in range(2):
        row = results.replications.query("variant == 'auto' and replication == @r").iloc[0]
        for path, value in sample_inputs(scenario, Streams(4, r)).items():
            assert row[f"input:{path}"] == value


def problems(tiny_dict: dict[str, Any], correlations: list[dict[str, Any]]) -> str:
    data = uncertain(tiny_dict, correlations=False)
    data["correlations"] = correlations
    with pytest.raises(ScenarioError) as caught:
        scenario_from_text(yaml.safe_dump(data, sort_keys=False), source="shop.yaml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("correlations", "expected"),
    [
        (
            [{"between": [GROWTH, "automations.auto.adoption.levle"], "rank": 0.5}],
            ["correlations[0].between[1]", "did you mean 'automations.auto.adoption.level'"],
        ),
        ([{"between": [GROWTH, ADOPTION], "rank": 1.3}], ["rank must be between -1 and 1"]),
        (
            [
                {"between": [GROWTH, ADOPTION], "rank": 0.3},
                {"between": [ADOPTION, GROWTH], "rank": 0.1},
            ],
            ["correlations[1].between", "already given in correlations[0]"],
        ),
        ([{"between": [GROWTH, GROWTH], "rank": 0.3}], ["correlated with itself"]),
        ([{"between": [GROWTH], "rank": 0.3}], ["list of two uncertain-input names"]),
        (
            [
                {"between": [GROWTH, ADOPTION], "rank": 0.9},
                {"between": [GROWTH, RATE], "rank": 0.9},
                {"between": [ADOPTION, RATE], "rank": -0.9},
            ],
            ["the correlations are inconsistent", "no joint distribution", "eigenvalue -0.8"],
        ),
        ([{"between": [GROWTH, ADOPTION], "rank": -1}], ["inconsistent", "one unknown"]),
    ],
    ids=["unknown", "rank", "duplicate", "self", "one-name", "not-pd", "lockstep"],
)
def test_bad_correlations_are_located_and_explained(
    tiny_dict: dict[str, Any], correlations: list[dict[str, Any]], expected: list[str]
) -> None:
    message = problems(tiny_dict, correlations)
    assert message.startswith("shop.yaml: line ")
    for part in expected:
        assert part in message


def test_a_consistent_matrix_passes(tiny_dict: dict[str, Any]) -> None:
    scenario = scenario_from_dict(uncertain(tiny_dict))
    assert len(scenario.correlations) == 3
    assert np.isfinite(list(sample_inputs(scenario, Streams(0, 0)).values())).all()
