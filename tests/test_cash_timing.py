"""When money counts: one timing convention for NPV, IRR and payback; censored days to cash;
DSO from billed receivables with work in progress apart; early-payment discounts."""

from __future__ import annotations

import copy

import numpy as np
import numpy_financial as npf
import pytest

from autosim import run_experiment, scenario_from_dict
from autosim.model.finance import irr_annual, irr_monthly, npv_monthly, payback_months
from autosim.model.invoicing import billed_by_day, collect, receivables_by_day
from autosim.model.ledger import payment_delays
from autosim.model.receivables import kaplan_meier, km_mean, km_quantile
from autosim.model.timetable import DAY
from autosim.scenario.invoicing_schema import Payment

#: A purchase of 12,000 and a year of uneven monthly gains (t = 0 is the purchase month).
STREAM = np.array([-12000.0, 900, 1100, 1300, 1500, 1500, 1600, 1700, 1700, 1800, 1800, 1900, 2000])


def test_npv_and_irr_of_a_known_stream_match_numpy_financial() -> None:
    rate_m = 1.08 ** (1 / 12) - 1
    assert npv_monthly(0.08, STREAM) == pytest.approx(npf.npv(rate_m, STREAM), rel=1e-12)
    assert npv_monthly(0.08, STREAM) == pytest.approx(
        sum(f / (1 + rate_m) ** m for m, f in enumerate(STREAM)), rel=1e-12
    )
    monthly = npf.irr(STREAM)
    assert irr_monthly(STREAM) == pytest.approx(monthly, rel=1e-12)
    assert irr_annual(STREAM) == pytest.approx((1 + monthly) ** 12 - 1, rel=1e-12)
    # Same convention: discounting at the IRR itself gives an NPV of zero.
    assert npv_monthly(irr_annual(STREAM), STREAM) == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(irr_monthly(np.array([100.0, 50.0]))) and np.isnan(irr_annual(-STREAM[:1]))


def test_payback_agrees_with_npv_at_a_zero_rate() -> None:
    # Cumulative: -12000, -11100, -10000, -8700, -7200, -5700, -4100, -2400, -700, +1100, ...
    payback = payback_months(STREAM)
    assert payback == 9.0
    t = int(payback)
    assert npv_monthly(0.0, STREAM[: t + 1]) >= 0  # the stream cut after month t pays back
    assert npv_monthly(0.0, STREAM[:t]) < 0  # cut one month earlier, it does not
    assert all(npv_monthly(0.0, STREAM[: k + 1]) >= 0 for k in range(t, STREAM.size))
    # The old rule spread month m's flow over [m, m + 1] and read 9 + 700/1800 = 9.39 here
    # (and 3 instead of 2 on [-1000, 500, 500, 500]): later than the NPV convention implies.
    assert payback_months(np.array([-1000.0, 500, 500, 500])) == 2.0


def test_kaplan_meier_recovers_an_exponential_mean_that_the_paid_only_mean_misses() -> None:
    rng = np.random.default_rng(20261204)
    mean, horizon, n = 30.0, 150.0, 40_000
    done = rng.uniform(0, horizon, n)
    paid = done + rng.exponential(mean, n)
    observed = paid <= horizon
    waited = np.minimum(paid, horizon) - done
    assert 0.18 < 1 - observed.mean() < 0.22  # a fifth of the invoices are still open
    times, survival = kaplan_meier(waited, observed)
    # The restricted mean up to the longest time seen is mean * (1 - exp(-tau / mean)), 0.2
    # days short of the mean here. Over 60 seeds the estimate's sd is 0.16 days (0.55%):
    # the tolerances below are about 4 sd.
    restricted = mean * (1 - np.exp(-times[-1] / mean))
    assert km_mean(times, survival) == pytest.approx(restricted, abs=0.65)
    assert km_mean(times, survival) == pytest.approx(mean, rel=0.02)
    assert km_quantile(times, survival, 0.9) == pytest.approx(mean * np.log(10), rel=0.03)
    naive = (paid - done)[observed].mean()
    assert naive < 0.8 * mean  # the old definition: right-censored, biased low


