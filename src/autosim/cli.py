"""The ``autosim`` command: a thin skin over the library (validate, run, kpis).

Each command calls one public function, so whatever an analyst does here can be repeated in a
notebook. A mistake the user can fix (a wrong file, a bad option) prints one readable message and
exits with code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autosim.errors import AutosimError, RunError

_out = Console(width=80)
_err = Console(stderr=True, width=80)


#: KPIs shown in the terminal summary (all of them are in summary.json).
SUMMARY_KPIS = (
    ("response_time_p90_min", "P90 resp. (min)"),
    ("within_target_share", "in target"),
    ("jobs_lost", "jobs lost"),
    ("dso_days", "DSO (days)"),
    ("net_cash_flow", "net cash"),
)


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
        from autosim.output import json_safe, write_json

        write_json(args.out, json_safe({"seed": args.seed, "scenarios": summaries}))
        _out.print(f"\nWrote {args.out}", highlight=False)


def print_comparison(summaries: list[dict[str, Any]], labels: list[str]) -> None:
    """Automations x scenarios: verdict, impact score and mean NPV in each strategy."""
    table = Table(
        title="Verdicts by strategy (same seed, same customers): verdict / impact / NPV",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("automation", overflow="fold")
    for label in labels:
        table.add_column(label, overflow="fold")
    ids = list(dict.fromkeys(v["id"] for s in summaries for v in s["variants"] if v["automations"]))
    for auto in ids:
        cells = []
        for s in summaries:
            v = next((v for v in s["variants"] if v["id"] == auto), None)
            if v is None:
                cells.append("—")
                continue
            npv = v["finance"]["npv"]["mean"]
            cells.append(
                f"{v['verdict']}\n{v['impact_score']['mean']:+.2f} / {_fmt(npv, money=True)}"
            )
        table.add_row(auto, *cells)
    _out.print(table)
    for label, s in zip(labels, summaries, strict=True):
        _out.print(f"\n{label}: {s['strategy']['mission'].strip()}", highlight=False)
        for v in s["variants"]:
            if v.get("explanation"):
                _out.print(f"- {v['explanation']}", highlight=False)


def cmd_report(args: argparse.Namespace) -> None:
    """Rebuild report.html and the figures from a saved output folder, without re-running."""
    from autosim.report import SavedResults, write_report

    path = write_report(SavedResults.load(args.folder), args.out or args.folder)
    _out.print(f"Wrote {path}", highlight=False)


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
    from autosim.output import prepare_out_dir, write_outputs
    from autosim.scenario import load_scenario

    if args.resume and args.overwrite:
        raise RunError("--resume and --overwrite exclude each other: finish the run, or replace it")
    sc = load_scenario(args.scenario)
    out_dir = prepare_out_dir(args.out or Path("out") / Path(args.scenario).stem)
    sha = hashlib.sha256(Path(args.scenario).read_bytes()).hexdigest()
    identity = {"scenario_sha256": sha, "seed": args.seed, "replications": args.replications}
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
                scheduler=args.scheduler,
                store=store,
                run_info={"scenario_sha256": sha, "seed_given": seed_given},
            ),
            args.replications,
            args.quiet,
        )
    except KeyboardInterrupt:
        if not store.n_done:
            raise
        raise KeyboardInterrupt(
            f"interrupted: {store.n_done} of {args.replications} replications are saved in "
            f"{out_dir}; run again with --resume to finish"
        ) from None
    print_summary(results.summary())
    extra = {}
    if args.plots:
        from autosim.report import report_files

        text = Path(args.scenario).read_text(encoding="utf-8")
        extra = report_files(results, scenario_text=text)
    written = write_outputs(
        results, out_dir, scenario_path=args.scenario, argv=args.argv, extra_files=extra
    )
    store.discard()
    _out.print(f"\nWrote {len(written)} files to {out_dir}/ (seed {results.seed})", highlight=False)


def _with_progress(work: Any, total: int, quiet: bool) -> Any:
    if quiet or not _err.is_terminal:
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_err, transient=True) as bar:
        task = bar.add_task("replications", total=total)
        return work(lambda done, _n: bar.update(task, completed=done))


def _fmt(value: float | None, money: bool = False) -> str:
    """Short numbers for narrow tables: 154k, 1.37M, 88.3, 0.67."""
    if value is None or not math.isfinite(value):
        return "-"
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.2f}M"
    if size >= 1e4:
        return f"{value / 1e3:.0f}k"
    if money and size >= 1e3:
        return f"{value / 1e3:.1f}k"

    if money or size >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if size < 1 else f"{value:.1f}"


def _band(stats: dict[str, Any], money: bool = False) -> str:
    """Mean on the first line, the P5–P95 band under it (keeps tables within 80 columns)."""
    return f"{_fmt(stats['mean'], money)}\n{_fmt(stats['p5'], money)}–{_fmt(stats['p95'], money)}"


def print_summary(summary: dict[str, Any]) -> None:
    """Two tables that fit 80 columns: key KPIs, then finance against the baseline."""
    title = f"{summary['scenario']}: {summary['replications']} replications, seed {summary['seed']}"
    kpi_table = Table(
        title=title + "\nmean, and P5–P95 over replications below it",
        title_justify="left",
        show_lines=True,
    )
    kpi_table.add_column("variant", overflow="fold")
    for _, label in SUMMARY_KPIS:
        kpi_table.add_column(label, justify="right", overflow="fold")

    for v in summary["variants"]:
        cells = []
        for name, _ in SUMMARY_KPIS:
            stats = v["kpis"].get(name)
            cells.append(_band(stats, money=name == "net_cash_flow") if stats else "-")
        kpi_table.add_row(v["id"], *cells)
    _out.print(kpi_table)

    fin = Table(
        title=f"Against the baseline ({summary['currency']}; NPV: mean, P5–P95 below)",
        title_justify="left",
        show_lines=True,
    )

    for col in ("automation", "ROI", "P(ROI>0)", "NPV", "P(NPV>0)", "payback (months)"):
        fin.add_column(col, justify="left" if col == "automation" else "right", overflow="fold")

    for v in summary["variants"]:
        f = v.get("finance")
        if not f:
            continue
        payback = f["payback_months"]
        within = payback["p_within_horizon"]
        fin.add_row(
            v["id"],
            _fmt(f["roi"]["mean"]),
            f"{f['roi']['p_positive']:.0%}",
            _band(f["npv"], money=True),
            f"{f['npv']['p_positive']:.0%}",
            f"{_fmt(payback['p50'])}\n{within:.0%} paid back",
        )
    _out.print(fin)
    if "strategy" in summary:
        print_alignment(summary)
    if summary.get("portfolio"):
        print_portfolio(summary)
    for note in summary.get("warnings", []):
        _err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def print_portfolio(summary: dict[str, Any]) -> None:
    """Bundle interactions and the recommended purchase with its frontier."""
    bundles = [v for v in summary["variants"] if v.get("interaction")]
    for v in bundles:
        effect = v["interaction"]
        _out.print(
            f"- {v['id']}: worth {_fmt(effect['npv']['mean'], money=True)} "
            f"{'more' if effect['npv']['mean'] >= 0 else 'less'} together than apart "
            f"({effect['kind']})",
            highlight=False,
        )
    portfolio = summary["portfolio"]
    table = Table(
        title=f"Options by up-front cost (objective: {portfolio['objective']})",
        title_justify="left",
    )
    for col in ("option", "up-front", "impact", "NPV", "fits", "efficient"):
        table.add_column(col, justify="left" if col == "option" else "right", overflow="fold")
    for c in portfolio["frontier"]:
        impact = "-" if c["impact"] is None else f"{c['impact']:+.2f}"
        table.add_row(
            c["id"],
            _fmt(c["upfront"], money=True),
            impact,
            _fmt(c["npv"], money=True),
            "yes" if c["fits"] else "no",
            "yes" if c["efficient"] else "",
        )
    _out.print(table)
    _out.print(f"Recommended: {portfolio['recommended'] or 'nothing'} — {portfolio['reason']}.")


def print_alignment(summary: dict[str, Any]) -> None:
    """The alignment matrix (change in P(goal met) per automation and goal) and verdicts."""
    goals = summary["strategy"]["goals"]
    table = Table(
        title="Alignment: change in P(goal met) against the baseline (points)",
        title_justify="left",
    )
    table.add_column("automation", overflow="fold")
    for g in goals:
        table.add_column(g["id"], justify="right", overflow="fold")
    table.add_column("verdict")
    table.add_column("fits", overflow="fold")
    for v in summary["variants"]:
        if not v["automations"]:
            continue
        cells = []
        for g in goals:
            delta = v["goals"][g["id"]]["delta_vs_baseline"]
            cells.append("-" if delta is None else f"{delta * 100:+.0f}")
        short = {"budget_upfront": "budget", "max_payback_months": "payback"}
        fits = [
            short.get(name, name.replace("_balance", "").replace("_", " "))
            for name, c in v.get("constraints", {}).items()
            if not c["fits"]
        ]
        table.add_row(
            v["id"], *cells, v["verdict"], "yes" if not fits else "no: " + ", ".join(fits)
        )
    _out.print(table)
    for v in summary["variants"]:
        if v.get("explanation"):
            _out.print(f"- {v['explanation']}", highlight=False)


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


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar (also used by the README's reference)."""
    from autosim.experiment.executors import EXECUTORS

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
        "--all-bundles",
        action="store_true",
        help="also simulate every combination of two or more automations (at most 6)",
    )
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
    return parser


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
