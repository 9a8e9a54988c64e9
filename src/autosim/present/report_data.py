"""The report's content as plain data: numbers formatted for people, tables as rows of text.

Everything the report page shows is prepared here as strings, lists and small records
(:class:`Table`, :class:`Image`) and nothing here writes markup: the template in
``templates/report.html.j2`` lays the data out and escapes every string it prints, so a
scenario's name or an automation's description is always shown as text, never run as HTML.
Numbers follow one house rule: money to the unit, shares in percent, anything else to three
figures, and "—" for a value that does not exist.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.present.labels import display_unit, kpi_unit, pretty
from autosim.stats import mean_ci

if TYPE_CHECKING:
    from autosim.present.protocol import RunLike

__all__ = [
    "REPORT_KPIS",
    "Image",
    "Table",
    "autosim_version",
    "decision",
    "finance_table",
    "image",
    "inputs_table",
    "kpi_table",
    "method_items",
    "paired_changes",
    "scenario_facts",
    "strategy_section",
    "value_of_information",
]

#: KPIs shown per variant (those a run has), in this order.
REPORT_KPIS = (
    "response_time_p90_min",
    "within_target_share",
    "jobs_completed",
    "jobs_lost",
    "dso_days",
    "fill_rate",
    "oversells",
    "cash_in_stock",
    "revenue",
    "net_cash_flow",
    "min_cash_balance",
)


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells; columns whose index is in ``numeric`` are right-aligned."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int]

    @classmethod
    def of(
        cls, headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Iterable[int]
    ) -> Table:
        return cls(list(headers), [list(r) for r in rows], frozenset(numeric))


@dataclass(frozen=True)
class Image:
    """An inline PNG: a ``data:`` URL (drawn by autosim, never taken from input) and its text."""

    src: str
    alt: str
    caption: str


def image(png: bytes | None, alt: str, caption: str) -> Image | None:
    """The PNG as an inline image, or None when the figure does not exist."""
    if png is None:
        return None
    data = base64.b64encode(png).decode("ascii")
    return Image(f"data:image/png;base64,{data}", alt, caption)


def autosim_version() -> str:
    """The installed autosim version (read from the package metadata, not from ``autosim``)."""
    try:
        return metadata.version("autosim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


# --- numbers ------------------------------------------------------------------------------


def finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def fmt(value: Any, unit: str = "") -> str:
    """A number as people read it: money to the unit, shares in percent, else 3 figures."""
    if not finite(value):
        return "—"
    if unit == "money":
        return f"{value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    size = abs(value)
    return f"{value:,.0f}" if size >= 1000 else f"{value:.1f}" if size >= 10 else f"{value:.3g}"


def signed(value: Any, unit: str) -> str:
    if not finite(value):
        return "—"
    if unit == "share":
        return f"{100 * value:+.1f} pp"
    text = fmt(value, unit)
    return text if text.startswith("-") else f"+{text}"


def pct(value: Any) -> str:
    return f"{value:.0%}" if finite(value) else "—"


def _band(stats: dict[str, Any] | None, unit: str = "") -> str:
    if not stats:
        return "—"
    mean, p5, p95 = (fmt(stats.get(key), unit) for key in ("mean", "p5", "p95"))
    return f"{mean} [{p5}, {p95}]"


def _interval(lo: Any, hi: Any, unit: str = "") -> str:
    return f"[{fmt(lo, unit)}, {fmt(hi, unit)}]"


def kpi_label(column: str, currency: str) -> str:
    unit = "%" if kpi_unit(column) == "share" else display_unit(column, currency)
    return f"{pretty(column)} ({unit})" if unit else pretty(column)


# --- sections -----------------------------------------------------------------------------


def scenario_facts(run: RunLike) -> dict[str, Any]:
    """Scenario description and automation names (id -> (name, description)), when known."""
    scenario = getattr(run, "scenario", None)
    if scenario is None:
        return {"description": "", "automations": {}}
    names = {a.id: (a.name, a.description) for a in scenario.automations}
    return {"description": scenario.description, "automations": names}


def decision(summary: dict[str, Any], autos: list[dict[str, Any]]) -> dict[str, Any]:
    """The one-line lead (best expected NPV, or none positive) and the decision table."""
    cur = summary["currency"]
    has_verdict = any("verdict" in v for v in autos)
    has_explanation = any("explanation" in v for v in autos)
    has_constraints = any(v.get("constraints") for v in autos)
    headers = ["automation", *(["verdict"] if has_verdict else [])]
    headers += [f"mean NPV ({cur})", "NPV 90% band [P5, P95]", "P(ROI > 0)", "mean ROI"]
    headers += ["median payback (months)", "paid back within horizon"]
    headers += ["fits constraints"] if has_constraints else []
    headers += ["explanation"] if has_explanation else []
    rows = []
    for v in autos:
        f = v["finance"]
        payback = f["payback_months"]
        row = [v["id"], *([str(v.get("verdict") or "—")] if has_verdict else [])]
        row += [fmt(f["npv"]["mean"], "money"), _interval(f["npv"]["p5"], f["npv"]["p95"], "money")]
        row += [pct(f["roi"]["p_positive"]), fmt(f["roi"]["mean"])]
        median = fmt(payback["p50"]) if finite(payback["p50"]) else "not within horizon"
        row += [median, pct(payback["p_within_horizon"])]
        if has_constraints:
            failed = [name for name, c in (v.get("constraints") or {}).items() if not c["fits"]]
            row += ["yes" if not failed else "no: " + ", ".join(failed)]
        row += [str(v.get("explanation") or "")] if has_explanation else []
        rows.append(row)
    start = 1 + has_verdict
    table = Table.of(headers, rows, numeric=range(start, start + 6))
    ranked = [v for v in autos if finite(v["finance"]["npv"]["mean"])]
    if not ranked:
        return {"lead": None, "table": table}
    best = max(ranked, key=lambda v: v["finance"]["npv"]["mean"])
    npv = best["finance"]["npv"]
    if npv["mean"] <= 0:
        lead = "No automation has a positive expected NPV against the baseline."
    else:
        lead = (
            f"Highest expected NPV: {best['id']}, mean {cur} {fmt(npv['mean'], 'money')} "
            f"(P5 {fmt(npv['p5'], 'money')}, P95 {fmt(npv['p95'], 'money')}), "
            f"positive in {pct(npv['p_positive'])} of replications."
        )
    return {"lead": lead, "table": table}


def kpi_table(summary: dict[str, Any]) -> Table:
    """Mean [P5, P95] of each report KPI the run has, one column per variant."""
    variants = summary["variants"]
    shown = [k for k in REPORT_KPIS if any(k in v["kpis"] for v in variants)]
    headers = ["KPI", *(v["id"] for v in variants)]
    rows = [
        [
            kpi_label(k, summary["currency"]),
            *(_band(v["kpis"].get(k), kpi_unit(k)) for v in variants),
        ]
        for k in shown
    ]
    return Table.of(headers, rows, numeric=range(1, len(headers)))


def paired_changes(reps: pd.DataFrame, base: str, variant: str, currency: str) -> Table:
    """Mean change against the baseline in the same replications, with its 95% t-interval."""
    base_rows = reps[reps["variant"] == base].set_index("replication")
    rows = reps[reps["variant"] == variant].set_index("replication")
    out = []
    for k in (k for k in REPORT_KPIS if k in reps.columns):
        diff = (rows[k] - base_rows[k]).to_numpy(float)
        values = diff[np.isfinite(diff)]
        unit = kpi_unit(k)
        mean = float(values.mean()) if values.size else math.nan
        lo, hi = mean_ci(values)
        interval = f"[{signed(lo, unit)}, {signed(hi, unit)}]"
        out.append([kpi_label(k, currency), signed(mean, unit), interval])
    return Table.of(["KPI", "mean change", "95% interval of the mean"], out, numeric=(1, 2))


def finance_table(finance: dict[str, Any], currency: str) -> Table:
    """NPV, ROI, payback and net benefit (mean, its CI, P5/P50/P95), then the risk rows."""
    rows = []
    spec = (
        ("npv", f"NPV ({currency})", "money", "p_positive", "P(> 0)"),
        ("roi", "ROI (net gain per unit of cost)", "", "p_positive", "P(> 0)"),
        ("payback_months", "payback (months)", "", "p_within_horizon", "paid back"),
        ("net_benefit", f"net benefit ({currency})", "money", None, ""),
    )
    for key, label, unit, share, share_label in spec:
        s = finance.get(key) or {}
        ci = s.get("ci95") or [None, None]
        extra = f"{share_label} {pct(s.get(share))}" if share else ""
        rows.append(
            [label, fmt(s.get("mean"), unit), _interval(ci[0], ci[1], unit)]
            + [fmt(s.get(q), unit) for q in ("p5", "p50", "p95")]
            + [extra]
        )
    rows += _risk_rows(finance.get("risk") or {}, currency)
    headers = ["", "mean", "95% CI of mean", "P5", "P50", "P95", ""]
    return Table.of(headers, rows, numeric=range(1, 7))


def _risk_rows(risk: dict[str, Any], currency: str) -> list[list[str]]:
    """CVaR10 of NPV (its interval in the CI column) with P(NPV < 0); the worst month's cash."""
    if not risk:
        return []
    tail, loss = risk["cvar10"], risk["p_loss"]
    rows = [
        [
            f"CVaR10 of NPV ({currency}): mean of the worst 10%",
            fmt(tail["value"], "money"),
            _interval(*tail["ci95"], "money"),
            *("", "", ""),
            f"P(NPV < 0) {pct(loss['value'])}",
        ]
    ]
    cash = risk.get("worst_month_cash")
    if cash:
        ci = cash.get("ci95") or [None, None]
        rows.append(
            [f"worst month-end cash ({currency})", fmt(cash.get("mean"), "money")]
            + [_interval(ci[0], ci[1], "money")]
            + [fmt(cash.get(q), "money") for q in ("p5", "p50", "p95")]
            + [""]
        )
    return rows


