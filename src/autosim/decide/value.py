"""Value of information: what would it be worth to know an unknown before buying?

The owner decides now — buy one of the options that fit the constraints, or keep the business as
it is (NPV 0) — and picks the option with the highest expected NPV. If demand growth or the
adoption rate were known first, the choice could follow it; the expected gain from that is the
expected value of (partial) perfect information, EVPPI, in money. It bounds what a market study,
a pilot or a supplier's reference call is worth.

The estimator is the regression method of Strong, Oakley & Brennan (2014, Medical Decision
Making 34:311): each option's NPV is regressed on the input(s) of interest, the fitted value
``g_d(x)`` estimating ``E[NPV_d | x]``; then ``EVPPI = mean_n max_d g_d(x_n) - max_d mean_n
g_d(x_n)``. Regressing removes the day-to-day randomness that no study could foresee; the naive
``E[max_d NPV_d] - max_d E[NPV_d]`` ("perfect foresight", also reported) counts that luck as
information and overstates the value. The smoother is a least-squares fit on a cubic B-spline
basis (knots at quantiles of the input) for one input, and on additive splines with pairwise
interactions for all inputs together; the basis size is chosen per option by the Bayesian
information criterion among a few nested candidates (down to a constant, which gives exactly 0
for an input that does not matter). Intervals come from a bootstrap over replications (the
chosen bases held fixed, each resample a weighted refit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy.interpolate import BSpline

from autosim.decide.risk import analysis_rng

__all__ = ["MIN_REPLICATIONS", "evppi", "value_of_information"]

#: Fewer replications than this give no value-of-information section (a note instead).
MIN_REPLICATIONS = 20

#: Bootstrap resamples for the intervals.
N_BOOTSTRAP = 200


@dataclass(frozen=True)
class EVPPI:
    """One EVPPI estimate with its bootstrap interval."""

    value: float
    ci95: tuple[float, float]
    p_switch: float  # share of input values at which knowing them changes the decision


def _spline(x: np.ndarray, n_knots: int) -> np.ndarray | None:
    """Cubic B-spline basis on ``x`` with ``n_knots`` interior knots at quantiles (with 1s)."""
    lo, hi = float(x.min()), float(x.max())
    inner = np.unique(np.quantile(x, np.linspace(0, 1, n_knots + 2)[1:-1]))
    inner = inner[(inner > lo) & (inner < hi)]
    if len(inner) < n_knots:
        return None
    knots = np.r_[[lo] * 4, inner, [hi] * 4]
    return BSpline.design_matrix(x, knots, 3).toarray()


def _one_input_bases(x: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Candidate bases for one input: constant, linear, cubic splines with 0–8 knots."""
    ones = np.ones((n, 1))
    bases = {"constant": ones, "linear": np.c_[ones, x]}
    distinct = np.unique(x).size
    if distinct <= 12:  # a discrete input: one mean per value ("binned means")
        bases["levels"] = (x[:, None] == np.unique(x)[None, :]).astype(float)
        return bases
    for k in (0, 1, 2, 4, 8):
        basis = _spline(x, k)
        if basis is not None:
            bases[f"spline{k}"] = basis
    return bases


