"""Tests for the stock room in the whole business.

autosim.model.inventory.stock and the inventory schema.

The engine itself is tested in test_inventory.py; here we check what the integration adds: the
scenario section and its errors, job part needs drawn with common random numbers, supply trips
and return visits on a hand-checkable timeline, the money, adoption of an inventory system, and
that scenarios without inventory are untouched. Runs are short (weeks, a few replications).
"""

from __future__ import annotations

import copy
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autosim import ScenarioError, run_experiment, scenario_from_dict
from autosim.experiment.replication import CASH_FLOWS, run_replication
from autosim.experiment.streams import Streams
from autosim.experiment.variants import Variant
from autosim.model import business
from autosim.model.demand import Jobs, U
from autosim.model.inventory.arrays import JOB
from autosim.model.inventory.policy import demand_based_points, switch_day
from autosim.model.inventory.stock import StockOutcome, run_stock
from autosim.scenario.yamlsource import load_yaml_file

from .conftest import SCENARIOS

LEATHER = SCENARIOS / "leather_goods_ecommerce.yaml"
DAY = 1440.0


def leather_dict(horizon: str = "150 day") -> dict[str, Any]:
    """The leather-goods scenario as a dict, with a shorter horizon for speed."""
    data, _ = load_yaml_file(LEATHER)
    data = copy.deepcopy(data)
    data["horizon"] = horizon
    return data


def with_inventory(tiny_dict: dict[str, Any]) -> dict[str, Any]:
    """The tiny scenario with three items: van parts (trip / return visit) and one sold online."""
    d = copy.deepcopy(tiny_dict)
    d["inventory"] = {
        "sync_every": "1 day",
        "oversell_cost": 15,
        "payment_terms": "10 day",
        "items": [
            {
                "id": "fitting",
                "unit_cost": 6,
                "initial_on_hand": 12,
                "lead_time": {
                    "dist": "triangular",
                    "low": "1 day",
                    "mode": "2 day",
                    "high": "3 day",
                },
                "policy": {"kind": "periodic", "review_every": "7 day", "order_up_to": 12},
                "count_error_sd": 2,
            },
            {
                "id": "kit",
                "unit_cost": 45,
                "initial_on_hand": 1,
                "lead_time": "3 day",
                "policy": {"kind": "none", "order_quantity": 2, "notice_delay": "1 day"},
                "job_shortage": "return_visit",
            },
            {
                "id": "wallet",
                "unit_cost": 30,
                "price": 85,
                "initial_on_hand": 4,
                "lead_time": "4 day",
                "policy": {"kind": "ss", "reorder_point": 1, "order_up_to": 5},
                "orders_per_day": 1.5,
            },
        ],
    }
    jobs = d["dispatch"]["job_types"]
    jobs[0]["parts"] = [
        {"item": "fitting", "prob": 0.6, "quantity": {"dist": "discrete", "values": [1, 2, 3]}},
        {"item": "kit", "prob": 0.3},
        {"item": "wallet", "prob": 0.2},
    ]
    jobs[1]["parts"] = [{"item": "fitting", "prob": 0.4}]
    return d


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple, StockOutcome]]:
    """Every run_stock call (arguments and outcome) made by the business model in-process."""
    calls: list[tuple[tuple, StockOutcome]] = []

    def spy(*args: Any, **kwargs: Any) -> StockOutcome:
        out = run_stock(*args, **kwargs)
        calls.append((args, out))
        return out

    monkeypatch.setattr(business, "run_stock", spy)
    return calls


# --------------------------------------------------------------------------- whole pipeline


