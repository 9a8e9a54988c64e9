"""Bundles and portfolio choice: which combination of automations to buy, within the budget.

Two automations can be worth more together than apart (automated dispatch brings more jobs,
mobile invoicing turns each into cash faster) or less (two tools competing for the same saving).
Because every bundle is simulated as its own variant on the same replications, the interaction
is measured directly: the bundle's NPV minus the sum of its parts' NPVs, paired replication by
replication. The recommended purchase is the variant with the best objective among those that
respect the strategy's constraints, with the trade-off frontier of that objective against
up-front cost. "Best" is the analyst's choice: strategic impact, NPV, P(all key goals met), or a
risk measure for an owner who cannot afford a bad year (P(NPV < 0), CVaR, the worst month's cash).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.errors import RunError
from autosim.stats import mean_ci

if TYPE_CHECKING:
    from autosim.scenario.goals import Strategy

__all__ = [
    "OBJECTIVES",
    "constraint_text",
    "interactions",
    "member_verdicts",
    "objective_value",
    "recommend",
    "resolve_objective",
    "why_not",
]


@dataclass(frozen=True)
class Objective:
    """One meaning of "best": where its value sits in a variant's summary, and its direction."""

    label: str
    path: tuple[str, ...]
    higher_is_better: bool = True
    needs_strategy: bool = False


#: What "best" means when choosing a portfolio (``strategy.objective``, ``--objective``).
OBJECTIVES: dict[str, Objective] = {
    "impact": Objective("strategic impact", ("impact_score", "mean"), needs_strategy=True),
    "npv": Objective("expected NPV", ("finance", "npv", "mean")),
    "p_goals": Objective("P(all key goals met)", ("key_goals", "p_met"), needs_strategy=True),
    "p_loss": Objective(
        "P(NPV < 0)", ("finance", "risk", "p_loss", "value"), higher_is_better=False
    ),
    "cvar": Objective(
        "CVaR10 of NPV (mean of the worst 10%)", ("finance", "risk", "cvar10", "value")
    ),
    "worst_month_cash": Objective(
        "P5 of the worst month-end cash", ("finance", "risk", "worst_month_cash", "p5")
    ),
}


def resolve_objective(requested: str | None, strategy: Strategy | None) -> str:
    """The objective to use: the one asked for (CLI), else the strategy's, else ``npv``.

    ``impact`` and ``p_goals`` need a strategy with goals; the money and risk objectives do not.
    """
    name = requested or (strategy.objective if strategy is not None else "npv")
    if name not in OBJECTIVES:
        raise RunError(f"unknown objective {name!r} (allowed: {', '.join(OBJECTIVES)})")
    if OBJECTIVES[name].needs_strategy and strategy is None:
        free = ", ".join(k for k, o in OBJECTIVES.items() if not o.needs_strategy)
        raise RunError(
            f"the objective {name!r} needs a strategy section with goals; without one choose {free}"
        )
    return name


def objective_value(variant: dict[str, Any], objective: str) -> float | None:
    """The objective's value in one variant's summary entry (None when it is not there)."""
    value: Any = variant
    for key in OBJECTIVES[objective].path:
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is None or not np.isfinite(value) else float(value)


