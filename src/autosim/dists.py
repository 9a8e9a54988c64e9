"""Probability distributions as small, comparable, picklable value objects.

This module owns every random quantity a scenario can describe (service times, job values,
counts): how it is written in a scenario (:func:`from_spec` / :meth:`Distribution.to_spec`),
what it means (:attr:`~Distribution.mean`, :attr:`~Distribution.support`) and how it is drawn.
Think of each object as a recipe card: it says what the dish is, can be copied to every
kitchen (process) unchanged, and anyone cooking it with the same ingredients gets the same dish.

Sampling is always by inverse transform, ``sample(rng, size) == ppf(rng.random(size))``. Two
variants of a business (with and without an automation) that feed the same uniforms to
different distributions therefore stay coupled -- a slow job stays slow in both -- which is what
makes common random numbers shrink the noise in their difference.

Parameters are those of the variable itself (the mean and sd of a lognormal service time, not of
its logarithm), because that is what an analyst measures.
"""

from __future__ import annotations

import csv
import difflib
import math
import numbers
import pathlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
from scipy import special

from autosim.units import parse_duration

__all__ = [
    "FAMILIES",
    "Beta",
    "Constant",
    "Discrete",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Normal",
    "Pert",
    "Poisson",
    "Triangular",
    "Uniform",
    "Weibull",
    "describe_families",
    "from_spec",
]

_U_MAX = 1.0 - 1e-12
"""Largest uniform fed to a ppf whose value at 1 is infinite."""
_U_MIN = 1e-12
"""Smallest uniform fed to a ppf whose value at 0 is minus infinity."""
_PROB_TOLERANCE = 1e-6
_POISSON_TABLE_MAX_MEAN = 1000.0
"""Poisson means up to this use a CDF lookup table (a few kB) instead of inverting per draw."""
_REPR_ITEMS = 6

FloatOrArray = np.ndarray | float


# --------------------------------------------------------------------------- small helpers


def _fmt(value: float) -> str:
    """Shortest faithful text for a number (``90`` rather than ``90.0``)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _fmt_param(value: object) -> str:
    """Text for one parameter in a repr; long lists are shortened."""
    if isinstance(value, tuple | list):
        items = [_fmt(v) for v in value[:_REPR_ITEMS]]
        if len(value) > _REPR_ITEMS:
            items.append(f"... ({len(value)} values)")
        return "[" + ", ".join(items) + "]"
    if value is None:
        return "None"
    return _fmt(value)  # type: ignore[arg-type]


def _is_number(value: object) -> bool:
    """Real numbers only: a YAML ``yes`` is a boolean, never a quantity."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _real(family: str, name: str, value: object) -> float:
    """Check that ``value`` is a finite real number and return it as float."""
    if not _is_number(value):
        raise ValueError(f"{family}: {name} must be a number (got {value!r})")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"{family}: {name} must be finite (got {value!r})")
    return number


def _reals(family: str, name: str, values: object) -> tuple[float, ...]:
    """Check a non-empty list of finite numbers and return it as a tuple of floats."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(f"{family}: {name} must be a list of numbers (got {values!r})")
    if len(values) == 0:
        raise ValueError(f"{family}: {name} must not be empty")
    return tuple(_real(family, f"{name}[{i}]", v) for i, v in enumerate(values))


def _require(ok: bool, family: str, name: str, rule: str, value: float) -> None:
    """Raise the standard "family: name must be rule (got value)" message unless ``ok``."""
    if not ok:
        raise ValueError(f"{family}: {name} must be {rule} (got {_fmt(value)})")


def _require_order(family: str, low: float, high: float) -> None:
    """Refuse an empty or inverted interval, naming both ends."""
    if not low < high:
        raise ValueError(f"{family}: low must be < high (got low={_fmt(low)}, high={_fmt(high)})")


def _require_mode(family: str, low: float, mode: float, high: float) -> None:
    """Refuse a mode outside [low, high]."""
    if not low <= mode <= high:
        raise ValueError(
            f"{family}: mode must be between low and high "
            f"(got low={_fmt(low)}, mode={_fmt(mode)}, high={_fmt(high)})"
        )


def _beta_sd(a: float, b: float, width: float) -> float:
    """Standard deviation of a beta(a, b) variable stretched over an interval of ``width``."""
    return width * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))


def _phi(x: float) -> float:
    """Standard normal density, 0 at +-inf."""
    return 0.0 if math.isinf(x) else math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _join_names(names: Sequence[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b' and 'c'`` -- for readable messages."""
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


