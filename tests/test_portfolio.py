"""Bundles, interactions and the portfolio choice under a budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autosim import ScenarioError, scenario_from_dict
from autosim.decide.portfolio import interactions, recommend
from autosim.experiment.variants import Variant, default_variants


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
    options[0]["constraints"]["budget_upfront"].update(limit=4000.0, median=5000.0, p_holds=0.0)
    out = recommend(options, frame_of(options), "impact")
    assert out["recommended"] is None and out["binding"]["option"] == "a"
    assert out["reason"] == out["binding"]["text"]
    assert out["reason"].startswith("buy nothing yet: a would be the choice but does not fit")
    assert "up-front 5,000 against a budget of 4,000 (over by 1,000)" in out["reason"]


def test_nothing_aligned_means_buy_nothing_and_say_why() -> None:
    options = [option("a", 5000, 0.0, 50_000), option("b", 10, 0.0, 900_000)]
    out = recommend(options, frame_of(options), "npv")
    assert out["recommended"] is None and out["binding"]["constraint"] == "strategy"
    assert "no option is aligned" in out["reason"] and "b: misaligned" in out["reason"]


def test_a_bundle_may_not_carry_a_passenger_that_moves_no_goal() -> None:
    options = [
        option("a", 5000, 0.5, 50_000),
        option("crm", 100, 0.0, 9_000),  # misaligned on its own
        option("a+crm", 5100, 0.6, 60_000),  # aligned as a bundle, thanks to a
    ]
    out = recommend(options, frame_of(options), "impact")
    assert out["recommended"] == "a"
    why = {f["id"]: f["why_not"] for f in out["frontier"]}
    assert why == {"a": None, "crm": "misaligned", "a+crm": "includes crm is misaligned"}


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


def test_flagship_all_bundles_lists_options_recommendation_and_roadmap(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Acceptance (#10): every bundle with cost, NPV and impact, the recommended bundle and the
    roadmap within the budget, from the CLI; plus a chosen KPI's tornado."""
    import json

    from autosim.cli import main

    from .conftest import FLAGSHIP

    short = tmp_path / "flagship.yaml"
    text = FLAGSHIP.read_text(encoding="utf-8").replace("horizon: 365 day", "horizon: 120 day")
    short.write_text(text, encoding="utf-8")
    kpi = "within_target_share[job_type=emergency]"
    argv = ["run", str(short), "--all-bundles", "-n", "4", "--seed", "1", "-q", "--no-plots"]
    argv += ["--executor", "serial", "--out", str(tmp_path / "out"), "--sensitivity", kpi]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    frontier = {c["id"]: c for c in summary["portfolio"]["frontier"]}
    bundles = {"auto_dispatch+generic_crm", "mobile_invoicing+generic_crm"}
    bundles |= {"dispatch_and_invoicing", "auto_dispatch+mobile_invoicing+generic_crm"}
    assert bundles <= set(frontier)
    for option_id in bundles:
        assert {"upfront", "npv", "impact"} <= set(frontier[option_id]), option_id
        assert option_id in printed
    budget = 12_000
    recommended = summary["portfolio"]["recommended"]
    assert recommended and frontier[recommended]["upfront"] <= budget
    assert f"Recommended: {recommended}" in printed
    roadmap = summary["roadmap"]
    assert roadmap["suggested_order"] and "dispatch_then_invoicing" in printed
    assert "Suggested order" in printed and "Best roadmap" in printed
    baseline = next(v for v in summary["variants"] if v["id"] == "baseline")
    drivers = baseline["sensitivity"][kpi]
    assert drivers and {"input", "rank_correlation", "swing_lo", "swing_hi"} <= set(drivers[0])


def test_unknown_sensitivity_output_is_refused_before_the_run(tmp_path, capsys) -> None:
    from autosim.cli import main

    from .conftest import FLAGSHIP

    argv = ["run", str(FLAGSHIP), "-n", "2", "--out", str(tmp_path / "o"), "-q"]
    assert main([*argv, "--sensitivity", "response_tme_p90_min"]) == 2
    assert "unknown KPI 'response_tme_p90_min'" in capsys.readouterr().err
    assert not (tmp_path / "o" / "summary.json").exists()
