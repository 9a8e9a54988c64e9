"""Roadmaps: in which order to buy automations, and whether a phased plan keeps cash afloat.

A small business rarely buys everything at once: it starts with what gives the most for the
money and adds the next tool when cash allows. This module reads two answers off a run. The
*suggested order* ranks the automations simulated alone by what each gives per unit of up-front
cost (strategic impact; NPV without a strategy) and keeps, in that order, those that are not
harmful, move a goal, and still fit the budget together — like filling a shopping basket with
the best value first until the money runs out. The *roadmaps* of the scenario (phased go-live
plans, each simulated as its own variant) are then compared by the portfolio objective, each
with its real cash path: a plan whose second purchase pushes the bank balance under the
strategy's floor in month 4 says so, in how many replications and from which month.

Months here are average months of 30.4375 days (365.25 / 12), the same unit as a phase's
``start: 4 month``, counted from day 0 (month 0 is the first).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.decide.portfolio import member_verdicts, recommend, why_not
from autosim.stats import mean_ci

if TYPE_CHECKING:
    from autosim.experiment.variants import Variant
    from autosim.scenario.schema import Scenario

__all__ = [
    "MONTH_DAYS",
    "breach_summary",
    "roadmap_lines",
    "roadmap_section",
    "suggested_order",
]

#: Days in the "month" of phase starts and breach months (an average Gregorian month).
MONTH_DAYS = 365.25 / 12


def breach_summary(days: np.ndarray, start_date: dt.date | None = None) -> dict[str, Any]:
    """How often, and from when, a variant's cash went under the floor (``cash_floor_day``).

    The month is the one in which that day's closing balance falls, ``(day + 1) // 30.4375``
    (month 0 is the first), so a purchase at ``start: 2 month`` that breaks the floor is
    reported in month 2; the date is given when ``start_date`` is.
    """
    days = np.asarray(days, dtype=float)
    hit = days[np.isfinite(days)]
    out: dict[str, Any] = {
        "n_breached": int(hit.size),
        "n_replications": int(days.size),
        "share": float(hit.size / days.size) if days.size else None,
        "first_day_p50": None,
        "first_month_p50": None,
        "earliest_month": None,
    }
    if hit.size:
        median = float(np.quantile(hit, 0.5, method="inverted_cdf"))
        out.update(
            first_day_p50=median,
            first_month_p50=int((median + 1) // MONTH_DAYS),
            earliest_month=int((hit.min() + 1) // MONTH_DAYS),
        )
        if start_date is not None:
            out["first_date_p50"] = (start_date + dt.timedelta(days=int(median))).isoformat()
    return out


def breach_sentence(check: dict[str, Any]) -> str:
    """One sentence for an explanation: under the cash floor in k of n replications, from when."""
    b = check["breach"]
    when = f", typically from month {b['first_month_p50']}"
    if b.get("first_date_p50"):
        when += f" ({b['first_date_p50']})"
    return (
        f"Its cash falls below the minimum balance of {check['limit']:,.0f} in "
        f"{b['n_breached']} of {b['n_replications']} replications{when}."
    )


def _mean(rows: pd.DataFrame, column: str) -> float:
    values = rows[column].to_numpy(float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")


def suggested_order(
    scenario: Scenario,
    entries: Sequence[dict[str, Any]],
    replications: pd.DataFrame,
    recommended: Sequence[str] = (),
) -> dict[str, Any]:
    """The order in which to buy: the recommended purchase first, then what else may follow.

    ``entries`` are the summary's single-automation variants; ``recommended`` the automations
    of the recommended option (:func:`autosim.decide.portfolio.recommend`), which come first,
    by value per up-front cost. Other automations follow, by the same measure, when the same
    decision rule allows them on their own (:func:`autosim.decide.portfolio.why_not`: aligned,
    or a positive NPV without a strategy, fitting the constraints) and the cumulative up-front
    cost stays within the budget; they were not simulated together with the recommendation.
    Value is the strategic impact score (NPV without a strategy, or when the objective is NPV).
    """
    strategy = scenario.strategy
    measure = "npv" if strategy is None or strategy.objective == "npv" else "impact"
    budget = None
    if strategy is not None and strategy.constraints.budget_upfront is not None:
        budget = float(strategy.constraints.budget_upfront)
    judged = strategy is not None
    ranked = []
    for e in entries:
        rows = replications.loc[replications["variant"] == e["id"], ["automation_upfront"]]
        upfront = _mean(rows, "automation_upfront")
        impact = (e.get("impact_score") or {}).get("mean")
        npv = e["finance"]["npv"]["mean"]
        value = impact if measure == "impact" else npv
        value = float("nan") if value is None else float(value)
        free = math.inf if value > 0 else float("nan")  # costs nothing up front
        per_cost = value / upfront if upfront > 0 else free
        ranked.append(
            {
                "automation": e["automations"][0],
                "upfront": upfront,
                "impact": impact,
                "npv": npv,
                "value_per_1k": per_cost * 1000 if math.isfinite(per_cost) else per_cost,
                "verdict": e.get("verdict"),
                "recommended": e["automations"][0] in recommended,
                "why_not": why_not(e, {}, judged),
            }
        )
    ranked.sort(
        key=lambda c: (
            not c["recommended"],
            -np.nan_to_num(c["value_per_1k"], nan=-np.inf),
            c["upfront"],
        )
    )
    order, skipped, total = [], [], 0.0
    for c in ranked:
        reason = None if c["recommended"] else c["why_not"]
        if reason is None and budget is not None and total + c["upfront"] > budget:
            reason = (
                f"over budget (cumulative up-front {total + c['upfront']:,.0f} > {budget:,.0f})"
            )
        if reason:
            skipped.append({**c, "reason": reason})
            continue
        total += c["upfront"]
        order.append({**c, "cumulative_upfront": total})
    return {"measure": measure, "budget": budget, "order": order, "skipped": skipped}


def _phases(variant: Variant) -> list[dict[str, Any]]:
    by_start: dict[float, list[str]] = {}
    for automation, start in zip(variant.automations, variant.starts, strict=True):
        by_start.setdefault(start, []).append(automation)
    return [
        {"start_day": start / 1440.0, "start_month": start / 1440.0 / MONTH_DAYS, "automations": a}
        for start, a in sorted(by_start.items())
    ]


def _versus_bundle(
    replications: pd.DataFrame, variant: Variant, variants: Sequence[Variant]
) -> dict[str, Any] | None:
    """Paired NPV of the roadmap minus buying the same automations on day 0 (if simulated)."""
    same = [v for v in variants if not v.starts and set(v.automations) == set(variant.automations)]
    if not same:
        return None

    def npv(variant_id: str) -> np.ndarray:
        rows = replications.loc[replications["variant"] == variant_id, ["replication", "npv"]]
        return rows.sort_values("replication")["npv"].to_numpy(float)

    diff = npv(variant.id) - npv(same[0].id)
    lo, hi = mean_ci(diff)
    return {
        "variant": same[0].id,
        "npv_difference": {"mean": float(np.mean(diff)), "ci95": [lo, hi]},
    }


def _compare_roadmaps(
    scenario: Scenario,
    entries: Sequence[dict[str, Any]],
    replications: pd.DataFrame,
    variants: Sequence[Variant],
) -> list[dict[str, Any]]:
    by_id = {e["id"]: e for e in entries}
    out = []
    for variant in variants:
        if not variant.starts:
            continue
        e = by_id[variant.id]
        rows = replications[replications["variant"] == variant.id]
        cash = (e.get("constraints") or {}).get("min_cash_balance")
        if "cash_floor_day" in rows:  # the breach again, now with its calendar date
            days = rows["cash_floor_day"].to_numpy(float)
            breach = breach_summary(days, scenario.calendar.start_date)
            cash = {**(cash or {"limit": scenario.cash_floor}), "breach": breach}
        out.append(
            {
                "id": variant.id,
                "phases": _phases(variant),
                "upfront": _mean(rows, "automation_upfront"),
                "impact": (e.get("impact_score") or {}).get("mean"),
                "npv": e["finance"]["npv"]["mean"],
                "payback_months_p50": e["finance"]["payback_months"]["p50"],
                "verdict": e.get("verdict"),
                "fits": all(c["fits"] for c in (e.get("constraints") or {}).values()),
                "cash_floor": cash,
                "versus_day_0": _versus_bundle(replications, variant, variants),
            }
        )
    return out


def roadmap_section(
    scenario: Scenario,
    entries: Sequence[dict[str, Any]],
    replications: pd.DataFrame,
    variants: Sequence[Variant],
    objective: str,
    recommended: Sequence[str] = (),
) -> dict[str, Any]:
    """The ``roadmap`` part of ``summary.json``: suggested order, and the best phased plan.

    ``entries`` are the summary's variant entries (with verdicts and constraints when there is
    a strategy); ``recommended`` the automations of the recommended purchase, which lead the
    suggested order. The best roadmap is chosen by the same rule
    (:func:`autosim.decide.portfolio.recommend`, the portfolio ``objective``).
    """
    timed = {v.id for v in variants if v.starts}
    singles = [e for e in entries if len(e["automations"]) == 1 and e["id"] not in timed]
    section: dict[str, Any] = {
        "suggested_order": suggested_order(scenario, singles, replications, recommended),
        "roadmaps": _compare_roadmaps(scenario, entries, replications, variants),
        "best": None,
        "reason": "the scenario names no roadmaps",
    }
    if section["roadmaps"]:
        members = member_verdicts([e for e in entries if e["id"] not in timed])
        plans = [e for e in entries if e["id"] in timed]
        choice = recommend(plans, replications, objective, members)
        section["best"] = choice["recommended"]
        section["reason"] = choice["reason"]
    return section


def _money(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def _value_text(measure: str, value: float) -> str:
    return f"{value:+.2f}" if measure == "impact" else _money(value)


def roadmap_lines(section: dict[str, Any], currency: str = "") -> list[str]:
    """The roadmap section in plain lines for the terminal (under the portfolio table)."""
    order = section["suggested_order"]
    unit = "impact" if order["measure"] == "impact" else "NPV"
    budget = "" if order["budget"] is None else f", budget {_money(order['budget'])} {currency}"
    lines = [
        f"Suggested order (the recommended purchase first, then by {unit} per 1k up-front{budget}):"
    ]
    for i, c in enumerate(order["order"], 1):
        value = c["impact"] if order["measure"] == "impact" else c["npv"]
        tag = " (recommended)" if c.get("recommended") else " (then, budget allowing)"
        lines.append(
            f"  {i}. {c['automation']}{tag}: up-front {_money(c['upfront'])}, {unit} "
            f"{_value_text(order['measure'], value)}, "
            f"cumulative {_money(c['cumulative_upfront'])}"
        )
    if not order["order"]:
        lines.append("  (none: nothing is aligned with the goals within the constraints)")
    lines += [f"  - not suggested: {c['automation']} ({c['reason']})" for c in order["skipped"]]
    for r in section["roadmaps"]:
        plan = "; ".join(
            f"day {p['start_day']:.4g}: {', '.join(p['automations'])}" for p in r["phases"]
        )
        impact = "" if r["impact"] is None else f"impact {r['impact']:+.2f}, "
        lines.append(
            f"Roadmap {r['id']} ({plan}): {impact}NPV {_money(r['npv'])}, up-front "
            f"{_money(r['upfront'])}, fits: {'yes' if r['fits'] else 'no'}"
        )
        cash = r["cash_floor"]
        if cash and cash.get("breach"):
            b = cash["breach"]
            if b["n_breached"]:
                lines.append(
                    f"  cash under the floor of {_money(cash['limit'])} in {b['n_breached']} of "
                    f"{b['n_replications']} replications, typically from month "
                    f"{b['first_month_p50']} ({b.get('first_date_p50', '')})"
                )
            else:
                lines.append(f"  cash stays above the floor of {_money(cash['limit'])} throughout")
        if r["versus_day_0"]:
            d = r["versus_day_0"]
            lines.append(
                f"  NPV against buying all on day 0 ({d['variant']}): "
                f"{d['npv_difference']['mean']:+,.0f}"
            )
    if section["roadmaps"]:
        lines.append(f"Best roadmap: {section['best'] or 'none'} — {section['reason']}.")
    return lines
