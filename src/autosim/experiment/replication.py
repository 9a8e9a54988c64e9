"""One replication: every variant played against the same sampled world, and its rows.

A replication samples the uncertain inputs once, draws the customers once, then plays every
variant (the baseline, each automation) against that same world, so that each automation is
judged by paired differences against the baseline of the same replication. It is a pure
function of (scenario, entropy, replication number): any worker can run it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from autosim.experiment.inputs import sample_inputs
from autosim.experiment.streams import Streams
from autosim.experiment.variants import Variant
from autosim.model.business import VariantOutcome, simulate_variant
from autosim.model.demand import generate_jobs
from autosim.model.finance import (
    cash_floor_breach,
    irr_annual,
    month_index,
    monthly_totals,
    npv_monthly,
    payback_months,
    roi,
    with_later,
    worst_month_cash,
)
from autosim.model.financing import later_payments, upfront_outlay
from autosim.scenario.resolve import resolve
from autosim.scenario.schema import Scenario

__all__ = ["CASH_FLOWS", "ReplicationResult", "replication_frames", "run_replication"]

#: Daily ledger columns written to cash.parquet, in order (money in +, out -).
CASH_FLOWS = (
    "collections",
    "card_fees",
    "wages",
    "admin_wages",
    "fixed_costs",
    "automation",
    "online_sales",
    "refunds",
    "purchases",
)


@dataclass
class ReplicationResult:
    """Rows (one per variant) and daily cash (variants x flows+net+balance x days)."""

    replication: int
    rows: list[dict[str, object]]
    cash: np.ndarray
    n_events: int = 0
    seconds: float = 0.0


def _versus(
    scenario: Scenario,
    base: VariantOutcome,
    other: VariantOutcome,
    months: np.ndarray,
    variant: Variant,
) -> dict[str, float]:
    """Finance of a variant against the baseline of the same replication.

    NPV, IRR and payback read one monthly stream (the timing convention of
    :mod:`autosim.model.finance`): the simulated monthly differences, then the loan and lease
    payments the purchases still call for after the horizon, each in its month. ROI and
    ``net_benefit`` stay within the horizon, as the cash ledger does.
    """
    daily = other.ledger.net - base.ledger.net
    autos = [scenario.automation(a) for a in variant.automations]
    later = later_payments(autos, variant.starts, scenario.calendar.start_date, scenario.n_days)
    stream = with_later(monthly_totals(daily, months), later.month, later.amount)
    benefit = float(daily.sum())
    cost = other.kpis["automation_cost"]
    return {
        "automation_upfront": sum(upfront_outlay(a) for a in autos),
        "net_benefit": benefit,
        "roi": roi(benefit, cost),
        "npv": npv_monthly(float(scenario.finance.discount_rate), stream),
        "payback_months": payback_months(stream),
        "irr": irr_annual(stream),
        **cash_floor_breach(scenario.cash_floor, other.ledger.balance),
    }


def run_replication(
    scenario: Scenario,
    variants: Sequence[Variant],
    entropy: int,
    replication: int,
    common_random_numbers: bool = True,
    inputs: Mapping[str, float] | None = None,
    salt: int | None = None,
) -> ReplicationResult:
    """Simulate every variant of one replication (a pure function of its arguments).

    Designed experiments (:mod:`autosim.experiment.designs.sobol`,
    :mod:`autosim.experiment.designs.variance`) pass ``inputs`` to fix the uncertain inputs
    instead of sampling them, and ``salt`` to give the process randomness (customers, service
    times...) streams of its own within the same replication.
    """
    started = time.perf_counter()
    outcomes: list[VariantOutcome] = []
    inputs_by_variant: list[dict[str, float]] = []
    shared: tuple[dict[str, float], Scenario, object] | None = None
    for v_idx, variant in enumerate(variants):
        if shared is None or not common_random_numbers:
            streams = Streams(entropy, replication, salt if common_random_numbers else v_idx)
            values = dict(inputs) if inputs is not None else sample_inputs(scenario, streams)
            resolved = resolve(scenario, values)
            shared = (values, resolved, generate_jobs(resolved, streams), streams)
        values, resolved, jobs, streams = shared
        outcomes.append(
            simulate_variant(resolved, jobs, variant.automations, streams, variant.starts)
        )
        inputs_by_variant.append(values)

    resolved = shared[1]
    months = month_index(resolved.calendar.start_date, resolved.n_days)
    rows: list[dict[str, object]] = []
    cash = np.empty((len(variants), len(CASH_FLOWS) + 2, resolved.n_days))
    for v_idx, (variant, outcome) in enumerate(zip(variants, outcomes, strict=True)):
        row: dict[str, object] = {"variant": variant.id, "replication": replication}
        row.update({f"input:{p}": v for p, v in inputs_by_variant[v_idx].items()})
        row.update(outcome.kpis)
        row["worst_month_cash"] = worst_month_cash(outcome.ledger.balance, months)
        if variant.automations:
            row.update(_versus(resolved, outcomes[0], outcome, months, variant))
        rows.append(row)
        for f_idx, name in enumerate(CASH_FLOWS):
            cash[v_idx, f_idx] = outcome.ledger.flows[name]
        cash[v_idx, -2] = outcome.ledger.net
        cash[v_idx, -1] = outcome.ledger.balance
    n_events = sum(o.n_events for o in outcomes)
    return ReplicationResult(replication, rows, cash, n_events, time.perf_counter() - started)


def replication_frames(
    scenario: Scenario, variants: Sequence[Variant], results: Sequence[ReplicationResult]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy frames of some replications (already sorted by replication).

    ``replications``: one row per variant x replication, sorted by variant then replication.
    ``cash``: one row per variant x replication x day with the daily ledger and balance.
    """
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
    return frame, pd.DataFrame(columns)
