"""The report's first screen as plain data: what to buy and why, and every option side by side.

A client reads the top of the page and stops. So the recommendation comes first, in one sentence
naming the option (``portfolio.recommended``, the same one the terminal's ``Recommended:`` line
names) with its reasons — how far it moves each goal, its NPV with the spread of outcomes, its
payback, and whether it fits the constraints — and then the options table, one compact row per
option. Roadmaps and risk follow (:func:`roadmap_section`, :func:`risk_table`).

Keys added to the summary by later versions (``progress`` and ``level`` of a goal,
``portfolio.binding``) are read when present and shown as "—" when not. Nothing here writes
markup: the template lays it out and escapes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from autosim.present.labels import humanize
from autosim.present.numbers import finite, fmt, months, months_text, pct, roi_pct, short_money
from autosim.present.report_data import Table

__all__ = [
    "VERDICT_CLASS",
    "fits_text",
    "goal_cell",
    "options_table",
    "reason_text",
    "recommendation",
    "risk_table",
    "roadmap_ids",
    "roadmap_section",
]

#: CSS class of each verdict's badge (the template colours them).
VERDICT_CLASS = {
    "aligned": "good",
    "detrimental": "bad",
    "misaligned": "warn",
    "inconclusive": "unsure",
}
_SHORT = {"budget_upfront": "budget", "max_payback_months": "payback", "min_cash_balance": "cash"}


def roadmap_ids(summary: dict[str, Any]) -> set[str]:
    """The ids of the run's roadmaps (phased plans: shown in their own section)."""
    return {r["id"] for r in (summary.get("roadmap") or {}).get("roadmaps", [])}


def _goals(summary: dict[str, Any]) -> list[dict[str, Any]]:
    goals = (summary.get("strategy") or {}).get("goals") or []
    return [
        {
            "id": g["id"],
            "short": g["id"].replace("_", " "),
            "description": str(g.get("description") or g["id"]),
            "weight": fmt(g.get("weight")),
        }
        for g in goals
    ]


def _met_change(entry: dict[str, Any], base: dict[str, Any] | None) -> str:
    before = pct((base or {}).get("p_met"))
    return f"P(met) {before.removesuffix('%')}→{pct(entry.get('p_met'))}"


def goal_cell(entry: dict[str, Any] | None, base: dict[str, Any] | None) -> dict[str, str]:
    """One option's progress on one goal: share of the gap closed, else the change in P(met)."""
    if not entry:
        return {"main": "—", "sub": "", "title": "not judged"}
    progress = entry.get("progress") or {}
    delta = entry.get("delta_vs_baseline")
    met = _met_change(entry, base)
    if finite(progress.get("mean")):
        lo, hi = (progress.get("ci95") or [None, None])[:2]
        return {
            "main": pct(progress["mean"]),
            "sub": f"[{pct(lo)}, {pct(hi)}]\n{met}",
            "title": f"closes {pct(progress['mean'])} of the gap to the target "
            f"(95% interval {pct(lo)} to {pct(hi)}); {met}",
        }
    if finite(delta):
        return {
            "main": f"{100 * delta:+.0f} pp",
            "sub": met,
            "title": f"gap progress not available; change in P(goal met): {met}",
        }
    return {"main": "—", "sub": met, "title": met}


def _goal_sentence(goal: dict[str, Any], entry: dict[str, Any], base: dict[str, Any]) -> str:
    progress = entry.get("progress") or {}
    met = f"P(met) {pct(base.get('p_met'))} → {pct(entry.get('p_met'))}"
    target = f"“{goal['description']}”"
    if finite(progress.get("mean")):
        lo, hi = (progress.get("ci95") or [None, None])[:2]
        share = f"{pct(progress['mean'])} [{pct(lo)}, {pct(hi)}]"
        if progress["mean"] >= 1:  # overshoots: the target is reached on average
            return f"reaches {target}: closes {share} of today's gap ({met})"
        return f"closes {share} of today's gap to {target} ({met})"
    delta = entry.get("delta_vs_baseline")
    if finite(delta) and abs(delta) >= 0.005:
        word = "raises" if delta > 0 else "lowers"
        return f"{word} the chance of {target} ({met})"
    return f"no measurable change on {target} ({met})"


