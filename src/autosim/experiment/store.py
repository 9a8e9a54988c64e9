"""Where finished chunks go: kept in memory, or streamed to disk so a long sweep can resume.

Like a shop that files each day's takings in the safe as soon as the till is counted: a power cut
loses at most the day in progress, and the next morning starts from the last envelope filed. Each
finished chunk becomes two small frames (its replications' rows and daily cash); a
:class:`ChunkStore` writes them as Parquet parts into ``<out>/.autosim-run/`` (each file written to
a temporary name, then renamed) and records the chunk in ``run.json`` only after its parts are in
place. Nothing is written before the first chunk finishes, so an early failure leaves the folder
as it was. At the end the parts are combined into exactly the frames an in-memory run gives.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from autosim.errors import RunError

if TYPE_CHECKING:
    from autosim.experiment.runner import ReplicationResult, Variant
    from autosim.scenario.schema import Scenario

__all__ = ["RUN_FOLDER", "ChunkStore", "MemoryParts", "check_folder", "chunk_frames"]

#: Hidden subfolder of the output folder holding an unfinished run's parts and state.
RUN_FOLDER = ".autosim-run"
#: Fields of a run that must match before parts may be combined or resumed.
IDENTITY = ("scenario_sha256", "seed", "replications", "chunk_size", "variants", "keep_cash")


def chunk_frames(
    scenario: Scenario, variants: Sequence[Variant], results: Sequence[ReplicationResult]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows and daily cash of one chunk, built exactly as for a whole run."""
    from autosim.results import Results

    part = Results.from_replications(scenario, variants, results, seed=0)
    return part.replications, part.cash


