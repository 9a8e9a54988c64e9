"""How the report writes numbers: one house rule for every table and sentence.

Money to the unit (or short, ``154k``, in a narrow cell), shares and probabilities in percent,
ROI — a ratio in the data, net gain per unit of cost — as a signed percentage (18.0 is
``+1,800%``) everywhere, anything else to three figures, and "—" for a value that does not exist.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite", "fmt", "months", "months_text", "pct", "roi_pct", "short_money", "signed"]


def finite(value: Any) -> bool:
    """A real, finite number (not None, NaN or infinite)."""
    return isinstance(value, int | float) and math.isfinite(value)


def fmt(value: Any, unit: str = "") -> str:
    """A number as people read it: money to the unit, shares in percent, else 3 figures."""
    if not finite(value):
        return "—"
    if unit == "money":
        return f"{value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    size = abs(value)
    return f"{value:,.0f}" if size >= 1000 else f"{value:.1f}" if size >= 10 else f"{value:.3g}"


def signed(value: Any, unit: str) -> str:
    """A change with its sign: ``+12.5``, ``-3 pp`` for shares."""
    if not finite(value):
        return "—"
    if unit == "share":
        text = f"{100 * value:+.1f} pp"
        return "0.0 pp" if text in ("+0.0 pp", "-0.0 pp") else text
    text = fmt(value, unit)
    return text if text.startswith("-") else f"+{text}"


def pct(value: Any) -> str:
    """A share as a whole percentage: 0.473 -> 47% (never ``-0%``)."""
    if not finite(value):
        return "—"
    text = f"{value:.0%}"
    return "0%" if text == "-0%" else text


def roi_pct(value: Any) -> str:
    """ROI (a ratio: net gain per unit of cost) as a signed percentage: 18.0 -> +1,800%."""
    if not finite(value):
        return "—"
    text = f"{100 * value:+,.0f}%"
    return "0%" if text in ("+0%", "-0%") else text


def short_money(value: Any) -> str:
    """Money for a narrow cell: 1.37M, 154k, 9,500, −2.2k."""
    if not finite(value):
        return "—"
    size = abs(value)
    if size >= 1e6:
        text = f"{value / 1e6:.2f}M"
    elif size >= 1e4:
        text = f"{value / 1e3:.0f}k"
    elif size >= 1e3:
        text = f"{value / 1e3:.1f}k"
    else:
        text = f"{value:,.0f}"
    return text.replace("-", "\u2212")


def months(value: Any) -> str:
    """A duration in months to one decimal: 1.6, 18 (no trailing ``.0``)."""
    if not finite(value):
        return "—"
    return f"{value:,.1f}".removesuffix(".0")


def months_text(value: Any) -> str:
    """``1 month``, ``2.5 months``; "—" when there is no value."""
    if not finite(value):
        return "—"
    text = months(value)
    return f"{text} month" if text == "1" else f"{text} months"
