"""Tests for autosim.queueing: known values, reductions between models, brute-force checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import poisson

from autosim.queueing import (
    MMcMResult,
    MMcResult,
    erlang_a,
    erlang_b,
    erlang_c,
    mmc,
    poisson_base_stock,
    poisson_rq,
)

INVENTORY_KEYS = {
    "mean_on_hand",
    "mean_backorders",
    "fill_rate",
    "stockout_probability",
    "mean_net_inventory",
}


# --------------------------------------------------------------------------------------------
# independent reference computations (plain loops, no shared code with the module)
# --------------------------------------------------------------------------------------------


def _birth_death_pi(c: int, lam: float, mu: float, theta: float, n_max: int) -> np.ndarray:
    """Erlang-A stationary distribution on 0..n_max by the plain product formula."""
    weights = [1.0]
    for n in range(1, n_max + 1):
        death = min(n, c) * mu + max(n - c, 0) * theta
        weights.append(weights[-1] * lam / death)
    pi = np.array(weights)
    return pi / pi.sum()


def _tagged_customer(c: int, mu: float, theta: float, k: int) -> tuple[float, float, float]:
    """(P(served), E[W 1{served}], E[W]) for an arrival with k customers ahead in queue.

    Walks the phases j = k..0 one by one: phase j lasts Exp(r_j), r_j = c mu + (j + 1) theta, and
    ends in progress with probability q_j = (c mu + j theta) / r_j, else the customer abandons.
    """
    reach = 1.0  # probability of still waiting when phase j starts
    elapsed_if_served = 0.0
    mean_wait = 0.0
    for j in range(k, -1, -1):
        rate = c * mu + (j + 1) * theta
        mean_wait += reach / rate
        elapsed_if_served += 1.0 / rate
        reach *= (c * mu + j * theta) / rate
    return reach, reach * elapsed_if_served, mean_wait


# --------------------------------------------------------------------------------------------
# Erlang B / C and M/M/c
# --------------------------------------------------------------------------------------------


def test_erlang_b_known_value() -> None:
    assert erlang_b(10, 7.0) == pytest.approx(0.07874, abs=5e-6)


def test_erlang_b_small_cases() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    assert erlang_b(1, 2.0) == pytest.approx(2.0 / 3.0)
    # B(2, A) = (A^2 / 2) / (1 + A + A^2 / 2)
    assert erlang_b(2, 3.0) == pytest.approx(4.5 / 8.5)


def test_erlang_b_is_stable_for_many_servers() -> None:
    value = erlang_b(5000, 4900.0)
    assert 0.0 < value < 0.05


def test_erlang_c_two_servers() -> None:
    assert erlang_c(2, 1.0, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-12)


def test_erlang_c_textbook_value() -> None:
    # c = 5, A = 4: sum_{k<=5} 4^k/k! = 643/15 and 4^5/5! = 128/15, so B = 128/643 and
    # C = 5 B / (5 - 4 (1 - B)) = 640 / 1155 = 128/231 = 0.55411...
    assert erlang_c(5, 4.0, 1.0) == pytest.approx(128.0 / 231.0, rel=1e-12)
    assert erlang_c(5, 4.0, 1.0) == pytest.approx(0.5541, abs=5e-5)
    # only the ratio lambda / mu matters
    assert erlang_c(5, 8.0, 2.0) == pytest.approx(128.0 / 231.0, rel=1e-12)


def test_mm1_reduction() -> None:
    lam, mu = 0.7, 1.3
    rho = lam / mu
    result = mmc(1, lam, mu)
    assert isinstance(result, MMcResult)
    assert result.p_wait == pytest.approx(rho)
    assert result.mean_wait == pytest.approx(rho / (mu - lam))
    assert result.mean_wait_if_waiting == pytest.approx(1.0 / (mu - lam))
    assert result.mean_queue == pytest.approx(rho**2 / (1.0 - rho))
    assert result.utilization == pytest.approx(rho)
    assert result.p_wait_exceeds(2.0) == pytest.approx(rho * math.exp(-(mu - lam) * 2.0))


def test_mmc_tail_integrates_to_mean_wait() -> None:
    result = mmc(4, 3.3, 1.0)
    area, _ = integrate.quad(result.p_wait_exceeds, 0.0, math.inf)
    assert area == pytest.approx(result.mean_wait, rel=1e-8)
    assert result.p_wait_exceeds(0.0) == result.p_wait
    assert result.p_wait_exceeds(math.inf) == 0.0
    assert result.mean_queue == pytest.approx(3.3 * result.mean_wait)


def test_mmc_zero_arrivals() -> None:
    result = mmc(3, 0.0, 1.0)
    assert result.p_wait == 0.0
    assert result.mean_wait == 0.0
    assert result.p_wait_exceeds(1.0) == 0.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: erlang_c(6, 6.3, 1.0), r"erlang_c needs a stable queue: offered load 6\.3 >= 6"),
        (lambda: erlang_c(2, 2.0, 1.0), "stable queue"),
        (lambda: mmc(2, 3.0, 1.0), "mmc needs a stable queue"),
        (lambda: erlang_c(0, 1.0, 1.0), "servers must be >= 1"),
        (lambda: erlang_c(2.5, 1.0, 1.0), "servers must be an integer"),
        (lambda: erlang_c(True, 0.1, 1.0), "servers must be an integer"),
        (lambda: erlang_c(2, -1.0, 1.0), "arrival_rate must be >= 0"),
        (lambda: erlang_c(2, 1.0, 0.0), "service_rate must be > 0"),
        (lambda: erlang_c(2, math.nan, 1.0), "arrival_rate must be finite"),
        (lambda: erlang_c(2, "fast", 1.0), "arrival_rate must be a number"),
        (lambda: erlang_b(-1, 1.0), "servers must be >= 0"),
        (lambda: erlang_b(3, -0.5), "offered_load must be >= 0"),
        (lambda: mmc(2, 1.0, 1.0).p_wait_exceeds(-1.0), "t must be >= 0"),
        (lambda: erlang_a(2, 1.0, 1.0, -0.1), "abandon_rate must be >= 0"),
        (lambda: erlang_a(2, 1.0, 1.0, 0.5, tol=2.0), "tol must be in"),
        (lambda: erlang_a(2, 3.0, 1.0, 0.0), "abandon_rate=0 is M/M/c and needs a stable"),
        (lambda: poisson_base_stock(2.5, 1.0), "base_stock must be an integer"),
        (lambda: poisson_base_stock(2, -1.0), "lead_time_demand_mean must be >= 0"),
        (lambda: poisson_rq(2, 0, 1.0), "order_quantity must be >= 1"),
    ],
)
def test_invalid_inputs_raise_value_error(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_integers_are_accepted() -> None:
    assert erlang_c(np.int64(2), 1.0, 1.0) == pytest.approx(1.0 / 3.0)


# --------------------------------------------------------------------------------------------
# Erlang A
# --------------------------------------------------------------------------------------------


def test_erlang_a_tiny_patience_rate_matches_erlang_c() -> None:
    c, lam, mu = 5, 4.0, 1.0
    reference = mmc(c, lam, mu)
    result = erlang_a(c, lam, mu, 1e-9)
    assert isinstance(result, MMcMResult)
    assert result.p_wait == pytest.approx(reference.p_wait, rel=1e-6)
    assert result.mean_wait == pytest.approx(reference.mean_wait, rel=1e-6)
    assert result.mean_wait_served == pytest.approx(reference.mean_wait, rel=1e-6)
    assert result.mean_queue == pytest.approx(reference.mean_queue, rel=1e-6)
    assert result.utilization == pytest.approx(reference.utilization, rel=1e-6)
    assert result.p_abandon < 1e-8


def test_erlang_a_zero_patience_rate_is_mmc() -> None:
    reference = mmc(3, 2.5, 1.0)
    result = erlang_a(3, 2.5, 1.0, 0.0)
    assert result.p_wait == reference.p_wait
    assert result.mean_wait == reference.mean_wait
    assert result.mean_wait_served == reference.mean_wait
    assert result.p_abandon == 0.0


def test_erlang_a_zero_arrivals() -> None:
    assert erlang_a(3, 0.0, 1.0, 0.5) == MMcMResult(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize(("c", "lam", "mu"), [(4, 3.0, 1.0), (3, 7.5, 2.0), (10, 12.0, 1.0)])
def test_erlang_a_with_theta_equal_mu_is_infinite_server(c: int, lam: float, mu: float) -> None:
    # With theta == mu every customer in system leaves at rate mu whether served or waiting, so
    # N ~ Poisson(A), A = lambda / mu (M/M/inf). Then P(wait) = P(N >= c), E[Q] = E[(N - c)^+],
    # P(abandon) = theta E[Q] / lambda = E[(N - c)^+] / A, busy servers = E[min(N, c)].
    # Tagged customer with k ahead: q_j = (c + j) / (c + j + 1) telescopes to
    # P(served | k) = c / (c + k + 1), and sum_j 1 / r_j = (H_{c+k+1} - H_c) / mu.
    a = lam / mu
    n = np.arange(0, int(a + 60 * math.sqrt(a) + 100))
    pmf = poisson.pmf(n, a)
    excess = np.maximum(n - c, 0)
    result = erlang_a(c, lam, mu, mu)
    assert result.p_wait == pytest.approx(poisson.sf(c - 1, a), rel=1e-10)
    assert result.mean_queue == pytest.approx(np.dot(excess, pmf), rel=1e-10)
    assert result.p_abandon == pytest.approx(np.dot(excess, pmf) / a, rel=1e-10)
    assert result.mean_wait == pytest.approx(np.dot(excess, pmf) / lam, rel=1e-10)
    assert result.utilization == pytest.approx(np.dot(np.minimum(n, c), pmf) / c, rel=1e-10)

    k = excess[c:]
    p_served_k = c / (c + k + 1.0)
    harmonic = np.cumsum(1.0 / np.arange(1, n.size + c + 2))  # harmonic[i] = H_{i+1}
    sum_inv_rate = (harmonic[c + k] - harmonic[c - 1]) / mu  # H_{c+k+1} - H_c
    p_served = pmf[:c].sum() + np.dot(pmf[c:], p_served_k)
    wait_served = np.dot(pmf[c:], p_served_k * sum_inv_rate)
    assert 1.0 - result.p_abandon == pytest.approx(p_served, rel=1e-10)
    assert result.mean_wait_served == pytest.approx(wait_served / p_served, rel=1e-10)


@pytest.mark.parametrize(
    ("c", "lam", "mu", "theta"),
    [(3, 2.7, 1.0, 0.5), (1, 0.8, 1.0, 3.0), (5, 9.0, 1.0, 0.2), (8, 6.0, 1.0, 0.05)],
)
def test_erlang_a_tagged_customer_matches_little(
    c: int, lam: float, mu: float, theta: float
) -> None:
    # E[W] over all arrivals from the tagged-customer walk must equal E[Q] / lambda (Little),
    # and the tagged P(served) must equal 1 - theta E[Q] / lambda (flow balance).
    n_max = 400
    pi = _birth_death_pi(c, lam, mu, theta, n_max)
    assert pi[-1] < 1e-30  # truncation is harmless
    moments = np.array([_tagged_customer(c, mu, theta, k) for k in range(n_max + 1 - c)])
    p_served = pi[:c].sum() + np.dot(pi[c:], moments[:, 0])
    wait_served = np.dot(pi[c:], moments[:, 1])
    wait_all = np.dot(pi[c:], moments[:, 2])
    mean_queue = np.dot(np.maximum(np.arange(n_max + 1) - c, 0), pi)

    result = erlang_a(c, lam, mu, theta)
    assert result.mean_queue == pytest.approx(mean_queue, rel=1e-9)
    assert result.mean_wait == pytest.approx(wait_all, rel=1e-9)
    assert result.mean_wait == pytest.approx(mean_queue / lam, rel=1e-9)
    assert result.p_abandon == pytest.approx(1.0 - p_served, rel=1e-9)
    assert result.mean_wait_served == pytest.approx(wait_served / p_served, rel=1e-9)
    assert result.p_wait == pytest.approx(pi[c:].sum(), rel=1e-9)


def test_erlang_a_overloaded_is_finite() -> None:
    c, lam, mu, theta = 3, 6.0, 1.0, 0.5  # rho = 2
    result = erlang_a(c, lam, mu, theta)
    values = [getattr(result, name) for name in MMcMResult.__dataclass_fields__]
    assert all(math.isfinite(v) and v >= 0 for v in values)
    # served flow cannot exceed capacity: lambda (1 - P_ab) = c mu util <= c mu
    assert result.p_abandon >= 1.0 - c * mu / lam
    assert lam * (1.0 - result.p_abandon) == pytest.approx(c * mu * result.utilization, rel=1e-9)
    assert 0.95 < result.utilization <= 1.0
    assert 0.95 < result.p_wait <= 1.0


def test_erlang_a_heavy_overload_small_theta() -> None:
    # fluid limit: queue settles where abandonment absorbs the excess, theta E[Q] ~ lambda - c mu
    result = erlang_a(3, 6.0, 1.0, 1e-4)
    assert result.mean_queue == pytest.approx((6.0 - 3.0) / 1e-4, rel=1e-3)
    assert result.p_abandon == pytest.approx(0.5, rel=1e-3)


def test_erlang_a_matches_event_simulation() -> None:
    # c = 3, rho = 0.9, mean patience = 2 mean service times. FIFO with abandonment from queue:
    # customers take, in arrival order, the earliest server that frees up after everyone ahead
    # who stayed; a customer whose would-be wait exceeds its patience leaves without service.
    c, mu, lam, theta = 3, 1.0, 2.7, 0.5
    n_customers, warmup, n_batches = 200_000, 2_000, 40
    rng = np.random.default_rng(20240601)
    arrivals = np.cumsum(rng.exponential(1.0 / lam, n_customers)).tolist()
    services = rng.exponential(1.0 / mu, n_customers).tolist()
    patience = rng.exponential(1.0 / theta, n_customers).tolist()

    free_at = [0.0] * c
    waits = np.empty(n_customers)
    served = np.empty(n_customers, dtype=bool)
    for i in range(n_customers):
        t = arrivals[i]
        s = min(range(c), key=free_at.__getitem__)
        wait = max(free_at[s] - t, 0.0)
        if wait <= patience[i]:
            free_at[s] = t + wait + services[i]
            waits[i], served[i] = wait, True
        else:
            waits[i], served[i] = patience[i], False

    batches = np.array_split(np.arange(warmup, n_customers), n_batches)
    abandon = np.array([1.0 - served[b].mean() for b in batches])
    wait_served = np.array([waits[b][served[b]].mean() for b in batches])
    waited = np.array([(waits[b] > 0).mean() for b in batches])

    exact = erlang_a(c, lam, mu, theta)
    for estimates, target in [
        (abandon, exact.p_abandon),
        (wait_served, exact.mean_wait_served),
        (waited, exact.p_wait),
    ]:
        std_err = estimates.std(ddof=1) / math.sqrt(n_batches)
        assert abs(estimates.mean() - target) < 3.0 * std_err, (estimates.mean(), target, std_err)


# --------------------------------------------------------------------------------------------
# inventory
# --------------------------------------------------------------------------------------------


def test_base_stock_zero_has_no_fill() -> None:
    result = poisson_base_stock(0, 2.5)
    assert set(result) == INVENTORY_KEYS
    assert result["fill_rate"] == 0.0
    assert result["stockout_probability"] == 1.0
    assert result["mean_on_hand"] == 0.0
    assert result["mean_backorders"] == pytest.approx(2.5)


def test_base_stock_negative_level_backorders_everything() -> None:
    result = poisson_base_stock(-3, 2.5)
    assert result["mean_backorders"] == pytest.approx(5.5)
    assert result["mean_on_hand"] == 0.0


def test_base_stock_large_level_fills_everything() -> None:
    m = 4.0
    result = poisson_base_stock(60, m)
    assert result["fill_rate"] == pytest.approx(1.0, abs=1e-12)
    assert result["stockout_probability"] < 1e-12
    assert result["mean_on_hand"] == pytest.approx(60 - m, rel=1e-12)
    assert result["mean_backorders"] < 1e-12


@pytest.mark.parametrize("s", [0, 1, 3, 7, 15])
@pytest.mark.parametrize("m", [0.0, 0.4, 3.2, 12.0])
def test_base_stock_identities(s: int, m: float) -> None:
    result = poisson_base_stock(s, m)
    assert result["mean_on_hand"] - result["mean_backorders"] == pytest.approx(s - m, abs=1e-12)
    assert result["mean_net_inventory"] == pytest.approx(s - m)
    assert result["fill_rate"] + result["stockout_probability"] == pytest.approx(1.0)
    # direct sums from the definitions
    d = np.arange(0, 200)
    pmf = poisson.pmf(d, m)
    assert result["mean_on_hand"] == pytest.approx(np.dot(np.maximum(s - d, 0), pmf), abs=1e-12)
    assert result["mean_backorders"] == pytest.approx(np.dot(np.maximum(d - s, 0), pmf), abs=1e-12)
    assert result["fill_rate"] == pytest.approx(pmf[d <= s - 1].sum(), abs=1e-12)


def test_fill_rate_increases_with_base_stock() -> None:
    fills = [poisson_base_stock(s, 5.0)["fill_rate"] for s in range(0, 20)]
    assert np.all(np.diff(fills) > 0)


@pytest.mark.parametrize("r", [-2, 0, 3, 9])
@pytest.mark.parametrize("m", [0.5, 4.0])
def test_rq_with_unit_batch_is_base_stock(r: int, m: float) -> None:
    rq = poisson_rq(r, 1, m)
    base = poisson_base_stock(r + 1, m)
    assert set(rq) == INVENTORY_KEYS
    for key in INVENTORY_KEYS:
        assert rq[key] == pytest.approx(base[key], rel=1e-12, abs=1e-15)


def test_rq_is_average_of_base_stock_over_inventory_position() -> None:
    r, q, m = 2, 6, 4.5
    rq = poisson_rq(r, q, m)
    for key in INVENTORY_KEYS:
        average = np.mean([poisson_base_stock(ip, m)[key] for ip in range(r + 1, r + q + 1)])
        assert rq[key] == pytest.approx(average, rel=1e-12)
    assert rq["mean_net_inventory"] == pytest.approx(r + (q + 1) / 2 - m)
    assert rq["mean_on_hand"] - rq["mean_backorders"] == pytest.approx(r + (q + 1) / 2 - m)


def test_inventory_matches_monte_carlo_of_net_inventory() -> None:
    # sample the definitions directly: net inventory = IP - D_L with D_L ~ Poisson(m)
    rng = np.random.default_rng(7)
    size = 400_000
    for r, q, m in [(4, 1, 3.2), (1, 5, 3.2), (8, 10, 9.0)]:
        ip = rng.integers(r + 1, r + q + 1, size=size, endpoint=False)
        net = ip - rng.poisson(m, size=size)
        samples = {
            "mean_on_hand": np.maximum(net, 0),
            "mean_backorders": np.maximum(-net, 0),
            "fill_rate": net >= 1,  # on hand >= 1 just before a unit demand arrives
            "stockout_probability": net <= 0,
            "mean_net_inventory": net,
        }
        exact = poisson_rq(r, q, m)
        for key, sample in samples.items():
            values = sample.astype(np.float64)
            std_err = values.std(ddof=1) / math.sqrt(size)
            assert abs(values.mean() - exact[key]) < 4.0 * std_err + 1e-12, (key, r, q, m)
