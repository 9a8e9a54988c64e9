"""Shared fixtures: the repository's scenarios and a tiny, fast scenario."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
FLAGSHIP = SCENARIOS / "plumbing_residential_emergency.yaml"

TINY: dict[str, Any] = {
    "name": "tiny",
    "horizon": "28 day",
    "calendar": {"hours": {"weekdays": "08:00-17:00"}},
    "dispatch": {
        "area": {"width_km": 10, "height_km": 10},
        "policy": "manual",
        "intake": {"dispatchers": 1, "handling_time": "5 min", "wage_per_hour": 20},
        "technicians": {"count": 2, "wage_per_hour": 30, "on_call": 1},
        "travel": {"speed_kmh": 30},
        "job_types": [
            {
                "id": "emergency",
                "segment": "home",
                "rate_per_day": 3,
                "priority": 0,
                "service_time": {"dist": "exponential", "mean": "60 min"},
                "revenue": {"dist": "lognormal", "mean": 300, "sd": 100},
                "patience": {"dist": "exponential", "mean": "90 min"},
                "response_target": "60 min",
                "after_hours_service": True,
            },
            {
                "id": "routine",
                "segment": "home",
                "rate_per_day": 4,
                "service_time": {"dist": "gamma", "mean": "90 min", "sd": "30 min"},
                "revenue": 200,
            },
        ],
    },
    "finance": {"opening_balance": 10000, "fixed_monthly_costs": 5000},
    "automations": [
        {
            "id": "auto",
            "costs": {"upfront": 1000, "monthly": 100, "per_transaction": 0.5},
            "adoption": {"level": {"uncertain": {"dist": "uniform", "low": 0.5, "high": 1}}},
            "effects": {
                "dispatch.intake.mode": "automated",
                "dispatch.intake.handling_time": "1 min",
                "dispatch.policy": "nearest_idle",
            },
        }
    ],
}


@pytest.fixture
def tiny_dict() -> dict[str, Any]:
    """A fresh, mutable copy of a tiny valid scenario (two job types, one automation)."""
    return copy.deepcopy(TINY)


@pytest.fixture
def tiny(tiny_dict: dict[str, Any]):
    """The tiny scenario, validated."""
    from autosim import scenario_from_dict

    return scenario_from_dict(tiny_dict)
