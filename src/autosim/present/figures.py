"""Figures of a run: ROI and NPV distributions, KPI curves, cash fans, convergence, strategy maps.

This module is the company's chart wall: the same few charts, drawn the same way every time, so
an owner learns to read them once. Each function takes the tidy frames of a run
(``replications``, ``cash``) or a small frame built by the analysis, and returns a
:class:`matplotlib.figure.Figure`. Nothing here opens a window or touches pyplot's global state,
and matplotlib is imported inside the functions only, so the simulation engine (and a worker
running a sweep) never loads it.

The baseline is drawn in grey, automations in a colour-blind-safe palette (Okabe-Ito), in the
order the variants appear in the frame, so one automation keeps its colour across figures.
"""

from __future__ import annotations

import functools
import math
import os
import re
import secrets
import textwrap
import warnings
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "PlotAccessor",
    "alignment_map",
    "cash_fan",
    "convergence",
    "goal_heatmap",
    "kpi_distribution",
    "npv_distribution",
    "png_bytes",
    "roi_distribution",
    "save_all",
    "standard_figures",
    "tornado",
    "variant_colors",
]

#: Baseline grey, automations in Okabe-Ito order (yellow last: hard to see on white).
PALETTE: dict[str, Any] = {
    "baseline": "#7f7f7f",
    "automations": ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"),
    "reference": "#333333",  # zero, target and minimum-cash lines
    "muted": "#8a8a8a",  # notes and quadrant names
}
BASELINE = "baseline"
DPI = 110
_RC = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 8,
}
_PRETTY = {"npv": "NPV", "roi": "ROI", "payback_months": "payback", "net_benefit": "net benefit"}
_P = ParamSpec("_P")


