"""Roadmaps (phased go-live plans) and the suggested order of purchase."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from autosim import ScenarioError, load_scenario, run_experiment, scenario_from_dict
from autosim.decide.roadmap import MONTH_DAYS, breach_summary, roadmap_lines, suggested_order
from autosim.experiment.streams import Streams
from autosim.experiment.variants import Variant, default_variants
from autosim.model.automation import automated_paths
from autosim.model.demand import generate_jobs
from autosim.model.timetable import DAY
from autosim.scenario.resolve import resolve
from autosim.units import parse_duration

STRATEGY: dict[str, Any] = {
    "goals": [{"id": "busy", "kpi": "jobs_completed", "target": ">= 0"}],
    "constraints": {"budget_upfront": 10, "min_cash_balance": 0},
}


def with_second_automation(data: dict[str, Any]) -> dict[str, Any]:
    data["automations"].append(
        {
            "id": "faster",
            "costs": {"upfront": 400, "monthly": 50, "implementation": "2 day"},
            "adoption": {"level": 0.8, "ramp": "3 day"},
            "effects": {"dispatch.service_time_factor": 0.8},
        }
    )
    return data


def test_month_is_an_average_gregorian_month() -> None:
    assert parse_duration("1 month") == pytest.approx(30.4375 * DAY)
    assert parse_duration("12 months") == pytest.approx(365.25 * DAY)
    assert parse_duration("2 mo") == pytest.approx(2 * MONTH_DAYS * DAY)


def test_a_later_phase_goes_live_after_its_start_plus_implementation(tiny_dict) -> None:
    tiny_dict["automations"][0]["costs"]["implementation"] = "2 day"
    tiny_dict["automations"][0]["adoption"] = {"level": 1.0}
    tiny_dict["roadmaps"] = [
        {"id": "later", "phases": [{"start": "10 day", "automations": ["auto"]}]}
    ]
    scenario = scenario_from_dict(tiny_dict)
    roadmap = scenario.roadmaps[0]
    assert roadmap.automations == ("auto",) and roadmap.starts == (10 * DAY,)
    streams = Streams(7, 0)
    resolved = resolve(scenario, {})
    jobs = generate_jobs(resolved, streams)
    paths = automated_paths(resolved, jobs, roadmap.automations, streams, roadmap.starts)
    automated = paths.masks[0]
    assert not automated[jobs.call < 12 * DAY].any(), "no automated job before go-live"
    assert automated[jobs.call >= 12 * DAY].all(), "adoption level 1, no ramp: every call"
    on_day_0 = automated_paths(resolved, jobs, ("auto",), streams).masks[0]
    assert on_day_0[jobs.call >= 2 * DAY].all()


def test_up_front_cost_lands_on_the_phase_start_day(tiny_dict) -> None:
    tiny_dict["automations"][0]["costs"]["implementation"] = "2 day"
    tiny_dict["roadmaps"] = [
        {"id": "later", "phases": [{"start": "10 day", "automations": ["auto"]}]}
    ]
    scenario = scenario_from_dict(tiny_dict)
    results = run_experiment(scenario, 2, seed=3, executor="serial")
    assert [v.id for v in results.variants] == ["baseline", "auto", "later"]
    cash = results.cash[results.cash["variant"] == "later"]
    for _, rows in cash.groupby("replication"):
        flow = rows.sort_values("day")["automation"].to_numpy()
        assert (flow[:10] == 0).all(), "nothing is paid before the purchase"
        assert flow[10] == pytest.approx(-(1000 + 100)), "up-front and the first month's fee"
        assert (flow[11:12] == 0).all(), "no per-transaction fees before go-live (day 12)"
        assert flow[12:].sum() < 0, "per-transaction fees once live"
    upfront = results.replications.set_index("variant").loc["later", "automation_upfront"]
    assert (upfront == 1000).all()


def test_one_phase_at_day_0_equals_the_bundle(tiny_dict) -> None:
    data = with_second_automation(tiny_dict)
    data["bundles"] = [{"id": "both", "automations": ["auto", "faster"]}]
    data["roadmaps"] = [
        {"id": "both_now", "phases": [{"start": "0 month", "automations": ["auto", "faster"]}]}
    ]
    results = run_experiment(scenario_from_dict(data), 3, seed=11, executor="serial")
    reps = results.replications.set_index(["variant", "replication"])
    pd.testing.assert_frame_equal(reps.loc["both"], reps.loc["both_now"])
    cash = results.cash.drop(columns="variant")
    pd.testing.assert_frame_equal(
        cash[results.cash["variant"] == "both"].reset_index(drop=True),
        cash[results.cash["variant"] == "both_now"].reset_index(drop=True),
    )
    # A roadmap is not a bundle for the portfolio: no interaction, not among the options.
    summary = results.summary()
    entry = next(v for v in summary["variants"] if v["id"] == "both_now")
    assert "interaction" not in entry
    assert "both_now" not in {c["id"] for c in summary["portfolio"]["frontier"]}
    compared = summary["roadmap"]["roadmaps"][0]
    assert compared["versus_day_0"]["variant"] == "both"
    assert compared["versus_day_0"]["npv_difference"]["mean"] == 0


def test_a_plan_that_breaks_the_cash_floor_says_when(tiny_dict) -> None:
    data = with_second_automation(tiny_dict)
    data["horizon"] = "120 day"
    data["finance"] = {"opening_balance": 200_000, "fixed_monthly_costs": 1000}
    data["automations"][1]["costs"]["upfront"] = 250_000  # far more than the bank holds
    data["strategy"] = copy.deepcopy(STRATEGY)
    data["strategy"]["constraints"] = {"min_cash_balance": 0}
    data["roadmaps"] = [
        {
            "id": "stretch",
            "phases": [
                {"start": "0 day", "automations": ["auto"]},
                {"start": "2 month", "automations": ["faster"]},
            ],
        }
    ]
    results = run_experiment(scenario_from_dict(data), 3, seed=5, executor="serial")
    frame = results.replications.set_index("variant")
    purchase_day = int(2 * MONTH_DAYS)  # day 60: 2 months of 30.4375 days, floored
    assert (frame.loc["stretch", "cash_floor_day"] == purchase_day).all()
    assert frame.loc["auto", "cash_floor_day"].isna().all(), "one cheap tool keeps cash afloat"
    summary = results.summary()
    entry = next(v for v in summary["variants"] if v["id"] == "stretch")
    cash = entry["constraints"]["min_cash_balance"]
    assert not cash["fits"]
    assert cash["breach"]["n_breached"] == 3 and cash["breach"]["first_month_p50"] == 2
    assert "falls below the minimum balance of 0 in 3 of 3 replications" in entry["explanation"]
    assert "typically from month 2." in entry["explanation"]
    section = summary["roadmap"]
    assert section["best"] is None, "the only roadmap breaks a constraint"
    text = "\n".join(roadmap_lines(section, "USD"))
    assert "cash under the floor of 0 in 3 of 3 replications, typically from month 2" in text
    assert "(2027-03-05)" in text  # day 60 after Monday 2027-01-04
    assert section["roadmaps"][0]["cash_floor"]["breach"]["first_date_p50"] == "2027-03-05"


def test_breach_summary_counts_and_months() -> None:
    days = np.array([np.nan, 40.0, 100.0, np.nan])
    out = breach_summary(days)
    assert out["n_breached"] == 2 and out["share"] == 0.5
    assert out["first_day_p50"] == 40.0 and out["first_month_p50"] == 1
    assert out["earliest_month"] == 1
    assert breach_summary(np.full(3, np.nan))["first_month_p50"] is None


def entry(vid: str, impact: float | None, npv: float, verdict: str | None) -> dict[str, Any]:
    return {
        "id": vid,
        "automations": [vid],
        "impact_score": None if impact is None else {"mean": impact},
        "finance": {"npv": {"mean": npv}},
        "verdict": verdict,
    }


def costs_frame(costs: dict[str, float]) -> pd.DataFrame:
    rows = [
        {"variant": v, "replication": r, "automation_upfront": c}
        for v, c in costs.items()
        for r in range(2)
    ]
    return pd.DataFrame(rows)


def test_suggested_order_is_value_per_cost_within_the_budget(tiny_dict) -> None:
    tiny_dict["strategy"] = STRATEGY  # budget 10
    scenario = scenario_from_dict(tiny_dict)
    entries = [
        entry("a", 0.5, 100, "aligned"),  # 0.10 per unit of cost
        entry("b", 0.9, 50, "aligned"),  # 0.15
        entry("c", 0.2, 10, "inconclusive"),  # 0.20: best value for money, but not yet known
        entry("d", 0.8, 900, "detrimental"),  # harms a goal: never suggested
        entry("e", 0.01, 5, "misaligned"),  # moves no goal
        entry("f", 0.3, 5, "aligned"),  # 0.06, and still fits after c and b
    ]
    costs = {"a": 5, "b": 6, "c": 1, "d": 1, "e": 0.1, "f": 3}
    out = suggested_order(scenario, entries, costs_frame(costs))
    assert out["measure"] == "impact" and out["budget"] == 10
    assert [c["automation"] for c in out["order"]] == ["b", "f"]
    assert [c["cumulative_upfront"] for c in out["order"]] == [6, 9]
    reasons = {c["automation"]: c["reason"] for c in out["skipped"]}
    assert reasons["d"] == "detrimental" and reasons["e"] == "misaligned"
    assert reasons["c"] == "inconclusive"
    assert reasons["a"].startswith("over budget (cumulative up-front 11 > 10)")
    # the recommended purchase leads, whatever its value per cost; the rest follows
    led = suggested_order(scenario, entries, costs_frame(costs), recommended=("a",))
    assert [(c["automation"], c["recommended"]) for c in led["order"]] == [
        ("a", True),
        ("f", False),
    ]


def test_suggested_order_without_a_strategy_is_npv_per_cost(tiny) -> None:
    entries = [entry("a", None, 100, None), entry("b", None, 90, None), entry("c", None, -5, None)]
    out = suggested_order(tiny, entries, costs_frame({"a": 10, "b": 3, "c": 1}))
    assert out["measure"] == "npv" and out["budget"] is None
    assert [c["automation"] for c in out["order"]] == ["b", "a"]
    assert out["skipped"][0]["automation"] == "c"
    assert out["skipped"][0]["reason"].startswith("no expected gain")


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_roadmap_mistakes_are_reported_with_lines(tmp_path: Path, tiny_dict) -> None:
    data = with_second_automation(tiny_dict)
    data["bundles"] = [{"id": "both", "automations": ["auto", "faster"]}]
    data["roadmaps"] = [
        {
            "id": "plan",
            "phases": [
                {"start": "0 day", "automations": ["auto", "fastr"]},
                {"start": "2 month", "automations": ["auto"]},
            ],
        },
        {"id": "faster", "phases": [{"start": "1 day", "automations": ["faster"]}]},
        {"id": "both", "phases": [{"start": "1 day", "automations": ["faster"]}]},
    ]
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, data))
    problems = info.value.problems
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert "roadmaps[0].phases[0].automations: unknown automation 'fastr'; did you mean" in text
    assert "roadmaps[0].phases[1].start: starts at 8.7 week, at or after the end of" in text
    assert "roadmaps[0].phases[1].automations: 'auto' appears twice in this roadmap" in text
    assert "roadmaps[1].id: 'faster' is already an automation's id" in text
    assert "roadmaps[2].id: 'both' is already a bundle's id" in text
    assert all(p.startswith("line ") for p in problems), text


def test_roadmap_field_errors(tmp_path: Path, tiny_dict) -> None:
    tiny_dict["roadmaps"] = [
        {"id": "plan", "phases": [{"start": "3 fortnights", "automations": ["auto"]}]},
        {"id": "plan2", "phases": [{"start": "1 day", "automations": []}]},
        {"id": "baseline", "phases": [{"start": "1 day", "automations": ["auto"]}]},
    ]
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, tiny_dict))
    text = str(info.value)
    assert "roadmaps[0].phases[0].start: unknown duration unit 'fortnights'" in text
    assert "roadmaps[1].phases[0].automations" in text
    assert "'baseline' is not a valid roadmap id" in text
    tiny_dict["roadmaps"] = [
        {"id": "plan", "phases": [{"start": "1 day", "automations": ["auto"]}]},
        {"id": "plan", "phases": [{"start": "2 day", "automations": ["auto"]}]},
    ]
    with pytest.raises(ScenarioError, match="roadmap ids must be unique"):
        load_scenario(write(tmp_path, tiny_dict))


def test_roadmaps_come_after_every_bundle(tiny_dict) -> None:
    data = with_second_automation(tiny_dict)
    data["roadmaps"] = [
        {
            "id": "plan",
            "phases": [
                {"start": "7 day", "automations": ["faster"]},
                {"start": "0 day", "automations": ["auto"]},  # phases are bought by start
            ],
        }
    ]
    scenario = scenario_from_dict(data)
    variants = default_variants(scenario, all_bundles=True)
    assert variants[-2:] == [
        Variant("auto+faster", ("auto", "faster")),
        Variant("plan", ("auto", "faster"), (0.0, 7 * DAY)),
    ]


def test_the_report_names_a_roadmap_and_its_phases(tiny_dict) -> None:
    from autosim.present.report import report_files

    data = with_second_automation(tiny_dict)
    data["horizon"] = "14 day"
    data["roadmaps"] = [
        {
            "id": "auto_then_faster",
            "phases": [
                {"start": "0 day", "automations": ["auto"]},
                {"start": "7 day", "automations": ["faster"]},
            ],
        }
    ]
    results = run_experiment(scenario_from_dict(data), 2, seed=3, executor="serial")
    html = report_files(results)["report.html"].decode("utf-8")
    assert "Roadmap (phased purchase): day 0: auto; day 7: faster." in html
