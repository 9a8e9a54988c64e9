"""summarize(): the one function that turns a run's frames into the judgement of each option.

Everything a reader is told — KPI summaries, finance against the baseline, risk, sensitivity,
goals and verdicts, the recommended purchase, value of information, the roadmap — is computed
here from a :class:`~autosim.experiment.run.Run`, in one place, so that every output (the
terminal, summary.json, the report) shows the same numbers. It returns a new dict and changes
nothing it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from autosim.decide.portfolio import interactions, recommend, resolve_objective
from autosim.decide.risk import variant_risk
from autosim.decide.roadmap import roadmap_section
from autosim.decide.sensitivity import tornado_table
from autosim.decide.strategy import evaluate_strategy
from autosim.decide.value import value_of_information
from autosim.errors import RunError
from autosim.experiment.run import Run
from autosim.stats import describe

__all__ = [
    "alignment_matrix",
    "check_sensitivity_outputs",
    "run_warnings",
    "strategy_evaluation",
    "summarize",
]


def check_sensitivity_outputs(run: Run, outputs: Sequence[str]) -> tuple[str, ...]:
    """The extra tornado outputs, checked against the run's columns (``roi`` is always there)."""
    unknown = [o for o in outputs if o not in run.replications.columns]
    if unknown:
        raise RunError(
            f"--sensitivity: no column {unknown[0]!r} in this run's replications (a KPI "
            "such as response_time_p90_min[job_type=emergency], or roi, npv; `autosim kpis` "
            "lists them)"
        )
    return tuple(dict.fromkeys(o for o in outputs if o != "roi"))


def strategy_evaluation(run: Run) -> dict[str, dict[str, Any]] | None:
    """Goals, verdicts and constraints per variant (None without a strategy section)."""
    if run.scenario.strategy is None:
        return None
    variants = [(v.id, bool(v.automations)) for v in run.variants]
    return evaluate_strategy(run.scenario.strategy, run.replications, variants)


