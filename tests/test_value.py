"""Value of information: EVPI against a closed form, EVPPI ordering, the summary section."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from autosim import evppi, run_experiment, scenario_from_dict, value_of_information
from autosim.decide.risk import analysis_rng

from .conftest import SCENARIOS


def closed_form(mu: float, sigma: float) -> float:
    """EVPI of theta for 'do nothing (0)' against 'buy: mu + sigma * theta', theta ~ N(0, 1)."""
    return sigma * stats.norm.pdf(mu / sigma) + mu * stats.norm.cdf(mu / sigma) - max(mu, 0.0)


@pytest.mark.parametrize(("mu", "sigma"), [(0.0, 1.0), (0.5, 1.0), (-300.0, 1000.0)])
def test_evppi_matches_the_closed_form_despite_process_noise(mu: float, sigma: float) -> None:
    rng = np.random.default_rng(42)
    n = 3000
    theta = rng.standard_normal(n)
    noise = rng.normal(0.0, 1.5 * sigma, n)  # day-to-day luck: no study can foresee it
    npv = mu + sigma * theta + noise
    truth = closed_form(mu, sigma)
    got = evppi(npv[:, None], theta, analysis_rng(1, "t"))
    assert got.value == pytest.approx(truth, rel=0.12)
    assert got.ci95[0] < truth < got.ci95[1]
    naive = np.maximum(npv, 0).mean() - max(npv.mean(), 0)  # counts the luck as information
    assert naive > 1.4 * truth
    joint = evppi(npv[:, None], np.c_[theta, rng.uniform(size=n)], analysis_rng(1, "j"))
    assert joint.value == pytest.approx(truth, rel=0.12)


def test_per_input_evppi_ranks_inputs_and_ignores_an_irrelevant_one() -> None:
    rng = np.random.default_rng(7)
    n = 1500
    x = rng.standard_normal((n, 3))
    # Two options against doing nothing; the third input moves nothing.
    a = 100 + 400 * x[:, 0] + 150 * x[:, 1] + rng.normal(0, 300, n)
    b = 50 + 100 * x[:, 1] ** 2 + rng.normal(0, 300, n)  # a curved effect, for the spline
    npv = np.c_[a, b]
    values = [evppi(npv, x[:, j], analysis_rng(2, str(j))).value for j in range(3)]
    assert values[0] > values[1] > values[2]
    assert values[2] == pytest.approx(0.0, abs=5.0)
    both = evppi(npv, x, analysis_rng(2, "all")).value
    assert both >= 0.9 * max(values)


def synthetic(n: int, fits_b: bool = True) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Baseline, 'a' (driven by demand) and 'b' (flat); inputs shared by all variants (CRN)."""
    rng = np.random.default_rng(5)
    demand = rng.uniform(-1, 1, n)
    adoption = rng.uniform(0, 1, n)
    npv = {
        "baseline": np.full(n, np.nan),
        "a": 1000 * demand + rng.normal(0, 200, n),
        "b": 100 + rng.normal(0, 200, n),
    }
    frame = pd.concat(
        pd.DataFrame(
            {
                "variant": vid,
                "replication": np.arange(n),
                "input:demand": demand,
                "input:adoption": adoption,
                "npv": values,
            }
        )
        for vid, values in npv.items()
    )
    entries = [
        {"id": "a", "automations": ["a"], "constraints": {"budget": {"fits": True}}},
        {"id": "b", "automations": ["b"], "constraints": {"budget": {"fits": fits_b}}},
    ]
    return frame, entries


def test_value_of_information_section_names_the_input_most_worth_knowing() -> None:
    frame, entries = synthetic(400)
    out = value_of_information(frame, entries, seed=1)
    assert out["options"] == ["a", "b"]
    assert out["decision"]["choice"] == "b"  # 100 beats a's ~0
    # Knowing demand: buy 'a' when demand > 0.1, worth E[max(1000 d, 100)] - 100 = 202.5.
    assert out["evpi"]["value"] == pytest.approx(202.5, rel=0.15)
    assert [i["input"] for i in out["inputs"]] == ["demand", "adoption"]
    assert out["inputs"][1]["evppi"] == pytest.approx(0.0, abs=10)
    assert out["most_valuable"] == "demand"
    assert out["perfect_foresight"] > 0 and "demand" in out["text"]
    assert out == value_of_information(frame, entries, seed=1)  # reproducible


def test_value_of_information_only_for_options_that_fit_and_enough_runs() -> None:
    frame, entries = synthetic(400, fits_b=False)
    out = value_of_information(frame, entries, seed=1)
    assert out["options"] == ["a"]  # 'b' breaks a constraint: not an option
    assert out["decision"]["choice"] in {"a", "baseline"}  # a's expected NPV is about 0
    assert out["evpi"]["value"] == pytest.approx(250, rel=0.15)  # E[max(1000 d, 0)]
    frame, entries = synthetic(10)
    assert "at least 20 replications" in value_of_information(frame, entries, seed=1)["note"]
    for e in entries:
        e["constraints"]["budget"]["fits"] = False
    note = value_of_information(frame, entries, seed=1)["note"]
    assert "no automation fits" in note


def test_end_to_end_on_a_shipped_scenario() -> None:
    spec = yaml.safe_load((SCENARIOS / "leather_goods_ecommerce.yaml").read_text("utf-8"))
    spec["horizon"] = "120 day"  # keeps the test fast; the goals look at the last 90 days
    results = run_experiment(scenario_from_dict(spec), 20, seed=3, executor="serial")
    summary = results.summary()
    voi = summary["value_of_information"]
    assert voi["decision"]["choice"] in {"baseline", *voi["options"]}
    if "note" not in voi:
        names = {c.removeprefix("input:") for c in results.input_columns}
        assert {i["input"] for i in voi["inputs"]} <= names
        assert voi["evpi"]["value"] >= 0 and voi["text"]
    for v in summary["variants"][1:]:
        risk = v["finance"]["risk"]
        assert 0 <= risk["p_loss"]["value"] <= 1
        assert risk["cvar10"]["value"] <= v["finance"]["npv"]["mean"]
        assert risk["worst_month_cash"]["mean"] >= v["kpis"]["min_cash_balance"]["mean"]
