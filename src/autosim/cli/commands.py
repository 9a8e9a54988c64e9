"""The commands of ``autosim``: each calls one public function, then prints.

Whatever an analyst does here can be repeated in a notebook with the same call: ``autosim run``
is :func:`autosim.study.run_to_folder` plus printing, with every file written before anything is
printed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from autosim.cli.console import ERR as _err
from autosim.cli.console import OUT as _out
from autosim.cli.console import emit, progress_for
from autosim.cli.console import with_progress as _with_progress
from autosim.cli.tables import print_comparison, print_summary
from autosim.errors import RunError

__all__ = ["cmd_compare", "cmd_export", "cmd_kpis", "cmd_report", "cmd_run", "cmd_validate"]


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
    from autosim.scenario import load_scenario
    from autosim.study import run_experiment

    scenarios = [load_scenario(path) for path in args.scenarios]
    if args.out:  # a bad path is refused now, not after every scenario has run
        from autosim.io.output import check_writable

        check_writable(args.out)
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
        _out.print(f"\nWrote {args.out}", highlight=False, markup=False)


def cmd_report(args: argparse.Namespace) -> None:
    """Rebuild report.html and the figures from a saved output folder, without re-running."""
    from autosim.io.folders import check_saved_run, lock_folder, record_files
    from autosim.io.output import prepare_out_dir
    from autosim.io.saved import SavedResults
    from autosim.present.report import write_report

    if not args.folder.is_dir():
        raise RunError(f"{args.folder}: no such output folder")
    target = prepare_out_dir(args.out or args.folder)
    hint = "wait for it to finish, then run autosim report again"
    locks = [lock_folder(args.folder, "autosim report", hint=hint, reading=True)]  # no run now
    try:
        if target.resolve() != args.folder.resolve():
            locks.append(lock_folder(target, "autosim report", hint=hint))
        saved = SavedResults.load(args.folder)
        check_saved_run(saved)  # a folder mixing two runs' files is refused before any figure
        started = time.time() - 2  # file times may be coarse
        path = write_report(saved, target)
        record_files(target, path, started)  # the next run sets aside (or removes) them too
    finally:
        for lock in locks:
            lock.release()
    _out.print(f"Wrote {path}", highlight=False, markup=False)


def cmd_export(args: argparse.Namespace) -> None:
    """Write a saved run as a spreadsheet workbook (options, goals, KPIs, replications)."""
    from autosim.io.export import export_xlsx

    if not args.xlsx:
        raise RunError("choose a format: --xlsx (an Excel workbook)")
    path = export_xlsx(args.folder, args.out)
    _out.print(f"Wrote {path}", highlight=False, soft_wrap=True, markup=False)


def cmd_kpis(args: argparse.Namespace) -> None:
    """List every KPI with its unit and meaning."""
    from autosim.kpis import CATALOGUE, catalogue_markdown

    if args.markdown:
        print(catalogue_markdown())
        return
    table = Table("KPI", "unit", "better", "by", "meaning")
    for k in CATALOGUE:
        table.add_row(k.name, k.unit, k.better or "-", ", ".join(k.by) or "-", k.meaning)
    emit(table)


def cmd_run(args: argparse.Namespace) -> None:
    """Run the scenario's variants into the output folder, then print what it found.

    Finished chunks are saved as they land (``<out>/.autosim-run/``), so an interrupted run can be
    finished with ``--resume``; a folder holding another run's results is refused unless
    ``--overwrite``. Every file is written before the first table is printed.
    """
    from autosim.cli.designs import print_designs
    from autosim.study import run_to_folder

    done = run_to_folder(
        args.scenario,
        args.out,
        n_replications=args.replications,
        seed=args.seed,
        executor=args.executor or ("dask" if args.scheduler else "processes"),
        n_jobs=args.jobs,
        scheduler=args.scheduler,
        chunk_size=args.chunk_size,
        all_bundles=args.all_bundles,
        max_jobs=args.max_jobs,
        kpis_only=args.kpis_only,
        precision=_precision(args),
        objective=args.objective,
        sensitivity=args.sensitivity,
        sobol_samples=args.sobol_samples if args.sobol else None,
        sobol_output=args.sobol_output,
        variance_split=args.variance_split,
        inner=args.inner,
        plots=args.plots,
        resume=args.resume,
        overwrite=args.overwrite,
        argv=args.argv,
        with_progress=progress_for(args.quiet),
    )
    for note in done.notes:
        _err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    print_summary(done.results.summary())
    print_designs(done.sections, out=_out, err=_err)
    _out.print(
        f"\nWrote {len(done.written)} files to {done.out_dir}/ (seed {done.results.seed})",
        highlight=False,
    )


def _precision(args: argparse.Namespace) -> Any:
    """The --precision options as a stopping rule (None for a fixed number of replications)."""
    from autosim.experiment.precision import Precision

    if args.precision is None:
        if args.max_replications is not None:
            raise RunError("--max-replications only applies with --precision")
        return None
    budget = args.max_replications or max(10_000, args.replications or 100)
    return Precision(args.precision, args.precision_output, args.precision_on, budget)