def alignment_matrix(judged: dict[str, dict[str, Any]] | None, run: Run) -> pd.DataFrame:
    """Automations x goals: change in P(goal met) against the baseline."""
    judged = judged or {}
    rows = {
        v.id: {g: e["delta_vs_baseline"] for g, e in judged[v.id]["goals"].items()}
        for v in run.variants
        if v.automations and v.id in judged
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def summarize(
    run: Run,
    *,
    objective: str | None = None,
    sensitivity: Sequence[str] = (),
    judged: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The content of ``summary.json``: per variant, KPI and finance summaries, and decisions.

    ``objective`` overrides the strategy's portfolio objective; ``sensitivity`` names outputs
    besides ROI whose tornado each variant carries; ``judged`` is the strategy evaluation when
    the caller already has it (it is computed otherwise).
    """
    outputs = check_sensitivity_outputs(run, sensitivity)
    out: dict[str, Any] = {
        "scenario": run.scenario.name,
        "currency": run.scenario.currency,
        "replications": run.n_replications,
        "seed": run.seed,
        "variants": [],
    }
    if run.precision is not None:
        out["precision"] = run.precision
    for variant in run.variants:
        rows = run.variant_frame(variant.id)
        entry: dict[str, Any] = {
            "id": variant.id,
            "automations": list(variant.automations),
            "kpis": {c: describe(rows[c].to_numpy(float)) for c in run.kpi_columns},
        }
        if variant.automations:
            entry["finance"] = _finance(rows)
            entry["finance"]["risk"] = variant_risk(rows, run.seed, variant.id)
            drivers = tornado_table(rows, "roi", variant.automations)
            entry["sensitivity"] = {"roi": drivers.to_dict(orient="records")}
        for output in outputs:
            if rows[output].notna().sum() >= 3:
                drivers = tornado_table(rows, output, variant.automations)
                entry.setdefault("sensitivity", {})[output] = drivers.to_dict(orient="records")
        out["variants"].append(entry)
    if run.precision is not None:
        for entry in out["variants"]:
            entry["precision"] = {
                "replications": run.n_replications,
                "quantities": _own_quantities(run.precision["quantities"], entry["id"]),
            }
    out["warnings"] = run_warnings(run)
    if judged is None:
        judged = strategy_evaluation(run)
    if judged is not None:
        strategy = run.scenario.strategy
        out["strategy"] = {
            "mission": strategy.mission,
            "min_effect": float(strategy.min_effect),
            "min_progress": float(strategy.min_progress),
            "goals": [
                {"id": g.id, "description": g.text(), "weight": float(g.weight)}
                for g in strategy.goals
            ],
        }
        for entry in out["variants"]:
            entry.update(judged[entry["id"]])
    if any(v.automations for v in run.variants):
        _decisions(run, out, objective)
    return out


def _decisions(run: Run, out: dict[str, Any], objective: str | None) -> None:
    """Interactions, the recommendation, value of information and the roadmap, into ``out``."""
    at_once = [v for v in run.variants if not v.starts]  # roadmaps: autosim.decide.roadmap
    for bundle, effect in interactions(run.replications, at_once).items():
        next(e for e in out["variants"] if e["id"] == bundle)["interaction"] = effect
    chosen = resolve_objective(objective, run.scenario.strategy)
    options = [e for e in out["variants"] if e["id"] in {v.id for v in at_once}]
    out["portfolio"] = recommend(options, run.replications, chosen)
    out["value_of_information"] = value_of_information(run.replications, options, run.seed)
    chosen_id = out["portfolio"]["recommended"]
    bought = next((v.automations for v in at_once if v.id == chosen_id), ())
    out["roadmap"] = roadmap_section(
        run.scenario,
        out["variants"],
        run.replications,
        run.variants,
        out["portfolio"]["objective"],
        bought,
    )


def run_warnings(run: Run) -> list[str]:
    """Statistical caveats of a run, in plain words (also printed by the CLI)."""
    notes = []
    n = run.n_replications
    if n < 30:
        notes.append(
            f"only {n} replications: means have wide intervals and P5/P95 rest on very few "
            "values; use 30 or more (100+ for percentiles and verdicts)"
        )
    if run.precision is not None and not run.precision["met"]:
        p = run.precision
        missed = [k for k, q in p["quantities"].items() if not q["met"]]
        notes.append(
            f"the precision target ({p['on']} of {p['output']} within {p['target']:g}) was "
            f"not reached in {p['replications']} replications (the --max-replications "
            f"limit) for {', '.join(missed[:4])}{' and more' if len(missed) > 4 else ''}"
        )
    sc = run.scenario
    if sc.warmup == 0 and sc.n_days < 90:
        notes.append(
            "the business starts empty (no queue, no receivables) and the horizon is short: "
            "set a warmup (e.g. '7 day') so the start-up does not colour the KPIs"
        )
    frame = run.replications
    undefined = {c: int(frame[c].isna().sum()) for c in run.kpi_columns}
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


def _finance(rows: pd.DataFrame) -> dict[str, Any]:
    """ROI, NPV, payback, net benefit and IRR of one option over its replications.

    ``irr`` (annual) and ``irr_monthly`` (``(1 + irr)**(1/12) - 1``, the rate numpy-financial
    finds on the monthly stream) are described over the replications where the IRR exists
    (``n_defined``; the others have no change of sign). Runs saved before IRR existed get none.
    """
    roi = rows["roi"].to_numpy(float)
    npv = rows["npv"].to_numpy(float)
    payback = rows["payback_months"].to_numpy(float)
    n = len(rows)
    out = {
        "roi": {**describe(roi), "p_positive": float(np.mean(roi > 0)) if n else None},
        "npv": {**describe(npv), "p_positive": float(np.mean(npv > 0)) if n else None},
        "payback_months": {
            **describe(payback),
            "p_within_horizon": float(np.mean(np.isfinite(payback))) if n else None,
        },
        "net_benefit": describe(rows["net_benefit"].to_numpy(float)),
    }
    if "irr" in rows:
        annual = rows["irr"].to_numpy(float)
        defined = int(np.isfinite(annual).sum())
        for name, values in (("irr", annual), ("irr_monthly", (1.0 + annual) ** (1 / 12) - 1)):
            out[name] = {**describe(values), "n_defined": defined}
    return out


def _own_quantities(quantities: dict[str, Any], variant_id: str) -> dict[str, Any]:
    """The precision quantities about one variant: itself, its goals, its paired differences."""

    def about(name: str) -> bool:
        return (
            name == variant_id
            or name.startswith(f"{variant_id}/")
            or variant_id in name.split(" - ")
        )

    return {name: q for name, q in quantities.items() if about(name)}
