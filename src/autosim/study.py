"""The notebook's face of autosim: run an experiment, get Results; or fill an output folder.

:func:`run_experiment` runs a scenario's variants and returns :class:`Results`: the run's frames
(data) with the judgement of each option computed once, on first use, by
:func:`autosim.decide.summarize.summarize`. :func:`run_to_folder` is exactly what
``autosim run`` does — run (streaming chunks to the folder so an interruption can resume), judge,
run the designed analyses asked for, draw the figures and the report, write every file — so a
notebook gets the same folder with one call; the command only adds printing.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from autosim.decide.portfolio import resolve_objective
from autosim.decide.summarize import (
    alignment_matrix,
    check_sensitivity_outputs,
    run_warnings,
    strategy_evaluation,
    summarize,
)
from autosim.errors import AutosimError, RunError
from autosim.experiment.precision import Precision
from autosim.experiment.run import Run
from autosim.experiment.runner import run_sweep
from autosim.experiment.store import ChunkStore, check_folder
from autosim.experiment.streams import SeedLike
from autosim.experiment.variants import default_variants
from autosim.io.folders import claim_folder, replace_previous_run
from autosim.io.output import figures_not_drawn, write_outputs
from autosim.kpis import CATALOGUE
from autosim.scenario import load_scenario
from autosim.scenario.schema import Scenario

if TYPE_CHECKING:
    from autosim.present.figures import PlotAccessor

__all__ = ["FolderRun", "Results", "run_experiment", "run_to_folder"]

T = TypeVar("T")
#: Replications per variant when none are asked for (and no unfinished run says otherwise).
DEFAULT_REPLICATIONS = 100
#: ``with_progress(work, total)``: call ``work(progress)`` with a progress callback of your own
#: (``progress(done, total)``) or ``None``; the CLI passes one that draws a bar.
WithProgress = Callable[[Callable[[Any], T], int], T]


def _no_progress(work: Callable[[Any], T], _total: int) -> T:
    return work(None)


class Results:
    """A run's frames and, computed once on first use, what they mean for each option.

    The frames and metadata are those of the :class:`~autosim.experiment.run.Run` (``run``);
    ``summary()`` is the content of summary.json. Options of the judgement (``objective``,
    ``sensitivity``) are fixed at construction: :meth:`with_options` returns a new object.

    Attributes
    ----------
    run : autosim.experiment.run.Run
        The data: ``replications`` (one row per replication x variant), ``cash`` (one row per
        day x replication x variant), the scenario, variants, seed and timing.
    objective : str or None
        Portfolio objective overriding the strategy's (``autosim run --objective``).
    sensitivity_outputs : tuple of str
        Outputs besides ROI whose tornado (sensitivity to each input) the summary carries.
    """

    def __init__(
        self, run: Run, *, objective: str | None = None, sensitivity: Sequence[str] = ()
    ) -> None:
        resolve_objective(objective, run.scenario.strategy)  # refuse a bad one now
        self.run = run
        self.objective = objective
        self.sensitivity_outputs = check_sensitivity_outputs(run, sensitivity)
        self._judged: dict[str, dict[str, Any]] | None = None
        self._summary: dict[str, Any] | None = None

    def with_options(
        self, *, objective: str | None = None, sensitivity: Sequence[str] | None = None
    ) -> Results:
        """The same run judged with another objective or more sensitivity outputs."""
        outputs = self.sensitivity_outputs if sensitivity is None else sensitivity
        return Results(self.run, objective=objective, sensitivity=outputs)

    # The run's data, read through (one object holds them: the Run).
    scenario = property(lambda self: self.run.scenario, doc="The scenario simulated.")
    variants = property(lambda self: self.run.variants, doc="The variants, baseline first.")
    replications = property(lambda self: self.run.replications, doc="One row per rep x variant.")
    cash = property(lambda self: self.run.cash, doc="One row per day x replication x variant.")
    seed = property(lambda self: self.run.seed, doc="The entropy actually used.")
    seed_given = property(lambda self: self.run.seed_given, doc="Whether the user chose it.")
    timing = property(lambda self: self.run.timing, doc="When and where the run ran.")
    precision = property(lambda self: self.run.precision, doc="Precision reached, or None.")
    n_replications = property(lambda self: self.run.n_replications, doc="Reps per variant.")
    input_columns = property(lambda self: self.run.input_columns, doc="Sampled input columns.")
    kpi_columns = property(lambda self: self.run.kpi_columns, doc="KPI columns.")

    def variant_frame(self, variant_id: str) -> pd.DataFrame:
        """Rows of one variant, in replication order."""
        return self.run.variant_frame(variant_id)

    @property
    def plot(self) -> PlotAccessor:
        """The standard figures of this run: ``results.plot.npv()`` (loads matplotlib on use)."""
        from autosim.present.figures import PlotAccessor

        return PlotAccessor(self)

    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json`` (see :func:`autosim.decide.summarize.summarize`).

        Computed once (the CLI, the report and the figures all ask for it) and returned as a
        copy, so a caller that edits its summary does not change anyone else's.
        """
        if self._summary is None:
            self._summary = summarize(
                self.run,
                objective=self.objective,
                sensitivity=self.sensitivity_outputs,
                judged=self.strategy_evaluation(),
            )
        return copy.deepcopy(self._summary)

    def warnings(self) -> list[str]:
        """Statistical caveats of this run, in plain words (also printed by the CLI)."""
        return run_warnings(self.run)

    def strategy_evaluation(self) -> dict[str, dict[str, Any]] | None:
        """Goals, verdicts and constraints per variant (None without a strategy section)."""
        if self._judged is None:
            self._judged = strategy_evaluation(self.run)
        return self._judged

    def alignment_matrix(self) -> pd.DataFrame:
        """Automations x goals: change in P(goal met) against the baseline."""
        return alignment_matrix(self.strategy_evaluation(), self.run)


