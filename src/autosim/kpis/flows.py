"""The catalogue's operations-from-building-blocks KPIs: flows of items, their steps, the pools.

Computed in :mod:`autosim.model.flows.measures` and :mod:`autosim.model.flows.outcome` for
scenarios with an ``operations`` section. Flow KPIs break down by ``flow`` and ``segment``
(``flow_completed[flow=walkins]``), step KPIs by ``step`` written ``flow.step``
(``step_wait_mean_min[step=walkins.order]``), pool KPIs by ``pool``
(``pool_utilization[pool=baristas]``); without a breakdown they cover all flows or all pools.
"""

from __future__ import annotations

from autosim.kpis.base import KPI

__all__ = ["BY_FLOW", "BY_POOL", "BY_STEP", "FLOWS"]

BY_FLOW = ("flow", "segment")
BY_STEP = ("step",)
BY_POOL = ("pool",)

FLOWS: tuple[KPI, ...] = (
    KPI("flow_arrivals", "items", "items that arrived in the KPI window", "", BY_FLOW, "flows"),
    KPI(
        "flow_completed",
        "items",
        "items that went through their steps and left within the horizon (of those arrived in "
        "the KPI window)",
        "higher",
        BY_FLOW,
        "flows",
    ),
    KPI(
        "flow_lost",
        "items",
        "items lost: balked at a full queue or reneged (gave up waiting)",
        "lower",
        BY_FLOW,
        "flows",
    ),
    KPI(
        "flow_balked",
        "items",
        "items that found a step's queue_limit reached at its pool and left at once",
        "lower",
        BY_FLOW,
        "flows",
    ),
    KPI(
        "flow_reneged",
        "items",
        "items that waited in a queue longer than their patience and left",
        "lower",
        BY_FLOW,
        "flows",
    ),
    KPI("flow_lost_share", "share", "flow_lost / flow_arrivals", "lower", BY_FLOW, "flows"),
    KPI(
        "flow_wait_mean_min",
        "min",
        "mean time an item spent waiting in queues (all its serve steps), items completed",
        "lower",
        BY_FLOW,
        "flows",
    ),
    KPI("flow_wait_p50_min", "min", "median of flow waiting times", "lower", BY_FLOW, "flows"),
    KPI("flow_wait_p90_min", "min", "P90 of flow waiting times", "lower", BY_FLOW, "flows"),
    KPI(
        "flow_time_in_system_mean_min",
        "min",
        "mean time from arrival to leaving, items completed",
        "lower",
        BY_FLOW,
        "flows",
    ),
    KPI(
        "flow_within_target_share",
        "share",
        "share of all arrivals whose first service started within the flow's response_target, "
        "a lost item counting as not reached: out of items reached or lost (flows with a target)",
        "higher",
        BY_FLOW,
        "flows",
    ),
    KPI(
        "flow_revenue",
        "money",
        "revenue of items completed (cash at completion: counter sales)",
        "higher",
        BY_FLOW,
        "flows",
    ),
    KPI(
        "step_served",
        "items",
        "visits of a serve step whose service started (rework repeats count)",
        "",
        BY_STEP,
        "flows",
    ),
    KPI(
        "step_wait_mean_min",
        "min",
        "mean wait in the queue per visit of a serve step, visits served",
        "lower",
        BY_STEP,
        "flows",
    ),
    KPI(
        "pool_utilization",
        "share",
        "time a pool's units spent serving within their shifts / unit shift time, KPI window",
        "",
        BY_POOL,
        "flows",
    ),
    KPI(
        "pool_queue_length_mean",
        "items",
        "time-average number of items waiting for the pool over the KPI window",
        "lower",
        BY_POOL,
        "flows",
    ),
    KPI(
        "pool_overtime_hours",
        "h",
        "hours a pool's units worked past their shift to finish an item",
        "lower",
        BY_POOL,
        "flows",
    ),
    KPI(
        "pool_wages",
        "money",
        "pay of the pool over the horizon: every unit's shift hours plus overtime (also in wages)",
        "lower",
        BY_POOL,
        "flows",
    ),
)
