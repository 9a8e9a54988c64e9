"""What an automation (or a hire) may change in the ``operations`` section, named by path.

An effect on operations names its target by the ids written in the file, the way a manager
would point at the whiteboard: ``operations.resources.baristas.count: 3`` (one more barista),
``operations.flows.walkins.steps.order.serve.time: {dist: gamma, mean: 50 s, sd: 15 s}`` (a
kiosk takes the order faster). Two kinds of change, applied differently by the model:

* **structural** — a pool's ``count`` and ``shift``: a person is hired or a shift moved for
  everybody, so the change holds for the whole variant from the automation's go-live
  (``costs.implementation`` after its purchase); adoption does not thin it out;
* **per item** — everything else (a step's time, pool, priority, queue limit, a delay, a
  branch's probabilities, a rework probability, the flow's patience and revenue): each item
  decides at its arrival, with the automation's adoption share at that moment, whether it takes
  the automated path, exactly as calls do in field service.

This module owns the path grammar, the check of each value (the same rules as the file's own
fields) and how a change is applied to an :class:`~autosim.scenario.operations_schema.
Operations`; the names inside a path are checked against the scenario in
:func:`operations_effect_problems`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from autosim.scenario.calendar_schema import weekly_hours
from autosim.scenario.fields import DistField
from autosim.scenario.operations_checks import unknown
from autosim.scenario.operations_schema import Operations, ReworkP, branch_list
from autosim.scenario.schema_base import Loc, check_id

__all__ = [
    "OPERATIONS_EFFECTS",
    "STRUCTURAL",
    "OpsPath",
    "apply_ops_effect",
    "get_ops_param",
    "operations_effect_problems",
    "parse_ops_path",
    "validate_operations_effects",
]

#: Effect path patterns on operations -> what changing them means (the README lists these).
OPERATIONS_EFFECTS: dict[str, str] = {
    "operations.resources.<pool>.count": "units in the pool (hire, a second machine), from "
    "go-live for the whole variant",
    "operations.resources.<pool>.shift": "the pool's weekly hours, from go-live",
    "operations.flows.<flow>.revenue": "what a completed item pays (per item)",
    "operations.flows.<flow>.patience": "how long an item waits in a queue before giving up",
    "operations.flows.<flow>.steps.<step>.serve.time": "the step's service time",
    "operations.flows.<flow>.steps.<step>.serve.pool": "which pool serves the step (a kiosk "
    "instead of the counter)",
    "operations.flows.<flow>.steps.<step>.serve.priority": "the step's priority (lower first)",
    "operations.flows.<flow>.steps.<step>.serve.queue_limit": "waiting items beyond which an "
    "arrival balks (null: no limit)",
    "operations.flows.<flow>.steps.<step>.delay": "the delay step's duration",
    "operations.flows.<flow>.steps.<step>.branch": "the branch's ways out and probabilities",
    "operations.flows.<flow>.steps.<step>.rework.p": "the rework probability",
}

#: Attributes changed for the whole variant from go-live (the others are decided per item).
STRUCTURAL = frozenset({"count", "shift"})

_RESOURCE_ATTRS = ("count", "shift")
_FLOW_ATTRS = ("revenue", "patience")
_STEP_ATTRS = (
    "serve.time",
    "serve.pool",
    "serve.priority",
    "serve.queue_limit",
    "delay",
    "branch",
    "rework.p",
)


@dataclass(frozen=True)
class OpsPath:
    """A parsed operations effect path: whose attribute (pool, flow, step of a flow)."""

    attr: str
    pool: str | None = None
    flow: str | None = None
    step: str | None = None

    @property
    def structural(self) -> bool:
        """Changed for the whole variant from go-live (a pool's count or shift)."""
        return self.attr in STRUCTURAL

    @property
    def step_kind(self) -> str | None:
        """The kind of step the attribute belongs to (None: not a step's)."""
        return self.attr.split(".")[0] if self.step is not None else None


def parse_ops_path(path: str) -> OpsPath:
    """Read ``operations.<...>`` into an :class:`OpsPath` (ValueError naming the forms)."""
    parts = path.split(".")
    forms = ", ".join(OPERATIONS_EFFECTS)
    bad = ValueError(
        f"{path!r} is not an operations parameter an automation can change; allowed forms: {forms}"
    )
    if len(parts) < 4 or parts[0] != "operations":
        raise bad
    if parts[1] == "resources" and len(parts) == 4 and parts[3] in _RESOURCE_ATTRS:
        return OpsPath(parts[3], pool=parts[2])
    if parts[1] == "flows":
        if len(parts) == 4 and parts[3] in _FLOW_ATTRS:
            return OpsPath(parts[3], flow=parts[2])
        attr = ".".join(parts[5:])
        if len(parts) >= 6 and parts[3] == "steps" and attr in _STEP_ATTRS:
            return OpsPath(attr, flow=parts[2], step=parts[4])
    raise bad


_Check = Callable[[Any], Any]


def _adapter(annotation: Any) -> _Check:
    """A check built on first use (building pydantic validators at import time is slow)."""

    @functools.cache
    def adapter() -> TypeAdapter[Any]:
        return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))

    def check(value: Any) -> Any:
        try:
            return adapter().validate_python(value)
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None

    return check


