"""Figures of money: ROI and NPV spread per automation, and what drives them (tornado).

These answer the owner's first question, "will it pay for itself, and how sure are we?": every
replication is a dot, the violin shows where outcomes cluster, and P(> 0) is written beside each
automation. The tornado ranks the uncertain inputs by how far they move the answer, i.e. where
better data would narrow it most. Each function takes a tidy frame and returns a
:class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from autosim.present.labels import baseline_of, values_of, variants_of
from autosim.present.style import PALETTE, money_axis, new_figure, no_data, styled, variant_colors

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["npv_distribution", "roi_distribution", "tornado"]


def _violin(ax: Axes, values: np.ndarray, y: float, color: str) -> None:
    """Horizontal violin from a Gaussian KDE (skipped when the values do not vary)."""
    from scipy.stats import gaussian_kde

    if np.unique(values).size < 2:
        return
    try:
        kde = gaussian_kde(values)
    except (np.linalg.LinAlgError, ValueError):
        return
    grid = np.linspace(values.min(), values.max(), 200)
    dens = kde(grid)
    half = 0.38 * dens / dens.max()
    ax.fill_between(grid, y - half, y + half, color=color, alpha=0.3, lw=0)


def _finance_distribution(
    replications: pd.DataFrame, column: str, *, symbol: str, xlabel: str, title: str, money: bool
) -> Figure:
    from matplotlib.lines import Line2D

    variants = variants_of(replications)
    base = baseline_of(variants)
    autos = [v for v in variants if v != base]
    colors = variant_colors(variants)
    fig, ax = new_figure(7.5, 1.7 + 0.75 * max(len(autos), 1))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if money:
        money_axis(ax.xaxis)
    if column not in replications.columns or not autos:
        no_data(ax, "no automations in this run")
        ax.set_yticks([])
        return fig
    ax.grid(False, axis="y")
    ax.axvline(0, color=PALETTE["reference"], lw=1, ls="--", zorder=1)
    for i, variant in enumerate(autos):
        y = len(autos) - 1 - i
        values = values_of(replications, variant, column)
        defined = values[~np.isnan(values)]
        finite = defined[np.isfinite(defined)]
        color = colors[variant]
        _violin(ax, finite, y, color)
        if finite.size:
            jitter = ((np.arange(finite.size) * 0.618034) % 1 - 0.5) * 0.3
            ax.scatter(finite, y + jitter, s=9, color=color, alpha=0.55, lw=0, zorder=2)
            ax.plot([np.median(finite)] * 2, [y - 0.3, y + 0.3], color=color, lw=2.2, zorder=3)
            ax.scatter(
                [finite.mean()],
                [y],
                marker="D",
                s=28,
                color="white",
                edgecolor=color,
                lw=1.5,
                zorder=4,
            )
        note = f"P({symbol} > 0) = {np.mean(defined > 0):.0%}" if defined.size else "no values"
        if defined.size > finite.size:
            note += f"\n({defined.size - finite.size} infinite, not drawn)"
        ax.text(1.01, y, note, transform=ax.get_yaxis_transform(), va="center", fontsize=8.5)
    ax.set_yticks(range(len(autos)), labels=autos[::-1])
    ax.set_ylim(-0.6, len(autos) - 0.4)
    handles = [
        Line2D([], [], color="k", marker="o", ms=3, ls="none", alpha=0.6, label="one replication"),
        Line2D([], [], color="k", marker="|", ms=10, mew=2, ls="none", label="median"),
        Line2D([], [], color="k", marker="D", ms=5, mfc="white", ls="none", label="mean"),
        Line2D([], [], color=PALETTE["reference"], ls="--", lw=1, label="break-even (0)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    return fig


@styled
def roi_distribution(replications: pd.DataFrame, *, currency: str = "USD") -> Figure:
    """ROI of each automation over replications, with P(ROI > 0): how likely it pays for itself."""
    return _finance_distribution(
        replications,
        "roi",
        symbol="ROI",
        xlabel=f"ROI (net gain per {currency} of automation cost)",
        title="Return on investment of each automation",
        money=False,
    )


@styled
def npv_distribution(replications: pd.DataFrame, *, currency: str) -> Figure:
    """NPV against the baseline over replications, with P(NPV > 0): the spread of money outcomes."""
    return _finance_distribution(
        replications,
        "npv",
        symbol="NPV",
        xlabel=f"NPV against the baseline ({currency})",
        title="Net present value of each automation",
        money=True,
    )


@styled
def tornado(sensitivity: pd.DataFrame, *, output: str = "ROI") -> Figure:
    """Inputs ranked by how much they move the output: where better estimates pay off most."""
    swing = {"swing_lo", "swing_hi"} <= set(sensitivity.columns)
    frame = sensitivity.copy()
    if swing:
        frame["_size"] = (frame["swing_hi"] - frame["swing_lo"]).abs()
    else:
        frame["_size"] = frame["rank_correlation"].abs()
    frame = frame.sort_values("_size", ascending=True, na_position="first", kind="stable")
    fig, ax = new_figure(7.0, 1.5 + 0.42 * max(len(frame), 1))
    ax.set_title(f"What drives {output}: sensitivity to each uncertain input")
    ax.grid(False, axis="y")
    ax.axvline(0, color=PALETTE["reference"], lw=1)
    if frame.empty:
        no_data(ax, "no uncertain inputs")
        return fig
    pos = np.arange(len(frame))
    blue, orange = PALETTE["automations"][:2]
    if swing:
        lo, hi = frame["swing_lo"].astype(float), frame["swing_hi"].astype(float)
        ax.barh(
            pos,
            hi - lo,
            left=lo,
            color=[blue if h >= v else orange for v, h in zip(lo, hi, strict=True)],
        )
        ax.set_xlabel(f"{output} with the input at its low and high value")
    else:
        rho = frame["rank_correlation"].astype(float).fillna(0.0)
        ax.barh(pos, rho, color=[blue if r >= 0 else orange for r in rho])
        for p, r in zip(pos, rho, strict=True):
            ax.text(
                r + (0.02 if r >= 0 else -0.02),
                p,
                f"{r:+.2f}",
                va="center",
                ha="left" if r >= 0 else "right",
                fontsize=8,
            )
        ax.set_xlim(-1.1, 1.1)
        ax.set_xlabel(f"Spearman rank correlation with {output} (−1 to +1)")
    names = frame["input"].astype(str).str.removeprefix("input:")
    ax.set_yticks(pos, labels=list(names))
    return fig
