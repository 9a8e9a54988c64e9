"""A business built from operations blocks runs like any other: ledger, goals, verdicts, report.

The café of ``scenarios/cafe_counter.yaml`` (a till, an espresso bar, walk-ins with a morning
rush, a queue limit and patience) with its two candidates: a self-order kiosk (an automation
that moves adopters' ordering to screens) and a second barista at the bar (a hire).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from autosim import run_experiment, scenario_from_dict
from autosim.cli import main
from autosim.experiment.streams import Streams
from autosim.model.flows import run_operations
from autosim.model.flows.plan import plan_operations
from autosim.model.timetable import DAY, Timetable

from .conftest import SCENARIOS

CAFE = SCENARIOS / "cafe_counter.yaml"


def cafe_dict() -> dict[str, Any]:
    return yaml.safe_load(CAFE.read_text(encoding="utf-8"))


def cafe(**changes: Any):
    """The café with top-level changes (a shorter horizon, fixed inputs...)."""
    data = cafe_dict()
    data.update(changes)
    return scenario_from_dict(data, source=str(CAFE))


def fixed(data: dict[str, Any]) -> dict[str, Any]:
    """The café with its uncertain inputs fixed at their modes (exact money checks)."""
    data = copy.deepcopy(data)
    data["operations"]["flows"][0]["arrivals"]["rate_per_day"] = 250
    kiosk = data["automations"][0]
    kiosk["costs"]["upfront"] = 2500
    kiosk["adoption"]["level"] = 0.4
    return data


def test_the_cafe_end_to_end_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["-n", "8", "--seed", "1", "--executor", "serial", "--out", str(out), "-q"]
    code = main(["run", str(CAFE), *args])
    assert code in (0, None)
    summary = json.loads((out / "summary.json").read_text())
    verdicts = {v["id"]: v["verdict"] for v in summary["variants"] if v["automations"]}
    # the kiosk shortens the line guests feel (the till); another barista at the bar does not
    # touch it and costs a wage: the verdicts come out of the simulation
    assert verdicts == {"self_order_kiosk": "aligned", "second_barista": "detrimental"}
    reps = pd.read_parquet(out / "replications.parquet")
    assert {"flow_within_target_share[flow=walkins]", "pool_utilization[pool=bar]"} <= set(reps)
    assert "jobs_completed" not in reps  # no field crew, no field-crew KPIs
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "order taken within 4 minutes" in report


def test_counter_money_reaches_the_ledger() -> None:
    sc = scenario_from_dict(fixed(cafe_dict()) | {"horizon": "60 day", "warmup": "0 day"})
    results = run_experiment(sc, 2, seed=3, executor="serial")
    reps = results.replications.set_index(["variant", "replication"]).sort_index()
    cash = results.cash.groupby(["variant", "replication"]).sum(numeric_only=True)
    # counter sales are cash at completion: collections = revenue; pay = the pools' wages
    np.testing.assert_allclose(cash["collections"], reps["revenue_horizon"])
    np.testing.assert_allclose(reps["collections"], reps["revenue_horizon"])
    np.testing.assert_allclose(-cash["wages"], reps["pool_wages"])
    np.testing.assert_allclose(reps["wages"], reps["pool_wages"])
    months = 2 + 1  # fixed costs on day 0 and on the first of each later month
    expected = (
        reps["revenue_horizon"] - reps["pool_wages"] - 18000 * months - reps["automation_cost"]
    )
    np.testing.assert_allclose(reps["net_cash_flow"], expected)
    np.testing.assert_allclose(reps["profit"], reps["net_cash_flow"])
    base = reps.xs("baseline")
    # the baseline's pay is every unit's shift hours at its wage (no overtime at this counter)
    shift = Timetable.weekly(sc.operations.resources[0].shift, sc.calendar.start_date, 60)
    hours = shift.open_minutes_per_day(60).sum() / 60
    np.testing.assert_allclose(base["pool_wages"], hours * (16 + 17))


def test_a_hire_is_paid_from_its_go_live() -> None:
    sc = scenario_from_dict(fixed(cafe_dict()) | {"horizon": "60 day"})
    live = 21 * DAY
    base, hired = (run_operations(sc, ids, Streams(4, 0)) for ids in ((), ("second_barista",)))
    assert hired.plan.pools.counts[1] == ((0.0, 1), (live, 2))
    shift = hired.plan.pools.shifts[1]
    extra_hours = float(shift.open_minutes_before(60 * DAY) - shift.open_minutes_before(live)) / 60
    extra = hired.kpis["pool_wages[pool=bar]"] - base.kpis["pool_wages[pool=bar]"]
    assert extra == pytest.approx(17 * extra_hours)
    assert hired.kpis["pool_wages[pool=till]"] == base.kpis["pool_wages[pool=till]"]
    # same guests; the bar's queue is shorter once the second barista is there
    assert hired.kpis["flow_arrivals"] == base.kpis["flow_arrivals"]
    assert (
        hired.kpis["step_wait_mean_min[step=walkins.bar]"]
        < base.kpis["step_wait_mean_min[step=walkins.bar]"]
    )


def test_the_kiosk_is_used_per_guest_with_its_adoption_and_charged_per_use() -> None:
    data = fixed(cafe_dict()) | {"horizon": "120 day"}
    kiosk = data["automations"][0]
    kiosk["costs"]["per_transaction"] = 0.25
    sc = scenario_from_dict(data)
    plan = plan_operations(sc, ("self_order_kiosk",), Streams(5, 0))
    work = plan.work
    order = work.step == 0
    at_kiosk = work.pool[order] == plan.pools.ids.index("kiosk")
    arrival = work.arrival[work.item[order]]
    live = 14 * DAY
    ramped = arrival >= live + 60 * DAY
    assert not at_kiosk[arrival < live].any()  # nobody before go-live
    assert at_kiosk[ramped].mean() == pytest.approx(0.4, abs=0.02)  # the adoption level
    np.testing.assert_array_equal(at_kiosk, plan.uses[0][work.item[order]])
    out = run_operations(sc, ("self_order_kiosk",), Streams(5, 0))
    assert out.fees.sum() == pytest.approx(0.25 * plan.uses[0].sum())


def test_goals_can_read_flow_kpis_over_a_period() -> None:
    data = fixed(cafe_dict()) | {"horizon": "60 day"}
    data["strategy"]["goals"].append(
        {
            "id": "quiet_month",
            "kpi": "flow_lost",
            "filter": {"flow": "walkins"},
            "target": "<= 50",
            "period": "last 30 day",
        }
    )
    results = run_experiment(scenario_from_dict(data), 2, seed=6, executor="serial")
    reps = results.replications
    assert "flow_lost[flow=walkins]@last30d" in reps
    assert (reps["flow_lost[flow=walkins]@last30d"] <= reps["flow_lost[flow=walkins]"]).all()
    assert "pool_utilization[pool=till]@last30d" in reps


def test_a_shift_change_and_a_smaller_pool_hold_from_go_live() -> None:
    data = fixed(cafe_dict()) | {"horizon": "28 day"}
    data["automations"].append(
        {
            "id": "later_till",
            "costs": {"implementation": "14 day"},
            "effects": {
                "operations.resources.till.shift": {"daily": "09:00-17:00"},
                "operations.resources.bar.count": 0,
            },
        }
    )
    sc = scenario_from_dict(data)
    base, later = (run_operations(sc, ids, Streams(7, 0)) for ids in ((), ("later_till",)))
    live = 14 * DAY
    till = later.plan.pools.shifts[0]
    opens = till.opens[(till.opens >= live) & (till.opens < 28 * DAY)]
    assert set((opens % DAY) / 60) == {9.0}  # every day from go-live opens at 09:00
    assert (base.plan.pools.shifts[0].opens[:14] == till.opens[:14]).all()
    assert later.plan.pools.counts[1] == ((0.0, 1), (live, 0))
    # nobody makes espresso after go-live: those guests are still waiting at the horizon
    work, rec = later.plan.work, later.record
    bar = work.step == 2
    assert not (rec.start[bar] >= live).any()
    assert later.kpis["pool_wages[pool=bar]"] < base.kpis["pool_wages[pool=bar]"]
    assert later.kpis["flow_completed"] < base.kpis["flow_completed"]


def test_a_schedule_brings_exact_batches() -> None:
    data = fixed(cafe_dict()) | {"horizon": "14 day", "warmup": "0 day"}
    data["operations"]["flows"][0]["arrivals"] = {
        "schedule": [
            {"at": "07:30", "quantity": 12, "days": "weekdays"},
            {"at": "12:00", "quantity": 5, "days": ["sat", "sun"], "start": "7 day"},
        ]
    }
    out = run_operations(scenario_from_dict(data), (), Streams(8, 0))
    arrival = out.plan.work.arrival
    minute = arrival % DAY
    assert set(minute) == {450.0, 720.0}
    assert (minute == 450.0).sum() == 12 * 10  # two weeks of weekdays from Monday
    assert (minute == 720.0).sum() == 5 * 2  # the second weekend only
    assert out.kpis["flow_arrivals"] == 130


def test_an_absurd_rate_is_refused_before_it_runs() -> None:
    from autosim.errors import RunError

    data = fixed(cafe_dict())
    data["operations"]["flows"][0]["arrivals"]["rate_per_day"] = 40_000
    with pytest.raises(RunError, match="items through the operations"):
        run_operations(scenario_from_dict(data), (), Streams(9, 0))


def test_field_service_and_operations_side_by_side() -> None:
    from .conftest import TINY

    data = copy.deepcopy(TINY)
    data["operations"] = {
        "resources": [{"id": "counter", "count": 1, "wage_per_hour": 15}],
        "flows": [
            {
                "id": "parts_sales",
                "arrivals": {"rate_per_day": 30},
                "revenue": 20,
                "steps": [{"id": "sell", "serve": {"pool": "counter", "time": "3 min"}}],
            }
        ],
    }
    data["automations"].append(
        {"id": "counter_hire", "effects": {"operations.resources.counter.count": 2}}
    )
    sc = scenario_from_dict(data)
    assert sc.has_field_crew
    results = run_experiment(sc, 2, seed=10, executor="serial")
    reps = results.replications.set_index(["variant", "replication"]).sort_index()
    assert reps["jobs_completed"].gt(0).all() and reps["flow_completed"].gt(0).all()
    # the counter hire changes the counter only: the field jobs are exactly the baseline's
    base, hire = reps.xs("baseline"), reps.xs("counter_hire")
    np.testing.assert_array_equal(base["jobs_completed"], hire["jobs_completed"])
    np.testing.assert_array_equal(base["revenue"], hire["revenue"])
    assert (hire["pool_wages"] > base["pool_wages"]).all()
    assert (reps["wages"] > reps["pool_wages"]).all()  # technicians and the counter
    # the automation that changes dispatch still charges per call, the hire nothing per item
    assert (reps.xs("auto")["automation_cost"] > 0).all()
    np.testing.assert_array_equal(hire["automation_cost"], 0.0)
