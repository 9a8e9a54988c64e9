"""The terminal tables of ``autosim run`` and ``autosim compare`` (rich; see
:func:`autosim.cli.console.emit` for how a table wider than the terminal is shown).

Kept apart from the command grammar in :mod:`autosim.cli.main`: these read a summary (the content of
``summary.json``) and print it, so they can be reused and changed without touching the commands.
"""

from __future__ import annotations

import math
from typing import Any

from rich.markup import escape
from rich.table import Table

from autosim.cli.console import ERR as _err
from autosim.cli.console import OUT as _out
from autosim.cli.console import emit

#: KPIs shown in the terminal summary (all of them are in summary.json); response times are
#: shown per job type in their own table (:func:`print_response`).
SUMMARY_KPIS = (
    ("jobs_completed", "jobs done"),
    ("jobs_lost", "jobs lost"),
    ("dso_days", "DSO (days)"),
    ("net_cash_flow", "net cash"),
)
#: At most this many job types get a column in the response table (80 columns).
MAX_JOB_TYPES = 5


def print_comparison(summaries: list[dict[str, Any]], labels: list[str]) -> None:
    """Automations x scenarios: verdict, impact score and mean NPV in each strategy."""
    table = Table(
        title="Verdicts by strategy (same seed, same customers): verdict / impact / NPV",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("automation", overflow="fold")
    for label in labels:
        table.add_column(label, overflow="fold")
    ids = list(dict.fromkeys(v["id"] for s in summaries for v in s["variants"] if v["automations"]))
    for auto in ids:
        cells = []
        for s in summaries:
            v = next((v for v in s["variants"] if v["id"] == auto), None)
            if v is None:
                cells.append("—")
                continue
            npv = v["finance"]["npv"]["mean"]
            cells.append(
                f"{v['verdict']}\n{v['impact_score']['mean']:+.2f} / {_fmt(npv, money=True)}"
            )
        table.add_row(auto, *cells)
    emit(table)
    for label, s in zip(labels, summaries, strict=True):
        _out.print(f"\n{label}: {s['strategy']['mission'].strip()}", highlight=False, markup=False)
        for v in s["variants"]:
            if v.get("explanation"):
                _out.print(f"- {v['explanation']}", highlight=False, markup=False)


def print_precision(summary: dict[str, Any]) -> None:
    """How precise the answer became, per quantity of the stopping rule."""
    p = summary["precision"]
    met = "reached" if p["met"] else "NOT reached"
    scale = "points" if p["on"].startswith("p_") else "relative"
    table = Table(
        title=f"Precision {met} after {p['replications']} replications: 95% half-width of "
        f"{p['on']} of {p['output']} (target {p['target']:g}, {scale})",
        title_justify="left",
    )
    for col in ("quantity", "estimate", "half-width", "achieved", "met"):
        table.add_column(col, justify="left" if col == "quantity" else "right", overflow="fold")
    for name, q in p["quantities"].items():
        table.add_row(
            name,
            _fmt(q["estimate"]),
            _fmt(q["half_width"]),
            f"{q['achieved']:.3g}",
            "yes" if q["met"] else "no",
        )
    emit(table)
    if p.get("ranking"):
        _out.print(
            f"Ranking by mean {p['output']}: {' > '.join(p['ranking'])}",
            highlight=False,
            markup=False,
        )


def _fmt(value: float | None, money: bool = False) -> str:
    """Short numbers for narrow tables: 154k, 1.37M, 88.3, 0.67."""
    if value is None or not math.isfinite(value):
        return "-"
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.2f}M"
    if size >= 1e4:
        return f"{value / 1e3:.0f}k"
    if money and size >= 1e3:
        return f"{value / 1e3:.1f}k"

    if money or size >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if size < 1 else f"{value:.1f}"


def _percent(ratio: float | None) -> str:
    """A ratio as a signed percentage with thousands separators: 18.0 -> +1,800%."""
    if ratio is None or not math.isfinite(ratio):
        return "-"
    return f"{ratio * 100:+,.0f}%"


def _band(stats: dict[str, Any], money: bool = False) -> str:
    """Mean on the first line, the P5–P95 band under it (keeps tables within 80 columns)."""
    return f"{_fmt(stats['mean'], money)}\n{_fmt(stats['p5'], money)}–{_fmt(stats['p95'], money)}"


