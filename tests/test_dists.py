"""Tests for autosim.dists: moments, support, inverse-transform sampling, specs and errors."""

from __future__ import annotations

import functools
import math
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from autosim.dists import (
    FAMILIES,
    Beta,
    Constant,
    Discrete,
    Distribution,
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
    describe_families,
    from_spec,
)

SEED = 12345
N = 200_000
GRID = np.concatenate([np.linspace(0.0, 1.0, 4001)[:-1], [1.0 - 1e-9, 1.0 - 1e-12]])

EXAMPLES: list[Distribution] = [
    Constant(3.5),
    Exponential(5.0),
    Lognormal(90.0, 45.0),
    Normal(10.0, 3.0),
    Normal(10.0, 3.0, low=8.0),
    Normal(0.0, 1.0, low=-1.0, high=2.0),
    Normal(0.0, 1.0, low=4.0, high=6.0),
    Gamma(4.0, 2.0),
    Gamma(1.0, 3.0),
    Triangular(1.0, 2.0, 5.0),
    Triangular(0.0, 0.0, 1.0),
    Uniform(1.0, 3.0),
    Pert(1.0, 2.0, 5.0),
    Pert(0.0, 0.0, 10.0, lamb=2.0),
    Beta(2.0, 3.0),
    Beta(0.5, 0.5, low=10.0, high=20.0),
    Poisson(3.5),
    Poisson(0.0),
    Discrete((3.0, 1.0, 2.0), (0.2, 0.5, 0.3)),
    Discrete((10.0, 20.0)),
    Discrete((1.0, 2.0, 3.0), (0.5, 0.5, 0.0)),
    Empirical((5.0, 1.0, 3.0, 3.0, 8.0)),
    Weibull(60.0, 30.0),
    Weibull(10.0, 15.0),
]
IDS = [repr(d) for d in EXAMPLES]


@functools.cache
def _samples(index: int) -> np.ndarray:
    """Samples of EXAMPLES[index], drawn once and shared by the statistical tests."""
    return np.asarray(EXAMPLES[index].sample(np.random.default_rng(SEED), N))


def test_examples_cover_every_family() -> None:
    assert {d.family for d in EXAMPLES} == set(FAMILIES)


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=IDS)
def test_sample_mean_and_sd_match(index: int) -> None:
    dist, x = EXAMPLES[index], _samples(index)
    standard_error = dist.sd / math.sqrt(N)
    assert abs(x.mean() - dist.mean) <= 4 * standard_error + 1e-12
    assert x.std() == pytest.approx(dist.sd, rel=0.02, abs=1e-12)


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=IDS)
def test_samples_inside_support(index: int) -> None:
    low, high = EXAMPLES[index].support
    x = _samples(index)
    assert low <= x.min()
    assert x.max() <= high


@pytest.mark.parametrize("dist", EXAMPLES, ids=IDS)
def test_sample_is_ppf_of_the_same_uniforms(dist: Distribution) -> None:
    drawn = dist.sample(np.random.default_rng(SEED), 1000)
    uniforms = np.random.default_rng(SEED).random(1000)
    np.testing.assert_array_equal(drawn, dist.ppf(uniforms))


@pytest.mark.parametrize("dist", EXAMPLES, ids=IDS)
def test_scalar_sample_and_ppf_give_floats(dist: Distribution) -> None:
    drawn = dist.sample(np.random.default_rng(SEED))
    u = np.random.default_rng(SEED).random()
    assert type(drawn) is float
    assert type(dist.ppf(0.5)) is float
    assert drawn == dist.ppf(u)
    assert dist.sample(np.random.default_rng(SEED), (2, 3)).shape == (2, 3)


@pytest.mark.parametrize("dist", EXAMPLES, ids=IDS)
def test_ppf_is_monotone_and_finite(dist: Distribution) -> None:
    values = dist.ppf(GRID)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) >= 0)