def test_stock_is_conserved_per_item_in_every_replication(tiny_dict, captured) -> None:
    scenarios = [scenario_from_dict(with_inventory(tiny_dict)), scenario_from_dict(leather_dict())]
    for scenario in scenarios:
        run_experiment(scenario, 3, seed=2, executor="serial")
    assert len(captured) == 3 * (2 + 3)  # replications x variants
    for _, out in captured:
        res, demand = out.result, out.demand
        assert np.array_equal(
            out.initial_on_hand + res.received_units - res.consumed_units - res.sold_units,
            res.final_on_hand,
        )
        wanted = np.bincount(demand.item, demand.quantity, minlength=res.final_on_hand.size)
        accounted = (
            res.consumed_units
            + res.sold_units
            + res.lost_units
            + res.oversold_units
            + res.final_backorders
        )
        assert np.array_equal(wanted.astype(int), accounted)


def test_inventory_system_removes_oversells_in_every_replication(captured) -> None:
    scenario = scenario_from_dict(leather_dict("150 day"), base_dir=SCENARIOS)
    auto = scenario.automation("inventory_system")
    adopted = (float(auto.costs.implementation) + float(auto.adoption.ramp)) / DAY
    results = run_experiment(scenario, 4, seed=1, executor="serial")
    reps = results.replications
    base = reps[reps.variant == "baseline"].set_index("replication")
    inv = reps[reps.variant == "inventory_system"].set_index("replication")
    assert (inv["oversells@last90d"] == 0).all()
    assert (inv["oversells"] <= base["oversells"]).all()  # paired, replication by replication
    assert base["oversells"].sum() > 2 * inv["oversells"].sum()
    for args, out in captured:
        if any(a.id == "inventory_system" for a in args[4]):
            oversold_at = out.demand.time[out.result.oversold]
            assert np.all(oversold_at < adopted), "an oversell after full adoption"


def test_cash_tied_up_in_stock_is_reported_and_reconciles(tiny_dict, captured) -> None:
    results = run_experiment(scenario_from_dict(leather_dict()), 2, seed=3, executor="serial")
    summary = results.summary()
    for variant in summary["variants"]:
        assert math.isfinite(variant["kpis"]["cash_in_stock"]["mean"])
    reps = results.replications.set_index(["variant", "replication"])["cash_in_stock"]
    assert reps["inventory_system"].to_numpy() != pytest.approx(reps["baseline"].to_numpy())
    for _, out in captured:  # paid on delivery: cash in stock = average stock at cost
        cost = np.array([28, 45, 110, 220, 60, 380], float)
        assert out.kpis["cash_in_stock"] == pytest.approx((cost @ out.result.daily_on_hand).mean())
    assert set(CASH_FLOWS) >= {"online_sales", "refunds", "purchases"}
    cash = results.cash.groupby(["variant", "replication"])[["purchases", "online_sales"]].sum()
    assert (cash["purchases"] < 0).all()
    assert (cash["online_sales"] > 0).all()


def test_same_job_needs_the_same_parts_in_every_variant(tiny_dict, captured) -> None:
    scenario = scenario_from_dict(with_inventory(tiny_dict))
    run_replication(scenario, [business_variant("baseline"), business_variant("auto")], 7, 0)
    needs: list[dict[int, list[tuple[int, int]]]] = []
    arrivals: list[np.ndarray] = []
    for args, out in captured:
        rows = args[2]
        per_job: dict[int, list[tuple[int, int]]] = defaultdict(list)
        assert out.short_job.size == rows.size  # one entry per job that happened
        for e in np.flatnonzero(out.demand.source == JOB):
            per_job[int(rows[out.job_of_event[e]])].append(
                (int(out.demand.item[e]), int(out.demand.quantity[e]))
            )
        needs.append(per_job)
        arrivals.append(args[3])
    base, auto = needs
    common = set(base) & set(auto)
    assert len(common) > 20
    assert all(sorted(base[r]) == sorted(auto[r]) for r in common)
    assert not np.array_equal(arrivals[0][:20], arrivals[1][:20])  # different timing, same needs


def business_variant(name: str) -> Variant:
    """The baseline, or one automation alone."""
    return Variant(name, () if name == "baseline" else (name,))


# --------------------------------------------------------------------------- hand-checked paths