def test_kaplan_meier_by_hand() -> None:
    # Times 1, 2 (censored), 3, 3, 5 (censored): S = 4/5 after 1 (5 at risk), then x 1/3
    # after 3 (two of the three still at risk pay).
    times, survival = kaplan_meier(
        np.array([3.0, 1, 2, 5, 3]), np.array([True, True, False, False, True])
    )
    np.testing.assert_allclose(times, [1, 2, 3, 5])
    np.testing.assert_allclose(survival, [0.8, 0.8, 0.8 / 3, 0.8 / 3])
    assert km_mean(times, survival) == pytest.approx(1 + 0.8 * 1 + 0.8 * 1 + 0.8 / 3 * 2)
    assert km_quantile(times, survival, 0.5) == 3.0 and np.isnan(km_quantile(times, survival, 0.9))


def _business(invoicing: dict, horizon: str = "180 day", rate: float = 40) -> dict:
    """Round-the-clock work that never queues: money timing is all that varies."""
    return {
        "name": "money timing",
        "horizon": horizon,
        "calendar": {"hours": "00:00-24:00"},
        "dispatch": {
            "intake": {"mode": "automated", "handling_time": 0},
            "travel": {"speed_kmh": 1e9},
            "technicians": {"count": 60},
            "job_types": [
                {"id": "job", "rate_per_day": rate, "service_time": "20 min", "revenue": 150}
            ],
        },
        "invoicing": invoicing,
    }


def test_censored_days_to_cash_through_a_run() -> None:
    invoicing = {
        "mode": "mobile",
        "payment": {"default": {"paid_after_due": {"dist": "exponential", "mean": "30 day"}}},
    }
    rows = run_experiment(
        scenario_from_dict(_business(invoicing)), 4, seed=3, executor="serial"
    ).replications
    assert rows["days_to_cash_censored_share"].between(0.13, 0.20).all()
    assert rows["days_to_cash_mean"].mean() == pytest.approx(30.0, rel=0.03)
    assert rows["days_to_cash_paid_mean"].mean() < 0.85 * 30.0
    assert rows["days_to_cash_p90"].mean() == pytest.approx(30.0 * np.log(10), rel=0.04)


def test_billed_dso_follows_littles_law_and_wip_is_apart() -> None:
    # Mobile invoices go out at completion; 10% are wrong and re-issued 10 days later; the
    # correct invoice is paid 14 + 6 = 20 days after it goes out. Billed receivables are
    # revenue billed per day x 20 days (Little's law); unbilled work is 10% x 10 days of revenue.
    invoicing = {
        "mode": "mobile",
        "error_rate": 0.1,
        "rework_delay": "10 day",
        "payment": {"default": {"terms": "14 day", "paid_after_due": "6 day"}},
    }
    rows = run_experiment(
        scenario_from_dict(_business(invoicing, "300 day", 20)), 4, seed=8, executor="serial"
    ).replications
    np.testing.assert_allclose(rows["dso_days"], 20.0, rtol=0.03)
    np.testing.assert_allclose(rows["wip_days"], 1.0, rtol=0.3)
    np.testing.assert_allclose(
        rows["dso_days"] + rows["wip_days"], rows["days_to_cash_mean"], rtol=0.04
    )