# --------------------------------------------------------------------------- the base class


class Distribution(ABC):
    """A random quantity that knows its meaning and samples by inverse transform.

    Subclasses are frozen dataclasses whose init fields are the scenario parameters, in
    internal units (minutes for durations); derived constants live in ``init=False`` fields
    excluded from comparison, so equality means "same parameters". Every subclass provides
    ``mean`` and ``sd`` -- as a parameter field where the parameter *is* the moment, otherwise
    as a property.
    """

    family: ClassVar[str] = ""
    meaning: ClassVar[str] = ""
    parameters_doc: ClassVar[str] = ""
    _spec_names: ClassVar[dict[str, str]] = {}
    """Field name -> scenario parameter name, where they differ."""
    _duration_params: ClassVar[frozenset[str]] = frozenset()
    """Location/scale parameters: durations wherever a time is expected."""
    _list_params: ClassVar[frozenset[str]] = frozenset()
    """Parameters that take a list of numbers."""

    mean: float
    """Expected value, used to sanity-check scenarios and to report what was assumed."""
    sd: float
    """Standard deviation (0 for a constant)."""

    @abstractmethod
    def _ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF on an array of uniforms in [0, 1)."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (either may be infinite)."""

    @abstractmethod
    def scaled(self, factor: float) -> Distribution:
        """The distribution of ``factor * X``, e.g. a service time made 20% faster."""

    def ppf(self, u: FloatOrArray) -> FloatOrArray:
        """Inverse CDF: the value below which a fraction ``u`` of outcomes fall.

        Vectorised; a scalar ``u`` gives a Python float, an array an array of the same shape.
        """
        out = self._ppf(np.asarray(u, dtype=float))
        if np.ndim(u) == 0:
            return float(out)
        return out

    def sample(
        self, rng: np.random.Generator, size: int | tuple[int, ...] | None = None
    ) -> FloatOrArray:
        """Draw by inverse transform, so equal uniforms give coupled draws across variants."""
        return self.ppf(rng.random(size))

    def params(self) -> dict[str, Any]:
        """Scenario parameters by their scenario names; optional ones left at None are omitted."""
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.init and value is not None:
                name = self._spec_names.get(f.name, f.name)
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def to_spec(self) -> dict[str, Any]:
        """A plain dict in internal units that :func:`from_spec` turns back into ``self``."""
        return {"dist": self.family, **self.params()}

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={_fmt_param(v)}" for k, v in self.params().items())
        return f"{self.family}({body})"

    def _set(self, name: str, value: object) -> None:
        """Assign on a frozen instance; used only while constructing."""
        object.__setattr__(self, name, value)

    def _float(self, name: str) -> float:
        """Coerce one field to a finite float in place and return it."""
        value = _real(self.family, self._spec_names.get(name, name), getattr(self, name))
        self._set(name, value)
        return value

    def _positive(self, name: str) -> float:
        """Coerce one field to a finite float that must be > 0."""
        value = self._float(name)
        _require(value > 0, self.family, self._spec_names.get(name, name), "> 0", value)
        return value

    def _optional_float(self, name: str) -> float | None:
        """Like :meth:`_float`, but None (an optional bound that is not set) is kept."""
        return None if getattr(self, name) is None else self._float(name)


def _check_factor(factor: float) -> float:
    """A scaling factor must be a finite positive number."""
    value = _real("scaled", "factor", factor)
    _require(value > 0, "scaled", "factor", "> 0", value)
    return value


# --------------------------------------------------------------------------- continuous families


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


# --------------------------------------------------------------------------- discrete families


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


FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls
    for cls in sorted(
        (
            Beta,
            Constant,
            Discrete,
            Empirical,
            Exponential,
            Gamma,
            Lognormal,
            Normal,
            Pert,
            Poisson,
            Triangular,
            Uniform,
            Weibull,
        ),
        key=lambda c: c.family,
    )
}
"""Every distribution family by its scenario name."""


def describe_families() -> list[dict[str, str]]:
    """One row per family (name, parameters, meaning) for generated documentation and help."""
    return [
        {"dist": name, "parameters": cls.parameters_doc, "meaning": cls.meaning}
        for name, cls in FAMILIES.items()
    ]


# --------------------------------------------------------------------------- reading specs

_DURATION = "duration"
_EMPIRICAL_FILE_KEYS = ("file", "column", "unit")


def from_spec(
    spec: object, *, unit: str | None = None, base_dir: pathlib.Path | None = None
) -> Distribution:
    """Build a distribution from its scenario form.

    Parameters
    ----------
    spec
        A number (a constant), a duration string such as ``"45 min"`` (a constant, only when
        ``unit="duration"``), a mapping ``{"dist": family, **parameters}``, or a
        :class:`Distribution` (returned as is).
    unit
        ``"duration"`` where the quantity is a time: location/scale parameters must then carry
        a unit (``"45 min"``) and are converted to minutes, so no number is ever silently read
        in the wrong unit. ``None`` where plain numbers are expected.
    base_dir
        Folder that relative ``file:`` paths (empirical data) are resolved against, normally
        the scenario file's folder.
    """
    if unit not in (None, _DURATION):
        raise ValueError(f"unit must be None or 'duration' (got {unit!r})")
    if isinstance(spec, Distribution):
        return spec
    if isinstance(spec, Mapping):
        try:
            dist = _from_mapping(spec, unit, base_dir)
            finite = [dist.mean, *dist.support]
        except (OverflowError, ZeroDivisionError, FloatingPointError):
            raise ValueError(
                f"the parameters of {spec.get('dist')!r} are too extreme to compute with "
                f"(got {spec})"
            ) from None
        if math.isnan(finite[0]) or math.isinf(finite[0]):
            raise ValueError(f"{dist!r} has no finite mean; check its parameters")
        return dist
    if isinstance(spec, bool) or not (_is_number(spec) or isinstance(spec, str)):
        expected = "a duration like '45 min'" if unit == _DURATION else "a number"
        raise ValueError(
            f"a distribution must be {expected} or a mapping with 'dist:' (got {spec!r})"
        )
    if unit == _DURATION:
        return Constant(parse_duration(spec))
    return Constant(_plain_number(spec, "a distribution without 'dist:' "))


def _plain_number(value: object, where: str) -> float:
    """A number where no unit is expected; a duration string gets a pointed message."""
    if isinstance(value, str):
        try:
            parse_duration(value)
        except ValueError:
            raise ValueError(f"{where}must be a number (got {value!r})") from None
        raise ValueError(
            f"{where}expects a number, not a duration (got {value!r}); units are only "
            "allowed where a time is expected"
        )
    if not _is_number(value):
        raise ValueError(f"{where}must be a number (got {value!r})")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"{where}must be finite (got {value!r})")
    return number


def _convert(cls: type[Distribution], name: str, value: object, unit: str | None) -> object:
    """Turn one raw parameter into internal units (minutes for durations)."""
    where = f"{cls.family}: {name} "
    as_duration = unit == _DURATION and name in cls._duration_params
    if name in cls._list_params:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise ValueError(f"{where}must be a list (got {value!r})")
        return tuple(
            _convert_one(f"{cls.family}: {name}[{i}] ", item, as_duration)
            for i, item in enumerate(value)
        )
    return _convert_one(where, value, as_duration)


def _convert_one(where: str, value: object, as_duration: bool) -> float:
    """One scalar parameter: a duration string (-> minutes) or a plain number."""
    if not as_duration:
        return _plain_number(value, where)
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{where.rstrip()}: {exc}") from None