def hand_scenario(rule: str) -> Any:
    """One item, one unit on the shelf; a job type that always needs one; a 10-day horizon."""
    return scenario_from_dict(
        {
            "name": "hand",
            "horizon": "10 day",
            "dispatch": {
                "technicians": {"count": 1},
                "job_types": [
                    {
                        "id": "fix",
                        "rate_per_day": 1,
                        "service_time": "30 min",
                        "parts": [{"item": "kit", "prob": 1}],
                    }
                ],
            },
            "inventory": {
                "supply_trip_time": "45 min",
                "return_visit_delay": "1 day",
                "return_visit_time": "60 min",
                "items": [
                    {
                        "id": "kit",
                        "unit_cost": 40,
                        "order_cost": 5,
                        "initial_on_hand": 1,
                        "lead_time": "2 day",
                        "policy": {"kind": "none", "order_quantity": 1},
                        "job_shortage": rule,
                    }
                ],
            },
        }
    )


def hand_run(rule: str) -> tuple[StockOutcome, np.ndarray]:
    """Jobs reached at day 0.5, 1.5 and 5.5; each finishes 30 minutes after arrival."""
    arrive = np.array([0.5, 1.5, 5.5]) * DAY
    n = arrive.size
    jobs = Jobs(
        arrive - 60, np.zeros(n, int), np.zeros(n), np.zeros(n), np.full((n, U.N), 0.5),
        np.zeros(n, bool), np.full(n, -1),
    )  # fmt: skip
    out = run_stock(hand_scenario(rule), jobs, np.arange(n), arrive, (), Streams(1, 0))
    return out, out.completion(arrive + 30, 10 * DAY)


def test_supply_trip_by_hand() -> None:
    out, done = hand_run("supply_trip")
    # Job 0 takes the only kit. Job 1 finds the bin empty: the plumber drives to the supply
    # house (45 min, kit bought there at $40); the stock room orders one (day 1.5, in day 3.5).
    # Job 2 (day 5.5) takes that one.
    assert out.supply_trip.tolist() == [False, True, False]
    assert out.return_visit.tolist() == [False, False, False]
    assert out.extra_minutes.tolist() == [0, 45, 0]
    assert done.tolist() == pytest.approx(np.array([0.5, 1.5, 5.5]) * DAY + [30, 75, 30])
    purchases = out.flows["purchases"]
    assert purchases[1] == -40 and purchases[3] == -45 and purchases.sum() == -85
    assert out.kpis["supply_trips"] == 1 and out.kpis["return_visits"] == 0
    assert out.kpis["fill_rate"] == pytest.approx(2 / 3)
    assert out.result.final_on_hand.tolist() == [0]
    assert out.accrual_adjustment == pytest.approx(85 - (2 * 40 + 40 + 5))
    # one stockout, in the cycle up to the delivery at day 3.5; the cycle after it has none;
    # a supply trip owes nothing, so no backorders and no delay for the parts handed over
    assert out.kpis["stockout_events"] == 1
    assert out.kpis["stockout_cycles"] == 1 and out.kpis["stockout_cycle_share"] == 0.5
    assert out.kpis["backorders_mean"] == 0 and out.kpis["backorder_delay_mean_days"] == 0


