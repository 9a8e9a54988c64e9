"""The ``invoicing`` section of a scenario: from a completed job to cash in the bank.

Owns the office's side of a job — preparing the invoice (in batch runs, or on site with a mobile
app), errors and their rework, card payment on site — and each segment's payment behaviour
(terms, lateness, bad debt). Which segments exist is the dispatch section's business; the check
that every segment has payment terms needs both, so it lives with the whole scenario
(:func:`autosim.scenario.schema.cross_problems`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from autosim.dists import Constant
from autosim.scenario.fields import DistField, Minutes, Money, Probability, Scalar
from autosim.scenario.schema_base import Frozen

__all__ = ["EarlyPayment", "Invoicing", "Payment"]


class EarlyPayment(Frozen):
    """A discount for paying soon (``2/10 net 30``: 2% off when paid within 10 days).

    ``share`` of the segment's invoiced customers take it: they pay within ``within`` of the
    invoice and keep ``discount`` (a fraction of the invoice) for themselves.
    """

    discount: Scalar(0.0, 0.5)
    within: Minutes
    share: Probability

    @field_validator("within")
    @classmethod
    def _window(cls, value: object) -> object:
        if isinstance(value, float) and value <= 0:
            raise ValueError("within must be longer than 0 (e.g. '10 day' for 2/10 net 30)")
        return value


class Payment(Frozen):
    """How one segment pays: terms (due after the invoice), lateness, bad debt, early payment."""

    terms: Minutes = 0.0
    paid_after_due: DistField("duration") = Constant(0.0)
    bad_debt_prob: Probability = 0.0
    early_payment: EarlyPayment | None = None

    @model_validator(mode="after")
    def _window_before_due(self) -> Payment:
        early = self.early_payment
        if early is None:
            return self
        within, terms = early.within, self.terms
        if isinstance(within, float) and isinstance(terms, float) and within > terms:
            raise ValueError(
                f"early_payment.within ({within / 1440:g} day) must end by the due date "
                f"(terms: {terms / 1440:g} day): a discount for paying early needs terms longer "
                "than its window"
            )
        return self


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
