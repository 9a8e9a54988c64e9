"""Figures of how the business runs: KPI spread, cash balance fan, and convergence of a mean.

These show what an automation does day to day and whether the numbers can be trusted: the
empirical CDF of a KPI per variant (read off the share of replications under any level), the
cash balance over the horizon with its P5–P95 band (how low can cash go?), and the running mean
of an output against replications (were there enough?). Each function takes a tidy frame and
returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.present.labels import (
    display_unit,
    name_of,
    number,
    pretty,
    values_of,
    variants_of,
    with_unit,
)
from autosim.present.style import (
    PALETTE,
    line_style,
    money,
    money_axis,
    new_figure,
    no_data,
    styled,
    variant_colors,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["cash_fan", "convergence", "kpi_distribution"]


def _legend(fig: Figure, ax: Any, handles: list[Any] | None = None, title: str = "") -> None:
    """The legend under the axes: option names are long and must not cover the data."""
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    if not handles:
        return
    ncols = 2 if max(len(h.get_label()) for h in handles) <= 45 else 1  # as wide as fits
    rows = -(-len(handles) // ncols) + bool(title)
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height + 0.16 * rows)  # room for the legend, not taken from the axes
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, title=title or None)


@styled
def kpi_distribution(
    replications: pd.DataFrame,
    kpi: str,
    *,
    target: float | None = None,
    label: str | None = None,
    currency: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Empirical CDF of a KPI per variant: read off the share of replications under any level."""
    unit = display_unit(kpi, currency)
    text = label or pretty(kpi)
    fig, ax = new_figure(7.0, 4.2)
    ax.set_title(f"{text}: spread over replications")
    ax.set_xlabel(with_unit(text, unit))
    ax.set_ylabel("share of replications at or below (cumulative)")
    if unit == (currency or "money"):
        money_axis(ax.xaxis)
    variants = variants_of(replications)
    if kpi not in replications.columns or not variants:
        no_data(ax, f"no values for {kpi}")
        return fig
    colors = variant_colors(variants)
    for variant in variants:
        values = values_of(replications, variant, kpi)
        finite = values[np.isfinite(values)]
        if finite.size:
            label_n = f"{name_of(variant, names)} (n={finite.size})"
            ax.ecdf(
                finite, color=colors[variant], label=label_n, **line_style(variant, known=variants)
            )
        else:
            ax.plot([], [], color=colors[variant], label=f"{name_of(variant, names)} (no values)")
    if target is not None:
        ax.axvline(target, color=PALETTE["reference"], ls="--", lw=1.2, label="target")
    ax.set_ylim(0, 1.03)
    _legend(fig, ax)
    return fig


@styled
def cash_fan(
    cash: pd.DataFrame,
    *,
    variants: Sequence[str] | None = None,
    min_cash: float | None = None,
    currency: str,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Cash balance by day: median and P5–P95 band per variant, to see how low cash can go."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.patches import Patch

    known = variants_of(cash)
    colors = variant_colors(known)
    chosen = known if variants is None else [str(v) for v in variants]
    unknown = [v for v in chosen if v not in colors]
    if unknown:
        raise KeyError(f"no variant {unknown[0]!r} in the cash frame (known: {', '.join(known)})")
    fig, ax = new_figure(7.5, 4.2)
    ax.set_title("Cash balance over the horizon")
    ax.set_ylabel(f"cash balance ({currency})")
    money_axis(ax.yaxis)
    x_col = "date" if "date" in cash.columns else "day"
    ax.set_xlabel("date" if x_col == "date" else "day (from the start)")
    if not chosen or "balance" not in cash.columns:
        no_data(ax, "no cash ledger in this run")
        return fig
    for variant in chosen:
        rows = cash[cash["variant"] == variant]
        wide = rows.pivot_table(index="replication", columns=x_col, values="balance", dropna=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a day with no value at all
            lo, mid, hi = np.nanquantile(wide.to_numpy(float), [0.05, 0.5, 0.95], axis=0)
        x = wide.columns.to_numpy()
        ax.fill_between(x, lo, hi, color=colors[variant], alpha=0.18, lw=0)
        style = line_style(variant, known=known)
        ax.plot(x, mid, color=colors[variant], label=f"{name_of(variant, names)} (median)", **style)
    if min_cash is not None:
        ax.axhline(
            min_cash,
            color=PALETTE["reference"],
            ls="--",
            lw=1.2,
            label=f"minimum cash ({money(min_cash)})",
        )
    if x_col == "date":
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    handles, _ = ax.get_legend_handles_labels()
    band = Patch(color=PALETTE["baseline"], alpha=0.25, label="P5–P95 across replications")
    _legend(fig, ax, [*handles, band])
    return fig


@styled
def convergence(
    replications: pd.DataFrame,
    column: str = "npv",
    *,
    variant: str | Sequence[str] | None = None,
    currency: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Running mean and 95% t-interval against replications: were there enough replications?"""
    from matplotlib.ticker import MaxNLocator
    from scipy import stats

    known = variants_of(replications)
    colors = variant_colors(known)
    if variant is None:
        chosen = [
            v
            for v in known
            if column in replications.columns
            and np.isfinite(values_of(replications, v, column)).any()
        ]
    else:
        chosen = [variant] if isinstance(variant, str) else list(variant)
    unit = display_unit(column, currency)
    fig, ax = new_figure(7.0, 4.2)
    ax.set_title(f"Convergence of the mean {pretty(column)}")
    ax.set_xlabel("replications (count, in replication order)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(with_unit(f"running mean of {pretty(column)}", unit))
    if unit == (currency or "money"):
        money_axis(ax.yaxis)
    if not chosen:
        no_data(ax, f"no finite values of {column}")
        return fig
    for v in chosen:
        values = values_of(replications, v, column)
        finite = pd.Series(values[np.isfinite(values)])
        n = np.arange(1, finite.size + 1)
        mean = finite.expanding().mean().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            half = stats.t.ppf(0.975, n - 1) * finite.expanding().std().to_numpy() / np.sqrt(n)
        final = f"{number(mean[-1])} ± {number(half[-1])}" if finite.size > 1 else "one value"
        color = colors.get(v, PALETTE["automations"][0])
        ax.fill_between(n, mean - half, mean + half, color=color, alpha=0.18, lw=0)
        ax.plot(
            n,
            mean,
            color=color,
            lw=1.8,
            marker="o" if n.size < 3 else None,
            label=f"{name_of(v, names)}: {final} (n={finite.size})",
        )
    _legend(fig, ax, title="mean ± 95% t-interval half-width")
    return fig
