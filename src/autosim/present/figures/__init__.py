"""Figures of a run: ROI and NPV distributions, KPI curves, cash fans, convergence, strategy maps.

This package is the company's chart wall: the same few charts, drawn the same way every time, so
an owner learns to read them once. Each function takes the tidy frames of a run
(``replications``, ``cash``) or a small frame built by the analysis, and returns a
:class:`matplotlib.figure.Figure`. Nothing here opens a window or touches pyplot's global state,
and matplotlib is imported inside the functions only, so the simulation engine (and a worker
running a sweep) never loads it.

The figures live in submodules by subject (:mod:`.finance`, :mod:`.operations`, :mod:`.strategy`)
and the per-run selection in :mod:`.standard`; the house style is :mod:`autosim.present.style`.
This module gathers their public names: ``from autosim.present.figures import npv_distribution``.
"""

from autosim.present.figures.finance import npv_distribution, roi_distribution, tornado
from autosim.present.figures.operations import cash_fan, convergence, kpi_distribution
from autosim.present.figures.standard import (
    PlotAccessor,
    currency_of,
    save_all,
    standard_figures,
    tornado_name,
)
from autosim.present.figures.strategy import alignment_map, goal_heatmap, strategy_frames
from autosim.present.labels import BASELINE
from autosim.present.style import (
    DPI,
    PALETTE,
    new_figure,
    png_bytes,
    styled,
    variant_colors,
)

__all__ = [
    "BASELINE",
    "DPI",
    "PALETTE",
    "PlotAccessor",
    "alignment_map",
    "cash_fan",
    "convergence",
    "currency_of",
    "goal_heatmap",
    "kpi_distribution",
    "new_figure",
    "npv_distribution",
    "png_bytes",
    "roi_distribution",
    "save_all",
    "standard_figures",
    "strategy_frames",
    "styled",
    "tornado",
    "tornado_name",
    "variant_colors",
]
