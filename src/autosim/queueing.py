"""Exact queueing and inventory formulas that anchor the simulator's correctness.

This module owns the closed-form (or exactly computed) reference values that the dispatch and
inventory models must reproduce in their reduced forms, so tests and notebooks can compare a
simulation against theory instead of against another simulation:

* Erlang-B (M/M/c/c loss), Erlang-C and the full M/M/c waiting-time summary;
* Erlang-A (M/M/c+M: exponential patience, FIFO, abandonment while waiting), computed exactly from
  its birth-death chain;
* one-for-one (base-stock) and (r, Q) continuous-review policies with Poisson demand, a fixed lead
  time and full backorders.

Time units are whatever the caller uses consistently (rates per minute, per hour, ...). Every
function validates its inputs and raises :class:`ValueError` with a message naming the problem.

References
----------
Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, ch. 2 (M/M/c, Erlang B/C).
Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures" (2005) (Erlang-A).
Zipkin, *Foundations of Inventory Management*, ch. 6-7; Axsäter, *Inventory Control*, ch. 5.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

__all__ = [
    "MMcMResult",
    "MMcResult",
    "checked_int",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "mmc",
    "poisson_base_stock",
    "poisson_rq",
]

#: Largest birth-death state space :func:`erlang_a` will build before giving up.
_MAX_ERLANG_A_STATES = 5_000_000


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------


def checked_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``; integers only (no bools, no 2.0), so typos fail loudly."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        result = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and result < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {result}")
    return result


def _as_rate(name: str, value: object, *, allow_zero: bool) -> float:
    """Return ``value`` as a finite float that is > 0 (or >= 0 when ``allow_zero``)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    if result < 0 or (result == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {result}")
    return result


# --------------------------------------------------------------------------------------------
# Erlang B / Erlang C / M/M/c
# --------------------------------------------------------------------------------------------


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of the M/M/c/c (Erlang loss) system.

    Uses the recursion ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))``, whose terms stay in
    [0, 1], so it neither overflows (unlike ``A**c / c!``) nor loses precision for large ``c``.

    Parameters
    ----------
    servers : int
        Number of servers ``c >= 0`` (``c = 0`` blocks everything).
    offered_load : float
        Offered load ``A = lambda / mu`` in Erlangs, ``>= 0``.
    """
    c = checked_int("servers", servers, minimum=0)
    a = _as_rate("offered_load", offered_load, allow_zero=True)
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def _erlang_c_checked(c: int, lam: float, mu: float, caller: str) -> float:
    """Erlang-C from Erlang-B: ``C = c B / (c - A (1 - B))``; validates stability first."""
    a = lam / mu
    if a >= c:
        raise ValueError(
            f"{caller} needs a stable queue: offered load {a:.6g} >= {c} servers "
            f"(arrival_rate {lam:.6g} / service_rate {mu:.6g})"
        )
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang-C formula).

    Derived from Erlang-B (``C = c B / (c - A (1 - B))`` with ``A = lambda / mu``) to inherit its
    numerically stable recursion. Requires ``rho = A / c < 1``; otherwise the queue has no
    stationary regime and a :class:`ValueError` is raised.
    """
    c = checked_int("servers", servers, minimum=1)
    lam = _as_rate("arrival_rate", arrival_rate, allow_zero=True)
    mu = _as_rate("service_rate", service_rate, allow_zero=False)
    return _erlang_c_checked(c, lam, mu, "erlang_c")


@dataclass(frozen=True)
class MMcResult:
    """Stationary M/M/c (FIFO) performance; see :func:`mmc`.

    Attributes
    ----------
    p_wait : float
        Erlang-C probability that an arrival waits at all.
    mean_wait : float
        Mean time in queue over all arrivals, ``Wq = C / (c mu - lambda)``.
    mean_wait_if_waiting : float
        Mean time in queue of those who wait, ``1 / (c mu - lambda)``; it is also the inverse of
        the exponential decay rate of the waiting-time tail, which is why nothing else is stored.
    utilization : float
        ``rho = lambda / (c mu)``, the long-run share of busy servers.
    mean_queue : float
        Mean number waiting, ``Lq = lambda Wq`` (Little).
    """

    p_wait: float
    mean_wait: float
    mean_wait_if_waiting: float
    utilization: float
    mean_queue: float

    def p_wait_exceeds(self, t: float) -> float:
        """``P(W > t) = C exp(-(c mu - lambda) t)`` for ``t >= 0`` (``t = inf`` gives 0).

        The conditional wait of a waiting customer is exponential with rate ``c mu - lambda``
        (the queue drains at the full service rate while all servers are busy).
        """
        if isinstance(t, bool):
            raise ValueError(f"t must be a number, got {t!r}")
        try:
            tt = float(t)
        except (TypeError, ValueError):
            raise ValueError(f"t must be a number, got {t!r}") from None
        if math.isnan(tt) or tt < 0:
            raise ValueError(f"t must be >= 0, got {tt}")
        if tt == 0:
            return self.p_wait
        return self.p_wait * math.exp(-tt / self.mean_wait_if_waiting)


