"""Output folders: whose files they hold, and keeping the previous run when a new one lands.

The analyst's loop is edit, run, look, edit: the same command into the same folder, with a new
scenario content or a new seed each time. The folder always shows the latest run (a stable
``out/<scenario>/report.html`` to keep open), and each earlier finished run is moved, whole, into
``history/<finished time>-seed<seed>/`` inside it before the new files arrive — nothing is ever
lost and nothing needs ``--overwrite``. ``--overwrite`` replaces the previous run instead (its
files removed, so no stale report or figure stays beside the new data).

A folder autosim did not fill is not autosim's to write into: a folder with files but no
``manifest.json`` is refused unless the user insists (``--overwrite``).

One folder, one writer: :func:`lock_folder` takes an exclusive lock on ``<folder>/.autosim-lock``
(``fcntl.flock``) for the whole of a run or a report, so a second run, or a report racing a run,
is refused with the holder's pid, host and start time instead of mixing files. The kernel drops
the lock when its process dies, however it dies, so a lock left by a killed run is simply taken
over (with a note). POSIX only: elsewhere folders are not locked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: folders are not locked
    fcntl = None  # type: ignore[assignment]

from autosim.atomic import write_atomic
from autosim.errors import RunError
from autosim.experiment.store import RUN_FOLDER
from autosim.io.output import OUTPUT_FILES

if TYPE_CHECKING:
    from autosim.io.saved import SavedResults

__all__ = [
    "HISTORY",
    "LOCK_FILE",
    "check_destination",
    "check_saved_run",
    "claim_folder",
    "clean_leftovers",
    "lock_folder",
    "previous_run_files",
    "record_files",
    "replace_previous_run",
]

#: Subfolder of an output folder holding earlier runs.
HISTORY = "history"
#: The lock file of an output folder (hidden, so it never makes a folder look foreign).
LOCK_FILE = ".autosim-lock"
#: Lock files held by this process (descriptor -> path), closed in forked children.
_HELD: dict[int, Path] = {}
#: What a run writes besides its figures (older manifests do not list their files).
_KNOWN = (
    *OUTPUT_FILES,
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


def _close_inherited_locks() -> None:
    """In a forked child (a worker): drop the parent's lock descriptors, so only the parent
    holds the lock and it goes the moment the parent dies, whatever becomes of the child."""
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def _holder(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict[str, Any]) -> str:
    """'autosim run (pid 1234, started 18:02)' from a lock file's content."""
    command = str(holder.get("command") or "another autosim process")
    facts = []
    if holder.get("pid"):
        host = holder.get("host")
        here = host in (None, socket.gethostname())
        facts.append(f"pid {holder['pid']}" + ("" if here else f" on {host}"))
    started = holder.get("started")
    if isinstance(started, int | float):
        when = dt.datetime.fromtimestamp(started)
        today = when.date() == dt.date.today()
        facts.append("started " + when.strftime("%H:%M" if today else "%Y-%m-%d %H:%M"))
    return command + (f" ({', '.join(facts)})" if facts else "")


