"""Figures of a calibration: Q–Q plots of fitted distributions and the back-test chart.

A Q–Q plot puts each observed value against the value the fitted distribution predicts at the
same rank: on the diagonal, the fit describes the data; bending away in the upper corner, the
real tail is heavier than the fitted one. The back-test chart places the recorded value of each
KPI among the simulated replications (its percentile), with the P5–P95 band shaded. matplotlib
is imported inside the functions only.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from autosim.atomic import write_atomic
from autosim.present.style import PALETTE, new_figure, png_bytes, styled

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from autosim.calibration.backtest import BacktestResult
    from autosim.calibration.fitting import FitResult

__all__ = ["backtest_figure", "qq_figure", "save_figure", "slug"]


def slug(text: str) -> str:
    """A file-name-safe version of a label."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "fit"


@styled
def qq_figure(fit: FitResult, title: str, unit: str) -> Figure:
    """Observed quantiles against the fitted distribution's, with the diagonal."""
    fig, ax = new_figure(5.0, 4.2)
    x = np.sort(fit.data)
    probs = (np.arange(1, x.size + 1) - 0.5) / x.size
    model = fit.best.frozen.ppf(probs)  # type: ignore[attr-defined]
    ax.scatter(model, x, s=8, color=PALETTE["automations"][0], alpha=0.7, label="observed")
    top = float(np.nanmax([model.max(), x.max()]))
    ax.plot([0, top], [0, top], color=PALETTE["reference"], lw=1, label="perfect fit")
    ax.set_xlabel(f"fitted {fit.best.family} quantile ({unit})")
    ax.set_ylabel(f"observed quantile ({unit})")
    note = f"n = {fit.n}, KS p = {fit.best.ks_pvalue:.2g}"
    if fit.n_censored or fit.n_never:
        note += f"; {fit.n_censored} open, {fit.n_never} written off (fitted, not shown)"
    ax.set_title(title)
    ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize=8, color=PALETTE["muted"])
    ax.legend(loc="lower right")
    return fig


@styled
def backtest_figure(result: BacktestResult) -> Figure:
    """Percentile of each recorded KPI within the simulated replications, band P5–P95."""
    table = result.table[result.table["recorded"].notna()]
    fig, ax = new_figure(7.5, max(2.5, 0.26 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.axvspan(5, 95, color=PALETTE["automations"][0], alpha=0.12, label="simulated P5–P95")
    ax.axvline(50, color=PALETTE["reference"], lw=0.8)
    outside = table["outside"].to_numpy(bool)
    pct = table["percentile"].to_numpy(float)
    ax.scatter(
        pct[~outside],
        y[~outside],
        color=PALETTE["automations"][2],
        s=22,
        label="recorded, inside",
        zorder=3,
    )
    ax.scatter(
        pct[outside],
        y[outside],
        color=PALETTE["automations"][3],
        s=26,
        marker="D",
        label="recorded, outside",
        zorder=3,
    )
    labels = [f"{k} ({u})" if u else k for k, u in zip(table["kpi"], table["unit"], strict=True)]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(-2, 102)
    ax.set_xlabel(
        f"percentile of the recorded value among {result.n_replications} simulated replications (%)"
    )
    ax.set_title(
        f"Back-test: {result.scenario}\n{result.n_days} days from {result.start.date().isoformat()}"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08 - 1.2 / max(len(table), 4)), ncol=3)
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write a figure as PNG atomically."""
    return write_atomic(path, png_bytes(fig))
