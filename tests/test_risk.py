"""Risk measures (P(NPV < 0), CVaR, worst month's cash) and risk objectives for portfolio choice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
import pytest
import yaml

from autosim import RunError, run_experiment, scenario_from_dict
from autosim.cli import main
from autosim.decide.portfolio import OBJECTIVES, recommend, resolve_objective
from autosim.decide.risk import cvar, risk_measures, variant_risk
from autosim.decide.strategy import evaluate_strategy, key_goals
from autosim.model.finance import month_index, worst_month_cash
from autosim.scenario.goals import Goal, Strategy


def test_worst_month_cash_reads_month_end_balances() -> None:
    months = month_index(dt.date(2027, 1, 30), 5)  # Jan 30, Jan 31 | Feb 1, 2, 3
    balance = np.array([50.0, 20.0, -10.0, 40.0, 30.0])
    # Month ends: Jan 31 (20) and the last simulated day (30); the dip on Feb 1 is a day's low.
    assert worst_month_cash(balance, months) == 20.0
    assert np.isnan(worst_month_cash(np.array([]), np.array([], dtype=int)))


def test_cvar_is_the_tail_mean_with_a_fractional_boundary() -> None:
    x = np.arange(1.0, 11.0)[::-1]  # order does not matter
    assert cvar(x, 0.10) == pytest.approx(1.0)
    assert cvar(x, 0.25) == pytest.approx((1 + 2 + 0.5 * 3) / 2.5)
    assert cvar(x, 1.0) == pytest.approx(x.mean())
    many = np.stack([x, x + 10])
    np.testing.assert_allclose(cvar(many, 0.2, axis=1), [1.5, 11.5])


def test_risk_measures_with_intervals_and_reproducible() -> None:
    rng = np.random.default_rng(3)
    npv = rng.normal(1000, 1000, 400)
    out = risk_measures(npv, npv + 5000, seed=7, name="a")
    true_cvar = 1000 - 1000 * np.exp(-(1.2816**2) / 2) / np.sqrt(2 * np.pi) / 0.10  # normal
    assert out["p_loss"]["value"] == pytest.approx(np.mean(npv < 0))
    lo, hi = out["p_loss"]["ci95"]
    assert lo < 0.159 < hi  # P(N(1000, 1000) < 0)
    lo, hi = out["cvar10"]["ci95"]
    assert lo < out["cvar10"]["value"] < hi and lo < true_cvar < hi
    assert out["worst_month_cash"]["p5"] == pytest.approx(np.quantile(npv + 5000, 0.05))
    assert risk_measures(npv, None, seed=7, name="a")["cvar10"] == out["cvar10"]  # same seed
    few = risk_measures(np.array([-1.0, 2.0, 3.0]), None, seed=1)
    assert few["cvar10"] == {"value": -1.0, "ci95": [None, None], "level": 0.10}


# --- portfolio choice under a budget, for every objective ---------------------------------


def frames() -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Four options; 'bold' has the best mean NPV but a fat left tail, 'safe' never loses.

    Budget: 'big' (the best at everything) costs too much and must never be recommended.
    """
    rng = np.random.default_rng(11)
    n = 200
    z = rng.standard_normal(n)
    npv = {
        "safe": 3000 + 300 * z,
        "bold": np.where(np.arange(n) % 4 == 0, -20_000.0, 15_000.0) + 100 * z,  # mean 6,250
        "mid": 4000 + 2000 * z,
        "big": 50_000 + 100 * z,
    }
    cash = {"safe": 5000.0, "bold": 1000.0, "mid": 12_000.0, "big": 90_000.0}
    upfront = {"safe": 1000.0, "bold": 2000.0, "mid": 2500.0, "big": 9000.0}
    p_goals = {"safe": 0.4, "bold": 0.5, "mid": 0.9, "big": 1.0}
    impact = {"safe": 0.3, "bold": 0.6, "mid": 0.5, "big": 0.9}
    rows = []
    for vid in npv:
        for r in range(n):
            rows.append(
                {
                    "variant": vid,
                    "replication": r,
                    "npv": npv[vid][r],
                    "worst_month_cash": cash[vid] + 100 * z[r],
                    "automation_upfront": upfront[vid],
                }
            )
    frame = pd.DataFrame(rows)
    entries = []
    for vid, rows_of in frame.groupby("variant", sort=False):
        entries.append(
            {
                "id": vid,
                "automations": [vid],
                "finance": {
                    "npv": {"mean": float(rows_of["npv"].mean())},
                    "risk": variant_risk(rows_of, seed=1, name=vid),
                },
                "impact_score": {"mean": impact[vid]},
                "key_goals": {"p_met": p_goals[vid]},
                "verdict": "aligned",
                "constraints": {"budget_upfront": {"fits": upfront[vid] <= 5000}},
            }
        )
    return frame, entries


