"""The catalogue's operations KPIs: calls, response, queues, technicians, and the stock room.

The per-job and queue KPIs are computed in :mod:`autosim.model.job_kpis`,
:mod:`autosim.model.business` and :mod:`autosim.model.dispatch` (queue lengths), the stock KPIs
in :mod:`autosim.model.inventory.books`. The order here is the order of the README's table.
"""

from __future__ import annotations

from autosim.kpis.base import BY_ITEM as _ITEM
from autosim.kpis.base import BY_JOB as _BY
from autosim.kpis.base import KPI

__all__ = ["DISPATCH", "INVENTORY"]

DISPATCH: tuple[KPI, ...] = (
    KPI("jobs_called", "jobs", "calls received (jobs requested) in the KPI window", "", _BY),
    KPI("jobs_completed", "jobs", "jobs finished within the horizon", "higher", _BY),
    KPI(
        "jobs_lost",
        "jobs",
        "customers who called a competitor: no technician assigned within their patience",
        "lower",
        _BY,
    ),
    KPI("lost_share", "share", "jobs lost / jobs called", "lower", _BY),
    KPI(
        "response_time_mean_min",
        "min",
        "mean time from call to technician on site, among calls that were reached (lost "
        "calls left out: see within_target_share, response_time_all_p90_min)",
        "lower",
        _BY,
    ),
    KPI("response_time_p50_min", "min", "median response time of the calls reached", "lower", _BY),
    KPI("response_time_p90_min", "min", "P90 response time of the calls reached", "lower", _BY),
    KPI("response_time_p95_min", "min", "P95 response time of the calls reached", "lower", _BY),
    # response_time_all_p50_min, ..._p90_min, ..._p95_min: every call counted
    *(
        KPI(
            f"response_time_all_p{p}_min",
            "min",
            f"time within which {p}% of all calls (reached or lost) were reached, a lost call "
            f"counting as never reached (inf: more than {100 - p}% were lost)",
            "lower",
            _BY,
        )
        for p in (50, 90, 95)
    ),
    KPI(
        "within_target_share",
        "share",
        "share of all calls reached within their type's response target, a lost call counting "
        "as not reached: out of calls reached or lost (types with a target only)",
        "higher",
        _BY,
    ),
    KPI(
        "intake_time_mean_min",
        "min",
        "mean time from call to job ready for a technician (office queue, callbacks, handling)",
        "lower",
        _BY,
    ),
    KPI(
        "queue_length_mean",
        "jobs",
        "time-average number of jobs waiting for a technician over the KPI window: ready after "
        "intake and not yet assigned (a lost job counts until its customer gives up; the office's "
        "intake queue is not counted)",
        "lower",
        _BY,
    ),
    KPI(
        "in_system_mean",
        "jobs",
        "time-average number of jobs in the dispatch system over the KPI window: waiting, or "
        "assigned until the technician is free again (travel and work)",
        "lower",
        _BY,
    ),
    KPI(
        "repeat_jobs",
        "jobs",
        "calls from returning customers (customer model)",
        "higher",
        _BY,
    ),
    KPI(
        "referral_jobs",
        "jobs",
        "calls from new customers referred by satisfied ones (customer model)",
        "higher",
        _BY,
    ),
    KPI("repeat_share", "share", "calls from returning customers / all calls", "higher", _BY),
    KPI(
        "satisfaction_mean",
        "share",
        "mean satisfaction of completed jobs: 1 minus penalties "
        "for lateness, invoice errors and impersonal contact (customer model)",
        "higher",
        _BY,
    ),
    KPI(
        "jobs_growth",
        "share",
        "completed jobs called in the last 90 days / those called in "
        "the first 90 days after warm-up, minus 1",
        "higher",
        _BY,
    ),
    KPI(
        "utilization",
        "share",
        "technician time busy (travel + work) within shifts / shift time",
        "",
    ),
    KPI("travel_share", "share", "travel time / busy time of technicians", "lower"),
    KPI(
        "overtime_hours",
        "h",
        "technician hours worked outside shifts (paid at the overtime rate)",
        "lower",
    ),
    KPI("office_hours", "h", "dispatcher hours spent taking calls", "lower"),
    KPI("revenue", "money", "revenue of jobs completed (accrual, at completion)", "higher", _BY),
)

INVENTORY: tuple[KPI, ...] = (
    KPI(
        "fill_rate",
        "share",
        "units demanded (parts for jobs and online orders) handed over from the shelf at once",
        "higher",
        _ITEM,
        "inventory",
    ),
    KPI(
        "backorder_delay_mean_days",
        "days",
        "mean days from a request for stock (a part for a job, an online order) to its "
        "fulfilment, over every request the shelf filled or owes: 0 when filled at once, one "
        "still owed counted up to the horizon; lost and oversold requests left out",
        "lower",
        _ITEM,
        "inventory",
    ),
    KPI(
        "backorders_mean",
        "units",
        "time-average units owed over the horizon (parts awaited for return visits, online "
        "orders on backorder)",
        "lower",
        _ITEM,
        "inventory",
    ),
    KPI(
        "stockout_events",
        "events",
        "stockout episodes: from the first request an item's shelf cannot fill until a delivery "
        "leaves stock on it, counted once (not per day or per request); see stockout_cycles",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "stockout_cycles",
        "cycles",
        "replenishment cycles (from one delivery of an item to the next; the first from day 0, "
        "the last to the horizon) in which a request found the shelf short, or that began with "
        "requests still waiting: the textbook count",
        "lower",
        _ITEM,
        "inventory",
    ),
    KPI(
        "stockout_cycle_share",
        "share",
        "stockout cycles / replenishment cycles (1 minus the cycle service level)",
        "lower",
        _ITEM,
        "inventory",
    ),
    KPI(
        "oversells",
        "orders",
        "online orders accepted on a stale stock figure for items already gone: cancelled, "
        "refunded, unhappy customer",
        "lower",
        _ITEM,
        "inventory",
    ),
    KPI(
        "lost_sales",
        "units",
        "units of online orders lost because the item was (or was shown) out of stock",
        "lower",
        _ITEM,
        "inventory",
    ),
    KPI(
        "online_revenue",
        "money",
        "online sales at price, less the oversold orders refunded",
        "higher",
        (),
        "inventory",
    ),
    KPI(
        "avg_stock_value",
        "money",
        "time-average stock on hand at unit cost",
        "",
        (),
        "inventory",
    ),
    KPI(
        "cash_in_stock",
        "money",
        "cash tied up in stock: average end-of-day stock at cost already paid for (each "
        "item's stock less its unpaid bills, first in first out; 0 when suppliers' credit "
        "covers the whole shelf)",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "holding_cost",
        "money",
        "cost of holding stock (capital, space, shrinkage) at each item's yearly rate; not a "
        "cash flow",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "ordering_cost",
        "money",
        "fixed cost of the replenishment orders placed",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "orders_placed", "orders", "replenishment orders placed with suppliers", "", (), "inventory"
    ),
    KPI(
        "inventory_turns",
        "per year",
        "cost of units used or sold per year / average stock value",
        "higher",
        (),
        "inventory",
    ),
    KPI(
        "supply_trips",
        "jobs",
        "jobs where a technician drove to the supply house for a part missing from the shelf",
        "lower",
        (),
        "inventory",
    ),
    KPI(
        "return_visits",
        "jobs",
        "jobs completed on a second visit because a part was missing",
        "lower",
        (),
        "inventory",
    ),
)
