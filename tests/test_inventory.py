"""Tests for the stock engine (autosim.model.inventory.engine, .policy, .arrays).

Theory, hand-worked timelines, conservation, stale stock, CRN.

Theory checks use independent replications (fixed seeds) rather than batch means inside one run:
the replications are independent by construction, so a Student-t 99% interval over them is
honest without choosing a batch size. Each replication starts at the policy's top level with
nothing on order; that start-up transient lasts about one lead time (or one cycle), under 0.3% of
the horizon, so its bias is far inside the intervals.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from autosim.model.inventory.arrays import JOB, ORDER, Demand, InventoryResult, Supply
from autosim.model.inventory.engine import simulate_inventory
from autosim.model.inventory.policy import Policy, StockItem, max_orders, n_reviews
from autosim.queueing import erlang_b, poisson_base_stock, poisson_rq

RATE = 2.0  # unit demands per day
LEAD = 3.0  # days
HORIZON = 2000.0
N_REPS = 20


# --------------------------------------------------------------------------- helpers


def poisson_demand(
    rng: np.random.Generator, rate: float, horizon: float, source: int = JOB
) -> Demand:
    """Unit Poisson demand for one item over ``[0, horizon)``."""
    n = int(rng.poisson(rate * horizon))
    time = np.sort(rng.uniform(0.0, horizon, n))
    return Demand(time, np.zeros(n, int), np.ones(n, int), np.full(n, source))


def measures(result: InventoryResult) -> np.ndarray:
    """(time-average on hand, unit fill rate, time-average backorders) of a one-item run."""
    fill_rate = result.filled_now.mean() if result.filled_now.size else 1.0
    return np.array(
        [result.time_avg_on_hand[0], fill_rate, result.time_avg_backorders[0]], dtype=float
    )


def replicate(item: StockItem, lead: float, seed: int, horizon: float = HORIZON) -> np.ndarray:
    """One row of :func:`measures` per independent replication."""
    rows = []
    for child in np.random.SeedSequence(seed).spawn(N_REPS):
        demand = poisson_demand(np.random.default_rng(child), RATE, horizon)
        rows.append(measures(simulate_inventory([item], demand, Supply([lead]), horizon)))
    return np.array(rows)


def assert_in_ci(samples: np.ndarray, expected: float, what: str) -> None:
    """``expected`` lies in the 99% Student-t interval of the mean of ``samples``."""
    mean = samples.mean()
    half = stats.t.ppf(0.995, samples.size - 1) * samples.std(ddof=1) / np.sqrt(samples.size)
    assert abs(mean - expected) <= half, f"{what}: {mean:.4f} +- {half:.4f} vs {expected:.4f}"


def check_invariants(
    items: list[StockItem], demand: Demand, res: InventoryResult, horizon: float
) -> None:
    """Everything that must hold exactly in any run."""
    n = len(items)
    initial = np.array([it.initial_on_hand for it in items])
    assert np.array_equal(
        initial + res.received_units - res.consumed_units - res.sold_units, res.final_on_hand
    )
    units = np.bincount(demand.item, weights=demand.quantity, minlength=n).astype(int)
    accounted = (
        res.consumed_units
        + res.sold_units
        + res.lost_units
        + res.oversold_units
        + res.final_backorders
    )
    assert np.array_equal(units, accounted)
    assert res.daily_on_hand.shape == (n, int(np.ceil(horizon)))
    assert res.daily_on_hand.min(initial=0) >= 0
    assert res.final_on_hand.min() >= 0
    assert res.final_backorders.min() >= 0
    # every event lands in exactly one category
    later = ~res.filled_now & ~np.isnan(res.fill_time)
    categories = np.stack([res.filled_now, later, res.lost, res.oversold, res.pending_])
    assert np.all(categories.sum(axis=0) == 1)
    assert np.all(res.fill_time[later] > demand.time[later] - 1e-12)
    assert np.array_equal(res.fill_time[res.filled_now], demand.time[res.filled_now])
    # first come, first served among the demands that waited
    for i in range(n):
        waited = later & (demand.item == i)
        assert np.all(np.diff(res.fill_time[waited]) >= 0)
    # the replenishment ledger agrees with the per-item totals
    assert np.array_equal(res.orders_placed, np.bincount(res.order_item, minlength=n))
    ordered = np.bincount(res.order_item, weights=res.order_quantity, minlength=n)
    assert np.array_equal(res.ordered_units, ordered.astype(int))
    arrived = ~np.isnan(res.order_received)
    received = np.bincount(
        res.order_item[arrived], weights=res.order_quantity[arrived], minlength=n
    )
    assert np.array_equal(res.received_units, received.astype(int))
    assert np.all(res.order_received[arrived] >= res.order_time[arrived])
    assert np.all(res.order_received[arrived] < horizon)
    assert np.all(res.time_avg_on_hand >= 0)
    assert np.all(res.time_avg_backorders >= 0)


# --------------------------------------------------------------------------- theory


def test_base_stock_matches_poisson_theory() -> None:
    s = 8
    theory = poisson_base_stock(s, RATE * LEAD)
    sim = replicate(StockItem(Policy.base_stock(s), s), LEAD, seed=11)
    assert_in_ci(sim[:, 0], theory["mean_on_hand"], "on hand")
    assert_in_ci(sim[:, 1], theory["fill_rate"], "fill rate")
    assert_in_ci(sim[:, 2], theory["mean_backorders"], "backorders")


def test_rq_matches_poisson_theory() -> None:
    r, q = 3, 5
    theory = poisson_rq(r, q, RATE * LEAD)
    sim = replicate(StockItem(Policy.rq(r, q), r + q), LEAD, seed=12)
    assert_in_ci(sim[:, 0], theory["mean_on_hand"], "on hand")
    assert_in_ci(sim[:, 1], theory["fill_rate"], "fill rate")
    assert_in_ci(sim[:, 2], theory["mean_backorders"], "backorders")


def test_lost_sales_base_stock_is_an_erlang_loss_system() -> None:
    # With lost sales, the S units are "servers" that each spend a lead time on order after a
    # sale: an M/G/S/S loss system, so the fill rate is exactly 1 - ErlangB(S, m) (insensitive to
    # the lead-time distribution). Lost demand never lowers the position, so stock sits higher
    # than under backorders and the fill rate beats the backorder formula P(D_L <= S - 1).
    s, m = 8, RATE * LEAD
    blocking = erlang_b(s, m)
    sim = replicate(StockItem(Policy.base_stock(s), s, job_shortage="lost"), LEAD, seed=13)
    assert_in_ci(sim[:, 1], 1.0 - blocking, "fill rate")
    assert_in_ci(sim[:, 0], s - m * (1.0 - blocking), "on hand")
    assert np.all(sim[:, 2] == 0.0)
    assert sim[:, 1].mean() > poisson_base_stock(s, m)["fill_rate"]


def periodic_theory(review: float, lead: float, s: int) -> tuple[float, float]:
    """(mean on hand, fill rate) of (T, S) with backorders, by brute-force averaging over a cycle.

    Net inventory at ``kT + L + tau`` is ``S - D`` with ``D ~ Poisson(rate (L + tau))``,
    ``tau`` uniform on ``[0, T)``: average the base-stock measures over ``tau`` (midpoint rule).
    """
    taus = (np.arange(400) + 0.5) / 400 * review
    rows = [poisson_base_stock(s, RATE * (lead + tau)) for tau in taus]
    return float(np.mean([r["mean_on_hand"] for r in rows])), float(
        np.mean([r["fill_rate"] for r in rows])
    )


def test_periodic_review_without_count_error_is_t_s() -> None:
    review, lead, s = 4.0, 2.0, 14
    on_hand, fill_rate = periodic_theory(review, lead, s)
    sim = replicate(StockItem(Policy.periodic(review, s), s), lead, seed=14)
    assert_in_ci(sim[:, 0], on_hand, "on hand")
    assert_in_ci(sim[:, 1], fill_rate, "fill rate")


def test_periodic_review_is_monotone_in_s_and_t() -> None:
    horizon = 400.0
    demand = poisson_demand(np.random.default_rng(15), RATE, horizon)

    def run(review: float, s: int) -> np.ndarray:
        item = StockItem(Policy.periodic(review, s), s)
        return measures(simulate_inventory([item], demand, Supply([2.0]), horizon))

    by_s = np.array([run(4.0, s) for s in (8, 12, 16)])
    assert np.all(np.diff(by_s[:, 0]) > 0)  # more stock on hand
    assert np.all(np.diff(by_s[:, 2]) < 0)  # fewer backorders
    # nested review times (8 | 4 | 2): the last count is never later, so stock is never higher
    by_t = np.array([run(t, 14) for t in (2.0, 4.0, 8.0)])
    assert np.all(np.diff(by_t[:, 0]) < 0)
    assert np.all(np.diff(by_t[:, 1]) < 0)
    assert np.all(np.diff(by_t[:, 2]) > 0)


def test_count_errors_make_things_worse() -> None:
    review, lead, s, horizon = 4.0, 2.0, 18, 500.0
    policy = Policy.periodic(review, s)
    diffs = []
    for child in np.random.SeedSequence(16).spawn(N_REPS):
        rng = np.random.default_rng(child)
        demand = poisson_demand(rng, RATE, horizon)
        errors = np.rint(rng.normal(0.0, 3.0, n_reviews(policy, horizon)))
        item = [StockItem(policy, s)]
        exact = simulate_inventory(item, demand, Supply([lead]), horizon)
        noisy = simulate_inventory(item, demand, Supply([lead], count_errors=[errors]), horizon)
        diffs.append(measures(noisy) - measures(exact))
    d = np.array(diffs)
    t_stat = d.mean(axis=0) / (d.std(axis=0, ddof=1) / np.sqrt(len(d)))
    assert t_stat[1] < -3  # lower fill rate
    assert t_stat[2] > 3  # more backorders
    assert d[:, 0].mean() > 0  # and no less stock (the count error is symmetric)


# --------------------------------------------------------------------------- hand-worked timelines


def test_base_stock_timeline_by_hand() -> None:
    demand = Demand([0.5, 0.6, 0.7], [0, 0, 0], [1, 1, 1], [JOB, JOB, JOB])
    res = simulate_inventory([StockItem(Policy.base_stock(2), 2)], demand, Supply([1.0]), 3.0)
    assert res.filled_now.tolist() == [True, True, False]
    assert res.fill_time.tolist() == pytest.approx([0.5, 0.6, 1.5])
    assert res.order_time.tolist() == pytest.approx([0.5, 0.6, 0.7])
    assert res.order_received.tolist() == pytest.approx([1.5, 1.6, 1.7])
    assert res.daily_on_hand.tolist() == [[0, 2, 2]]
    # on hand: 2 for 0.5 d, 1 for 0.1 d, 0 until 1.6, 1 for 0.1 d, 2 for 1.3 d
    assert res.time_avg_on_hand[0] == pytest.approx(3.8 / 3.0)
    assert res.time_avg_backorders[0] == pytest.approx(0.8 / 3.0)
    assert res.stockout_events.tolist() == [1]
    assert res.consumed_units.tolist() == [3]


def test_rq_orders_enough_multiples_of_q() -> None:
    demand = Demand([1.0], [0], [5], [JOB])
    res = simulate_inventory([StockItem(Policy.rq(2, 2), 3)], demand, Supply([1.0]), 5.0)
    # position 3 - 5 = -2 <= r = 2: three lots of 2 bring it to 4 > r
    assert res.order_quantity.tolist() == [6]
    assert res.fill_time.tolist() == pytest.approx([2.0])
    assert res.final_on_hand.tolist() == [4]


def test_ss_orders_up_to_s() -> None:
    demand = Demand([1.0, 2.0], [0, 0], [3, 2], [ORDER, ORDER])
    res = simulate_inventory([StockItem(Policy.ss(4, 10), 7)], demand, Supply([0.5]), 5.0)
    assert res.order_quantity.tolist() == [6]  # 7 - 3 = 4 <= s: order 10 - 4
    assert res.final_on_hand.tolist() == [8]
    assert res.sold_units.tolist() == [5]


def test_manual_reorder_after_noticing_delay() -> None:
    demand = Demand([1.0, 2.0, 2.2], [0, 0, 0], [1, 1, 1], [JOB] * 3)
    item = StockItem(Policy.manual(3, notice_delay=0.5), 1)
    res = simulate_inventory([item], demand, Supply([1.0]), 5.0)
    # the empty bin is found at 2.0, ordered at 2.5, delivered at 3.5; one order, not two
    assert res.order_time.tolist() == pytest.approx([2.5])
    assert res.order_quantity.tolist() == [3]
    assert res.fill_time.tolist() == pytest.approx([1.0, 3.5, 3.5])
    assert res.final_on_hand.tolist() == [1]
    assert res.stockout_events.tolist() == [1]


def test_manual_reorders_again_while_the_backlog_lasts() -> None:
    demand = Demand([1.0], [0], [3], [JOB])
    res = simulate_inventory([StockItem(Policy.manual(1), 0)], demand, Supply([1.0]), 6.0)
    # each delivery of one goes straight to the waiting job, so whoever unpacks it reorders
    assert res.order_time.tolist() == pytest.approx([1.0, 2.0, 3.0])
    assert res.fill_time.tolist() == pytest.approx([4.0])
    assert res.final_on_hand.tolist() == [0]


def test_periodic_s_S_orders_only_at_or_below_s() -> None:
    demand = Demand([1.0, 3.0], [0, 0], [2, 1], [JOB, JOB])
    res = simulate_inventory(
        [StockItem(Policy.periodic(2.0, 10, 4), 7)], demand, Supply([0.5]), 6.0
    )
    # counts at 0 (7 > s), 2 (5 > s) and 4 (4 <= s: order up to 10); without s, 3 orders
    assert res.order_time.tolist() == [4.0]
    assert res.order_quantity.tolist() == [6]
    topped = simulate_inventory(
        [StockItem(Policy.periodic(2.0, 10), 7)], demand, Supply([0.5]), 6.0
    )
    assert topped.order_quantity.tolist() == [3, 2, 1]


def test_periodic_s_nq_orders_enough_lots_at_the_count() -> None:
    demand = Demand([1.0], [0], [5], [JOB])
    res = simulate_inventory(
        [StockItem(Policy.periodic_rq(2.0, 2, 2), 3)], demand, Supply([0.5]), 4.0
    )
    # count at 0: 3 > s, nothing; at 2: position 3 - 5 = -2 <= s: three lots of 2 lift it to 4
    assert res.order_time.tolist() == [2.0]
    assert res.order_quantity.tolist() == [6]
    assert res.fill_time.tolist() == pytest.approx([2.5])
    assert res.final_on_hand.tolist() == [4]


def test_periodic_count_error_changes_the_order() -> None:
    demand = Demand([1.0], [0], [3], [JOB])
    policy = Policy.periodic(2.0, 5)
    exact = simulate_inventory([StockItem(policy, 5)], demand, Supply([0.5]), 4.0)
    assert exact.order_quantity.tolist() == [3]  # counted 2 at t = 2
    supply = Supply([0.5], count_errors=[np.array([0, 2])])
    noisy = simulate_inventory([StockItem(policy, 5)], demand, supply, 4.0)
    assert noisy.order_quantity.tolist() == [1]  # counted 4: the shelf stays short
    assert noisy.final_on_hand.tolist() == [3]


# --------------------------------------------------------------------------- conservation


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[StockItem], Demand, Supply, float, float | None]:
    """Small random shops: 1-3 items, any policy, mixed sources and shortage rules."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    horizon = float(draw(st.integers(1, 40))) + draw(st.sampled_from([0.0, 0.5]))
    n_items = draw(st.integers(1, 3))
    n = draw(st.integers(0, 60))
    time = np.sort(rng.uniform(0.0, horizon, n))
    demand = Demand(time, rng.integers(0, n_items, n), rng.integers(1, 4, n), rng.integers(0, 2, n))
    items, leads, errors, notices = [], [], [], []
    for i in range(n_items):
        kind = draw(st.sampled_from(["ss", "rq", "base_stock", "periodic", "none"]))
        s = draw(st.integers(-2, 6))
        policy = {
            "ss": lambda s=s: Policy.ss(s, max(s, 0) + draw(st.integers(1, 8))),
            "rq": lambda s=s: Policy.rq(s, draw(st.integers(1, 6))),
            "base_stock": lambda s=s: Policy.base_stock(max(s, 0)),
            "periodic": lambda s=s: Policy.periodic(
                draw(st.sampled_from([0.5, 1.0, 3.0, 7.0])), max(s, 0) + 2
            ),
            "none": lambda: Policy.manual(draw(st.integers(1, 8)), draw(st.sampled_from([0, 1]))),
        }[kind]()
        rules = st.sampled_from(["backorder", "lost"])
        items.append(StockItem(policy, draw(st.integers(0, 8)), draw(rules), draw(rules)))
        n_item = int(demand.quantity[demand.item == i].sum())
        fixed = draw(st.booleans())  # a fixed lead time, or one draw per order
        size = max_orders(policy, n_item, horizon)
        leads.append(float(rng.uniform(0.0, 5.0)) if fixed else rng.uniform(0.0, 5.0, size))
        errors.append(rng.integers(-3, 4, n_reviews(policy, horizon)))
        notices.append(rng.uniform(0.0, 2.0, size) if draw(st.booleans()) else None)
    sync = draw(st.sampled_from([None, 0.0, 0.5, 1.0, 3.0]))
    supply = Supply(leads, errors if draw(st.booleans()) else None, notices)
    return items, demand, supply, horizon, sync


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_conservation_and_bookkeeping(
    case: tuple[list[StockItem], Demand, Supply, float, float | None],
) -> None:
    items, demand, supply, horizon, sync = case
    res = simulate_inventory(items, demand, supply, horizon, sync_every=sync)
    check_invariants(items, demand, res, horizon)
    if not sync:
        assert res.oversold_units.sum() == 0
    both_lost = np.array([it.job_shortage == it.order_shortage == "lost" for it in items])
    assert np.all(res.final_backorders[both_lost] == 0)


