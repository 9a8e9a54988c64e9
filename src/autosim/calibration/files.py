"""Writing calibration outputs atomically: a file appears complete or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from autosim.present.figures import write_atomic

__all__ = ["write_bytes_atomic", "write_text_atomic"]


def write_bytes_atomic(path: str | os.PathLike[str], payload: bytes) -> Path:
    """Write to a temporary file in the same folder, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, payload)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """UTF-8 text, atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))
