"""Where finished chunks go: kept in memory, or streamed to disk so a long sweep can resume.

Like a shop that files the takings in the safe as soon as the till is counted: a power cut
loses at most what was not yet filed, and the next morning starts from the last envelope. Each
finished chunk becomes two small frames (its replications' rows and daily cash); a
:class:`ChunkStore` gathers them and writes them as Parquet parts into ``<out>/.autosim-run/``
(each file written to a temporary name, then renamed), recording the chunks in ``run.json``
only after their parts are in place. Nothing is written before the first chunk finishes, so an
early failure leaves the folder as it was. At the end the parts are assembled into exactly the
frames an in-memory run gives, with one copy of the data in memory.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from autosim.atomic import write_atomic
from autosim.errors import RunError

if TYPE_CHECKING:
    from autosim.experiment.variants import Variant

__all__ = ["RUN_FOLDER", "ChunkStore", "MemoryParts", "check_folder"]

#: Hidden subfolder of the output folder holding an unfinished run's parts and state.
RUN_FOLDER = ".autosim-run"
#: Fields of a run that must match before parts may be combined or resumed.
IDENTITY = ("scenario_sha256", "seed", "replications", "chunk_size", "variants", "keep_cash")


def assemble(
    variants: Sequence[Variant],
    spans: Sequence[tuple[int, int]],
    parts: Sequence[Any],
    read: Callable[[Any], pd.DataFrame],
    names: Callable[[Any], list[str]],
    per_replication: int | None = None,
) -> pd.DataFrame:
    """The whole run's frame from its parts, in (variant, replication[, day]) order.

    Every row's place is known from its keys, so the frame is allocated once (all float columns
    as one block) and filled part by part: reading 10,000 replications back takes one copy of
    the data plus one part, not the two or three copies that concatenating and sorting take.
    ``parts`` are read in order with ``read``; ``names`` lists a part's columns without reading
    it (a Parquet footer), so columns missing from some parts are NaN as with ``pd.concat``.
    ``per_replication`` is the rows each replication has per variant: by default the days of
    the first part when it has a ``day`` column (cash), else 1. Empty parts (a KPIs-only run's
    cash) give an empty frame with their columns.
    """
    if not parts:
        return pd.DataFrame()
    first = read(parts[0])
    if first.empty:
        return first.reset_index(drop=True)
    by_day = "day" in first.columns
    if per_replication is None:
        per_replication = int(first["day"].max()) + 1 if by_day else 1
    replications = np.concatenate([np.arange(a, b) for a, b in sorted(spans)])
    n_var, n_rep = len(variants), replications.size
    total = n_var * n_rep * per_replication
    columns = list(first.columns)
    for part in parts[1:]:
        columns += [c for c in names(part) if c not in set(columns)]
    keys = ["variant", "replication"] + (["day"] if by_day else [])
    values = [c for c in columns if c not in keys and c in first]
    floats = [c for c in columns if c not in keys and (c not in first or _is_float(first[c]))]
    others = {c: _empty_like(first[c], total) for c in values if c not in floats}
    block = np.full((total, len(floats)), np.nan)
    where = {c: i for i, c in enumerate(floats)}
    variant_index = {v.id: i for i, v in enumerate(variants)}
    for k, part in enumerate(parts):
        frame = first if k == 0 else read(part)
        rank = np.searchsorted(replications, frame["replication"].to_numpy())
        row = frame["variant"].map(variant_index).to_numpy(np.int64) * n_rep + rank
        if by_day:
            row = row * per_replication + frame["day"].to_numpy(np.int64)
        present = [c for c in frame.columns if c in where]
        block[np.ix_(row, [where[c] for c in present])] = frame[present].to_numpy(float)
        for c, array in others.items():
            if c in frame:
                array[row] = frame[c].to_numpy()
        del frame
    out = pd.DataFrame(block, columns=floats, copy=False)
    id_of = np.array([v.id for v in variants], dtype=object)
    key_values = {
        "variant": pd.array(
            np.repeat(id_of, n_rep * per_replication), dtype=first["variant"].dtype
        ),
        "replication": np.tile(np.repeat(replications, per_replication), n_var).astype(
            first["replication"].dtype
        ),
        "day": np.tile(np.arange(per_replication), n_var * n_rep),
    }
    for position, name in enumerate(columns):
        if name in keys:
            out.insert(position, name, key_values[name])
        elif name in others:
            out.insert(position, name, others[name])
    return out


def _is_float(column: pd.Series) -> bool:
    return column.dtype == np.float64


def _empty_like(column: pd.Series, size: int) -> np.ndarray:
    """Room for a non-float column, missing values where a part lacks it."""
    if np.issubdtype(column.dtype, np.datetime64):
        return np.full(size, np.datetime64("NaT"), dtype=column.dtype)
    return (
        np.full(size, None, dtype=object)
        if column.dtype == object
        else np.zeros(size, column.dtype)
    )


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

    def flush(self) -> None:
        """Make every finished chunk durable (nothing to do in memory)."""

    def frames(self, variants: Sequence[Variant]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole run's replications and cash frames."""
        return self.rows(variants), self._assemble(variants, 1)

    def rows(self, variants: Sequence[Variant]) -> pd.DataFrame:
        """The replications frame so far (no cash: what a stopping rule looks at)."""
        return self._assemble(variants, 0)

    def _assemble(self, variants: Sequence[Variant], kind: int) -> pd.DataFrame:
        spans = sorted(self._parts)
        parts = [self._parts[s][kind] for s in spans]
        return assemble(variants, spans, parts, lambda f: f, lambda f: list(f.columns))

    @property
    def n_done(self) -> int:
        """Replications finished so far."""
        return sum(b - a for a, b in self.done)

    @property
    def n_saved(self) -> int:
        """Replications that would survive the process (in memory: none beyond this run)."""
        return self.n_done