def print_summary(summary: dict[str, Any]) -> None:
    """Two tables that fit 80 columns: key KPIs, then finance against the baseline."""
    title = f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}"
    kpi_table = Table(
        title=title + "\nmean, and P5–P95 over replications below it",
        title_justify="left",
        show_lines=True,
    )
    kpi_table.add_column("variant", overflow="fold")
    for _, label in SUMMARY_KPIS:
        kpi_table.add_column(label, justify="right", overflow="fold")

    for v in summary["variants"]:
        cells = []
        for name, _ in SUMMARY_KPIS:
            stats = v["kpis"].get(name)
            cells.append(_band(stats, money=name == "net_cash_flow") if stats else "-")
        kpi_table.add_row(v["id"], *cells)
    emit(kpi_table)
    print_response(summary)

    fin = Table(
        title=f"Against the baseline ({summary['currency']}; NPV: mean, P5–P95 below)",
        title_justify="left",
        show_lines=True,
    )

    for col in ("automation", "ROI", "P(ROI>0)", "NPV", "P(NPV>0)", "payback (months)"):
        fin.add_column(col, justify="left" if col == "automation" else "right", overflow="fold")

    for v in summary["variants"]:
        f = v.get("finance")
        if not f:
            continue
        payback = f["payback_months"]
        within = payback["p_within_horizon"]
        fin.add_row(
            v["id"],
            _percent(f["roi"]["mean"]),
            f"{f['roi']['p_positive']:.0%}",
            _band(f["npv"], money=True),
            f"{f['npv']['p_positive']:.0%}",
            f"{_fmt(payback['p50'])}\n{within:.0%} paid back",
        )
    emit(fin)
    print_risk(summary)
    if "strategy" in summary:
        print_alignment(summary)
    if summary.get("portfolio"):
        print_portfolio(summary)
    if summary.get("value_of_information"):
        print_value_of_information(summary)
    if summary.get("roadmap"):
        from autosim.decide.roadmap import roadmap_lines

        for line in roadmap_lines(summary["roadmap"], summary["currency"]):
            _out.print(escape(line), highlight=False)
    if summary.get("precision"):
        print_precision(summary)
    for note in summary.get("warnings", []):
        _err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def _job_types(summary: dict[str, Any]) -> list[str]:
    """Job types with response KPIs in the summary, in the scenario's order."""
    types: dict[str, None] = {}
    for v in summary["variants"]:
        for name, stats in v["kpis"].items():
            for kpi in ("within_target_share", "response_time_all_p90_min"):
                prefix = f"{kpi}[job_type="
                if name.startswith(prefix) and name.endswith("]") and stats.get("n"):
                    types[name[len(prefix) : -1]] = None
    return list(types)


def _response_cell(kpis: dict[str, Any], job_type: str) -> str:
    """Share of all calls reached in target (mean, P5–P95), then the all-calls P90."""
    share = kpis.get(f"within_target_share[job_type={job_type}]")
    p90 = kpis.get(f"response_time_all_p90_min[job_type={job_type}]")
    lines = [_band(share) if share and share.get("n") else "-\n"]
    if not p90 or not p90.get("n"):
        lines.append("P90 -")
    elif p90["p50"] is None:
        lines.append("P90 never" if p90.get("n_infinite") else "P90 -")
    else:
        lines.append(f"P90 {_fmt(p90['p50'])}")
    return "\n".join(lines)


