"""Fitting distributions to observed durations and amounts, with honest uncertainty.

Given a column of observed values (service minutes, revenue per job, days a customer paid late,
supplier lead times), this module tries the usual candidate families by maximum likelihood
(scipy.stats), ranks them by AIC (BIC shown too), checks the winner with a Kolmogorov–Smirnov
test, and puts bootstrap intervals on the mean and sd it would write into the scenario. The user
may force a family. It is the statistician's desk: several shapes are tried on the same data, the
one the data support best is kept, and its margin of error is stated.

Payment delays are seen only for invoices paid before the export; the others are still open, and
some never will be paid (bad debt). Ignoring the open ones would make customers look faster than
they are, so :func:`fit_distribution` also takes right-censored values and a count of known
non-payers, and then fits a *cure* model: a share ``p`` never pays, the rest pay after a delay
from the family. ``p`` is the bad-debt share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from autosim.dists import Distribution, Exponential, Gamma, Lognormal, Normal, Weibull
from autosim.errors import AutosimError

__all__ = ["CANDIDATES", "Fit", "FitError", "FitResult", "fit_distribution"]

#: Families tried for positive quantities, in the order shown when AIC ties.
CANDIDATES: tuple[str, ...] = ("lognormal", "gamma", "weibull", "exponential", "normal")
_SCIPY: dict[str, Any] = {
    "exponential": stats.expon,
    "lognormal": stats.lognorm,
    "gamma": stats.gamma,
    "weibull": stats.weibull_min,
    "normal": stats.norm,
}
_MIN_N = 5


class FitError(AutosimError, ValueError):
    """Too few or unusable values to fit (the CLI prints it and exits 2)."""


@dataclass(frozen=True)
class Fit:
    """One family fitted by maximum likelihood."""

    family: str
    dist: Distribution
    n_params: int
    loglik: float
    aic: float
    bic: float
    ks_stat: float
    ks_pvalue: float
    frozen: object = field(repr=False, compare=False)  # scipy frozen distribution


@dataclass(frozen=True)
class FitResult:
    """The chosen fit, the ranked candidates, and bootstrap intervals for what gets written."""

    best: Fit
    candidates: tuple[Fit, ...]
    n: int
    mean_ci: tuple[float, float]
    sd_ci: tuple[float, float]
    forced: bool
    data: np.ndarray = field(repr=False)
    n_censored: int = 0
    n_never: int = 0
    never_share: float | None = None  # cure model: share that never pays
    never_ci: tuple[float, float] | None = None

    @property
    def mean(self) -> float:
        """Mean of the chosen fit."""
        return float(self.best.dist.mean)

    @property
    def sd(self) -> float:
        """Standard deviation of the chosen fit."""
        return float(self.best.dist.sd)


def _to_dist(family: str, frozen) -> Distribution:
    """The autosim distribution equal to a fitted scipy one (moments of the variable itself)."""
    mean, sd = float(frozen.mean()), float(frozen.std())
    if family == "exponential":
        return Exponential(mean)
    if family == "lognormal":
        return Lognormal(mean, sd)
    if family == "gamma":
        return Gamma(mean, sd)
    if family == "weibull":
        return Weibull(mean, sd)
    return Normal(mean, sd, low=0.0)


def _mle(family: str, x: np.ndarray) -> tuple[float, ...]:
    """Scipy maximum-likelihood parameters (location fixed at 0 for positive families)."""
    if family == "lognormal":  # closed form, identical to lognorm.fit(x, floc=0)
        logs = np.log(x)
        return (float(logs.std()), 0.0, float(np.exp(logs.mean())))
    if family == "normal":
        return tuple(float(v) for v in stats.norm.fit(x))
    return tuple(float(v) for v in _SCIPY[family].fit(x, floc=0))


def _usable(family: str, x: np.ndarray) -> bool:
    """Normal only where its mass below zero is negligible (mean > 3 sd)."""
    return family != "normal" or x.mean() > 3 * x.std()


def _fit_one(family: str, x: np.ndarray) -> Fit:
    params = _mle(family, x)
    frozen = _SCIPY[family](*params)
    loglik = float(np.sum(frozen.logpdf(x)))
    k = 1 if family == "exponential" else 2
    ks = stats.kstest(x, frozen.cdf)
    return Fit(
        family,
        _to_dist(family, frozen),
        k,
        loglik,
        2 * k - 2 * loglik,
        k * math.log(x.size) - 2 * loglik,
        float(ks.statistic),
        float(ks.pvalue),
        frozen,
    )


# --------------------------------------------------------------------------- censored values


def _logs(family: str, a: np.ndarray, x: np.ndarray, c: np.ndarray) -> tuple[float, np.ndarray]:
    """Sum of log densities at ``x`` and the log survival at each ``c`` (closed forms, fast)."""
    if family == "exponential":
        s = a[0]
        return float(np.sum(-np.log(s) - x / s)), -c / s
    if family == "lognormal":
        sigma, scale = a
        z = (np.log(x) - math.log(scale)) / sigma
        dens = -np.log(x * sigma * math.sqrt(2 * math.pi)) - 0.5 * z * z
        return float(np.sum(dens)), special.log_ndtr(-(np.log(c) - math.log(scale)) / sigma)
    if family == "gamma":
        shape, scale = a
        dens = (
            (shape - 1) * np.log(x) - x / scale - special.gammaln(shape) - shape * math.log(scale)
        )
        with np.errstate(divide="ignore"):
            return float(np.sum(dens)), np.log(special.gammaincc(shape, c / scale))
    k, scale = a
    dens = math.log(k / scale) + (k - 1) * np.log(x / scale) - (x / scale) ** k
    return float(np.sum(dens)), -((c / scale) ** k)


def _frozen(family: str, a: np.ndarray):
    """Free parameters (after exp) -> scipy frozen distribution."""
    if family == "exponential":
        return stats.expon(scale=a[0])
    if family == "lognormal":
        return stats.lognorm(a[0], scale=a[1])
    if family == "gamma":
        return stats.gamma(a[0], scale=a[1])
    return stats.weibull_min(a[0], scale=a[1])


def _cure_loglik(family: str, theta: np.ndarray, x, c, n_never, cure: bool) -> float:
    a = np.exp(theta[:-1] if cure else theta)
    log_p = -np.logaddexp(0.0, -theta[-1]) if cure else -np.inf  # log sigmoid
    log_q = -np.logaddexp(0.0, theta[-1]) if cure else 0.0
    dens, surv = _logs(family, a, x, c)
    total = x.size * log_q + dens
    if c.size:
        total += float(np.sum(np.logaddexp(log_p, log_q + surv)))
    if n_never:
        total += n_never * log_p
    return total if math.isfinite(total) else -1e300


def _moments(family: str, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd for rows of (exp) parameters, vectorised (for interval simulation)."""
    if family == "exponential":
        return a[:, 0], a[:, 0]
    p, scale = a[:, 0], a[:, 1]
    if family == "lognormal":
        mean = scale * np.exp(p * p / 2)
        return mean, mean * np.sqrt(np.expm1(p * p))
    if family == "gamma":
        return p * scale, np.sqrt(p) * scale
    g1, g2 = special.gamma(1 + 1 / p), special.gamma(1 + 2 / p)
    return scale * g1, scale * np.sqrt(np.maximum(g2 - g1 * g1, 0.0))