def run_experiment(
    scenario: Scenario,
    n_replications: int = 100,
    seed: SeedLike = None,
    *,
    objective: str | None = None,
    sensitivity: Sequence[str] = (),
    **options: Any,
) -> Results:
    """Run ``n_replications`` of every variant and return the :class:`Results`.

    Parameters
    ----------
    scenario
        A validated scenario (see :func:`autosim.load_scenario`).
    n_replications
        Replications per variant (the same replications for every variant).
    seed
        Integer seed; ``None`` draws OS entropy, which is recorded in the results.
    objective, sensitivity
        How the options are judged (see :class:`Results`).
    **options
        How the replications run: ``variants``, ``executor`` (``"serial"``, ``"processes"``,
        ``"dask"``), ``n_jobs``, ``scheduler``, ``chunk_size``, ``progress`` (``True`` for a
        bar), ``max_jobs``, ``keep_cash``, ``store``, ``precision``... as
        :func:`autosim.experiment.runner.run_sweep` documents. Numbers do not depend on them.
    """
    run = run_sweep(scenario, n_replications, seed, **options)
    return Results(run, objective=objective, sensitivity=sensitivity)


@dataclass
class FolderRun:
    """What :func:`run_to_folder` did: the results, where they went, and what to tell the user."""

    results: Results
    out_dir: Path
    written: list[Path]
    sections: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_to_folder(
    scenario_path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    n_replications: int | None = None,
    seed: int | None = None,
    executor: str = "processes",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    all_bundles: bool = False,
    max_jobs: int | None = None,
    kpis_only: bool = False,
    precision: Precision | None = None,
    objective: str | None = None,
    sensitivity: Sequence[str] = (),
    sobol_samples: int | None = None,
    sobol_output: str = "roi",
    variance_split: int | None = None,
    inner: int | None = None,
    plots: bool = True,
    resume: bool = False,
    overwrite: bool = False,
    argv: Sequence[str] | None = None,
    with_progress: WithProgress = _no_progress,
) -> FolderRun:
    """Run a scenario file and write its output folder: what ``autosim run`` does.

    The folder (default ``out/<scenario file stem>``) receives summary.json,
    replications.parquet, cash.parquet, manifest.json, a copy of the scenario, and with
    ``plots`` the figures and report.html; sobol.csv / variance.csv when those designs are
    asked for (``sobol_samples``, ``variance_split``). ``n_replications`` defaults to 100, or
    to the unfinished run's count when resuming. Chunks are streamed to the folder while the
    run goes, so an interrupted run is finished with ``resume=True``. A previous finished run
    in the folder is moved into ``history/`` when the new one is complete (``overwrite``:
    deleted instead); a folder holding files autosim did not write is refused unless
    ``overwrite``, and so is a folder another run (or report) holds: the folder is locked
    until the last file is written (:func:`autosim.io.folders.lock_folder`). Every file is
    written before anything is returned, so what the caller prints cannot lose results; a
    failure after chunks were saved (Ctrl-C, a full disk, a cluster without workers) says how
    many are saved and that ``resume=True`` finishes the run.
    """
    if resume and overwrite:
        raise RunError("--resume and --overwrite exclude each other: finish the run, or replace it")
    if variance_split is None and inner is not None:
        raise RunError("--inner only applies with --variance-split")
    scenario = load_scenario(scenario_path)
    _check_sensitivity_names(sensitivity)
    resolve_objective(objective, scenario.strategy)  # refuse before hours of simulation
    default = Path("out") / Path(scenario_path).stem
    lock = claim_folder(out, default, "autosim run", insist=overwrite)  # one run per folder
    out_dir = lock.path.parent
    notes = [lock.note] if lock.note else []
    try:
        sha = hashlib.sha256(Path(scenario_path).read_bytes()).hexdigest()
        request = n_replications if precision is None else precision.describe()
        identity = {"scenario_sha256": sha, "seed": seed, "replications": request}
        saved = check_folder(out_dir, identity, resume=resume, overwrite=overwrite)
        seed_given = seed is not None
        if saved is not None:
            seed, chunk_size, seed_given = saved["seed"], saved["chunk_size"], saved["seed_given"]
            if n_replications is None and isinstance(saved.get("replications"), int):
                n_replications = saved["replications"]
        elif resume:
            notes.append(f"no unfinished run in {out_dir}; starting from the beginning")
        n_replications = DEFAULT_REPLICATIONS if n_replications is None else n_replications
        store = ChunkStore(out_dir, resume=saved is not None)
        variants = default_variants(scenario, all_bundles=all_bundles)
        total = n_replications if precision is None else precision.max_replications
        with _saved_on_failure(store, total, out_dir):
            run = with_progress(
                lambda progress: run_sweep(
                    scenario,
                    n_replications,
                    seed,
                    variants=variants,
                    progress=progress,
                    store=store,
                    precision=precision,
                    executor=executor,
                    n_jobs=n_jobs,
                    chunk_size=chunk_size,
                    max_jobs=max_jobs,
                    keep_cash=not kpis_only,
                    scheduler=scheduler,
                    run_info={"scenario_sha256": sha, "seed_given": seed_given},
                ),
                total,
            )
            present = [o for o in sensitivity if o in run.replications.columns]
            notes += [
                f"--sensitivity {o}: no such column here" for o in sensitivity if o not in present
            ]
            results = Results(run, objective=objective, sensitivity=present)
            common = {"executor": executor, "n_jobs": n_jobs, "scheduler": scheduler,
                      "max_jobs": max_jobs}  # fmt: skip
            sections, extra = _designs(
                scenario, results.seed, sobol_samples, sobol_output, variance_split, inner, common,
                with_progress,
            )  # fmt: skip
            if plots:
                from autosim.present.report import report_files

                text = Path(scenario_path).read_text(encoding="utf-8")
                extra.update(report_files(results, scenario_text=text))
                notes += figures_not_drawn(results.variants, extra, kpis_only)
            kept: list[Path | None] = []
            written = write_outputs(
                results,
                out_dir,
                scenario_path=scenario_path,
                argv=argv,
                extra_files=extra,
                sections=sections,
                on_publish=lambda: kept.append(replace_previous_run(out_dir, keep=not overwrite)),
            )
        store.discard()
    finally:
        lock.release()
    if kept and kept[0] is not None:
        notes.append(f"the previous run in this folder was kept in {kept[0]}")
    return FolderRun(results, out_dir, written, sections, notes)