@pytest.mark.parametrize("dist", EXAMPLES, ids=IDS)
def test_spec_round_trip(dist: Distribution) -> None:
    spec = dist.to_spec()
    assert spec["dist"] == dist.family
    assert from_spec(spec) == dist
    assert hash(from_spec(spec)) == hash(dist)


@pytest.mark.parametrize("dist", EXAMPLES, ids=IDS)
def test_pickle_round_trip(dist: Distribution) -> None:
    copy = pickle.loads(pickle.dumps(dist))
    assert copy == dist
    np.testing.assert_array_equal(copy.ppf(GRID), dist.ppf(GRID))


@pytest.mark.parametrize("dist", [d for d in EXAMPLES if d.family != "poisson"], ids=repr)
def test_scaled_multiplies_the_variable(dist: Distribution) -> None:
    doubled = dist.scaled(2)
    assert doubled.family == dist.family
    assert doubled.mean == pytest.approx(2 * dist.mean, abs=1e-12)
    assert doubled.sd == pytest.approx(2 * dist.sd, abs=1e-12)
    np.testing.assert_allclose(doubled.ppf(GRID), 2 * dist.ppf(GRID), rtol=1e-9, atol=1e-12)


def test_poisson_scales_only_by_one() -> None:
    assert Poisson(3).scaled(1) == Poisson(3)
    with pytest.raises(ValueError, match="poisson: a count cannot be scaled"):
        Poisson(3).scaled(2)


@pytest.mark.parametrize("factor", [0, -1, math.nan, math.inf, True])
def test_scaled_refuses_bad_factors(factor: float) -> None:
    with pytest.raises(ValueError, match="factor"):
        Lognormal(90, 45).scaled(factor)


def test_common_random_numbers_couple_variants() -> None:
    base = Lognormal(90, 45)
    faster = base.scaled(0.8)
    before = base.sample(np.random.default_rng(7), 500)
    after = faster.sample(np.random.default_rng(7), 500)
    np.testing.assert_allclose(after, 0.8 * before, rtol=1e-12)


# --------------------------------------------------------------------------- against scipy

REFERENCES = [
    (Exponential(5.0), stats.expon(scale=5.0)),
    (
        Lognormal(90.0, 45.0),
        stats.lognorm(
            s=math.sqrt(math.log(1.25)), scale=math.exp(math.log(90.0) - 0.5 * math.log(1.25))
        ),
    ),
    (Normal(10.0, 3.0), stats.norm(10.0, 3.0)),
    (Normal(10.0, 3.0, low=8.0), stats.truncnorm(-2.0 / 3.0, math.inf, loc=10.0, scale=3.0)),
    (Normal(0.0, 1.0, low=4.0, high=6.0), stats.truncnorm(4.0, 6.0)),
    (Normal(0.0, 1.0, high=-5.0), stats.truncnorm(-math.inf, -5.0)),
    (Gamma(4.0, 2.0), stats.gamma(a=4.0, scale=1.0)),
    (Triangular(1.0, 2.0, 5.0), stats.triang(c=0.25, loc=1.0, scale=4.0)),
    (Uniform(1.0, 3.0), stats.uniform(1.0, 2.0)),
    (Pert(1.0, 2.0, 5.0), stats.beta(2.0, 4.0, loc=1.0, scale=4.0)),
    (Beta(0.5, 0.5, low=10.0, high=20.0), stats.beta(0.5, 0.5, loc=10.0, scale=10.0)),
    (Poisson(3.5), stats.poisson(3.5)),
    (Poisson(900.0), stats.poisson(900.0)),
    (Poisson(5000.0), stats.poisson(5000.0)),
    (Weibull(60.0, 30.0), stats.weibull_min(c=2.1013490946885427, scale=67.74380337237655)),
]


@pytest.mark.parametrize(("dist", "reference"), REFERENCES, ids=[repr(d) for d, _ in REFERENCES])
def test_matches_scipy(dist: Distribution, reference: stats.rv_frozen) -> None:
    u = np.linspace(0.001, 0.999, 999)
    np.testing.assert_allclose(dist.ppf(u), reference.ppf(u), rtol=1e-8, atol=1e-10)
    assert dist.mean == pytest.approx(reference.mean(), rel=1e-9)
    assert dist.sd == pytest.approx(reference.std(), rel=1e-8)


