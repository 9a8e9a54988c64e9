"""The standard figures of a run: which ones it has, writing them as PNG, and ``results.plot``.

A run decides its own chart wall: ROI and NPV only with automations, the response time of the
most urgent job type when the scenario names one, a tornado per automation with uncertain inputs,
the strategy maps when goals were judged. :func:`standard_figures` lists them by file name as
zero-argument drawers, so the report and :func:`save_all` draw each figure once and only when
needed; :class:`PlotAccessor` offers the same figures one by one in a notebook.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from autosim.atomic import write_atomic
from autosim.present.figures.finance import npv_distribution, roi_distribution, tornado
from autosim.present.figures.operations import cash_fan, convergence, kpi_distribution
from autosim.present.figures.strategy import alignment_map, goal_heatmap, strategy_frames
from autosim.present.labels import (
    automation_names,
    input_label,
    option_names,
    pretty,
    variants_of,
)
from autosim.present.style import DPI, png_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from autosim.present.protocol import RunLike

__all__ = [
    "PlotAccessor",
    "currency_of",
    "names_of",
    "save_all",
    "standard_figures",
    "tornado_name",
]


def currency_of(run: RunLike) -> str:
    """The run's currency: the scenario's, else the summary's, else USD."""
    scenario = getattr(run, "scenario", None)
    if getattr(scenario, "currency", None):
        return str(scenario.currency)
    return str(run.summary().get("currency") or "USD")


def names_of(run: RunLike) -> dict[str, str]:
    """Names for a reader of the run's variants and automations (ids without a scenario)."""
    scenario = getattr(run, "scenario", None)
    summary = run.summary()
    roadmaps = [r["id"] for r in (summary.get("roadmap") or {}).get("roadmaps", [])]
    variants = summary.get("variants") or []
    return {**automation_names(scenario), **option_names(scenario, variants, roadmaps)}


def _drivers(drivers: list[dict[str, Any]], names: dict[str, str]) -> pd.DataFrame:
    """A sensitivity table with each input named for a reader."""
    frame = pd.DataFrame(drivers)
    if "input" in frame.columns:
        frame["input"] = [input_label(str(i), names) for i in frame["input"]]
    return frame


def _has_automations(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and len(variants_of(frame)) > 1


def _most_urgent_job_type(run: RunLike) -> Any:
    """The job type with a response target that comes first in the queue (None if unknown)."""
    scenario = getattr(run, "scenario", None)
    if scenario is None:
        return None
    with_target = [j for j in scenario.dispatch.job_types if j.response_target is not None]
    return min(with_target, key=lambda j: j.priority, default=None)


def tornado_name(variant: str, output: str) -> str:
    """File name of the tornado of a chosen output: ``tornado_<variant>__<output>.png``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in output).strip("_")
    return f"tornado_{variant}__{safe}.png"


def standard_figures(run: RunLike) -> dict[str, Callable[[], Figure]]:
    """The standard figures this run can have, by file name, drawn only when called."""
    reps, cash = run.replications, run.cash
    currency = currency_of(run)
    names = names_of(run)
    out: dict[str, Callable[[], Figure]] = {}
    if _has_automations(reps, "roi"):
        out["roi.png"] = lambda: roi_distribution(reps, currency=currency, names=names)
    if _has_automations(reps, "npv"):
        out["npv.png"] = lambda: npv_distribution(reps, currency=currency, names=names)
    urgent = _most_urgent_job_type(run)
    column = f"response_time_p90_min[job_type={urgent.id}]" if urgent else ""
    if column in reps.columns:
        out["response_time_p90.png"] = lambda: kpi_distribution(
            reps,
            column,
            target=urgent.response_target,
            label=f"P90 response time of {urgent.id} jobs",
            names=names,
        )
    elif "response_time_p90_min" in reps.columns:
        out["response_time_p90.png"] = lambda: kpi_distribution(
            reps, "response_time_p90_min", names=names
        )
    if not cash.empty and "balance" in cash.columns:
        out["cash_fan.png"] = lambda: cash_fan(cash, currency=currency, names=names)
    if _has_automations(reps, "npv"):
        out["convergence_npv.png"] = lambda: convergence(
            reps, "npv", currency=currency, names=names
        )
    summary = run.summary()
    for v in summary.get("variants", []):
        for output, drivers in (v.get("sensitivity") or {}).items():
            if not drivers:
                continue
            frame = _drivers(drivers, names)
            name = f"tornado_{v['id']}.png" if output == "roi" else tornado_name(v["id"], output)
            what = "ROI" if output == "roi" else pretty(output)
            out[name] = lambda frame=frame, what=what, vid=v["id"], pc=output == "roi": tornado(
                frame, output=what, option=names.get(vid, vid), percent=pc
            )
    judged = [v for v in summary.get("variants", []) if v.get("automations") and "verdict" in v]
    if "strategy" in summary and judged:
        matrix, points = strategy_frames(judged)
        out["goal_heatmap.png"] = lambda: goal_heatmap(matrix, names=names)
        out["alignment_map.png"] = lambda: alignment_map(points, currency=currency, names=names)
    return out


def save_all(run: RunLike, out_dir: str | os.PathLike[str], *, dpi: int = DPI) -> list[Path]:
    """Write every standard figure the run has as PNG into ``out_dir``; return the paths."""
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    return [
        write_atomic(target / name, png_bytes(draw(), dpi=dpi))
        for name, draw in standard_figures(run).items()
    ]


class PlotAccessor:
    """``results.plot.roi()`` and friends: the standard figures of one run, for notebooks."""

    def __init__(self, results: RunLike) -> None:
        self._results = results

    def roi(self) -> Figure:
        """ROI distribution per automation."""
        return roi_distribution(
            self._results.replications,
            currency=currency_of(self._results),
            names=names_of(self._results),
        )

    def npv(self) -> Figure:
        """NPV distribution per automation."""
        return npv_distribution(
            self._results.replications,
            currency=currency_of(self._results),
            names=names_of(self._results),
        )

    def kpi(self, name: str, target: float | None = None, label: str | None = None) -> Figure:
        """Empirical CDF of one KPI column per variant."""
        return kpi_distribution(
            self._results.replications,
            name,
            target=target,
            label=label,
            currency=currency_of(self._results),
        )

    def cash(self, variants: Sequence[str] | None = None, min_cash: float | None = None) -> Figure:
        """Cash balance fan per variant."""
        return cash_fan(
            self._results.cash,
            variants=variants,
            min_cash=min_cash,
            currency=currency_of(self._results),
        )

    def convergence(self, column: str = "npv", variant: str | None = None) -> Figure:
        """Running mean of a column with its 95% interval."""
        return convergence(
            self._results.replications, column, variant=variant, currency=currency_of(self._results)
        )
