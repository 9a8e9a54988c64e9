"""The ``autosim`` command: a thin skin over the library (run, validate, compare, report, kpis,
fit, backtest). The tables it prints live in :mod:`autosim.cli.tables`.

Each command calls one public function, so whatever an analyst does here can be repeated in a
notebook. A mistake the user can fix (a wrong file, a bad option, a full disk) prints one readable
message and exits with code 2; anything else is a bug and keeps its traceback. The terminal can
never cost a result: every file is written before the tables are printed, a reader that leaves
early (``| head -1``) or a terminal that cannot show a character ends nothing, and SIGTERM or
SIGHUP stop a run as Ctrl-C does (finished replications saved, workers ended).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from importlib import metadata
from typing import Any

from rich.markup import escape

from autosim.cli.arguments import fraction, path, positive, seed
from autosim.cli.calibrate import add_calibration_parsers
from autosim.cli.commands import (
    cmd_compare,
    cmd_export,
    cmd_kpis,
    cmd_report,
    cmd_run,
    cmd_validate,
)
from autosim.cli.console import ERR as _err
from autosim.errors import AutosimError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar (also used by the README's reference)."""
    from autosim.cli.designs import add_design_arguments
    from autosim.decide.portfolio import OBJECTIVES
    from autosim.experiment.executors import EXECUTORS
    from autosim.experiment.precision import STOP_ON

    parser = argparse.ArgumentParser(
        prog="autosim",
        description="Simulate a small business with and without candidate automations.",
    )
    parser.add_argument("--version", action="version", version=f"autosim {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a scenario file")
    p.add_argument("scenario", help="scenario YAML file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="run a scenario and write its results")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument(
        "-n",
        "--replications",
        type=positive,
        default=None,
        help="replications per variant (default 100; with --resume, the unfinished run's)",
    )
    p.add_argument(
        "--seed",
        type=seed,
        default=None,
        help="random seed (default: drawn from the OS and recorded)",
    )
    p.add_argument(
        "-j", "--jobs", type=positive, default=None, help="worker processes (default: all cores)"
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="where replications run (default: processes; dask needs autosim[dask])",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (implies --executor dask;"
        " --executor dask without it starts a local cluster of --jobs workers)",
    )
    p.add_argument(
        "--chunk-size",
        type=positive,
        default=None,
        help="replications per task (default: about 4 tasks per worker, at most 8 each)",
    )
    p.add_argument(
        "--precision",
        type=fraction,
        default=None,
        metavar="HALF_WIDTH",
        help="add replications until the 95%% interval half-width is within this (e.g. 0.05: "
        "5%% of the mean; probability points for p_positive/p_goal); -n is the first batch",
    )
    p.add_argument(
        "--precision-on",
        choices=STOP_ON,
        default="mean",
        help="what must be precise: mean of the output (default), P(output>0), P(goal met), "
        "paired difference to the best automation, or the ranking of automations",
    )
    p.add_argument(
        "--precision-output",
        default="roi",
        metavar="COLUMN",
        help="the output the rule looks at (default roi; e.g. npv or a KPI)",
    )
    p.add_argument(
        "--max-replications",
        type=positive,
        default=None,
        help="stop adding replications here even if imprecise (default 10,000)",
    )
    p.add_argument(
        "--sensitivity",
        action="append",
        default=[],
        metavar="OUTPUT",
        help="also rank the uncertain inputs by their effect on this output (a KPI column such "
        "as 'within_target_share[job_type=emergency]', or npv); repeatable",
    )
    p.add_argument(
        "--objective",
        choices=tuple(OBJECTIVES),
        default=None,
        help="what the recommended option maximises (default: the strategy's objective, else "
        "npv): impact, npv, p_goals = P(all key goals met), p_loss = P(NPV<0) (minimised), "
        "cvar = mean NPV of the worst 10%%, worst_month_cash = its P5",
    )
    p.add_argument(
        "--all-bundles",
        action="store_true",
        help="also simulate every combination of two or more automations (at most 6)",
    )
    add_design_arguments(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted run in --out, skipping the chunks already saved",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace results (or an unfinished run) of a different run in --out",
    )
    p.add_argument(
        "--out", type=path, default=None, help="output folder (default: out/<scenario name>)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--max-jobs",
        type=positive,
        default=None,
        help="refuse replications expected to generate more calls than this (default 2,000,000)",
    )
    p.add_argument(
        "--plots",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write report.html and PNG figures (default: yes)",
    )
    p.add_argument(
        "--kpis-only",
        action="store_true",
        help="keep no daily cash ledger (cash.parquet stays empty): memory then grows by one "
        "small row per replication and variant, for very large sweeps",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="run scenarios with the same seed; verdicts side by side")
    p.add_argument("scenarios", nargs="+", help="two or more scenario YAML files")
    p.add_argument("-n", "--replications", type=positive, default=100)
    p.add_argument("--seed", type=seed, default=1, help="shared seed (default 1)")
    p.add_argument("-j", "--jobs", type=positive, default=None)
    p.add_argument("--out", type=path, default=None, help="write the comparison as JSON here")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("report", help="rebuild report.html and figures from an output folder")
    p.add_argument("folder", type=path, help="output folder of `autosim run`")
    p.add_argument("--out", type=path, default=None, help="where to write (default: the folder)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="write a saved run as a spreadsheet (--xlsx)")
    p.add_argument("folder", type=path, help="output folder of `autosim run`")
    p.add_argument("--xlsx", action="store_true", help="an Excel workbook (results.xlsx)")
    p.add_argument("--out", type=path, default=None, help="the file (default: FOLDER/results.xlsx)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("kpis", help="list every KPI with its unit and meaning")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.set_defaults(func=cmd_kpis)
    add_calibration_parsers(sub)
    return parser


def _version() -> str:
    try:
        return metadata.version("autosim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stop like Ctrl-C (save what finished, stop the workers), exit 143."""


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(f"stopped by {signal.Signals(signum).name}")


#: Plain stand-ins for the typographic characters the tables use, for a terminal that lacks them.
_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "±": "+/-", "←": "<-", "→": "->", "≥": ">=", "≤": "<=", "×": "x"}
    | {"…": "...", "²": "2", "χ": "chi", "·": ".", "’": "'", "“": '"', "”": '"', "€": "EUR"}
)


class _Forgiving(io.TextIOBase):
    """A terminal stream that cannot lose the results: files are written whatever it does.

    A reader that went away (``autosim run ... | head -1``, a closed terminal) turns the rest of
    the output into nothing, quietly; a character the stream's encoding lacks
    (``PYTHONIOENCODING=ascii``) is written plainly ('–' as '-', '±' as '+/-') or as ``?``.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if self.gone:
            return len(text)
        try:
            return self.stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self.stream, "encoding", None) or "ascii"
            text = text.translate(_PLAIN)
            return self._guard(
                lambda: self.stream.write(text.encode(encoding, "replace").decode(encoding))
            )
        except (OSError, ValueError):  # a broken pipe, a closed stream
            return self._lost(len(text))

    def flush(self) -> None:
        if not self.gone:
            self._guard(self.stream.flush)

    def _guard(self, act: Any) -> Any:
        try:
            return act()
        except (OSError, ValueError):
            return self._lost(0)

    def _lost(self, size: int) -> int:
        """Send the stream's descriptor to /dev/null, so nothing fails at exit either."""
        self.gone = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)
        return size

    def isatty(self) -> bool:
        return not self.gone and self._guard(self.stream.isatty) is True

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return "replace"

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def _safe_terminal() -> Iterator[None]:
    """Forgiving standard streams, and SIGTERM/SIGHUP handled like Ctrl-C, for one command."""
    for fd in (0, 1, 2):  # a closed descriptor would be handed to the next file opened
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    streams = sys.stdout, sys.stderr
    if sys.stdout is not None:
        sys.stdout = _Forgiving(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = _Forgiving(sys.stderr)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                handlers[name] = signal.signal(getattr(signal, name), _terminate)
    try:
        yield
    finally:
        for name, previous in handlers.items():
            signal.signal(getattr(signal, name), previous)
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, _Forgiving):
                stream.flush()
        sys.stdout, sys.stderr = streams


#: Write errors that are the machine's state, not autosim's bug: one line, exit 2.
_DISK_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, getattr(errno, "EDQUOT", errno.ENOSPC)}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and return the exit code.

    0: done (also when the reader of standard output went away: every file is written before
    anything is printed); 2: a mistake the user can fix, or a disk that is full or read-only;
    130: Ctrl-C; 143: SIGTERM or SIGHUP (finished replications are saved either way).
    """
    with _safe_terminal():
        try:
            return _main(argv)
        except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM: at start-up, in a run, anywhere
            with contextlib.suppress(Exception):
                _err.print(escape(str(exc) or "interrupted"), highlight=False)
            return 143 if isinstance(exc, Terminated) else 130


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage and the problem
        return int(exc.code or 0)
    args.argv = ["autosim", *argv]
    try:
        args.func(args)
    except AutosimError as exc:
        _err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    except OSError as exc:
        if exc.errno not in _DISK_ERRORS:
            raise
        full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
        reason = "no space left on the disk" if full else exc.strerror
        where = f"{exc.filename}: " if exc.filename else ""
        _err.print(f"[bold red]error:[/] {escape(f'{where}{reason}')}", highlight=False)
        return 2
    return 0