def value_of_information(voi: dict[str, Any], currency: str) -> dict[str, Any]:
    """What knowing each uncertain input before buying would be worth (EVPPI, in money)."""
    if voi.get("note"):
        return {"note": str(voi["note"]), "text": None, "table": None}
    rows = [
        [
            item["input"],
            fmt(item["evppi"], "money"),
            _interval(item["ci95"][0], item["ci95"][1], "money"),
            pct(item["p_switch"]),
        ]
        for item in voi["inputs"]
    ]
    headers = ["uncertain input", f"EVPPI ({currency})", "95% interval", "changes the choice"]
    text = voi["text"][0].upper() + voi["text"][1:]
    return {"note": None, "text": text, "table": Table.of(headers, rows, numeric=(1, 2, 3))}


def inputs_table(reps: pd.DataFrame, base: str | None) -> Table | None:
    """P5/P50/P95 of each sampled uncertain input (None when the run has none)."""
    columns = [c for c in reps.columns if c.startswith("input:")]
    if not columns:
        return None
    rows_of = reps[reps["variant"] == base] if base is not None else reps
    rows = []
    for c in columns:
        values = rows_of[c].to_numpy(float)
        values = values[~np.isnan(values)]
        q = np.quantile(values, [0.05, 0.5, 0.95]) if values.size else [math.nan] * 3
        rows.append([c.removeprefix("input:"), *(fmt(float(x)) for x in q)])
    return Table.of(["input", "P5", "P50", "P95"], rows, numeric=(1, 2, 3))