# --------------------------------------------------------------------------- stale stock


def limited_edition(sync: float | None) -> tuple[list[StockItem], Demand, InventoryResult]:
    """5 pieces, never remade; online orders plus sales at the workshop the shop does not see."""
    rng = np.random.default_rng(21)
    n = 40
    time = np.sort(rng.uniform(0.0, 10.0, n))
    source = np.where(rng.random(n) < 0.5, ORDER, JOB)
    demand = Demand(time, np.zeros(n, int), np.ones(n, int), source)
    items = [StockItem(Policy.ss(-1, 0), 5, job_shortage="lost", order_shortage="lost")]
    return items, demand, simulate_inventory(items, demand, Supply([5.0]), 10.0, sync_every=sync)


def test_real_time_stock_never_oversells() -> None:
    items, demand, res = limited_edition(None)
    check_invariants(items, demand, res, 10.0)
    assert res.oversold_units.sum() == 0
    assert not res.oversold.any()
    orders = demand.source == ORDER
    assert res.sold_units[0] + int(res.lost[orders].sum()) == int(orders.sum())
    assert res.orders_placed.tolist() == [0]


def test_daily_sync_oversells_limited_edition() -> None:
    items, demand, res = limited_edition(1.0)
    check_invariants(items, demand, res, 10.0)
    assert res.oversold_units[0] > 0
    assert res.daily_on_hand.min() >= 0
    assert res.final_on_hand.tolist() == [0]
    orders = demand.source == ORDER
    lost_orders = int(demand.quantity[orders & res.lost].sum())
    total = res.oversold_units[0] + res.sold_units[0] + lost_orders
    assert total == int(demand.quantity[orders].sum())
    assert not (res.oversold & (demand.source == JOB)).any()