def test_discrete_and_empirical_ppf_by_hand() -> None:
    d = Discrete((3.0, 1.0, 2.0), (0.2, 0.5, 0.3))
    assert d.values == (1.0, 2.0, 3.0)
    assert d.probs == (0.5, 0.3, 0.2)
    assert list(d.ppf(np.array([0.0, 0.49, 0.5, 0.79, 0.8, 0.999]))) == [1, 1, 2, 2, 3, 3]
    assert d == Discrete((1.0, 2.0, 3.0), (0.5, 0.3, 0.2))
    e = Empirical((5.0, 1.0, 3.0, 3.0))
    assert e.values == (1.0, 3.0, 3.0, 5.0)
    assert list(e.ppf(np.array([0.0, 0.24, 0.25, 0.74, 0.75, 0.999]))) == [1, 1, 3, 3, 5, 5]
    assert e.support == (1.0, 5.0)


def test_discrete_never_draws_zero_probability_values() -> None:
    d = Discrete((1.0, 2.0, 3.0), (0.5, 0.5, 0.0))
    assert d.support == (1.0, 2.0)
    assert d.ppf(1.0 - 1e-15) == 2.0


def test_repr_is_readable() -> None:
    assert repr(Lognormal(90, 45)) == "lognormal(mean=90, sd=45)"
    assert repr(Normal(1.5, 2, low=0)) == "normal(mean=1.5, sd=2, low=0)"
    assert repr(Discrete((1, 2))) == "discrete(values=[1, 2])"
    assert "(100 values)" in repr(Empirical(tuple(range(100))))


def test_normal_mean_is_truncated_mean() -> None:
    normal = Normal(0.0, 1.0, low=0.0)
    assert normal.mu == 0.0
    assert normal.mean == pytest.approx(math.sqrt(2.0 / math.pi))
    assert normal.to_spec() == {"dist": "normal", "mean": 0.0, "sd": 1.0, "low": 0.0}


def test_describe_families_lists_every_family() -> None:
    rows = describe_families()
    assert [row["dist"] for row in rows] == sorted(FAMILIES)
    for row in rows:
        assert set(row) == {"dist", "parameters", "meaning"}
        assert row["parameters"]
        assert row["meaning"]


@settings(max_examples=60, deadline=None)
@given(
    family=st.sampled_from([Lognormal, Gamma]),
    mean=st.floats(1e-3, 1e6),
    cv=st.floats(0.01, 10.0),
)
def test_ppf_finite_and_monotone_for_random_parameters(
    family: type[Lognormal | Gamma], mean: float, cv: float
) -> None:
    dist = family(mean, mean * cv)
    values = dist.ppf(GRID)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) >= 0)
    assert values[0] >= 0


# --------------------------------------------------------------------------- from_spec


