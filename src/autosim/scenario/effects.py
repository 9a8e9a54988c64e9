"""Which operations parameters an automation may change, and how a change is applied.

An automation does not rewrite the model; it overrides named parameters of the scenario, the way
a new tool changes how a task is done without changing what the task is. Only parameters that
are decided per event (per call, per job) are effectable, because adoption works per event: each
call uses the automated path with the adoption probability at that moment.

The value an effect may take is whatever the schema allows for that parameter, read from the
scenario model itself; the model is passed in (:func:`validate_effects`), so this module needs
nothing above it.
"""

from __future__ import annotations

import difflib
from functools import cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

__all__ = ["EFFECTABLE", "get_param", "override", "validate_effects"]

#: Effectable parameter path -> what changing it means (printed by the docs and error messages).
EFFECTABLE: dict[str, str] = {
    "dispatch.policy": "how a technician is chosen for the job "
    "(first_available, nearest_idle or manual)",
    "dispatch.manual_nearest_prob": "with the manual policy, chance the dispatcher picks the "
    "nearest free technician",
    "dispatch.service_time_factor": "multiplier on the job's service time (e.g. 0.9 = 10% faster)",
    "dispatch.rate_factor": "multiplier on demand for the job types the automation applies to "
    "(marketing, reputation); > 1 adds jobs, < 1 loses them",
    "dispatch.intake.mode": "who turns a call into a job: dispatcher (staffed, office hours) or "
    "automated (24/7, no queue)",
    "dispatch.intake.handling_time": "time to take a call and create the job",
    "dispatch.intake.after_hours": "calls outside office hours: callback (wait for opening) or "
    "on_call (answering service passes them to the on-call technician)",
    "dispatch.travel.overhead": "random extra travel time per trip (parking, finding the site)",
    "dispatch.travel.speed_kmh": "average driving speed (e.g. with route optimisation)",
    "invoicing.mode": "manual (office batch runs) or mobile (invoice issued on site at completion)",
    "invoicing.error_rate": "share of invoices with an error that must be re-issued",
    "invoicing.card_payment_share": "share of customers who pay on site by card (mobile only)",
    "invoicing.admin_time_per_invoice": "office time to prepare and chase one invoice",
    "invoicing.rework_delay": "time to re-issue an erroneous invoice",
    "invoicing.batch_every": "time between office invoice runs (manual mode)",
    "customers.personal_touch": "how personal the contact is, 0 to 1 (1: a person handles it; "
    "a chatbot or app answering first lowers it); customers who value personal service come "
    "back less after an impersonal one",
    "inventory.sync_every": "null: the shop shows the real stock (no oversells); each online "
    "order uses the real figure with the adoption probability at its time",
    "inventory.review": "continuous: periodic and manual items are watched as (s, S) with their "
    "reorder_point and order_up_to, from when adoption passes 50%",
    "inventory.count_accuracy": "exact: periodic counts without counting errors, from when "
    "adoption passes 50%",
    "inventory.reorder_points": "demand_based: reorder point and order-up-to level of every "
    "reorderable item set from expected demand over the lead time (at inventory.service_level) "
    "and reviewed continuously, from when adoption passes 50%",
}


@cache
def _adapter(root: type[BaseModel], path: str) -> TypeAdapter[Any]:
    """A validator for the value of one effectable parameter, taken from the schema itself."""
    model = root
    parts = path.split(".")
    for part in parts[:-1]:
        model = _unwrap(model.model_fields[part].annotation)
    field = model.model_fields[parts[-1]]
    annotation = (
        Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    )
    return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))


def _unwrap(annotation: Any) -> type[BaseModel]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    raise TypeError(f"not a model field: {annotation!r} ({get_origin(annotation)})")


def validate_effects(effects: dict[str, Any], root: type[BaseModel]) -> dict[str, Any]:
    """Check every effect names an effectable parameter and has a valid value for it.

    ``root`` is the scenario model the parameter paths start from.
    """
    out: dict[str, Any] = {}
    problems: list[str] = []
    for path, value in effects.items():
        if path not in EFFECTABLE:
            hint = difflib.get_close_matches(path, list(EFFECTABLE), n=1, cutoff=0.5)
            maybe = f"did you mean {hint[0]!r}? " if hint else ""
            problems.append(
                f"{path!r} is not a parameter an automation can change; {maybe}"
                f"allowed: {', '.join(EFFECTABLE)}"
            )
            continue
        try:
            out[path] = _adapter(root, path).validate_python(value)
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
            problems.append(f"{path}: {msg} (got {value!r})")
    if problems:
        raise ValueError("; ".join(problems))
    return out


def get_param(model: BaseModel, path: str) -> Any:
    """Read a dotted parameter path from a scenario."""
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return value


def override(model: BaseModel, path: str, value: Any) -> Any:
    """Return a copy of ``model`` with the dotted ``path`` set to ``value`` (no re-validation)."""
    head, _, rest = path.partition(".")
    if not rest:
        return model.model_copy(update={head: value})
    return model.model_copy(update={head: override(getattr(model, head), rest, value)})