def test_sync_hides_deliveries_until_the_next_sync() -> None:
    # the unit ordered at t = 0 arrives at 0.5, but the shop shows 0 until the sync at t = 2:
    # the order at t = 1 is turned away although the shelf has the piece (an honest lost sale)
    demand = Demand([1.0, 2.5], [0, 0], [1, 1], [ORDER, ORDER])
    item = StockItem(Policy.base_stock(1), 0, order_shortage="lost")
    res = simulate_inventory([item], demand, Supply([0.5]), 3.0, sync_every=2.0)
    assert res.lost.tolist() == [True, False]
    assert res.filled_now.tolist() == [False, True]
    assert res.stockout_events.tolist() == [0]


# --------------------------------------------------------------------------- common random numbers


def fields_equal(a: InventoryResult, b: InventoryResult) -> bool:
    return all(
        np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True)
        if isinstance(getattr(a, f.name), np.ndarray)
        else getattr(a, f.name) == getattr(b, f.name)
        for f in dataclasses.fields(a)
    )


def test_same_inputs_same_outputs_whatever_ran_before() -> None:
    rng = np.random.default_rng(31)
    demand = poisson_demand(rng, RATE, 200.0)
    supply = Supply([rng.exponential(LEAD, 500)])
    frozen = demand.time.copy()
    base = [StockItem(Policy.ss(3, 10), 10)]
    other = [dataclasses.replace(base[0], policy=Policy.rq(2, 6))]
    first = simulate_inventory(base, demand, supply, 200.0)
    changed = simulate_inventory(other, demand, supply, 200.0)
    again = simulate_inventory(base, demand, supply, 200.0)
    assert fields_equal(first, again)
    assert not fields_equal(first, changed)
    assert np.array_equal(demand.time, frozen)
    with pytest.raises(ValueError, match="read-only"):
        demand.time[0] = 1.0