@pytest.mark.parametrize(
    ("objective", "best"),
    [
        ("npv", "bold"),
        ("impact", "bold"),
        ("p_goals", "mid"),
        ("p_loss", "safe"),
        ("cvar", "safe"),
        ("worst_month_cash", "mid"),
    ],
)
def test_each_objective_finds_its_known_optimum_within_the_budget(
    objective: str, best: str
) -> None:
    frame, entries = frames()
    out = recommend(entries, frame, objective)
    assert out["objective"] == objective
    assert out["recommended"] == best
    assert OBJECTIVES[objective].label in out["reason"]
    by_id = {c["id"]: c for c in out["frontier"]}
    assert by_id["big"]["efficient"] and not by_id["big"]["fits"]  # best, but over budget
    assert all(c["value"] is not None for c in out["frontier"])


def test_a_risk_objective_can_disagree_with_mean_npv() -> None:
    frame, entries = frames()
    by_npv = recommend(entries, frame, "npv")
    by_cvar = recommend(entries, frame, "cvar")
    assert by_npv["recommended"] == "bold" and by_cvar["recommended"] == "safe"
    frontier = {c["id"]: c for c in by_cvar["frontier"]}
    assert frontier["bold"]["cvar10"] == pytest.approx(-20_000, abs=500)
    assert frontier["bold"]["p_loss"] == pytest.approx(0.25)
    assert not frontier["bold"]["efficient"]  # 'safe' is cheaper and has the better CVaR
    assert "lowest P(NPV < 0)" in recommend(entries, frame, "p_loss")["reason"]


def test_objectives_are_the_schema_choices_and_need_a_strategy_when_they_must() -> None:
    assert set(get_args(Strategy.model_fields["objective"].annotation)) == set(OBJECTIVES)
    assert resolve_objective(None, None) == "npv"
    assert resolve_objective("cvar", None) == "cvar"
    with pytest.raises(RunError, match="needs a strategy"):
        resolve_objective("p_goals", None)
    with pytest.raises(RunError, match="unknown objective"):
        resolve_objective("fun", None)


def test_key_goals_are_the_heaviest_and_must_hold_together() -> None:
    goals = tuple(
        Goal.model_validate({"id": gid, "kpi": "jobs_completed", "target": target, "weight": w})
        for gid, target, w in (("a", ">= 1", 3), ("b", ">= 2", 3), ("c", ">= 9", 1))
    )
    strategy = Strategy(goals=goals)
    assert [g.id for g in key_goals(strategy)] == ["a", "b"]
    n = 4
    frame = pd.DataFrame(
        {
            "variant": ["baseline"] * n + ["auto"] * n,
            "replication": list(range(n)) * 2,
            "jobs_completed": [0, 1, 2, 0, 2, 1, 3, 2],  # baseline, then auto: a and b in 3 of 4
            "roi": [np.nan] * n + [0.3] * n,
            "payback_months": [np.nan] * n + [5.0] * n,
            "automation_upfront": [0.0] * n + [100.0] * n,
            "min_cash_balance": [1.0] * 2 * n,
        }
    )
    out = evaluate_strategy(strategy, frame, [("baseline", False), ("auto", True)])
    assert out["baseline"]["key_goals"]["p_met"] == 0.25
    assert out["auto"]["key_goals"]["p_met"] == 0.75
    assert out["auto"]["key_goals"]["delta_vs_baseline"] == 0.5
    assert out["auto"]["key_goals"]["goals"] == ["a", "b"]


# --- through the simulation --------------------------------------------------------------


def test_worst_month_cash_is_kept_without_daily_cash(tiny_dict: dict) -> None:
    tiny_dict["horizon"] = "45 day"
    scenario = scenario_from_dict(tiny_dict)
    full = run_experiment(scenario, 3, seed=5, executor="serial")
    lean = run_experiment(scenario, 3, seed=5, executor="serial", keep_cash=False)
    assert lean.cash.empty
    pd.testing.assert_frame_equal(full.replications, lean.replications)
    cash = full.cash
    month_end = cash[cash["date"].dt.is_month_end | (cash["day"] == cash["day"].max())]
    expected = month_end.groupby(["variant", "replication"], sort=False)["balance"].min()
    got = full.replications.set_index(["variant", "replication"])["worst_month_cash"]
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False)
    risk = lean.summary()["variants"][1]["finance"]["risk"]
    assert set(risk) == {"p_loss", "cvar10", "worst_month_cash"}
    assert risk == full.summary()["variants"][1]["finance"]["risk"]


def test_cli_objective_overrides_the_scenario(tmp_path: Path, tiny_dict: dict) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict), encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(path), "-n", "3", "--seed", "1", "-q", "--executor", "serial"]
    assert main([*args, "--no-plots", "--out", str(out), "--objective", "cvar"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["portfolio"]["objective"] == "cvar"
    assert "cvar10" in summary["portfolio"]["frontier"][0]
    assert main([*args, "--out", str(tmp_path / "x"), "--objective", "p_goals"]) == 2