def test_return_visit_by_hand() -> None:
    out, done = hand_run("return_visit")
    # Job 1 waits for the kit ordered at day 1.5 (in at day 3.5): the plumber comes back then
    # (later than the one-day minimum) and spends 60 minutes. Job 2 (day 5.5) finds the bin empty
    # again: ordered at 5.5, in at 7.5, second visit then.
    assert out.return_visit.tolist() == [False, True, True]
    assert out.supply_trip.tolist() == [False, False, False]
    assert out.extra_minutes.tolist() == [0, 60, 60]
    assert done.tolist() == pytest.approx([0.5 * DAY + 30, 3.5 * DAY + 60, 7.5 * DAY + 60])
    assert out.kpis["return_visits"] == 2
    assert out.result.consumed_units.tolist() == [3]
    # one kit owed from day 1.5 to 3.5 and one from 5.5 to 7.5: 4 unit-days over 10 days; the
    # three requests waited 0, 2 and 2 days
    assert out.kpis["backorders_mean"] == pytest.approx(0.4)
    assert out.kpis["backorders_mean[item=kit]"] == pytest.approx(0.4)
    assert out.kpis["backorder_delay_mean_days"] == pytest.approx(4 / 3)
    # the delivery at 3.5 goes straight to job 1, leaving the bin empty: one episode (no
    # delivery restocked the shelf in between), but two of the three replenishment cycles
    # (0-3.5, 3.5-7.5, 7.5-10) had a request the shelf could not fill
    assert out.kpis["stockout_events"] == 1
    assert out.kpis["stockout_cycles[item=kit]"] == 2
    assert out.kpis["stockout_cycle_share"] == pytest.approx(2 / 3)


def test_return_visit_not_before_the_minimum_delay_and_never_without_the_part() -> None:
    out, _ = hand_run("return_visit")
    arrive = np.array([0.5, 1.5, 5.5]) * DAY
    late = out.completion(arrive + 30, 10 * DAY)
    assert np.all(late[out.return_visit] >= arrive[out.return_visit] + DAY)
    shorter = out.completion(arrive + 30, 7 * DAY)  # job 2's part arrives after the horizon
    assert math.isnan(shorter[2])


# --------------------------------------------------------------------------- no inventory


def test_scenario_without_inventory_has_no_stock_columns_and_zero_stock_cash(tiny) -> None:
    result = run_replication(tiny, [business_variant("baseline")], 3, 0)
    assert "fill_rate" not in result.rows[0]
    for name in ("online_sales", "refunds", "purchases"):
        assert not result.cash[0, CASH_FLOWS.index(name)].any()


def test_an_unused_stock_room_changes_nothing_else(tiny, tiny_dict) -> None:
    d = copy.deepcopy(tiny_dict)
    d["inventory"] = {
        "items": [
            {
                "id": "spare",
                "unit_cost": 10,
                "initial_on_hand": 5,
                "lead_time": "1 day",
                "policy": {"kind": "ss", "reorder_point": 1, "order_up_to": 5},
            }
        ]
    }
    variants = [business_variant("baseline"), business_variant("auto")]
    plain = run_replication(tiny, variants, 9, 1)
    stocked = run_replication(scenario_from_dict(d), variants, 9, 1)
    for a, b in zip(plain.rows, stocked.rows, strict=True):
        shared = {k: v for k, v in a.items() if k in b}
        assert shared == pytest.approx({k: b[k] for k in shared}, nan_ok=True)
        assert shared.keys() == a.keys()
    assert np.array_equal(plain.cash, stocked.cash)


