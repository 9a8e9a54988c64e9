"""Where the spread comes from: not knowing the inputs, or day-to-day luck.

An automation's ROI varies from replication to replication for two reasons: the uncertain
parameters (demand growth, adoption, effect sizes — sampled once per replication) and process
variability (which customers call when, how long each job takes). Only the first shrinks with
better data; the second is the business's weather. To tell them apart, ``K`` worlds are sampled
(outer samples: replication ``k``'s inputs, as in the main run) and each is replayed ``R`` times
with fresh process randomness (inner repetitions: the same replication's streams with salt ``j``).
A one-way random-effects ANOVA then splits the variance of a single replication's output:

* process variance = the mean variance within a world (``MSW``);
* parameter variance = the variance of the worlds' means minus ``MSW / R`` (clipped at 0).

The share explained by the parameters, with a bootstrap interval over the outer samples, says
whether better data would narrow the answer (high share) or not (low share: only more replications
narrow the *mean*; the spread itself is the business's luck).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autosim.errors import RunError
from autosim.experiment.streams import SeedLike, Streams, fresh_entropy, name_key
from autosim.scenario.schema import Scenario

__all__ = [
    "DEFAULT_INNER",
    "DEFAULT_OUTER",
    "VarianceResult",
    "split_variance",
    "variance_attribution",
]

DEFAULT_OUTER = 40
DEFAULT_INNER = 5
N_BOOTSTRAP = 1000
SPLIT_KEYS = (
    "n_outer",
    "var_total",
    "var_parameters",
    "var_process",
    "share_parameters",
    "share_parameters_lo",
    "share_parameters_hi",
    "share_process",
)


def _components(means: np.ndarray, within: np.ndarray, n_inner: int) -> tuple[Any, Any]:
    """(parameter, process) variance from group means and within-group variances.

    Works along the last axis, so bootstrap resamples are computed in one go.
    """
    process = within.mean(axis=-1)
    parameters = np.maximum(means.var(axis=-1, ddof=1) - process / n_inner, 0.0)
    return parameters, process


def split_variance(
    values: np.ndarray,
    rng: np.random.Generator | None = None,
    *,
    n_bootstrap: int = N_BOOTSTRAP,
    conf_level: float = 0.95,
) -> dict[str, float]:
    """Split the variance of a ``K x R`` array (outer samples x inner repetitions).

    Rows with a missing or infinite value are left out (``n_outer`` counts those used).

    Returns
    -------
    dict
        ``var_total`` (of one replication's output), ``var_parameters``, ``var_process``,
        ``share_parameters`` with its bootstrap interval ``share_parameters_lo/hi``, and
        ``share_process`` (= 1 - share_parameters); NaN when fewer than two outer samples or
        no spread at all.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> worlds = rng.normal(0, 3, size=(400, 1))     # parameter sd 3: variance 9
    >>> luck = rng.normal(0, 1, size=(400, 5))       # process sd 1: variance 1
    >>> split = split_variance(worlds + luck, np.random.default_rng(2))
    >>> round(split["share_parameters"], 1)
    0.9
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] < 2:
        raise ValueError(f"need a K x R array with R >= 2 inner repetitions (got {values.shape})")
    values = values[np.isfinite(values).all(axis=1)]
    n_outer, n_inner = values.shape
    out = dict.fromkeys(SPLIT_KEYS, float("nan"))
    out["n_outer"] = n_outer
    if n_outer < 2:
        return out
    means, within = values.mean(axis=1), values.var(axis=1, ddof=1)
    parameters, process = _components(means, within, n_inner)
    total = float(parameters + process)
    out.update(var_total=total, var_parameters=float(parameters), var_process=float(process))
    if total <= 0:
        return out
    rng = rng or np.random.default_rng(0)
    picks = rng.integers(0, n_outer, size=(n_bootstrap, n_outer))
    boot_par, boot_proc = _components(means[picks], within[picks], n_inner)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = boot_par / (boot_par + boot_proc)
    shares = shares[np.isfinite(shares)]
    tail = (1 - conf_level) / 2
    share = float(parameters) / total
    out.update(share_parameters=share, share_process=1.0 - share)
    if shares.size:
        lo, hi = np.quantile(shares, [tail, 1 - tail])
        out.update(share_parameters_lo=float(lo), share_parameters_hi=float(hi))
    return out