def _joint_bases(x: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Candidate bases for several inputs: additive splines, then pairwise interactions."""
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    ones = np.ones((n, 1))
    pairs = np.column_stack([z[:, i] * z[:, j] for i, j in combinations(range(z.shape[1]), 2)])
    bases = {"constant": ones}
    bases.update({f"linear{i}": np.c_[ones, z[:, i]] for i in range(z.shape[1])})  # one matters
    bases.update(linear=np.c_[ones, z], pairs=np.c_[ones, z, pairs])
    for k in (0, 1, 3):
        parts = [_spline(z[:, i], k) for i in range(z.shape[1])]
        if any(p is None for p in parts):
            continue
        additive = np.column_stack([ones, *(p[:, 1:] for p in parts)])  # one shared intercept
        bases[f"additive{k}"] = additive
        if k == 0:
            bases["additive0+pairs"] = np.c_[additive, pairs]
    return bases


def _fit(basis: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Weighted least-squares fitted values for every column of ``y``.

    Solved through the small normal equations (minimum-norm, so a basis column that a resample
    leaves empty does no harm): several times faster than a QR or SVD of the tall basis, which
    matters with a bootstrap of every input and option.
    """
    scaled = basis.T if weights is None else basis.T * weights
    coef = np.linalg.lstsq(scaled @ basis, scaled @ y, rcond=None)[0]
    return basis @ coef


def _select(bases: dict[str, np.ndarray], y: np.ndarray) -> list[str]:
    """Per option (column of ``y``), the basis with the lowest BIC, ``n log(RSS/n) + p log n``.

    BIC rather than AIC or GCV because noise chased is information claimed: an input that does
    not matter should fall back to the constant (EVPPI exactly 0), which BIC's heavier penalty
    does far more often. Bases with more than a third as many columns as observations are not
    tried.
    """
    n = y.shape[0]
    scores = {}
    floor = 1e-12 * max(1.0, float((y**2).sum()))  # a perfect fit must not score -inf
    for name, basis in bases.items():
        p = basis.shape[1]
        if p > max(1, n // 3):
            continue
        rss = ((y - _fit(basis, y)) ** 2).sum(axis=0)
        scores[name] = n * np.log(np.maximum(rss, floor) / n) + p * np.log(n)
    names = list(scores)
    table = np.array([scores[k] for k in names])  # bases x options, simplest first
    return [names[i] for i in np.argmin(table, axis=0)]  # ties go to the simpler basis


def _gain(fitted: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """EVPPI and P(switch) from fitted values (samples x options, column 0 doing nothing)."""
    total = weights.sum()
    now = int(np.argmax(weights @ fitted))
    value = weights @ (fitted.max(axis=1) - fitted[:, now]) / total
    return float(value), float(weights @ (fitted.argmax(axis=1) != now) / total)


def _fitted(
    bases: dict[str, np.ndarray], chosen: list[str], y: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    out = np.empty_like(y)
    for name in dict.fromkeys(chosen):
        cols = [i for i, c in enumerate(chosen) if c == name]
        out[:, cols] = _fit(bases[name], y[:, cols], weights)
    return out


def evppi(
    npv: np.ndarray,
    inputs: np.ndarray,
    rng: np.random.Generator,
    n_bootstrap: int = N_BOOTSTRAP,
) -> EVPPI:
    """EVPPI of knowing ``inputs`` (samples x k) for a choice among ``npv``'s columns or nothing.

    ``npv`` is samples x options, each row one replication; doing nothing is worth 0 and is
    added here. One input column gets the spline smoother, several the joint one.
    """
    y = np.c_[np.zeros(len(npv)), np.asarray(npv, dtype=float)]
    x = np.asarray(inputs, dtype=float).reshape(len(y), -1)
    n = len(y)
    bases = _one_input_bases(x[:, 0], n) if x.shape[1] == 1 else _joint_bases(x, n)
    chosen = _select(bases, y)
    ones = np.ones(n)
    value, p_switch = _gain(_fitted(bases, chosen, y, ones), ones)
    boot = []
    for _ in range(n_bootstrap):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        boot.append(_gain(_fitted(bases, chosen, y, weights), weights)[0])
    lo, hi = np.quantile(boot, [0.025, 0.975]) if boot else (np.nan, np.nan)
    return EVPPI(value, (float(lo), float(hi)), p_switch)


def _options(summary_variants: Sequence[dict[str, Any]]) -> list[str]:
    """Automation variants that fit every constraint (all of them without a strategy)."""
    return [
        v["id"]
        for v in summary_variants
        if v["automations"] and all(c["fits"] for c in (v.get("constraints") or {}).values())
    ]


def value_of_information(
    replications: pd.DataFrame,
    summary_variants: Sequence[dict[str, Any]],
    seed: int,
    baseline: str = "baseline",
) -> dict[str, Any]:
    """The ``value_of_information`` section of ``summary.json``.

    The decision is buy-or-not among the options that fit the constraints, by expected NPV
    against the baseline. Reports the EVPI of all uncertain inputs together (``evpi``), the
    EVPPI of each input alone (``inputs``, largest first), the naive perfect-foresight value
    (an upper bound that counts day-to-day luck as information), and a sentence.
    """
    options = _options(summary_variants)
    npv = replications.pivot(index="replication", columns="variant", values="npv")
    npv = npv.reindex(columns=options).dropna()
    out: dict[str, Any] = {"options": options, "method": "regression (Strong & Oakley 2014)"}
    columns = [c for c in replications.columns if c.startswith("input:")]
    mask = replications["variant"] == baseline
    base = replications.loc[mask, ["replication", *columns]].set_index("replication")
    inputs = base.reindex(npv.index)[columns]
    varying = [c for c in columns if inputs[c].nunique() > 1]
    note = _unusable(replications, columns, len(npv), options, varying)
    means = npv.mean()
    top = float(means.max()) if len(means) and len(npv) else 0.0
    choice = str(means.idxmax()) if top > 0 else baseline
    out["decision"] = {"choice": choice, "expected_npv": max(0.0, top)}
    if note:
        return {**out, "note": note}
    y = npv.to_numpy(float)
    draws = np.c_[np.zeros(len(y)), y]
    foresight = draws.max(axis=1).mean() - draws.mean(axis=0).max()
    overall = evppi(y, inputs[varying].to_numpy(float), analysis_rng(seed, "evpi"))
    per_input = [
        (c.removeprefix("input:"), evppi(y, inputs[c].to_numpy(float), analysis_rng(seed, c)))
        for c in varying
    ]
    per_input.sort(key=lambda item: item[1].value, reverse=True)
    out.update(
        evpi={"value": overall.value, "ci95": list(overall.ci95), "p_switch": overall.p_switch},
        perfect_foresight=float(foresight),
        inputs=[
            {"input": name, "evppi": e.value, "ci95": list(e.ci95), "p_switch": e.p_switch}
            for name, e in per_input
        ],
        most_valuable=per_input[0][0] if per_input and per_input[0][1].value > 0 else None,
        n=len(y),
    )
    out["text"] = _sentence(out)
    return out


def _unusable(
    replications: pd.DataFrame,
    columns: list[str],
    n: int,
    options: list[str],
    varying: list[str],
) -> str | None:
    """Why no value of information can be estimated from this run (None when it can)."""
    if not options:
        return "no automation fits the constraints: there is no decision to inform"
    if not varying:
        return "no uncertain inputs vary: all the spread is day-to-day randomness"
    if n < MIN_REPLICATIONS:
        return f"needs at least {MIN_REPLICATIONS} replications (got {n})"
    same = replications.groupby("replication")[columns].nunique(dropna=False).le(1).all()
    if not bool(same.all()):
        return "variants saw different inputs (common random numbers off): not estimable"
    return None


def _sentence(out: dict[str, Any]) -> str:
    evpi, choice = out["evpi"], out["decision"]["choice"]
    lo, hi = evpi["ci95"]
    if out["most_valuable"] is None and evpi["value"] <= 0:
        return (
            f"the choice ({choice}) does not depend on what is still unknown: knowing every "
            "uncertain input before deciding would not change it (EVPI 0)."
        )
    first = (
        f"knowing every uncertain input before deciding would be worth about "
        f"{evpi['value']:,.0f} in expected NPV (95% interval {lo:,.0f} to {hi:,.0f}); "
        f"it would change the choice ({choice}) in {evpi['p_switch']:.0%} of cases"
    )
    if out["most_valuable"] is None:
        return first + "; no single input is worth learning on its own."
    top = out["inputs"][0]
    return f"{first}; the input most worth knowing is {top['input']} ({top['evppi']:,.0f})."