def test_billed_and_unbilled_split_the_receivables_exactly() -> None:
    rng = np.random.default_rng(5)
    n = 400
    done = np.sort(rng.uniform(0, 80 * DAY, n))
    money = collect(
        done,
        rng.uniform(50, 500, n),
        mobile=rng.random(n) < 0.4,
        batch_every=np.full(n, 7 * DAY),
        admin_minutes=np.full(n, 10.0),
        error=rng.random(n) < 0.1,
        rework_delay=np.full(n, 9 * DAY),
        pays_on_site=rng.random(n) < 0.5,
        card_fee_rate=0.02,
        terms=np.full(n, 14 * DAY),
        paid_after_due=rng.exponential(10 * DAY, n),
        bad_debt=rng.random(n) < 0.05,
        write_off_after=60 * DAY,
    )
    receivables, _, _ = receivables_by_day(done, money, 100)
    unbilled, billed_open, billed = billed_by_day(done, money, 100)
    np.testing.assert_allclose(unbilled + billed_open, receivables, atol=1e-6)
    assert (unbilled >= -1e-9).all() and (billed_open >= -1e-9).all()
    # Day-end billed receivables summed over days = amount x day-ends each invoice is open.
    end = 100 * DAY
    inv_day = np.floor(money.invoiced / DAY)
    settle = np.minimum(money.paid, money.written_off)
    out_day = np.where(settle < end, np.floor(settle / DAY), 100)
    assert billed_open.sum() == pytest.approx(np.sum(money.amount * (out_day - inv_day)))
    assert billed.sum() == pytest.approx(money.amount[money.invoiced < end].sum())


def test_early_payment_splits_each_invoices_own_uniform() -> None:
    offer = {"discount": "2%", "within": "10 day", "share": 0.4}
    terms = {"terms": "30 day", "paid_after_due": {"dist": "exponential", "mean": "8 day"}}
    plain = Payment.model_validate(terms)
    with_offer = Payment.model_validate({**terms, "early_payment": offer})
    u = np.random.default_rng(2).random(10_000)
    base_delay, nobody = payment_delays(plain, u)
    delay, takes = payment_delays(with_offer, u)
    assert nobody is None
    np.testing.assert_array_equal(base_delay, plain.paid_after_due.ppf(u))  # unchanged
    np.testing.assert_array_equal(takes, u < 0.4)  # no new random numbers: the same uniform
    assert (delay[takes] <= 10 * DAY).all() and delay[takes].mean() == pytest.approx(5 * DAY, 0.03)
    # The others keep the lateness distribution (exponential, mean 8 days) after the due date.
    assert delay[~takes].mean() == pytest.approx(8 * DAY, rel=0.05)


def test_early_payment_discount_costs_cash_and_speeds_it_up() -> None:
    invoicing = {
        "mode": "mobile",
        "payment": {"default": {"terms": "30 day", "paid_after_due": "5 day"}},
    }
    offered = copy.deepcopy(invoicing)
    offered["payment"]["default"]["early_payment"] = {
        "discount": "2%",
        "within": "10 day",
        "share": 0.4,
    }
    runs = [
        run_experiment(scenario_from_dict(_business(i)), 2, seed=4, executor="serial")
        for i in (invoicing, offered)
    ]
    plain, early = (r.replications for r in runs)
    assert (plain["early_payment_discounts"] == 0).all()
    assert (early["early_payment_discounts"] > 0).all()
    # 2% of the takers' invoices: 40% of invoices, a little more of those paid within the
    # horizon (takers pay sooner, so fewer of theirs are still open at the end).
    share = early["early_payment_discounts"] / (
        early["collections"] + early["early_payment_discounts"]
    )
    np.testing.assert_allclose(share, 0.02 * 0.4, rtol=0.15)
    assert (early["days_to_cash_mean"] < plain["days_to_cash_mean"] - 10).all()
    np.testing.assert_allclose(plain["revenue_horizon"], early["revenue_horizon"])  # CRN
    # Money is conserved: cash + discounts + still owed + bad debt = revenue earned.
    lhs = early["collections"] + early["early_payment_discounts"] + early["receivables_end"]
    np.testing.assert_allclose(lhs + early["bad_debt"], early["revenue_horizon"], atol=0.01)
    # The cash ledger receives the discounted amount.
    cash = runs[1].cash.groupby("replication")["collections"].sum().to_numpy()
    np.testing.assert_allclose(cash, early["collections"], rtol=1e-9)
