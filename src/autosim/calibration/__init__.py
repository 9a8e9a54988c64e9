"""Calibration: turn a business's own records into scenario parameters, and check the result.

Read job logs, invoice registers and stock ledgers (:func:`read_records`), fit what they
determine (:func:`fit_records`: arrival rates and profiles, service-time and revenue
distributions, payment behaviour, lead times), write it as scenario YAML (:func:`snippet_of`,
:func:`update_scenario`), and back-test a scenario against the recorded history
(:func:`backtest`).
"""

from autosim.calibration.backtest import BacktestResult, backtest
from autosim.calibration.backtest_files import write_backtest
from autosim.calibration.fit import fit_records, fit_table, write_qq_plots
from autosim.calibration.fitting import FitResult, fit_distribution
from autosim.calibration.kpis import record_kpis
from autosim.calibration.records import read_records
from autosim.calibration.simrecords import simulate_records
from autosim.calibration.snippet import snippet_of, to_yaml, update_scenario
from autosim.calibration.table import RecordError, RecordTable

__all__ = [
    "BacktestResult",
    "FitResult",
    "RecordError",
    "RecordTable",
    "backtest",
    "fit_distribution",
    "fit_records",
    "fit_table",
    "read_records",
    "record_kpis",
    "simulate_records",
    "snippet_of",
    "to_yaml",
    "update_scenario",
    "write_backtest",
    "write_qq_plots",
]