@pytest.mark.parametrize(
    ("spec", "unit", "expected"),
    [
        (3, None, Constant(3)),
        (2.5, None, Constant(2.5)),
        ("45 min", "duration", Constant(45)),
        (0, "duration", Constant(0)),
        ({"dist": "Lognormal", "mean": 90, "sd": 45}, None, Lognormal(90, 45)),
        ({"dist": "lognormal", "mean": "1.5 h", "sd": "30 min"}, "duration", Lognormal(90, 30)),
        ({"dist": "exponential", "mean": "2 h"}, "duration", Exponential(120)),
        ({"dist": "normal", "mean": 5, "sd": 2}, None, Normal(5, 2)),
        ({"dist": "normal", "mean": "5 min", "sd": "2 min"}, "duration", Normal(5, 2, low=0)),
        (
            {"dist": "normal", "mean": "5 min", "sd": "2 min", "low": "1 min", "high": "1 h"},
            "duration",
            Normal(5, 2, low=1, high=60),
        ),
        (
            {"dist": "triangular", "low": "0 min", "mode": "1 h", "high": "2 h"},
            "duration",
            Triangular(0, 60, 120),
        ),
        ({"dist": "pert", "low": 1, "mode": 2, "high": 5, "lamb": 2}, None, Pert(1, 2, 5, 2)),
        (
            {"dist": "beta", "a": 2, "b": 3, "low": "0 min", "high": "2 h"},
            "duration",
            Beta(2, 3, 0, 120),
        ),
        ({"dist": "poisson", "mean": 0}, None, Poisson(0)),
        (
            {"dist": "discrete", "values": ["1 h", "2 h"], "probs": [0.25, 0.75]},
            "duration",
            Discrete((60, 120), (0.25, 0.75)),
        ),
        ({"dist": "empirical", "values": [3, 1, 2]}, None, Empirical((1, 2, 3))),
        ({"dist": "empirical", "values": ["1 h", "30 min"]}, "duration", Empirical((30, 60))),
        ({"dist": "constant", "value": "1 day"}, "duration", Constant(1440)),
    ],
)
def test_from_spec_good(spec: object, unit: str | None, expected: Distribution) -> None:
    assert from_spec(spec, unit=unit) == expected


def test_from_spec_passes_distributions_through() -> None:
    dist = Lognormal(90, 45)
    assert from_spec(dist, unit="duration") is dist


def test_from_spec_accepts_numpy_numbers() -> None:
    spec = {"dist": "uniform", "low": np.float64(1.0), "high": np.int64(3)}
    assert from_spec(spec) == Uniform(1, 3)


