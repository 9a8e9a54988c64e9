"""The house style of every autosim figure: palette, matplotlib settings, axes, PNG bytes.

One owner learns to read the charts once, so they must look the same every time: the baseline in
grey, automations in a colour-blind-safe palette (Okabe-Ito) in the order the variants appear, so
one automation keeps its colour across figures; money ticks short (``250k``); the baseline
dashed and on top. Drawing happens inside :func:`styled`, which applies the settings to one call
only and leaves the caller's matplotlib state untouched. matplotlib is imported inside the
functions only, so the simulation engine (and a worker running a sweep) never loads it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from io import BytesIO
from typing import TYPE_CHECKING, Any, ParamSpec

from autosim.present.labels import baseline_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "PALETTE",
    "line_style",
    "money",
    "money_axis",
    "new_figure",
    "no_data",
    "png_bytes",
    "styled",
    "variant_colors",
]

#: Baseline grey, automations in Okabe-Ito order (yellow last: hard to see on white).
PALETTE: dict[str, Any] = {
    "baseline": "#7f7f7f",
    "automations": ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"),
    "reference": "#333333",  # zero, target and minimum-cash lines
    "muted": "#8a8a8a",  # notes and quadrant names
}
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
_P = ParamSpec("_P")


def styled(func: Callable[_P, Figure]) -> Callable[_P, Figure]:
    """Draw inside the house style without changing the caller's matplotlib settings."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Figure:
        import matplotlib

        with matplotlib.rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


def new_figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Axes]:
    """A figure with one axes, laid out by matplotlib (no pyplot, no global state).

    It shows itself as a picture when a notebook displays it (``_repr_png_``): a bare Figure
    made without pyplot is shown as text by Jupyter unless an inline backend happens to be on.
    """
    fig = _shown_figure_class()(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


@functools.cache
def _shown_figure_class() -> type[Figure]:
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        """A matplotlib Figure that Jupyter displays as a PNG."""

        def _repr_png_(self) -> bytes:
            return png_bytes(self)

    return ShownFigure


def no_data(ax: Axes, message: str) -> None:
    """Say in the middle of empty axes why there is nothing to draw."""
    ax.text(
        0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=PALETTE["muted"]
    )


def variant_colors(variants: Sequence[str]) -> dict[str, str]:
    """Colour of each variant: baseline grey, automations from the palette in the given order."""
    base, autos = baseline_of(variants), PALETTE["automations"]
    out: dict[str, str] = {}
    for v in variants:
        n_autos = sum(1 for name in out if name != base)
        out[v] = PALETTE["baseline"] if v == base else autos[n_autos % len(autos)]
    return out


def line_style(variant: str, *, known: Sequence[str]) -> dict[str, Any]:
    """The baseline is dashed and drawn on top, so automations never hide it."""
    if variant == baseline_of(known):
        return {"lw": 1.6, "ls": (0, (4, 2)), "zorder": 4}
    return {"lw": 1.8}


def money(x: float, _pos: object = None) -> str:
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


def money_axis(axis: Any) -> None:
    """Format an axis's ticks as short money."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(money))


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (for a file or for embedding in a report)."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
