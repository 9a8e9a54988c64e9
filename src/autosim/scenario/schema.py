"""The scenario file as a whole: the :class:`Scenario` model and the checks across its sections.

A :class:`Scenario` is the business on paper: its calendar, its field-service operation (who
calls, who answers, who drives out), its money, and the automations it is considering. Each
section has its own module (``calendar_schema``, ``dispatch_schema``, ``invoicing_schema``,
``customers_schema``, ``inventory_schema``, ``roadmap_schema``, ``financing_schema``,
``correlations``, ``goals``); this one puts them together, owns what only makes sense against the
whole file — the variants being compared (automations and bundles, whose effects name parameters
anywhere in the file) and the cross-references between sections (:func:`cross_problems`) — and
sits on top: no section module imports it. Models trust a validated scenario and never re-check
it. Durations are stored in minutes, money in the scenario's currency, rates per day.
"""

from __future__ import annotations

import difflib
import functools
from typing import Any

from pydantic import Field, field_validator, model_validator

from autosim.scenario.calendar_schema import Calendar, WeeklyHours
from autosim.scenario.correlations import Correlation, correlation_problems
from autosim.scenario.customers_schema import Customers
from autosim.scenario.dispatch_schema import Dispatch
from autosim.scenario.effects import validate_effects
from autosim.scenario.fields import Minutes, Money, Probability, Scalar
from autosim.scenario.financing_schema import Financing, financing_problems
from autosim.scenario.goals import Strategy
from autosim.scenario.inventory_schema import Inventory, inventory_problems
from autosim.scenario.invoicing_schema import Invoicing
from autosim.scenario.operations_checks import operations_problems
from autosim.scenario.operations_effects import (
    operations_effect_problems,
    validate_operations_effects,
)
from autosim.scenario.operations_schema import Operations
from autosim.scenario.resolve import uncertain_inputs
from autosim.scenario.roadmap_schema import Roadmap, roadmap_problems
from autosim.scenario.schema_base import Frozen, Loc, require_unique_ids, variant_id
from autosim.units import parse_duration

__all__ = [
    "IDLE_DISPATCH",
    "Adoption",
    "AppliesTo",
    "Automation",
    "Bundle",
    "Costs",
    "Finance",
    "Scenario",
    "cross_problems",
    "technician_shift",
]


class Costs(Frozen):
    """What an automation costs: once, every month, per use, and the wait before go-live."""

    upfront: Money = 0.0
    monthly: Money = 0.0
    per_transaction: Money = 0.0
    implementation: Minutes = 0.0


class Adoption(Frozen):
    """After go-live, the share of events using the automation ramps linearly up to ``level``."""

    level: Probability = 1.0
    ramp: Minutes = 0.0


class AppliesTo(Frozen):
    """Limit an automation to some segments and/or job types (None: all)."""

    segments: tuple[str, ...] | None = None
    job_types: tuple[str, ...] | None = None


