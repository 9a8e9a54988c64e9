"""What figures and the report need from a run: the :class:`RunLike` protocol.

A run held in memory (``autosim.Results``) and a run re-read from its output folder
(``autosim.io.saved.SavedResults``) both offer the same few things, and presentation code asks
for nothing else. Typing against this protocol instead of importing either class keeps
``present`` below the layers that build runs, so the dependency arrows only point down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from autosim.scenario.schema import Scenario

__all__ = ["RunLike", "VariantLike"]


class VariantLike(Protocol):
    """One way of running the business: its id and the automations it buys."""

    @property
    def id(self) -> str: ...

    @property
    def automations(self) -> Sequence[str]: ...


class RunLike(Protocol):
    """A run as presentation code sees it.

    ``scenario`` may be None (a saved folder whose scenario copy is missing or no longer valid).
    Presentation code also reads, when present, ``scenario_text`` (the scenario file),
    ``manifest`` (``manifest.json``), ``timing`` and ``seed_given``, each through ``getattr``
    with a default, so a bare object with the frames and ``summary()`` still gets a report.
    """

    @property
    def scenario(self) -> Scenario | None: ...

    @property
    def variants(self) -> Sequence[VariantLike]: ...

    @property
    def replications(self) -> pd.DataFrame: ...

    @property
    def cash(self) -> pd.DataFrame: ...

    @property
    def seed(self) -> int: ...

    @property
    def n_replications(self) -> int: ...

    def summary(self) -> dict[str, Any]: ...
