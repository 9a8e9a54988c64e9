"""Argument types shared by the commands: whole numbers, seeds, fractions.

Each turns a bad value into argparse's own one-line usage error, never a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

__all__ = ["fraction", "path", "positive", "seed", "whole"]


def whole(minimum: int) -> Callable[[str], int]:
    """A whole number at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum} (got {value})")
        return value

    return parse


#: A whole number >= 1 (replications, jobs, chunk sizes).
positive = whole(1)


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 (got {value})")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.05, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {value})")
    return value


def path(text: str) -> Path:
    """A file or folder path; an empty one (``--out ""``) would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError('"" is not a path: give one, or leave the option out')
    return Path(text)
