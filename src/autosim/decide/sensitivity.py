"""Which unknown matters most: sensitivity of an output to each uncertain input.

Every replication samples the scenario's uncertain inputs (demand growth, adoption, effect sizes)
once, so the replications themselves are a Monte Carlo design: the rank correlation between an
input and an automation's ROI across replications says how strongly that unknown drives the
answer, and the swing says by how much — where better data would narrow the decision most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["tornado_table"]


def tornado_table(rows: pd.DataFrame, output: str = "roi") -> pd.DataFrame:
    """Rank correlation and swing of ``output`` for each ``input:`` column, largest first.

    ``rows`` are one variant's replications. The swing is the output predicted (least squares
    on the input) at the input's P10 and at its P90: how far the answer moves between a low and
    a high but plausible value of that unknown. Inputs that never vary are left out.
    """
    columns = ["input", "rank_correlation", "swing_lo", "swing_hi", "n"]
    y = rows[output].to_numpy(float)
    records = []
    for column in (c for c in rows.columns if c.startswith("input:")):
        x = rows[column].to_numpy(float)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
            continue
        rho = float(stats.spearmanr(x[ok], y[ok]).statistic)
        slope, intercept = np.polyfit(x[ok], y[ok], 1)
        p10, p90 = np.quantile(x[ok], [0.1, 0.9])
        records.append(
            {
                "input": column.removeprefix("input:"),
                "rank_correlation": rho,
                "swing_lo": float(intercept + slope * p10),
                "swing_hi": float(intercept + slope * p90),
                "n": int(ok.sum()),
            }
        )
    table = pd.DataFrame.from_records(records, columns=columns)
    size = (table["swing_hi"] - table["swing_lo"]).abs()
    return table.assign(_size=size).sort_values("_size", ascending=False).drop(columns="_size")