BAD_SPECS = [
    (
        {"dist": "lognormla", "mean": 1, "sd": 1},
        None,
        "unknown distribution 'lognormla'; did you mean 'lognormal'? Allowed: beta, constant,",
    ),
    ({"dist": "zipf"}, None, "unknown distribution 'zipf'. Allowed: beta"),
    ({"dist": 3}, None, "'dist' must name a family"),
    ({"mean": 1, "sd": 1}, None, "add"),
    (
        {"dist": "lognormal", "mean": 1, "sdev": 1},
        None,
        "lognormal has no parameter 'sdev'; did you mean 'sd'? Allowed: mean, sd",
    ),
    ({"dist": "lognormal", "mean": 1}, None, "lognormal needs 'mean' and 'sd' (missing 'sd')"),
    (
        {"dist": "triangular", "low": 1},
        None,
        "triangular needs 'low', 'mode' and 'high' (missing 'mode' and 'high')",
    ),
    ({"dist": "constant", "value": None}, None, "constant needs 'value'"),
    ({"dist": "lognormal", "mean": 1, "sd": -3}, None, "lognormal: sd must be > 0 (got -3)"),
    ({"dist": "lognormal", "mean": 0, "sd": 1}, None, "lognormal: mean must be > 0 (got 0)"),
    ({"dist": "gamma", "mean": 1, "sd": 0}, None, "gamma: sd must be > 0 (got 0)"),
    ({"dist": "exponential", "mean": -1}, None, "exponential: mean must be > 0 (got -1)"),
    ({"dist": "normal", "mean": 1, "sd": -1}, None, "normal: sd must be > 0 (got -1)"),
    (
        {"dist": "normal", "mean": 0, "sd": 1, "low": 2, "high": 1},
        None,
        "normal: low must be < high (got low=2, high=1)",
    ),
    ({"dist": "normal", "mean": 0, "sd": 1, "low": 50, "high": 51}, None, "too far in the tail"),
    ({"dist": "uniform", "low": 5, "high": 3}, None, "uniform: low must be < high"),
    ({"dist": "uniform", "low": 3, "high": 3}, None, "uniform: low must be < high"),
    (
        {"dist": "triangular", "low": 1, "mode": 7, "high": 5},
        None,
        "triangular: mode must be between low and high (got low=1, mode=7, high=5)",
    ),
    ({"dist": "pert", "low": 1, "mode": 0, "high": 5}, None, "pert: mode must be between"),
    (
        {"dist": "pert", "low": 1, "mode": 2, "high": 5, "lamb": -1},
        None,
        "pert: lamb must be >= 0 (got -1)",
    ),
    ({"dist": "beta", "a": 0, "b": 1}, None, "beta: a must be > 0 (got 0)"),
    ({"dist": "beta", "a": 1, "b": 1, "low": 1, "high": 0}, None, "beta: low must be < high"),
    ({"dist": "poisson", "mean": -1}, None, "poisson: mean must be >= 0 (got -1)"),
    (
        {"dist": "discrete", "values": [1, 2], "probs": [0.5, 0.6]},
        None,
        "discrete: probs must sum to 1 (got 1.1)",
    ),
    (
        {"dist": "discrete", "values": [1, 2], "probs": [0.5]},
        None,
        "one entry per value (got 1 probs for 2 values)",
    ),
    (
        {"dist": "discrete", "values": [1, 2], "probs": [1.5, -0.5]},
        None,
        "discrete: probs[1] must be >= 0 (got -0.5)",
    ),
    ({"dist": "discrete", "values": []}, None, "discrete: values must not be empty"),
    ({"dist": "discrete", "values": "1, 2"}, None, "discrete: values must be a list"),
    ({"dist": "discrete", "values": [1, "x"]}, None, "discrete: values[1] must be a number"),
    ({"dist": "empirical"}, None, "empirical needs either 'values'"),
    ({"dist": "empirical", "values": [1], "file": "x.csv"}, None, "give only one"),
    ({"dist": "empirical", "values": [1], "column": "a"}, None, "only applies together with"),
    ({"dist": "normal", "mean": math.nan, "sd": 1}, None, "normal: mean must be finite (got nan)"),
    ({"dist": "uniform", "low": 0, "high": math.inf}, None, "uniform: high must be finite"),
    ({"dist": "discrete", "values": [1, math.nan]}, None, "values[1] must be finite"),
    ({"dist": "gamma", "mean": True, "sd": 1}, None, "gamma: mean must be a number (got True)"),
    (True, None, "(got True)"),
    (None, None, "(got None)"),
    ([1, 2], None, "(got [1, 2])"),
    (math.nan, None, "must be finite (got nan)"),
    ({1: 2, "dist": "constant"}, None, "parameter names must be text"),
    # duration strings where a plain number is expected
    ("45 min", None, "expects a number, not a duration (got '45 min')"),
    (
        {"dist": "exponential", "mean": "45 min"},
        None,
        "exponential: mean expects a number, not a duration",
    ),
    ({"dist": "lognormal", "mean": "abc", "sd": 1}, None, "lognormal: mean must be a number"),
    # plain numbers where a duration is expected
    (45, "duration", "a duration needs a unit, e.g. '45 min' or '2 h' (got 45)"),
    ({"dist": "exponential", "mean": 45}, "duration", "exponential: mean: a duration needs a unit"),
    ({"dist": "discrete", "values": [1, 2]}, "duration", "discrete: values[0]: a duration needs"),
    ({"dist": "lognormal", "mean": "90 min", "sd": "-3 min"}, "duration", "cannot be negative"),
    ({"dist": "lognormal", "mean": "90 min", "sd": "0 min"}, "duration", "sd must be > 0"),
    ({"dist": "lognormal", "mean": "nan min", "sd": "1 min"}, "duration", "finite"),
    (
        {"dist": "lognormal", "mean": "3 fortnights", "sd": "1 min"},
        "duration",
        "lognormal: mean: unknown duration unit 'fortnights'",
    ),
    (
        {"dist": "beta", "a": "2 min", "b": 3, "low": "0 min", "high": "1 h"},
        "duration",
        "beta: a expects a number, not a duration",
    ),
    (
        {"dist": "discrete", "values": ["1 h"], "probs": ["1 min"]},
        "duration",
        "discrete: probs[0] expects a number",
    ),
    ({"dist": "poisson", "mean": 3}, "duration", "poisson gives whole-number counts"),
    ({"dist": "beta", "a": 2, "b": 3}, "duration", "beta for a duration needs 'low' and 'high'"),
    (True, "duration", "(got True)"),
]


