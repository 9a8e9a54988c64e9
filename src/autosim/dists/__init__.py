"""Probability distributions as small, comparable, picklable value objects.

This package owns every random quantity a scenario can describe (service times, job values,
counts): how it is written in a scenario (:func:`from_spec` / :meth:`Distribution.to_spec`),
what it means (:attr:`~Distribution.mean`, :attr:`~Distribution.support`) and how it is drawn.
Think of each object as a recipe card: it says what the dish is, can be copied to every
kitchen (process) unchanged, and anyone cooking it with the same ingredients gets the same dish.

Sampling is always by inverse transform, ``sample(rng, size) == ppf(rng.random(size))``. Two
variants of a business (with and without an automation) that feed the same uniforms to
different distributions therefore stay coupled -- a slow job stays slow in both -- which is what
makes common random numbers shrink the noise in their difference.

Parameters are those of the variable itself (the mean and sd of a lognormal service time, not of
its logarithm), because that is what an analyst measures. Every family can also hand back the
equivalent frozen :mod:`scipy.stats` distribution (:meth:`Distribution.to_scipy`) for densities,
CDFs and moments of exactly what is sampled.

The package is a foundation layer (it imports only :mod:`autosim.units` from autosim) and is
split by responsibility, each module building only on those above it in this list:

* :mod:`~autosim.dists.base` -- the :class:`Distribution` base class and shared validators;
* :mod:`~autosim.dists.continuous` -- constant, exponential, lognormal, normal, gamma, weibull;
* :mod:`~autosim.dists.bounded` -- triangular, uniform, pert and beta on [low, high];
* :mod:`~autosim.dists.discrete` -- poisson, discrete and empirical;
* :mod:`~autosim.dists.spec` -- :func:`from_spec`, :data:`FAMILIES` and reading CSV data.

Import from ``autosim.dists`` itself; the module layout is an implementation detail.
"""

from __future__ import annotations

from autosim.dists.base import Distribution
from autosim.dists.bounded import Beta, Pert, Triangular, Uniform
from autosim.dists.continuous import Constant, Exponential, Gamma, Lognormal, Normal, Weibull
from autosim.dists.discrete import Discrete, Empirical, Poisson
from autosim.dists.spec import FAMILIES, describe_families, from_spec

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
