"""autosim: which automation should a small business buy, given what it is trying to achieve?

Simulate the business as it is and with each candidate automation, many times over what is not
known for sure, and compare cash, speed and goals with the uncertainty shown.

>>> import autosim
>>> sorted(autosim.__all__)[:3]
['AutosimError', 'Results', 'Scenario']
"""

from importlib import metadata

from autosim.errors import AutosimError, RunError, ScenarioError
from autosim.experiment.runner import Variant, run_experiment
from autosim.kpis import CATALOGUE
from autosim.output import write_outputs
from autosim.results import Results
from autosim.scenario import Scenario, load_scenario, scenario_from_dict, scenario_from_text

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
    "load_scenario",
    "run_experiment",
    "scenario_from_dict",
    "scenario_from_text",
    "write_outputs",
]
