"""``autosim fit`` and ``autosim backtest``: calibration from the business's own records.

Argument parsing and printing only; the work is :mod:`autosim.calibration`'s.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from autosim.cli.arguments import path, positive, seed
from autosim.cli.console import OUT as _out

__all__ = ["add_calibration_parsers"]


def cmd_fit(args: argparse.Namespace) -> None:
    """Fit a records file; write the snippet, Q-Q plots and --into first, then print them."""
    from autosim.atomic import write_atomic
    from autosim.calibration import fit_table, read_records, snippet_of, to_yaml, update_scenario
    from autosim.calibration.console import print_fit
    from autosim.calibration.fit import write_qq_plots
    from autosim.calibration.records import parse_mapping

    mapping = parse_mapping(args.map, args.kind)
    _check_destinations(args.out, args.into)  # refused now, not after the bootstrap
    table = read_records(args.records, args.kind, mapping, **_reading(args))
    fit = fit_table(table, family=args.family, n_boot=args.boot)
    start, end = table.period()
    header = (
        f"fitted by autosim from {args.records} ({table.n_used} rows, "
        f"{start.date()} to {(end - _one_day()).date()}); 95% intervals in comments"
    )
    snippet = snippet_of(fit, uncertain=not args.point)
    text = to_yaml(snippet, header)
    plots: list[Any] = []
    if args.out is not None:  # files first: a closed terminal cannot lose them
        write_atomic(args.out / "snippet.yaml", text)
        plots = write_qq_plots(fit, args.out)
    changes = None
    if args.into is not None:
        changes = update_scenario(args.into, snippet_of(fit, uncertain=not args.point))
    print_fit(_out, fit)
    _out.print(escape(text), highlight=False, soft_wrap=True)
    if args.out is not None:
        _out.print(
            f"wrote {args.out / 'snippet.yaml'} and {len(plots)} Q-Q plot(s)", highlight=False
        )
    if changes is not None:
        _out.print(f"updated {args.into}: {len(changes)} field(s)", highlight=False)
        for change in changes:
            _out.print(f"  - {change}", highlight=False)


def _reading(args: argparse.Namespace) -> dict[str, Any]:
    """The options of read_records given on the command line."""
    return {
        "date_format": args.date_format,
        "drop_invalid": args.drop_invalid,
        "dayfirst": args.dayfirst,
        "allow_long_span": args.allow_long_span,
    }


def _check_destinations(out: Any, into: Any = None) -> None:
    """Refuse an --out folder that cannot be written and an --into file that is not there."""
    from autosim.errors import RunError
    from autosim.io.output import prepare_out_dir

    if into is not None and not into.is_file():
        raise RunError(f"--into {into}: no such scenario file")
    if out is not None:
        prepare_out_dir(out)


def _one_day() -> Any:
    import pandas as pd

    return pd.Timedelta(days=1)


def cmd_backtest(args: argparse.Namespace) -> None:
    """Simulate the scenario's baseline over the records' period; compare KPI by KPI."""
    from autosim.calibration import backtest, read_records, write_backtest
    from autosim.calibration.console import print_backtest, print_records
    from autosim.calibration.records import parse_mapping
    from autosim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    _check_destinations(args.out)
    options = _reading(args)
    jobs = read_records(args.jobs, "jobs", parse_mapping(_for(args.map, "jobs"), "jobs"), **options)
    invoices = None
    if args.invoices is not None:
        invoices = read_records(
            args.invoices,
            "invoices",
            parse_mapping(_for(args.map, "invoices"), "invoices"),
            **options,
        )
    result = backtest(
        scenario,
        jobs,
        invoices,
        n_replications=args.replications,
        seed=args.seed,
        max_jobs=args.max_jobs,
    )
    written = write_backtest(result, args.out) if args.out is not None else []
    print_records(_out, jobs)  # files first, terminal second
    if invoices is not None:
        print_records(_out, invoices)
    print_backtest(_out, result)
    if written:
        _out.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False)


def _for(items: list[str], kind: str) -> list[str]:
    """The --map entries whose field belongs to ``kind`` (backtest reads two kinds of file)."""
    from autosim.calibration.fields import FIELDS

    names = {f.name for f in FIELDS[kind]}
    return [i for i in items if i.rpartition("=")[2].strip() in names]


def _records_options(p: argparse.ArgumentParser) -> None:
    """Options shared by `fit` and `backtest` for reading records files."""
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="use this file column for a field, e.g. 'Tech On Site=arrived' (repeatable)",
    )
    p.add_argument("--date-format", default=None, help="strftime format of every date column")
    order = p.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        action="store_const",
        const=True,
        default=None,
        help="numeric dates are day/month/year (default: decided from a day above 12)",
    )
    order.add_argument(
        "--monthfirst",
        action="store_const",
        const=False,
        dest="dayfirst",
        help="numeric dates are month/day/year",
    )
    p.add_argument(
        "--drop-invalid",
        action="store_true",
        help="drop rows whose times run backwards (counted) instead of refusing the file",
    )
    p.add_argument(
        "--allow-long-span",
        action="store_true",
        help="accept dates far from the rest, or records spanning over 20 years (usually a "
        "mistyped year)",
    )


def add_calibration_parsers(sub: Any) -> None:
    """`autosim fit` and `autosim backtest` (calibration from the business's own records)."""
    from autosim.calibration.fields import KINDS
    from autosim.calibration.fitting import CANDIDATES

    p = sub.add_parser("fit", help="fit scenario parameters to a records CSV (jobs, invoices...)")
    p.add_argument("records", type=path, help="CSV export: job log, invoices or stock movements")
    p.add_argument("--kind", choices=KINDS, required=True, help="what the file holds")
    _records_options(p)
    p.add_argument(
        "--family",
        choices=CANDIDATES,
        default=None,
        help="force this distribution family (default: best AIC)",
    )
    p.add_argument(
        "--point",
        action="store_true",
        help="write point estimates only (default: rates and shares as {uncertain})",
    )
    p.add_argument("--boot", type=positive, default=200, help="bootstrap resamples (default 200)")
    p.add_argument(
        "--into",
        type=path,
        default=None,
        metavar="SCENARIO",
        help="update these fields in a scenario file (comments kept; validated)",
    )
    p.add_argument(
        "--out", type=path, default=None, help="folder for snippet.yaml and the Q-Q plots"
    )
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("backtest", help="simulate the baseline over the records' period; compare")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("jobs", type=path, help="job log CSV")
    p.add_argument("invoices", type=path, nargs="?", default=None, help="invoices CSV")
    _records_options(p)
    p.add_argument(
        "-n",
        "--replications",
        type=positive,
        default=50,
        help="simulated replications (default 50)",
    )
    p.add_argument("--seed", type=seed, default=1, help="random seed (default 1)")
    p.add_argument(
        "--max-jobs",
        type=positive,
        default=None,
        help="refuse a period whose replications would generate more calls than this "
        "(as autosim run; default 2,000,000)",
    )
    p.add_argument(
        "--out",
        type=path,
        default=None,
        help="write backtest.csv, backtest.json and backtest.png here",
    )
    p.set_defaults(func=cmd_backtest)