def fits_text(constraints: dict[str, Any] | None) -> tuple[str, bool]:
    """``yes`` or ``no: budget, payback`` for the options table, and whether it fits."""
    failed = [
        _SHORT.get(n, n.replace("_", " ")) for n, c in (constraints or {}).items() if not c["fits"]
    ]
    return ("yes" if not failed else "no: " + ", ".join(failed)), not failed


def _constraint_sentence(name: str, c: dict[str, Any]) -> str:
    limit, median, held = c.get("limit"), c.get("median"), pct(c.get("p_holds"))
    if name == "budget_upfront":
        text = f"up-front {fmt(median, 'money')} (budget {fmt(limit, 'money')})"
    elif name == "max_payback_months":
        text = f"payback {months_text(median)} (limit {months_text(limit)})"
    elif name == "min_cash_balance":
        text = f"cash above {fmt(limit, 'money')} in {held} of replications"
    else:
        text = f"{name.replace('_', ' ')} {fmt(median)} against {fmt(limit)}"
    return text if c["fits"] else f"does not fit: {text}"


def recommendation(summary: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any] | None:
    """The one recommendation (``portfolio.recommended``) with its reasons, or "buy nothing"."""
    portfolio = summary.get("portfolio")
    if not portfolio:
        return None
    cur = summary["currency"]
    chosen = portfolio.get("recommended")
    variants = {v["id"]: v for v in summary["variants"]}
    if not chosen or chosen not in variants:
        binding = portfolio.get("binding") or {}
        why = str(binding.get("text") or portfolio.get("reason") or "")
        why = re.sub(r"^\s*buy nothing( yet)?\s*[:—-]\s*", "", why, flags=re.IGNORECASE)
        return {
            "buy": False,
            "id": None,
            "name": None,
            "why": reason_text(why, None, names),
            "points": [],
        }
    v = variants[chosen]
    base = variants.get("baseline") or summary["variants"][0]
    points = []
    for goal in _goals(summary):
        entry = (v.get("goals") or {}).get(goal["id"])
        if entry:
            text = _goal_sentence(goal, entry, (base.get("goals") or {}).get(goal["id"], {}))
            points.append(("Goal", text))
    f = v["finance"]
    npv, payback = f["npv"], f["payback_months"]
    p50 = payback.get("p50")
    median = f"median payback {months_text(p50)}" if finite(p50) else "not paid back (median)"
    points.append(
        (
            "Money",
            f"NPV {fmt(npv['mean'], 'money')} {cur} (90% of outcomes between "
            f"{fmt(npv['p5'], 'money')} and {fmt(npv['p95'], 'money')}), positive in "
            f"{pct(npv.get('p_positive'))} of replications; ROI {roi_pct(f['roi']['mean'])}; "
            f"{median} (paid back within the horizon in {pct(payback.get('p_within_horizon'))})",
        )
    )
    constraints = v.get("constraints") or {}
    if constraints:
        fits = all(c["fits"] for c in constraints.values())
        head = "fits every constraint" if fits else "does not fit every constraint"
        detail = "; ".join(_constraint_sentence(n, c) for n, c in constraints.items())
        points.append(("Constraints", f"{head}: {detail}"))
    return {
        "buy": True,
        "id": chosen,
        "name": names.get(chosen, chosen),
        "why": reason_text(str(portfolio.get("reason") or ""), chosen, names),
        "points": points,
    }


