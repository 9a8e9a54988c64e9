"""Finding and fixing the uncertain inputs of a scenario for one replication.

A replication is one possible world: demand growth is 4% in this one, adoption reaches 70%. Each
``{uncertain: ...}`` value is found by its path (a stable, readable name such as
``dispatch.job_types.emergency.rate_per_day``), sampled once per replication from its own named
random stream, and written into a plain copy of the scenario that the models then read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from autosim.scenario.fields import Uncertain

__all__ = ["resolve", "uncertain_inputs"]

M = TypeVar("M", bound=BaseModel)


def _key(item: Any, index: int) -> str:
    """Name a list element by its id where it has one, so names survive reordering."""
    return str(getattr(item, "id", index))


def _walk(value: Any, path: str, visit: Callable[[str, Uncertain], Any]) -> Any:
    """Rebuild ``value`` with every Uncertain replaced by ``visit(path, u)``; share the rest."""
    if isinstance(value, Uncertain):
        return visit(path, value)
    if isinstance(value, BaseModel):
        update = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _walk(old, f"{path}.{name}" if path else name, visit)
            if new is not old:
                update[name] = new
        return value.model_copy(update=update) if update else value
    if isinstance(value, tuple):
        items = [_walk(v, f"{path}.{_key(v, i)}", visit) for i, v in enumerate(value)]
        changed = any(n is not o for n, o in zip(items, value, strict=True))
        return tuple(items) if changed else value
    if isinstance(value, dict):
        items = {k: _walk(v, f"{path}.{k}", visit) for k, v in value.items()}
        changed = any(items[k] is not value[k] for k in value)
        return items if changed else value
    return value


def uncertain_inputs(model: BaseModel) -> dict[str, Uncertain]:
    """All uncertain values of a scenario, by path, in file order."""
    found: dict[str, Uncertain] = {}

    def collect(path: str, u: Uncertain) -> Uncertain:
        found[path] = u
        return u

    _walk(model, "", collect)
    return found


def resolve(model: M, values: dict[str, float]) -> M:
    """Return a copy of ``model`` with each uncertain value replaced by ``values[path]``."""
    return _walk(model, "", lambda path, _u: float(values[path]))
