"""The base class every scenario schema object shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Frozen", "require_unique_ids"]


class Frozen(BaseModel):
    """Base for schema objects: immutable, no unknown keys, arbitrary value types allowed."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def require_unique_ids(items: Sequence[Any], what: str) -> None:
    """Raise a ValueError naming repeated ``id`` values (ids name things across the file)."""
    ids = [item.id for item in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} ids must be unique (repeated: {', '.join(dupes)})")
