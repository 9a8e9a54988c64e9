"""The report's content as plain data: numbers formatted for people, tables as rows of text.

Everything the report page shows is prepared here as strings, lists and small records
(:class:`Table`, :class:`Image`) and nothing here writes markup: the template in
``templates/report.html.j2`` lays the data out and escapes every string it prints, so a
scenario's name or an automation's description is always shown as text, never run as HTML.
Numbers follow the house rule of :mod:`.numbers` (ROI always a percentage). The first screen
(recommendation, options, roadmap, risk) is :mod:`.answer`; this module holds the details: KPIs
(without those undefined or zero everywhere), each option's money and paired changes, goals,
inputs, value of information and method.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.present.labels import humanize, input_label, kpi_label, kpi_unit
from autosim.present.numbers import finite, fmt, pct, roi_pct, short_money, signed
from autosim.stats import mean_ci

if TYPE_CHECKING:
    from autosim.present.protocol import RunLike

__all__ = [
    "REPORT_KPIS",
    "Image",
    "Table",
    "autosim_version",
    "finance_table",
    "image",
    "inputs_table",
    "kpi_table",
    "meaningful",
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
    "avg_stock_value",
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


def _band(stats: dict[str, Any] | None, unit: str = "") -> str:
    """Mean, and the P5–P95 band on the line under it (money short there: 1.33M)."""
    if not stats:
        return "—"
    p5, p95 = stats.get("p5"), stats.get("p95")
    band = (
        f"{short_money(p5)} to {short_money(p95)}"
        if unit == "money"
        else f"{fmt(p5, unit)} to {fmt(p95, unit)}"
    )
    return f"{fmt(stats.get('mean'), unit)}\n{band}"


def _interval(lo: Any, hi: Any, unit: str = "") -> str:
    return f"[{fmt(lo, unit)}, {fmt(hi, unit)}]"


def meaningful(stats: Iterable[dict[str, Any] | None]) -> bool:
    """A KPI worth a row: some variant has a finite value other than zero.

    A KPI that is undefined or exactly zero everywhere (oversells with no online shop) tells
    the reader nothing about the choice, so it is left out.
    """
    for s in stats:
        for key in ("mean", "p5", "p95"):
            value = (s or {}).get(key)
            if finite(value) and value != 0:
                return True
    return False


# --- sections -----------------------------------------------------------------------------


def scenario_facts(run: RunLike) -> dict[str, Any]:
    """Scenario description and automation names (id -> (name, description)), when known."""
    scenario = getattr(run, "scenario", None)
    if scenario is None:
        return {"description": "", "automations": {}}
    names = {a.id: (a.name, a.description) for a in scenario.automations}
    return {"description": scenario.description, "automations": names}


def kpi_table(summary: dict[str, Any], names: Mapping[str, str]) -> Table:
    """Mean and P5–P95 of each report KPI the run has, one column per variant.

    KPIs that are undefined or zero in every variant are left out (see :func:`meaningful`).
    """
    variants = summary["variants"]
    shown = [
        k
        for k in REPORT_KPIS
        if any(k in v["kpis"] for v in variants) and meaningful(v["kpis"].get(k) for v in variants)
    ]
    headers = ["KPI", *(names.get(v["id"], v["id"]) for v in variants)]
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
        both = np.concatenate([base_rows[k].to_numpy(float), rows[k].to_numpy(float)])
        if not (np.isfinite(both) & (both != 0)).any():
            continue  # undefined or zero in both: nothing to compare
        diff = (rows[k] - base_rows[k]).to_numpy(float)
        values = diff[np.isfinite(diff)]
        unit = kpi_unit(k)
        mean = float(values.mean()) if values.size else math.nan
        lo, hi = mean_ci(values)
        interval = f"[{signed(lo, unit)}, {signed(hi, unit)}]"
        out.append([kpi_label(k, currency), signed(mean, unit), interval])
    return Table.of(["KPI", "mean change", "95% interval of the mean"], out, numeric=(1, 2))


def finance_table(finance: dict[str, Any], currency: str) -> Table:
    """NPV, ROI (in %), payback and net benefit (mean, its CI, P5/P50/P95), then the risk rows."""
    rows = []
    spec = (
        ("npv", f"NPV ({currency})", "money", "p_positive", "P(> 0)"),
        ("roi", "ROI (net gain as % of cost)", "roi", "p_positive", "P(> 0)"),
        ("payback_months", "payback (months)", "", "p_within_horizon", "paid back"),
        ("net_benefit", f"net benefit ({currency})", "money", None, ""),
    )
    for key, label, unit, share, share_label in spec:
        s = finance.get(key) or {}
        ci = s.get("ci95") or [None, None]
        show = roi_pct if unit == "roi" else lambda x, u=unit: fmt(x, u)
        extra = f"{share_label} {pct(s.get(share))}" if share else ""
        rows.append(
            [label, show(s.get("mean")), f"[{show(ci[0])}, {show(ci[1])}]"]
            + [show(s.get(q)) for q in ("p5", "p50", "p95")]
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
            f"CVaR10 of NPV ({currency})",
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


def value_of_information(
    voi: dict[str, Any], currency: str, names: Mapping[str, str]
) -> dict[str, Any]:
    """What knowing each uncertain input before buying would be worth (EVPPI, in money)."""
    if voi.get("note"):
        return {"note": str(voi["note"]), "text": None, "table": None}
    rows = [
        [
            input_label(item["input"], names),
            fmt(item["evppi"], "money"),
            _interval(item["ci95"][0], item["ci95"][1], "money"),
            pct(item["p_switch"]),
        ]
        for item in voi["inputs"]
    ]
    headers = ["uncertain input", f"EVPPI ({currency})", "95% interval", "changes the choice"]
    text = humanize(voi["text"][0].upper() + voi["text"][1:], names)
    return {"note": None, "text": text, "table": Table.of(headers, rows, numeric=(1, 2, 3))}


def inputs_table(
    reps: pd.DataFrame, base: str | None, names: Mapping[str, str] | None = None
) -> Table | None:
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
        path = c.removeprefix("input:")
        rows.append([input_label(path, names), path, *(fmt(float(x)) for x in q)])
    return Table.of(["input", "path in the scenario", "P5", "P50", "P95"], rows, numeric=(2, 3, 4))


def _goal_cell(entry: dict[str, Any]) -> str:
    lo, hi = (entry.get("ci95") or [None, None])[:2]
    text = f"P(met) {pct(entry.get('p_met'))} [{pct(lo)}, {pct(hi)}]"
    level = entry.get("level") or {}
    if finite(level.get("mean")):
        target = level.get("target_text") or fmt(level.get("target"))
        text += f"\nlevel {fmt(level['mean'])} ({fmt(level.get('p5'))} to {fmt(level.get('p95'))})"
        text += f"\ntarget {target}"
    return text


def strategy_section(summary: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """Mission, the smallest change that counts, the goals, and P(met) per option and goal."""
    strategy = summary["strategy"]
    goals = strategy["goals"]
    rows = [
        [
            names.get(v["id"], v["id"]),
            *(_goal_cell((v.get("goals") or {}).get(g["id"]) or {}) for g in goals),
        ]
        for v in summary["variants"]
    ]
    headers = ["option", *(g["id"].replace("_", " ") for g in goals)]
    return {
        "mission": strategy["mission"].strip(),
        "min_effect": pct(strategy["min_effect"]),
        "goals": [
            (g["id"].replace("_", " "), str(g.get("description") or ""), fmt(g.get("weight")))
            for g in goals
        ],
        "table": Table.of(headers, rows, numeric=()),
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