def print_response(summary: dict[str, Any]) -> None:
    """Response per job type, every call counted: a lost call is a call never reached."""
    types = _job_types(summary)
    if not types:
        return
    shown = types[:MAX_JOB_TYPES]
    more = f" (first {len(shown)} of {len(types)} job types)" if len(types) > len(shown) else ""
    table = Table(
        title=f"Response by job type{more}: every call counted, lost ones as never reached",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("variant", overflow="fold")
    for job_type in shown:
        table.add_column(job_type, justify="right", overflow="fold")
    for v in summary["variants"]:
        table.add_row(v["id"], *(_response_cell(v["kpis"], t) for t in shown))
    emit(table)
    _out.print(
        "Share of calls reached within the job type's target (mean, P5–P95 below it); P90: "
        "minutes within which 90% of calls were reached (median over replications; never: "
        "more than 10% of calls were lost).",
        highlight=False,
    )


def print_risk(summary: dict[str, Any]) -> None:
    """What can go wrong: P(NPV < 0), CVaR10 of NPV, and the worst month-end cash balance."""
    rows = [(v["id"], v["finance"]["risk"]) for v in summary["variants"] if v.get("finance")]
    rows = [(vid, r) for vid, r in rows if r]
    if not rows:
        return
    table = Table(
        title=f"Risk ({summary['currency']}): CVaR10 = mean NPV of the worst 10% of replications "
        "(95% CI below); worst month = lowest month-end cash of the variant",
        title_justify="left",
        show_lines=True,
    )
    for col in ("automation", "P(NPV<0)", "CVaR10 NPV", "worst month: mean", "worst month: P5"):
        table.add_column(col, justify="left" if col == "automation" else "right", overflow="fold")
    for vid, r in rows:
        loss, tail = r["p_loss"], r["cvar10"]
        lo, hi = tail["ci95"]
        cash = r.get("worst_month_cash") or {}
        table.add_row(
            vid,
            "-" if loss["value"] is None else f"{loss['value']:.0%}",
            f"{_fmt(tail['value'], money=True)}\n{_fmt(lo, money=True)}–{_fmt(hi, money=True)}",
            _fmt(cash.get("mean"), money=True),
            _fmt(cash.get("p5"), money=True),
        )
    emit(table)


def print_value_of_information(summary: dict[str, Any]) -> None:
    """EVPI of all inputs and EVPPI of each, in money, and the one most worth knowing."""
    voi = summary["value_of_information"]
    if voi.get("note"):
        _out.print(
            f"Value of information: not estimated ({voi['note']}).", highlight=False, markup=False
        )
        return
    _out.print(f"Value of information: {voi['text']}", highlight=False, markup=False)
    for item in [i for i in voi["inputs"] if i["evppi"] > 0][:5]:
        lo, hi = item["ci95"]
        _out.print(
            f"- {item['input']}: {_fmt(item['evppi'], money=True)} "
            f"(95% {_fmt(lo, money=True)}–{_fmt(hi, money=True)})",
            highlight=False,
        )


def print_portfolio(summary: dict[str, Any]) -> None:
    """Bundle interactions and the recommended purchase with its frontier."""
    bundles = [v for v in summary["variants"] if v.get("interaction")]
    for v in bundles:
        effect = v["interaction"]
        _out.print(
            f"- {v['id']}: worth {_fmt(effect['npv']['mean'], money=True)} "
            f"{'more' if effect['npv']['mean'] >= 0 else 'less'} together than apart "
            f"({effect['kind']})",
            highlight=False,
        )
    portfolio = summary["portfolio"]
    objective = portfolio["objective"]
    extra = objective not in ("impact", "npv")  # risk or P(goals): its own column
    table = Table(
        title=f"Options by up-front cost (objective: {objective}"
        + (f" = {portfolio['objective_label']})" if extra else ")"),
        title_justify="left",
    )
    short = {"p_goals": "P(goals)", "p_loss": "P(loss)", "cvar": "CVaR10"}
    columns = ["option", "up-front", "impact", "NPV"]
    columns += [short.get(objective, "cash P5")] if extra else []
    for col in (*columns, "fits", "efficient"):
        table.add_column(col, justify="left" if col == "option" else "right", overflow="fold")
    for c in portfolio["frontier"]:
        impact = "-" if c["impact"] is None else f"{c['impact']:+.2f}"
        value = c["value"]
        if value is not None and objective in ("p_goals", "p_loss"):
            cell = [f"{value:.0%}"]
        else:
            cell = [_fmt(value, money=True)]
        value = cell if extra else []
        table.add_row(
            c["id"],
            _fmt(c["upfront"], money=True),
            impact,
            _fmt(c["npv"], money=True),
            *value,
            "yes" if c["fits"] else "no",
            "yes" if c["efficient"] else "",
        )
    emit(table)
    _out.print(
        f"Recommended: {portfolio['recommended'] or 'nothing'} — {portfolio['reason']}.",
        highlight=False,
        markup=False,
    )


def print_alignment(summary: dict[str, Any]) -> None:
    """The alignment matrix (change in P(goal met) and progress per goal) and verdicts."""
    goals = summary["strategy"]["goals"]
    table = Table(
        title="Alignment: change in P(goal met) against the baseline (points), and below it the "
        "share of the baseline's gap to the target closed",
        title_justify="left",
    )
    table.add_column("automation", overflow="fold")
    for g in goals:
        table.add_column(g["id"], justify="right", overflow="fold")
    table.add_column("verdict")
    table.add_column("fits", overflow="fold")
    for v in summary["variants"]:
        if not v["automations"]:
            continue
        cells = []
        for g in goals:
            entry = v["goals"][g["id"]]
            delta = entry["delta_vs_baseline"]
            progress = (entry.get("progress") or {}).get("mean")
            cell = "-" if delta is None else f"{delta * 100:+.0f}"
            cells.append(cell + ("" if progress is None else f"\n{progress:.0%} of gap"))
        short = {"budget_upfront": "budget", "max_payback_months": "payback"}
        fits = [
            short.get(name, name.replace("_balance", "").replace("_", " "))
            for name, c in v.get("constraints", {}).items()
            if not c["fits"]
        ]
        table.add_row(
            v["id"], *cells, v["verdict"], "yes" if not fits else "no: " + ", ".join(fits)
        )
    emit(table)
    for v in summary["variants"]:
        if v.get("explanation"):
            _out.print(f"- {v['explanation']}", highlight=False, markup=False)