# --------------------------------------------------------------------------- schema and errors


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    return str(info.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["dispatch"]["job_types"][1]["parts"].append({"item": "gizmo"}),
            "unknown item",
        ),
        (
            lambda d: d["inventory"]["items"][2]["policy"].update(reorder_point=5),
            r"reorder_point \(s = 5\) must be below order_up_to \(S = 5\)",
        ),
        (
            lambda d: d["inventory"]["items"][0]["policy"].pop("order_up_to"),
            "policy 'periodic' needs order_up_to",
        ),
        (
            lambda d: d["inventory"]["items"][2]["policy"].update(review_every="7 day"),
            "policy 'ss' does not use review_every",
        ),
        (lambda d: d["inventory"]["items"].append(d["inventory"]["items"][0]), "must be unique"),
        (lambda d: d.pop("inventory"), "parts need an 'inventory' section"),
        (
            lambda d: d["inventory"]["items"][1].update(initial_on_hand=-1),
            "initial_on_hand",
        ),
        (
            lambda d: d["inventory"].update(review="continuous"),
            "needs policy.reorder_point and policy.order_up_to on item\\(s\\) fitting, kit",
        ),
        (
            lambda d: d["automations"][0]["effects"].update({"inventory.sync_every": "1 h"}),
            "can make the stock figure real time",
        ),
        (
            lambda d: d["inventory"]["items"][0].update(job_shortage="wait"),
            "supply_trip",
        ),
        # every policy is strict: a setting its kind does not use is an error at that setting
        (
            lambda d: d["inventory"]["items"][2].update(
                policy={"kind": "base_stock", "order_up_to": 5, "reorder_point": 2}
            ),
            r"policy\.reorder_point: policy 'base_stock' does not use reorder_point",
        ),
        (
            lambda d: d["inventory"]["items"][2]["policy"].update(order_quantity=3),
            "policy 'ss' does not use order_quantity",
        ),
        (
            lambda d: d["inventory"]["items"][2].update(policy={"kind": "never", "order_up_to": 3}),
            "policy 'never' does not use order_up_to",
        ),
        (
            lambda d: d["inventory"]["items"][2].update(
                policy={
                    "kind": "rq",
                    "reorder_point": 1,
                    "order_quantity": 4,
                    "notice_delay": "1 day",
                }
            ),
            "policy 'rq' does not use notice_delay",
        ),
        (
            lambda d: d["inventory"]["items"][0]["policy"].update(order_quantity=4),
            "policy 'periodic' takes order_up_to .* or order_quantity .*, not both",
        ),
        (
            lambda d: d["inventory"]["items"][0]["policy"].update(
                order_up_to=None, order_quantity=4
            ),
            "policy 'periodic' needs reorder_point",
        ),
        (
            lambda d: d["inventory"]["items"][1]["policy"].update(reorder_point=0, order_up_to=2),
            r"items\[1\]\.policy\.reorder_point: .*used only under continuous review",
        ),
        (
            lambda d: d["inventory"]["items"][1]["policy"].update(reorder_point=0),
            "policy 'none' needs reorder_point and order_up_to together",
        ),
        (
            lambda d: d["inventory"]["items"][2].update(count_error_sd=1),
            r"items\[2\]\.count_error_sd: count_error_sd is only used by periodic counts",
        ),
    ],
)
def test_bad_inventory_sections_are_clear_scenario_errors(tiny_dict, edit, message) -> None:
    d = with_inventory(tiny_dict)
    edit(d)
    assert re.search(message, error_of(d))


def test_inventory_effects_need_an_inventory_section(tiny_dict) -> None:
    tiny_dict["automations"][0]["effects"]["inventory.review"] = "continuous"
    assert "has no 'inventory' section" in error_of(tiny_dict)


def test_goals_can_filter_by_item_and_name_unknown_items(tiny_dict) -> None:
    d = with_inventory(tiny_dict)
    goal = {"id": "g", "kpi": "fill_rate", "filter": {"item": "wallet"}, "target": ">= 0.9"}
    d["strategy"] = {"goals": [goal]}
    scenario = scenario_from_dict(d)
    assert scenario.strategy.goals[0].all[0].column() == "fill_rate[item=wallet]"
    goal["filter"] = {"item": "walet"}
    assert "did you mean 'wallet'" in error_of(d)


def test_a_periodic_item_honours_its_reorder_point(tiny_dict, captured) -> None:
    # The fittings are counted weekly. With s = -1 and supply trips (lost sales) the position
    # never falls to s: nothing is ever ordered. Without s, every count tops the bin up to S.
    d = with_inventory(tiny_dict)
    d["horizon"] = "56 day"
    fitting = d["inventory"]["items"][0]
    fitting["policy"]["reorder_point"] = -1
    run_replication(scenario_from_dict(d), [business_variant("baseline")], 4, 0)
    del fitting["policy"]["reorder_point"]
    run_replication(scenario_from_dict(d), [business_variant("baseline")], 4, 0)
    with_s, without_s = (out.result for _, out in captured)
    assert with_s.orders_placed[0] == 0
    assert without_s.orders_placed[0] >= 4
    # (R, s, nQ): lots of Q at the counts only, as many as lift the position above s
    fitting["policy"].update(order_up_to=None, order_quantity=5, reorder_point=8)
    del fitting["policy"]["order_up_to"]
    run_replication(scenario_from_dict(d), [business_variant("baseline")], 4, 0)
    lots = captured[-1][1].result
    mine = lots.order_item == 0
    assert mine.sum() >= 2
    assert np.all(lots.order_quantity[mine] % 5 == 0) and np.all(lots.order_time[mine] % 7 == 0)


