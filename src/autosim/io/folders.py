"""Output folders: whose files they hold, and keeping the previous run when a new one lands.

The analyst's loop is edit, run, look, edit: the same command into the same folder, with a new
scenario content or a new seed each time. The folder always shows the latest run (a stable
``out/<scenario>/report.html`` to keep open), and each earlier finished run is moved, whole, into
``history/<finished time>-seed<seed>/`` inside it before the new files arrive — nothing is ever
lost and nothing needs ``--overwrite``. ``--overwrite`` replaces the previous run instead (its
files removed, so no stale report or figure stays beside the new data).

A folder autosim did not fill is not autosim's to write into: a folder with files but no
``manifest.json`` is refused unless the user insists (``--overwrite``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from autosim.errors import RunError

__all__ = ["HISTORY", "check_destination", "previous_run_files", "replace_previous_run"]

#: Subfolder of an output folder holding earlier runs.
HISTORY = "history"
#: What a run writes besides its figures (older manifests do not list their files).
_KNOWN = (
    "summary.json",
    "replications.parquet",
    "cash.parquet",
    "manifest.json",
    "scenario.yaml",
    "report.html",
    "sobol.csv",
    "variance.csv",
)


def _manifest(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / "manifest.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def previous_run_files(out_dir: Path) -> list[Path]:
    """The files of the finished run in ``out_dir`` (empty when there is none)."""
    manifest = _manifest(out_dir)
    if manifest is None:
        return []
    names = manifest.get("files")
    if not isinstance(names, list):
        names = [*_KNOWN, *(p.name for p in out_dir.glob("*.png"))]
    return [out_dir / str(n) for n in dict.fromkeys(names) if (out_dir / str(n)).is_file()]


def check_destination(out: str | Path | None, *, insist: bool = False) -> None:
    """Refuse an empty path, and a folder holding files autosim did not write (unless ``insist``).

    A folder is autosim's when it has a run's ``manifest.json`` or an unfinished run's state;
    an empty folder, or one holding only hidden files, is free.
    """
    if out is not None and str(out).strip() == "":
        raise RunError('--out "" is not a folder: give a path, or leave --out out for the default')
    if out is None:
        return
    path = Path(out)
    if not path.is_dir() or insist:
        return
    if (path / "manifest.json").is_file() or (path / ".autosim-run").is_dir():
        return
    foreign = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))
    if foreign:
        shown = ", ".join(foreign[:4]) + (" ..." if len(foreign) > 4 else "")
        raise RunError(
            f"{path} holds files autosim did not write ({shown}); choose a new or empty folder "
            "with --out, or add --overwrite to write into it anyway"
        )


def _history_name(manifest: dict[str, Any]) -> str:
    finished = str(manifest.get("finished") or dt.datetime.now(dt.UTC).isoformat())
    stamp = finished.replace(":", "-").replace("+00-00", "Z")[:20]
    return f"{stamp}-seed{manifest.get('seed', 'unknown')}"


def replace_previous_run(out_dir: Path, *, keep: bool = True) -> Path | None:
    """Clear the previous finished run out of ``out_dir``; return where it was kept, if kept.

    With ``keep`` its files move into ``history/<finished>-seed<seed>/`` (a suffix makes the
    name unique); otherwise they are deleted.
    """
    files = previous_run_files(out_dir)
    if not files:
        return None
    if not keep:
        for file in files:
            file.unlink(missing_ok=True)
        return None
    base = out_dir / HISTORY / _history_name(_manifest(out_dir) or {})
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    target.mkdir(parents=True)
    for file in files:
        shutil.move(str(file), target / file.name)
    return target
