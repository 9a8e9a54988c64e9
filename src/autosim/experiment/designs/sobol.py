"""Sobol indices: how much of an output's spread each unknown explains, alone and with others.

The tornado (:mod:`autosim.decide.sensitivity`) reads the replications already run; Sobol
indices need a
designed experiment but answer more: the first-order index ``S1`` is the share of the output's
variance that knowing this input alone would remove, the total index ``ST`` the share it has a
hand in, interactions included. An input with ``ST`` near 0 could be fixed at any plausible value
without changing the answer — no point paying for better data on it.

One code path (SALib's problem -> sample -> evaluate -> analyse): :func:`sobol_indices` takes any
``evaluate`` function, and :func:`sobol_analysis` gives it one that runs a scenario. There the
inputs' uniform scores come from SALib's Sobol' sequence (Saltelli's scheme, no second-order
terms), each is mapped through the input's own ``ppf`` (exact marginals), and each design point
is one replication with those inputs fixed. The points that SALib builds from one base row
(``A``, ``B`` and the ``D`` mixes ``AB_j``) share that row's process streams (common random
numbers): day-to-day randomness then cancels in the differences the indices are estimated from
and shows up as unexplained variance, ``1 - sum(S1)``, instead of inflating every ``ST``.
Correlations between inputs are ignored: the indices assume independent inputs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autosim.errors import RunError
from autosim.experiment.streams import SeedLike, fresh_entropy, name_key
from autosim.scenario.schema import Scenario

__all__ = ["DEFAULT_SAMPLES", "SobolResult", "sobol_analysis", "sobol_indices"]

#: Base sample of the Sobol' sequence (runs: ``n * (inputs + 2)``).
DEFAULT_SAMPLES = 64
COLUMNS = ("output", "input", "S1", "S1_conf", "ST", "ST_conf")

Evaluate = Callable[[np.ndarray], "np.ndarray | Mapping[str, np.ndarray]"]


def _check_samples(n: int) -> None:
    if n < 2 or n & (n - 1):
        raise RunError(
            f"the Sobol base sample must be a power of 2, at least 2 (got {n}); e.g. 32, 64, 128"
        )


def _seeds(entropy: int) -> tuple[np.random.Generator, int]:
    """A generator for the sequence's scrambling and a seed (>= 1) for SALib's bootstrap."""
    sample = np.random.SeedSequence(entropy, spawn_key=(name_key("sobol:sample"),))
    boot = np.random.SeedSequence(entropy, spawn_key=(name_key("sobol:bootstrap"),))
    return np.random.default_rng(sample), int(boot.generate_state(1)[0]) + 1


def sobol_indices(
    problem: Mapping[str, Any],
    evaluate: Evaluate,
    n: int = DEFAULT_SAMPLES,
    seed: SeedLike = None,
    *,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """First-order and total Sobol indices, with bootstrap confidence half-widths.

    Parameters
    ----------
    problem
        SALib's problem: ``{"num_vars": D, "names": [...], "bounds": [[lo, hi], ...]}``.
    evaluate
        Called once with the ``n * (D + 2)`` x ``D`` design (rows in SALib's order); returns
        the output at each row, or a mapping of several outputs (e.g. one per variant).
    n
        Base sample, a power of 2.
    seed
        Seeds the sequence's scrambling and the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per output and input: ``output, input, S1, S1_conf, ST, ST_conf`` (``_conf``:
        half-width of the ``conf_level`` interval). An output that is undefined somewhere or
        never varies gets NaN indices.

    Examples
    --------
    >>> import numpy as np
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    >>> table = sobol_indices(problem, lambda x: x[:, 0] + 0.1 * x[:, 1], n=256, seed=1)
    >>> table.set_index("input")["S1"].round(1).to_dict()
    {'a': 1.0, 'b': 0.0}
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    _check_samples(n)
    entropy = fresh_entropy() if seed is None else int(seed)
    sample_rng, boot_seed = _seeds(entropy)
    design = sample.sample(dict(problem), n, calc_second_order=False, seed=sample_rng)
    result = evaluate(design)
    outputs = {"y": result} if isinstance(result, np.ndarray) else dict(result)
    records = []
    for name, values in outputs.items():
        y = np.asarray(values, dtype=float)
        if y.shape != (len(design),):
            raise ValueError(f"evaluate gave {y.shape} values for {name!r}, not {len(design)}")
        si: dict[str, Any] | None = None
        if np.all(np.isfinite(y)) and np.ptp(y) > 0:
            si = analyze.analyze(
                dict(problem),
                y,
                calc_second_order=False,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=boot_seed,
            )
        for j, input_name in enumerate(problem["names"]):
            row: dict[str, Any] = {"output": name, "input": input_name}
            for key in COLUMNS[2:]:
                row[key] = float(si[key][j]) if si is not None else np.nan
            records.append(row)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices of one output for each variant of a scenario, and how they were got."""

    table: pd.DataFrame
    output: str
    n_samples: int
    n_runs: int
    seed: int
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        """The ``sobol`` section of summary.json: per variant, inputs by total index."""
        variants = []
        for variant, rows in self.table.groupby("variant", sort=False):
            rows = rows.sort_values("ST", ascending=False)
            s1 = rows["S1"].to_numpy(float)
            variants.append(
                {
                    "id": variant,
                    "unexplained": float(1 - s1.sum()) if np.all(np.isfinite(s1)) else None,
                    "inputs": rows.drop(columns=["variant", "output"]).to_dict(orient="records"),
                }
            )
        return {
            "output": self.output,
            "samples": self.n_samples,
            "runs": self.n_runs,
            "seed": self.seed,
            "method": "Saltelli/Jansen estimators (SALib), Sobol' sequence, bootstrap 95% CI; "
            "inputs independent; process noise is the unexplained share",
            "variants": variants,
            "notes": list(self.notes),
        }


def sobol_analysis(
    scenario: Scenario,
    output: str = "roi",
    n: int = DEFAULT_SAMPLES,
    seed: SeedLike = None,
    *,
    variants: Sequence[Any] | None = None,
    executor: str = "processes",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_jobs: int | None = None,
) -> SobolResult:
    """Sobol indices of ``output`` (a column of the replications) for every variant that has it.

    Runs ``n * (D + 2)`` replications of every variant (``D`` uncertain inputs) through the
    normal experiment machinery, so the executor does not change the numbers.

    Examples
    --------
    ``sobol_analysis(load_scenario("shop.yaml"), "npv", n=64, seed=1).table`` is the tidy
    table also written to ``sobol.csv``.
    """
    from autosim.experiment.designs.base import DesignPoint, run_design
    from autosim.experiment.inputs import InputSampler
    from autosim.experiment.variants import default_variants

    _check_samples(n)
    sampler = InputSampler(scenario)
    names = sampler.names
    if not names:
        raise RunError(
            f"scenario {scenario.name!r} has no uncertain inputs, so there is nothing for Sobol "
            "indices to attribute; write a value as {uncertain: {dist: ...}} first"
        )
    entropy = fresh_entropy() if seed is None else int(seed)
    variants = tuple(variants or default_variants(scenario))
    block = len(names) + 2  # SALib's rows per base row: A, AB_1..AB_D, B
    notes = []
    if scenario.correlations:
        notes.append(
            "Sobol indices assume independent inputs: the scenario's correlations are ignored "
            "in this design (they still apply to the main run)"
        )
    middle = sampler.from_scores(dict.fromkeys(names, 0.5))
    probe = run_design(
        scenario,
        [DesignPoint(middle, 0)],
        entropy,
        variants=variants,
        executor="serial",
        max_jobs=max_jobs,
    )
    _check_output(probe, output)  # one replication, before the whole design is run
    found: dict[str, pd.DataFrame] = {}

    def evaluate(design: np.ndarray) -> dict[str, np.ndarray]:
        points = [
            DesignPoint(sampler.from_scores(dict(zip(names, row, strict=True))), r // block)
            for r, row in enumerate(design.tolist())
        ]
        rows = run_design(
            scenario,
            points,
            entropy,
            variants=variants,
            executor=executor,
            n_jobs=n_jobs,
            scheduler=scheduler,
            progress=progress,
            max_jobs=max_jobs,
        )
        found["rows"] = rows
        out = {}
        for v in variants:
            y = rows.loc[rows["variant"] == v.id, output].to_numpy(float)
            if np.isnan(y).all():
                continue  # e.g. ROI of the baseline: not defined
            out[v.id] = y
        return out

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    table = sobol_indices(problem, evaluate, n, entropy)
    rows = found["rows"]
    for variant in table["output"].unique():
        y = rows.loc[rows["variant"] == variant, output].to_numpy(float)
        bad = int((~np.isfinite(y)).sum())
        if bad:
            notes.append(
                f"{output} of {variant} is undefined or infinite in {bad} of {len(y)} runs"
            )
        elif np.ptp(y) == 0:
            notes.append(f"{output} of {variant} never varies: no spread to attribute")
    table = table.rename(columns={"output": "variant"})
    table.insert(1, "output", output)
    return SobolResult(table, output, n, n * block, entropy, tuple(notes))


def _check_output(rows: pd.DataFrame, output: str) -> None:
    """Refuse an output that is not a column of the replications, suggesting close names."""
    if output in rows.columns and output not in ("variant", "replication"):
        return
    columns = [c for c in rows.columns if c not in ("variant", "replication")]
    columns = [c for c in columns if not c.startswith("input:")]
    close = difflib.get_close_matches(output, columns, n=3)
    maybe = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise RunError(
        f"no output {output!r} in the replications{maybe} (e.g. roi, npv, net_benefit, "
        "jobs_lost, response_time_p90_min[job_type=...]; `autosim kpis` lists them all)"
    )
