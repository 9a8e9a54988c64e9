"""Figures of money: ROI and NPV spread per automation, and what drives them (tornado).

These answer the owner's first question, "will it pay for itself, and how sure are we?": every
replication is a dot, the violin shows where outcomes cluster, and P(> 0) is written beside each
automation; ROI, a ratio in the data, is drawn in percent. The tornado ranks the uncertain
inputs by their rank correlation with the answer, with its interval, greying those that cannot be
told apart from no effect: where better data would narrow the answer most. Options are labelled
by name when ``names`` maps their ids. Each function takes a tidy frame and returns a
:class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from autosim.present.labels import baseline_of, name_of, values_of, variants_of, wrap
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
    replications: pd.DataFrame,
    column: str,
    *,
    symbol: str,
    xlabel: str,
    title: str,
    money: bool,
    names: Mapping[str, str] | None = None,
) -> Figure:
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    variants = variants_of(replications)
    base = baseline_of(variants)
    autos = [v for v in variants if v != base]
    colors = variant_colors(variants)
    fig, ax = new_figure(7.5, 1.7 + 0.75 * max(len(autos), 1))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if money:
        money_axis(ax.xaxis)
    else:  # ROI: a ratio in the data, a percentage on the page
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
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
    ax.set_yticks(range(len(autos)), labels=[wrap(name_of(a, names)) for a in autos[::-1]])
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
def roi_distribution(
    replications: pd.DataFrame,
    *,
    currency: str = "USD",
    names: Mapping[str, str] | None = None,
) -> Figure:
    """ROI of each automation over replications, with P(ROI > 0): how likely it pays for itself.

    ROI is net gain per unit of automation cost; the axis shows it in percent (18.0 is 1800%).
    ``currency`` is accepted for a signature shared with the other figures: a ratio has none.
    """
    return _finance_distribution(
        replications,
        "roi",
        symbol="ROI",
        xlabel="ROI: net gain as % of the automation's cost",
        title="Return on investment of each option",
        money=False,
        names=names,
    )


@styled
def npv_distribution(
    replications: pd.DataFrame, *, currency: str, names: Mapping[str, str] | None = None
) -> Figure:
    """NPV against the baseline over replications, with P(NPV > 0): the spread of money outcomes."""
    return _finance_distribution(
        replications,
        "npv",
        symbol="NPV",
        xlabel=f"NPV against the baseline ({currency})",
        title="Net present value of each option",
        money=True,
        names=names,
    )


def _value(x: float, percent: bool) -> str:
    if not np.isfinite(x):
        return "n/a"
    if percent:
        return f"{100 * x:+,.0f}%"
    size = abs(x)
    return f"{x:,.0f}" if size >= 1000 else f"{x:.1f}" if size >= 10 else f"{x:.3g}"


def _interval(ci: object) -> tuple[float, float] | None:
    """A ``[lo, hi]`` interval with both ends finite, else None (null ends: not estimable)."""
    if not isinstance(ci, list | tuple | np.ndarray) or len(ci) != 2:
        return None
    lo, hi = (np.nan if x is None else float(x) for x in ci)
    return (lo, hi) if np.isfinite([lo, hi]).all() else None


def _significant(frame: pd.DataFrame) -> np.ndarray:
    """Whether each input's rank correlation is told apart from zero (True when unknown).

    The row's ``significant`` flag decides when present; else its ``ci95`` excluding 0.
    """
    out = np.ones(len(frame), bool)
    if "ci95" in frame.columns:
        for i, ci in enumerate(frame["ci95"]):
            known = _interval(ci)
            if known is not None:
                out[i] = not (known[0] <= 0 <= known[1])
    if "significant" in frame.columns:
        for i, flag in enumerate(frame["significant"]):
            if isinstance(flag, bool | np.bool_):
                out[i] = bool(flag)
    return out


@styled
def tornado(
    sensitivity: pd.DataFrame,
    *,
    output: str = "ROI",
    option: str | None = None,
    percent: bool = False,
) -> Figure:
    """Inputs ranked by their rank correlation with the output: where better estimates pay off.

    Each bar is the Spearman rank correlation of an input with the output over replications,
    with its 95% interval when the rows carry one (``ci95``); an input whose interval includes
    zero (``significant`` false) is drawn grey. When the rows carry ``swing_lo``/``swing_hi``
    (the output predicted with the input at its P10 and P90), the swing is written beside the
    bar (``percent``: the output is a ratio shown in percent, as ROI). ``option`` names whose
    output it is, in the title. Labels are wrapped and the figure widens with them, so none is
    cut off.
    """
    frame = sensitivity.copy().reset_index(drop=True)
    if "rank_correlation" not in frame.columns:
        frame["rank_correlation"] = np.nan
    frame["rank_correlation"] = pd.to_numeric(frame["rank_correlation"], errors="coerce")
    frame["_size"] = frame["rank_correlation"].abs()
    frame = frame.sort_values("_size", ascending=True, na_position="first", kind="stable")
    frame = frame.reset_index(drop=True)
    names = [wrap(str(n).removeprefix("input:"), 34) for n in frame.get("input", [])]
    lines = max([n.count("\n") + 1 for n in names] or [1])
    label_chars = max([max(len(x) for x in n.split("\n")) for n in names] or [10])
    width = 5.6 + 0.065 * label_chars
    fig, ax = new_figure(width, 1.6 + (0.3 + 0.16 * lines) * max(len(frame), 1))
    title = f"What drives the {output}" + (f" of {option}" if option else "")
    ax.set_title(wrap(title, 44))  # left-aligned over the axes: wrapped, not cut off
    ax.grid(False, axis="y")
    ax.axvline(0, color=PALETTE["reference"], lw=1)
    ax.set_xlim(-1.0, 1.0)
    ax.set_xlabel(f"Spearman rank correlation with {output} (−1 to +1)")
    if frame.empty:
        no_data(ax, "no uncertain inputs")
        return fig
    pos = np.arange(len(frame))
    blue, orange = PALETTE["automations"][:2]
    rho = frame["rank_correlation"].fillna(0.0).to_numpy()
    strong = _significant(frame)
    colors = [
        (blue if r >= 0 else orange) if s else "#c8c8c8" for r, s in zip(rho, strong, strict=True)
    ]
    ax.barh(pos, rho, color=colors, height=0.6)
    for p, ci in zip(pos, frame["ci95"] if "ci95" in frame.columns else [], strict=False):
        known = _interval(ci)
        if known is not None:
            ax.plot(known, [p, p], color=PALETTE["reference"], lw=1.2)
            ax.plot(known, [p, p], "|", color=PALETTE["reference"], ms=7)
    swing = {"swing_lo", "swing_hi"} <= set(frame.columns)
    for i, (p, r) in enumerate(zip(pos, rho, strict=True)):
        note = f"{r:+.2f}"
        if swing:
            lo, hi = float(frame["swing_lo"].iloc[i]), float(frame["swing_hi"].iloc[i])
            note += f"   {output} {_value(lo, percent)} → {_value(hi, percent)}"
        ax.text(1.02, p, note, transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    ax.set_yticks(pos, labels=names)
    if not strong.all():
        ax.set_xlabel(f"{ax.get_xlabel()}\ngrey: its 95% interval includes 0 (no clear effect)")
    return fig
