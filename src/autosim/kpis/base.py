"""One entry of the KPI catalogue: a KPI's name, unit, meaning, better direction, breakdowns.

The catalogue (:mod:`autosim.kpis`) is split by what the KPIs measure — operations
(:mod:`autosim.kpis.operations`) and money (:mod:`autosim.kpis.money`) — and both build on this
record, so it lives apart from either.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BY_ITEM", "BY_JOB", "KPI"]

#: Breakdowns of the per-job KPIs and of the stock KPIs.
BY_JOB = ("segment", "job_type")
BY_ITEM = ("item",)


@dataclass(frozen=True)
class KPI:
    """One key performance indicator."""

    name: str
    unit: str
    meaning: str
    better: str = ""  # "higher", "lower" or "" (neither)
    by: tuple[str, ...] = ()  # breakdowns available: "segment", "job_type", "item"
    group: str = "dispatch"
