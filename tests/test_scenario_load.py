"""Loading scenarios: the shipped files validate; every mistake gets a located, readable message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from autosim import ScenarioError, load_scenario, scenario_from_dict
from autosim.scenario.fields import Uncertain
from autosim.scenario.resolve import resolve, uncertain_inputs

from .conftest import FLAGSHIP, SCENARIOS


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.n_days >= 1


def test_flagship_has_the_contracted_automations() -> None:
    scenario = load_scenario(FLAGSHIP)
    assert {"auto_dispatch", "generic_crm"} <= {a.id for a in scenario.automations}
    assert scenario.dispatch.technicians.count == 6


def test_units_are_converted_to_minutes(tiny) -> None:
    assert tiny.horizon == 28 * 1440
    assert tiny.dispatch.job_types[0].response_target == 60.0
    assert tiny.dispatch.job_types[0].service_time.mean == pytest.approx(60.0)


def test_uncertain_inputs_are_found_and_resolved(tiny) -> None:
    found = uncertain_inputs(tiny)
    assert list(found) == ["automations.auto.adoption.level"]
    assert isinstance(found["automations.auto.adoption.level"], Uncertain)
    resolved = resolve(tiny, {"automations.auto.adoption.level": 0.7})
    assert resolved.automations[0].adoption.level == 0.7
    assert uncertain_inputs(resolved) == {}
    assert isinstance(tiny.automations[0].adoption.level, Uncertain)  # the input is untouched


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "broken.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, data: dict | str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, data))
    return str(info.value)


def test_misspelt_key_names_line_and_suggests(tmp_path: Path, tiny_dict: dict) -> None:
    tiny_dict["dispatch"]["tecnicians"] = tiny_dict["dispatch"].pop("technicians")
    message = error_of(tmp_path, tiny_dict)
    assert "broken.yaml" in message
    assert "dispatch.tecnicians" in message
    assert "did you mean 'technicians'" in message
    assert "missing required field 'technicians'" in message
    assert "line " in message


def test_all_problems_are_reported_together(tmp_path: Path, tiny_dict: dict) -> None:
    tiny_dict["dispatch"]["technicians"]["count"] = 0
    tiny_dict["dispatch"]["job_types"][0]["rate_per_day"] = -2
    tiny_dict["finance"]["discount_rate"] = 1.5
    message = error_of(tmp_path, tiny_dict)
    assert "3 problems" in message
    assert "dispatch.technicians.count" in message
    assert "dispatch.job_types[0].rate_per_day: must be >= 0 (got -2)" in message
    assert "finance.discount_rate: must be between 0 and 1 (got 1.5)" in message


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(horizon=365), "a duration needs a unit"),
        (lambda d: d.update(horizon="1 fortnight"), "unknown duration unit"),
        (
            lambda d: d["dispatch"]["job_types"][0].update(service_time={"dist": "lognormla"}),
            "did you mean 'lognormal'",
        ),
        (
            lambda d: d["dispatch"]["job_types"][0].update(
                revenue={"dist": "normal", "mean": 300, "sd": 100}
            ),
            "can take values below 0",
        ),
        (
            lambda d: d["automations"][0]["effects"].update({"dispatch.polcy": "nearest_idle"}),
            "did you mean 'dispatch.policy'",
        ),
        (
            lambda d: d["automations"][0]["effects"].update({"dispatch.policy": "fastest"}),
            "dispatch.policy: Input should be 'first_available', 'nearest_idle' or 'manual'",
        ),
        (
            lambda d: d["automations"][0].update(applies_to={"segments": ["hme"]}),
            "unknown segment 'hme'; did you mean 'home'?",
        ),
        (
            lambda d: d["automations"][0]["adoption"].update(
                level={"uncertain": {"dist": "normal", "mean": 0.8, "sd": 0.1}}
            ),
            "choose a distribution whose range fits",
        ),
        (lambda d: d["dispatch"]["technicians"].update(on_call=5), "on_call (5) cannot exceed"),
        (lambda d: d.update(warmup="30 day"), "warmup must be shorter than the horizon"),
        (lambda d: d["dispatch"].update(job_types=[]), "at least 1 item"),
        (lambda d: d.update(calendar={"hours": {"mon": "17:00-08:00"}}), "after"),
        (lambda d: d.update(calendar={"hours": {"monday": "08:00-17:00"}}), "unknown day"),
        (lambda d: d["dispatch"].update(technicians=5), "expected a mapping of fields"),
    ],
)
def test_bad_fields_get_clear_messages(
    tmp_path: Path,
    tiny_dict: dict,
    mutate,
    fragment: str,
) -> None:
    mutate(tiny_dict)
    assert fragment in error_of(tmp_path, tiny_dict)


def test_line_number_points_at_the_field(tmp_path: Path) -> None:
    text = FLAGSHIP.read_text(encoding="utf-8").replace("count: 6", "count: -6")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "count: -6" in t)
    assert f"line {line}," in error_of(tmp_path, text)


def test_dict_api_raises_the_same_error(tiny_dict: dict) -> None:
    tiny_dict["dispatch"]["policy"] = "psychic"
    with pytest.raises(ScenarioError, match=r"dispatch\.policy"):
        scenario_from_dict(tiny_dict)


def test_a_value_quoted_by_its_message_is_not_repeated(tmp_path: Path, tiny_dict: dict) -> None:
    tiny_dict["finance"]["fixed_monthly_costs"] = "30min"
    message = error_of(tmp_path, tiny_dict)
    assert "finance.fixed_monthly_costs: cannot read '30min' as money" in message
    assert message.count("30min") == 1


@pytest.mark.parametrize(("horizon", "days"), [("1 year", 365), ("6 month", 183), ("2 years", 730)])
def test_horizons_in_months_and_years_round_to_whole_days(
    tiny_dict: dict, horizon: str, days: int
) -> None:
    tiny_dict["horizon"] = horizon
    assert scenario_from_dict(tiny_dict).n_days == days


def test_a_horizon_between_days_is_refused_at_its_line(tmp_path: Path, tiny_dict: dict) -> None:
    tiny_dict["horizon"] = "36 h"
    message = error_of(tmp_path, tiny_dict)
    assert "line 2" in message and "horizon: horizon must be a whole number of days" in message


def test_an_unknown_goal_kpi_points_where_it_was_written_and_suggests_a_filter(
    tmp_path: Path, tiny_dict: dict
) -> None:
    tiny_dict["strategy"] = {
        "goals": [{"id": "contracts", "kpi": "contract_revenue", "target": "+15%"}]
    }
    message = error_of(tmp_path, tiny_dict)
    assert "strategy.goals[0].kpi: unknown KPI 'contract_revenue'" in message
    assert "all[0]" not in message
    assert "write kpi: revenue, filter: {segment: contract}" in message
    tiny_dict["strategy"]["goals"][0]["kpi"] = "revenu"  # a plain misspelling
    assert "did you mean 'revenue'?" in error_of(tmp_path, tiny_dict)
