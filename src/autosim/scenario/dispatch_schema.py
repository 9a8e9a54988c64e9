"""The ``dispatch`` section of a scenario: the field-service operation itself.

Who calls and how often (job types), how a call becomes a job (intake), who drives out and when
(technicians), how a technician is chosen (policy) and how far they drive (area, travel). This is
the part of the file every scenario has; the sections around it (invoicing, customers, inventory)
are optional and refer back to its segments and job types.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from autosim.dists import Constant, Exponential
from autosim.scenario.calendar_schema import WeeklyHours, weekly_hours
from autosim.scenario.fields import (
    DistField,
    Money,
    NonNegative,
    Positive,
    Probability,
    Scalar,
)
from autosim.scenario.inventory_schema import PartNeed
from autosim.scenario.schema_base import Frozen, check_id, require_unique_ids
from autosim.units import parse_duration

__all__ = ["Area", "Dispatch", "Intake", "JobType", "Technicians", "Travel"]


class Area(Frozen):
    """The service area: a rectangle, technicians' base at its centre unless given."""

    width_km: Positive = 20.0
    height_km: Positive = 20.0


class Travel(Frozen):
    """Driving to a job: distance / speed plus a random overhead (parking, access, traffic)."""

    speed_kmh: Positive = 30.0
    metric: Literal["manhattan", "euclidean"] = "manhattan"
    overhead: DistField("duration") = Constant(0.0)


class Intake(Frozen):
    """How a customer's call becomes a job a technician can take."""

    mode: Literal["dispatcher", "automated"] = "dispatcher"
    dispatchers: int = Field(1, ge=0, le=1000)
    handling_time: DistField("duration") = Exponential(5.0)
    after_hours: Literal["callback", "on_call"] = "callback"
    wage_per_hour: Money = 0.0

    @model_validator(mode="after")
    def _staffed(self) -> Intake:
        if self.mode == "dispatcher" and self.dispatchers < 1:
            raise ValueError("a 'dispatcher' intake needs dispatchers >= 1 (or mode: automated)")
        return self


class Technicians(Frozen):
    """The field team: how many, where they start, when they work, what they cost."""

    count: int = Field(ge=1, le=10_000)
    base_km: tuple[float, float] | None = None
    shift: WeeklyHours | None = None
    wage_per_hour: Money = 0.0
    overtime_multiplier: Scalar(1.0) = 1.5
    on_call: int = Field(0, ge=0)

    @field_validator("shift", mode="before")
    @classmethod
    def _shift(cls, value: object) -> object:
        return None if value is None else weekly_hours(value)

    @model_validator(mode="after")
    def _on_call_fits(self) -> Technicians:
        if self.on_call > self.count:
            raise ValueError(f"on_call ({self.on_call}) cannot exceed count ({self.count})")
        return self


class JobType(Frozen):
    """One kind of job: who calls, how often, how long it takes, what it pays."""

    id: str
    segment: str = "default"
    rate_per_day: NonNegative
    growth_per_year: Scalar(-1.0, lo_open=True) = 0.0
    hourly_profile: tuple[float, ...] | None = None
    weekday_profile: tuple[float, ...] | None = None
    priority: int = 1
    service_time: DistField("duration")
    revenue: DistField() = Constant(0.0)
    patience: DistField("duration") | None = None
    response_target: float | None = None
    after_hours_service: bool = False
    parts: tuple[PartNeed, ...] = ()

    @field_validator("id", "segment")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return check_id(value)

    @field_validator("response_target", mode="before")
    @classmethod
    def _target(cls, value: object) -> object:
        return None if value is None else parse_duration(value)

    @field_validator("hourly_profile", "weekday_profile")
    @classmethod
    def _profile(cls, value: tuple[float, ...] | None, info: Any) -> tuple[float, ...] | None:
        if value is None:
            return None
        size = 24 if info.field_name == "hourly_profile" else 7
        if len(value) != size:
            raise ValueError(f"needs {size} weights (one per {'hour' if size == 24 else 'day'})")
        if any(w < 0 for w in value) or sum(value) <= 0:
            raise ValueError("weights must be >= 0 and not all zero")
        return value


class Dispatch(Frozen):
    """The field-service operation: intake, assignment policy, technicians and job types."""

    area: Area = Area()
    policy: Literal["first_available", "nearest_idle", "manual"] = "first_available"
    manual_nearest_prob: Probability = 0.5
    service_time_factor: Positive = 1.0
    rate_factor: NonNegative = 1.0
    intake: Intake = Intake()
    travel: Travel = Travel()
    technicians: Technicians
    job_types: tuple[JobType, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Dispatch:
        require_unique_ids(self.job_types, "job type")
        return self

    @property
    def segments(self) -> tuple[str, ...]:
        """Segments in order of first appearance."""
        return tuple(dict.fromkeys(j.segment for j in self.job_types))
