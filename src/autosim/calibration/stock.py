"""From stock movements to the inventory section: demand per item per day and supplier lead times.

A stock ledger lists every movement: parts issued to jobs, products sold, purchase orders raised
and deliveries received. The storekeeper's questions are how much of each item goes out on a
typical day (and how much that varies), and how long the supplier takes — from each order to the
receipt with the same order reference. Sold items also give the scenario's online demand
(``orders_per_day`` and ``units_per_order``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from autosim.calibration.fitting import FitResult, fit_distribution
from autosim.calibration.jobs import Rate
from autosim.calibration.table import RecordTable

__all__ = ["ItemFit", "StockFit", "fit_stock"]


@dataclass(frozen=True)
class ItemFit:
    """One item's demand and supply."""

    item: str
    units_per_day: float
    units_per_day_sd: float  # day-to-day spread
    units_ci: tuple[float, float]
    dispersion: float  # variance / mean of daily units (1: Poisson-like)
    issued_units: float
    sold_units: float
    sales: Rate | None  # online orders per day (sales movements)
    units_per_order: dict[int, float] | None  # quantity -> share of sales
    n_orders: int
    n_received: int
    lead_time: FitResult | None  # days
    lead_time_mean_days: float


@dataclass(frozen=True)
class StockFit:
    """What the stock ledger says, item by item."""

    items: tuple[ItemFit, ...]
    start: pd.Timestamp
    n_days: int
    unmatched_receipts: int
    records: RecordTable


def _lead_times(rows: pd.DataFrame) -> tuple[np.ndarray, int, int]:
    """Days from each order to its receipt (same order reference); orders, receipts matched."""
    orders = rows[rows["kind"] == "order"]
    receipts = rows[rows["kind"] == "receipt"]
    if "order_ref" not in rows or orders.empty:
        return np.zeros(0), len(orders), 0
    first_in = receipts.dropna(subset=["order_ref"]).groupby("order_ref")["date"].min()
    placed = orders.dropna(subset=["order_ref"]).groupby("order_ref")["date"].min()
    both = placed.index.intersection(first_in.index)
    days = ((first_in[both] - placed[both]) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    return days, len(orders), int(both.size)


def fit_stock(
    table: RecordTable,
    *,
    lead_family: str | None = None,
    n_boot: int = 200,
    rng: np.random.Generator | None = None,
) -> StockFit:
    """Estimate demand per item per day and lead times from a clean stock-movement table."""
    frame = table.frame
    start, end = table.period()
    n_days = int((end - start).days)
    rng = rng or np.random.default_rng(20270104)
    items = []
    unmatched = 0
    for item, rows in frame.groupby("item", sort=True):
        out = rows[rows["kind"].isin(["issue", "sale"])]
        day = ((out["date"] - start) // pd.Timedelta(days=1)).to_numpy(int)
        daily = np.bincount(day, out["quantity"].to_numpy(float), minlength=n_days)[:n_days]
        mean = float(daily.mean())
        sd = float(daily.std(ddof=1)) if n_days > 1 else 0.0
        half = 1.96 * sd / math.sqrt(n_days) if n_days > 1 else math.nan
        sales = rows[rows["kind"] == "sale"]
        rate = None
        per_order = None
        if len(sales):
            k = len(sales)
            rate = Rate(
                k / n_days,
                math.sqrt(k) / n_days,
                ((k - 1.96 * math.sqrt(k)) / n_days, (k + 1.96 * math.sqrt(k)) / n_days),
            )
            q = sales["quantity"].round().astype(int).value_counts(normalize=True).sort_index()
            per_order = {int(a): float(b) for a, b in q.items()}
        leads, n_orders, n_matched = _lead_times(rows)
        receipts = int((rows["kind"] == "receipt").sum())
        unmatched += receipts - n_matched
        lead = None
        if (leads > 0).sum() >= 5:
            lead = fit_distribution(
                leads[leads > 0],
                force=lead_family,
                n_boot=n_boot,
                rng=rng,
                what=f"lead time of {item!r}",
            )
        items.append(
            ItemFit(
                item=str(item),
                units_per_day=mean,
                units_per_day_sd=sd,
                units_ci=(mean - half, mean + half),
                dispersion=sd**2 / mean if mean > 0 else math.nan,
                issued_units=float(rows.loc[rows["kind"] == "issue", "quantity"].sum()),
                sold_units=float(sales["quantity"].sum()),
                sales=rate,
                units_per_order=per_order,
                n_orders=n_orders,
                n_received=n_matched,
                lead_time=lead,
                lead_time_mean_days=float(leads.mean()) if leads.size else math.nan,
            )
        )
    return StockFit(tuple(items), start, n_days, unmatched, table)
