"""Goals and verdicts: target parsing, paired intervals, verdict logic on synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autosim import ScenarioError, scenario_from_dict
from autosim.decide.strategy import evaluate_strategy, newcombe_paired_interval
from autosim.scenario.goals import Goal, Strategy, parse_target


@pytest.mark.parametrize(
    ("text", "unit", "op", "threshold", "relative"),
    [
        ("<= 60", "min", "<=", 60.0, False),
        ("<= 1 h", "min", "<=", 60.0, False),
        ("<= 2 day", "days", "<=", 2.0, False),
        (">= 0.95", "share", ">=", 0.95, False),
        (">= 90%", "share", ">=", 0.9, False),
        ("+15%", "jobs", ">=", 0.15, True),
        ("-20%", "money", "<=", -0.2, True),
        (">= -5%", "share", ">=", -0.05, True),
    ],
)
def test_targets_parse(text: str, unit: str, op: str, threshold: float, relative: bool) -> None:
    target = parse_target(text, unit)
    assert (target.op, target.relative) == (op, relative)
    assert target.threshold == pytest.approx(threshold)


@pytest.mark.parametrize(
    ("text", "unit", "fragment"),
    [
        (">= 1.5", "share", "can never be met"),
        ("<= -3", "min", "never negative"),
        ("-100%", "jobs", "can never be met"),
        ("about 60", "min", "cannot read target"),
        (60, "min", "a target is text"),
    ],
)
def test_impossible_or_unreadable_targets(text: object, unit: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_target(text, unit)


def test_relative_target_compares_with_the_same_replications_baseline() -> None:
    target = parse_target("+10%", "jobs")
    np.testing.assert_array_equal(
        target.met(np.array([110.0, 109.0, np.nan]), np.array([100.0, 100.0, 100.0])),
        [True, False, False],
    )


def test_newcombe_interval_properties() -> None:
    lo, hi = newcombe_paired_interval(0, 5, 0, 0)  # 5/5 improved
    assert 0 < lo < 1 and hi == pytest.approx(1.0)
    lo, hi = newcombe_paired_interval(0, 0, 0, 30)  # nothing ever met either way
    assert lo < 0 < hi and hi == pytest.approx(-lo)
    lo, hi = newcombe_paired_interval(40, 3, 2, 55)  # small difference, lots of agreement
    assert lo < 0.01 < hi and hi - lo < 0.2


def synthetic(met_base: list[int], met_auto: list[int]) -> tuple[Strategy, pd.DataFrame]:
    """A one-goal strategy whose goal is met where the 'score' column is 1."""
    goal = Goal.model_validate({"id": "g", "kpi": "jobs_completed", "target": ">= 1"})
    n = len(met_base)
    frame = pd.DataFrame(
        {
            "variant": ["baseline"] * n + ["auto"] * n,
            "replication": list(range(n)) * 2,
            "jobs_completed": met_base + met_auto,
            "roi": [np.nan] * n + [0.3] * n,
            "payback_months": [np.nan] * n + [5.0] * n,
            "automation_upfront": [0.0] * n + [100.0] * n,
            "min_cash_balance": [1.0] * 2 * n,
        }
    )
    return Strategy(goals=(goal,), min_effect=0.1), frame


def verdict_of(base: list[int], auto: list[int]) -> dict:
    strategy, frame = synthetic(base, auto)
    return evaluate_strategy(strategy, frame, [("baseline", False), ("auto", True)])["auto"]


def test_aligned_when_a_goal_improves_beyond_noise() -> None:
    out = verdict_of([0] * 40, [1] * 30 + [0] * 10)
    assert out["verdict"] == "aligned"
    assert out["goals"]["g"]["p_met"] == 0.75 and out["goals"]["g"]["delta_vs_baseline"] == 0.75
    assert "from 0% to 75%" in out["explanation"]


def test_detrimental_when_a_goal_is_harmed() -> None:
    out = verdict_of([1] * 40, [1] * 10 + [0] * 30)
    assert out["verdict"] == "detrimental"
    assert "lowers the chance" in out["explanation"]


def test_misaligned_when_confidently_no_material_change() -> None:
    out = verdict_of([0] * 100, [0] * 100)
    assert out["verdict"] == "misaligned"
    assert "ROI is +30%" in out["explanation"]


def test_inconclusive_with_too_few_replications_says_how_many() -> None:
    out = verdict_of([0] * 8, [0] * 7 + [1])
    assert out["verdict"] == "inconclusive"
    assert out["replications_needed"] > 8
    assert f"about {out['replications_needed']} replications" in out["explanation"]
    # ...and that many replications with the same shares would indeed decide it.
    n = out["replications_needed"]
    k = round(n / 8)
    decided = verdict_of([0] * (8 * k), [0] * (7 * k) + [1] * k)
    assert decided["verdict"] != "inconclusive"


def test_tie_at_the_noise_boundary_is_not_an_improvement() -> None:
    # A change exactly equal to min_effect with an interval touching 0 does not count.
    out = verdict_of([0] * 10, [1] + [0] * 9)
    assert out["verdict"] == "inconclusive"
    assert out["goals"]["g"]["delta_ci95"][0] <= 0


def test_joint_goal_is_the_joint_probability_not_a_product() -> None:
    goal = Goal.model_validate(
        {
            "id": "both",
            "all": [
                {"kpi": "jobs_completed", "target": ">= 1"},
                {"kpi": "jobs_lost", "target": ">= 1"},
            ],
        }
    )
    frame = pd.DataFrame(
        {
            "variant": ["baseline"] * 4,
            "replication": range(4),
            "jobs_completed": [1, 1, 0, 0],
            "jobs_lost": [1, 1, 0, 0],  # perfectly correlated: joint P = 0.5, product 0.25
        }
    )
    out = evaluate_strategy(Strategy(goals=(goal,)), frame, [("baseline", False)])
    assert out["baseline"]["goals"]["both"]["p_met"] == 0.5


def test_strategy_errors_in_scenario_files(tiny_dict: dict) -> None:
    tiny_dict["strategy"] = {
        "goals": [
            {"id": "a", "kpi": "response_time_p90_mn", "target": "<= 60"},
            {"id": "b", "kpi": "dso_days", "filter": {"segment": "home"}, "target": "<= 9"},
            {"id": "c", "kpi": "jobs_completed", "filter": {"segment": "hom"}, "target": "+5%"},
        ]
    }
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(tiny_dict)
    text = str(info.value)
    assert "did you mean 'response_time_p90_min'" in text
    assert "cannot be broken down by 'segment'" in text
    tiny_dict["strategy"]["goals"] = tiny_dict["strategy"]["goals"][2:]
    with pytest.raises(ScenarioError, match="unknown segment 'hom'; did you mean 'home'"):
        scenario_from_dict(tiny_dict)
