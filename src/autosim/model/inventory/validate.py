"""Checks on the stock engine's inputs: a number of days, whole-number and day arrays.

The policies (:mod:`autosim.model.inventory.policy`), the demand and supply arrays
(:mod:`autosim.model.inventory.arrays`) and the engine's own arguments
(:mod:`autosim.model.inventory.engine`) all take days and counts from the caller; this module
owns the one way each is checked and converted, so every input is refused with the same message
and stored in the same read-only form.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["day_array", "days", "whole_numbers"]


def days(name: str, value: object, *, positive: bool) -> float:
    """A finite number of days, > 0 (``positive``) or >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{name} must be a number of days (got {value!r})")
    number = float(value)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'} days (got {value!r})")
    return number


def whole_numbers(name: str, values: object, minimum: int | None = None) -> np.ndarray:
    """A read-only 1-D int64 array of whole numbers (2.0 is accepted, 2.5 is not)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (got shape {arr.shape})")
    if arr.size and not (np.issubdtype(arr.dtype, np.integer) or np.all(np.mod(arr, 1) == 0)):
        raise ValueError(f"{name} must hold whole numbers")
    out = arr.astype(np.int64)
    if minimum is not None and out.size and out.min() < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {out.min()})")
    out.flags.writeable = False
    return out


def day_array(name: str, values: object) -> np.ndarray:
    """A read-only float array (0-D for a constant, 1-D for draws) of finite values >= 0."""
    arr = np.array(values, dtype=np.float64)
    if arr.ndim > 1 or not np.all(np.isfinite(arr)) or (arr.size and arr.min() < 0):
        raise ValueError(f"{name} must be a number or 1-D array of finite days >= 0")
    arr.flags.writeable = False
    return arr
