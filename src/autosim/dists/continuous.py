"""Continuous families with an open-ended right tail, plus the constant.

This module owns the shapes used for durations and amounts that have no natural upper bound:
constant, exponential, lognormal, normal (optionally truncated), gamma and weibull. Apart from
the normal they are parametrised by the mean and sd of the variable itself, because that is
what an analyst measures; the internal shape/scale constants are derived once at construction.
The bounded three-point and interval families live in :mod:`autosim.dists.bounded`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from scipy import special

from autosim.dists.base import (
    _U_MAX,
    _U_MIN,
    Distribution,
    _check_factor,
    _fmt,
    _fmt_param,
    _point_masses,
    _require_order,
    _stats,
)

if TYPE_CHECKING:
    from scipy.stats._distn_infrastructure import rv_frozen


def _phi(x: float) -> float:
    """Standard normal density, 0 at +-inf."""
    return 0.0 if math.isinf(x) else math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, repr=False)
class Constant(Distribution):
    """Always the same value: the deterministic baseline."""

    family: ClassVar[str] = "constant"
    meaning: ClassVar[str] = "always the same value"
    parameters_doc: ClassVar[str] = "value"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"value"})

    value: float

    def __post_init__(self) -> None:
        self._float("value")

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(u.shape, self.value)

    @property
    def mean(self) -> float:  # type: ignore[override]
        return self.value

    @property
    def sd(self) -> float:  # type: ignore[override]
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def scaled(self, factor: float) -> Constant:
        return Constant(self.value * _check_factor(factor))

    def to_scipy(self) -> rv_frozen:
        """A one-point ``rv_discrete``: no continuous scipy family puts all its mass on a value."""
        return _point_masses(np.array([self.value]), np.array([1.0]))


@dataclass(frozen=True, repr=False)
class Exponential(Distribution):
    """Memoryless waiting times, e.g. the gap between independent customer calls."""

    family: ClassVar[str] = "exponential"
    meaning: ClassVar[str] = "memoryless time between independent events (sd = mean)"
    parameters_doc: ClassVar[str] = "mean"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"mean"})

    mean: float

    def __post_init__(self) -> None:
        self._positive("mean")

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mean * np.log1p(-np.clip(u, 0.0, _U_MAX))

    @property
    def sd(self) -> float:  # type: ignore[override]
        return self.mean

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def scaled(self, factor: float) -> Exponential:
        return Exponential(self.mean * _check_factor(factor))

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.expon(scale=mean)``."""
        return _stats().expon(scale=self.mean)


@dataclass(frozen=True, repr=False)
class Lognormal(Distribution):
    """Right-skewed positive values -- the usual shape of task durations and job sizes."""

    family: ClassVar[str] = "lognormal"
    meaning: ClassVar[str] = "right-skewed positive values (mean and sd of the value itself)"
    parameters_doc: ClassVar[str] = "mean, sd"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"mean", "sd"})

    mean: float
    sd: float
    _mu: float = field(init=False, repr=False, compare=False)
    _sigma: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mean, sd = self._positive("mean"), self._positive("sd")
        sigma2 = math.log1p((sd / mean) ** 2)
        self._set("_mu", math.log(mean) - 0.5 * sigma2)
        self._set("_sigma", math.sqrt(sigma2))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self._mu + self._sigma * special.ndtri(np.clip(u, 0.0, _U_MAX)))

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def scaled(self, factor: float) -> Lognormal:
        factor = _check_factor(factor)
        return Lognormal(self.mean * factor, self.sd * factor)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.lognorm(s=sigma, scale=exp(mu))`` with mu, sigma those of log(X)."""
        return _stats().lognorm(s=self._sigma, scale=math.exp(self._mu))


@dataclass(frozen=True, init=False, repr=False)
class Normal(Distribution):
    """Symmetric noise around a typical value, optionally truncated to [low, high].

    The ``mean`` and ``sd`` parameters are those of the untruncated bell curve (stored as
    ``mu`` and ``sigma``); the :attr:`mean` and :attr:`sd` properties are those of the
    truncated variable actually drawn.
    """

    family: ClassVar[str] = "normal"
    meaning: ClassVar[str] = (
        "symmetric noise; optional low/high truncate it (mean/sd are before truncation)"
    )
    parameters_doc: ClassVar[str] = "mean, sd, low (optional), high (optional)"
    _spec_names: ClassVar[dict[str, str]] = {"mu": "mean", "sigma": "sd"}
    _duration_params: ClassVar[frozenset[str]] = frozenset({"mean", "sd", "low", "high"})

    mu: float
    sigma: float
    low: float | None = None
    high: float | None = None
    _mirror: bool = field(init=False, repr=False, compare=False)
    _p0: float = field(init=False, repr=False, compare=False)
    _mass: float = field(init=False, repr=False, compare=False)
    _tmean: float = field(init=False, repr=False, compare=False)
    _tsd: float = field(init=False, repr=False, compare=False)

    def __init__(
        self, mean: float, sd: float, low: float | None = None, high: float | None = None
    ) -> None:
        self._set("mu", mean)
        self._set("sigma", sd)
        self._set("low", low)
        self._set("high", high)
        self.__post_init__()

    def __post_init__(self) -> None:
        mu, sigma = self._float("mu"), self._positive("sigma")
        low, high = self._optional_float("low"), self._optional_float("high")
        if low is not None and high is not None:
            _require_order(self.family, low, high)
        a = -math.inf if low is None else (low - mu) / sigma
        b = math.inf if high is None else (high - mu) / sigma
        # Work in the tail nearer the interval so that far-tail truncation keeps its precision.
        mirror = a > 0
        p0, p1 = (
            (special.ndtr(-a), special.ndtr(-b)) if mirror else (special.ndtr(a), special.ndtr(b))
        )
        mass = float(abs(p1 - p0))
        if not mass > 1e-300:
            raise ValueError(
                f"normal: the interval [low, high] lies too far in the tail of the curve "
                f"(got mean={_fmt(mu)}, sd={_fmt(sigma)}, low={_fmt_param(low)}, "
                f"high={_fmt_param(high)})"
            )
        ratio = (_phi(a) - _phi(b)) / mass
        xphi = (0.0 if math.isinf(a) else a * _phi(a)) - (0.0 if math.isinf(b) else b * _phi(b))
        variance = sigma**2 * max(1.0 + xphi / mass - ratio**2, 0.0)
        self._set("_mirror", mirror)
        self._set("_p0", float(p0))
        self._set("_mass", mass)
        self._set("_tmean", mu + sigma * ratio)
        self._set("_tsd", math.sqrt(variance))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(u, _U_MIN if self.low is None else 0.0, _U_MAX)
        if self._mirror:
            x = self.mu - self.sigma * special.ndtri(self._p0 - u * self._mass)
        else:
            x = self.mu + self.sigma * special.ndtri(self._p0 + u * self._mass)
        return np.clip(x, *self.support)

    @property
    def mean(self) -> float:  # type: ignore[override]
        return self._tmean

    @property
    def sd(self) -> float:  # type: ignore[override]
        return self._tsd

    @property
    def support(self) -> tuple[float, float]:
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )

    def scaled(self, factor: float) -> Normal:
        factor = _check_factor(factor)
        low = None if self.low is None else self.low * factor
        high = None if self.high is None else self.high * factor
        return Normal(self.mu * factor, self.sigma * factor, low, high)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.norm``, or ``scipy.stats.truncnorm`` when low or high is set."""
        if self.low is None and self.high is None:
            return _stats().norm(loc=self.mu, scale=self.sigma)
        a, b = ((bound - self.mu) / self.sigma for bound in self.support)
        return _stats().truncnorm(a, b, loc=self.mu, scale=self.sigma)