def interactions(replications: pd.DataFrame, variants: list[Any]) -> dict[str, dict[str, Any]]:
    """Per bundle: NPV of the bundle minus the sum of its automations' NPVs (paired)."""
    singles = {v.automations[0]: v.id for v in variants if len(v.automations) == 1}
    npv = replications[["variant", "replication", "npv"]]  # only what is compared
    by_variant = {
        v: rows.sort_values("replication")["npv"].to_numpy(float)
        for v, rows in npv.groupby("variant")
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
    mask = replications["variant"] == variant_id
    return float(replications.loc[mask, "automation_upfront"].mean())


def why_not(v: dict[str, Any], member_verdicts: dict[str, str | None], judged: bool) -> str | None:
    """The one decision rule: why this option may not be bought (None: it may).

    With a strategy an option must be ``aligned`` and so must each of its automations on its
    own (a bundle may not carry a passenger that moves no goal); without one its expected NPV
    must be positive. Either way it must fit every constraint.
    """
    if judged:
        if v.get("verdict") != "aligned":
            return str(v.get("verdict"))
        passengers = [
            f"{a} is {member_verdicts[a]}"
            for a in v["automations"]
            if member_verdicts.get(a) not in (None, "aligned")
        ]
        if passengers:
            return "includes " + " and ".join(passengers)
    else:
        npv = objective_value(v, "npv")
        if npv is None or npv <= 0:
            return "no expected gain (NPV not positive)"
    failing = [name for name, c in (v.get("constraints") or {}).items() if not c["fits"]]
    if failing:
        return "does not fit: " + "; ".join(
            constraint_text(name, v["constraints"][name]) for name in failing
        )
    return None


def constraint_text(name: str, check: dict[str, Any]) -> str:
    """A failed constraint in words, with how far off it is."""
    limit, median, share = check.get("limit"), check.get("median"), check.get("p_holds")
    held = "" if share is None else f" (holds in {share:.0%} of replications)"
    if median is None or limit is None:
        return f"{name}{held}"
    if name == "budget_upfront":
        over = median - limit
        return f"up-front {median:,.0f} against a budget of {limit:,.0f} (over by {over:,.0f})"
    if name == "max_payback_months":
        when = f"{median:.1f} months" if np.isfinite(median) else "beyond the horizon"
        return f"median payback {when} against a limit of {limit:g} months{held}"
    return f"lowest cash {median:,.0f} against a floor of {limit:,.0f}{held}"


def member_verdicts(summary_variants: list[dict[str, Any]]) -> dict[str, str | None]:
    """Each automation's verdict on its own (its single-automation variant)."""
    return {
        v["automations"][0]: v.get("verdict")
        for v in summary_variants
        if len(v["automations"]) == 1 and v["id"] == v["automations"][0]
    }


def _candidate(v: dict[str, Any], replications: pd.DataFrame, objective: str) -> dict[str, Any]:
    constraints = v.get("constraints") or {}
    return {
        "id": v["id"],
        "automations": v["automations"],
        "upfront": _cost(replications, v["id"]),
        "impact": objective_value(v, "impact"),
        "npv": objective_value(v, "npv"),
        "p_goals": objective_value(v, "p_goals"),
        "p_loss": objective_value(v, "p_loss"),
        "cvar10": objective_value(v, "cvar"),
        "worst_month_cash_p5": objective_value(v, "worst_month_cash"),
        "value": objective_value(v, objective),
        "verdict": v.get("verdict"),
        "fits": all(c["fits"] for c in constraints.values()),
    }


def recommend(
    summary_variants: list[dict[str, Any]],
    replications: pd.DataFrame,
    objective: str = "impact",
    members: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The best variant that fits every constraint, and the frontier of value against cost.

    ``objective`` is one of :data:`OBJECTIVES`: ``impact`` (expected strategic impact),
    ``npv``, ``p_goals`` (P(all key goals met)), ``p_loss`` (P(NPV < 0), lower is better),
    ``cvar`` (expected NPV in the worst 10% of replications) or ``worst_month_cash`` (P5 of the
    lowest month-end cash balance). Ties are broken by expected NPV. When no option carries the
    objective (``impact`` without a strategy), options are ranked by NPV instead. Only options
    the decision rule (:func:`why_not`) allows may be recommended; ``members`` gives each
    automation's own verdict (default: from the single-automation entries given). When none is
    allowed, ``binding`` says what stands in the way.
    """
    if objective not in OBJECTIVES:
        raise RunError(f"unknown objective {objective!r} (allowed: {', '.join(OBJECTIVES)})")
    options = [v for v in summary_variants if v["automations"]]
    if options and all(objective_value(v, objective) is None for v in options):
        objective = "npv"
    judged = any("verdict" in v for v in options)
    members = member_verdicts(summary_variants) if members is None else members
    candidates = [
        {**_candidate(v, replications, objective), "why_not": why_not(v, members, judged)}
        for v in options
    ]
    sign = 1.0 if OBJECTIVES[objective].higher_is_better else -1.0

    def score(c: dict[str, Any]) -> tuple[float, float]:
        value = -np.inf if c["value"] is None else sign * c["value"]
        return (value, -np.inf if c["npv"] is None else c["npv"])

    eligible = [c for c in candidates if c["why_not"] is None]
    best = max(eligible, key=score, default=None)
    frontier = []
    for c in sorted(candidates, key=lambda c: (c["upfront"], [-x for x in score(c)])):
        dominated = any(
            o["upfront"] <= c["upfront"] and score(o) > score(c) for o in candidates if o is not c
        )
        frontier.append({**c, "efficient": not dominated})
    out = {
        "objective": objective,
        "objective_label": OBJECTIVES[objective].label,
        "recommended": best["id"] if best else None,
        "reason": _reason(best, objective) if best else "",
        "frontier": frontier,
    }
    if best is None:
        out["binding"] = _binding(candidates, score)
        out["reason"] = out["binding"]["text"]
    return out


def _binding(candidates: list[dict[str, Any]], score: Any) -> dict[str, Any]:
    """What keeps the best otherwise-acceptable option from being recommended."""
    held_back = [c for c in candidates if (c["why_not"] or "").startswith("does not fit")]
    if held_back:
        c = max(held_back, key=score)
        return {
            "constraint": "constraints",
            "option": c["id"],
            "text": f"buy nothing yet: {c['id']} would be the choice but {c['why_not']}",
        }
    if not candidates:
        return {"constraint": None, "option": None, "text": "there are no options to choose"}
    return {
        "constraint": "strategy",
        "option": None,
        "text": "buy nothing yet: no option is aligned with the business's goals "
        "(" + "; ".join(f"{c['id']}: {c['why_not']}" for c in candidates) + ")",
    }


def _format_value(objective: str, value: float | None) -> str:
    """The objective's value for a sentence or a table cell: 42%, 12,300, +0.25."""
    if value is None:
        return "-"
    if objective in ("p_goals", "p_loss"):
        return f"{value:.0%}"
    if objective == "impact":
        return f"{value:+.2f}"
    return f"{value:,.0f}"


def _reason(best: dict[str, Any], objective: str) -> str:
    spec = OBJECTIVES[objective]
    which = "highest" if spec.higher_is_better else "lowest"
    value = "" if objective in ("impact", "npv") else f"{_format_value(objective, best['value'])}, "
    impact = f"impact {best['impact']:+.2f}, " if best["impact"] is not None else ""
    npv = "-" if best["npv"] is None else f"{best['npv']:,.0f}"
    return (
        f"{best['id']} has the {which} {spec.label} among the options that are aligned with the "
        "goals and fit every constraint "
        f"({value}{impact}NPV {npv}, up-front {best['upfront']:,.0f})"
    )
