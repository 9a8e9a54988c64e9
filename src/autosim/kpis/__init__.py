"""The KPI catalogue: every KPI's name, unit, meaning and better direction, and column names.

One catalogue names every KPI with its unit and meaning; the README's table, ``autosim kpis``,
the goals of a strategy and the columns of ``replications.parquet`` all come from it, so they
cannot drift apart. KPIs that can be broken down appear again as
``name[segment=residential]`` and ``name[job_type=emergency]`` columns (stock KPIs as
``name[item=fittings]``; flows, steps and pools of an ``operations`` section as ``[flow=...]``,
``[step=flow.step]``, ``[pool=...]``). The entries live by subject in
:mod:`autosim.kpis.operations`, :mod:`autosim.kpis.flows` and :mod:`autosim.kpis.money`; this
module joins them in the README's order and owns the lookups and the column names.
"""

from __future__ import annotations

from autosim.kpis.base import KPI
from autosim.kpis.flows import FLOWS
from autosim.kpis.money import MONEY, VERSUS
from autosim.kpis.operations import DISPATCH, INVENTORY

__all__ = ["CATALOGUE", "KPI", "catalogue_markdown", "column", "kpi", "period_suffix"]

CATALOGUE: tuple[KPI, ...] = (*DISPATCH, *MONEY, *INVENTORY, *FLOWS, *VERSUS)

_BY_NAME = {k.name: k for k in CATALOGUE}


def kpi(name: str) -> KPI:
    """Look a KPI up by name (KeyError listing the catalogue otherwise)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown KPI {name!r}; known: {', '.join(_BY_NAME)}") from None


def column(name: str, by: str | None = None, value: str | None = None) -> str:
    """Column name of a KPI, optionally broken down: ``response_time_p90_min[segment=home]``."""
    return name if by is None else f"{name}[{by}={value}]"


def period_suffix(days: int | None) -> str:
    """Suffix of a KPI column measured over the last ``days`` days only: ``@last90d``."""
    return "" if days is None else f"@last{days}d"


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (the README embeds exactly this)."""
    rows = ["| KPI | unit | better | by | meaning |", "|---|---|---|---|---|"]
    for k in CATALOGUE:
        by = ", ".join(k.by) or "—"
        rows.append(f"| `{k.name}` | {k.unit} | {k.better or '—'} | {by} | {k.meaning} |")
    return "\n".join(rows)