def reason_text(
    text: str, subject: str | None, names: Mapping[str, str], *, sentence: bool = True
) -> str:
    """A reason about ``subject`` as "It has ...", other ids by name (``sentence``: capital
    first letter and a full stop)."""
    if subject and text.startswith(subject):
        text = ("it" if sentence else "It") + text[len(subject) :]
    text = humanize(text, names)
    return _sentence(text) if sentence else text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _order_key(portfolio: dict[str, Any]) -> dict[str, float]:
    """Each option's objective value, larger is better (for sorting the options table)."""
    sign = -1.0 if portfolio.get("objective") == "p_loss" else 1.0
    out = {}
    for c in portfolio.get("frontier") or []:
        value = c.get("value")
        out[c["id"]] = sign * value if finite(value) else float("-inf")
    return out


def options_table(summary: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any] | None:
    """One row per option (automations and bundles): verdict, goals, NPV, payback, fits."""
    phased = roadmap_ids(summary)
    options = [v for v in summary["variants"] if v.get("finance") and v["id"] not in phased]
    if not options:
        return None
    portfolio = summary.get("portfolio") or {}
    chosen = portfolio.get("recommended")
    value = _order_key(portfolio)
    frontier = {c["id"]: c for c in portfolio.get("frontier") or []}
    goals = _goals(summary)
    variants = summary["variants"]
    base = next((v for v in variants if v["id"] == "baseline"), variants[0])

    def key(v: dict[str, Any]) -> tuple[Any, ...]:
        npv = v["finance"]["npv"]["mean"]
        fits = fits_text(v.get("constraints"))[1]
        return (v["id"] != chosen, not fits, -value.get(v["id"], 0.0), -(npv if finite(npv) else 0))

    rows = []
    for v in sorted(options, key=key):
        f = v["finance"]
        fits, ok = fits_text(v.get("constraints"))
        verdict = v.get("verdict")
        payback = f["payback_months"]
        upfront = (frontier.get(v["id"]) or {}).get("upfront")
        rows.append(
            {
                "id": v["id"],
                "name": names.get(v["id"], v["id"]),
                "recommended": v["id"] == chosen,
                "verdict": verdict or "—",
                "verdict_class": VERDICT_CLASS.get(verdict or "", "unsure"),
                "goals": [
                    goal_cell(
                        (v.get("goals") or {}).get(g["id"]), (base.get("goals") or {}).get(g["id"])
                    )
                    for g in goals
                ],
                "npv": fmt(f["npv"]["mean"], "money"),
                "npv_band": f"{short_money(f['npv']['p5'])} to {short_money(f['npv']['p95'])}",
                "p_npv": pct(f["npv"].get("p_positive")),
                "payback": months(p50) if finite(p50 := payback.get("p50")) else "not paid back",
                "payback_sub": f"{pct(payback.get('p_within_horizon'))} paid back",
                "upfront": fmt(upfront, "money"),
                "fits": fits,
                "fits_class": "good" if ok else "bad",
            }
        )
    explanations = [
        (
            names.get(v["id"], v["id"]),
            reason_text(str(v["explanation"]), v["id"], names, sentence=False),
        )
        for v in sorted(options, key=key)
        if v.get("explanation")
    ]
    return {
        "goals": goals,
        "rows": rows,
        "has_verdict": any("verdict" in v for v in options),
        "has_upfront": bool(frontier),
        "has_fits": any(v.get("constraints") for v in options),
        "explanations": explanations,
    }


