"""Writing a run's files: summary, tidy frames, manifest — atomically, or not at all.

Everything is first written into a temporary folder next to the destination and moved into place
only when complete, so an interrupted or failed run never leaves a half-written file and never
touches results that were already there.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from autosim.atomic import write_atomic
from autosim.errors import RunError
from autosim.experiment.variants import Variant
from autosim.scenario.schema import Scenario

__all__ = [
    "OUTPUT_FILES",
    "RunResults",
    "check_writable",
    "figures_not_drawn",
    "json_safe",
    "prepare_out_dir",
    "write_error",
    "write_json",
    "write_outputs",
]

OUTPUT_FILES = ("summary.json", "replications.parquet", "cash.parquet", "manifest.json")
_DEPENDENCIES = (
    "simpy",
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "pyarrow",
    "numpy-financial",
    "SALib",
)


def json_safe(value: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) by null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


#: Figures a run normally has, and what each needs (reported when one cannot be drawn).
_FIGURE_NEEDS = {
    "roi.png": "an automation with a 'roi' column",
    "npv.png": "an automation with an 'npv' column",
    "convergence_npv.png": "an automation with an 'npv' column",
    "response_time_p90.png": "a response-time KPI column",
    "cash_fan.png": "the daily cash ledger",
}


def figures_not_drawn(
    variants: Sequence[Variant], files: dict[str, bytes], kpis_only: bool = False
) -> list[str]:
    """A note for each standard figure missing from ``files``: no figure is dropped unsaid."""
    automations = any(v.automations for v in variants)
    notes = []
    for name, needs in _FIGURE_NEEDS.items():
        if name in files or (not automations and needs.startswith("an automation")):
            continue
        why = " (--kpis-only keeps none)" if name == "cash_fan.png" and kpis_only else ""
        notes.append(f"{name} not drawn: the run has no {needs}{why}")
    return notes


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write JSON atomically (NaN is refused: pass the data through :func:`json_safe`)."""
    return write_atomic(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


class RunResults(Protocol):
    """What the writer needs of a run: its frames, how it was made, and its summary."""

    scenario: Scenario
    variants: Sequence[Variant]
    replications: pd.DataFrame
    cash: pd.DataFrame
    seed: int
    seed_given: bool
    timing: dict[str, Any]
    n_replications: int

    def summary(self) -> dict[str, Any]:
        """The content of summary.json."""
        ...


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def write_error(exc: OSError, where: str | os.PathLike[str]) -> RunError:
    """A failed write as the one-line error the user can act on (a full disk above all)."""
    full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) or (
        "No space left" in str(exc)
    )
    reason = "no space left on the disk" if full else (exc.strerror or str(exc))
    return RunError(f"cannot write {exc.filename or where}: {reason}")


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Refuse, before any work, a file path that cannot be written (a folder, no such parent)."""
    file = Path(path)
    if file.is_dir():
        raise RunError(f"{file} is a folder: give a file name, e.g. {file / 'comparison.json'}")
    prepare_out_dir(file.parent)
    return file


def prepare_out_dir(out_dir: str | os.PathLike[str]) -> Path:
    """Create the output folder (and parents) or say clearly why it cannot be written."""
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise RunError(f"output path {path} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".autosim-probe-"):
            pass
    except OSError as exc:
        raise RunError(f"cannot write to output folder {path}: {exc.strerror or exc}") from None
    return path


def _timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


def manifest(
    results: RunResults, scenario_path: str | os.PathLike[str] | None, argv: Sequence[str] | None
) -> dict[str, Any]:
    """What is needed to reproduce the run."""
    info: dict[str, Any] = {
        "scenario": results.scenario.name,
        "scenario_file": None,
        "scenario_sha256": None,
        "seed": results.seed,
        "seed_given": results.seed_given,
        "replications": results.n_replications,
        "replications_request": results.timing.get("request", results.n_replications),
        "variants": [{"id": v.id, "automations": list(v.automations)} for v in results.variants],
        "autosim_version": _version("autosim"),
        "python": platform.python_version(),
        "dependencies": {name: _version(name) for name in _DEPENDENCIES},
        "command": list(argv) if argv is not None else sys.argv,
        "started": _timestamp(results.timing.get("started")),
        "finished": _timestamp(results.timing.get("finished")),
        "executor": results.timing.get("executor"),
        "workers": results.timing.get("workers"),
        "chunk_size": results.timing.get("chunk_size"),
        "events_simulated": results.timing.get("n_events"),
    }
    if scenario_path is not None:
        data = Path(scenario_path).read_bytes()
        info["scenario_file"] = str(scenario_path)
        info["scenario_sha256"] = hashlib.sha256(data).hexdigest()
        info["scenario_copy"] = "scenario.yaml"
    return info


def write_outputs(
    results: RunResults,
    out_dir: str | os.PathLike[str],
    *,
    scenario_path: str | os.PathLike[str] | None = None,
    argv: Sequence[str] | None = None,
    extra_files: dict[str, bytes] | None = None,
    sections: dict[str, Any] | None = None,
    on_publish: Callable[[], object] | None = None,
) -> list[Path]:
    """Write the run's files into ``out_dir`` atomically; return their paths.

    ``sections`` are extra top-level entries of summary.json (e.g. ``sobol``, ``variance``).
    ``on_publish`` is called once every file is complete in the staging folder, just before
    they move into place (a failure before that point leaves ``out_dir`` untouched). The
    manifest lists every file of the run (``files``), so the next run knows what to set aside.
    """
    target = prepare_out_dir(out_dir)
    try:
        return _write_staged(
            results, target, scenario_path, argv, extra_files or {}, sections, on_publish
        )
    except OSError as exc:  # a full disk, a quota, a folder gone read-only
        raise write_error(exc, target) from None


def _write_staged(
    results: RunResults,
    target: Path,
    scenario_path: str | os.PathLike[str] | None,
    argv: Sequence[str] | None,
    extra_files: dict[str, bytes],
    sections: dict[str, Any] | None,
    on_publish: Callable[[], object] | None,
) -> list[Path]:
    """Write everything into a staging folder in ``target``, then move it into place."""
    staging = Path(tempfile.mkdtemp(prefix=".autosim-tmp-", dir=target))
    try:
        summary = {**results.summary(), **(sections or {})}
        (staging / "summary.json").write_text(
            json.dumps(json_safe(summary), indent=2, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        results.replications.to_parquet(staging / "replications.parquet", index=False)
        results.cash.to_parquet(staging / "cash.parquet", index=False)
        if scenario_path is not None:
            shutil.copyfile(scenario_path, staging / "scenario.yaml")
        for name, payload in extra_files.items():
            (staging / name).write_bytes(payload)
        info = manifest(results, scenario_path, argv)
        info["files"] = sorted([*(p.name for p in staging.iterdir()), "manifest.json"])
        (staging / "manifest.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        if on_publish is not None:
            on_publish()  # e.g. move the previous run aside, now that the new one is complete
        written = []
        for item in sorted(staging.iterdir()):
            destination = target / item.name
            os.replace(item, destination)
            written.append(destination)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
