"""Figures of strategy: which automation moves which goal, and alignment against money.

An automation can pay and still work against what the business is trying to achieve. The goal
heatmap shows the change in P(goal met) per automation and goal; the alignment map puts each
automation's strategic impact against its expected NPV, so "aligned and profitable" sits top
right. :func:`strategy_frames` builds both inputs from a run's summary.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.present.labels import BASELINE, name_of, wrap
from autosim.present.style import (
    PALETTE,
    money_axis,
    new_figure,
    no_data,
    styled,
    variant_colors,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["alignment_map", "goal_heatmap", "strategy_frames"]


@styled
def goal_heatmap(matrix: pd.DataFrame, *, names: Mapping[str, str] | None = None) -> Figure:
    """Change in P(goal met) per automation and goal: which automation moves which goal."""
    import matplotlib

    n_rows, n_cols = matrix.shape
    rows = [wrap(name_of(str(i), names), 30) for i in matrix.index]
    lines = max([r.count("\n") + 1 for r in rows] or [1])
    width = 2.6 + 1.25 * max(n_cols, 1) + 0.06 * max([len(r) for r in rows] or [0]) / lines
    fig, ax = new_figure(width, 1.6 + (0.3 + 0.2 * lines) * max(n_rows, 1))
    ax.set_title("Change in the probability of meeting each goal")
    ax.set_xlabel("goal")
    ax.set_ylabel("option")
    ax.grid(False)
    if matrix.empty:
        no_data(ax, "no goals or no automations")
        return fig
    values = matrix.to_numpy(float)
    cmap = matplotlib.colormaps["RdBu"].with_extremes(bad="#eeeeee")
    image = ax.imshow(values, cmap=cmap, vmin=-1, vmax=1, aspect="auto")
    labels = [textwrap.fill(str(c).replace("_", " "), 16) for c in matrix.columns]
    ax.set_xticks(range(n_cols), labels=labels)
    ax.set_yticks(range(n_rows), labels=rows)
    for (i, j), v in np.ndenumerate(values):
        text = "n/a" if np.isnan(v) else f"{v:+.2f}"
        color = "white" if abs(v) > 0.55 else "black"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=9)
    fig.colorbar(image, ax=ax, label="change in P(goal met) (−1 to +1)")
    return fig


def _error(points: pd.DataFrame, lo: str, hi: str, centre: pd.Series) -> np.ndarray | None:
    if not {lo, hi} <= set(points.columns):
        return None
    low = (centre - points[lo].astype(float)).clip(lower=0).fillna(0)
    high = (points[hi].astype(float) - centre).clip(lower=0).fillna(0)
    return np.vstack([low.to_numpy(), high.to_numpy()])


def _symmetric_limit(*arrays: Any) -> float:
    values = np.concatenate([np.abs(np.asarray(a, float)).ravel() for a in arrays])
    values = values[np.isfinite(values)]
    top = float(values.max()) if values.size else 0.0
    return 1.2 * top if top > 0 else 1.0


@styled
def alignment_map(
    points: pd.DataFrame, *, currency: str, names: Mapping[str, str] | None = None
) -> Figure:
    """Strategic impact against expected NPV: aligned and profitable automations sit top right."""
    fig, ax = new_figure(7.0, 5.2)
    ax.set_title("Strategic alignment against money")
    ax.set_xlabel("strategic impact (score: weighted change in P(goal met))")
    ax.set_ylabel(f"expected NPV ({currency})")
    money_axis(ax.yaxis)
    ref = {"color": PALETTE["reference"], "lw": 1}
    ax.axhline(0, **ref)
    ax.axvline(0, **ref)
    corners = (
        (0.98, 0.98, "aligned and profitable"),
        (0.98, 0.02, "aligned but costly"),
        (0.02, 0.98, "profitable but misaligned"),
        (0.02, 0.02, "neither"),
    )
    for x, y, name in corners:
        ax.text(
            x,
            y,
            name,
            transform=ax.transAxes,
            ha="right" if x > 0.5 else "left",
            va="top" if y > 0.5 else "bottom",
            color=PALETTE["muted"],
            style="italic",
        )
    if points.empty:
        no_data(ax, "no automations")
        return fig
    x = points["impact"].astype(float)
    y = points["npv"].astype(float)
    xerr = _error(points, "impact_lo", "impact_hi", x)
    yerr = _error(points, "npv_lo", "npv_hi", y)
    ids = list(points["automation"].astype(str))
    colors = variant_colors([BASELINE, *ids])  # the colours the other figures give them
    for i, name in enumerate(ids):
        if not (math.isfinite(x.iloc[i]) and math.isfinite(y.iloc[i])):
            continue
        ax.errorbar(
            x.iloc[i],
            y.iloc[i],
            fmt="o",
            ms=7,
            capsize=3,
            color=colors[name],
            xerr=None if xerr is None else xerr[:, i : i + 1],
            yerr=None if yerr is None else yerr[:, i : i + 1],
            label=wrap(name_of(name, names), 40),
        )
    if ax.get_legend_handles_labels()[0]:  # names in a legend: labels on the points overlap
        fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    x_lim = _symmetric_limit(x, *([points[["impact_lo", "impact_hi"]]] if xerr is not None else []))
    y_lim = _symmetric_limit(y, *([points[["npv_lo", "npv_hi"]]] if yerr is not None else []))
    ax.set_xlim(-x_lim, x_lim)
    ax.set_ylim(-y_lim, y_lim)
    return fig


def strategy_frames(judged: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The alignment matrix and the impact-vs-NPV points, from a summary's judged variants."""
    matrix = pd.DataFrame(
        {v["id"]: {g: e["delta_vs_baseline"] for g, e in v["goals"].items()} for v in judged}
    ).T
    points = pd.DataFrame(
        [
            {
                "automation": v["id"],
                "impact": v["impact_score"]["mean"],
                "impact_lo": v["impact_score"]["ci95"][0],
                "impact_hi": v["impact_score"]["ci95"][1],
                "npv": v["finance"]["npv"]["mean"],
                "npv_lo": v["finance"]["npv"]["ci95"][0],
                "npv_hi": v["finance"]["npv"]["ci95"][1],
            }
            for v in judged
        ]
    )
    return matrix.astype(float), points.astype({c: float for c in points.columns[1:]})