# --------------------------------------------------------------------------- adoption and policy


def test_switch_day_is_when_adoption_first_reaches_half(tiny_dict) -> None:
    d = with_inventory(tiny_dict)
    d["inventory"]["items"][0]["policy"]["reorder_point"] = 4
    d["inventory"]["items"][1]["policy"].update(reorder_point=0, order_up_to=2)
    d["automations"].append(
        {
            "id": "ims",
            "costs": {"implementation": "5 day"},
            "adoption": {"level": 0.8, "ramp": "8 day"},
            "effects": {"inventory.review": "continuous", "inventory.count_accuracy": "exact"},
        }
    )
    scenario = scenario_from_dict(d)
    autos = [scenario.automation("ims")]
    assert switch_day(scenario.inventory, autos, "inventory.review") == pytest.approx(10.0)
    assert switch_day(scenario.inventory, autos, "inventory.reorder_points") == math.inf
    assert switch_day(scenario.inventory, [], "inventory.review") == math.inf


def test_continuous_review_takes_over_after_the_switch(tiny_dict, captured) -> None:
    d = with_inventory(tiny_dict)
    d["horizon"] = "56 day"
    d["inventory"]["items"][0]["policy"]["reorder_point"] = 4
    d["inventory"]["items"][1]["policy"].update(reorder_point=0, order_up_to=2)
    effects = {"inventory.review": "continuous"}
    d["automations"] = [{"id": "ims", "costs": {"implementation": "14 day"}, "effects": effects}]
    variants = [business_variant("baseline"), business_variant("ims")]
    run_replication(scenario_from_dict(d), variants, 4, 0)
    base, ims = (out.result for _, out in captured)
    fittings = base.order_item == 0
    assert np.all(base.order_time[fittings] % 7 == 0)  # periodic: orders only at Monday counts
    after = (ims.order_item == 0) & (ims.order_time >= 14)
    assert np.any(ims.order_time[after] % 7 != 0)  # continuous: whenever s is reached
    # Until the switch, nothing differs: same customers, same supplier, same policy.
    early_base, early_ims = base.order_time < 14, ims.order_time < 14
    assert np.array_equal(ims.order_time[early_ims], base.order_time[early_base])


def test_demand_based_points_match_the_normal_approximation(tiny_dict) -> None:
    d = with_inventory(tiny_dict)
    d["dispatch"]["job_types"][0]["parts"] = []
    d["dispatch"]["job_types"][1]["parts"] = []
    wallet = d["inventory"]["items"][2]
    wallet.update(orders_per_day=2, lead_time="5 day", order_cost=0)
    scenario = scenario_from_dict(d)
    s, big_s = demand_based_points(scenario, 2)
    assert s == math.ceil(10 + 1.6448536 * math.sqrt(10))  # Poisson: mean = variance = 2 x 5
    assert big_s == s + 1  # no ordering cost: order one at a time
    wallet["order_cost"] = 20  # EOQ = sqrt(2 x 730 x 20 / (0.25 x 30)) = 62.4
    assert demand_based_points(scenario_from_dict(d), 2)[1] == s + 62


def test_shipped_scenarios_with_inventory_load(tmp_path: Path) -> None:
    from autosim import load_scenario

    for path in (LEATHER, SCENARIOS / "plumbing_residential_emergency.yaml"):
        scenario = load_scenario(path)
        assert scenario.inventory is not None
        assert any(jt.parts for jt in scenario.dispatch.job_types)
