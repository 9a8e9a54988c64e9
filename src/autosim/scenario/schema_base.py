"""What every scenario schema object shares: the frozen base model and the id rules.

This is the bottom of the schema modules: the section modules (dispatch, invoicing, inventory,
roadmaps, ...) and the top-level :class:`~autosim.scenario.schema.Scenario` all build on it, and
it imports none of them. Ids name things across the file (a bundle lists automations by id, a
goal filters by job type), so the rules for writing one, and for keeping them unique, live here
once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["ID", "Frozen", "Loc", "check_id", "require_unique_ids", "variant_id"]

#: A valid id: letters, digits, ``_`` or ``-``, starting with a letter or ``_``.
ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")

#: Where a problem sits in the file: the path of keys and list indices to it.
Loc = tuple[str | int, ...]


class Frozen(BaseModel):
    """Base for schema objects: immutable, no unknown keys, arbitrary value types allowed."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def require_unique_ids(items: Sequence[Any], what: str) -> None:
    """Raise a ValueError naming repeated ``id`` values (ids name things across the file)."""
    ids = [item.id for item in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} ids must be unique (repeated: {', '.join(dupes)})")


def check_id(value: str) -> str:
    """Return ``value`` if it is a valid id (job types, segments, items), else raise."""
    if not ID.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use letters, digits, '_' or '-', starting with a letter"
        )
    return value


def variant_id(value: str, what: str) -> str:
    """Automation, bundle and roadmap ids name variants: identifiers, and never "baseline"."""
    if not ID.match(value) or value == "baseline":
        raise ValueError(f"{value!r} is not a valid {what} id (letters, digits, _ or -)")
    return value
