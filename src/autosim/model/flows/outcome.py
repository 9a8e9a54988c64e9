"""One variant's operations run end to end: plan, floor, KPIs and the money for the ledger.

The till and the payroll of the operations: counter sales are cash on the day the item is
completed (a café customer pays at the counter — there is no invoice; invoicing and payment
terms stay with the field crew's jobs), the pools' people are paid for every shift hour of
every unit on the rota that day plus overtime at their multiplier on the day the overtime
starts, and each automation's per-transaction fee is paid per item that used its automated path,
on its arrival day. These daily arrays are added to the business's ledger
(:func:`merge_ledger`: sales into ``collections``, pay into ``wages``, fees into ``automation``),
so NPV, ROI, cash floors and goals see them like any other money.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from autosim.kpis import CATALOGUE, column, period_suffix
from autosim.model.finance import Ledger
from autosim.model.flows.engine import LegState, PoolPlan, WorkRecord, simulate_work
from autosim.model.flows.measures import Fates, busy_minutes, fates_of, flow_kpis, pool_kpis
from autosim.model.flows.plan import OperationsPlan, plan_operations
from autosim.model.timetable import DAY
from autosim.scenario.schema import Automation, Scenario

__all__ = [
    "FlowsOutcome",
    "dispatch_view",
    "field_crew_kpi",
    "merge_ledger",
    "operations_only",
    "run_operations",
]

Stream = Callable[[str], np.random.Generator]


@dataclass(frozen=True)
class FlowsOutcome:
    """KPIs, daily money and the recorded arrays of one variant's operations."""

    kpis: dict[str, float]
    sales: np.ndarray  # cash in per day (counter sales at completion)
    wages: np.ndarray  # pay per day (positive: paid out)
    fees: np.ndarray  # automation per-transaction fees per day (positive: paid out)
    revenue_horizon: float
    plan: OperationsPlan
    record: WorkRecord
    fates: Fates

    @property
    def n_events(self) -> int:
        """SimPy events the floor scheduled."""
        return self.record.n_events

    @property
    def n_items(self) -> int:
        """Items that arrived within the horizon."""
        return self.plan.work.n_items


def _per_day(times: np.ndarray, weights: np.ndarray, n_days: int) -> np.ndarray:
    keep = np.isfinite(times) & (times < n_days * DAY)
    days = (times[keep] // DAY).astype(int)
    return np.bincount(days, weights[keep], minlength=n_days)[:n_days]


def _regular_pay(pools: PoolPlan, n_days: int) -> np.ndarray:
    """Per pool and day: unit-hours on shift x wage."""
    edges = np.arange(n_days + 1) * DAY
    out = np.zeros((len(pools.ids), n_days))
    for p, (shift, counts) in enumerate(zip(pools.shifts, pools.counts, strict=True)):
        for k, (since, count) in enumerate(counts):
            until = counts[k + 1][0] if k + 1 < len(counts) else np.inf
            clipped = np.clip(edges, since, until)
            minutes = np.diff(shift.open_minutes_before(clipped))
            out[p] += count * minutes / 60.0 * pools.wage[p]
    return out


def run_operations(
    scenario: Scenario,
    automation_ids: Sequence[str],
    stream: Stream,
    starts: Sequence[float] = (),
    periods: Sequence[int] = (),
) -> FlowsOutcome:
    """Simulate the operations of one variant (``periods``: goal periods in days)."""
    n_days = scenario.n_days
    horizon = n_days * DAY
    plan = plan_operations(scenario, automation_ids, stream, starts)
    work, pools = plan.work, plan.pools
    record = simulate_work(work, pools, horizon)
    fates = fates_of(work, record, horizon)
    _, overtime = busy_minutes(work, record, pools, horizon)
    kpis = flow_kpis(plan, fates, record, scenario.warmup)
    kpis.update(pool_kpis(work, record, pools, overtime, scenario.warmup, horizon))
    for days in periods:
        t0 = horizon - days * DAY
        block = flow_kpis(plan, fates, record, t0)
        block.update(pool_kpis(work, record, pools, overtime, t0, horizon))
        kpis.update({name + period_suffix(days): v for name, v in block.items()})

    regular = _regular_pay(pools, n_days)
    started = record.state == LegState.STARTED
    overtime_pay = overtime / 60.0 * (pools.wage * pools.overtime_multiplier)[work.pool]
    wages = regular.sum(axis=0) + _per_day(
        record.start, np.where(started, overtime_pay, 0.0), n_days
    )
    for p, pool in enumerate(pools.ids):
        at = started & (work.pool == p)
        paid = regular[p].sum() + overtime_pay[at & (record.start < horizon)].sum()
        kpis[column("pool_wages", "pool", pool)] = float(paid)
    kpis["pool_wages"] = float(wages.sum())

    fees = np.zeros(n_days)
    for auto, used in zip(plan.automations, plan.uses, strict=True):
        fee = float(auto.costs.per_transaction)
        if fee:
            fees += _per_day(work.arrival[used], np.full(int(used.sum()), fee), n_days)
    sales = _per_day(fates.done, np.where(fates.completed, work.revenue, 0.0), n_days)
    return FlowsOutcome(
        kpis=kpis,
        sales=sales,
        wages=wages,
        fees=fees,
        revenue_horizon=float(sales.sum()),
        plan=plan,
        record=record,
        fates=fates,
    )


def merge_ledger(ledger: Ledger, outcome: FlowsOutcome) -> Ledger:
    """The business's ledger with the operations' sales, pay and fees added to its flows."""
    flows = dict(ledger.flows)
    flows["collections"] = flows["collections"] + outcome.sales
    flows["wages"] = flows["wages"] - outcome.wages
    flows["automation"] = flows["automation"] - outcome.fees
    return Ledger(flows, ledger.opening_balance)


#: KPIs about field jobs and their invoices: meaningless for a business without a field crew.
_FIELD_CREW_KPIS = frozenset(
    k.name
    for k in CATALOGUE
    if k.group == "dispatch"
    or (k.group == "invoicing" and k.name not in ("revenue_horizon", "collections"))
)


def field_crew_kpi(column_name: str) -> bool:
    """Whether a KPI column is about field jobs or their invoices (left out of the results of
    a business built from operations alone, which has neither)."""
    return column_name.split("[")[0].split("@")[0] in _FIELD_CREW_KPIS


def operations_only(auto: Automation) -> bool:
    """An automation (or hire) whose every effect is on operations."""
    return bool(auto.effects) and all(p.startswith("operations.") for p in auto.effects)


def dispatch_view(scenario: Scenario) -> Scenario:
    """The scenario as the field-service models read it: effects on operations left out (they
    are applied by the flows, which the dispatch code does not know about)."""
    if not any(p.startswith("operations.") for a in scenario.automations for p in a.effects):
        return scenario
    autos = tuple(
        a.model_copy(
            update={
                "effects": {k: v for k, v in a.effects.items() if not k.startswith("operations.")}
            }
        )
        for a in scenario.automations
    )
    return scenario.model_copy(update={"automations": autos})
