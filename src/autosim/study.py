"""Results of an experiment as tidy frames, and the summary every report is built from.

``replications`` has one row per replication x variant: the sampled inputs (``input:<path>``),
every KPI, and for automations the finance against the same replication's baseline. ``cash`` has
one row per day x replication x variant with the daily ledger and balance. Rows carry what
produced them, so a plain ``groupby`` answers most questions in a notebook.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from autosim.decide.risk import variant_risk
from autosim.decide.sensitivity import tornado_table
from autosim.errors import RunError
from autosim.kpis import CATALOGUE
from autosim.stats import describe

if TYPE_CHECKING:
    from autosim.experiment.runner import ReplicationResult, Variant
    from autosim.present.figures import PlotAccessor
    from autosim.scenario.schema import Scenario

__all__ = ["FINANCE_COLUMNS", "Results"]

#: Columns that compare a variant with the baseline of the same replication.
FINANCE_COLUMNS = tuple(k.name for k in CATALOGUE if k.group == "versus")


class Results:
    """What a run produced: tidy frames plus the metadata needed to reproduce it.

    Attributes
    ----------
    replications : pandas.DataFrame
        One row per replication x variant.
    cash : pandas.DataFrame
        One row per day x replication x variant.
    seed : int
        The entropy actually used (drawn from the OS when no seed was given).
    """

    def __init__(
        self,
        scenario: Scenario,
        variants: Sequence[Variant],
        replications: pd.DataFrame,
        cash: pd.DataFrame,
        *,
        seed: int,
        seed_given: bool = True,
        timing: dict[str, Any] | None = None,
        precision: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.variants = tuple(variants)
        self.replications = replications
        self.cash = cash
        self.seed = seed
        self.seed_given = seed_given
        self.timing = dict(timing or {})
        #: How precise the answer became when the run stopped on a precision target (or None).
        self.precision = precision
        #: Portfolio objective overriding the strategy's (see :meth:`set_objective`).
        self.objective: str | None = None
        #: Outputs besides ROI whose tornado (sensitivity to each input) the summary carries.
        self.sensitivity_outputs: tuple[str, ...] = ()
        self._judged: dict[str, dict[str, Any]] | None = None
        self._summary: dict[str, Any] | None = None

    @classmethod
    def from_replications(
        cls,
        scenario: Scenario,
        variants: Sequence[Variant],
        results: Sequence[ReplicationResult],
        **meta: Any,
    ) -> Results:
        """Build the frames from per-replication results (already sorted by replication)."""
        from autosim.experiment.runner import CASH_FLOWS

        order = {v.id: i for i, v in enumerate(variants)}
        rows = [row for r in results for row in r.rows]
        frame = pd.DataFrame(rows)
        frame["_order"] = frame["variant"].map(order)
        frame = frame.sort_values(["_order", "replication"], kind="stable").drop(columns="_order")
        frame = frame.reset_index(drop=True)

        cube = np.stack([r.cash for r in results], axis=1)  # variants x reps x cols x days
        n_var, n_rep, _, n_days = cube.shape
        dates = pd.Timestamp(scenario.calendar.start_date) + pd.to_timedelta(
            np.arange(n_days), unit="D"
        )
        columns = {
            "variant": np.repeat([v.id for v in variants], n_rep * n_days),
            "replication": np.tile(np.repeat([r.replication for r in results], n_days), n_var),
            "day": np.tile(np.arange(n_days), n_var * n_rep),
            "date": np.tile(dates.values, n_var * n_rep),
        }
        names = (*CASH_FLOWS, "net_flow", "balance")
        for c, name in enumerate(names):
            columns[name] = cube[:, :, c, :].reshape(-1)
        cash = pd.DataFrame(columns)
        meta.setdefault("timing", {})["n_events"] = int(sum(r.n_events for r in results))
        return cls(scenario, variants, frame, cash, **meta)

    @property
    def plot(self) -> PlotAccessor:
        """The standard figures of this run: ``results.plot.npv()`` (loads matplotlib on use)."""
        from autosim.present.figures import PlotAccessor

        return PlotAccessor(self)

    @property
    def n_replications(self) -> int:
        """Replications per variant."""
        return int(self.replications["replication"].nunique())

    @property
    def input_columns(self) -> list[str]:
        """Columns holding sampled uncertain inputs."""
        return [c for c in self.replications.columns if c.startswith("input:")]

    @property
    def kpi_columns(self) -> list[str]:
        """Columns holding KPIs (not inputs, not finance against the baseline)."""
        skip = {"variant", "replication", *FINANCE_COLUMNS}
        return [
            c for c in self.replications.columns if c not in skip and not c.startswith("input:")
        ]

    def variant_frame(self, variant_id: str) -> pd.DataFrame:
        """Rows of one variant, in replication order.

        The frame is sorted by variant, so the rows are one contiguous block: a slice, which
        pandas does not copy (a 10,000-replication frame is ~100 MB); a mask when not.
        """
        where = np.flatnonzero(self.replications["variant"].to_numpy() == variant_id)
        if where.size and where[-1] - where[0] + 1 == where.size:
            rows = self.replications.iloc[where[0] : where[-1] + 1]
        else:
            rows = self.replications.iloc[where]
        if rows.empty:
            known = ", ".join(v.id for v in self.variants)
            raise KeyError(f"no variant {variant_id!r} (known: {known})")
        return rows

    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json``: per variant, KPI and finance summaries.

        Computed once (the CLI, the report and the figures all ask for it) and returned as a
        copy, so a caller that edits its summary does not change anyone else's.
        """
        if self._summary is None:
            self._summary = self._build_summary()
        return copy.deepcopy(self._summary)

    def set_objective(self, objective: str | None) -> None:
        """Choose the portfolio objective (``autosim run --objective``); None: the strategy's."""
        from autosim.decide.portfolio import resolve_objective

        resolve_objective(objective, self.scenario.strategy)  # refuse a bad one now
        self.objective = objective
        self._summary = None

    def set_sensitivity(self, outputs: Sequence[str]) -> None:
        """Also rank the uncertain inputs by their effect on these outputs (KPIs, ``npv``...).

        ``autosim run --sensitivity KPI``: the summary then holds, per variant that has the
        output, ``sensitivity[output]`` (rank correlation and P10→P90 swing of each input), and
        the report a tornado figure for each.
        """
        unknown = [o for o in outputs if o not in self.replications.columns]
        if unknown:
            raise RunError(
                f"--sensitivity: no column {unknown[0]!r} in this run's replications (a KPI "
                "such as response_time_p90_min[job_type=emergency], or roi, npv; `autosim kpis` "
                "lists them)"
            )
        self.sensitivity_outputs = tuple(dict.fromkeys(o for o in outputs if o != "roi"))
        self._summary = None

    def _build_summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "currency": self.scenario.currency,
            "replications": self.n_replications,
            "seed": self.seed,
            "variants": [],
        }
        if self.precision is not None:
            out["precision"] = self.precision
        for variant in self.variants:
            rows = self.variant_frame(variant.id)
            entry: dict[str, Any] = {
                "id": variant.id,
                "automations": list(variant.automations),
                "kpis": {c: describe(rows[c].to_numpy(float)) for c in self.kpi_columns},
            }
            if variant.automations:
                entry["finance"] = _finance(rows)
                entry["finance"]["risk"] = variant_risk(rows, self.seed, variant.id)
                drivers = tornado_table(rows, "roi")
                entry["sensitivity"] = {"roi": drivers.to_dict(orient="records")}
            for output in self.sensitivity_outputs:
                if rows[output].notna().sum() >= 3:
                    drivers = tornado_table(rows, output)
                    entry.setdefault("sensitivity", {})[output] = drivers.to_dict(orient="records")
            out["variants"].append(entry)
        if self.precision is not None:
            for entry in out["variants"]:
                entry["precision"] = {
                    "replications": self.n_replications,
                    "quantities": _own_quantities(self.precision["quantities"], entry["id"]),
                }
        out["warnings"] = self.warnings()
        judged = self.strategy_evaluation()
        if judged is not None:
            strategy = self.scenario.strategy
            out["strategy"] = {
                "mission": strategy.mission,
                "min_effect": float(strategy.min_effect),
                "goals": [
                    {"id": g.id, "description": g.text(), "weight": float(g.weight)}
                    for g in strategy.goals
                ],
            }
            for entry in out["variants"]:
                entry.update(judged[entry["id"]])
        if any(v.automations for v in self.variants):
            from autosim.decide.portfolio import interactions, recommend, resolve_objective
            from autosim.decide.roadmap import roadmap_section
            from autosim.decide.value import value_of_information

            at_once = [v for v in self.variants if not v.starts]  # roadmaps: autosim.decide.roadmap
            for bundle, effect in interactions(self.replications, at_once).items():
                next(e for e in out["variants"] if e["id"] == bundle)["interaction"] = effect
            objective = resolve_objective(self.objective, self.scenario.strategy)
            options = [e for e in out["variants"] if e["id"] in {v.id for v in at_once}]
            out["portfolio"] = recommend(options, self.replications, objective)
            voi = value_of_information(self.replications, options, self.seed)
            out["value_of_information"] = voi
            out["roadmap"] = roadmap_section(
                self.scenario,
                out["variants"],
                self.replications,
                self.variants,
                out["portfolio"]["objective"],
            )
        return out

    def warnings(self) -> list[str]:
        """Statistical caveats of this run, in plain words (also printed by the CLI)."""
        notes = []
        n = self.n_replications
        if n < 30:
            notes.append(
                f"only {n} replications: means have wide intervals and P5/P95 rest on very few "
                "values; use 30 or more (100+ for percentiles and verdicts)"
            )
        if self.precision is not None and not self.precision["met"]:
            p = self.precision
            missed = [k for k, q in p["quantities"].items() if not q["met"]]
            notes.append(
                f"the precision target ({p['on']} of {p['output']} within {p['target']:g}) was "
                f"not reached in {p['replications']} replications (the --max-replications "
                f"limit) for {', '.join(missed[:4])}{' and more' if len(missed) > 4 else ''}"
            )
        sc = self.scenario
        if sc.warmup == 0 and sc.n_days < 90:
            notes.append(
                "the business starts empty (no queue, no receivables) and the horizon is short: "
                "set a warmup (e.g. '7 day') so the start-up does not colour the KPIs"
            )
        frame = self.replications
        undefined = {c: int(frame[c].isna().sum()) for c in self.kpi_columns}
        undefined = {c: k for c, k in undefined.items() if k}
        if undefined:
            worst = sorted(undefined, key=undefined.get, reverse=True)[:3]
            listed = ", ".join(f"{c} ({undefined[c]} of {len(frame)})" for c in worst)
            more = f" and {len(undefined) - 3} more" if len(undefined) > 3 else ""
            notes.append(
                f"{len(undefined)} KPI columns are undefined in some replications (e.g. no jobs "
                f"of that kind happened): {listed}{more}; they are left out of means and "
                "percentiles and counted in n_undefined"
            )
        return notes

    def strategy_evaluation(self) -> dict[str, dict[str, Any]] | None:
        """Goals, verdicts and constraints per variant (None without a strategy section)."""
        if self.scenario.strategy is None:
            return None
        if self._judged is None:
            from autosim.decide.strategy import evaluate_strategy

            variants = [(v.id, bool(v.automations)) for v in self.variants]
            self._judged = evaluate_strategy(self.scenario.strategy, self.replications, variants)
        return self._judged

    def alignment_matrix(self) -> pd.DataFrame:
        """Automations x goals: change in P(goal met) against the baseline."""
        judged = self.strategy_evaluation() or {}
        rows = {
            v.id: {g: e["delta_vs_baseline"] for g, e in judged[v.id]["goals"].items()}
            for v in self.variants
            if v.automations and v.id in judged
        }
        return pd.DataFrame.from_dict(rows, orient="index")


def _finance(rows: pd.DataFrame) -> dict[str, Any]:
    roi = rows["roi"].to_numpy(float)
    npv = rows["npv"].to_numpy(float)
    payback = rows["payback_months"].to_numpy(float)
    n = len(rows)
    return {
        "roi": {**describe(roi), "p_positive": float(np.mean(roi > 0)) if n else None},
        "npv": {**describe(npv), "p_positive": float(np.mean(npv > 0)) if n else None},
        "payback_months": {
            **describe(payback),
            "p_within_horizon": float(np.mean(np.isfinite(payback))) if n else None,
        },
        "net_benefit": describe(rows["net_benefit"].to_numpy(float)),
    }


def _own_quantities(quantities: dict[str, Any], variant_id: str) -> dict[str, Any]:
    """The precision quantities about one variant: itself, its goals, its paired differences."""

    def about(name: str) -> bool:
        return (
            name == variant_id
            or name.startswith(f"{variant_id}/")
            or variant_id in name.split(" - ")
        )

    return {name: q for name, q in quantities.items() if about(name)}


def _today() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
