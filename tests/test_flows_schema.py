"""Bad operations sections get one located message each: the file, the line, the path, the rule."""

from __future__ import annotations

import pytest

from autosim import scenario_from_text
from autosim.errors import ScenarioError

CAFE = """\
name: counter
horizon: 30 day
calendar:
  hours: {daily: "07:00-17:00"}
operations:
  resources:
    - id: baristas
      count: 2
      wage_per_hour: 16
  flows:
    - id: walkins
      arrivals:
        rate_per_day: 200
      revenue: 7
      patience: {dist: exponential, mean: 6 min}
      steps:
        - id: order
          serve: {pool: baristas, time: 1 min, queue_limit: 8}
        - id: split
          branch: [{to: make, p: 0.7}, {to: done, p: 0.3}]
        - id: make
          serve: {pool: baristas, time: 2 min, renege: false}
        - id: check
          rework: {to: make, p: 0.05}
        - id: done
          leave: {}
automations:
  - id: hire
    effects:
      operations.resources.baristas.count: 3
"""


def problem(old: str, new: str, text: str = CAFE) -> str:
    """The message for the cafe with ``old`` replaced by ``new`` (which must then be refused)."""
    assert old in text, old
    with pytest.raises(ScenarioError) as err:
        scenario_from_text(text.replace(old, new), source="cafe.yaml")
    return str(err.value)


def line_of(fragment: str, text: str = CAFE) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_the_cafe_is_valid_and_needs_no_field_crew() -> None:
    scenario = scenario_from_text(CAFE, source="cafe.yaml")
    assert not scenario.has_field_crew
    flow = scenario.operations.flows[0]
    assert flow.segment == "walkins"
    assert [s.kind for s in flow.steps] == ["serve", "branch", "serve", "rework", "leave"]


@pytest.mark.parametrize(
    ("old", "new", "path", "rule"),
    [
        (
            "{pool: baristas, time: 1 min",
            "{pool: barista, time: 1 min",
            "operations.flows[0].steps[0].serve.pool",
            "unknown pool 'barista'; did you mean 'baristas'?",
        ),
        (
            "{to: make, p: 0.7}",
            "{to: mkae, p: 0.7}",
            "operations.flows[0].steps[1].branch[0].to",
            "unknown step 'mkae'; did you mean 'make'?",
        ),
        (
            "rework: {to: make,",
            "rework: {to: brew,",
            "operations.flows[0].steps[3].rework.to",
            "unknown step 'brew'",
        ),
        (
            "rework: {to: make,",
            "rework: {to: done,",
            "operations.flows[0].steps[3].rework.to",
            "rework goes back to this step or an earlier one",
        ),
        (
            "{to: make, p: 0.7}, {to: done, p: 0.3}",
            "{to: order, p: 0.7}, {to: done, p: 0.3}",
            "operations.flows[0].steps[1].branch[0].to",
            "a branch goes forward",
        ),
    ],
)
def test_names_are_checked_and_located(old: str, new: str, path: str, rule: str) -> None:
    message = problem(old, new)
    assert f"cafe.yaml: line {line_of(old)}" in message, message
    assert f"{path}: {rule}" in message, message


@pytest.mark.parametrize(
    ("old", "new", "path", "rule"),
    [
        (
            "{to: done, p: 0.3}",
            "{to: done, p: 0.2}",
            "operations.flows[0].steps[1].branch",
            "branch probabilities must sum to 1 (they sum to 0.9)",
        ),
        (
            "{to: make, p: 0.05}",
            "{to: make, p: 1}",
            "operations.flows[0].steps[3].rework.p",
            "a rework loop with probability 1 never ends",
        ),
        (
            "queue_limit: 8",
            "queue_limit: -1",
            "operations.flows[0].steps[0].serve.queue_limit",
            "Input should be greater than or equal to 0 (got -1)",
        ),
        (
            "        - id: check\n          rework: {to: make, p: 0.05}\n",
            "        - id: check\n          rework: {to: make, p: 0.05}\n          delay: 1 min\n",
            "operations.flows[0].steps[3]",
            "a step is exactly one of serve, delay, branch, rework, leave (found delay, rework)",
        ),
    ],
)
def test_bad_steps_are_located(old: str, new: str, path: str, rule: str) -> None:
    message = problem(old, new)
    assert "cafe.yaml: line " in message, message
    assert f"{path}: {rule}" in message, message