def test_common_random_numbers_shrink_the_noise_of_a_difference() -> None:
    horizon, lead = 300.0, 3.0
    low, high = StockItem(Policy.base_stock(6), 6), StockItem(Policy.base_stock(8), 8)
    paired, independent = [], []
    for child in np.random.SeedSequence(32).spawn(N_REPS):
        a, b = (np.random.default_rng(g) for g in child.spawn(2))
        demand_a, demand_b = poisson_demand(a, RATE, horizon), poisson_demand(b, RATE, horizon)
        fill = lambda item, d: simulate_inventory([item], d, Supply([lead]), horizon)  # noqa: E731
        paired.append(
            fill(high, demand_a).filled_now.mean() - fill(low, demand_a).filled_now.mean()
        )
        independent.append(
            fill(high, demand_a).filled_now.mean() - fill(low, demand_b).filled_now.mean()
        )
    assert np.var(paired) < 0.25 * np.var(independent)


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Policy.ss(5, 3), "s must be < S"),
        (lambda: Policy.ss(3, 3), "s must be < S"),
        (lambda: Policy.rq(2, 0), "Q must be >= 1"),
        (lambda: Policy.base_stock(-1), "S must be >= 0"),
        (lambda: Policy.periodic(0, 5), "T must be > 0"),
        (lambda: Policy.periodic(float("inf"), 5), "T must be > 0"),
        (lambda: Policy.manual(3, notice_delay=-1), "notice_delay must be >= 0"),
        (lambda: Policy.ss(1.5, 3), "must be an integer"),
        (lambda: Policy("weekly"), "policy kind must be one of"),
        (lambda: Policy("ss", reorder_point=1), "needs order_up_to"),
        (lambda: Policy("rq", 1, order_up_to=3, order_quantity=2), "does not take order_up_to"),
        (lambda: Policy("base_stock", 1, order_up_to=3), "does not take reorder_point"),
        (lambda: Policy("none", order_quantity=2, review_every=7.0), "does not take review_every"),
        (lambda: Policy.periodic(7.0, 5, 5), "s must be < S"),
        (
            lambda: Policy("periodic", order_up_to=5, order_quantity=2, review_every=7.0),
            "exactly one of order_up_to",
        ),
        (lambda: Policy("periodic", review_every=7.0), "exactly one of order_up_to"),
        (
            lambda: Policy("periodic", order_quantity=2, review_every=7.0),
            "order_quantity .Q. needs a reorder_point",
        ),
        (lambda: StockItem(Policy.base_stock(3), -1), "initial_on_hand must be >= 0"),
        (lambda: StockItem(Policy.base_stock(3), 1, job_shortage="wait"), "job_shortage"),
        (lambda: Demand([2.0, 1.0], [0, 0], [1, 1], [0, 0]), "sorted"),
        (lambda: Demand([1.0], [0], [0], [0]), "quantity must be >= 1"),
        (lambda: Demand([1.0], [0], [1.5], [0]), "whole numbers"),
        (lambda: Demand([1.0], [0], [1], [2]), "JOB .0. or ORDER .1."),
        (lambda: Demand([1.0, 2.0], [0], [1], [0]), "same length"),
        (lambda: Supply([-1.0]), "lead_times"),
        (lambda: Supply([1.0], count_errors=[None, None]), "one entry per item"),
    ],
)
def test_bad_parameters_raise(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


ONE = [StockItem(Policy.base_stock(2), 2)]
ONE_DEMAND = Demand([1.0, 2.0], [0, 0], [1, 1], [JOB, JOB])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: simulate_inventory(ONE, ONE_DEMAND, Supply([1.0]), 0.0), "horizon must be > 0"),
        (lambda: simulate_inventory(ONE, ONE_DEMAND, Supply([1.0]), 2.0), "< horizon"),
        (lambda: simulate_inventory([], ONE_DEMAND, Supply([]), 5.0), "items must not be empty"),
        (lambda: simulate_inventory(ONE, ONE_DEMAND, Supply([1.0, 1.0]), 5.0), "one entry"),
        (
            lambda: simulate_inventory(ONE, Demand([1.0], [1], [1], [0]), Supply([1.0]), 5.0),
            "item 1 does not exist",
        ),
        (
            lambda: simulate_inventory(ONE, ONE_DEMAND, Supply([1.0]), 5.0, sync_every=-1.0),
            "sync_every must be > 0",
        ),
        (
            lambda: simulate_inventory(ONE, ONE_DEMAND, Supply([np.array([1.0])]), 5.0),
            "size it with max_orders",
        ),
        (
            lambda: simulate_inventory(
                [StockItem(Policy.periodic(1.0, 3), 3)],
                ONE_DEMAND,
                Supply([1.0], count_errors=[np.zeros(2)]),
                5.0,
            ),
            "counts 5 times",
        ),
    ],
)
def test_bad_runs_raise(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_draw_sizes() -> None:
    assert n_reviews(Policy.periodic(7.0, 5), 365.0) == 53
    assert n_reviews(Policy.ss(1, 5), 365.0) == 0
    assert max_orders(Policy.rq(1, 5), 100, 365.0) == 101
    assert max_orders(Policy.manual(5), 100, 365.0) == 201
    assert max_orders(Policy.periodic(7.0, 5), 100, 365.0) == 53