class FolderLock:
    """An output folder's lock, held until :meth:`release` (or the end of a ``with`` block).

    ``note`` says when a lock left by a process that died was taken over.
    """

    def __init__(self, path: Path, fd: int | None, note: str | None = None) -> None:
        self.path = path
        self.fd = fd
        self.note = note

    def release(self) -> None:
        """Remove the lock file (when it is still ours) and let go of the lock."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        _HELD.pop(fd, None)
        try:
            if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                self.path.unlink()
        except OSError:
            pass
        os.close(fd)  # closing the last descriptor releases the flock

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def lock_folder(
    folder: str | os.PathLike[str], command: str, *, hint: str = "", reading: bool = False
) -> FolderLock:
    """Take ``folder``'s exclusive lock for ``command`` (e.g. "autosim run"), or refuse.

    The folder must exist. When another process holds it, :class:`RunError` names that process
    (its command, pid, host, start time) and ends with ``hint`` (what to do instead). With
    ``reading``, a folder this user cannot write (an archive) is read without a lock.
    """
    path = Path(folder) / LOCK_FILE
    if fcntl is None:  # pragma: no cover - not POSIX
        return FolderLock(path, None)
    for _attempt in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            if reading and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return FolderLock(path, None)
            raise RunError(f"cannot lock {path.parent}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunError(f"cannot lock {path.parent}: {exc.strerror or exc}") from None
            raise RunError(
                f"{path.parent} is in use by {_describe(_holder(text))}"
                + (f" — {hint}" if hint else "")
            ) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:  # the holder removed the file between our open and our lock: again
            os.close(fd)
            time.sleep(0.01)
            continue
        left = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        note = None
        if left:
            note = f"took over the lock of {_describe(_holder(left))}, which is no longer running"
        mine = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.time(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(mine) + "\n").encode("utf-8"), 0)
        _HELD[fd] = path
        return FolderLock(path, fd, note)
    raise RunError(f"cannot lock {path.parent}: its lock file keeps changing")


def clean_leftovers(out_dir: Path) -> int:
    """Remove what killed writers left behind (staging folders, temporary files); return how many.

    Only called under the folder's lock, so nothing here belongs to a live writer.
    """
    removed = 0
    for pattern in (".autosim-tmp-*", ".autosim-probe-*", ".*.tmp", f"{RUN_FOLDER}/.*.tmp"):
        for item in out_dir.glob(pattern):
            try:
                if item.is_dir():
                    shutil.rmtree(item)
                else:
                    item.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def claim_folder(
    out: str | Path | None, default: Path, command: str, *, insist: bool
) -> FolderLock:
    """Check, create and lock the output folder of ``command``; tidy what killed runs left there.

    ``out`` is what the user asked for (None: ``default``); an empty path and a folder of
    someone else's files are refused (unless ``insist``), and a folder in use by another autosim
    process too. The caller releases the returned lock when its last file is written.
    """
    from autosim.io.output import prepare_out_dir

    check_destination(out, insist=insist)
    folder = prepare_out_dir(out or default)
    if out is None:
        check_destination(folder, insist=insist)
    lock = lock_folder(folder, command, hint="wait for it to finish, or choose another --out")
    clean_leftovers(folder)
    return lock


def check_saved_run(saved: SavedResults) -> None:
    """Refuse a folder whose files are not all of one run (e.g. two runs raced into it).

    The summary, the manifest, the frames and the scenario copy must agree on the scenario,
    seed, replications and variants; otherwise a report would put one run's verdicts beside
    another's data.
    """
    summary, manifest = saved.summary(), saved.manifest
    problems = []
    for key in ("scenario", "seed", "replications"):
        if key in manifest and manifest[key] != summary.get(key):
            problems.append(
                f"{key} {summary.get(key)!r} in summary.json, {manifest[key]!r} in manifest.json"
            )
    ids = [str(v.get("id")) for v in summary["variants"] if isinstance(v, dict)]
    listed = manifest.get("variants")
    if (
        isinstance(listed, list)
        and [str(v.get("id")) for v in listed if isinstance(v, dict)] != ids
    ):
        problems.append("the variants of summary.json and manifest.json differ")
    for name, frame in (("replications.parquet", saved.replications), ("cash.parquet", saved.cash)):
        if frame.empty:
            continue
        found = set(frame["variant"].astype(str).unique())
        if found != set(ids):
            shown = ", ".join(sorted(found)[:4])
            problems.append(f"{name} holds variants {shown}, summary.json {', '.join(ids[:4])}")
        elif name == "replications.parquet":
            counts = set(frame.groupby(frame["variant"].astype(str)).size())
            if counts != {summary.get("replications")}:
                problems.append(
                    f"{name} holds {sorted(counts)[0]} replications per variant, "
                    f"summary.json {summary.get('replications')}"
                )
    copy, sha = saved.path / "scenario.yaml", manifest.get("scenario_sha256")
    if sha and copy.is_file() and hashlib.sha256(copy.read_bytes()).hexdigest() != sha:
        problems.append("scenario.yaml is not the scenario manifest.json names")
    if problems:
        raise RunError(
            f"{saved.path} mixes files of different runs ({'; '.join(problems[:3])}); "
            "run the scenario again into it (--overwrite) or into a new folder"
        )


def record_files(folder: Path, report: Path, since: float) -> None:
    """Add what ``autosim report`` wrote (the page, the figures changed ``since`` a time) to
    the folder's manifest.

    The next run then moves them into ``history/`` with the rest (or removes them with
    ``--overwrite``), so no report or figure of an older run stays beside new data.
    """
    manifest = _manifest(folder)
    if not manifest or not isinstance(manifest.get("files"), list):
        return
    new = [p.name for p in folder.glob("*.png") if p.stat().st_mtime >= since]
    files = sorted({*map(str, manifest["files"]), report.name, *new})
    if files != sorted(map(str, manifest["files"])):
        text = json.dumps({**manifest, "files": files}, indent=2) + "\n"
        write_atomic(folder / "manifest.json", text)
