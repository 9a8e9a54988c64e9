"""Continuous families confined to a finite interval [low, high].

This module owns the estimates an analyst writes when only the range is known: triangular and
modified-PERT three-point estimates, the uniform and a beta shape stretched over [low, high].
They share the interval and mode validators from :mod:`autosim.dists.base`; keeping them apart
from the open-tailed families keeps each module small enough to read in one sitting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy import special

from autosim.dists.base import (
    Distribution,
    _check_factor,
    _require,
    _require_mode,
    _require_order,
    _stats,
)

if TYPE_CHECKING:
    from scipy.stats._distn_infrastructure import rv_frozen


def _beta_sd(a: float, b: float, width: float) -> float:
    """Standard deviation of a beta(a, b) variable stretched over an interval of ``width``."""
    return width * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))


@dataclass(frozen=True, repr=False)
class Triangular(Distribution):
    """A quick three-point guess: shortest, most likely, longest."""

    family: ClassVar[str] = "triangular"
    meaning: ClassVar[str] = "three-point estimate: minimum, most likely, maximum"
    parameters_doc: ClassVar[str] = "low, mode, high"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"low", "mode", "high"})

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        low, mode, high = self._float("low"), self._float("mode"), self._float("high")
        _require_order(self.family, low, high)
        _require_mode(self.family, low, mode, high)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        low, mode, high = self.low, self.mode, self.high
        width = high - low
        split = (mode - low) / width
        rising = low + np.sqrt(u * width * (mode - low))
        falling = high - np.sqrt(np.clip(1.0 - u, 0.0, 1.0) * width * (high - mode))
        return np.clip(np.where(u < split, rising, falling), low, high)

    @property
    def mean(self) -> float:  # type: ignore[override]
        return (self.low + self.mode + self.high) / 3.0

    @property
    def sd(self) -> float:  # type: ignore[override]
        low, mode, high = self.low, self.mode, self.high
        square = low**2 + mode**2 + high**2 - low * mode - low * high - mode * high
        return math.sqrt(max(square, 0.0) / 18.0)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def scaled(self, factor: float) -> Triangular:
        factor = _check_factor(factor)
        return Triangular(self.low * factor, self.mode * factor, self.high * factor)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.triang`` with ``c`` the mode's position within [low, high]."""
        width = self.high - self.low
        return _stats().triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)


@dataclass(frozen=True, repr=False)
class Uniform(Distribution):
    """Anything between two bounds equally likely: honest ignorance."""

    family: ClassVar[str] = "uniform"
    meaning: ClassVar[str] = "any value between low and high equally likely"
    parameters_doc: ClassVar[str] = "low, high"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"low", "high"})

    low: float
    high: float

    def __post_init__(self) -> None:
        _require_order(self.family, self._float("low"), self._float("high"))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + u * (self.high - self.low)

    @property
    def mean(self) -> float:  # type: ignore[override]
        return 0.5 * (self.low + self.high)

    @property
    def sd(self) -> float:  # type: ignore[override]
        return (self.high - self.low) / math.sqrt(12.0)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def scaled(self, factor: float) -> Uniform:
        factor = _check_factor(factor)
        return Uniform(self.low * factor, self.high * factor)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.uniform(loc=low, scale=high - low)``."""
        return _stats().uniform(loc=self.low, scale=self.high - self.low)


@dataclass(frozen=True, repr=False)
class Pert(Distribution):
    """Modified-PERT: a smoother three-point estimate that trusts the mode more."""

    family: ClassVar[str] = "pert"
    meaning: ClassVar[str] = "smooth three-point estimate; lamb weights the most likely value"
    parameters_doc: ClassVar[str] = "low, mode, high, lamb=4"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"low", "mode", "high"})

    low: float
    mode: float
    high: float
    lamb: float = 4.0
    _alpha: float = field(init=False, repr=False, compare=False)
    _beta: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        low, mode, high = self._float("low"), self._float("mode"), self._float("high")
        lamb = self._float("lamb")
        _require_order(self.family, low, high)
        _require_mode(self.family, low, mode, high)
        _require(lamb >= 0, self.family, "lamb", ">= 0", lamb)
        width = high - low
        self._set("_alpha", 1.0 + lamb * (mode - low) / width)
        self._set("_beta", 1.0 + lamb * (high - mode) / width)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        return self.low + width * special.betaincinv(self._alpha, self._beta, u)

    @property
    def mean(self) -> float:  # type: ignore[override]
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2.0)

    @property
    def sd(self) -> float:  # type: ignore[override]
        return _beta_sd(self._alpha, self._beta, self.high - self.low)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def scaled(self, factor: float) -> Pert:
        factor = _check_factor(factor)
        return Pert(self.low * factor, self.mode * factor, self.high * factor, self.lamb)

    def to_scipy(self) -> rv_frozen:
        """The PERT's beta(alpha, beta) shape stretched over [low, high] (``scipy.stats.beta``)."""
        return _stats().beta(self._alpha, self._beta, loc=self.low, scale=self.high - self.low)


@dataclass(frozen=True, repr=False)
class Beta(Distribution):
    """A beta(a, b) shape stretched over [low, high]: fractions, rates, bounded effort."""

    family: ClassVar[str] = "beta"
    meaning: ClassVar[str] = "beta(a, b) shape stretched over [low, high]; e.g. fractions"
    parameters_doc: ClassVar[str] = "a, b, low=0, high=1"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"low", "high"})

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self) -> None:
        self._positive("a")
        self._positive("b")
        _require_order(self.family, self._float("low"), self._float("high"))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * special.betaincinv(self.a, self.b, u)

    @property
    def mean(self) -> float:  # type: ignore[override]
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    @property
    def sd(self) -> float:  # type: ignore[override]
        return _beta_sd(self.a, self.b, self.high - self.low)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def scaled(self, factor: float) -> Beta:
        factor = _check_factor(factor)
        return Beta(self.a, self.b, self.low * factor, self.high * factor)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.beta(a, b, loc=low, scale=high - low)``."""
        return _stats().beta(self.a, self.b, loc=self.low, scale=self.high - self.low)