def _hessian(f, theta: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``theta``."""
    k = theta.size
    h = 1e-4 * np.maximum(1.0, np.abs(theta))
    out = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            value = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h[i] * h[j])
            out[i, j] = out[j, i] = value
    return out


def _fit_censored(
    family: str, x: np.ndarray, c: np.ndarray, n_never: int, cure: bool
) -> tuple[Fit, np.ndarray, float | None]:
    """Maximum likelihood with right-censored values and (optionally) a never-paying share."""
    if family == "exponential":
        start = np.log([x.mean()])
    else:
        start = np.log(np.maximum([p for p in _mle(family, x) if p != 0.0], 1e-9))
    n_open = c.size + n_never
    p0 = min(max((n_never + 0.5) / (x.size + n_open + 1.0), 1e-4), 0.5)
    theta0 = np.append(start, math.log(p0 / (1 - p0))) if cure else start

    def negative(t: np.ndarray) -> float:
        return -_cure_loglik(family, t, x, c, n_never, cure)

    res = optimize.minimize(
        negative,
        theta0,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
    )
    theta = res.x
    frozen = _frozen(family, np.exp(theta[:-1] if cure else theta))
    k = theta.size
    loglik = -float(res.fun)
    n = x.size + c.size + n_never
    ks = stats.kstest(x, frozen.cdf)
    fit = Fit(
        family,
        _to_dist(family, frozen),
        k,
        loglik,
        2 * k - 2 * loglik,
        k * math.log(max(n, 1)) - 2 * loglik,
        float(ks.statistic),
        float(ks.pvalue),
        frozen,
    )
    return fit, theta, float(special.expit(theta[-1])) if cure else None


def _wald_intervals(
    family: str, theta: np.ndarray, x, c, n_never: int, cure: bool, rng: np.random.Generator
) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float] | None]:
    """95% intervals from the observed information: simulate the parameters' normal approximation.

    Used for censored fits, where refitting hundreds of bootstrap resamples would be slow.
    """
    nan2 = (math.nan, math.nan)
    hess = _hessian(lambda t: -_cure_loglik(family, t, x, c, n_never, cure), theta)
    try:
        cov = np.linalg.inv(hess)
        draws = rng.multivariate_normal(theta, (cov + cov.T) / 2, size=4000, method="eigh")
    except (np.linalg.LinAlgError, ValueError):
        return nan2, nan2, (nan2 if cure else None)
    params = np.exp(draws[:, :-1] if cure else draws)
    mean, sd = _moments(family, params)

    def band(v: np.ndarray) -> tuple[float, float]:
        lo, hi = np.nanpercentile(v, [2.5, 97.5])
        return float(lo), float(hi)

    return band(mean), band(sd), (band(special.expit(draws[:, -1])) if cure else None)


# --------------------------------------------------------------------------- entry point


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def fit_distribution(
    values: Sequence[float] | np.ndarray,
    *,
    families: Sequence[str] = CANDIDATES,
    force: str | None = None,
    censored: Sequence[float] | np.ndarray | None = None,
    n_never: int = 0,
    cure: bool = False,
    n_boot: int = 200,
    rng: np.random.Generator | None = None,
    what: str = "values",
) -> FitResult:
    """Fit candidate families to positive values; rank by AIC; bootstrap the chosen one.

    Parameters
    ----------
    values
        Observed values (> 0; others are ignored).
    families
        Candidates tried (``normal`` only where the values sit well away from zero).
    force
        Use this family whatever the ranking says.
    censored
        Right-censored values: each is known only to exceed the number given (still open).
    n_never
        Units known never to happen (written-off invoices): they count towards the cure share.
    cure
        Fit a share that never happens (a cure model); needs ``censored`` or ``n_never``.
    n_boot
        Bootstrap resamples for the 95% intervals of the mean and sd (0: none). Censored fits
        use the observed information instead (refitting resamples would be slow).
    rng
        Generator for the bootstrap (default: a fixed seed, so reports are reproducible).
    what
        Name used in error messages.
    """
    x = _clean(values)
    x = x[x > 0]
    c = _clean(censored if censored is not None else [])
    c = c[c > 0]
    if x.size < _MIN_N:
        raise FitError(f"{what}: {x.size} usable value(s); at least {_MIN_N} are needed to fit")
    if force is not None and force not in _SCIPY:
        raise FitError(f"unknown family {force!r}; choose one of {', '.join(CANDIDATES)}")
    censoring = c.size > 0 or n_never > 0
    cure = cure and censoring
    names = [force] if force else [f for f in families if f in _SCIPY]
    if censoring:
        names = [f for f in names if f != "normal"]
        if not names:
            raise FitError(f"{what}: normal cannot be fitted to censored values")
    else:
        names = [f for f in names if force or _usable(f, x)]
    fits, cures, thetas = [], {}, {}
    for name in names:
        if censoring:
            fit, thetas[name], cures[name] = _fit_censored(name, x, c, n_never, cure)
        else:
            fit = _fit_one(name, x)
        fits.append(fit)
    ranked = tuple(sorted(fits, key=lambda f: f.aic))
    best = ranked[0]
    rng = rng or np.random.default_rng(20270104)
    if censoring:
        mean_ci, sd_ci, never_ci = _wald_intervals(
            best.family, thetas[best.family], x, c, n_never, cure, rng
        )
    else:
        mean_ci, sd_ci = _bootstrap(best.family, x, n_boot, rng)
        never_ci = None
    return FitResult(
        best,
        ranked,
        int(x.size),
        mean_ci,
        sd_ci,
        force is not None,
        x,
        int(c.size),
        int(n_never),
        cures.get(best.family),
        never_ci,
    )


def _moments_of(family: str, x: np.ndarray) -> tuple[float, float]:
    """Mean and sd of the family's maximum-likelihood fit to ``x`` (no tests: bootstrap speed)."""
    if family == "normal":
        return float(x.mean()), float(x.std())
    p = np.array([[v for v in _mle(family, x) if v != 0.0]])
    if family == "exponential":
        p = np.array([[x.mean()]])
    mean, sd = _moments(family, p)
    return float(mean[0]), float(sd[0])


def _bootstrap(
    family: str, x: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Percentile 95% intervals of the fitted mean and sd over ``n_boot`` resamples."""
    nan2 = (math.nan, math.nan)
    if n_boot <= 0:
        return nan2, nan2
    means, sds = [], []
    for _ in range(n_boot):
        xb = x[rng.integers(0, x.size, x.size)]
        if np.ptp(xb) == 0:
            continue  # a degenerate resample (all values equal): skip it
        try:
            mean, sd = _moments_of(family, xb)
        except (ValueError, FloatingPointError):
            continue
        means.append(mean)
        sds.append(sd)
    if len(means) < 10:
        return nan2, nan2
    lo_m, hi_m = np.percentile(means, [2.5, 97.5])
    lo_s, hi_s = np.percentile(sds, [2.5, 97.5])
    return (float(lo_m), float(hi_m)), (float(lo_s), float(hi_s))
