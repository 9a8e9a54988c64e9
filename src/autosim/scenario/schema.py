"""The scenario file schema: typed, immutable, validated once at load time.

A :class:`Scenario` is the business on paper: its calendar, its field-service operation (who
calls, who answers, who drives out), its money, and the automations it is considering. Models
trust a validated scenario and never re-check it. Durations are stored in minutes, money in the
scenario's currency, rates per day.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from autosim.dists import Constant, Exponential
from autosim.scenario.correlations import Correlation, correlation_problems
from autosim.scenario.fields import DistField, Scalar
from autosim.scenario.goals import Strategy
from autosim.scenario.inventory_schema import Inventory, PartNeed, inventory_problems
from autosim.scenario.roadmap_schema import Roadmap, roadmap_problems
from autosim.scenario.schema_base import Frozen, require_unique_ids
from autosim.units import parse_duration, parse_hours

__all__ = [
    "Adoption",
    "AppliesTo",
    "Area",
    "Automation",
    "Bundle",
    "Calendar",
    "Costs",
    "Customers",
    "Dispatch",
    "Finance",
    "Intake",
    "Invoicing",
    "JobType",
    "Payment",
    "Scenario",
    "SegmentLoyalty",
    "Technicians",
    "Travel",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUPS = {"daily": WEEKDAYS, "weekdays": WEEKDAYS[:5], "weekend": WEEKDAYS[5:]}
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")

Probability = Scalar(0.0, 1.0)
NonNegative = Scalar(0.0)
Positive = Scalar(0.0, lo_open=True)
Money = Scalar(0.0, unit="money")
Minutes = Scalar(0.0, unit="duration")
WeeklyHours = tuple[tuple[float, float] | None, ...]


def _duration(value: object) -> float:
    return parse_duration(value)


def weekly_hours(value: object, default: str | None = "08:00-17:00") -> WeeklyHours:
    """Parse ``{mon: "08:00-17:00", weekend: closed, ...}`` into seven (open, close) pairs.

    Group keys (``daily``, ``weekdays``, ``weekend``) are applied first, single days after, so
    ``{weekdays: "08:00-17:00", fri: "08:00-14:00"}`` does what it says. Days not named are
    closed.
    """
    if value is None:
        value = {"weekdays": default}
    if isinstance(value, str):
        value = {"daily": value}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of weekday to hours, e.g. {weekdays: 08:00-17:00}")
    allowed = set(WEEKDAYS) | set(_GROUPS)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"unknown day {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    days: dict[str, tuple[float, float] | None] = dict.fromkeys(WEEKDAYS)
    for group, members in _GROUPS.items():
        if group in value:
            for day in members:
                days[day] = parse_hours(value[group])
    for day in WEEKDAYS:
        if day in value:
            days[day] = parse_hours(value[day])
    return tuple(days[d] for d in WEEKDAYS)


class Calendar(Frozen):
    """Business days and opening hours; day 0 of the simulation is ``start_date``."""

    start_date: dt.date = dt.date(2027, 1, 4)
    hours: WeeklyHours = Field(default_factory=lambda: weekly_hours(None))

    @field_validator("start_date", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"expected a date like 2027-01-04 (got {value!r})") from None
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, value: object) -> object:
        return weekly_hours(value)


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
        if not _ID.match(value):
            raise ValueError(
                f"{value!r} is not a valid id: use letters, digits, '_' or '-', starting with a "
                "letter"
            )
        return value

    @field_validator("response_target", mode="before")
    @classmethod
    def _target(cls, value: object) -> object:
        return None if value is None else _duration(value)

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


class Payment(Frozen):
    """How one segment pays: terms (due after the invoice), lateness, and bad debt."""

    terms: Minutes = 0.0
    paid_after_due: DistField("duration") = Constant(0.0)
    bad_debt_prob: Probability = 0.0


class Invoicing(Frozen):
    """From a completed job to cash: invoice preparation, errors, on-site payment, payment."""

    mode: Literal["manual", "mobile"] = "manual"
    batch_every: Minutes = 7 * 1440.0
    admin_time_per_invoice: DistField("duration") = Constant(15.0)
    admin_wage_per_hour: Money = 0.0
    error_rate: Probability = 0.0
    rework_delay: DistField("duration") = Constant(7 * 1440.0)
    card_payment_share: Probability = 0.0
    card_fee_rate: Scalar(0.0, 0.5) = 0.029
    write_off_after: Minutes = 120 * 1440.0
    payment: dict[str, Payment] = Field(default_factory=lambda: {"default": Payment()})

    @field_validator("batch_every")
    @classmethod
    def _batch(cls, value: object) -> object:
        if isinstance(value, float) and value <= 0:
            raise ValueError("batch_every must be longer than 0 (e.g. '1 day' for daily runs)")
        return value

    def payment_for(self, segment: str) -> Payment:
        """Payment behaviour of a segment (its own entry, else ``default``)."""
        return self.payment.get(segment) or self.payment["default"]


def _variant_id(value: str, what: str) -> str:
    """Automation and bundle ids name variants: identifiers, and never "baseline"."""
    if not _ID.match(value) or value == "baseline":
        raise ValueError(f"{value!r} is not a valid {what} id (letters, digits, _ or -)")
    return value


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
    """A candidate automation: costs, effects on operations parameters, adoption over time."""

    id: str
    name: str = ""
    description: str = ""
    costs: Costs = Costs()
    adoption: Adoption = Adoption()
    applies_to: AppliesTo = AppliesTo()
    effects: dict[str, Any] = Field(default_factory=dict)

    @field_validator("effects")
    @classmethod
    def _effects(cls, value: dict[str, Any]) -> dict[str, Any]:
        from autosim.scenario.effects import validate_effects

        return validate_effects(value)

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return _variant_id(value, "automation")


class SegmentLoyalty(Frozen):
    """How one segment's customers come back, and what they care about."""

    repeat_prob: Probability = 0.0
    referral_prob: Probability = 0.0
    return_after: DistField("duration") = Constant(180 * 1440.0)
    response_expectation: Minutes | None = None
    values_personal_service: Probability = 0.0

    @model_validator(mode="after")
    def _at_most_one(self) -> SegmentLoyalty:
        total = self.repeat_prob + self.referral_prob
        if isinstance(total, float) and total > 1:
            raise ValueError(f"repeat_prob + referral_prob must be <= 1 (got {total:g})")
        return self