def mmc(servers: int, arrival_rate: float, service_rate: float) -> MMcResult:
    """Stationary performance of the M/M/c FIFO queue; requires ``lambda < c mu``.

    Standard results (Gross et al., ch. 2.3): ``Wq = C / (c mu - lambda)``, ``Lq = lambda Wq``,
    and the waiting time of a delayed customer is ``Exp(c mu - lambda)``.
    """
    c = checked_int("servers", servers, minimum=1)
    lam = _as_rate("arrival_rate", arrival_rate, allow_zero=True)
    mu = _as_rate("service_rate", service_rate, allow_zero=False)
    p_wait = _erlang_c_checked(c, lam, mu, "mmc")
    drain = c * mu - lam
    mean_wait = p_wait / drain
    return MMcResult(
        p_wait=p_wait,
        mean_wait=mean_wait,
        mean_wait_if_waiting=1.0 / drain,
        utilization=lam / (c * mu),
        mean_queue=lam * mean_wait,
    )


# --------------------------------------------------------------------------------------------
# Erlang A (M/M/c+M)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MMcMResult:
    """Stationary Erlang-A (M/M/c+M) performance; see :func:`erlang_a`.

    Attributes
    ----------
    p_wait : float
        Probability that an arrival finds all servers busy and has to wait (PASTA).
    p_abandon : float
        Share of arrivals who abandon, ``theta E[Q] / lambda``.
    mean_wait : float
        Mean time in queue over all arrivals (served and abandoning), ``E[Q] / lambda``.
    mean_wait_served : float
        Mean time in queue of the customers who are eventually served (zero waits included).
    mean_queue : float
        Mean number waiting, ``E[Q]``.
    utilization : float
        Mean number of busy servers divided by ``c``.
    """

    p_wait: float
    p_abandon: float
    mean_wait: float
    mean_wait_served: float
    mean_queue: float
    utilization: float


