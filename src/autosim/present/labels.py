"""What a run's variants and KPI columns are called on a page, and which variant is the reference.

Figures and the report both talk about the same things: the baseline and the automations of a
run, and KPI columns such as ``response_time_p90_min[job_type=emergency]``. This module owns how
those are found in a frame and named for a reader (``response time P90, emergency (min)``), so an
axis label and a table row never disagree. It reads the KPI catalogue for units and needs no
plotting library.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "BASELINE",
    "baseline_of",
    "display_unit",
    "kpi_unit",
    "number",
    "pretty",
    "split_kpi",
    "values_of",
    "variants_of",
    "with_unit",
]

BASELINE = "baseline"
_PRETTY = {"npv": "NPV", "roi": "ROI", "payback_months": "payback", "net_benefit": "net benefit"}


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
    """``name[filter]`` -> (``name``, ``filter``); a plain column has no filter."""
    match = re.fullmatch(r"(.*?)\[(.*)\]", column)
    return (match.group(1), match.group(2)) if match else (column, None)


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
    """``response_time_p90_min[job_type=emergency]`` -> ``response time P90, emergency``."""
    name, where = split_kpi(column)
    if name in _PRETTY:
        text = _PRETTY[name]
    else:
        text = re.sub(r"_(min|h)$", "", name).replace("_", " ")
        text = re.sub(r"\bp(\d+)\b", r"P\1", text)
    return f"{text}, {where.split('=', 1)[-1]}" if where else text


def with_unit(text: str, unit: str) -> str:
    """``text (unit)``, or the text alone when there is no unit."""
    return f"{text} ({unit})" if unit else text


def number(x: float) -> str:
    """A readable number for legends: 199,585 / 12.3 / 0.042."""
    if not math.isfinite(x):
        return "n/a"
    size = abs(x)
    return f"{x:,.0f}" if size >= 1000 else f"{x:.1f}" if size >= 10 else f"{x:.3g}"
