"""Periodic review with a reorder point against its exact Markov-chain solution.

Reduced form: one item, unit Poisson demand at rate ``LAM`` per day, a count every ``T`` days with
no counting error, and a lead time shorter than the review period (0, or ``L < T``), so every
order is on the shelf before the next count. The state is the net inventory ``X`` at a count
(before ordering); the count lifts the position to ``Y(X)`` — ``S`` when ``X <= s`` for
(R, s, S), the smallest ``X + nQ > s`` for (R, s, nQ), ``X`` otherwise — and the next state is
``Y - D`` with ``D ~ Poisson(LAM T)`` (``max(Y - D, 0)`` under lost sales). The stationary law
``pi`` of that chain is solved exactly (numpy linear algebra over the states, the Poisson tail
beyond 1e-15 lumped), and every measure is an exact expectation under ``pi``:

* orders per count ``P(X <= s)``, units ordered per count ``E[Y - X]``;
* stockouts per count ``P(D > Y)`` — with L = 0 and s >= 0 a stockout always triggers an order at
  the next count, so each stockout period is exactly one stockout episode and one stockout
  replenishment cycle;
* fill rate ``E[min(Y, D)] / (LAM T)`` and the time averages of on hand and backorders, from
  ``E int_0^t (y - N(tau))^+ dtau = sum_{i < y} (y - i) P(N(t) > i) / LAM``;
* the distribution of stock on hand at the counts (the engine's end-of-day stock, T = 1 day).

The simulation is ``N_REPS`` independent runs (fixed seeds); each measure must lie in a 99%
Student-t interval of the runs, and the interval must be tight (a few percent of the value) so
that agreeing means something. The same interval rejects the order-up-to-every-count answer: the
tests fail if ``reorder_point`` were ignored.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from autosim.model.inventory.arrays import JOB, Demand, InventoryResult, Supply
from autosim.model.inventory.engine import simulate_inventory
from autosim.model.inventory.policy import Policy, StockItem

LAM = 4.0  # unit demands per day
N_REPS = 16
PERIODS = 12_000  # counts per run


# --------------------------------------------------------------------------- exact theory


def poisson_tail(m: float) -> int:
    """A demand level beyond which the Poisson(m) tail is below 1e-15."""
    return int(stats.poisson(m).isf(1e-15)) + 2


def on_hand_area(y: np.ndarray, t: float) -> np.ndarray:
    """``E int_0^t (y - N(tau))^+ dtau`` per level ``y`` (0 for y <= 0), N Poisson at LAM."""
    out = np.zeros(y.size)
    for k, level in enumerate(y):
        i = np.arange(max(int(level), 0))
        out[k] = np.sum((level - i) * stats.poisson(LAM * t).sf(i)) / LAM
    return out


def backorder_area(y: np.ndarray, t: float) -> np.ndarray:
    """``E int_0^t (N(tau) - y)^+ dtau``: (N - y)^+ = (N - y) + (y - N)^+."""
    return LAM * t * t / 2 - y * t + on_hand_area(y, t)


def stationary(states: np.ndarray, after: np.ndarray, m: float, lost: bool) -> np.ndarray:
    """Stationary law of ``X' = after(X) - D`` (lost sales: floored at 0) over ``states``."""
    index = {int(x): k for k, x in enumerate(states)}
    lo = int(states[0])
    p = np.zeros((states.size, states.size))
    for k, y in enumerate(after):
        d = np.arange(0, int(y) - lo + 1)
        nxt = int(y) - d
        probs = stats.poisson(m).pmf(d)
        probs[-1] += stats.poisson(m).sf(d[-1])  # the tail lands on the lowest state
        if lost:
            keep = nxt >= 0
            probs = np.append(probs[keep], probs[~keep].sum())
            nxt = np.append(nxt[keep], 0)
        for x, q in zip(nxt, probs, strict=True):
            p[k, index[int(x)]] += q
    # pi (P - I) = 0 with sum(pi) = 1, solved as one least-squares system (exact here)
    a = np.vstack([p.T - np.eye(states.size), np.ones(states.size)])
    b = np.zeros(states.size + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    assert np.allclose(pi @ p, pi, atol=1e-12) and pi.min() > -1e-12
    return np.clip(pi, 0.0, None) / np.clip(pi, 0.0, None).sum()


def order_level(x: np.ndarray, s: int, big_s: int | None, q: int | None) -> np.ndarray:
    """Position right after a count: up to S, or the smallest x + nQ above s, if x <= s."""
    if big_s is not None:
        return np.where(x <= s, big_s, x)
    return np.where(x <= s, x + ((s - x) // q + 1) * q, x)


def theory(
    review: float,
    lead: float,
    s: int,
    *,
    big_s: int | None = None,
    q: int | None = None,
    lost: bool = False,
) -> dict[str, object]:
    """Exact per-count and time-average measures of the periodic policy (lead < review)."""
    m = LAM * review
    top = big_s if big_s is not None else s + q
    states = np.arange(0 if lost else s + 1 - poisson_tail(m), top + 1)
    y = order_level(states, s, big_s, q)
    pi = stationary(states, y, m, lost)
    d = np.arange(poisson_tail(m) + top)
    pmf = stats.poisson(m).pmf(d)
    served = np.array([np.sum(np.minimum(level, d) * pmf) for level in y])  # per count
    if lead > 0:
        # before the delivery on hand is (X - N)^+, after it (Y - N)^+; filled at once: the
        # demands that find stock, before and after the delivery (N1, N2 independent Poisson)
        n1 = np.arange(poisson_tail(LAM * lead))
        p1 = stats.poisson(LAM * lead).pmf(n1)
        p2 = stats.poisson(LAM * (review - lead)).pmf(d)
        served = np.array(
            [
                np.sum(p1 * np.minimum(max(x, 0), n1))
                + np.sum(p1 * [np.sum(p2 * np.minimum(max(level - k, 0), d)) for k in n1])
                for x, level in zip(states, y, strict=True)
            ]
        )
    on_hand = on_hand_area(states, lead) + on_hand_area(y, review) - on_hand_area(y, lead)
    owed = backorder_area(states, lead) + backorder_area(y, review) - backorder_area(y, lead)
    return {
        "pi": pi,
        "states": states,
        "orders": float(pi @ (states <= s)),
        "units": float(pi @ (y - states)),
        "stockouts": float(pi @ stats.poisson(m).sf(y)),
        "fill_rate": float(pi @ served) / m,
        "on_hand": float(pi @ on_hand) / review,
        "backorders": 0.0 if lost else float(pi @ owed) / review,
    }


# --------------------------------------------------------------------------- simulation


def run(
    policy: Policy, lead: float, seed: int, lost: bool = False, keep: int = 0
) -> list[InventoryResult]:
    """``N_REPS`` independent runs of ``PERIODS`` counts, starting at the top of the policy.

    ``keep`` > 0: run only that many and return ``(demands, results)``.
    """
    horizon = PERIODS * policy.review_every
    start = policy.order_up_to or policy.reorder_point + policy.order_quantity
    item = StockItem(policy, start, job_shortage="lost" if lost else "backorder")
    out, demands = [], []
    for child in np.random.SeedSequence(seed).spawn(keep or N_REPS):
        rng = np.random.default_rng(child)
        n = int(rng.poisson(LAM * horizon))
        t = np.sort(rng.uniform(0.0, horizon, n))
        demand = Demand(t, np.zeros(n, int), np.ones(n, int), np.full(n, JOB))
        out.append(simulate_inventory([item], demand, Supply([lead]), horizon))
        demands.append(demand)
    return (demands, out) if keep else out  # type: ignore[return-value]


def per_count(runs: list[InventoryResult]) -> dict[str, np.ndarray]:
    """The simulated counterpart of every :func:`theory` measure, one value per run."""
    rows = {
        "orders": [r.orders_placed[0] / PERIODS for r in runs],
        "units": [r.ordered_units[0] / PERIODS for r in runs],
        "stockouts": [r.stockout_events[0] / PERIODS for r in runs],
        "fill_rate": [r.filled_now.mean() for r in runs],
        "on_hand": [r.time_avg_on_hand[0] for r in runs],
        "backorders": [r.time_avg_backorders[0] for r in runs],
    }
    return {k: np.array(v, dtype=float) for k, v in rows.items()}


def assert_matches(sim: dict[str, np.ndarray], exact: dict[str, object], rel: float) -> None:
    """Every exact value lies in the runs' 99% interval, and the interval is within ``rel``."""
    for name, values in sim.items():
        want = float(exact[name])  # type: ignore[arg-type]
        mean = values.mean()
        half = stats.t.ppf(0.995, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
        assert abs(mean - want) <= half, f"{name}: {mean:.5f} +- {half:.5f} vs exact {want:.5f}"
        if want > 0:
            assert half <= rel * want, f"{name}: interval +-{half:.5f} too wide for {want:.5f}"


def assert_rejects(sim: dict[str, np.ndarray], wrong: dict[str, object], name: str) -> None:
    """The answer of a wrong model lies far outside the runs' spread (the test has teeth)."""
    values = sim[name]
    assert abs(values.mean() - float(wrong[name])) > 10 * values.std(ddof=1), name  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the tests


def test_periodic_s_S_with_lost_sales_matches_the_markov_chain() -> None:
    review, s, big_s = 1.0, 4, 12
    exact = theory(review, 0.0, s, big_s=big_s, lost=True)
    runs = run(Policy.periodic(review, big_s, s), 0.0, seed=41, lost=True)
    sim = per_count(runs)
    assert_matches(sim, exact, rel=0.03)
    assert 0.2 < float(exact["orders"]) < 0.6  # s matters: far from ordering at every count
    # ignoring s would order up to S at every count: (R, S) is the same policy with s = S - 1
    assert_rejects(sim, theory(review, 0.0, big_s - 1, big_s=big_s, lost=True), "orders")
    # every order lifts the shelf to S exactly (no count error, nothing on order at a count)
    for r in runs:
        assert np.all(r.order_quantity >= big_s - s)
        assert np.all(r.order_received == r.order_time)
        # each stockout period ends its replenishment cycle: episodes = stockout cycles, and a
        # cycle ends at every delivery (plus the one the horizon cuts)
        assert r.stockout_cycles[0] == r.stockout_events[0]
        assert r.replenishment_cycles[0] == r.orders_placed[0] + 1
    # the stock counted at each review (end of the day before it) follows the stationary law
    counted = np.concatenate([r.daily_on_hand[0, 100:-1] for r in runs])
    freq = np.bincount(counted, minlength=big_s + 1) / counted.size
    assert np.max(np.abs(freq - exact["pi"])) < 0.004, np.round(freq - exact["pi"], 4)


def test_periodic_s_nq_with_backorders_matches_the_markov_chain() -> None:
    review, s, q = 1.0, 3, 5
    exact = theory(review, 0.0, s, q=q)
    runs = run(Policy.periodic_rq(review, s, q), 0.0, seed=42)
    sim = per_count(runs)
    assert_matches(sim, exact, rel=0.05)  # backorders are small (0.064): +-3.4% of them
    # neither the order-up-to rule with the same s and S = s + Q, nor a count that orders
    # whenever below the top (what ignoring s would do), gives this order rate
    assert_rejects(sim, theory(review, 0.0, s, big_s=s + q), "orders")
    assert_rejects(sim, theory(review, 0.0, s + q - 1, big_s=s + q), "orders")
    for r in runs:
        assert np.all(r.order_quantity % q == 0)
        assert r.stockout_cycles[0] == r.stockout_events[0]
    counted = np.concatenate([r.daily_on_hand[0, 100:-1] for r in runs])
    freq = np.bincount(counted, minlength=s + q + 1) / counted.size
    pi, states = exact["pi"], exact["states"]
    want = np.bincount(np.maximum(states, 0), weights=pi, minlength=s + q + 1)
    assert np.max(np.abs(freq - want)) < 0.004, np.round(freq - want, 4)


def test_periodic_s_S_with_a_lead_time_inside_the_review_period() -> None:
    # counts every 2 days, deliveries 1 day later: the shelf runs on X before the delivery and
    # on Y after it; still one state per count, since nothing is on order at a count
    review, lead, s, big_s = 2.0, 1.0, 6, 16
    exact = theory(review, lead, s, big_s=big_s)
    runs = run(Policy.periodic(review, big_s, s), lead, seed=43)
    sim = per_count(runs)
    sim.pop("stockouts")  # a stockout before the delivery may run on into the next cycle
    assert_matches(sim, exact, rel=0.03)
    assert_rejects(sim, theory(review, lead, big_s - 1, big_s=big_s), "orders")


def test_backorder_delay_is_littles_law_of_the_backorder_level() -> None:
    # unit demands served first come first served: the area under the backorder level equals
    # the sum of the delays (one still waiting at the horizon counted up to it), in every run
    horizon = float(PERIODS)
    for demand, r in zip(*run(Policy.periodic_rq(1.0, 0, 3), 0.0, seed=44, keep=2), strict=True):
        fulfilled = ~r.lost & ~r.oversold
        delay = np.fmin(r.fill_time, horizon)[fulfilled] - demand.time[fulfilled]
        assert r.time_avg_backorders[0] > 0.05
        assert np.isclose(delay.sum(), r.time_avg_backorders[0] * horizon, rtol=1e-9)
