"""Finance maths against numpy-financial and hand results; timetable arithmetic."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy_financial as npf
import pytest

from autosim.model.finance import (
    Ledger,
    irr_annual,
    month_index,
    month_starts,
    monthly_totals,
    npv_monthly,
    payback_months,
    roi,
)
from autosim.model.timetable import DAY, Timetable


def test_npv_matches_numpy_financial_and_hand_result() -> None:
    flows = np.array([-1000.0, 300, 300, 300, 300])
    rate_m = 1.1 ** (1 / 12) - 1
    assert npv_monthly(0.10, flows) == pytest.approx(npf.npv(rate_m, flows))
    hand = sum(f / (1 + rate_m) ** m for m, f in enumerate(flows))
    assert npv_monthly(0.10, flows) == pytest.approx(hand)
    assert npv_monthly(0.0, flows) == pytest.approx(200.0)


def test_irr_is_annualised() -> None:
    flows = np.array([-1000.0] + [100.0] * 12)
    monthly = npf.irr(flows)
    assert irr_annual(flows) == pytest.approx((1 + monthly) ** 12 - 1)
    assert np.isnan(irr_annual(np.array([100.0, 100.0])))


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        # Month m's flow is dated t = m (as NPV dates it): the purchase at t = 0 is recovered
        # by the flows dated 1 and 2, so the cumulative sum is >= 0 from t = 2 on.
        ([-1000, 500, 500, 500], 2.0),
        ([-1000, 400, 400, 400], 3.0),  # -600 at t=1, -200 at t=2, +200 at t=3: whole months
        ([-1000, 100, 100], float("inf")),
        ([100, 100], 0.0),
        ([-100, 200, -300, 400], 3.0),  # the last time it is negative counts
    ],
)
def test_payback_months(flows: list[float], expected: float) -> None:
    assert payback_months(np.asarray(flows, float)) == expected


def test_roi_and_monthly_totals() -> None:
    assert roi(500.0, 1000.0) == 0.5
    assert np.isnan(roi(500.0, 0.0))
    months = month_index(dt.date(2027, 1, 30), 5)  # Jan 30, 31, Feb 1, 2, 3
    np.testing.assert_array_equal(months, [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(month_starts(dt.date(2027, 1, 30), 5), [0, 2])
    np.testing.assert_allclose(monthly_totals(np.arange(5.0), months), [1, 9])


def test_ledger_balance_is_opening_plus_cumulative_flows() -> None:
    ledger = Ledger({"in": np.array([10.0, 0, 5]), "out": np.array([-20.0, -1, 0])}, 12.0)
    np.testing.assert_allclose(ledger.balance, [2, 1, 6])
    summary = ledger.summary()
    assert summary["net_cash_flow"] == -6
    assert summary["min_cash_balance"] == 1 and summary["min_cash_day"] == 1


def test_timetable_queries() -> None:
    hours = (((8 * 60.0), (17 * 60.0)),) * 5 + (None, None)  # Mon-Fri 08-17
    table = Timetable.weekly(hours, dt.date(2027, 1, 4), 14)  # starts on a Monday
    assert table.is_open(9 * 60.0) and not table.is_open(18 * 60.0)
    assert table.next_open(18 * 60.0) == DAY + 8 * 60.0
    assert table.next_open(4 * DAY + 18 * 60.0) == 7 * DAY + 8 * 60.0  # Friday -> Monday
    np.testing.assert_allclose(table.open_minutes_per_day(7), [540] * 5 + [0, 0])
    between = table.open_minutes_before(DAY + 10 * 60.0) - table.open_minutes_before(12 * 60.0)
    assert between == pytest.approx(5 * 60 + 2 * 60)
    always = Timetable.weekly(((0.0, DAY),) * 7, dt.date(2027, 1, 4), 3)
    assert always.opens.size == 1  # consecutive 24h days merge into one interval