def _styled(func: Callable[_P, Figure]) -> Callable[_P, Figure]:
    """Draw inside the house style without changing the caller's matplotlib settings."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Figure:
        import matplotlib

        with matplotlib.rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


def _figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _no_data(ax: Axes, message: str) -> None:
    ax.text(
        0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=PALETTE["muted"]
    )


def _variants(frame: pd.DataFrame) -> list[str]:
    if "variant" not in frame.columns or frame.empty:
        return []
    return [str(v) for v in pd.unique(frame["variant"])]


def _baseline(variants: Sequence[str]) -> str | None:
    """The reference variant: ``baseline`` if present, else the first (as the runner does)."""
    if not variants:
        return None
    return BASELINE if BASELINE in variants else variants[0]


def variant_colors(variants: Sequence[str]) -> dict[str, str]:
    """Colour of each variant: baseline grey, automations from the palette in the given order."""
    base, autos = _baseline(variants), PALETTE["automations"]
    out: dict[str, str] = {}
    for v in variants:
        n_autos = sum(1 for name in out if name != base)
        out[v] = PALETTE["baseline"] if v == base else autos[n_autos % len(autos)]
    return out


def _values(frame: pd.DataFrame, variant: str, column: str) -> np.ndarray:
    rows = frame[frame["variant"] == variant]
    if "replication" in rows.columns:
        rows = rows.sort_values("replication", kind="stable")
    return rows[column].to_numpy(float)


def _money(x: float, _pos: object = None) -> str:
    """Short money tick: 1.2M, 250k, 900 (no currency symbol: the axis label carries it)."""
    size = abs(x)
    text = (
        f"{x / 1e6:.3g}M"
        if size >= 1e6
        else f"{x / 1e3:.3g}k"
        if size >= 1e4
        else f"{x:,.0f}"
        if size >= 100
        else f"{x:.3g}"
    )
    return text.replace("-", "\u2212")


def _number(x: float) -> str:
    """A readable number for legends: 199,585 / 12.3 / 0.042."""
    if not math.isfinite(x):
        return "n/a"
    size = abs(x)
    return f"{x:,.0f}" if size >= 1000 else f"{x:.1f}" if size >= 10 else f"{x:.3g}"


def _line_style(variant: str, *, known: Sequence[str]) -> dict[str, Any]:
    """The baseline is dashed and drawn on top, so automations never hide it."""
    if variant == _baseline(known):
        return {"lw": 1.6, "ls": (0, (4, 2)), "zorder": 4}
    return {"lw": 1.8}


def _money_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(_money))


def _split_kpi(column: str) -> tuple[str, str | None]:
    match = re.fullmatch(r"(.*?)\[(.*)\]", column)
    return (match.group(1), match.group(2)) if match else (column, None)


def _unit(column: str, currency: str | None) -> str:
    """Unit of a KPI column from the catalogue (filters stripped); '' when unknown."""
    from autosim.kpis import kpi

    try:
        unit = kpi(_split_kpi(column)[0]).unit
    except KeyError:
        return ""
    return {"money": currency or "money", "share": "0–1", "ratio": "ratio"}.get(unit, unit)


def _pretty(column: str) -> str:
    """``response_time_p90_min[job_type=emergency]`` -> ``response time P90, emergency``."""
    name, where = _split_kpi(column)
    if name in _PRETTY:
        text = _PRETTY[name]
    else:
        text = re.sub(r"_(min|h)$", "", name).replace("_", " ")
        text = re.sub(r"\bp(\d+)\b", r"P\1", text)
    return f"{text}, {where.split('=', 1)[-1]}" if where else text


def _with_unit(text: str, unit: str) -> str:
    return f"{text} ({unit})" if unit else text


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

    variants = _variants(replications)
    base = _baseline(variants)
    autos = [v for v in variants if v != base]
    colors = variant_colors(variants)
    fig, ax = _figure(7.5, 1.7 + 0.75 * max(len(autos), 1))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if money:
        _money_axis(ax.xaxis)
    if column not in replications.columns or not autos:
        _no_data(ax, "no automations in this run")
        ax.set_yticks([])
        return fig
    ax.grid(False, axis="y")
    ax.axvline(0, color=PALETTE["reference"], lw=1, ls="--", zorder=1)
    for i, variant in enumerate(autos):
        y = len(autos) - 1 - i
        values = _values(replications, variant, column)
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


@_styled
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


@_styled
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


@_styled
def kpi_distribution(
    replications: pd.DataFrame,
    kpi: str,
    *,
    target: float | None = None,
    label: str | None = None,
    currency: str | None = None,
) -> Figure:
    """Empirical CDF of a KPI per variant: read off the share of replications under any level."""
    unit = _unit(kpi, currency)
    text = label or _pretty(kpi)
    fig, ax = _figure(7.0, 4.2)
    ax.set_title(f"{text}: spread over replications")
    ax.set_xlabel(_with_unit(text, unit))
    ax.set_ylabel("share of replications at or below (cumulative)")
    if unit == (currency or "money"):
        _money_axis(ax.xaxis)
    variants = _variants(replications)
    if kpi not in replications.columns or not variants:
        _no_data(ax, f"no values for {kpi}")
        return fig
    colors = variant_colors(variants)
    for variant in variants:
        values = _values(replications, variant, kpi)
        finite = values[np.isfinite(values)]
        if finite.size:
            label_n = f"{variant} (n={finite.size})"
            ax.ecdf(
                finite, color=colors[variant], label=label_n, **_line_style(variant, known=variants)
            )
        else:
            ax.plot([], [], color=colors[variant], label=f"{variant} (no values)")
    if target is not None:
        ax.axvline(target, color=PALETTE["reference"], ls="--", lw=1.2, label="target")
    ax.set_ylim(0, 1.03)
    ax.legend(loc="lower right")
    return fig


@_styled
def cash_fan(
    cash: pd.DataFrame,
    *,
    variants: Sequence[str] | None = None,
    min_cash: float | None = None,
    currency: str,
) -> Figure:
    """Cash balance by day: median and P5–P95 band per variant, to see how low cash can go."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.patches import Patch

    known = _variants(cash)
    colors = variant_colors(known)
    chosen = known if variants is None else [str(v) for v in variants]
    unknown = [v for v in chosen if v not in colors]
    if unknown:
        raise KeyError(f"no variant {unknown[0]!r} in the cash frame (known: {', '.join(known)})")
    fig, ax = _figure(7.5, 4.2)
    ax.set_title("Cash balance over the horizon")
    ax.set_ylabel(f"cash balance ({currency})")
    _money_axis(ax.yaxis)
    x_col = "date" if "date" in cash.columns else "day"
    ax.set_xlabel("date" if x_col == "date" else "day (from the start)")
    if not chosen or "balance" not in cash.columns:
        _no_data(ax, "no cash ledger in this run")
        return fig
    for variant in chosen:
        rows = cash[cash["variant"] == variant]
        wide = rows.pivot_table(index="replication", columns=x_col, values="balance", dropna=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a day with no value at all
            lo, mid, hi = np.nanquantile(wide.to_numpy(float), [0.05, 0.5, 0.95], axis=0)
        x = wide.columns.to_numpy()
        ax.fill_between(x, lo, hi, color=colors[variant], alpha=0.18, lw=0)
        style = _line_style(variant, known=known)
        ax.plot(x, mid, color=colors[variant], label=f"{variant} (median)", **style)
    if min_cash is not None:
        ax.axhline(
            min_cash,
            color=PALETTE["reference"],
            ls="--",
            lw=1.2,
            label=f"minimum cash ({_money(min_cash)})",
        )
    if x_col == "date":
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    handles, _ = ax.get_legend_handles_labels()
    band = Patch(color=PALETTE["baseline"], alpha=0.25, label="P5–P95 across replications")
    ax.legend(handles=[*handles, band], loc="upper left")
    return fig


@_styled
def convergence(
    replications: pd.DataFrame,
    column: str = "npv",
    *,
    variant: str | Sequence[str] | None = None,
    currency: str | None = None,
) -> Figure:
    """Running mean and 95% t-interval against replications: were there enough replications?"""
    from matplotlib.ticker import MaxNLocator
    from scipy import stats

    known = _variants(replications)
    colors = variant_colors(known)
    if variant is None:
        chosen = [
            v
            for v in known
            if column in replications.columns
            and np.isfinite(_values(replications, v, column)).any()
        ]
    else:
        chosen = [variant] if isinstance(variant, str) else list(variant)
    unit = _unit(column, currency)
    fig, ax = _figure(7.0, 4.2)
    ax.set_title(f"Convergence of the mean {_pretty(column)}")
    ax.set_xlabel("replications (count, in replication order)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(_with_unit(f"running mean of {_pretty(column)}", unit))
    if unit == (currency or "money"):
        _money_axis(ax.yaxis)
    if not chosen:
        _no_data(ax, f"no finite values of {column}")
        return fig
    for v in chosen:
        values = _values(replications, v, column)
        finite = pd.Series(values[np.isfinite(values)])
        n = np.arange(1, finite.size + 1)
        mean = finite.expanding().mean().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            half = stats.t.ppf(0.975, n - 1) * finite.expanding().std().to_numpy() / np.sqrt(n)
        final = f"{_number(mean[-1])} ± {_number(half[-1])}" if finite.size > 1 else "one value"
        color = colors.get(v, PALETTE["automations"][0])
        ax.fill_between(n, mean - half, mean + half, color=color, alpha=0.18, lw=0)
        ax.plot(
            n,
            mean,
            color=color,
            lw=1.8,
            marker="o" if n.size < 3 else None,
            label=f"{v}: {final} (n={finite.size})",
        )
    ax.legend(title="mean ± 95% t-interval half-width", loc="best")
    return fig


@_styled
def goal_heatmap(matrix: pd.DataFrame) -> Figure:
    """Change in P(goal met) per automation and goal: which automation moves which goal."""
    import matplotlib

    n_rows, n_cols = matrix.shape
    fig, ax = _figure(2.6 + 1.25 * max(n_cols, 1), 1.6 + 0.5 * max(n_rows, 1))
    ax.set_title("Change in the probability of meeting each goal")
    ax.set_xlabel("goal")
    ax.set_ylabel("automation")
    ax.grid(False)
    if matrix.empty:
        _no_data(ax, "no goals or no automations")
        return fig
    values = matrix.to_numpy(float)
    cmap = matplotlib.colormaps["RdBu"].with_extremes(bad="#eeeeee")
    image = ax.imshow(values, cmap=cmap, vmin=-1, vmax=1, aspect="auto")
    labels = [textwrap.fill(str(c), 16) for c in matrix.columns]
    ax.set_xticks(range(n_cols), labels=labels)
    ax.set_yticks(range(n_rows), labels=[str(i) for i in matrix.index])
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


@_styled
def alignment_map(points: pd.DataFrame, *, currency: str) -> Figure:
    """Strategic impact against expected NPV: aligned and profitable automations sit top right."""
    fig, ax = _figure(7.0, 5.2)
    ax.set_title("Strategic alignment against money")
    ax.set_xlabel("strategic impact (score: weighted change in P(goal met))")
    ax.set_ylabel(f"expected NPV ({currency})")
    _money_axis(ax.yaxis)
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
        _no_data(ax, "no automations")
        return fig
    x = points["impact"].astype(float)
    y = points["npv"].astype(float)
    xerr = _error(points, "impact_lo", "impact_hi", x)
    yerr = _error(points, "npv_lo", "npv_hi", y)
    autos = PALETTE["automations"]
    for i, name in enumerate(points["automation"].astype(str)):
        if not (math.isfinite(x.iloc[i]) and math.isfinite(y.iloc[i])):
            continue
        ax.errorbar(
            x.iloc[i],
            y.iloc[i],
            fmt="o",
            ms=7,
            capsize=3,
            color=autos[i % len(autos)],
            xerr=None if xerr is None else xerr[:, i : i + 1],
            yerr=None if yerr is None else yerr[:, i : i + 1],
        )
        ax.annotate(name, (x.iloc[i], y.iloc[i]), xytext=(6, 6), textcoords="offset points")
    x_lim = _symmetric_limit(x, *([points[["impact_lo", "impact_hi"]]] if xerr is not None else []))
    y_lim = _symmetric_limit(y, *([points[["npv_lo", "npv_hi"]]] if yerr is not None else []))
    ax.set_xlim(-x_lim, x_lim)
    ax.set_ylim(-y_lim, y_lim)
    return fig


@_styled
def tornado(sensitivity: pd.DataFrame, *, output: str = "ROI") -> Figure:
    """Inputs ranked by how much they move the output: where better estimates pay off most."""
    swing = {"swing_lo", "swing_hi"} <= set(sensitivity.columns)
    frame = sensitivity.copy()
    if swing:
        frame["_size"] = (frame["swing_hi"] - frame["swing_lo"]).abs()
    else:
        frame["_size"] = frame["rank_correlation"].abs()
    frame = frame.sort_values("_size", ascending=True, na_position="first", kind="stable")
    fig, ax = _figure(7.0, 1.5 + 0.42 * max(len(frame), 1))
    ax.set_title(f"What drives {output}: sensitivity to each uncertain input")
    ax.grid(False, axis="y")
    ax.axvline(0, color=PALETTE["reference"], lw=1)
    if frame.empty:
        _no_data(ax, "no uncertain inputs")
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


def _currency(results_like: Any) -> str:
    scenario = getattr(results_like, "scenario", None)
    if getattr(scenario, "currency", None):
        return str(scenario.currency)
    return str(results_like.summary().get("currency") or "USD")


def _has_automations(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and len(_variants(frame)) > 1


def tornado_name(variant: str, output: str) -> str:
    """File name of the tornado of a chosen output: ``tornado_<variant>__<output>.png``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in output).strip("_")
    return f"tornado_{variant}__{safe}.png"


def standard_figures(results_like: Any) -> dict[str, Callable[[], Figure]]:
    """The standard figures this run can have, by file name, drawn only when called."""
    reps, cash = results_like.replications, results_like.cash
    currency = _currency(results_like)
    out: dict[str, Callable[[], Figure]] = {}
    if _has_automations(reps, "roi"):
        out["roi.png"] = lambda: roi_distribution(reps, currency=currency)
    if _has_automations(reps, "npv"):
        out["npv.png"] = lambda: npv_distribution(reps, currency=currency)
    urgent = _most_urgent_job_type(results_like)
    column = f"response_time_p90_min[job_type={urgent.id}]" if urgent else ""
    if column in reps.columns:
        out["response_time_p90.png"] = lambda: kpi_distribution(
            reps,
            column,
            target=urgent.response_target,
            label=f"P90 response time of {urgent.id} jobs",
        )
    elif "response_time_p90_min" in reps.columns:
        out["response_time_p90.png"] = lambda: kpi_distribution(reps, "response_time_p90_min")
    if not cash.empty and "balance" in cash.columns:
        out["cash_fan.png"] = lambda: cash_fan(cash, currency=currency)
    if _has_automations(reps, "npv"):
        out["convergence_npv.png"] = lambda: convergence(reps, "npv", currency=currency)
    summary = results_like.summary()
    for v in summary.get("variants", []):
        for output, drivers in (v.get("sensitivity") or {}).items():
            if not drivers:
                continue
            frame = pd.DataFrame(drivers)
            name = f"tornado_{v['id']}.png" if output == "roi" else tornado_name(v["id"], output)
            label = f"{'ROI' if output == 'roi' else output} of {v['id']}"
            out[name] = lambda frame=frame, label=label: tornado(frame, output=label)
    judged = [v for v in summary.get("variants", []) if v.get("automations") and "verdict" in v]
    if "strategy" in summary and judged:
        matrix, points = _strategy_frames(judged)
        out["goal_heatmap.png"] = lambda: goal_heatmap(matrix)
        out["alignment_map.png"] = lambda: alignment_map(points, currency=currency)
    return out


def _strategy_frames(judged: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The alignment matrix and the impact-vs-NPV points, from a summary's variants."""
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


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (for embedding in a report)."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def write_atomic(path: Path, payload: bytes) -> Path:
    """Write bytes to a temporary file in the same folder, then rename: never a half file."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as handle:  # default permissions (umask), unlike mkstemp's 0600
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def save_all(results_like: Any, out_dir: str | os.PathLike[str], *, dpi: int = DPI) -> list[Path]:
    """Write every standard figure the run has as PNG into ``out_dir``; return the paths."""
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    return [
        write_atomic(target / name, png_bytes(draw(), dpi=dpi))
        for name, draw in standard_figures(results_like).items()
    ]


class PlotAccessor:
    """``results.plot.roi()`` and friends: the standard figures of one run, for notebooks."""

    def __init__(self, results: Any) -> None:
        self._results = results

    def roi(self) -> Figure:
        """ROI distribution per automation."""
        return roi_distribution(self._results.replications, currency=_currency(self._results))

    def npv(self) -> Figure:
        """NPV distribution per automation."""
        return npv_distribution(self._results.replications, currency=_currency(self._results))

    def kpi(self, name: str, target: float | None = None, label: str | None = None) -> Figure:
        """Empirical CDF of one KPI column per variant."""
        return kpi_distribution(
            self._results.replications,
            name,
            target=target,
            label=label,
            currency=_currency(self._results),
        )

    def cash(self, variants: Sequence[str] | None = None, min_cash: float | None = None) -> Figure:
        """Cash balance fan per variant."""
        return cash_fan(
            self._results.cash,
            variants=variants,
            min_cash=min_cash,
            currency=_currency(self._results),
        )

    def convergence(self, column: str = "npv", variant: str | None = None) -> Figure:
        """Running mean of a column with its 95% interval."""
        return convergence(
            self._results.replications, column, variant=variant, currency=_currency(self._results)
        )


def _most_urgent_job_type(results_like: Any) -> Any:
    """The job type with a response target that comes first in the queue (None if unknown)."""
    scenario = getattr(results_like, "scenario", None)
    if scenario is None:
        return None
    with_target = [j for j in scenario.dispatch.job_types if j.response_target is not None]
    return min(with_target, key=lambda j: j.priority, default=None)