def _erlang_a_log_pi(
    c: int, lam: float, mu: float, theta: float, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Unnormalised log stationary probabilities of the Erlang-A chain on ``0..N``.

    Birth rate ``lambda``; death rate ``d(n) = min(n, c) mu + max(n - c, 0) theta``, so
    ``log pi_n = sum_{k<=n} log(lambda / d(k))``. ``N`` grows (doubling) until the neglected tail,
    bounded by a geometric series with ratio ``lambda / d(N+1) < 1`` (ratios only decrease since
    ``d`` increases), is below ``tol`` relative for both total mass and ``E[Q]``.
    """
    # the mode sits near n* where d(n*) = lambda; start comfortably past it
    n_star = c + max(0.0, (lam - c * mu) / theta)
    n_max = int(min(max(1.1 * n_star + 64.0, 2.0 * c + 64.0), _MAX_ERLANG_A_STATES))
    log_lam = math.log(lam)
    while True:
        n = np.arange(n_max + 1, dtype=np.float64)
        death = np.minimum(n, c) * mu + np.maximum(n - c, 0.0) * theta
        log_ratio = log_lam - np.log(death[1:])
        log_pi = np.concatenate(([0.0], np.cumsum(log_ratio)))
        log_pi -= log_pi.max()
        pi = np.exp(log_pi)
        total = pi.sum()
        queue_mass = float(np.dot(np.maximum(n - c, 0.0), pi))
        r = lam / (c * mu + (n_max + 1 - c) * theta)  # n_max > c by construction
        if r < 1.0:
            geo = r / (1.0 - r)
            tail_mass = pi[-1] * geo
            tail_queue = pi[-1] * ((n_max - c) * geo + geo / (1.0 - r))
            if tail_mass <= tol * total and tail_queue <= tol * (total + queue_mass):
                return n, pi
        if n_max >= _MAX_ERLANG_A_STATES:
            raise ValueError(
                f"erlang_a state space exceeds {_MAX_ERLANG_A_STATES} states "
                f"(abandon_rate {theta:.3g} is too small for arrival_rate {lam:.6g} against "
                f"{c} servers x service_rate {mu:.6g}); use a larger abandon_rate"
            )
        n_max = min(2 * n_max, _MAX_ERLANG_A_STATES)


def erlang_a(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    abandon_rate: float,
    *,
    tol: float = 1e-12,
) -> MMcMResult:
    """Exact stationary performance of the Erlang-A queue M/M/c+M (FIFO).

    The number in system is a birth-death chain (birth ``lambda``, death
    ``min(n, c) mu + max(n - c, 0) theta``), stable for any load when ``theta > 0``; it is solved
    exactly on a state space truncated where the remaining tail is below ``tol`` (relative).

    * ``p_wait = P(N >= c)`` and the arrival-seen distribution is ``pi`` (PASTA);
    * ``p_abandon = theta E[Q] / lambda`` (abandonment flow over arrival flow);
    * ``mean_wait = E[Q] / lambda`` (Little, over all arrivals);
    * ``mean_wait_served`` by the tagged-customer argument: an arrival seeing ``n >= c`` has
      ``k = n - c`` customers ahead and needs ``k + 1`` "ahead-reductions". With ``j`` ahead the
      reductions occur at rate ``c mu + j theta`` (completions, or abandonments of those ahead;
      those behind do not matter under FIFO) and the tagged customer abandons at rate ``theta``,
      so phase ``j`` lasts ``Exp(r_j)``, ``r_j = c mu + (j + 1) theta``, and ends in progress with
      probability ``q_j = (c mu + j theta) / r_j``. Hence ``P(served | k) = prod_{j<=k} q_j`` and,
      because a competing-exponentials holding time is independent of which clock rings,
      ``E[W 1{served} | k] = P(served | k) sum_{j<=k} 1 / r_j``. Arrivals finding a free server
      are served with ``W = 0``; ``mean_wait_served = E[W 1{served}] / P(served)``.

    ``abandon_rate = 0`` is accepted and reduces to :func:`mmc` (which then needs ``rho < 1``).

    Parameters
    ----------
    servers : int
        Number of servers ``c >= 1``.
    arrival_rate, service_rate, abandon_rate : float
        ``lambda >= 0``, ``mu > 0`` and ``theta >= 0`` (``1 / theta`` is the mean patience).
    tol : float
        Relative truncation tolerance of the state space, in (0, 1).
    """
    c = checked_int("servers", servers, minimum=1)
    lam = _as_rate("arrival_rate", arrival_rate, allow_zero=True)
    mu = _as_rate("service_rate", service_rate, allow_zero=False)
    theta = _as_rate("abandon_rate", abandon_rate, allow_zero=True)
    tol_f = _as_rate("tol", tol, allow_zero=False)
    if tol_f >= 1.0:
        raise ValueError(f"tol must be in (0, 1), got {tol_f}")

    if lam == 0.0:
        return MMcMResult(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if theta == 0.0:
        if lam >= c * mu:
            raise ValueError(
                f"erlang_a with abandon_rate=0 is M/M/c and needs a stable queue: offered load "
                f"{lam / mu:.6g} >= {c} servers"
            )
        base = mmc(c, lam, mu)
        return MMcMResult(
            p_wait=base.p_wait,
            p_abandon=0.0,
            mean_wait=base.mean_wait,
            mean_wait_served=base.mean_wait,
            mean_queue=base.mean_queue,
            utilization=base.utilization,
        )

    n, weight = _erlang_a_log_pi(c, lam, mu, theta, tol_f)
    pi = weight / weight.sum()
    queue_len = np.maximum(n - c, 0.0)
    mean_queue = float(np.dot(queue_len, pi))
    p_wait = min(1.0, float(pi[c:].sum()))
    busy = float(np.dot(np.minimum(n, c), pi))

    # tagged customer finding k = n - c ahead, k = 0..N-c
    k = np.arange(n.size - c, dtype=np.float64)
    rate = c * mu + (k + 1.0) * theta  # r_j
    log_q = np.log1p(-theta / rate)  # log q_j = log(1 - theta / r_j)
    log_p_served = np.cumsum(log_q)  # log P(served | k)
    sum_inv_rate = np.cumsum(1.0 / rate)  # sum_{j<=k} 1 / r_j
    pi_queue = pi[c:]
    served_if_queued = pi_queue * np.exp(log_p_served)
    p_served = min(1.0, float(pi[:c].sum() + served_if_queued.sum()))
    wait_served = float(np.dot(served_if_queued, sum_inv_rate))
    mean_wait_served = wait_served / p_served if p_served > 0 else math.nan

    return MMcMResult(
        p_wait=p_wait,
        p_abandon=theta * mean_queue / lam,
        mean_wait=mean_queue / lam,
        mean_wait_served=mean_wait_served,
        mean_queue=mean_queue,
        utilization=busy / c,
    )


# --------------------------------------------------------------------------------------------
# inventory: Poisson demand, fixed lead time, full backorders
# --------------------------------------------------------------------------------------------


def _poisson_stock_measures(level: np.ndarray, m: float) -> dict[str, np.ndarray]:
    """Per-inventory-position measures when net inventory is ``level - D``, ``D ~ Poisson(m)``.

    With ``F`` the Poisson cdf, ``p`` its pmf and ``G = 1 - F`` (scipy ``sf``), using
    ``d p(d) = m p(d - 1)`` (Zipkin sec. 6.2; Axsäter sec. 5.3):

    * on hand   ``E[(y - D)^+] = y F(y - 1) - m F(y - 2)``;
    * backorder ``E[(D - y)^+] = (m - y) G(y) + m p(y)`` (the Poisson first-order loss function);
    * fill rate ``P(D <= y - 1) = F(y - 1)`` and stockout probability ``P(D >= y) = G(y - 1)``.

    Both first two expressions also hold for ``y <= 0`` (cdf/pmf vanish at negative arguments),
    and they are computed independently so ``on hand - backorders = y - m`` is a real check.
    """
    y = level.astype(np.float64)
    dist = poisson(m)
    on_hand = y * dist.cdf(level - 1) - m * dist.cdf(level - 2)
    on_hand = np.maximum(on_hand, 0.0)  # clip rounding noise at y <= 0
    backorders = (m - y) * dist.sf(level) + m * dist.pmf(level)
    return {
        "mean_on_hand": on_hand,
        "mean_backorders": backorders,
        "fill_rate": dist.cdf(level - 1),
        "stockout_probability": dist.sf(level - 1),
        "mean_net_inventory": y - m,
    }


def poisson_base_stock(base_stock: int, lead_time_demand_mean: float) -> dict[str, float]:
    """One-for-one (order-up-to ``S``) policy with unit Poisson demand and full backorders.

    The inventory position is always ``S``, so net inventory at any time equals ``S - D_L`` with
    ``D_L ~ Poisson(m)`` the demand over the preceding lead time (Zipkin ch. 6.2; Axsäter 5.3).

    Returns
    -------
    dict
        ``mean_on_hand = E[(S - D_L)^+]``; ``mean_backorders = E[(D_L - S)^+]``;
        ``fill_rate = P(D_L <= S - 1)``: a unit demand is filled from stock iff on-hand is at
        least 1 just before it arrives, i.e. ``S - D_L >= 1`` (PASTA: arrivals see time averages);
        ``stockout_probability = P(D_L >= S)``: the probability that on-hand is zero at a random
        time; ``mean_net_inventory = S - m``.

    Parameters
    ----------
    base_stock : int
        Order-up-to level ``S`` (any integer; ``S <= 0`` means every unit is backordered).
    lead_time_demand_mean : float
        ``m = demand rate x lead time``, ``>= 0``.
    """
    s = checked_int("base_stock", base_stock)
    m = _as_rate("lead_time_demand_mean", lead_time_demand_mean, allow_zero=True)
    measures = _poisson_stock_measures(np.array([s], dtype=np.int64), m)
    return {key: float(value[0]) for key, value in measures.items()}


def poisson_rq(
    reorder_point: int, order_quantity: int, lead_time_demand_mean: float
) -> dict[str, float]:
    """Continuous-review (r, Q) policy with unit Poisson demand and full backorders.

    With unit demand the inventory position is uniform on ``{r + 1, ..., r + Q}`` in steady state
    and independent of the next lead-time demand, so net inventory is ``IP - D_L`` and every
    measure is the base-stock measure averaged over the uniform ``IP`` (Zipkin ch. 6.4-6.5;
    Axsäter 5.3.3). In particular ``fill_rate`` is the average of ``P(D_L <= IP - 1)`` and
    ``mean_net_inventory = r + (Q + 1) / 2 - m``. ``Q = 1`` is base stock with ``S = r + 1``.

    Parameters
    ----------
    reorder_point : int
        ``r``: an order of ``Q`` is placed when the inventory position drops to ``r``.
    order_quantity : int
        ``Q >= 1``.
    lead_time_demand_mean : float
        ``m = demand rate x lead time``, ``>= 0``.
    """
    r = checked_int("reorder_point", reorder_point)
    q = checked_int("order_quantity", order_quantity, minimum=1)
    m = _as_rate("lead_time_demand_mean", lead_time_demand_mean, allow_zero=True)
    positions = np.arange(r + 1, r + q + 1, dtype=np.int64)
    measures = _poisson_stock_measures(positions, m)
    return {key: float(value.mean()) for key, value in measures.items()}
