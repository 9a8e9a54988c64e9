"""The one way autosim writes a file: completely, or not at all.

Every file a run, a report or a calibration leaves behind is first written under a temporary
name in the destination's own folder and then renamed into place (a rename within one folder is
atomic on POSIX), so an interrupted write never leaves half a file and never damages the file
that was there before. Files get the permissions the user's umask gives any new file (0644
under the usual 022), whichever writer made them: ``tempfile.mkstemp`` would make them 0600.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

__all__ = ["temporary_sibling", "write_atomic"]

Payload = bytes | str | Callable[[Path], object]


def temporary_sibling(path: Path) -> Path:
    """A fresh hidden name next to ``path`` (same folder, so the final rename is atomic)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def write_atomic(path: str | os.PathLike[str], payload: Payload, encoding: str = "utf-8") -> Path:
    """Write ``payload`` to ``path`` atomically and return the path.

    ``payload`` is bytes, text (encoded with ``encoding``), or a function that writes a file at
    the path it is given (e.g. ``lambda p: frame.to_parquet(p)``). Parent folders are created.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temporary_sibling(target)
    try:
        if callable(payload):
            payload(temp)
        else:
            data = payload.encode(encoding) if isinstance(payload, str) else payload
            with open(temp, "xb") as handle:  # mode 0666 & ~umask, like any new file
                handle.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target
