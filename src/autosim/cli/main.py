"""The ``autosim`` command: a thin skin over the library (run, validate, compare, report, kpis,
fit, backtest). The tables it prints live in :mod:`autosim.cli.tables`.

Each command calls one public function, so whatever an analyst does here can be repeated in a
notebook. A mistake the user can fix (a wrong file, a bad option) prints one readable message and
exits with code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata

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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and return the exit code (0 ok, 2 user error, 130 interrupted)."""
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
    except KeyboardInterrupt as exc:
        _err.print(escape(str(exc) or "interrupted: nothing was written"), highlight=False)
        return 130
    return 0
