"""What a run produced, as data: tidy frames and what is needed to reproduce them.

``replications`` has one row per replication x variant: the sampled inputs (``input:<path>``),
every KPI, and for automations the finance against the same replication's baseline. ``cash`` has
one row per day x replication x variant with the daily ledger and balance. Rows carry what
produced them, so a plain ``groupby`` answers most questions in a notebook. Nothing here judges
the run: every analysis (:mod:`autosim.decide`) is a function of a :class:`Run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autosim.experiment.variants import Variant
from autosim.kpis import CATALOGUE
from autosim.scenario.schema import Scenario

__all__ = ["FINANCE_COLUMNS", "Run"]

#: Columns that compare a variant with the baseline of the same replication.
FINANCE_COLUMNS = tuple(k.name for k in CATALOGUE if k.group == "versus")


@dataclass(frozen=True, eq=False)
class Run:
    """The frames of one experiment and how they were made.

    Attributes
    ----------
    scenario, variants
        What was simulated.
    replications : pandas.DataFrame
        One row per replication x variant.
    cash : pandas.DataFrame
        One row per day x replication x variant (empty for a KPIs-only run).
    seed : int
        The entropy actually used (drawn from the OS when no seed was given).
    seed_given : bool
        Whether the user chose the seed.
    timing : dict
        When and where it ran (start, end, executor, workers, events simulated...).
    precision : dict or None
        How precise the answer became when the run stopped on a precision target.
    """

    scenario: Scenario
    variants: tuple[Variant, ...]
    replications: pd.DataFrame
    cash: pd.DataFrame
    seed: int
    seed_given: bool = True
    timing: dict[str, Any] = field(default_factory=dict)
    precision: dict[str, Any] | None = None

    @property
    def n_replications(self) -> int:
        """Replications per variant."""
        return int(self.replications["replication"].nunique())

    @property
    def input_columns(self) -> list[str]:
        """Columns holding sampled uncertain inputs."""
        return [c for c in self.replications.columns if c.startswith("input:")]

    @property
    def kpi_columns(self) -> list[str]:
        """Columns holding KPIs (not inputs, not finance against the baseline)."""
        skip = {"variant", "replication", *FINANCE_COLUMNS}
        return [
            c for c in self.replications.columns if c not in skip and not c.startswith("input:")
        ]

    def variant_frame(self, variant_id: str) -> pd.DataFrame:
        """Rows of one variant, in replication order.

        The frame is sorted by variant, so the rows are one contiguous block: a slice, which
        pandas does not copy (a 10,000-replication frame is ~100 MB); a mask when not.
        """
        where = np.flatnonzero(self.replications["variant"].to_numpy() == variant_id)
        if where.size and where[-1] - where[0] + 1 == where.size:
            rows = self.replications.iloc[where[0] : where[-1] + 1]
        else:
            rows = self.replications.iloc[where]
        if rows.empty:
            known = ", ".join(v.id for v in self.variants)
            raise KeyError(f"no variant {variant_id!r} (known: {known})")
        return rows
