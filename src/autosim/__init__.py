"""autosim: which automation should a small business buy, given what it is trying to achieve?

Simulate the business as it is and with each candidate automation, many times over what is not
known for sure, and compare cash, speed and goals with the uncertainty shown.

>>> import autosim
>>> sorted(autosim.__all__)[:3]
['AutosimError', 'Results', 'Scenario']
"""

from importlib import metadata
from typing import Any

from autosim.decide.risk import cvar, risk_measures
from autosim.decide.roadmap import breach_summary, suggested_order
from autosim.errors import AutosimError, RunError, ScenarioError
from autosim.experiment.inputs import sample_inputs
from autosim.experiment.variants import Variant
from autosim.io.output import write_outputs
from autosim.kpis import CATALOGUE
from autosim.scenario import Scenario, load_scenario, scenario_from_dict, scenario_from_text
from autosim.study import Results, run_experiment, run_to_folder

#: Loaded on first use (PEP 562): calibration and the design studies pull in SALib, ruamel.yaml
#: and more of scipy, which a plain run (and every worker process) does not need.
_LAZY = {
    "backtest": "autosim.calibration",
    "fit_records": "autosim.calibration",
    "read_records": "autosim.calibration",
    "sobol_analysis": "autosim.experiment.designs.sobol",
    "sobol_indices": "autosim.experiment.designs.sobol",
    "evppi": "autosim.decide.value",
    "value_of_information": "autosim.decide.value",
    "split_variance": "autosim.experiment.designs.variance",
    "variance_attribution": "autosim.experiment.designs.variance",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'autosim' has no attribute {name!r}")


try:
    __version__ = metadata.version("autosim")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CATALOGUE",
    "AutosimError",
    "Results",
    "RunError",
    "Scenario",
    "ScenarioError",
    "Variant",
    "__version__",
    "backtest",
    "breach_summary",
    "cvar",
    "evppi",
    "fit_records",
    "load_scenario",
    "read_records",
    "risk_measures",
    "run_experiment",
    "run_to_folder",
    "sample_inputs",
    "scenario_from_dict",
    "scenario_from_text",
    "sobol_analysis",
    "sobol_indices",
    "split_variance",
    "suggested_order",
    "value_of_information",
    "variance_attribution",
    "write_outputs",
]
