"""Roadmaps in the scenario file: automations bought in phases rather than all on day 0.

A roadmap is a business's go-live plan — "automated dispatch now, mobile invoicing four months
later, when the dispatch bill has been absorbed". Each phase has a start (a duration from day 0,
e.g. ``4 month``) and the automations bought then; the whole plan is simulated as one variant.
This module owns the file form and its checks; the simulation of a purchase at a phase start
lives in :mod:`autosim.model.automation` (go-live) and :mod:`autosim.model.ledger` (costs).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence, Set

from pydantic import Field, field_validator

from autosim.scenario.schema_base import Frozen, Loc, variant_id
from autosim.units import format_duration, parse_duration

__all__ = ["Phase", "Roadmap", "roadmap_problems"]


class Phase(Frozen):
    """Automations bought together at ``start`` (minutes from day 0)."""

    start: float = 0.0
    automations: tuple[str, ...] = Field(min_length=1)

    @field_validator("start", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value)


class Roadmap(Frozen):
    """A phased go-live plan, simulated as its own variant on the same replications."""

    id: str
    description: str = ""
    phases: tuple[Phase, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return variant_id(value, "roadmap")

    def _ordered(self) -> list[tuple[float, str]]:
        """(start, automation) in purchase order (phases sorted by start, stable)."""
        phases = sorted(self.phases, key=lambda p: p.start)
        return [(p.start, a) for p in phases for a in p.automations]

    @property
    def automations(self) -> tuple[str, ...]:
        """Every automation of the plan, in purchase order."""
        return tuple(a for _, a in self._ordered())

    @property
    def starts(self) -> tuple[float, ...]:
        """Purchase time (minutes) of each automation, aligned with :attr:`automations`."""
        return tuple(s for s, _ in self._ordered())


def roadmap_problems(
    roadmaps: Sequence[Roadmap], automation_ids: Set[str], bundle_ids: Set[str], horizon: float
) -> list[tuple[Loc, str]]:
    """Roadmap problems that need the rest of the file: names, repeats, starts past the horizon.

    ``roadmaps`` are the scenario's roadmaps in file order, ``automation_ids`` and ``bundle_ids``
    the ids of its automations and bundles, ``horizon`` its simulated time (minutes).
    """
    problems: list[tuple[Loc, str]] = []
    known = ", ".join(sorted(automation_ids)) or "none"
    for r, roadmap in enumerate(roadmaps):
        if roadmap.id in automation_ids | bundle_ids:
            kind = "an automation's" if roadmap.id in automation_ids else "a bundle's"
            problems.append((("roadmaps", r, "id"), f"{roadmap.id!r} is already {kind} id"))
        seen: set[str] = set()
        for p, phase in enumerate(roadmap.phases):
            where: Loc = ("roadmaps", r, "phases", p)
            if phase.start >= horizon:
                problems.append(
                    (
                        (*where, "start"),
                        f"starts at {format_duration(phase.start)}, at or after the end of the "
                        f"{format_duration(horizon)} horizon; start it earlier or drop it",
                    )
                )
            for name in phase.automations:
                if name not in automation_ids:
                    hint = difflib.get_close_matches(name, sorted(automation_ids), n=1)
                    maybe = f"; did you mean {hint[0]!r}?" if hint else ""
                    problems.append(
                        (
                            (*where, "automations"),
                            f"unknown automation {name!r}{maybe} (known: {known})",
                        )
                    )
                elif name in seen:
                    problems.append(
                        (
                            (*where, "automations"),
                            f"{name!r} appears twice in this roadmap (each automation is bought "
                            "once)",
                        )
                    )
                seen.add(name)
    return problems