@pytest.mark.parametrize(("spec", "unit", "fragment"), BAD_SPECS, ids=lambda x: repr(x)[:40])
def test_from_spec_bad(spec: object, unit: str | None, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        from_spec(spec, unit=unit)


def test_from_spec_refuses_unknown_unit_context() -> None:
    with pytest.raises(ValueError, match="unit must be None or 'duration'"):
        from_spec(3, unit="money")


def test_direct_construction_validates() -> None:
    with pytest.raises(ValueError, match=re.escape("lognormal: sd must be > 0 (got -3)")):
        Lognormal(90, -3)
    with pytest.raises(ValueError, match="triangular: low must be < high"):
        Triangular(1, 1, 1)


# --------------------------------------------------------------------------- empirical files


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_empirical_from_csv_with_header(tmp_path: Path) -> None:
    _write(tmp_path, "jobs.csv", "job,minutes\nA,30\nB,45\n\nC,60\n")
    spec = {"dist": "empirical", "file": "jobs.csv", "column": "minutes"}
    dist = from_spec(spec, base_dir=tmp_path)
    assert dist == Empirical((30, 45, 60))
    assert dist.to_spec() == {"dist": "empirical", "values": [30.0, 45.0, 60.0]}
    assert pickle.loads(pickle.dumps(dist)) == dist
    spec_any_case = {"dist": "empirical", "file": "jobs.csv", "column": "Minutes"}
    assert from_spec(spec_any_case, base_dir=tmp_path) == dist


def test_empirical_from_csv_defaults_to_the_first_column(tmp_path: Path) -> None:
    _write(tmp_path, "only.csv", "value\n1.5\n2.5\n")
    _write(tmp_path, "bare.csv", "1\n2\n3\n")
    assert from_spec({"dist": "empirical", "file": "only.csv"}, base_dir=tmp_path) == Empirical(
        (1.5, 2.5)
    )
    assert from_spec({"dist": "empirical", "file": "bare.csv"}, base_dir=tmp_path) == Empirical(
        (1, 2, 3)
    )


def test_empirical_from_csv_with_an_absolute_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "abs.csv", "4\n5\n")
    assert from_spec({"dist": "empirical", "file": str(path)}) == Empirical((4, 5))


def test_empirical_durations_from_csv(tmp_path: Path) -> None:
    _write(tmp_path, "with_units.csv", "duration\n30 min\n1 h\n")
    _write(tmp_path, "plain.csv", "minutes\n30\n60\n")
    with_units = {"dist": "empirical", "file": "with_units.csv"}
    plain = {"dist": "empirical", "file": "plain.csv", "unit": "min"}
    assert from_spec(with_units, unit="duration", base_dir=tmp_path) == Empirical((30, 60))
    assert from_spec(plain, unit="duration", base_dir=tmp_path) == Empirical((30, 60))