@contextmanager
def _saved_on_failure(store: ChunkStore, n_replications: int, out_dir: Path) -> Iterator[None]:
    """Whatever stops a run after chunks were saved (Ctrl-C, SIGTERM, a full disk, a cluster
    without workers) says how many replications are safe and how to finish."""
    try:
        yield
    except (KeyboardInterrupt, AutosimError) as exc:
        if not store.n_saved:
            if isinstance(exc, KeyboardInterrupt):
                raise type(exc)(f"interrupted: nothing was written to {out_dir}") from None
            raise
        saved = (
            f"{store.n_saved} of {n_replications} replications are saved in {out_dir}; "
            "run again with --resume to finish"
        )
        if isinstance(exc, KeyboardInterrupt):
            raise type(exc)(f"interrupted: {saved}") from None
        raise RunError(f"{exc}; {saved}") from None


def _check_sensitivity_names(outputs: Sequence[str]) -> None:
    """Refuse an unknown KPI name before the run (its filters are checked after it)."""
    known = {k.name for k in CATALOGUE}
    for output in outputs:
        base = output.split("[", 1)[0].split("@", 1)[0]
        if base not in known:
            raise RunError(
                f"--sensitivity {output}: unknown KPI {base!r} (`autosim kpis` lists them)"
            )


def _designs(
    scenario: Scenario,
    seed: int,
    sobol_samples: int | None,
    sobol_output: str,
    variance_split: int | None,
    inner: int | None,
    common: dict[str, Any],
    with_progress: WithProgress,
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Run the designed analyses asked for; return summary sections and files (name -> bytes)."""
    sections: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if sobol_samples is not None:
        from autosim.experiment.designs.sobol import sobol_analysis
        from autosim.scenario.resolve import uncertain_inputs

        n_inputs = len(list(uncertain_inputs(scenario)))
        result = with_progress(
            lambda progress: sobol_analysis(
                scenario, sobol_output, sobol_samples, seed, progress=progress, **common
            ),
            sobol_samples * (n_inputs + 2),
        )
        sections["sobol"] = result.summary()
        files["sobol.csv"] = result.table.to_csv(index=False).encode()
    if variance_split is not None:
        from autosim.experiment.designs.variance import DEFAULT_INNER, variance_attribution

        inner = inner or DEFAULT_INNER
        result = with_progress(
            lambda progress: variance_attribution(
                scenario, variance_split, inner, seed, progress=progress, **common
            ),
            variance_split * inner,
        )
        sections["variance"] = result.summary()
        files["variance.csv"] = result.table.to_csv(index=False).encode()
    return sections, files