def combine(
    variants: Sequence[Variant], rows: list[pd.DataFrame], cash: list[pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concatenate chunk parts (in replication order) into the whole run's frames."""
    order = {v.id: i for i, v in enumerate(variants)}

    def whole(parts: list[pd.DataFrame]) -> pd.DataFrame:
        if not parts:
            return pd.DataFrame()
        if len(parts) == 1:
            return parts[0].reset_index(drop=True)
        frame = pd.concat(parts, ignore_index=True)
        rank = frame["variant"].map(order).to_numpy()
        keys = pd.DataFrame({"v": rank, "r": frame["replication"].to_numpy()})
        index = keys.sort_values(["v", "r"], kind="stable").index
        return frame.take(index).reset_index(drop=True)

    return whole(rows), whole(cash)


class MemoryParts:
    """Chunks kept in memory (a notebook's run): one small frame pair per chunk."""

    def __init__(self) -> None:
        self.done: dict[tuple[int, int], int] = {}  # (start, stop) -> events simulated
        self._parts: dict[tuple[int, int], tuple[pd.DataFrame, pd.DataFrame]] = {}

    def start(self, info: dict[str, Any]) -> None:
        """Begin a run described by ``info`` (seed, chunking, variants...)."""

    def add(self, span: tuple[int, int], rows: pd.DataFrame, cash: pd.DataFrame, events: int):
        """Keep one finished chunk."""
        self._parts[span] = (rows, cash)
        self.done[span] = events

    def frames(self, variants: Sequence[Variant]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole run's replications and cash frames."""
        spans = sorted(self._parts)
        return combine(
            variants, [self._parts[s][0] for s in spans], [self._parts[s][1] for s in spans]
        )

    def rows(self, variants: Sequence[Variant]) -> pd.DataFrame:
        """The replications frame so far (no cash: what a stopping rule looks at)."""
        spans = sorted(self._parts)
        return combine(variants, [self._parts[s][0] for s in spans], [])[0]

    @property
    def n_done(self) -> int:
        """Replications finished so far."""
        return sum(b - a for a, b in self.done)


class ChunkStore(MemoryParts):
    """Chunks streamed to ``<out_dir>/.autosim-run/`` as Parquet parts plus ``run.json``.

    With ``resume=True`` the chunks recorded by an earlier, interrupted run of the same
    experiment are skipped; otherwise any earlier parts are discarded when the first new chunk
    is saved.
    """

    def __init__(self, out_dir: str | os.PathLike[str], *, resume: bool = False) -> None:
        super().__init__()
        self.folder = Path(out_dir) / RUN_FOLDER
        self.resume = resume
        self._info: dict[str, Any] = {}
        self._fresh = True

    def saved(self) -> dict[str, Any] | None:
        """The state of an unfinished run in this folder, or None."""
        path = self.folder / "run.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RunError(f"{path}: unreadable run state ({exc}); use --overwrite") from None

    def start(self, info: dict[str, Any]) -> None:
        """Begin (or, with ``resume``, continue) the run described by ``info``."""
        self._info = dict(info)
        saved = self.saved() if self.resume else None
        if saved is None:
            return
        differ = [k for k in IDENTITY if saved.get(k) != info.get(k)]
        if differ:
            raise RunError(
                f"{self.folder.parent}: the unfinished run differs in {', '.join(differ)}; "
                "use --overwrite to discard it, or another --out"
            )
        for span, events in saved.get("done", []):
            key = (int(span[0]), int(span[1]))
            if all(self._part(kind, key).is_file() for kind in ("rows", "cash")):
                self.done[key] = int(events)
        self._fresh = False

    def _part(self, kind: str, span: tuple[int, int]) -> Path:
        return self.folder / f"{kind}-{span[0]:09d}-{span[1]:09d}.parquet"

    def add(self, span: tuple[int, int], rows: pd.DataFrame, cash: pd.DataFrame, events: int):
        """Save one finished chunk: parts first, then its entry in ``run.json``."""
        if self._fresh:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            self._fresh = False
        for kind, frame in (("rows", rows), ("cash", cash)):
            _atomic(self._part(kind, span), lambda temp, frame=frame: frame.to_parquet(temp))
        self.done[span] = events
        state = {**self._info, "done": [[list(s), e] for s, e in sorted(self.done.items())]}
        text = json.dumps(state, indent=2) + "\n"
        _atomic(self.folder / "run.json", lambda temp: temp.write_text(text, encoding="utf-8"))

    def frames(self, variants: Sequence[Variant]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole run's frames, read back from the parts."""
        spans = sorted(self.done)
        rows = [pd.read_parquet(self._part("rows", s)) for s in spans]
        cash = [pd.read_parquet(self._part("cash", s)) for s in spans]
        return combine(variants, rows, cash)

    def rows(self, variants: Sequence[Variant]) -> pd.DataFrame:
        """The replications frame so far, read back from the parts (cash is not read)."""
        spans = sorted(self.done)
        return combine(variants, [pd.read_parquet(self._part("rows", s)) for s in spans], [])[0]

    def discard(self) -> None:
        """Remove the parts once the final files are written."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _atomic(target: Path, write: Any) -> None:
    handle, name = tempfile.mkstemp(prefix=".autosim-tmp-", dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        write(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def check_folder(
    out_dir: Path, identity: dict[str, Any], *, resume: bool, overwrite: bool
) -> dict[str, Any] | None:
    """Refuse to mix runs in one folder; return the unfinished run to resume, if any.

    ``identity`` holds ``scenario_sha256``, ``replications`` and ``seed`` (None: not given).
    """
    if overwrite:
        return None
    saved = ChunkStore(out_dir).saved()
    if saved is not None:
        if not resume:
            raise RunError(
                f"{out_dir} holds an unfinished run ({_done(saved)} of {saved.get('replications')}"
                " replications saved); use --resume to finish it, --overwrite to discard it, "
                "or another --out"
            )
        _refuse_if_different(out_dir, "an unfinished run", saved, identity)
        return saved
    final = out_dir / "manifest.json"
    if final.is_file():
        try:
            previous = json.loads(final.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
        _refuse_if_different(out_dir, "the results of another run", previous, identity)
    return None


def _done(saved: dict[str, Any]) -> int:
    return sum(int(b) - int(a) for (a, b), _ in saved.get("done", []))


def _refuse_if_different(
    out_dir: Path, what: str, previous: dict[str, Any], identity: dict[str, Any]
) -> None:
    names = {"scenario_sha256": "scenario file", "seed": "seed", "replications": "replications"}
    differ = []
    for key, label in names.items():
        if key == "seed" and identity.get("seed") is None and "done" in previous:
            continue  # resuming without --seed: the recorded seed is reused
        before = previous.get(key)
        if key == "replications":  # what was asked for: a count, or a precision target
            before = previous.get("replications_request", before)
        if before != identity.get(key):
            new = "a new random seed" if key == "seed" and identity[key] is None else identity[key]
            if key == "scenario_sha256":
                differ.append("scenario file (a different file or content)")
            else:
                differ.append(f"{label} ({before} there, {new} now)")
    if differ:
        raise RunError(
            f"{out_dir} holds {what} (different {'; '.join(differ)}); refusing to mix them: "
            "use --overwrite to replace them, or another --out"
        )