class ChunkStore(MemoryParts):
    """Chunks streamed to ``<out_dir>/.autosim-run/`` as Parquet parts plus ``run.json``.

    Finished chunks are gathered and written together as one part (rows and cash) when
    ``flush_replications`` replications are waiting, ``flush_seconds`` have passed since the
    last write, at the first chunk (so the folder is claimed at once), at the end and on
    Ctrl-C: a crash loses at most the chunks of the last ``flush_seconds``, and a 10,000
    replication run reads back a few dozen parts, not a thousand. With ``resume=True`` the
    chunks recorded by an earlier, interrupted run of the same experiment are skipped;
    otherwise any earlier parts are discarded when the first new chunk is saved.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        resume: bool = False,
        flush_replications: int = 256,
        flush_seconds: float = 30.0,
    ) -> None:
        super().__init__()
        self.folder = Path(out_dir) / RUN_FOLDER
        self.resume = resume
        self.flush_replications = flush_replications
        self.flush_seconds = flush_seconds
        self._info: dict[str, Any] = {}
        self._fresh = True
        self._files: dict[tuple[int, int], str] = {}  # chunk -> the part holding it
        self._waiting: list[tuple[tuple[int, int], pd.DataFrame, pd.DataFrame]] = []
        self._last_flush = time.monotonic()

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
        for entry in saved.get("done", []):
            key = (int(entry[0][0]), int(entry[0][1]))
            name = entry[2] if len(entry) > 2 else f"{key[0]:09d}-{key[1]:09d}"
            if all(self._part(kind, name).is_file() for kind in ("rows", "cash")):
                self.done[key] = int(entry[1])
                self._files[key] = name
        self._fresh = False

    def _part(self, kind: str, name: str) -> Path:
        return self.folder / f"{kind}-{name}.parquet"

    def add(self, span: tuple[int, int], rows: pd.DataFrame, cash: pd.DataFrame, events: int):
        """Keep one finished chunk; write the waiting ones when it is time (see the class)."""
        self._waiting.append((span, rows, cash))
        self.done[span] = events
        waiting = sum(b - a for (a, b), _, _ in self._waiting)
        due = time.monotonic() - self._last_flush >= self.flush_seconds
        if self._fresh or due or waiting >= self.flush_replications:
            self.flush()

    def flush(self) -> None:
        """Write the waiting chunks as one part (rows and cash), then record them in run.json."""
        if not self._waiting:
            return
        try:
            self._write_waiting()
        except OSError as exc:  # a full disk or a quota: what was saved before stays valid
            full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
            reason = "no space left on the disk" if full else (exc.strerror or str(exc))
            raise RunError(
                f"cannot save finished replications in {self.folder}: {reason}"
            ) from None

    def _write_waiting(self) -> None:
        if self._fresh:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            self._fresh = False
        spans = [span for span, _, _ in self._waiting]
        name = f"{min(a for a, _ in spans):09d}-{max(b for _, b in spans):09d}"
        for kind, index in (("rows", 1), ("cash", 2)):
            frame = pd.concat([w[index] for w in self._waiting], ignore_index=True)
            write_atomic(self._part(kind, name), lambda temp, frame=frame: frame.to_parquet(temp))
        files = {**self._files, **dict.fromkeys(spans, name)}
        done = [[list(s), self.done[s], files[s]] for s in sorted(files)]
        text = json.dumps({**self._info, "done": done}, indent=2) + "\n"
        write_atomic(self.folder / "run.json", text)  # the chunks count as saved from here
        self._files = files
        self._waiting = []
        self._last_flush = time.monotonic()

    @property
    def n_saved(self) -> int:
        """Replications recorded in ``run.json`` (what ``--resume`` will find)."""
        return sum(b - a for a, b in self._files)

    def frames(self, variants: Sequence[Variant]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole run's frames, read back from the parts."""
        self.flush()
        return self.rows(variants), self._assemble_files(variants, "cash")

    def rows(self, variants: Sequence[Variant]) -> pd.DataFrame:
        """The replications frame so far, read back from the parts (cash is not read)."""
        self.flush()
        return self._assemble_files(variants, "rows")

    def _names(self) -> list[str]:
        """The parts holding finished chunks, in the order of their first replication."""
        return sorted(set(self._files.values()))

    def _assemble_files(self, variants: Sequence[Variant], kind: str) -> pd.DataFrame:
        frame = assemble(
            variants,
            sorted(self._files),
            self._names(),
            lambda n: pd.read_parquet(self._part(kind, n)),
            lambda n: pq.read_schema(self._part(kind, n)).names,
        )
        self._release()
        return frame

    @staticmethod
    def _release() -> None:
        """Hand Arrow's freed buffers back to the system (its pool keeps them otherwise)."""
        import pyarrow as pa

        pa.default_memory_pool().release_unused()

    def discard(self) -> None:
        """Remove the parts once the final files are written."""
        shutil.rmtree(self.folder, ignore_errors=True)