def risk_table(summary: dict[str, Any], names: Mapping[str, str]) -> Table | None:
    """What can go wrong, per option: P(NPV < 0), CVaR10 of NPV, the worst month-end cash."""
    cur = summary["currency"]
    rows = []
    for v in summary["variants"]:
        risk = (v.get("finance") or {}).get("risk")
        if not risk:
            continue
        tail, loss = risk["cvar10"], risk["p_loss"]
        lo, hi = (tail.get("ci95") or [None, None])[:2]
        cash = risk.get("worst_month_cash") or {}
        rows.append(
            [
                names.get(v["id"], v["id"]),
                pct(loss.get("value")),
                fmt(tail.get("value"), "money"),
                f"[{fmt(lo, 'money')}, {fmt(hi, 'money')}]",
                fmt(cash.get("mean"), "money"),
                fmt(cash.get("p5"), "money"),
            ]
        )
    if not rows:
        return None
    headers = [
        "option",
        "P(NPV < 0)",
        f"CVaR10 of NPV ({cur})",
        "its 95% interval",
        f"worst month-end cash: mean ({cur})",
        f"worst month-end cash: P5 ({cur})",
    ]
    return Table.of(headers, rows, numeric=range(1, 6))


def _plan(phases: list[dict[str, Any]], names: Mapping[str, str]) -> str:
    return "; ".join(
        f"day {p['start_day']:.4g}: {', '.join(names.get(a, a) for a in p['automations'])}"
        for p in phases
    )


def roadmap_section(summary: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any] | None:
    """The suggested buying order within the budget, the roadmaps simulated, and the best one."""
    section = summary.get("roadmap")
    if not section:
        return None
    cur = summary["currency"]
    order = section.get("suggested_order") or {}
    measure = order.get("measure", "npv")
    unit = "strategic impact" if measure == "impact" else "NPV"
    budget = order.get("budget")
    items = order.get("order") or []
    tagged = any("recommended" in c for c in items)
    first = "the recommended purchase first, then " if tagged else ""
    title = f"Suggested order: {first}by {unit} per 1,000 {cur} up-front"
    title += f", within the budget of {fmt(budget, 'money')} {cur}" if finite(budget) else ""
    steps = []
    for c in items:
        impact = f"impact {c['impact']:+.2f}, " if finite(c.get("impact")) else ""
        tag = ""
        if tagged:
            tag = " (recommended)" if c.get("recommended") else " (then, budget allowing)"
        steps.append(
            f"{names.get(c['automation'], c['automation'])}{tag}: up-front "
            f"{fmt(c['upfront'], 'money')} ({impact}NPV {fmt(c.get('npv'), 'money')}); "
            f"{fmt(c['cumulative_upfront'], 'money')} spent so far"
        )
    skipped = [
        f"{names.get(c['automation'], c['automation'])}: {c.get('reason', '')}"
        for c in order.get("skipped") or []
    ]
    rows = []
    for r in section.get("roadmaps") or []:
        cash = r.get("cash_floor") or {}
        breach = cash.get("breach") or {}
        if breach.get("n_breached"):
            floor = (
                f"below {fmt(cash.get('limit'), 'money')} in {breach['n_breached']} of "
                f"{breach['n_replications']} replications"
            )
        elif cash:
            floor = f"stays above {fmt(cash.get('limit'), 'money')}"
        else:
            floor = "—"
        versus = (r.get("versus_day_0") or {}).get("npv_difference") or {}
        rows.append(
            [
                names.get(r["id"], r["id"]),
                _plan(r["phases"], names),
                f"{r['impact']:+.2f}" if finite(r.get("impact")) else "—",
                fmt(r.get("npv"), "money"),
                fmt(r.get("upfront"), "money"),
                months(r.get("payback_months_p50")),
                "yes" if r.get("fits") else "no",
                floor,
                fmt(versus.get("mean"), "money") if versus else "—",
            ]
        )
    headers = ["roadmap", "purchases", "impact", f"NPV ({cur})", f"up-front ({cur})"]
    headers += ["median payback (months)", "fits", "cash floor", "NPV against buying all on day 0"]
    best = section.get("best")
    return {
        "title": title,
        "steps": steps,
        "skipped": skipped,
        "table": Table.of(headers, rows, numeric=(2, 3, 4, 5, 8)) if rows else None,
        "best": names.get(best, best) if best else None,
        "reason": reason_text(str(section.get("reason") or ""), best, names) if rows else "",
    }
