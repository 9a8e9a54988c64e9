"""Families whose outcomes are a countable set of values: poisson, discrete and empirical.

This module owns the lookup-style inverse transforms -- a Poisson CDF table, a cumulative
probability search, an equal-weight index into sorted observations -- that keep every draw
``ppf(u)`` of a uniform, so these families stay coupled under common random numbers just like
the continuous ones. Reading empirical values from a CSV file belongs to
:mod:`autosim.dists.spec`; the :class:`Empirical` object only ever holds the values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy import special

from autosim.dists.base import (
    _U_MAX,
    Distribution,
    _check_factor,
    _fmt,
    _point_masses,
    _reals,
    _require,
    _stats,
)

if TYPE_CHECKING:
    from scipy.stats._distn_infrastructure import rv_frozen

_PROB_TOLERANCE = 1e-6
_POISSON_TABLE_MAX_MEAN = 1000.0
"""Poisson means up to this use a CDF lookup table (a few kB) instead of inverting per draw."""


@dataclass(frozen=True, repr=False)
class Poisson(Distribution):
    """Counts of independent events in a fixed window (calls per hour, parts per job)."""

    family: ClassVar[str] = "poisson"
    meaning: ClassVar[str] = "whole-number counts of independent events (sd = sqrt(mean))"
    parameters_doc: ClassVar[str] = "mean"

    mean: float
    _cdf: np.ndarray | None = field(init=False, repr=False, compare=False)
    """CDF at 0, 1, ..., up to the largest reachable count; None for large means."""

    def __post_init__(self) -> None:
        mean = self._float("mean")
        _require(mean >= 0, self.family, "mean", ">= 0", mean)
        table = None
        if 0 < mean <= _POISSON_TABLE_MAX_MEAN:
            top = float(self._inverted_cdf(np.asarray(_U_MAX)))
            table = special.pdtr(np.arange(top + 1.0), mean)
        self._set("_cdf", table)

    def _inverted_cdf(self, q: np.ndarray) -> np.ndarray:
        """Smallest count whose CDF reaches q: scipy.stats.poisson's recipe minus its checks."""
        upper = np.ceil(special.pdtrik(q, self.mean))
        lower = np.maximum(upper - 1.0, 0.0)
        out = np.where(special.pdtr(lower, self.mean) >= q, lower, upper)
        return np.where(q <= 0.0, 0.0, out)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        if self.mean == 0:
            return np.zeros(u.shape)
        q = np.clip(u, 0.0, _U_MAX)
        if self._cdf is None:
            return self._inverted_cdf(q)
        # A table lookup is exact (same CDF) and much faster than inverting per draw.
        return np.searchsorted(self._cdf, q, side="left").astype(float)

    @property
    def sd(self) -> float:  # type: ignore[override]
        return math.sqrt(self.mean)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def scaled(self, factor: float) -> Poisson:
        if _check_factor(factor) == 1.0:
            return self
        raise ValueError(
            f"poisson: a count cannot be scaled by {_fmt(factor)} (the result is not a count); "
            "scale its mean instead"
        )

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.poisson(mean)`` (scipy accepts a mean of 0: always 0)."""
        return _stats().poisson(self.mean)


def _sorted_pairs(
    values: tuple[float, ...], probs: tuple[float, ...] | None
) -> tuple[tuple[float, ...], tuple[float, ...] | None]:
    """Sort values (carrying their probabilities) so the ppf is monotone."""
    order = sorted(range(len(values)), key=values.__getitem__)
    sorted_values = tuple(values[i] for i in order)
    return sorted_values, None if probs is None else tuple(probs[i] for i in order)


@dataclass(frozen=True, repr=False)
class Discrete(Distribution):
    """A short list of possible outcomes with their probabilities (equal when omitted).

    Values are kept sorted (with their probabilities) so the ppf is monotone, which keeps
    common-random-number coupling meaningful.
    """

    family: ClassVar[str] = "discrete"
    meaning: ClassVar[str] = "a few possible values with probabilities (equal if omitted)"
    parameters_doc: ClassVar[str] = "values, probs (optional)"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"values"})
    _list_params: ClassVar[frozenset[str]] = frozenset({"values", "probs"})

    values: tuple[float, ...]
    probs: tuple[float, ...] | None = None
    _points: np.ndarray = field(init=False, repr=False, compare=False)
    _weights: np.ndarray = field(init=False, repr=False, compare=False)
    _cum: np.ndarray = field(init=False, repr=False, compare=False)
    _last: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = _reals(self.family, "values", self.values)
        probs = None if self.probs is None else self._checked_probs(len(values))
        values, probs = _sorted_pairs(values, probs)
        self._set("values", values)
        self._set("probs", probs)
        weights = np.full(len(values), 1.0) if probs is None else np.array(probs)
        weights = weights / weights.sum()
        self._set("_points", np.array(values))
        self._set("_weights", weights)
        self._set("_cum", np.cumsum(weights))
        self._set("_last", int(np.flatnonzero(weights > 0)[-1]))

    def _checked_probs(self, n: int) -> tuple[float, ...]:
        """Probabilities: one per value, each >= 0, summing to 1 (within 1e-6)."""
        probs = _reals(self.family, "probs", self.probs)
        if len(probs) != n:
            raise ValueError(
                f"discrete: probs must have one entry per value "
                f"(got {len(probs)} probs for {n} values)"
            )
        for i, p in enumerate(probs):
            _require(p >= 0, self.family, f"probs[{i}]", ">= 0", p)
        total = math.fsum(probs)
        if abs(total - 1.0) > _PROB_TOLERANCE:
            raise ValueError(f"discrete: probs must sum to 1 (got {total:.10g})")
        return probs

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        index = np.minimum(np.searchsorted(self._cum, u, side="right"), self._last)
        return self._points[index]

    @property
    def mean(self) -> float:  # type: ignore[override]
        return float(np.dot(self._points, self._weights))

    @property
    def sd(self) -> float:  # type: ignore[override]
        spread = (self._points - self.mean) ** 2
        return math.sqrt(float(np.dot(spread, self._weights)))

    @property
    def support(self) -> tuple[float, float]:
        possible = self._points[self._weights > 0]
        return (float(possible.min()), float(possible.max()))

    def scaled(self, factor: float) -> Discrete:
        factor = _check_factor(factor)
        return Discrete(tuple(v * factor for v in self.values), self.probs)

    def to_scipy(self) -> rv_frozen:
        """``rv_discrete`` on the values with positive probability (repeats merged)."""
        return _point_masses(self._points, self._weights)


@dataclass(frozen=True, repr=False)
class Empirical(Distribution):
    """Resample observed values with equal weight: "the future looks like last quarter".

    The values themselves are stored (sorted), never a file path, so the object pickles and
    needs no file once built.
    """

    family: ClassVar[str] = "empirical"
    meaning: ClassVar[str] = "resample observed values (a list, or a CSV column) with equal weight"
    parameters_doc: ClassVar[str] = "values | file, column (optional), unit (durations from file)"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"values"})
    _list_params: ClassVar[frozenset[str]] = frozenset({"values"})

    values: tuple[float, ...]
    _points: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = tuple(sorted(_reals(self.family, "values", self.values)))
        self._set("values", values)
        self._set("_points", np.array(values))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        n = len(self.values)
        index = np.clip(np.floor(u * n).astype(np.intp), 0, n - 1)
        return self._points[index]

    @property
    def mean(self) -> float:  # type: ignore[override]
        return float(self._points.mean())

    @property
    def sd(self) -> float:  # type: ignore[override]
        return float(self._points.std())

    @property
    def support(self) -> tuple[float, float]:
        return (self.values[0], self.values[-1])

    def scaled(self, factor: float) -> Empirical:
        factor = _check_factor(factor)
        return Empirical(tuple(v * factor for v in self.values))

    def to_scipy(self) -> rv_frozen:
        """``rv_discrete`` on the distinct observed values, each with its share of observations.

        The ppf resamples the observations with equal weight (no interpolation between them),
        so this is the exact equivalent, not an approximation.
        """
        return _point_masses(self._points, np.full(len(self._points), 1.0 / len(self._points)))