@pytest.mark.parametrize(
    ("files", "spec", "unit", "fragment"),
    [
        ({}, {"file": "missing.csv"}, None, "empirical: file 'missing.csv' not found"),
        ({"e.csv": ""}, {"file": "e.csv"}, None, "file 'e.csv' is empty"),
        ({"h.csv": "minutes\n\n"}, {"file": "h.csv"}, None, "has no values in column 'minutes'"),
        (
            {"c.csv": "job,minutes\nA,1\n"},
            {"file": "c.csv", "column": "minuts"},
            None,
            "file 'c.csv' has no column 'minuts'; did you mean 'minutes'? Columns: job, minutes",
        ),
        (
            {"c.csv": "job,minutes\nA,1\n"},
            {"file": "c.csv"},
            None,
            "file 'c.csv' row 2, column 'job': must be a number (got 'A')",
        ),
        (
            {"n.csv": "minutes\n1\nabc\n"},
            {"file": "n.csv"},
            None,
            "file 'n.csv' row 3, column 'minutes': must be a number (got 'abc')",
        ),
        ({"n.csv": "x\n1\nnan\n"}, {"file": "n.csv"}, None, "file 'n.csv' row 3"),
        (
            {"b.csv": "1\n2\n"},
            {"file": "b.csv", "column": "x"},
            None,
            "file 'b.csv' has no header row",
        ),
        (
            {"p.csv": "minutes\n30\n"},
            {"file": "p.csv"},
            "duration",
            "file 'p.csv' row 2, column 'minutes': a duration needs a unit",
        ),
        ({"p.csv": "minutes\n30\n"}, {"file": "p.csv"}, "duration", "unit: min"),
        ({"p.csv": "minutes\n30\n"}, {"file": "p.csv", "unit": "min"}, None, "'unit' only"),
        (
            {"p.csv": "minutes\n30\n"},
            {"file": "p.csv", "unit": "parsecs"},
            "duration",
            "unknown duration unit 'parsecs'",
        ),
        ({"p.csv": "minutes\n30\n"}, {"file": "p.csv", "column": 1}, None, "column must be"),
        ({}, {"file": 3}, None, "file must be a path"),
        ({}, {"file": "x.csv", "sheet": 1}, None, "empirical has no parameter 'sheet'"),
    ],
)
def test_empirical_file_errors(
    tmp_path: Path, files: dict[str, str], spec: dict[str, object], unit: str | None, fragment: str
) -> None:
    for name, text in files.items():
        _write(tmp_path, name, text)
    with pytest.raises(ValueError, match=re.escape(fragment)):
        from_spec({"dist": "empirical", **spec}, unit=unit, base_dir=tmp_path)


# --------------------------------------------------------------------------- to_scipy

TO_SCIPY_SPECS: list[tuple[object, str | None]] = [
    (3.5, None),
    ({"dist": "constant", "value": "1 h"}, "duration"),
    ({"dist": "exponential", "mean": 5}, None),
    ({"dist": "lognormal", "mean": "90 min", "sd": "45 min"}, "duration"),
    ({"dist": "lognormal", "mean": 2, "sd": 9}, None),
    ({"dist": "normal", "mean": 10, "sd": 3}, None),
    ({"dist": "normal", "mean": "10 min", "sd": "6 min"}, "duration"),
    ({"dist": "normal", "mean": 0, "sd": 1, "low": -1, "high": 2}, None),
    ({"dist": "normal", "mean": 0, "sd": 1, "low": 4, "high": 6}, None),
    ({"dist": "normal", "mean": 0, "sd": 1, "high": -2}, None),
    ({"dist": "gamma", "mean": 4, "sd": 2}, None),
    ({"dist": "gamma", "mean": 1, "sd": 3}, None),
    ({"dist": "weibull", "mean": 60, "sd": 30}, None),
    ({"dist": "weibull", "mean": 10, "sd": 15}, None),
    ({"dist": "triangular", "low": 1, "mode": 2, "high": 5}, None),
    ({"dist": "triangular", "low": "0 min", "mode": "0 min", "high": "1 h"}, "duration"),
    ({"dist": "uniform", "low": 1, "high": 3}, None),
    ({"dist": "pert", "low": 1, "mode": 2, "high": 5}, None),
    ({"dist": "pert", "low": 0, "mode": 0, "high": 10, "lamb": 2}, None),
    ({"dist": "beta", "a": 2, "b": 3}, None),
    ({"dist": "beta", "a": 0.5, "b": 0.5, "low": "10 min", "high": "20 min"}, "duration"),
    ({"dist": "poisson", "mean": 3.5}, None),
    ({"dist": "poisson", "mean": 0}, None),
    ({"dist": "poisson", "mean": 5000}, None),
    ({"dist": "discrete", "values": [3, 1, 2], "probs": [0.2, 0.5, 0.3]}, None),
    ({"dist": "discrete", "values": [10, 20]}, None),
    ({"dist": "discrete", "values": [1, 2, 3], "probs": [0.5, 0.5, 0]}, None),
    ({"dist": "discrete", "values": [2, 1, 2], "probs": [0.25, 0.25, 0.5]}, None),
    ({"dist": "empirical", "values": [5, 1, 3, 3, 8]}, None),
    ({"dist": "empirical", "values": ["1 h", "30 min", "1 h", "2.5 h"]}, "duration"),
]
#: Uniforms inside (0, 1) that avoid the CDF steps of the discrete examples (there scipy takes
#: the lower value, autosim the upper one), plus random ones, which hit a step with probability 0.
TO_SCIPY_U = np.concatenate(
    [
        [1e-6, 0.0137, 0.1093, 0.2468, 0.3313, 0.4871, 0.5129, 0.6523, 0.7911, 0.8853],
        [0.9719, 0.9991, 1 - 1e-6],
        np.random.default_rng(SEED).random(200),
    ]
)


