"""How an automation's purchase is paid for: ``automations[].financing`` in the scenario file.

Owns the file form of the three ways a small business pays for equipment or software — cash up
front (the default), a loan (annual ``rate``, ``term``, ``down_payment``) or a lease
(``monthly`` payment, ``term``, ``residual``) — and the checks an analyst needs to hear about at
load time: a kind must be one of the three, each kind takes its own options and refuses the
others, terms are whole months, a down payment fits inside the up-front price. What the
payments are and when they fall is the model's business (:mod:`autosim.model.financing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import field_validator, model_validator

from autosim.scenario.fields import Money, Scalar, Uncertain
from autosim.scenario.schema_base import Frozen, Loc
from autosim.units import parse_duration

__all__ = ["MONTH_MINUTES", "Financing", "financing_problems"]

#: One month in minutes (the units module's average Gregorian month: 12 make 365.25 days).
MONTH_MINUTES = parse_duration("1 month")

#: The options each kind takes: (required, optional).
_OPTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "upfront": ((), ()),
    "loan": (("rate", "term"), ("down_payment",)),
    "lease": (("monthly", "term"), ("residual",)),
}
_ALL = ("rate", "term", "down_payment", "monthly", "residual")


class Financing(Frozen):
    """Cash up front, a loan on the up-front cost, or a lease instead of buying.

    ``loan``: the up-front cost less ``down_payment`` is borrowed at the nominal annual ``rate``
    (``rate / 12`` a month) and repaid in equal monthly instalments over ``term``.
    ``lease``: no purchase; ``monthly`` is paid for ``term`` and ``residual`` at its end.
    """

    kind: Literal["upfront", "loan", "lease"] = "upfront"
    rate: Scalar(0.0, 1.0) | None = None
    term: float | None = None
    down_payment: Money | None = None
    monthly: Money | None = None
    residual: Money | None = None

    @field_validator("term", mode="before")
    @classmethod
    def _whole_months(cls, value: object) -> object:
        if value is None:
            return None
        minutes = parse_duration(value)
        months = minutes / MONTH_MINUTES
        if minutes <= 0 or abs(months - round(months)) > 1e-6:
            raise ValueError(
                f"term must be a whole number of months above 0, such as '36 month' or "
                f"'3 year' (got {value!r})"
            )
        return minutes

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Financing:
        required, optional = _OPTIONS[self.kind]
        missing = [n for n in required if getattr(self, n) is None]
        if missing:
            raise ValueError(
                f"a {self.kind} needs {' and '.join(missing)} "
                f"(a {self.kind} takes {', '.join(required + optional)})"
            )
        unused = [n for n in _ALL if getattr(self, n) is not None and n not in required + optional]
        if unused:
            if self.kind == "upfront":
                raise ValueError(
                    f"paying up front (the default kind) does not use {', '.join(unused)}; set "
                    "kind: loan (rate, term, down_payment) or lease (monthly, term, residual)"
                )
            raise ValueError(
                f"a {self.kind} does not use {', '.join(unused)} "
                f"(a {self.kind} takes {', '.join(required + optional)})"
            )
        return self

    @property
    def months(self) -> int:
        """The term in whole months (0 when paid up front)."""
        return 0 if self.term is None else round(self.term / MONTH_MINUTES)


def _bounds(value: float | Uncertain | None) -> tuple[float, float]:
    """Lowest and highest value a plain or uncertain amount can take (0 when absent)."""
    if value is None:
        return (0.0, 0.0)
    if isinstance(value, Uncertain):
        return tuple(float(v) for v in value.dist.support)  # type: ignore[return-value]
    return (float(value), float(value))


def financing_problems(automations: Sequence[Any]) -> list[tuple[Loc, str]]:
    """The down payment must fit inside the up-front cost it pays part of (whatever is drawn)."""
    problems: list[tuple[Loc, str]] = []
    for i, auto in enumerate(automations):
        financing = auto.financing
        if financing.kind != "loan" or financing.down_payment is None:
            continue
        down_high = _bounds(financing.down_payment)[1]
        upfront_low = _bounds(auto.costs.upfront)[0]
        if down_high > upfront_low:
            problems.append(
                (
                    ("automations", i, "financing", "down_payment"),
                    f"must be between 0 and the up-front cost it pays part of "
                    f"(costs.upfront is {upfront_low:g} at the lowest; down_payment can be "
                    f"{down_high:g})",
                )
            )
    return problems
