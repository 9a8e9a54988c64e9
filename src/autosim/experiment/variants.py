"""Variants: the ways of running the business that one experiment compares.

The baseline (the business as it is), each automation alone, the scenario's bundles (bought
together on day 0) and its roadmaps (bought phase by phase). A variant is only a name and a list
of purchases: every variant of a replication plays against the same world.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from autosim.errors import RunError
from autosim.scenario.schema import Scenario

__all__ = ["MAX_ALL_BUNDLES", "Variant", "default_variants"]

#: --all-bundles refuses beyond this many automations (2**6 - 7 = 57 bundles).
MAX_ALL_BUNDLES = 6


@dataclass(frozen=True)
class Variant:
    """One way of running the business: the baseline, or with some automations.

    ``starts`` (minutes, one per automation) buys them later, phase by phase: a roadmap.
    Empty means every automation is bought on day 0.
    """

    id: str
    automations: tuple[str, ...] = ()
    starts: tuple[float, ...] = ()


def default_variants(scenario: Scenario, all_bundles: bool = False) -> list[Variant]:
    """The baseline, each automation alone, the scenario's bundles, then its roadmaps.

    With ``all_bundles``, every combination of two or more automations is added too (named
    ``a+b``), at most 6 automations (57 bundles).
    """
    variants = [Variant("baseline")] + [Variant(a.id, (a.id,)) for a in scenario.automations]
    variants += [Variant(b.id, b.automations) for b in scenario.bundles]
    if all_bundles:
        ids = [a.id for a in scenario.automations]
        if len(ids) > MAX_ALL_BUNDLES:
            raise RunError(
                f"--all-bundles with {len(ids)} automations would simulate "
                f"{2 ** len(ids) - len(ids) - 1} bundles; name the bundles you want in the "
                f"scenario's 'bundles:' section instead (at most {MAX_ALL_BUNDLES} automations)"
            )
        named = {v.automations for v in variants}
        for size in range(2, len(ids) + 1):
            for combo in combinations(ids, size):
                if combo not in named:
                    variants.append(Variant("+".join(combo), combo))
    variants += [Variant(r.id, r.automations, r.starts) for r in scenario.roadmaps]
    return variants
