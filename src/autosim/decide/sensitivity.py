"""Which unknown matters most: sensitivity of an output to each uncertain input.

Every replication samples the scenario's uncertain inputs (demand growth, adoption, effect sizes)
once, so the replications themselves are a Monte Carlo design: the rank correlation between an
input and an automation's ROI across replications says how strongly that unknown drives the
answer, and the swing says by how much — where better data would narrow the decision most.

Only inputs that can move an option are listed for it: its own automations' inputs
(``automations.<id>.…``) and the inputs every variant shares (demand, the business itself).
Another automation's adoption or effect cannot change this option's outcome; a correlation with
it (through correlated inputs, or chance) would be read as a driver that is not one.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["affects", "spearman_ci", "tornado_table"]

#: Normal quantile of a two-sided 95% interval.
_Z95 = 1.959963984540054


def affects(path: str, automations: Collection[str] | None) -> bool:
    """Can the input at ``path`` (``input:`` prefix optional) move a variant of ``automations``?

    Inputs outside ``automations.`` are shared by every variant; ``automations.<id>.…`` belongs
    to automation ``<id>`` alone. ``None`` means no filter (every input).
    """
    if automations is None:
        return True
    parts = path.removeprefix("input:").split(".")
    return parts[0] != "automations" or (len(parts) > 1 and parts[1] in automations)


def spearman_ci(rho: float, n: int) -> tuple[float, float]:
    """95% interval of a Spearman rank correlation: Fisher z with the Fieller–Hartley–Pearson
    variance ``1.06 / (n - 3)``; NaN when ``n <= 3``, the point itself when ``|rho| = 1``."""
    if n <= 3 or not math.isfinite(rho):
        return math.nan, math.nan
    if abs(rho) >= 1.0:
        return rho, rho
    z, half = math.atanh(rho), _Z95 * math.sqrt(1.06 / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)


def tornado_table(
    rows: pd.DataFrame, output: str = "roi", automations: Collection[str] | None = None
) -> pd.DataFrame:
    """Rank correlation and swing of ``output`` for each ``input:`` column, largest first.

    ``rows`` are one variant's replications and ``automations`` its automation ids: inputs of
    other automations are left out (``None`` keeps every input). The swing is the output
    predicted (least squares on the input) at the input's P10 and at its P90: how far the answer
    moves between a low and a high but plausible value of that unknown. ``ci95`` is the rank
    correlation's 95% interval (:func:`spearman_ci`) and ``significant`` says it excludes 0 (an
    input whose interval spans 0 is not distinguishable from noise). Inputs that never vary are
    left out.
    """
    columns = ["input", "rank_correlation", "ci95", "significant", "swing_lo", "swing_hi", "n"]
    y = rows[output].to_numpy(float)
    records = []
    for column in (c for c in rows.columns if c.startswith("input:")):
        if not affects(column, automations):
            continue
        x = rows[column].to_numpy(float)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
            continue
        rho = float(stats.spearmanr(x[ok], y[ok]).statistic)
        lo, hi = spearman_ci(rho, int(ok.sum()))
        slope, intercept = np.polyfit(x[ok], y[ok], 1)
        p10, p90 = np.quantile(x[ok], [0.1, 0.9])
        records.append(
            {
                "input": column.removeprefix("input:"),
                "rank_correlation": rho,
                "ci95": [lo, hi],
                "significant": bool(lo > 0 or hi < 0),
                "swing_lo": float(intercept + slope * p10),
                "swing_hi": float(intercept + slope * p90),
                "n": int(ok.sum()),
            }
        )
    table = pd.DataFrame.from_records(records, columns=columns)
    size = (table["swing_hi"] - table["swing_lo"]).abs()
    return table.assign(_size=size).sort_values("_size", ascending=False).drop(columns="_size")
