"""Checks across the ``operations`` section: names that must refer to something, and the horizon.

Like proof-reading the whiteboard before the week starts: every serve step names a pool that
exists, every branch and rework names a step of its flow (forward for a branch, backward for a
rework, so that only rework makes loops and every loop has a probability below 1), and a planned
batch does not start after the simulation ends. Each problem is located at the offending key for
:func:`autosim.scenario.schema.cross_problems`, which reports them with file, line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, Protocol

from autosim.scenario.operations_schema import Flow, Operations
from autosim.scenario.schema_base import Loc

__all__ = ["operations_problems", "unknown"]


class _ChangesParameters(Protocol):
    id: str
    effects: dict[str, Any]


def unknown(what: str, name: str, known: Sequence[str]) -> str:
    """``unknown pool 'barista'; did you mean 'baristas'? (known: ...)``."""
    hint = difflib.get_close_matches(name, list(known), n=1)
    maybe = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"unknown {what} {name!r}{maybe} (known: {', '.join(known) or 'none'})"


def _step_problems(ops: Operations, f: int, flow: Flow) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    pools = [r.id for r in ops.resources]
    ids = [s.id for s in flow.steps]
    for s, step in enumerate(flow.steps):
        where: Loc = ("operations", "flows", f, "steps", s)
        if step.serve is not None and step.serve.pool not in pools:
            problems.append(((*where, "serve", "pool"), unknown("pool", step.serve.pool, pools)))
        for b, way in enumerate(step.branch or ()):
            if way.to not in ids:
                problems.append(((*where, "branch", b, "to"), unknown("step", way.to, ids)))
            elif ids.index(way.to) <= s:
                problems.append(
                    (
                        (*where, "branch", b, "to"),
                        f"a branch goes forward, but {way.to!r} is not after {step.id!r}; "
                        "use a rework step to go back",
                    )
                )
        if step.rework is not None:
            to = step.rework.to
            if to not in ids:
                problems.append(((*where, "rework", "to"), unknown("step", to, ids)))
            elif ids.index(to) > s:
                problems.append(
                    (
                        (*where, "rework", "to"),
                        f"rework goes back to this step or an earlier one, but {to!r} comes "
                        f"after {step.id!r}; use a branch to skip ahead",
                    )
                )
    return problems


def operations_problems(
    ops: Operations | None,
    automations: Sequence[_ChangesParameters],
    horizon: float,
) -> list[tuple[Loc, str]]:
    """Names between the operations entries, and schedules against the horizon (minutes).

    Effects on operations are checked by :func:`autosim.scenario.operations_effects.
    operations_effect_problems`; ``automations`` are only read here to refuse effects on
    operations in a scenario without them.
    """
    problems: list[tuple[Loc, str]] = []
    if ops is None:
        for a, auto in enumerate(automations):
            if any(p.startswith("operations.") for p in auto.effects):
                problems.append(
                    (
                        ("automations", a, "effects"),
                        "changes operations, but the scenario has no 'operations' section",
                    )
                )
        return problems
    for f, flow in enumerate(ops.flows):
        problems += _step_problems(ops, f, flow)
        for j, entry in enumerate(flow.arrivals.schedule or ()):
            if entry.start >= horizon:
                problems.append(
                    (
                        ("operations", "flows", f, "arrivals", "schedule", j, "start"),
                        f"the schedule starts on day {entry.start / 1440:g}, after the horizon "
                        f"ends (day {horizon / 1440:g})",
                    )
                )
    return problems
