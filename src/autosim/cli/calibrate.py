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
    """Fit a records file; print the parameters with intervals; snippet, Q-Q plots, --into."""
    from autosim.atomic import write_atomic
    from autosim.calibration import fit_table, read_records, snippet_of, to_yaml, update_scenario
    from autosim.calibration.console import print_fit
    from autosim.calibration.fit import write_qq_plots
    from autosim.calibration.records import parse_mapping

    mapping = parse_mapping(args.map, args.kind)
    table = read_records(
        args.records,
        args.kind,
        mapping,
        date_format=args.date_format,
        drop_invalid=args.drop_invalid,
    )
    fit = fit_table(table, family=args.family, n_boot=args.boot)
    print_fit(_out, fit)
    start, end = table.period()
    header = (
        f"fitted by autosim from {args.records} ({table.n_used} rows, "
        f"{start.date()} to {(end - _one_day()).date()}); 95% intervals in comments"
    )
    snippet = snippet_of(fit, uncertain=not args.point)
    text = to_yaml(snippet, header)
    _out.print(escape(text), highlight=False, soft_wrap=True)
    if args.out is not None:
        write_atomic(args.out / "snippet.yaml", text)
        plots = write_qq_plots(fit, args.out)
        _out.print(
            f"wrote {args.out / 'snippet.yaml'} and {len(plots)} Q-Q plot(s)", highlight=False
        )
    if args.into is not None:
        changes = update_scenario(args.into, snippet_of(fit, uncertain=not args.point))
        _out.print(f"updated {args.into}: {len(changes)} field(s)", highlight=False)
        for change in changes:
            _out.print(f"  - {change}", highlight=False)


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
    options = {"date_format": args.date_format, "drop_invalid": args.drop_invalid}
    jobs = read_records(args.jobs, "jobs", parse_mapping(_for(args.map, "jobs"), "jobs"), **options)
    print_records(_out, jobs)
    invoices = None
    if args.invoices is not None:
        invoices = read_records(
            args.invoices,
            "invoices",
            parse_mapping(_for(args.map, "invoices"), "invoices"),
            **options,
        )
        print_records(_out, invoices)
    result = backtest(scenario, jobs, invoices, n_replications=args.replications, seed=args.seed)
    print_backtest(_out, result)
    if args.out is not None:
        written = write_backtest(result, args.out)
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
    p.add_argument(
        "--drop-invalid",
        action="store_true",
        help="drop rows whose times run backwards (counted) instead of refusing the file",
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
        "--out",
        type=path,
        default=None,
        help="write backtest.csv, backtest.json and backtest.png here",
    )
    p.set_defaults(func=cmd_backtest)