def _built(spec: object, unit: str | None) -> Distribution:
    return from_spec(spec, unit=unit)


TO_SCIPY_IDS = [repr(_built(spec, unit)) for spec, unit in TO_SCIPY_SPECS]


def test_to_scipy_examples_cover_every_family() -> None:
    assert {_built(spec, unit).family for spec, unit in TO_SCIPY_SPECS} == set(FAMILIES)


@pytest.mark.parametrize(("spec", "unit"), TO_SCIPY_SPECS, ids=TO_SCIPY_IDS)
def test_to_scipy_has_the_same_moments(spec: object, unit: str | None) -> None:
    dist = _built(spec, unit)
    frozen = dist.to_scipy()
    assert float(frozen.mean()) == pytest.approx(dist.mean, rel=1e-9, abs=1e-12)
    assert float(frozen.std()) == pytest.approx(dist.sd, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize(("spec", "unit"), TO_SCIPY_SPECS, ids=TO_SCIPY_IDS)
def test_to_scipy_has_the_same_ppf(spec: object, unit: str | None) -> None:
    dist = _built(spec, unit)
    ours = dist.ppf(TO_SCIPY_U)
    np.testing.assert_allclose(dist.to_scipy().ppf(TO_SCIPY_U), ours, rtol=1e-8, atol=1e-10)
    # and therefore the same draws: sampling is ppf(rng.random(size))
    drawn = dist.sample(np.random.default_rng(SEED), 100)
    np.testing.assert_allclose(
        dist.to_scipy().ppf(np.random.default_rng(SEED).random(100)), drawn, rtol=1e-8, atol=1e-10
    )


@pytest.mark.parametrize(("spec", "unit"), TO_SCIPY_SPECS, ids=TO_SCIPY_IDS)
def test_to_scipy_has_the_same_support(spec: object, unit: str | None) -> None:
    dist = _built(spec, unit)
    low, high = dist.to_scipy().support()
    assert (float(low), float(high)) == pytest.approx(dist.support, rel=1e-12)


def test_to_scipy_of_counted_values_puts_mass_on_distinct_values() -> None:
    empirical = from_spec({"dist": "empirical", "values": [5, 1, 3, 3, 8]}).to_scipy()
    np.testing.assert_allclose(empirical.pmf([1, 3, 5, 8, 4]), [0.2, 0.4, 0.2, 0.2, 0.0])
    discrete = from_spec(
        {"dist": "discrete", "values": [2, 1, 2, 3], "probs": [0.25, 0.25, 0.5, 0.0]}
    ).to_scipy()
    np.testing.assert_allclose(discrete.pmf([1, 2, 3]), [0.25, 0.75, 0.0])
    assert from_spec(3.5).to_scipy().cdf([3.4, 3.5]).tolist() == [0.0, 1.0]


def test_to_scipy_is_a_frozen_scipy_distribution() -> None:
    frozen = Normal(10.0, 3.0, low=8.0).to_scipy()
    assert frozen.dist.name == "truncnorm"
    assert Normal(10.0, 3.0).to_scipy().dist.name == "norm"
    assert frozen.cdf(8.0) == 0.0
    assert frozen.pdf(9.0) > 0
