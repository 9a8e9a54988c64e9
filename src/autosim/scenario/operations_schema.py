"""The ``operations`` section of a scenario: any business as work flowing through pools.

Think of the whiteboard in the back office of a café, a repair counter or a help desk: on one
side the **resources** — named pools of people or equipment ("2 baristas, 06:30–17:30, $16 an
hour"), on the other the **flows** — streams of work items (customers, orders, tickets) that
arrive (a Poisson rate with hour, weekday and month profiles and growth, or a fixed schedule) and
walk through **steps** drawn as boxes and arrows:

* ``serve``: wait for a unit of a pool (by ``priority``, then first come), then take ``time``;
  an arrival who finds ``queue_limit`` items already waiting at that pool balks, and one who
  waits longer than their ``patience`` reneges (unless the step says ``renege: false``);
* ``delay``: time passes, no resource is needed (walking to the pickup point, cooling);
* ``branch``: go to one of several LATER steps with probabilities summing to 1;
* ``rework``: go back to an earlier step (or repeat this one) with probability ``p`` < 1;
* ``leave``: done here, optionally with its own ``revenue`` instead of the flow's.

Steps run in the order written; after a step the item goes to the next one, and after the last
one it leaves, completed. A pool serves every step that names it. This module owns the shapes and
the checks of single entries; :mod:`autosim.scenario.operations_checks` checks the names between
them (a step naming an unknown pool or step, a schedule outside the horizon), and
:mod:`autosim.scenario.operations_effects` what automations may change here.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator, model_validator

from autosim.dists import Constant
from autosim.scenario.calendar_schema import WEEKDAYS, WeeklyHours, weekly_hours
from autosim.scenario.fields import DistField, Money, Scalar, Uncertain
from autosim.scenario.schema_base import Frozen, check_id, require_unique_ids
from autosim.units import parse_clock, parse_duration

__all__ = [
    "MAX_RATE_PER_DAY",
    "Arrivals",
    "Branch",
    "Flow",
    "Leave",
    "Operations",
    "Resource",
    "Rework",
    "ReworkP",
    "ScheduleEntry",
    "Serve",
    "Step",
    "branch_list",
]

#: Items per day a flow may bring: far beyond any small business, and a guard against typos.
MAX_RATE_PER_DAY = 50_000.0
_DAY_GROUPS = {"daily": WEEKDAYS, "weekdays": WEEKDAYS[:5], "weekend": WEEKDAYS[5:]}
_KINDS = ("serve", "delay", "branch", "rework", "leave")


class Resource(Frozen):
    """A pool of identical people or machines: how many, when they work, what they cost."""

    id: str
    description: str = ""
    count: int = Field(ge=0, le=10_000)
    shift: WeeklyHours | None = None  # None: the business's opening hours (calendar.hours)
    wage_per_hour: Money = 0.0
    overtime_multiplier: Scalar(1.0) = 1.5

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return check_id(value)

    @field_validator("shift", mode="before")
    @classmethod
    def _shift(cls, value: object) -> object:
        return None if value is None else weekly_hours(value)


def _days(value: object) -> tuple[bool, ...]:
    """``daily``, ``weekdays``, ``weekend``, a day name or a list of them -> seven flags."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not names:
        raise ValueError("days is 'daily', 'weekdays', 'weekend', a day or a list of days")
    chosen: set[str] = set()
    for name in names:
        key = str(name).strip().lower()
        if key in _DAY_GROUPS:
            chosen.update(_DAY_GROUPS[key])
        elif key in WEEKDAYS:
            chosen.add(key)
        else:
            allowed = ", ".join((*_DAY_GROUPS, *WEEKDAYS))
            raise ValueError(f"unknown day {name!r}; allowed: {allowed}")
    return tuple(d in chosen for d in WEEKDAYS)