@dataclass(frozen=True, repr=False)
class Gamma(Distribution):
    """Positive values with a lighter right tail than the lognormal."""

    family: ClassVar[str] = "gamma"
    meaning: ClassVar[str] = "positive values, lighter right tail than lognormal"
    parameters_doc: ClassVar[str] = "mean, sd"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"mean", "sd"})

    mean: float
    sd: float
    _shape: float = field(init=False, repr=False, compare=False)
    _scale: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mean, sd = self._positive("mean"), self._positive("sd")
        self._set("_shape", (mean / sd) ** 2)
        self._set("_scale", sd * sd / mean)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self._scale * special.gammaincinv(self._shape, np.clip(u, 0.0, _U_MAX))

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def scaled(self, factor: float) -> Gamma:
        factor = _check_factor(factor)
        return Gamma(self.mean * factor, self.sd * factor)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.gamma(a=(mean/sd)**2, scale=sd**2/mean)``."""
        return _stats().gamma(a=self._shape, scale=self._scale)


def _weibull_shape(cv: float) -> float:
    """Weibull shape k whose coefficient of variation is ``cv`` (it falls as k grows)."""
    from scipy.optimize import brentq

    target = math.log1p(cv * cv)

    def gap(log_k: float) -> float:
        k = math.exp(log_k)
        return float(special.gammaln(1 + 2 / k) - 2 * special.gammaln(1 + 1 / k)) - target

    return math.exp(brentq(gap, math.log(0.05), math.log(5000.0), xtol=1e-13))


@dataclass(frozen=True, repr=False)
class Weibull(Distribution):
    """Positive values whose tail is set by the data: wear-out (k > 1) or early failures (k < 1).

    Written with the mean and sd of the value itself, like lognormal and gamma; the shape and
    scale follow from them.
    """

    family: ClassVar[str] = "weibull"
    meaning: ClassVar[str] = "positive values; sd < mean: wear-out shape, sd > mean: long tail"
    parameters_doc: ClassVar[str] = "mean, sd"
    _duration_params: ClassVar[frozenset[str]] = frozenset({"mean", "sd"})

    mean: float
    sd: float
    _shape: float = field(init=False, repr=False, compare=False)
    _scale: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mean, sd = self._positive("mean"), self._positive("sd")
        cv = sd / mean
        if not 0.001 <= cv <= 20:
            raise ValueError(
                f"weibull: sd / mean must be between 0.001 and 20 (got {_fmt(cv)}); "
                "use constant or lognormal for such values"
            )
        shape = _weibull_shape(cv)
        self._set("_shape", shape)
        self._set("_scale", mean / math.exp(special.gammaln(1 + 1 / shape)))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self._scale * (-np.log1p(-np.clip(u, 0.0, _U_MAX))) ** (1.0 / self._shape)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def scaled(self, factor: float) -> Weibull:
        factor = _check_factor(factor)
        return Weibull(self.mean * factor, self.sd * factor)

    def to_scipy(self) -> rv_frozen:
        """``scipy.stats.weibull_min`` with the shape and scale solved from mean and sd."""
        return _stats().weibull_min(c=self._shape, scale=self._scale)
