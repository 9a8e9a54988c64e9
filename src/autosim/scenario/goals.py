"""The ``strategy`` section of a scenario: mission, goals and constraints.

A goal is what the business owner would write on the whiteboard — "90% of residential
emergencies reached within the hour", "15% more residential jobs than today", "DSO under 15
days" — turned into a KPI, an optional breakdown (a segment or a job type), a target and a
weight. A target is absolute (``"<= 60 min"``, ``">= 0.95"``) or relative to the baseline of
the same replication (``"+15%"``: at least 15% higher; ``"-20%"``: at least 20% lower). A joint
goal (``all:``) is met only when all of its conditions hold in the same replication.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from autosim.errors import RunError
from autosim.kpis import kpi as kpi_named
from autosim.scenario.fields import Scalar
from autosim.scenario.schema_base import Frozen, require_unique_ids
from autosim.units import parse_duration

__all__ = ["Condition", "Constraints", "Goal", "Strategy", "Target", "goal_met", "parse_target"]

_TARGET = re.compile(r"^\s*(<=|>=|<|>)\s*(.+?)\s*$")
_RELATIVE = re.compile(r"^\s*(<=|>=|<|>)?\s*([+-])\s*(\d+(?:\.\d+)?)\s*%\s*$")
_NON_NEGATIVE_UNITS = {
    "min",
    "h",
    "days",
    "day",
    "jobs",
    "share",
    "invoices",
    "months",
    "units",
    "orders",
    "events",
    "per year",
}
_DURATION_UNITS = {"min": 1.0, "h": 60.0, "days": 1440.0, "day": 1440.0}


@dataclass(frozen=True)
class Target:
    """``value <op> threshold``, or relative: ``value <op> baseline * (1 + change)``."""

    op: str
    threshold: float
    relative: bool = False

    def met(self, value: Any, baseline: Any = None) -> Any:
        """Element-wise: does ``value`` meet the target (NaN never does)?"""
        bound = baseline * (1.0 + self.threshold) if self.relative else self.threshold
        slack = 1e-9 * abs(bound)  # 100 * 1.1 is 110.00000000000001 in floating point
        if self.op == "<=":
            return value <= bound + slack
        if self.op == ">=":
            return value >= bound - slack
        if self.op == "<":
            return value < bound
        return value > bound

    def __str__(self) -> str:
        if self.relative:
            sign = "+" if self.threshold >= 0 else "-"
            return f"{self.op} {sign}{abs(self.threshold):.0%} vs baseline"
        return f"{self.op} {self.threshold:g}"


def _number_in_unit(text: str, unit: str) -> float:
    """A threshold in the KPI's unit; durations may be written with their own unit."""
    try:
        return float(text)
    except ValueError:
        pass
    if unit in _DURATION_UNITS:
        return parse_duration(text) / _DURATION_UNITS[unit]
    if text.endswith("%") and unit == "share":
        return float(text[:-1]) / 100.0
    raise ValueError(f"cannot read the threshold {text!r} (the KPI is in {unit})")


def parse_target(value: object, unit: str) -> Target:
    """Parse a target for a KPI in ``unit``.

    Absolute: ``"<= 60 min"``, ``">= 0.95"``. Relative to the same replication's baseline:
    ``"+15%"`` (at least 15% higher), ``"-20%"`` (at least 20% lower), or with an explicit
    operator, ``">= -5%"`` (not more than 5% lower).
    """
    if not isinstance(value, str):
        raise ValueError(f"a target is text such as '<= 60', '>= 0.95' or '+15%' (got {value!r})")
    relative = _RELATIVE.match(value)
    if relative:
        explicit, sign_text, number = relative.groups()
        sign = 1.0 if sign_text == "+" else -1.0
        change = sign * float(number) / 100.0
        op = explicit or (">=" if sign > 0 else "<=")
        if change <= -1.0 and op in ("<=", "<"):
            raise ValueError(f"a relative target of {value} can never be met")
        return Target(op, change, relative=True)
    absolute = _TARGET.match(value)
    if not absolute:
        raise ValueError(
            f"cannot read target {value!r}: write '<= 60 min', '>= 0.95', '+15%' or '-20%'"
        )
    op, number = absolute.groups()
    threshold = _number_in_unit(number, unit)
    if not math.isfinite(threshold):
        raise ValueError(f"target threshold must be finite (got {value!r})")
    if unit == "share" and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"a share is between 0 and 1, so {value!r} can never be met")
    if unit in _NON_NEGATIVE_UNITS and (threshold < 0 or (threshold == 0 and op == "<")):
        raise ValueError(f"this KPI is never negative, so {value!r} can never be met")
    return Target(op, threshold)


