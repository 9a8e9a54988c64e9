"""Goal progress: the share of the baseline's gap to a target that an option closes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from autosim.decide.progress import condition_progress
from autosim.decide.strategy import evaluate_strategy
from autosim.scenario.goals import Goal, Strategy


def contract_goal(target: str = "+15%") -> Goal:
    return Goal.model_validate(
        {
            "id": "contracts",
            "kpi": "revenue",
            "filter": {"segment": "contract"},
            "target": target,
            "description": "maintenance-contract revenue grows 15%",
        }
    )


def frame_of(goal: Goal, base: np.ndarray, option: np.ndarray) -> pd.DataFrame:
    n = base.size
    column = goal.all[0].column()
    return pd.DataFrame(
        {
            "variant": ["baseline"] * n + ["crm"] * n,
            "replication": list(range(n)) * 2,
            column: np.r_[base, option],
            "roi": [np.nan] * n + [0.5] * n,
            "payback_months": [np.nan] * n + [4.0] * n,
            "automation_upfront": [0.0] * n + [100.0] * n,
            "min_cash_balance": [1.0] * 2 * n,
        }
    )


def judged(goal: Goal, base: np.ndarray, option: np.ndarray) -> dict:
    strategy = Strategy(goals=(goal,), min_effect=0.1)
    frame = frame_of(goal, base, option)
    return evaluate_strategy(strategy, frame, [("baseline", False), ("crm", True)])["crm"]


def test_known_partial_progress_is_measured_and_counts_as_partly_aligned() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(100_000, 10_000, 100)
    option = base * (1.071 + rng.normal(0, 0.02, 100))  # +7.1% of the +15% wanted
    out = judged(contract_goal(), base, option)
    progress = out["goals"]["contracts"]["progress"]
    assert progress["mean"] == pytest.approx(0.071 / 0.15, abs=0.03)
    lo, hi = progress["ci95"]
    assert lo < progress["mean"] < hi and lo > 0.25 and hi - lo < 0.1
    assert out["goals"]["contracts"]["delta_vs_baseline"] == 0  # never met, in any replication
    assert out["verdict"] == "aligned"
    assert "partly aligned" in out["explanation"]
    assert re.search(r"closes 4[5-9]% \[4\d%, [45]\d%\] of the gap", out["explanation"])
    assert re.search(r"\(\+[67]\.\d% of the \+15% wanted\)", out["explanation"])
    level = out["goals"]["contracts"]["level"]
    assert level["baseline_mean"] == pytest.approx(base.mean())
    assert level["target"] == pytest.approx(base.mean() * 1.15)
    assert level["p5"] < level["mean"] < level["p95"]


def test_no_progress_is_misaligned_and_says_what_moved() -> None:
    rng = np.random.default_rng(8)
    base = rng.normal(100_000, 10_000, 100)
    option = base * (1 + rng.normal(0, 0.01, 100))
    out = judged(contract_goal(), base, option)
    lo, hi = out["goals"]["contracts"]["progress"]["ci95"]
    assert -0.25 < lo < 0 < hi < 0.25
    assert out["verdict"] == "misaligned"
    assert "moves none" not in out["explanation"]
    assert "the largest closes" in out["explanation"]


def test_moving_away_from_the_target_is_detrimental() -> None:
    rng = np.random.default_rng(9)
    base = rng.normal(100_000, 10_000, 60)
    option = base * (0.94 + rng.normal(0, 0.01, 60))  # -6%: 40% of the gap the wrong way
    out = judged(contract_goal(), base, option)
    assert out["goals"]["contracts"]["progress"]["mean"] == pytest.approx(-0.4, abs=0.05)
    assert out["verdict"] == "detrimental"
    assert "moves away from its target" in out["explanation"]


def test_absolute_target_below_the_baseline() -> None:
    goal = Goal.model_validate(
        {"id": "fast", "kpi": "response_time_p90_min", "target": "<= 30 min"}
    )
    cond = goal.all[0]
    base = np.full(20, 60.0) + np.linspace(-1, 1, 20)
    share = condition_progress(cond, base - 15.0, base).share  # half of the 30 minutes
    assert share == pytest.approx(0.5, abs=1e-9)
    assert condition_progress(cond, base, base).share == pytest.approx(0.0, abs=1e-12)


def test_no_progress_when_the_baseline_already_meets_the_target() -> None:
    cond = contract_goal("+0%").all[0]
    base = np.linspace(1, 2, 30)
    out = condition_progress(cond, base * 1.1, base)
    assert out.share is None and out.as_dict()["progress"] is None
    assert out.level["mean"] == pytest.approx((base * 1.1).mean())


def test_the_baseline_variant_has_a_level_but_no_progress() -> None:
    cond = contract_goal().all[0]
    base = np.linspace(1, 2, 30)
    out = condition_progress(cond, base, base, is_option=False)
    assert out.share is None and out.level["baseline_mean"] == pytest.approx(1.5)


def test_joint_goal_reports_each_condition_and_the_one_holding_it_back() -> None:
    goal = Goal.model_validate(
        {
            "id": "both",
            "all": [
                {"kpi": "jobs_completed", "target": ">= 110"},
                {"kpi": "jobs_lost", "target": "<= 10"},
            ],
        }
    )
    n = 50
    frame = pd.DataFrame(
        {
            "variant": ["baseline"] * n + ["crm"] * n,
            "replication": list(range(n)) * 2,
            "jobs_completed": np.r_[np.full(n, 100.0), np.full(n, 108.0)],  # 80% of its gap
            "jobs_lost": np.r_[np.full(n, 20.0), np.full(n, 17.0)],  # 30% of its gap
            "roi": [np.nan] * n + [0.5] * n,
            "payback_months": [np.nan] * n + [4.0] * n,
            "automation_upfront": [0.0] * n + [100.0] * n,
            "min_cash_balance": [1.0] * 2 * n,
        }
    )
    frame.loc[frame["variant"] == "crm", "jobs_lost"] += np.linspace(-0.5, 0.5, n)
    out = evaluate_strategy(Strategy(goals=(goal,)), frame, [("baseline", False), ("crm", True)])
    entry = out["crm"]["goals"]["both"]
    shares = [c["progress"]["mean"] for c in entry["conditions"]]
    assert shares == pytest.approx([0.8, 0.3], abs=1e-6)
    assert entry["progress"]["mean"] == pytest.approx(0.3, abs=1e-6)


def test_the_interval_covers_the_true_share_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(2026)
    cond = contract_goal().all[0]
    true_share = 0.4
    covered = 0
    trials = 600
    for _ in range(trials):
        base = rng.lognormal(np.log(1000), 0.3, 40)
        option = base * (1 + 0.15 * true_share) + rng.normal(0, 30, 40)
        lo, hi = condition_progress(cond, option, base).ci95
        covered += lo <= true_share <= hi
    # Binomial sd of the coverage at 600 trials is ~0.9 points: 91-98% is a 4-sd band.
    assert 0.91 <= covered / trials <= 0.98
