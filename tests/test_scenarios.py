"""Every shipped scenario runs, and gives the verdicts its strategy is about.

The verdicts are checked at 40 replications with seed 1 in ``make test`` (min_effect 0.10: 40
replications are usually enough to call an automation whose goals never move "misaligned"); their
stability across seeds 2 and 3, and the 200-replication seed-1 check, are marked slow and run
by ``make test-all`` (``pytest -m slow``).

The scenarios' uncertain inputs are grounded on public ranges (docs/realism.md), so not every
answer is clear-cut: the flagship's mobile invoicing closes part of the gap to its DSO target
without reaching it ("partly aligned", checked at 200 replications below).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autosim import Variant, load_scenario, run_experiment

from .conftest import SCENARIOS

EXPECTED = {
    "plumbing_residential_emergency": {
        "auto_dispatch": {"aligned"},
        "mobile_invoicing": {"aligned"},
        "generic_crm": {"misaligned"},
    },
    "plumbing_commercial_expansion": {
        "residential_crm": {"misaligned"},
        "contract_scheduling": {"aligned"},
    },
    "boutique_fitness_studio": {
        "ai_coach_app": {"detrimental", "misaligned"},
        "backoffice_billing": {"aligned"},
    },
    "leather_goods_ecommerce": {
        "inventory_system": {"aligned"},
        "chatbot": {"detrimental", "misaligned"},
    },
    "cafe_counter": {
        "self_order_kiosk": {"aligned"},
        "second_barista": {"detrimental", "misaligned"},
    },
}
STABILITY_REPLICATIONS = 40
#: Verdicts also allowed at 40 replications only (the 200-replication check keeps EXPECTED).
#: The commercial baseline meets its 2-hour SLA in ~12% of replications, so a residential CRM
#: that nudges technicians' load moves P(SLA met) by a few points either way: 40 replications
#: cannot always bound that change within the 10 points that count; 200 can (misaligned).
ALSO_AT_40 = {
    "plumbing_commercial_expansion": {"residential_crm": {"inconclusive"}},
}


def verdicts(path: Path, replications: int, seed: int, executor: str = "serial") -> dict:
    """Each automation's verdict; bundles and roadmaps are left out (not judged here)."""
    scenario = load_scenario(path)
    singles = [Variant("baseline")] + [Variant(a.id, (a.id,)) for a in scenario.automations]
    results = run_experiment(scenario, replications, seed, executor=executor, variants=singles)
    return {v["id"]: v["verdict"] for v in results.summary()["variants"] if v["automations"]}


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scenario_runs(path: Path) -> None:
    scenario = load_scenario(path)
    short = scenario.model_copy(update={"horizon": 60 * 1440.0, "warmup": 0.0})
    results = run_experiment(short, 2, seed=1, executor="serial")
    expected = 1 + len(scenario.automations) + len(scenario.bundles) + len(scenario.roadmaps)
    assert len(results.replications) == 2 * expected


NAMES = [name for name in EXPECTED if (SCENARIOS / f"{name}.yaml").exists()]
CASES = [
    pytest.param(name, seed, id=f"{name}-seed{seed}", marks=[pytest.mark.slow] if seed > 1 else [])
    for name in NAMES
    for seed in (1, 2, 3)
]


@pytest.mark.parametrize(("name", "seed"), CASES)
def test_verdicts_are_the_strategy_s_and_stable_across_seeds(name: str, seed: int) -> None:
    got = verdicts(SCENARIOS / f"{name}.yaml", STABILITY_REPLICATIONS, seed)
    for automation, allowed in EXPECTED[name].items():
        also = ALSO_AT_40.get(name, {}).get(automation, set())
        assert got[automation] in allowed | also, (automation, got)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_verdicts_at_200_replications_seed_1(name: str) -> None:
    got = verdicts(SCENARIOS / f"{name}.yaml", 200, 1, executor="processes")
    for automation, allowed in EXPECTED[name].items():
        assert got[automation] in allowed, (automation, got)


@pytest.mark.slow
def test_mobile_invoicing_is_partly_aligned_at_200_replications_seed_1() -> None:
    """The README's precision-on-demand example: DSO falls, the 15-day target stays out of reach.

    Card payment on site is grounded on public ranges (docs/realism.md), not on the vendor's
    "DSO in days": mobile invoicing closes part of the gap to DSO <= 15 but rarely reaches it.
    """
    scenario = load_scenario(SCENARIOS / "plumbing_residential_emergency.yaml")
    pair = [Variant("baseline"), Variant("mobile_invoicing", ("mobile_invoicing",))]
    results = run_experiment(scenario, 200, 1, executor="serial", variants=pair)
    mobile = next(v for v in results.summary()["variants"] if v["id"] == "mobile_invoicing")
    partly = mobile["verdict"] == "aligned" and "partly aligned" in mobile["explanation"]
    assert partly or mobile["verdict"] == "inconclusive", mobile["explanation"]
    fast_cash = mobile["goals"]["fast_cash"]
    assert fast_cash["p_met"] < 0.5  # the target stays out of reach in most replications
    assert fast_cash["progress"]["ci95"][0] > 0  # ...but DSO moves toward it
