"""Re-opening a run's output folder: the frames, the summary, the manifest, the scenario copy.

``autosim run`` leaves a folder (``summary.json``, ``replications.parquet``, ``cash.parquet``,
``manifest.json``, a copy of ``scenario.yaml``). :class:`SavedResults` reads it back and offers
what figures and the report need from a run in memory (``replications``, ``cash``, ``summary()``,
``scenario``, ``variants``, ``seed``), like reopening last year's ledger instead of redoing the
year. Every file is checked as it is read, and a missing or damaged one raises
:class:`~autosim.errors.RunError` naming it. The scenario copy is kept as text for the report
and validated only through the scenario loader, never parsed here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from autosim.errors import AutosimError, RunError
from autosim.experiment.variants import Variant

if TYPE_CHECKING:
    from autosim.scenario.schema import Scenario

__all__ = ["SavedResults"]

_SUMMARY_KEYS = ("scenario", "currency", "replications", "seed", "variants")
_DAY = 1440.0  # minutes


class SavedResults:
    """A run re-read from its output folder: the frames, the summary and the manifest.

    Figures come from ``autosim.present.figures.PlotAccessor(saved)``, the report from
    ``autosim.present.report.write_report(saved, folder)``.
    """

    def __init__(
        self,
        path: Path,
        summary: dict[str, Any],
        replications: pd.DataFrame,
        cash: pd.DataFrame,
        manifest: dict[str, Any],
        scenario_text: str | None = None,
    ) -> None:
        self.path = path
        self._summary = summary
        self.replications = replications
        self.cash = cash
        self.manifest = manifest
        self.scenario_text = scenario_text
        self._scenario: Scenario | bool | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SavedResults:
        """Read an output folder; a missing or unreadable file raises :class:`RunError`."""
        folder = Path(path)
        if not folder.is_dir():
            raise RunError(f"{folder}: no such output folder")
        summary = _read_json(folder / "summary.json")
        missing = [key for key in _SUMMARY_KEYS if key not in summary]
        if missing or not isinstance(summary.get("variants"), list):
            raise RunError(
                f"{folder / 'summary.json'}: not an autosim summary "
                f"(missing or invalid: {', '.join(missing or ['variants'])})"
            )
        manifest = _read_json(folder / "manifest.json")
        replications = _read_parquet(folder / "replications.parquet", ("variant", "replication"))
        cash = _read_parquet(folder / "cash.parquet", ("variant", "replication", "day", "balance"))
        text = None
        if (folder / "scenario.yaml").exists():
            try:
                text = (folder / "scenario.yaml").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise RunError(f"{folder / 'scenario.yaml'}: cannot be read ({exc})") from None
        return cls(folder, summary, replications, cash, manifest, text)

    @property
    def scenario(self) -> Scenario | None:
        """The saved scenario copy, validated (None when absent or no longer valid)."""
        if self._scenario is None and self.scenario_text:
            from autosim.scenario import scenario_from_text

            source = str(self.path / "scenario.yaml")
            try:
                self._scenario = scenario_from_text(self.scenario_text, source=source)
            except AutosimError:
                self._scenario = False
        return self._scenario or None

    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json`` (the same dict on every call)."""
        return self._summary

    @property
    def variants(self) -> tuple[Variant, ...]:
        """The variants compared, in run order; a roadmap's purchase days from its phases."""
        roadmaps = {r["id"]: r for r in (self._summary.get("roadmap") or {}).get("roadmaps", [])}
        out = []
        for v in self._summary["variants"]:
            automations = tuple(str(a) for a in v.get("automations") or ())
            starts = _starts(roadmaps.get(v["id"]), automations)
            out.append(Variant(str(v["id"]), automations, starts))
        return tuple(out)

    @property
    def seed(self) -> int:
        """The seed the run used (given, or drawn from the OS and recorded)."""
        return int(self._summary["seed"])

    @property
    def seed_given(self) -> bool | None:
        """Whether the seed was given on the command line (None when the manifest does not say)."""
        return self.manifest.get("seed_given")

    @property
    def n_replications(self) -> int:
        """Replications per variant."""
        return int(self._summary["replications"])


def _starts(roadmap: dict[str, Any] | None, automations: Sequence[str]) -> tuple[float, ...]:
    """Purchase time (minutes) of each automation of a roadmap, in the variant's order."""
    if not roadmap:
        return ()
    day = {a: float(p["start_day"]) for p in roadmap["phases"] for a in p["automations"]}
    if not set(automations) <= set(day):
        return ()
    return tuple(day[a] * _DAY for a in automations)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RunError(f"{path}: missing (is {path.parent} an autosim output folder?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise RunError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _read_parquet(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise RunError(f"{path}: missing (is {path.parent} an autosim output folder?)")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise RunError(f"{path}: not a readable parquet table ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame
