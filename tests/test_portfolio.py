"""Bundles, interactions and the portfolio choice under a budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autosim import ScenarioError, scenario_from_dict
from autosim.experiment.runner import Variant, default_variants
from autosim.portfolio import interactions, recommend


def option(vid: str, upfront: float, impact: float, npv: float, fits: bool = True) -> dict:
    return {
        "id": vid,
        "automations": vid.split("+"),
        "impact_score": {"mean": impact},
        "finance": {"npv": {"mean": npv}},
        "verdict": "aligned" if impact > 0 else "misaligned",
        "constraints": {"budget_upfront": {"fits": fits}},
        "_upfront": upfront,
    }


def frame_of(options: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"variant": o["id"], "replication": 0, "automation_upfront": o["_upfront"]}
            for o in options
        ]
    )


def test_recommends_the_best_option_that_fits_the_budget() -> None:
    options = [
        option("a", 5000, 0.4, 50_000),
        option("b", 3000, 0.2, 90_000),
        option("a+b", 8000, 0.7, 150_000),
        option("c", 20000, 0.9, 200_000, fits=False),  # over budget: never recommended
    ]
    by_impact = recommend(options, frame_of(options), "impact")
    assert by_impact["recommended"] == "a+b"
    by_npv = recommend(options, frame_of(options), "npv")
    assert by_npv["recommended"] == "a+b"
    options[2]["constraints"]["budget_upfront"]["fits"] = False
    assert recommend(options, frame_of(options), "impact")["recommended"] == "a"
    assert recommend(options, frame_of(options), "npv")["recommended"] == "b"
    frontier = {f["id"]: f["efficient"] for f in by_impact["frontier"]}
    assert frontier == {"b": True, "a": True, "a+b": True, "c": True}


def test_nothing_fits_means_keep_the_business_as_it_is() -> None:
    options = [option("a", 5000, 0.4, 50_000, fits=False)]
    out = recommend(options, frame_of(options), "impact")
    assert out["recommended"] is None and "keep the business as it is" in out["reason"]


def test_interaction_is_the_paired_npv_difference() -> None:
    n = 30
    rng = np.random.default_rng(0)
    a, b = rng.normal(100, 10, n), rng.normal(50, 10, n)
    rows = pd.DataFrame(
        {
            "variant": ["a"] * n + ["b"] * n + ["a+b"] * n,
            "replication": list(range(n)) * 3,
            "npv": np.concatenate([a, b, a + b + 20]),  # worth 20 more together
        }
    )
    variants = [Variant("baseline"), Variant("a", ("a",)), Variant("b", ("b",))]
    variants.append(Variant("a+b", ("a", "b")))
    out = interactions(rows, variants)["a+b"]
    assert out["npv"]["mean"] == pytest.approx(20.0)
    assert out["kind"] == "synergy"


def test_bundles_in_scenarios_and_all_bundles(tiny_dict: dict) -> None:
    tiny_dict["automations"].append({"id": "other", "costs": {"monthly": 10}})
    tiny_dict["bundles"] = [{"id": "both", "automations": ["auto", "other"]}]
    scenario = scenario_from_dict(tiny_dict)
    ids = [v.id for v in default_variants(scenario)]
    assert ids == ["baseline", "auto", "other", "both"]
    assert [v.id for v in default_variants(scenario, all_bundles=True)] == ids  # no duplicate
    tiny_dict["bundles"] = [{"id": "both", "automations": ["auto", "othr"]}]
    with pytest.raises(ScenarioError, match="did you mean 'other'"):
        scenario_from_dict(tiny_dict)