class Customers(Frozen):
    """Repeat and referral demand, driven by how each customer was treated."""

    segments: dict[str, SegmentLoyalty] = Field(default_factory=dict)
    late_penalty: Probability = 0.5
    invoice_error_penalty: Probability = 0.3
    impersonal_penalty: Probability = 0.6
    personal_touch: Probability = 1.0
    generations: int = Field(2, ge=1, le=5)

    def loyalty(self, segment: str) -> SegmentLoyalty:
        """A segment's loyalty parameters (its own entry, else ``default``, else none)."""
        return self.segments.get(segment) or self.segments.get("default") or SegmentLoyalty()


class Bundle(Frozen):
    """Several automations bought together, simulated as one variant."""

    id: str
    automations: tuple[str, ...] = Field(min_length=2)

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return _variant_id(value, "bundle")


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
    finance: Finance = Finance()
    strategy: Strategy | None = None
    automations: tuple[Automation, ...] = ()
    bundles: tuple[Bundle, ...] = ()
    roadmaps: tuple[Roadmap, ...] = ()
    correlations: tuple[Correlation, ...] = ()

    @field_validator("horizon", "warmup", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return _duration(value)

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
        if self.horizon < 1440:
            raise ValueError("horizon must be at least '1 day'")
        if self.horizon % 1440:
            raise ValueError("horizon must be a whole number of days (e.g. '365 day')")
        if self.warmup >= self.horizon:
            raise ValueError("warmup must be shorter than the horizon")
        require_unique_ids(self.automations, "automation")
        require_unique_ids(self.bundles, "bundle")
        require_unique_ids(self.roadmaps, "roadmap")
        return self

    @property
    def n_days(self) -> int:
        """Horizon in whole days."""
        return int(self.horizon // 1440)

    def automation(self, automation_id: str) -> Automation:
        """Return the automation with this id (KeyError naming the known ids otherwise)."""
        for a in self.automations:
            if a.id == automation_id:
                return a
        known = ", ".join(a.id for a in self.automations) or "none"
        raise KeyError(f"no automation {automation_id!r} in this scenario (known: {known})")


def technician_shift(scenario: Scenario) -> WeeklyHours:
    """Technicians' weekly shift: their own, else the business's opening hours."""
    return scenario.dispatch.technicians.shift or scenario.calendar.hours


def cross_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems that need the whole scenario: names that refer to other parts of the file."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
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
    problems += inventory_problems(scenario)
    problems += roadmap_problems(scenario)
    problems += correlation_problems(scenario)
    return problems