def strategy_section(summary: dict[str, Any]) -> dict[str, Any]:
    """Mission, the smallest change that counts, and the goals with P(met) per variant."""
    strategy = summary["strategy"]
    variants = summary["variants"]
    headers = ["goal", "description", "weight", *(f"P(met): {v['id']}" for v in variants)]
    rows = []
    for goal in strategy["goals"]:
        cells = [goal["id"], goal["description"], fmt(goal["weight"])]
        for v in variants:
            entry = v["goals"][goal["id"]]
            lo, hi = entry["ci95"]
            cells.append(f"{pct(entry['p_met'])} [{pct(lo)}, {pct(hi)}]")
        rows.append(cells)
    return {
        "mission": strategy["mission"].strip(),
        "min_effect": pct(strategy["min_effect"]),
        "table": Table.of(headers, rows, numeric=range(2, len(headers))),
    }


def method_items(run: RunLike, summary: dict[str, Any]) -> list[str]:
    """How the numbers were made: replications, seed, pairing, intervals, software, files."""
    manifest = getattr(run, "manifest", None)
    if not isinstance(manifest, dict):
        timing = getattr(run, "timing", {}) or {}
        manifest = {
            "autosim_version": autosim_version(),
            "executor": timing.get("executor"),
            "workers": timing.get("workers"),
            "seed_given": getattr(run, "seed_given", None),
        }
    crn = manifest.get("common_random_numbers", True)
    seed_note = {True: " (given)", False: " (drawn from the OS and recorded)"}.get(
        manifest.get("seed_given"), ""
    )
    executor = manifest.get("executor") or "unknown"
    if manifest.get("workers"):
        executor += f", {manifest['workers']} workers"
    items = [
        f"Replications: {summary['replications']} per variant, the same ones for every variant.",
        f"Seed: {summary['seed']}{seed_note}; the same seed gives the same numbers anywhere.",
        "Common random numbers: "
        + (
            "on. Every variant of a replication sees the same customers and the same sampled "
            "inputs, so each automation is judged on paired differences."
            if crn
            else "off: variants were simulated with independent random streams."
        ),
        "Means: Student-t 95% confidence interval over replications (how well the mean is known).",
        "Bands: P5–P95 over replications, i.e. 90% of simulated outcomes fall inside "
        "(what the business could live through).",
        "P(ROI > 0), P(NPV > 0): share of replications where the automation paid for itself.",
        f"Executor: {executor}.",
        f"autosim version: {manifest.get('autosim_version') or 'unknown'}"
        + (f", Python {manifest['python']}" if manifest.get("python") else "")
        + ".",
    ]
    if manifest.get("scenario_file"):
        items.append(
            f"Scenario file: {manifest['scenario_file']} "
            f"(SHA-256 {manifest.get('scenario_sha256')})."
        )
    if manifest.get("started"):
        items.append(f"Run: {manifest['started']} to {manifest.get('finished')}.")
    return items