def _kpi_hint(name: str, catalogue: Any) -> str:
    """A suggestion for an unknown KPI: a breakdown when the name glues a KPI to a segment or
    job type (``contract_revenue`` is ``revenue`` with ``filter: {segment: contract}``), else the
    closest spelling."""
    for k in sorted(catalogue, key=lambda k: -len(k.name)):
        if not k.by or name == k.name:
            continue
        for word in (name.removesuffix("_" + k.name), name.removeprefix(k.name + "_")):
            if word != name and word and "_" not in word:
                filters = " or ".join(f"{{{by}: {word}}}" for by in k.by)
                return f"; for one group of {k.name!r} write kpi: {k.name}, filter: {filters}"
    hint = difflib.get_close_matches(name, [k.name for k in catalogue], n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


class Condition(Frozen):
    """One KPI condition: the KPI, an optional breakdown, a target and an optional period."""

    kpi: str
    filter: dict[str, str] | None = None
    target: Target
    period: float | None = None  # minutes at the end of the horizon

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "kpi" not in data:
            return data
        name = data["kpi"]
        try:
            found = kpi_named(str(name))
        except KeyError:
            from autosim.kpis import CATALOGUE

            raise ValueError(
                f"unknown KPI {name!r}{_kpi_hint(str(name), CATALOGUE)} (see `autosim kpis`)"
            ) from None
        data = dict(data)
        if "target" in data and not isinstance(data["target"], Target):
            data["target"] = parse_target(data["target"], found.unit)
        flt = data.get("filter")
        if flt is not None:
            if not isinstance(flt, dict) or len(flt) != 1:
                raise ValueError(
                    "filter is one of {segment: <id>}, {job_type: <id>} or {item: <id>}"
                )
            (by,) = flt
            if by not in found.by:
                allowed = ", ".join(found.by) or "none"
                raise ValueError(
                    f"KPI {name!r} cannot be broken down by {by!r} (allowed: {allowed})"
                )
        period = data.get("period")
        if period is not None:
            text = str(period).strip()
            text = text[5:] if text.lower().startswith("last ") else text
            data["period"] = parse_duration(text)
            if not found.by:
                raise ValueError(
                    f"a period applies to KPIs with a breakdown only; {name!r} is measured "
                    "over the KPI window as defined in the catalogue"
                )
        return data

    @property
    def period_days(self) -> int | None:
        """The judging period in whole days (None: the whole KPI window)."""
        return None if self.period is None else max(1, round(self.period / 1440.0))

    def column(self) -> str:
        """The column of ``replications.parquet`` this condition reads."""
        from autosim.kpis import column, period_suffix

        by, value = next(iter(self.filter.items())) if self.filter else (None, None)
        return column(self.kpi, by, value) + period_suffix(self.period_days)

    def describe(self) -> str:
        """Plain words: ``response_time_p90_min[job_type=emergency] <= 60``."""
        period = f" over the last {self.period_days} days" if self.period_days else ""
        return f"{self.column().split('@')[0]} {self.target}{period}"


class Goal(Frozen):
    """A strategic goal: one condition, or several that must hold together (``all``)."""

    id: str
    description: str = ""
    weight: Scalar(0.0, lo_open=True) = 1.0
    all: tuple[Condition, ...] = Field(default=(), min_length=0)

    @model_validator(mode="before")
    @classmethod
    def _single_condition(cls, data: Any) -> Any:
        """``kpi/filter/target/period`` at the goal level is shorthand for ``all: [one]``."""
        if not isinstance(data, dict):
            return data
        keys = {"kpi", "filter", "target", "period"}
        single = {k: data[k] for k in keys if k in data}
        if single and "all" in data:
            raise ValueError("write either kpi/target (one condition) or all: [...], not both")
        if single:
            data = {k: v for k, v in data.items() if k not in keys}
            data["all"] = [single]
        if not data.get("all"):
            raise ValueError("a goal needs a kpi and a target (or all: [conditions])")
        return data

    def text(self) -> str:
        """The goal in words: its description, else its conditions."""
        return self.description or " and ".join(c.describe() for c in self.all)


class Constraints(Frozen):
    """Limits an automation must respect, whatever its effect on the goals."""

    budget_upfront: Scalar(0.0, unit="money") | None = None
    max_payback_months: Scalar(0.0) | None = None
    min_cash_balance: Scalar(unit="money") | None = None
    confidence: Scalar(0.0, 1.0) = 0.8


class Strategy(Frozen):
    """What the business is trying to achieve, and how an automation is judged against it."""

    mission: str = ""
    goals: tuple[Goal, ...] = Field(min_length=1)
    constraints: Constraints = Constraints()
    min_effect: Scalar(0.0, 1.0) = 0.05
    #: Share of the baseline's gap to a goal's target an option must close to count as progress.
    min_progress: Scalar(0.0, 1.0) = 0.25
    #: What "best" means when choosing among automations and bundles (see autosim.decide.portfolio).
    objective: Literal["impact", "npv", "p_goals", "p_loss", "cvar", "worst_month_cash"] = "impact"

    @field_validator("goals")
    @classmethod
    def _unique(cls, goals: tuple[Goal, ...]) -> tuple[Goal, ...]:
        require_unique_ids(goals, "goal")
        return goals


def goal_met(goal: Goal, rows: pd.DataFrame, baseline: pd.DataFrame) -> np.ndarray:
    """Per replication: are all the goal's conditions met (rows aligned by replication)?"""
    met = np.ones(len(rows), dtype=bool)
    for cond in goal.all:
        col = cond.column()
        if col not in rows or col not in baseline:
            raise RunError(
                f"goal {goal.id!r} reads the column {col!r}, which this run did not produce"
            )
        value = rows[col].to_numpy(float)
        base = baseline[col].to_numpy(float)
        with np.errstate(invalid="ignore"):
            met &= np.asarray(cond.target.met(value, base), dtype=bool) & ~np.isnan(value)
    return met