class ScheduleEntry(Frozen):
    """A planned batch: ``quantity`` items at ``at`` o'clock on ``days``, within [start, end)."""

    at: float
    quantity: int = Field(ge=0, le=100_000)
    days: tuple[bool, ...] = (True,) * 7
    start: float = 0.0  # minutes from day 0 (written as a duration: '30 day')
    end: float | None = None  # None: to the horizon

    @field_validator("at", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        if not isinstance(value, str):
            raise ValueError(f"'at' is a clock time in quotes such as '07:00' (got {value!r})")
        minutes = parse_clock(value)
        if minutes >= 1440:
            raise ValueError(f"'at' must be before 24:00 (got {value!r})")
        return minutes

    @field_validator("days", mode="before")
    @classmethod
    def _which_days(cls, value: object) -> object:
        return _days(value)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return None if value is None else parse_duration(value)

    @model_validator(mode="after")
    def _ordered(self) -> ScheduleEntry:
        if self.end is not None and self.end <= self.start:
            raise ValueError("a schedule entry's end must come after its start")
        return self


def _profile(size: int, what: str):
    def check(value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is None:
            return None
        if len(value) != size:
            raise ValueError(f"needs {size} weights (one per {what})")
        if any(not math.isfinite(w) or w < 0 for w in value) or sum(value) <= 0:
            raise ValueError("weights must be >= 0 and not all zero")
        return value

    return AfterValidator(check)


class Arrivals(Frozen):
    """How items arrive: a Poisson ``rate_per_day`` with profiles, or a ``schedule``.

    The day's expected arrivals are rate x weekday weight (relative to the mean weight) x month
    weight (relative to the mean) x growth; with ``only_when_open`` (the default) they are
    spread over the day's opening hours (``calendar.hours``) in proportion to the hourly profile,
    and a closed day has none. Without it they arrive around the clock, as field-service calls do.
    """

    rate_per_day: Scalar(0.0, MAX_RATE_PER_DAY) | None = None
    growth_per_year: Scalar(-1.0, lo_open=True) = 0.0
    hourly_profile: Annotated[tuple[float, ...] | None, _profile(24, "hour")] = None
    weekday_profile: Annotated[tuple[float, ...] | None, _profile(7, "day, Monday first")] = None
    monthly_profile: Annotated[tuple[float, ...] | None, _profile(12, "month, January first")] = (
        None
    )
    only_when_open: bool = True
    schedule: tuple[ScheduleEntry, ...] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Arrivals:
        if (self.rate_per_day is None) == (self.schedule is None):
            raise ValueError("give either rate_per_day (Poisson arrivals) or a schedule")
        if self.schedule is not None:
            shaped = [
                name
                for name in ("hourly_profile", "weekday_profile", "monthly_profile")
                if getattr(self, name) is not None
            ]
            if shaped or self.growth_per_year != 0.0:
                extra = ", ".join(shaped + (["growth_per_year"] if self.growth_per_year else []))
                raise ValueError(f"{extra} shape Poisson arrivals; a schedule gives exact times")
        return self


class Serve(Frozen):
    """Wait for a unit of ``pool``, then take ``time``."""

    pool: str
    time: DistField("duration")
    priority: int | None = None  # lower first; None: the flow's priority
    queue_limit: int | None = Field(None, ge=0, le=1_000_000)  # None: no limit
    renege: bool = True  # False: nobody gives up while waiting here (they have paid)


class Branch(Frozen):
    """One way out of a branch step: go to step ``to`` with probability ``p``."""

    to: str
    p: float = Field(ge=0.0, le=1.0)


def _sums_to_one(value: tuple[Branch, ...]) -> tuple[Branch, ...]:
    if len(value) < 2:
        raise ValueError("a branch needs at least two ways out (one is just the next step)")
    total = sum(b.p for b in value)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"branch probabilities must sum to 1 (they sum to {total:g})")
    targets = [b.to for b in value]
    if len(set(targets)) != len(targets):
        raise ValueError("a branch names the same step twice; add the probabilities up")
    return value


#: A branch's ways out, checked to sum to 1 (also for a branch set by an automation).
branch_list = Annotated[tuple[Branch, ...], AfterValidator(_sums_to_one)]


def _below_one(value: float | Uncertain) -> float | Uncertain:
    high = value.dist.support[1] if isinstance(value, Uncertain) else value
    if high >= 1.0:
        raise ValueError(
            "a rework loop with probability 1 never ends: p must be below 1"
            + (f" (the uncertain p reaches {high:g})" if isinstance(value, Uncertain) else "")
        )
    return value


#: A rework probability: in [0, 1), possibly uncertain.
ReworkP = Annotated[Scalar(0.0, 1.0), AfterValidator(_below_one)]


class Rework(Frozen):
    """Go back to step ``to`` (this one or an earlier one) with probability ``p``."""

    to: str
    p: ReworkP


class Leave(Frozen):
    """The item is done here; ``revenue`` (if given) replaces the flow's revenue."""

    revenue: DistField() | None = None


class Step(Frozen):
    """One box of the flow chart: an id and exactly one of the five kinds."""

    id: str
    serve: Serve | None = None
    delay: DistField("duration") | None = None
    branch: branch_list | None = None
    rework: Rework | None = None
    leave: Leave | None = None

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return check_id(value)

    @field_validator("leave", mode="before")
    @classmethod
    def _bare_leave(cls, value: object) -> object:
        return {} if value is True else value  # `leave: true` reads naturally too

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        kinds = [k for k in _KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = f" (found {', '.join(kinds)})" if kinds else ""
            raise ValueError(f"a step is exactly one of {', '.join(_KINDS)}{found}")
        return self

    @property
    def kind(self) -> str:
        """Which of serve, delay, branch, rework or leave this step is."""
        return next(k for k in _KINDS if getattr(self, k) is not None)


class Flow(Frozen):
    """A stream of work items: who they are, how they arrive, what they pay, their steps."""

    id: str
    description: str = ""
    segment: str
    arrivals: Arrivals
    revenue: DistField() = Constant(0.0)
    patience: DistField("duration") | None = None  # None: they wait as long as it takes
    response_target: float | None = None  # arrival -> first service starts
    priority: int = 1
    steps: tuple[Step, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _segment_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and "segment" not in data and isinstance(data.get("id"), str):
            return {**data, "segment": data["id"]}
        return data

    @field_validator("id", "segment")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return check_id(value)

    @field_validator("response_target", mode="before")
    @classmethod
    def _target(cls, value: object) -> object:
        return None if value is None else parse_duration(value)

    @field_validator("steps")
    @classmethod
    def _has_steps(cls, value: tuple[Step, ...]) -> tuple[Step, ...]:
        if not value:
            raise ValueError("a flow needs at least one step (e.g. a serve step)")
        require_unique_ids(value, "step")
        return value

    def step_index(self, step_id: str) -> int:
        """Position of a step in the flow (ValueError if unknown)."""
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise ValueError(f"flow {self.id!r} has no step {step_id!r}")


class Operations(Frozen):
    """Resources (pools) and the flows of work through them."""

    resources: tuple[Resource, ...] = ()
    flows: tuple[Flow, ...] = ()

    @field_validator("flows")
    @classmethod
    def _has_flows(cls, value: tuple[Flow, ...]) -> tuple[Flow, ...]:
        # checked here, not by a length constraint, which would also fire when a flow is wrong
        if not value:
            raise ValueError("an operations section needs at least one flow")
        return value

    @model_validator(mode="after")
    def _unique(self) -> Operations:
        require_unique_ids(self.resources, "resource")
        require_unique_ids(self.flows, "flow")
        return self

    def resource(self, pool_id: str) -> Resource:
        """The pool with this id (KeyError otherwise)."""
        for r in self.resources:
            if r.id == pool_id:
                return r
        raise KeyError(pool_id)

    def flow(self, flow_id: str) -> Flow:
        """The flow with this id (KeyError otherwise)."""
        for f in self.flows:
            if f.id == flow_id:
                return f
        raise KeyError(flow_id)

    @property
    def segments(self) -> tuple[str, ...]:
        """The flows' segments in order of first appearance."""
        return tuple(dict.fromkeys(f.segment for f in self.flows))

    @property
    def step_keys(self) -> tuple[str, ...]:
        """Every step as ``flow.step`` (the value of a ``step`` KPI filter)."""
        return tuple(f"{f.id}.{s.id}" for f in self.flows for s in f.steps)
