"""Back-test: does the scenario's baseline reproduce the business's recorded history?

The scenario is run as it stands (no automation) over exactly the period of the records — same
start date, same number of days — many times, and each replication's simulated records are
measured with the same KPI function as the history (:func:`autosim.calibration.kpis.record_kpis`).
For each KPI the recorded value is placed in the simulated distribution: its percentile, and a
flag when it falls outside the P5–P95 band. Like checking a weather model on last season: the
forecast is credible when what actually happened looks like one of its runs.

With many KPIs some fall outside a 90% band by chance (about one in ten); the summary says how
many are expected, so a single flag on a minor KPI is read for what it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from autosim.calibration.kpis import KPI_UNITS, record_kpis
from autosim.calibration.simrecords import records_from_trace, sample_world
from autosim.calibration.table import RecordTable
from autosim.errors import RunError
from autosim.experiment.guards import check_size
from autosim.experiment.streams import Streams, fresh_entropy
from autosim.model.business import simulate_variant
from autosim.model.demand import generate_jobs
from autosim.model.timetable import DAY
from autosim.scenario.resolve import uncertain_inputs
from autosim.scenario.schema import Scenario

__all__ = ["BacktestResult", "backtest", "over_period"]

BAND = (5.0, 95.0)


@dataclass(frozen=True)
class BacktestResult:
    """Per KPI: the recorded value, the simulated P5/P50/P95, where history falls, a flag."""

    table: pd.DataFrame
    simulated: pd.DataFrame = field(repr=False)  # one row per replication, one column per KPI
    scenario: str
    start: pd.Timestamp
    n_days: int
    n_replications: int
    seed: int

    @property
    def n_outside(self) -> int:
        """KPIs whose recorded value lies outside the simulated P5–P95 band."""
        return int(self.table["outside"].sum())

    @property
    def expected_outside(self) -> float:
        """How many would fall outside by chance alone if the scenario were right."""
        return 0.1 * int(self.table["recorded"].notna().sum())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (``--out`` writes it as backtest.json, see :mod:`.backtest_files`)."""
        rows = self.table.replace({np.nan: None}).to_dict(orient="records")
        return {
            "scenario": self.scenario,
            "start": self.start.date().isoformat(),
            "n_days": self.n_days,
            "replications": self.n_replications,
            "seed": self.seed,
            "band": list(BAND),
            "n_outside": self.n_outside,
            "expected_outside_by_chance": self.expected_outside,
            "kpis": rows,
        }


def over_period(scenario: Scenario, start: pd.Timestamp, n_days: int) -> Scenario:
    """The scenario's baseline over a given period: same business, the records' calendar.

    Automations, bundles and the strategy are dropped (only the baseline is simulated) and there
    is no warm-up: the records' first day is the simulation's first day.
    """
    calendar = scenario.calendar.model_copy(update={"start_date": start.date()})
    baseline = scenario.model_copy(
        update={
            "calendar": calendar,
            "horizon": float(n_days * DAY),
            "warmup": 0.0,
            "strategy": None,
            "automations": (),
            "bundles": (),
        }
    )
    # Correlations between inputs that went with the automations go too; the others stay.
    left = set(uncertain_inputs(baseline))
    kept = tuple(c for c in getattr(baseline, "correlations", ()) if set(c.between) <= left)
    if kept != getattr(baseline, "correlations", ()):
        baseline = baseline.model_copy(update={"correlations": kept})
    return baseline


def _unit(name: str) -> str:
    return KPI_UNITS.get(name.split("[", 1)[0], "")


def _percentile(sims: np.ndarray, value: float) -> float:
    """Where ``value`` falls among the simulated values, in percent (ties count half)."""
    sims = sims[np.isfinite(sims)]
    if not sims.size or not math.isfinite(value):
        return math.nan
    below = np.count_nonzero(sims < value) + 0.5 * np.count_nonzero(sims == value)
    return float(100.0 * below / sims.size)


def backtest(
    scenario: Scenario,
    jobs: RecordTable,
    invoices: RecordTable | None = None,
    *,
    n_replications: int = 50,
    seed: int | None = None,
    max_jobs: int | None = None,
) -> BacktestResult:
    """Simulate the baseline over the records' period and compare KPI by KPI.

    Parameters
    ----------
    scenario
        The scenario to check (its baseline is simulated; uncertain inputs are drawn per
        replication, as in ``autosim run``).
    jobs, invoices
        Clean record tables (see :func:`autosim.calibration.read_records`).
    n_replications
        Simulated replications (the band's resolution: 50 places P5/P95 to within a few points).
    seed
        Seed of the replications (None: drawn and recorded).
    max_jobs
        The size guard of ``autosim run`` (:func:`autosim.experiment.guards.check_size`): a
        period so long that one replication would generate more calls is refused.
    """
    if n_replications < 2:
        raise RunError(f"a back-test needs at least 2 replications (got {n_replications})")
    start, end = jobs.period()
    n_days = int((end - start) / pd.Timedelta(days=1))
    history = record_kpis(
        jobs.frame, invoices.frame if invoices is not None else None, start=start, n_days=n_days
    )
    world = over_period(scenario, start, n_days)
    check_size(world, max_jobs)  # the records' period, at the scenario's rates: not absurd
    entropy = fresh_entropy() if seed is None else int(seed)
    rows = []
    for r in range(n_replications):
        streams = Streams(entropy, r)
        resolved = sample_world(world, streams)
        outcome = simulate_variant(
            resolved, generate_jobs(resolved, streams), (), streams, trace=True
        )
        sim = records_from_trace(resolved, outcome.trace)
        sim_invoices = sim.invoices.frame if (invoices is not None and sim.invoices) else None
        rows.append(record_kpis(sim.jobs.frame, sim_invoices, start=start, n_days=n_days))
    simulated = pd.DataFrame(rows).reindex(columns=list(history))
    table = []
    for name, value in history.items():
        sims = simulated[name].to_numpy(dtype=float)
        finite = sims[np.isfinite(sims)]
        p5, p50, p95 = (
            np.percentile(finite, [BAND[0], 50, BAND[1]]) if finite.size else (math.nan,) * 3
        )
        pct = _percentile(sims, value)
        table.append(
            {
                "kpi": name,
                "unit": _unit(name),
                "recorded": value,
                "p5": float(p5),
                "p50": float(p50),
                "p95": float(p95),
                "percentile": pct,
                "outside": bool(
                    math.isfinite(value) and finite.size and (value < p5 or value > p95)
                ),
                "n_simulated": int(finite.size),
            }
        )
    return BacktestResult(
        pd.DataFrame(table), simulated, scenario.name, start, n_days, n_replications, entropy
    )
