"""The :class:`Distribution` base class and the small helpers every family shares.

This module owns the contract each family fulfils -- parameters as frozen dataclass fields,
:attr:`~Distribution.mean`, :attr:`~Distribution.sd`, :attr:`~Distribution.support`,
:meth:`~Distribution.scaled`, :meth:`~Distribution.to_scipy` and sampling by inverse transform,
``sample(rng, size) == ppf(rng.random(size))`` -- together with the number formatting and
validators that keep every family's error messages alike. It sits at the bottom of the package
so the family modules and the spec reader can all build on it without importing each other.

Why inverse transform: two variants of a business (with and without an automation) that feed the
same uniforms to different distributions stay coupled -- a slow job stays slow in both -- which
is what makes common random numbers shrink the noise in their difference.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from scipy.stats._distn_infrastructure import rv_frozen

_U_MAX = 1.0 - 1e-12
"""Largest uniform fed to a ppf whose value at 1 is infinite."""
_U_MIN = 1e-12
"""Smallest uniform fed to a ppf whose value at 0 is minus infinity."""
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

    @abstractmethod
    def to_scipy(self) -> rv_frozen:
        """The same distribution as a frozen :mod:`scipy.stats` object.

        Why: autosim only needs a ppf to sample, but analysts and tests often want the density,
        CDF, quantiles or moments of *exactly* the distribution that is being sampled -- to
        plot it, compare it with data, or check a calculation by hand. The returned object's
        ``ppf(u)`` agrees with :meth:`ppf` for every ``u`` strictly inside (0, 1) (up to
        floating-point rounding, and except exactly on a step of a discrete CDF, where scipy
        takes the lower value) and its ``mean()`` and ``std()`` equal :attr:`mean` and
        :attr:`sd`. At the very ends the two differ on purpose: autosim clamps ``u`` so that a
        draw is never infinite, while scipy returns the end of the support (``inf`` for an
        open tail, and one below the smallest value at ``u = 0`` for discrete families).

        Families with finitely many values (constant, discrete, empirical) become
        ``scipy.stats.rv_discrete`` objects on their distinct values with positive probability.
        scipy is imported only when this is called, so importing autosim stays fast.
        """

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


def _stats() -> Any:
    """:mod:`scipy.stats`, imported on first use (slow to import; sampling never needs it)."""
    from scipy import stats

    return stats


def _point_masses(values: np.ndarray, weights: np.ndarray) -> rv_frozen:
    """A frozen scipy ``rv_discrete`` putting ``weights`` (summing to 1) on ``values``.

    Repeated values are merged (scipy refuses duplicates) and values of zero weight dropped,
    so the scipy support is the set of values autosim can actually draw.
    """
    distinct, position = np.unique(np.asarray(values, dtype=float), return_inverse=True)
    mass = np.bincount(position.ravel(), weights=np.asarray(weights, dtype=float).ravel())
    possible = mass > 0
    return _stats().rv_discrete(values=(distinct[possible], mass[possible])).freeze()