@dataclass(frozen=True)
class VarianceResult:
    """Parameter vs process shares of each output's variance, per variant."""

    table: pd.DataFrame
    n_outer: int
    n_inner: int
    seed: int
    notes: tuple[str, ...] = field(default=())

    def headlines(self) -> list[str]:
        """One plain sentence per automation: would better data narrow its ROI?"""
        lines = []
        rows = self.table[self.table["output"] == "roi"].dropna(subset=["share_parameters"])
        for row in rows.sort_values("share_parameters", ascending=False).itertuples():
            share, lo, hi = row.share_parameters, row.share_parameters_lo, row.share_parameters_hi
            band = f" ({lo:.0%}–{hi:.0%})" if np.isfinite(lo) else ""
            if share >= 0.5:
                verdict = "better data would narrow it"
            else:
                verdict = "mostly day-to-day randomness, which better data would not remove"
            lines.append(
                f"{row.variant} ROI: the uncertain parameters explain {share:.0%}{band} of its "
                f"spread — {verdict}"
            )
        if lines:
            best = rows.sort_values("share_parameters", ascending=False).iloc[0]
            share = best["share_parameters"]
            if share >= 0.5:
                lead = (
                    f"better data would narrow ROI most for {best['variant']}: the uncertain "
                    f"parameters explain {share:.0%} of its spread"
                )
            else:
                lead = (
                    "ROI's spread is mostly day-to-day randomness for every automation (the "
                    f"parameters explain at most {share:.0%}): better data would narrow it little"
                )
            lines.insert(0, lead)
        return lines

    def summary(self) -> dict[str, Any]:
        """The ``variance`` section of summary.json."""
        return {
            "outer_samples": self.n_outer,
            "inner_repetitions": self.n_inner,
            "seed": self.seed,
            "method": "one-way random-effects ANOVA over outer samples (inputs) x inner "
            "repetitions (process streams); shares' 95% interval by bootstrap over outer samples",
            "rows": self.table.to_dict(orient="records"),
            "headlines": self.headlines(),
            "notes": list(self.notes),
        }


def default_outputs(scenario: Scenario) -> list[str]:
    """ROI, NPV and the columns the strategy's goals read."""
    outputs = ["roi", "npv"]
    if scenario.strategy is not None:
        for goal in scenario.strategy.goals:
            outputs += [cond.column() for cond in goal.all]
    return list(dict.fromkeys(outputs))


def variance_attribution(
    scenario: Scenario,
    n_outer: int = DEFAULT_OUTER,
    n_inner: int = DEFAULT_INNER,
    seed: SeedLike = None,
    *,
    outputs: Sequence[str] | None = None,
    variants: Sequence[Any] | None = None,
    executor: str = "processes",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_jobs: int | None = None,
) -> VarianceResult:
    """Split each output's spread into uncertain parameters vs process variability.

    Runs ``n_outer * n_inner`` replications of every variant. Outer sample ``k`` has the inputs
    of the main run's replication ``k`` (same seed), correlations included.

    Examples
    --------
    ``variance_attribution(load_scenario("shop.yaml"), 40, 5, seed=1).table`` is the tidy
    table also written to ``variance.csv``.
    """
    from autosim.experiment.designs.base import DesignPoint, run_design
    from autosim.experiment.inputs import InputSampler
    from autosim.experiment.variants import default_variants

    if n_outer < 2 or n_inner < 2:
        raise RunError(
            f"a variance split needs at least 2 outer samples and 2 inner repetitions "
            f"(got {n_outer} x {n_inner})"
        )
    sampler = InputSampler(scenario)
    if not sampler.names:
        raise RunError(
            f"scenario {scenario.name!r} has no uncertain inputs: all of its spread is process "
            "variability, there is nothing to split"
        )
    entropy = fresh_entropy() if seed is None else int(seed)
    variants = tuple(variants or default_variants(scenario))
    points = []
    for k in range(n_outer):
        world = sampler(Streams(entropy, k))
        points += [DesignPoint(world, k, salt=j) for j in range(n_inner)]
    rows = run_design(
        scenario,
        points,
        entropy,
        variants=variants,
        executor=executor,
        n_jobs=n_jobs,
        scheduler=scheduler,
        progress=progress,
        max_jobs=max_jobs,
    )
    boot = np.random.SeedSequence(entropy, spawn_key=(name_key("variance:bootstrap"),))
    rng = np.random.default_rng(boot)
    records, notes = [], []
    for output in outputs or default_outputs(scenario):
        if output not in rows.columns:
            notes.append(f"no column {output!r} in the replications; left out")
            continue
        for v in variants:
            y = rows.loc[rows["variant"] == v.id, output].to_numpy(float)
            if np.isnan(y).all():
                continue
            split = split_variance(y.reshape(n_outer, n_inner), rng)
            if split["n_outer"] < n_outer:
                notes.append(
                    f"{output} of {v.id}: {n_outer - split['n_outer']} of {n_outer} outer "
                    "samples left out (undefined or infinite values)"
                )
            records.append({"variant": v.id, "output": output, "n_inner": n_inner, **split})
    table = pd.DataFrame.from_records(records)
    return VarianceResult(table, n_outer, n_inner, entropy, tuple(notes))
