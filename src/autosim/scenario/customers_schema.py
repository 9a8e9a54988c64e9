"""The ``customers`` section of a scenario: repeat and referral demand, segment by segment.

Owns how customers come back (repeat jobs, referrals, after how long) and what lowers the chance
that they do: a late arrival, an invoice error, an impersonal contact for those who value a
person. The model that turns this into extra demand is :mod:`autosim.model.customers`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from autosim.dists import Constant
from autosim.scenario.fields import DistField, Minutes, Probability
from autosim.scenario.schema_base import Frozen

__all__ = ["Customers", "SegmentLoyalty"]


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
