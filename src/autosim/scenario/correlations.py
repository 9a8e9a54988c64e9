"""Rank correlations between uncertain inputs: unknowns that move together.

A good year brings more emergency calls *and* a team more willing to take up a new app; treating
the two as independent makes the extreme worlds (both high, both low) too rare and the spread of
the answer too narrow. The ``correlations:`` section states such links as Spearman rank
correlations between named uncertain inputs (their ``input:<path>`` names), e.g.::

    correlations:
      - between: [dispatch.job_types.emergency.growth_per_year,
                  automations.auto_dispatch.adoption.level]
        rank: 0.5

This module owns the section's schema, its checks against the rest of the file (known names, no
pair twice, a matrix some joint distribution can have) and the copula matrix the sampler uses
(:mod:`autosim.experiment.inputs`): a Gaussian copula with Pearson ``r = 2 sin(pi rho / 6)``,
which gives exactly the requested rank correlation and keeps every input's own distribution.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from pydantic import field_validator

from autosim.scenario.resolve import uncertain_inputs
from autosim.scenario.schema_base import Frozen, Loc

__all__ = ["Correlation", "copula_matrix", "correlation_problems", "pearson_from_spearman"]

#: Smallest eigenvalue a copula matrix may have: below this, Cholesky is unreliable.
MIN_EIGENVALUE = 1e-8


class Correlation(Frozen):
    """A Spearman rank correlation between two uncertain inputs, named by their paths."""

    between: tuple[str, str]
    rank: float

    @field_validator("between", mode="before")
    @classmethod
    def _two_names(cls, value: object) -> object:
        if isinstance(value, str) or not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError(
                "'between' takes a list of two uncertain-input names, e.g. "
                "[dispatch.job_types.emergency.growth_per_year, "
                f"automations.auto_dispatch.adoption.level] (got {value!r})"
            )
        for name in value:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"input names must be text (got {name!r})")
        return tuple(name.strip().removeprefix("input:") for name in value)

    @field_validator("rank", mode="before")
    @classmethod
    def _rank(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"rank must be a number between -1 and 1 (got {value!r})")
        if not math.isfinite(value) or abs(value) > 1:
            raise ValueError(f"rank must be between -1 and 1 (got {value:g})")
        return float(value)


def pearson_from_spearman(rank: np.ndarray | float) -> np.ndarray | float:
    """The normal-copula correlation whose rank correlation is ``rank`` (Pearson, 1907)."""
    return 2.0 * np.sin(np.pi * np.asarray(rank) / 6.0)


class _Correlated(Protocol):
    """A scenario, as far as the copula reads it: its correlations and its uncertain inputs."""

    @property
    def correlations(self) -> tuple[Correlation, ...]: ...


def copula_matrix(scenario: _Correlated) -> tuple[list[str], np.ndarray]:
    """The correlated inputs (in file order) and their normal-copula correlation matrix.

    Inputs named in no correlation are left out: they keep their own random streams.
    """
    return _copula(list(uncertain_inputs(scenario)), scenario.correlations)


def _copula(
    inputs: Sequence[str], correlations: Sequence[Correlation]
) -> tuple[list[str], np.ndarray]:
    """:func:`copula_matrix` given the uncertain inputs' names in file order."""
    named = {name for c in correlations for name in c.between}
    names = [path for path in inputs if path in named]
    index = {name: i for i, name in enumerate(names)}
    matrix = np.eye(len(names))
    for c in correlations:
        i, j = index[c.between[0]], index[c.between[1]]
        matrix[i, j] = matrix[j, i] = pearson_from_spearman(c.rank)
    return names, matrix


def correlation_problems(
    correlations: Sequence[Correlation], inputs: Sequence[str]
) -> list[tuple[Loc, str]]:
    """Problems of the ``correlations`` section: unknown names, repeats, impossible matrices.

    ``inputs`` are the names of the scenario's uncertain inputs in file order
    (:func:`~autosim.scenario.resolve.uncertain_inputs`).
    """
    if not correlations:
        return []
    known = list(inputs)
    problems: list[tuple[Loc, str]] = []
    seen: dict[frozenset[str], int] = {}
    for i, c in enumerate(correlations):
        for j, name in enumerate(c.between):
            if name not in known:
                problems.append((("correlations", i, "between", j), _unknown(name, known)))
        a, b = c.between
        if a == b:
            problems.append(
                (("correlations", i, "between"), f"{a!r} is correlated with itself (always 1)")
            )
        pair = frozenset(c.between)
        if pair in seen:
            problems.append(
                (
                    ("correlations", i, "between"),
                    f"the pair {a} ~ {b} is already given in correlations[{seen[pair]}]; "
                    "give each pair once",
                )
            )
        seen.setdefault(pair, i)
    if not problems:
        problem = _matrix_problem(known, correlations)
        if problem:
            problems.append((("correlations",), problem))
    return problems


def _unknown(name: str, known: list[str]) -> str:
    if not known:
        return (
            f"unknown input {name!r}: the scenario has no uncertain inputs (write a value as "
            "{uncertain: {dist: ...}} to make it one)"
        )
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    maybe = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown uncertain input {name!r}{maybe} (uncertain inputs: {', '.join(known)})"


def _matrix_problem(inputs: Sequence[str], correlations: Sequence[Correlation]) -> str | None:
    """Say why no joint distribution has these correlations, or None when one does."""
    names, matrix = _copula(inputs, correlations)
    values, vectors = np.linalg.eigh(matrix)
    if values[0] > MIN_EIGENVALUE:
        return None
    weights = np.abs(vectors[:, 0])
    involved = [n for n, w in zip(names, weights, strict=True) if w > 0.25 * weights.max()]
    pairs = [
        f"{c.between[0]} ~ {c.between[1]} ({c.rank:+g})"
        for c in correlations
        if set(c.between) <= set(involved)
    ]
    lockstep = [c for c in correlations if abs(c.rank) == 1]
    if lockstep:
        hint = (
            "a rank of +-1 makes two inputs one unknown; use e.g. 0.95, or describe them with "
            "one uncertain input"
        )
    else:
        hint = "loosen the strongest of them"
    return (
        "the correlations are inconsistent: no joint distribution has them (as a normal copula "
        f"their correlation matrix has smallest eigenvalue {values[0]:.3g}; all must be > 0). "
        "They involve "
        f"{'; '.join(pairs) or ', '.join(involved)}: {hint}"
    )
