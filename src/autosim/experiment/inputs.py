"""Sampling the uncertain inputs of one replication: the world that replication lives in.

Each uncertain input is drawn by inverse transform from a uniform score: ``value = dist.ppf(u)``.
An input named in no correlation takes its score from its own stream ``input:<path>``, so adding
a correlation elsewhere never changes it. Correlated inputs take theirs from one Gaussian copula:
correlated standard normals ``z`` from the stream ``inputs:copula`` (one per correlated input, in
file order), ``u = Phi(z)``. Each input's own distribution is therefore exact, and the rank
correlations are the ones asked for — like dealing each replication a hand from a deck in which
some cards are known to come together.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import special

from autosim.experiment.streams import Streams
from autosim.scenario.correlations import copula_matrix
from autosim.scenario.fields import Uncertain
from autosim.scenario.resolve import uncertain_inputs
from autosim.scenario.schema import Scenario

__all__ = ["COPULA_STREAM", "InputSampler", "sample_inputs"]

#: The stream the correlated inputs' normal scores are drawn from.
COPULA_STREAM = "inputs:copula"


class InputSampler:
    """Draws a scenario's uncertain inputs; built once, called once per replication.

    Parameters
    ----------
    scenario
        A validated scenario (its correlations are known to be consistent).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.inputs: dict[str, Uncertain] = uncertain_inputs(scenario)
        self.correlated, matrix = copula_matrix(scenario)
        self._factor = np.linalg.cholesky(matrix) if self.correlated else None

    @property
    def names(self) -> list[str]:
        """Input paths in file order (the ``input:<path>`` columns of the replications)."""
        return list(self.inputs)

    def scores(self, streams: Streams) -> dict[str, float]:
        """Uniform scores of the correlated inputs for one replication (empty without any)."""
        if self._factor is None:
            return {}
        z = self._factor @ streams(COPULA_STREAM).standard_normal(len(self.correlated))
        return dict(zip(self.correlated, special.ndtr(z).tolist(), strict=True))

    def __call__(self, streams: Streams) -> dict[str, float]:
        """Every uncertain input's value for the replication whose streams are given."""
        scores = self.scores(streams)
        values: dict[str, float] = {}
        for path, u in self.inputs.items():
            if path in scores:
                values[path] = float(u.dist.ppf(scores[path]))
            else:
                values[path] = float(u.dist.sample(streams(f"input:{path}")))
        return values

    def from_scores(self, scores: Mapping[str, float]) -> dict[str, float]:
        """Input values at given uniform scores (designed experiments such as Sobol)."""
        return {path: float(u.dist.ppf(scores[path])) for path, u in self.inputs.items()}


def sample_inputs(scenario: Scenario, streams: Streams) -> dict[str, float]:
    """The uncertain inputs of the replication whose streams are given, by path.

    Examples
    --------
    >>> from autosim.experiment.streams import Streams
    >>> from autosim.scenario import scenario_from_dict
    >>> sc = scenario_from_dict({
    ...     "name": "two unknowns", "horizon": "7 day",
    ...     "dispatch": {"technicians": {"count": 1}, "job_types": [{
    ...         "id": "repair", "service_time": "1 h",
    ...         "rate_per_day": {"uncertain": {"dist": "uniform", "low": 2, "high": 4}},
    ...         "growth_per_year": {"uncertain": {"dist": "uniform", "low": 0, "high": 0.1}}}]},
    ...     "correlations": [{"between": ["dispatch.job_types.repair.rate_per_day",
    ...                                   "dispatch.job_types.repair.growth_per_year"],
    ...                       "rank": 0.6}]})
    >>> sorted(sample_inputs(sc, Streams(entropy=1, replication=0)))
    ['dispatch.job_types.repair.growth_per_year', 'dispatch.job_types.repair.rate_per_day']
    """
    return InputSampler(scenario)(streams)