class Automation(Frozen):
    """A candidate automation: costs (and how the purchase is paid), effects, adoption."""

    id: str
    name: str = ""
    description: str = ""
    costs: Costs = Costs()
    financing: Financing = Financing()
    adoption: Adoption = Adoption()
    applies_to: AppliesTo = AppliesTo()
    effects: dict[str, Any] = Field(default_factory=dict)

    @field_validator("effects")
    @classmethod
    def _effects(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Effects name parameters anywhere in the file, so their values are checked against the
        # whole Scenario model (defined below; looked up when an automation is validated).
        # Effects on operations name pools, flows and steps by id: their own grammar.
        ops = {k: v for k, v in value.items() if k.startswith("operations.")}
        if not ops:
            return validate_effects(value, Scenario)
        rest = {k: v for k, v in value.items() if k not in ops}
        checked: dict[str, Any] = {}
        problems = []
        for check, part in (
            (lambda e: validate_effects(e, Scenario), rest),
            (validate_operations_effects, ops),
        ):
            try:
                checked.update(check(part))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return {k: checked[k] for k in value}

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return variant_id(value, "automation")


class Bundle(Frozen):
    """Several automations bought together, simulated as one variant."""

    id: str
    automations: tuple[str, ...] = Field(min_length=2)

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return variant_id(value, "bundle")


class Finance(Frozen):
    """Money that does not depend on operations: discounting, opening cash, fixed costs."""

    discount_rate: Scalar(0.0, 1.0) = 0.08
    opening_balance: Scalar(unit="money") = 0.0
    fixed_monthly_costs: Money = 0.0


class Scenario(Frozen):
    """A whole business on paper, plus the automations it is considering."""

    name: str
    description: str = ""
    currency: str = "USD"
    horizon: float = Field(description="simulated time in minutes")
    warmup: float = 0.0
    calendar: Calendar = Calendar()
    dispatch: Dispatch
    invoicing: Invoicing | None = None
    customers: Customers | None = None
    inventory: Inventory | None = None
    operations: Operations | None = None
    finance: Finance = Finance()
    strategy: Strategy | None = None
    automations: tuple[Automation, ...] = ()
    bundles: tuple[Bundle, ...] = ()
    roadmaps: tuple[Roadmap, ...] = ()
    correlations: tuple[Correlation, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _idle_field_crew(cls, data: Any) -> Any:
        """A business built from operations needs no field crew: without a ``dispatch`` section
        it gets an idle one (no calls, no wages), so every part that reads dispatch still runs."""
        if isinstance(data, dict) and "dispatch" not in data and data.get("operations"):
            return {**data, "dispatch": IDLE_DISPATCH}
        return data

    @field_validator("horizon", "warmup", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return parse_duration(value)

    @field_validator("horizon")
    @classmethod
    def _whole_days(cls, value: float) -> float:
        """The horizon is simulated in whole days. From four weeks up (a horizon written in
        months or years: 1 year is 365.25 days) it is rounded to the nearest day."""
        if value < 1440:
            raise ValueError("horizon must be at least '1 day'")
        if value >= 28 * 1440:
            return round(value / 1440) * 1440.0
        if value % 1440:
            raise ValueError("horizon must be a whole number of days (e.g. '365 day', '1 year')")
        return value

    @model_validator(mode="after")
    def _cross_references(self, info: Any) -> Scenario:
        if (info.context or {}).get("defer_cross_checks"):
            return self
        problems = cross_problems(self)
        if problems:
            raise ValueError(
                "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems)
            )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.warmup >= self.horizon:
            raise ValueError("warmup must be shorter than the horizon")
        require_unique_ids(self.automations, "automation")
        require_unique_ids(self.bundles, "bundle")
        require_unique_ids(self.roadmaps, "roadmap")
        return self

    @property
    def has_field_crew(self) -> bool:
        """False when the file has no ``dispatch`` section (an idle crew stands in)."""
        return self.dispatch != _idle_dispatch()

    @property
    def n_days(self) -> int:
        """Horizon in whole days."""
        return int(self.horizon // 1440)

    @property
    def cash_floor(self) -> float | None:
        """The strategy's minimum cash balance, if it sets one."""
        strategy = self.strategy
        if strategy is None or strategy.constraints.min_cash_balance is None:
            return None
        return float(strategy.constraints.min_cash_balance)

    def automation(self, automation_id: str) -> Automation:
        """Return the automation with this id (KeyError naming the known ids otherwise)."""
        for a in self.automations:
            if a.id == automation_id:
                return a
        known = ", ".join(a.id for a in self.automations) or "none"
        raise KeyError(f"no automation {automation_id!r} in this scenario (known: {known})")


#: The field crew of a scenario without a ``dispatch`` section: one unpaid technician and one job
#: type nobody calls for, so demand, intake and dispatch run on zero jobs and cost nothing.
IDLE_DISPATCH: dict[str, Any] = {
    "intake": {"mode": "automated", "handling_time": 0},
    "technicians": {"count": 1},
    "job_types": [{"id": "field_job", "rate_per_day": 0, "service_time": 0}],
}


@functools.cache
def _idle_dispatch() -> Dispatch:
    return Dispatch.model_validate(IDLE_DISPATCH)


def technician_shift(scenario: Scenario) -> WeeklyHours:
    """Technicians' weekly shift: their own, else the business's opening hours."""
    return scenario.dispatch.technicians.shift or scenario.calendar.hours


def cross_problems(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Problems that need the whole scenario: names that refer to other parts of the file."""
    problems: list[tuple[Loc, str]] = []
    segments = set(scenario.dispatch.segments)
    if scenario.invoicing is not None:
        named = set(scenario.invoicing.payment)
        for name in sorted(named - segments - {"default"}):
            problems.append(
                (
                    ("invoicing", "payment", name),
                    f"unknown segment {name!r} (known: {', '.join(sorted(segments))}, default)",
                )
            )
        missing = sorted(segments - named)
        if missing and "default" not in named:
            problems.append(
                (
                    ("invoicing", "payment"),
                    f"no payment terms for segment(s) {', '.join(missing)}; add them or a "
                    "'default' entry",
                )
            )
    if scenario.customers is not None:
        for name in sorted(set(scenario.customers.segments) - segments - {"default"}):
            problems.append(
                (
                    ("customers", "segments", name),
                    f"unknown segment {name!r} (known: {', '.join(sorted(segments))}, default)",
                )
            )
    if scenario.strategy is not None:
        known = {"segment": segments, "job_type": {j.id for j in scenario.dispatch.job_types}}
        known["item"] = {i.id for i in scenario.inventory.items} if scenario.inventory else set()
        ops = scenario.operations
        known["segment"] = segments | set(ops.segments if ops else ())
        known["flow"] = {f.id for f in ops.flows} if ops else set()
        known["pool"] = {r.id for r in ops.resources} if ops else set()
        known["step"] = set(ops.step_keys) if ops else set()
        for g, goal in enumerate(scenario.strategy.goals):
            for c, cond in enumerate(goal.all):
                for by, value in (cond.filter or {}).items():
                    if value not in known[by]:
                        hint = difflib.get_close_matches(value, sorted(known[by]), n=1)
                        maybe = f"; did you mean {hint[0]!r}?" if hint else ""
                        problems.append(
                            (
                                ("strategy", "goals", g, "all", c, "filter", by),
                                f"unknown {by.replace('_', ' ')} {value!r}{maybe} "
                                f"(known: {', '.join(sorted(known[by]))})",
                            )
                        )
    automation_ids = {a.id for a in scenario.automations}
    for b, bundle in enumerate(scenario.bundles):
        if bundle.id in automation_ids:
            problems.append((("bundles", b, "id"), f"{bundle.id!r} is already an automation's id"))
        for name in bundle.automations:
            if name not in automation_ids:
                hint = difflib.get_close_matches(name, sorted(automation_ids), n=1)
                maybe = f"; did you mean {hint[0]!r}?" if hint else ""
                problems.append(
                    (
                        ("bundles", b, "automations"),
                        f"unknown automation {name!r}{maybe} "
                        f"(known: {', '.join(sorted(automation_ids)) or 'none'})",
                    )
                )
        if len(set(bundle.automations)) != len(bundle.automations):
            problems.append((("bundles", b, "automations"), "an automation is listed twice"))
    for i, auto in enumerate(scenario.automations):
        for section in ("invoicing", "customers"):  # inventory effects: inventory_schema
            touches = any(p.startswith(f"{section}.") for p in auto.effects)
            if touches and getattr(scenario, section) is None:
                problems.append(
                    (
                        ("automations", i, "effects"),
                        f"changes {section}, but the scenario has no '{section}' section",
                    )
                )
    job_types = {j.id for j in scenario.dispatch.job_types}
    for i, auto in enumerate(scenario.automations):
        for field, known in (("segments", segments), ("job_types", job_types)):
            for name in getattr(auto.applies_to, field) or ():
                if name not in known:
                    hint = difflib.get_close_matches(name, sorted(known), n=1)
                    maybe = f"; did you mean {hint[0]!r}?" if hint else ""
                    problems.append(
                        (
                            ("automations", i, "applies_to", field),
                            f"unknown {field[:-1].replace('_', ' ')} {name!r}{maybe} "
                            f"(known: {', '.join(sorted(known))})",
                        )
                    )
    problems += inventory_problems(
        scenario.inventory, scenario.dispatch.job_types, scenario.automations
    )
    problems += financing_problems(scenario.automations)
    problems += operations_problems(scenario.operations, scenario.automations, scenario.horizon)
    problems += operations_effect_problems(scenario.operations, scenario.automations)
    bundle_ids = {b.id for b in scenario.bundles}
    problems += roadmap_problems(scenario.roadmaps, automation_ids, bundle_ids, scenario.horizon)
    if scenario.correlations:
        inputs = list(uncertain_inputs(scenario))
        problems += correlation_problems(scenario.correlations, inputs)
    return problems
