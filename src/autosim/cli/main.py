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
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autosim.cli.tables import print_comparison, print_summary
from autosim.errors import AutosimError, RunError

_out = Console(width=80)
_err = Console(stderr=True, width=80)


def cmd_validate(args: argparse.Namespace) -> None:
    """Check a scenario file; exit 0 when valid, 2 with every problem otherwise."""
    from autosim.scenario import load_scenario

    sc = load_scenario(args.scenario)
    _out.print(
        f"{args.scenario}: valid — '{sc.name}', {sc.n_days} days, "
        f"{len(sc.dispatch.job_types)} job types, {len(sc.automations)} automations",
        highlight=False,
    )


def cmd_compare(args: argparse.Namespace) -> None:
    """Run several scenarios with the same seed and show their verdicts side by side."""
    from autosim.experiment.runner import run_experiment
    from autosim.scenario import load_scenario

    scenarios = [load_scenario(path) for path in args.scenarios]
    summaries = []
    for path, sc in zip(args.scenarios, scenarios, strict=True):
        if sc.strategy is None:
            raise RunError(f"{path}: has no strategy section, so there are no verdicts to compare")
        results = _with_progress(
            lambda progress, sc=sc: run_experiment(
                sc, args.replications, args.seed, n_jobs=args.jobs, progress=progress
            ),
            args.replications,
            args.quiet,
        )
        summaries.append(results.summary())
    print_comparison(summaries, [Path(p).stem for p in args.scenarios])
    if args.out:
        from autosim.io.output import json_safe, write_json

        write_json(args.out, json_safe({"seed": args.seed, "scenarios": summaries}))
        _out.print(f"\nWrote {args.out}", highlight=False)


def cmd_report(args: argparse.Namespace) -> None:
    """Rebuild report.html and the figures from a saved output folder, without re-running."""
    from autosim.present.report import SavedResults, write_report

    path = write_report(SavedResults.load(args.folder), args.out or args.folder)
    _out.print(f"Wrote {path}", highlight=False)


def cmd_fit(args: argparse.Namespace) -> None:
    """Fit a records file; print the parameters with intervals; snippet, Q-Q plots, --into."""
    from autosim.calibration import fit_table, read_records, snippet_of, to_yaml, update_scenario
    from autosim.calibration.console import print_fit
    from autosim.calibration.files import write_text_atomic
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
        write_text_atomic(args.out / "snippet.yaml", text)
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
    from autosim.calibration.records import FIELDS

    names = {f.name for f in FIELDS[kind]}
    return [i for i in items if i.rpartition("=")[2].strip() in names]


def cmd_kpis(args: argparse.Namespace) -> None:
    """List every KPI with its unit and meaning."""
    from autosim.kpis import CATALOGUE, catalogue_markdown

    if args.markdown:
        print(catalogue_markdown())
        return
    table = Table("KPI", "unit", "better", "by", "meaning")
    for k in CATALOGUE:
        table.add_row(k.name, k.unit, k.better or "-", ", ".join(k.by) or "-", k.meaning)
    _out.print(table)


def cmd_run(args: argparse.Namespace) -> None:
    """Run the scenario's variants, streaming chunks to the output folder; write the result files.

    Finished chunks are saved as they land (``<out>/.autosim-run/``), so an interrupted run can be
    finished with ``--resume``; a folder holding another run's results is refused unless
    ``--overwrite``.
    """
    import hashlib

    from autosim.experiment.runner import default_variants, run_experiment
    from autosim.experiment.store import ChunkStore, check_folder
    from autosim.io.output import prepare_out_dir, write_outputs
    from autosim.kpis import CATALOGUE
    from autosim.scenario import load_scenario

    if args.resume and args.overwrite:
        raise RunError("--resume and --overwrite exclude each other: finish the run, or replace it")
    sc = load_scenario(args.scenario)
    for output in args.sensitivity:
        base = output.split("[", 1)[0].split("@", 1)[0]
        if base not in {k.name for k in CATALOGUE}:
            raise RunError(
                f"--sensitivity {output}: unknown KPI {base!r} (`autosim kpis` lists them)"
            )
    if args.objective is not None:
        from autosim.decide.portfolio import resolve_objective

        resolve_objective(args.objective, sc.strategy)  # refuse before hours of simulation
    out_dir = prepare_out_dir(args.out or Path("out") / Path(args.scenario).stem)
    sha = hashlib.sha256(Path(args.scenario).read_bytes()).hexdigest()
    precision = _precision(args)
    request = args.replications if precision is None else precision.describe()
    identity = {"scenario_sha256": sha, "seed": args.seed, "replications": request}
    saved = check_folder(out_dir, identity, resume=args.resume, overwrite=args.overwrite)
    seed, chunk_size, seed_given = args.seed, args.chunk_size, args.seed is not None
    if saved is not None:
        seed, chunk_size, seed_given = saved["seed"], saved["chunk_size"], saved["seed_given"]
    elif args.resume:
        _err.print(f"note: no unfinished run in {out_dir}; starting from the beginning")
    store = ChunkStore(out_dir, resume=saved is not None)
    executor = args.executor or ("dask" if args.scheduler else "processes")
    try:
        results = _with_progress(
            lambda progress: run_experiment(
                sc,
                args.replications,
                seed,
                executor=executor,
                n_jobs=args.jobs,
                chunk_size=chunk_size,
                variants=default_variants(sc, all_bundles=args.all_bundles),
                progress=progress,
                max_jobs=args.max_jobs,
                keep_cash=not args.kpis_only,
                scheduler=args.scheduler,
                store=store,
                run_info={"scenario_sha256": sha, "seed_given": seed_given},
                precision=precision,
            ),
            args.replications if precision is None else precision.max_replications,
            args.quiet,
        )
    except KeyboardInterrupt:
        if not store.n_done:
            raise
        raise KeyboardInterrupt(
            f"interrupted: {store.n_done} of {args.replications} replications are saved in "
            f"{out_dir}; run again with --resume to finish"
        ) from None
    if args.objective is not None:
        results.set_objective(args.objective)
    if args.sensitivity:
        present = [o for o in args.sensitivity if o in results.replications.columns]
        for missing in sorted(set(args.sensitivity) - set(present)):
            _err.print(f"[yellow]note:[/] --sensitivity {escape(missing)}: no such column here")
        results.set_sensitivity(present)
    print_summary(results.summary())
    from autosim.cli.designs import run_designs

    sections, extra = run_designs(
        args, sc, results.seed, out=_out, err=_err, with_progress=_with_progress
    )
    if args.plots:
        from autosim.present.report import report_files

        text = Path(args.scenario).read_text(encoding="utf-8")
        extra.update(report_files(results, scenario_text=text))
    written = write_outputs(
        results,
        out_dir,
        scenario_path=args.scenario,
        argv=args.argv,
        extra_files=extra,
        sections=sections,
    )
    store.discard()
    _out.print(f"\nWrote {len(written)} files to {out_dir}/ (seed {results.seed})", highlight=False)


