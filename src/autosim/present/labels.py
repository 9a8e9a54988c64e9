"""What variants, KPI columns and inputs are called on a page; which variant is the reference.

Figures and the report both talk about the same things: the baseline and the options of a run
(automations by their ``name``, bundles as ``A + B``, roadmaps as ``A, then B``), KPI columns such
as ``response_time_p90_min[job_type=emergency]@last90d`` and sampled inputs such as
``automations.auto_dispatch.adoption.level``. This module owns how those are found in a frame and
named for a reader (``P90 response time, emergency, last 90 days (min)``), so an axis label and a
table row never disagree. It reads the KPI catalogue for units and needs no plotting library.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BASELINE",
    "automation_names",
    "baseline_of",
    "display_unit",
    "humanize",
    "input_label",
    "kpi_label",
    "kpi_unit",
    "name_of",
    "number",
    "option_names",
    "pretty",
    "split_kpi",
    "values_of",
    "variants_of",
    "with_unit",
    "wrap",
]

BASELINE = "baseline"
BASELINE_NAME = "Baseline (today)"
_PRETTY = {"npv": "NPV", "roi": "ROI", "payback_months": "payback", "net_benefit": "net benefit"}
#: Reader's names of KPIs whose column name does not read well on its own.
_NAMES = {
    "jobs_lost": "jobs lost to competitors",
    "lost_share": "share of jobs lost",
    "within_target_share": "reached within target",
    "intake_time_mean_min": "mean intake time",
    "satisfaction_mean": "mean satisfaction",
    "dso_days": "DSO",
    "wip_days": "work in progress",
    "days_to_cash_mean": "mean days to cash",
    "days_to_cash_p90": "P90 days to cash",
    "receivables_end": "receivables at the end",
    "on_site_payment_share": "paid on site",
    "min_cash_balance": "lowest cash balance",
    "worst_month_cash": "worst month-end cash",
    "min_cash_day": "day of the lowest cash",
    "fill_rate": "parts fill rate",
    "avg_stock_value": "average stock at cost",
    "cash_in_stock": "stock at cost less unpaid supplier bills",
    "revenue_horizon": "revenue over the whole horizon",
}
_UNIT_WORDS = {"jobs", "orders", "units", "events", "invoices", "days", "day"}


def variants_of(frame: pd.DataFrame) -> list[str]:
    """The variants of a tidy frame, in the order they first appear."""
    if "variant" not in frame.columns or frame.empty:
        return []
    return [str(v) for v in pd.unique(frame["variant"])]


def baseline_of(variants: Sequence[str]) -> str | None:
    """The reference variant: ``baseline`` if present, else the first (as the runner does)."""
    if not variants:
        return None
    return BASELINE if BASELINE in variants else variants[0]


def values_of(frame: pd.DataFrame, variant: str, column: str) -> np.ndarray:
    """One variant's values of a column, in replication order."""
    rows = frame[frame["variant"] == variant]
    if "replication" in rows.columns:
        rows = rows.sort_values("replication", kind="stable")
    return rows[column].to_numpy(float)


def split_kpi(column: str) -> tuple[str, str | None]:
    """``name[filter]@last90d`` -> (``name``, ``filter``); a plain column has no filter."""
    match = re.fullmatch(r"(.*?)(?:\[(.*)\])?(?:@last\d+d)?", column)
    return (match.group(1), match.group(2)) if match else (column, None)


def _period(column: str) -> str | None:
    match = re.search(r"@last(\d+)d$", column)
    return f"last {match.group(1)} days" if match else None


def kpi_unit(column: str) -> str:
    """The catalogue unit of a KPI column (``money``, ``share``, ``min``...); '' when unknown."""
    from autosim.kpis import kpi

    try:
        return kpi(split_kpi(column)[0]).unit
    except KeyError:
        return ""


def display_unit(column: str, currency: str | None) -> str:
    """The unit a reader sees: the currency for money, ``0–1`` for shares; '' when unknown."""
    unit = kpi_unit(column)
    return {"money": currency or "money", "share": "0–1", "ratio": "ratio"}.get(unit, unit)