def test_a_flow_with_no_steps() -> None:
    start = CAFE.index("      steps:")
    end = CAFE.index("automations:")
    message = problem(CAFE[start:end], "      steps: []\n")
    assert f"cafe.yaml: line {line_of('      steps:')}" in message, message
    assert "operations.flows[0].steps: a flow needs at least one step" in message


def test_a_schedule_outside_the_horizon() -> None:
    old = "        rate_per_day: 200\n"
    new = (
        "        schedule:\n"
        "          - {at: '07:00', quantity: 20, days: weekdays}\n"
        "          - {at: '12:00', quantity: 5, start: 40 day}\n"
    )
    message = problem(old, new)
    assert "cafe.yaml: line 15" in message, message  # the second entry
    assert (
        "operations.flows[0].arrivals.schedule[1].start: the schedule starts on day 40" in message
    )
    assert "after the horizon ends (day 30)" in message


def test_schedule_and_rate_are_either_or() -> None:
    message = problem(
        "        rate_per_day: 200\n", "        rate_per_day: 200\n        schedule: []\n"
    )
    assert "operations.flows[0].arrivals: give either rate_per_day" in message


def test_effects_on_operations_are_checked() -> None:
    old = "      operations.resources.baristas.count: 3"
    message = problem(old, "      operations.resources.barista.count: 3")
    assert f"cafe.yaml: line {line_of(old)}" in message, message
    assert "unknown pool 'barista'; did you mean 'baristas'?" in message
    message = problem(old, "      operations.flows.walkins.steps.split.serve.time: 30 s")
    assert "step 'split' is a branch step, so it has no serve.time" in message
    message = problem(old, "      operations.resources.baristas.size: 3")
    assert "is not an operations parameter an automation can change" in message
    message = problem(old, "      operations.resources.baristas.count: -1")
    assert "operations.resources.baristas.count: Input should be greater than or equal to 0" in (
        message
    )
    branch = (
        "      operations.flows.walkins.steps.split.branch: "
        + "[{to: make, p: 0.5}, {to: done, p: 0.4}]"
    )
    assert "branch probabilities must sum to 1" in problem(old, branch)


def test_effects_on_operations_need_the_section() -> None:
    text = CAFE[: CAFE.index("operations:")] + CAFE[CAFE.index("automations:") :]
    text = text.replace("name: counter\n", "name: counter\n" + _FIELD_CREW)
    message = problem("count: 3", "count: 3", text)
    assert "changes operations, but the scenario has no 'operations' section" in message


_FIELD_CREW = """\
dispatch:
  technicians: {count: 1}
  job_types: [{id: job, rate_per_day: 1, service_time: 1 h}]
"""


def test_goal_filters_know_flows_pools_and_steps() -> None:
    goals = (
        "strategy:\n  goals:\n"
        "    - {id: fast, kpi: flow_lost, filter: {flow: walkin}, target: '<= 9'}\n"
        "    - {id: busy, kpi: pool_utilization, filter: {pool: baristas}, target: '<= 0.9'}\n"
        "    - {id: quick, kpi: step_wait_mean_min, filter: {step: walkins.make}, target: '<= 2'}\n"
    )
    message = problem("automations:", goals + "automations:")
    assert f"cafe.yaml: line {line_of('automations:') + 2}" in message, message  # the goal
    assert (
        "strategy.goals[0].all[0].filter.flow: unknown flow 'walkin'; did you mean 'walkins'?"
        in (message)
    )
    assert "goals[1]" not in message and "goals[2]" not in message
    message = problem(
        "automations:",
        "strategy:\n  goals:\n    - {id: x, kpi: pool_utilization, filter: {flow: walkins}, "
        "target: '<= 0.9'}\nautomations:",
    )
    assert "cannot be broken down by 'flow' (allowed: pool)" in message


def test_the_readme_cafe_is_a_valid_scenario() -> None:
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### A café built from scratch") :]
    block = section[section.index("```yaml\n") + 8 : section.index("```\n", 8)]
    scenario = scenario_from_text(block, source="README.md")
    assert not scenario.has_field_crew
    assert [a.id for a in scenario.automations] == ["self_order_kiosk", "second_barista"]