def _precision(args: argparse.Namespace) -> Any:
    """The --precision options as a stopping rule (None for a fixed number of replications)."""
    from autosim.experiment.precision import Precision

    if args.precision is None:
        if args.max_replications is not None:
            raise RunError("--max-replications only applies with --precision")
        return None
    budget = args.max_replications or max(10_000, args.replications)
    return Precision(args.precision, args.precision_output, args.precision_on, budget)


def _with_progress(work: Any, total: int, quiet: bool) -> Any:
    if quiet or not _err.is_terminal:
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_err, transient=True) as bar:
        task = bar.add_task("replications", total=total)
        return work(lambda done, _n: bar.update(task, completed=done))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 (got {value})")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.05, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {value})")
    return value


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
        type=_positive,
        default=100,
        help="replications per variant (default 100)",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="random seed (default: drawn from the OS and recorded)",
    )
    p.add_argument(
        "-j", "--jobs", type=_positive, default=None, help="worker processes (default: all cores)"
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
        type=_positive,
        default=None,
        help="replications per task (default: about 4 tasks per worker, at most 8 each)",
    )
    p.add_argument(
        "--precision",
        type=_fraction,
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
        type=_positive,
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
        "--out", type=Path, default=None, help="output folder (default: out/<scenario name>)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--max-jobs",
        type=_positive,
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
    p.add_argument("-n", "--replications", type=_positive, default=100)
    p.add_argument("--seed", type=_seed, default=1, help="shared seed (default 1)")
    p.add_argument("-j", "--jobs", type=_positive, default=None)
    p.add_argument("--out", type=Path, default=None, help="write the comparison as JSON here")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("report", help="rebuild report.html and figures from an output folder")
    p.add_argument("folder", type=Path, help="output folder of `autosim run`")
    p.add_argument("--out", type=Path, default=None, help="where to write (default: the folder)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("kpis", help="list every KPI with its unit and meaning")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.set_defaults(func=cmd_kpis)
    _calibration_parsers(sub)
    return parser


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


def _calibration_parsers(sub: Any) -> None:
    """`autosim fit` and `autosim backtest` (calibration from the business's own records)."""
    from autosim.calibration.fitting import CANDIDATES
    from autosim.calibration.records import KINDS

    p = sub.add_parser("fit", help="fit scenario parameters to a records CSV (jobs, invoices...)")
    p.add_argument("records", type=Path, help="CSV export: job log, invoices or stock movements")
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
    p.add_argument("--boot", type=_positive, default=200, help="bootstrap resamples (default 200)")
    p.add_argument(
        "--into",
        type=Path,
        default=None,
        metavar="SCENARIO",
        help="update these fields in a scenario file (comments kept; validated)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="folder for snippet.yaml and the Q-Q plots"
    )
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("backtest", help="simulate the baseline over the records' period; compare")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("jobs", type=Path, help="job log CSV")
    p.add_argument("invoices", type=Path, nargs="?", default=None, help="invoices CSV")
    _records_options(p)
    p.add_argument(
        "-n",
        "--replications",
        type=_positive,
        default=50,
        help="simulated replications (default 50)",
    )
    p.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write backtest.csv, backtest.json and backtest.png here",
    )
    p.set_defaults(func=cmd_backtest)


def _version() -> str:
    from autosim import __version__

    return __version__


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