def pretty(column: str) -> str:
    """``response_time_p90_min[job_type=emergency]`` -> ``P90 response time, emergency``."""
    name, where = split_kpi(column)
    if name in _PRETTY:
        text = _PRETTY[name]
    elif name in _NAMES:
        text = _NAMES[name]
    else:
        text = re.sub(r"_(min|h|days)$", "", name)
        match = re.fullmatch(r"(.*)_(p\d+|mean)", text)
        if match:  # response_time_p90 -> P90 response time
            text = f"{match.group(2)} {match.group(1)}"
        text = re.sub(r"\bp(\d+)\b", r"P\1", text.replace("_", " "))
    parts = [text, *([where.split("=", 1)[-1].replace("_", " ")] if where else [])]
    period = _period(column)
    return ", ".join([*parts, *([period] if period else [])])


def kpi_label(column: str, currency: str | None = None) -> str:
    """The KPI with its unit for a table row or an axis: ``P90 response time, emergency (min)``."""
    unit = kpi_unit(column)
    shown = "%" if unit == "share" else display_unit(column, currency)
    text = pretty(column)
    if shown in _UNIT_WORDS and shown.rstrip("s") in text:
        shown = ""  # "jobs lost to competitors (jobs)" says it twice
    return with_unit(text, shown)


def with_unit(text: str, unit: str) -> str:
    """``text (unit)``, or the text alone when there is no unit."""
    return f"{text} ({unit})" if unit else text


def number(x: float) -> str:
    """A readable number for legends: 199,585 / 12.3 / 0.042."""
    if not math.isfinite(x):
        return "n/a"
    size = abs(x)
    return f"{x:,.0f}" if size >= 1000 else f"{x:.1f}" if size >= 10 else f"{x:.3g}"


def wrap(text: str, width: int = 24) -> str:
    """A long name over several lines, for tick labels."""
    return textwrap.fill(text, width, break_long_words=False) if len(text) > width else text


# --- options and inputs ------------------------------------------------------------------


def automation_names(scenario: Any) -> dict[str, str]:
    """Each automation's ``name`` by id (its id when unnamed); empty without a scenario."""
    autos = getattr(scenario, "automations", None) or ()
    return {a.id: (a.name or a.id) for a in autos}


def option_names(
    scenario: Any, variants: Iterable[Mapping[str, Any]], roadmaps: Iterable[str] = ()
) -> dict[str, str]:
    """Each variant's name for a reader: an automation's ``name``, a bundle ``A + B``, a
    roadmap ``A, then B``; the baseline ``Baseline (today)``. Ids stand in for missing names."""
    autos = automation_names(scenario)
    phased = set(roadmaps)
    out: dict[str, str] = {}
    for v in variants:
        vid, members = str(v["id"]), list(v.get("automations") or ())
        if not members:
            out[vid] = BASELINE_NAME if vid == BASELINE else vid
        elif vid in autos:
            out[vid] = autos[vid]
        elif not autos:
            out[vid] = vid
        elif len(members) == 1:
            out[vid] = autos.get(members[0], vid)
        else:
            glue = ", then " if vid in phased else " + "
            out[vid] = glue.join(autos.get(m, m) for m in members)
    return out


def name_of(variant: str, names: Mapping[str, str] | None) -> str:
    """A variant's name (its id when unnamed)."""
    return (names or {}).get(variant, variant)


def input_label(path: str, names: Mapping[str, str] | None = None) -> str:
    """``automations.auto_dispatch.adoption.level`` -> ``Automated dispatch: adoption level``."""
    parts = path.removeprefix("input:").split(".")
    words = [p.replace("_", " ") for p in parts]
    if len(parts) >= 3 and parts[0] == "automations":
        owner = name_of(parts[1], names)
        rest = [w for w in words[2:] if w != "effects"]
        return f"{owner}: {' '.join(rest)}"
    kinds = {"job_types": " jobs", "segments": " customers", "items": ""}
    if len(parts) >= 4 and parts[1] in kinds:
        return f"{words[2]}{kinds[parts[1]]}: {' '.join(words[3:])}"
    return " › ".join(words)


def humanize(text: str, names: Mapping[str, str]) -> str:
    """A sentence of the analysis with option ids replaced by their names (baseline kept)."""
    ids = sorted((i for i, n in names.items() if n != i and i != "baseline"), key=len, reverse=True)
    if not ids or not text:
        return text
    pattern = re.compile(r"(?<![\w+])(" + "|".join(map(re.escape, ids)) + r")(?![\w+])")
    return pattern.sub(lambda m: names[m.group(1)], text)
