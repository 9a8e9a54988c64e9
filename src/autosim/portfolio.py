"""Bundles and portfolio choice: which combination of automations to buy, within the budget.

Two automations can be worth more together than apart (automated dispatch brings more jobs,
mobile invoicing turns each into cash faster) or less (two tools competing for the same saving).
Because every bundle is simulated as its own variant on the same replications, the interaction
is measured directly: the bundle's NPV minus the sum of its parts' NPVs, paired replication by
replication. The recommended purchase is the variant with the best objective among those that
respect the strategy's constraints, with the trade-off frontier of impact against up-front cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autosim.analysis import mean_ci

__all__ = ["OBJECTIVES", "interactions", "recommend"]

#: What "best" means when choosing a portfolio.
OBJECTIVES = ("impact", "npv")


def interactions(replications: pd.DataFrame, variants: list[Any]) -> dict[str, dict[str, Any]]:
    """Per bundle: NPV of the bundle minus the sum of its automations' NPVs (paired)."""
    singles = {v.automations[0]: v.id for v in variants if len(v.automations) == 1}
    by_variant = {
        v: rows.sort_values("replication")["npv"].to_numpy(float)
        for v, rows in replications.groupby("variant")
    }
    out = {}
    for v in variants:
        if len(v.automations) < 2 or not all(a in singles for a in v.automations):
            continue
        parts = sum(by_variant[singles[a]] for a in v.automations)
        extra = by_variant[v.id] - parts
        lo, hi = mean_ci(extra)
        kind = "synergy" if lo > 0 else ("overlap" if hi < 0 else "additive")
        out[v.id] = {"npv": {"mean": float(np.mean(extra)), "ci95": [lo, hi]}, "kind": kind}
    return out


def _cost(replications: pd.DataFrame, variant_id: str) -> float:
    rows = replications[replications["variant"] == variant_id]
    return float(rows["automation_upfront"].mean())


def recommend(
    summary_variants: list[dict[str, Any]],
    replications: pd.DataFrame,
    objective: str = "impact",
) -> dict[str, Any]:
    """The best variant that fits every constraint, and the impact-versus-cost frontier.

    ``objective`` is ``impact`` (expected strategic impact, ties broken by NPV) or ``npv``.
    A variant without a verdict (no strategy) is ranked by NPV.
    """
    candidates = []
    for v in summary_variants:
        if not v["automations"]:
            continue
        constraints = v.get("constraints") or {}
        impact = (v.get("impact_score") or {}).get("mean")
        candidates.append(
            {
                "id": v["id"],
                "automations": v["automations"],
                "upfront": _cost(replications, v["id"]),
                "impact": impact,
                "npv": v["finance"]["npv"]["mean"],
                "verdict": v.get("verdict"),
                "fits": all(c["fits"] for c in constraints.values()),
            }
        )

    def score(c: dict[str, Any]) -> tuple[float, float]:
        npv = c["npv"] if c["npv"] is not None else -np.inf
        if objective == "impact" and c["impact"] is not None:
            return (c["impact"], npv)
        return (npv, c["impact"] or 0.0)

    eligible = [c for c in candidates if c["fits"] and c["verdict"] != "detrimental"]
    best = max(eligible, key=score, default=None)
    frontier = []
    for c in sorted(candidates, key=lambda c: (c["upfront"], [-x for x in score(c)])):
        dominated = any(
            o["upfront"] <= c["upfront"] and score(o) > score(c) for o in candidates if o is not c
        )
        frontier.append({**c, "efficient": not dominated})
    return {
        "objective": objective,
        "recommended": best["id"] if best else None,
        "reason": _reason(best, objective)
        if best
        else "no automation or bundle fits the "
        "constraints without harming a goal: keep the business as it is",
        "frontier": frontier,
    }


def _reason(best: dict[str, Any], objective: str) -> str:
    what = "strategic impact" if objective == "impact" else "expected NPV"
    impact = f"impact {best['impact']:+.2f}, " if best["impact"] is not None else ""
    return (
        f"{best['id']} has the highest {what} among the options that fit every constraint "
        f"({impact}NPV {best['npv']:,.0f}, up-front {best['upfront']:,.0f})"
    )