def check_folder(
    out_dir: Path, identity: dict[str, Any], *, resume: bool, overwrite: bool
) -> dict[str, Any] | None:
    """Refuse to mix runs in one folder; return the unfinished run to resume, if any.

    ``identity`` holds ``scenario_sha256``, ``replications`` and ``seed`` (None: not given;
    ``replications`` None: take the unfinished run's). Only an unfinished run is guarded here:
    a finished one is set aside by the writer (:mod:`autosim.io.folders`).
    """
    if overwrite:
        return None
    saved = ChunkStore(out_dir).saved()
    if saved is None:
        return None
    if not resume:
        asked = saved.get("replications")
        of = f" of {asked}" if isinstance(asked, int) else ""
        raise RunError(
            f"{out_dir} holds an unfinished run ({_done(saved)}{of} replications saved); "
            "use --resume to finish it, --overwrite to discard it, or another --out"
        )
    if identity.get("replications") is None:
        identity = {**identity, "replications": saved.get("replications")}
    _refuse_if_different(out_dir, "an unfinished run", saved, identity)
    return saved


def _done(saved: dict[str, Any]) -> int:
    return sum(int(entry[0][1]) - int(entry[0][0]) for entry in saved.get("done", []))


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
            "use --overwrite to discard it, or another --out"
        )
