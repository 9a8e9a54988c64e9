"""The back-test on disk: its table, its summary and its chart, each written atomically.

:func:`autosim.calibration.backtest.backtest` only computes; this module owns what ``autosim
backtest --out`` leaves behind — ``backtest.csv`` (one row per KPI), ``backtest.json`` (the
summary of :meth:`~autosim.calibration.backtest.BacktestResult.to_dict`) and ``backtest.png``
(:func:`~autosim.calibration.plots.backtest_figure`). Drawing is called from here, where the
files are written, so the computation never depends on the figures.
"""

from __future__ import annotations

import json
from pathlib import Path

from autosim.atomic import write_atomic
from autosim.calibration.backtest import BacktestResult

__all__ = ["write_backtest"]


def write_backtest(result: BacktestResult, out_dir: str | Path) -> list[Path]:
    """backtest.csv, backtest.json and backtest.png in ``out_dir`` (each written atomically)."""
    from autosim.calibration.plots import backtest_figure, save_figure
    from autosim.io.output import json_safe, prepare_out_dir

    folder = prepare_out_dir(out_dir)
    written = [
        write_atomic(folder / "backtest.csv", result.table.to_csv(index=False)),
        write_atomic(
            folder / "backtest.json",
            json.dumps(json_safe(result.to_dict()), indent=2, allow_nan=False) + "\n",
        ),
    ]
    written.append(save_figure(backtest_figure(result), folder / "backtest.png"))
    return written
