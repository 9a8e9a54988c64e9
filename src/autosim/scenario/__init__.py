"""Scenario files: schema, loading with located errors, uncertain inputs and effects."""

from autosim.scenario.load import load_scenario, scenario_from_dict, scenario_from_text
from autosim.scenario.schema import Automation, Scenario

__all__ = ["Automation", "Scenario", "load_scenario", "scenario_from_dict", "scenario_from_text"]