_VALUES: dict[str, _Check] = {
    "count": _adapter(Annotated[int, Field(ge=0, le=10_000, strict=False)]),
    "shift": weekly_hours,
    "revenue": _adapter(DistField()),
    "patience": _adapter(DistField("duration") | None),
    "serve.time": _adapter(DistField("duration")),
    "serve.pool": check_id,
    "serve.priority": _adapter(int),
    "serve.queue_limit": _adapter(Annotated[int | None, Field(ge=0, le=1_000_000)]),
    "delay": _adapter(DistField("duration")),
    "branch": _adapter(branch_list),
    "rework.p": _adapter(ReworkP),
}


def validate_operations_effects(effects: dict[str, Any]) -> dict[str, Any]:
    """Check each ``operations.*`` effect's path form and value; return the parsed values."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for path, value in effects.items():
        try:
            parsed = parse_ops_path(path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        try:
            out[path] = _VALUES[parsed.attr](value)
        except ValueError as exc:
            problems.append(f"{path}: {exc} (got {value!r})")
    if problems:
        raise ValueError("; ".join(problems))
    return out


def get_ops_param(ops: Operations, path: OpsPath) -> Any:
    """The current value of a parsed path in ``ops`` (ids must exist)."""
    if path.pool is not None:
        return getattr(ops.resource(path.pool), path.attr)
    flow = ops.flow(path.flow)
    if path.step is None:
        return getattr(flow, path.attr)
    value: Any = flow.steps[flow.step_index(path.step)]
    for part in path.attr.split("."):
        value = getattr(value, part)
    return value


def _replace(items: tuple[Any, ...], item_id: str, new: Any) -> tuple[Any, ...]:
    return tuple(new if i.id == item_id else i for i in items)


def apply_ops_effect(ops: Operations, path: OpsPath, value: Any) -> Operations:
    """A copy of ``ops`` with the parsed path set to ``value`` (no re-validation)."""
    if path.pool is not None:
        pool = ops.resource(path.pool).model_copy(update={path.attr: value})
        return ops.model_copy(update={"resources": _replace(ops.resources, path.pool, pool)})
    flow = ops.flow(path.flow)
    if path.step is None:
        new_flow = flow.model_copy(update={path.attr: value})
    else:
        step = flow.steps[flow.step_index(path.step)]
        head, _, rest = path.attr.partition(".")
        if rest:
            inner = getattr(step, head).model_copy(update={rest: value})
            step = step.model_copy(update={head: inner})
        else:
            step = step.model_copy(update={head: value})
        new_flow = flow.model_copy(update={"steps": _replace(flow.steps, path.step, step)})
    return ops.model_copy(update={"flows": _replace(ops.flows, path.flow, new_flow)})


def _names_problems(ops: Operations, path: OpsPath, value: Any) -> list[str]:
    pools = [r.id for r in ops.resources]
    if path.pool is not None:
        return [] if path.pool in pools else [unknown("pool", path.pool, pools)]
    flows = [f.id for f in ops.flows]
    if path.flow not in flows:
        return [unknown("flow", path.flow, flows)]
    if path.step is None:
        return []
    flow = ops.flow(path.flow)
    steps = [s.id for s in flow.steps]
    if path.step not in steps:
        return [unknown(f"step of flow {path.flow!r}", path.step, steps)]
    s = steps.index(path.step)
    kind = flow.steps[s].kind
    if kind != path.step_kind:
        return [f"step {path.step!r} is a {kind} step, so it has no {path.attr}"]
    if path.attr == "serve.pool" and value not in pools:
        return [unknown("pool", value, pools)]
    if path.attr == "branch":
        for way in value:
            if way.to not in steps:
                return [unknown("step", way.to, steps)]
            if steps.index(way.to) <= s:
                return [f"a branch goes forward, but {way.to!r} is not after {path.step!r}"]
    return []


class _ChangesParameters(Protocol):
    id: str
    effects: dict[str, Any]


def operations_effect_problems(
    ops: Operations | None, automations: Sequence[_ChangesParameters]
) -> list[tuple[Loc, str]]:
    """Effects on operations naming pools, flows or steps the file does not have, or a step
    of another kind; located at the effect's key."""
    if ops is None:
        return []  # refused as a whole by operations_problems
    problems: list[tuple[Loc, str]] = []
    for a, auto in enumerate(automations):
        for key, value in auto.effects.items():
            if key.startswith("operations."):
                for message in _names_problems(ops, parse_ops_path(key), value):
                    problems.append((("automations", a, "effects", key), message))
    return problems