def _param_names(cls: type[Distribution]) -> tuple[list[str], list[str]]:
    """(required, optional) scenario parameter names of a family, in declaration order."""
    required: list[str] = []
    optional: list[str] = []
    for f in fields(cls):  # type: ignore[arg-type]
        if f.init:
            name = cls._spec_names.get(f.name, f.name)
            (required if f.default is MISSING else optional).append(name)
    return required, optional


def _check_keys(family: str, given: Mapping[str, object], allowed: Sequence[str]) -> None:
    """Refuse parameters the family does not have, suggesting the closest one."""
    for key in given:
        if key not in allowed:
            close = difflib.get_close_matches(str(key).lower(), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "."
            raise ValueError(
                f"{family} has no parameter {key!r}{hint} Allowed: {', '.join(allowed)}"
            )


def _check_required(family: str, given: Mapping[str, object], required: Sequence[str]) -> None:
    """Refuse a spec that leaves out a required parameter, listing all of them."""
    missing = [name for name in required if given.get(name) is None]
    if missing:
        raise ValueError(f"{family} needs {_join_names(required)} (missing {_join_names(missing)})")


def _family_of(spec: Mapping[Any, object]) -> type[Distribution]:
    """Look up the family named by ``dist:``, suggesting a close name on a typo."""
    allowed = ", ".join(FAMILIES)
    if "dist" not in spec:
        raise ValueError(
            "a distribution mapping needs a family: add a 'dist:' key, e.g. "
            f"{{dist: lognormal, mean: 90 min, sd: 45 min}}; families: {allowed}"
        )
    name = spec["dist"]
    if not isinstance(name, str):
        raise ValueError(f"'dist' must name a family (got {name!r}); families: {allowed}")
    cls = FAMILIES.get(name.strip().lower())
    if cls is None:
        close = difflib.get_close_matches(name.strip().lower(), FAMILIES, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else "."
        raise ValueError(f"unknown distribution {name!r}{hint} Allowed: {allowed}")
    return cls


def _from_mapping(
    spec: Mapping[Any, object], unit: str | None, base_dir: pathlib.Path | None
) -> Distribution:
    """Build from ``{"dist": family, **parameters}``."""
    for key in spec:
        if not isinstance(key, str):
            raise ValueError(f"distribution parameter names must be text (got {key!r})")
    cls = _family_of(spec)
    given = {k: v for k, v in spec.items() if k != "dist"}
    if cls is Empirical:
        return _empirical_from_mapping(given, unit, base_dir)
    required, optional = _param_names(cls)
    _check_keys(cls.family, given, required + optional)
    _check_required(cls.family, given, required)
    _check_duration_context(cls, given, unit)
    kwargs = {k: _convert(cls, k, v, unit) for k, v in given.items() if v is not None}
    if cls is Normal and unit == _DURATION and kwargs.get("low") is None:
        kwargs["low"] = 0.0  # a duration cannot be negative
    return cls(**kwargs)


def _check_duration_context(
    cls: type[Distribution], given: Mapping[str, object], unit: str | None
) -> None:
    """Refuse families whose defaults or values make no sense as a time."""
    if unit != _DURATION:
        return
    if cls is Poisson:
        raise ValueError(
            "poisson gives whole-number counts, not durations; for a time use e.g. "
            "exponential, gamma or lognormal"
        )
    if cls is Beta and (given.get("low") is None or given.get("high") is None):
        raise ValueError(
            "beta for a duration needs 'low' and 'high' with units (e.g. low: 0 min, high: 2 h)"
        )


# --------------------------------------------------------------------------- empirical data


def _empirical_from_mapping(
    given: Mapping[str, object], unit: str | None, base_dir: pathlib.Path | None
) -> Empirical:
    """``empirical`` takes either ``values`` or ``file`` (with optional ``column``/``unit``)."""
    _check_keys("empirical", given, ["values", *_EMPIRICAL_FILE_KEYS])
    has_values, has_file = given.get("values") is not None, given.get("file") is not None
    if has_values == has_file:
        problem = "give only one of them" if has_values else "neither is given"
        raise ValueError(
            f"empirical needs either 'values' (a list) or 'file' (a CSV path); {problem}"
        )
    if has_values:
        for key in _EMPIRICAL_FILE_KEYS[1:]:
            if given.get(key) is not None:
                raise ValueError(f"empirical: {key!r} only applies together with 'file'")
        values = _convert(Empirical, "values", given["values"], unit)
        return Empirical(values)  # type: ignore[arg-type]
    cell_unit = given.get("unit")
    if cell_unit is not None and unit != _DURATION:
        raise ValueError("empirical: 'unit' only applies where a duration is expected")
    if cell_unit is not None and not isinstance(cell_unit, str):
        raise ValueError(f"empirical: unit must be a unit name like 'min' (got {cell_unit!r})")
    column = given.get("column")
    if column is not None and not isinstance(column, str):
        raise ValueError(
            f"empirical: column must be a column name from the header row (got {column!r})"
        )
    file = given["file"]
    if not isinstance(file, str | pathlib.Path):
        raise ValueError(f"empirical: file must be a path to a CSV file (got {file!r})")
    path = pathlib.Path(file)
    if not path.is_absolute() and base_dir is not None:
        path = pathlib.Path(base_dir) / path
    label = str(file)
    column_name, cells = _read_csv_column(path, label, column)
    return Empirical(
        tuple(
            _cell_value(
                f"empirical: file {label!r} row {row}, {column_name}: ", text, unit, cell_unit
            )
            for row, text in cells
        )
    )


def _looks_like_value(text: str) -> bool:
    """True if a CSV cell reads as a number or a duration (so a first row is data, not header)."""
    if isinstance(_number_or_text(text), float):
        return True
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def _read_csv_column(
    path: pathlib.Path, label: str, column: str | None
) -> tuple[str, list[tuple[int, str]]]:
    """The column's description and the (row number, text) of its non-blank cells."""
    if not path.is_file():
        raise ValueError(f"empirical: file {label!r} not found (looked for {path})")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [(i, row) for i, row in enumerate(csv.reader(handle), start=1)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"empirical: cannot read file {label!r}: {exc}") from None
    rows = [(i, row) for i, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"empirical: file {label!r} is empty")
    header = rows[0][1]
    has_header = not all(_looks_like_value(c.strip()) for c in header if c.strip())
    index = _column_index(label, header if has_header else None, column)
    data = rows[1:] if has_header else rows
    cells = [(i, row[index].strip()) for i, row in data if index < len(row) and row[index].strip()]
    name = f"column {header[index].strip()!r}" if has_header else f"column {index + 1}"
    if not cells:
        raise ValueError(f"empirical: file {label!r} has no values in {name}")
    return name, cells


def _column_index(label: str, header: list[str] | None, column: str | None) -> int:
    """Position of the requested column (the first one when none is named)."""
    if column is None:
        return 0
    if header is None:
        raise ValueError(
            f"empirical: file {label!r} has no header row, so column {column!r} cannot be found"
        )
    names = [c.strip() for c in header]
    if column.strip() in names:
        return names.index(column.strip())
    lowered = [n.lower() for n in names]
    if column.strip().lower() in lowered:
        return lowered.index(column.strip().lower())
    close = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise ValueError(
        f"empirical: file {label!r} has no column {column!r}{hint} Columns: {', '.join(names)}"
    )


def _cell_value(where: str, text: str, unit: str | None, cell_unit: str | None) -> float:
    """One CSV cell in internal units; ``where`` (file, row, column) prefixes any error."""
    if unit != _DURATION:
        return _plain_number(_number_or_text(text), where)
    try:
        return parse_duration(text if cell_unit is None else f"{text} {cell_unit}")
    except ValueError as exc:
        hint = ""
        if cell_unit is None and isinstance(_number_or_text(text), float):
            hint = " (or add e.g. 'unit: min' to say what unit the file's numbers are in)"
        raise ValueError(f"{where}{exc}{hint}") from None


def _number_or_text(text: str) -> object:
    """A CSV cell as a float when it reads as one, else the text (for the error message)."""
    try:
        return float(text)
    except ValueError:
        return text
