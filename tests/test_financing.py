"""Financing a purchase: loan amortisation, lease payments, their cash in the ledger, NPV and the
cash floor, the same purchase under two financings, and located errors for bad input."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest
import yaml

from autosim import ScenarioError, load_scenario, run_experiment, scenario_from_dict
from autosim.model.finance import npv_monthly
from autosim.model.financing import later_payments, loan_schedule, purchase_payments

START = dt.date(2027, 1, 4)  # day 0; the horizon below ends on 2028-01-03 (day 364)
PRICE = 24_000.0
LOAN = {"kind": "loan", "rate": "6%", "term": "36 month", "down_payment": 4000}
LEASE = {"kind": "lease", "monthly": 700, "term": "2 year", "residual": 2000}


def test_loan_amortisation_matches_numpy_financial() -> None:
    loan = loan_schedule(20_000.0, 0.06, 36)
    k = np.arange(1, 37)
    np.testing.assert_allclose(loan.payment, -npf.pmt(0.005, 36, 20_000.0), rtol=1e-12)
    np.testing.assert_allclose(loan.interest, -npf.ipmt(0.005, k, 36, 20_000.0), rtol=1e-9)
    np.testing.assert_allclose(loan.principal, -npf.ppmt(0.005, k, 36, 20_000.0), rtol=1e-9)
    assert loan.principal.sum() == pytest.approx(20_000.0, abs=1e-6)
    assert loan.balance[-1] == pytest.approx(0.0, abs=1e-6)
    assert loan.payment[0] == pytest.approx(608.44, abs=0.005)  # the textbook figure
    free = loan_schedule(1200.0, 0.0, 12)
    np.testing.assert_allclose(free.payment, 100.0)
    np.testing.assert_allclose(free.interest, 0.0)


def _auto(financing: dict | None = None, upfront: float = PRICE) -> object:
    data = {"id": "a", "costs": {"upfront": upfront}}
    if financing is not None:
        data["financing"] = financing
    return scenario_from_dict(_business([data])).automations[0]


def test_payment_days_follow_the_calendar() -> None:
    loan = purchase_payments(_auto(LOAN), START, 0)
    # Down payment on the purchase day, then the 4th of each month from February.
    assert loan.day[:4].tolist() == [0, 31, 59, 90]
    assert loan.amount[0] == 4000 and loan.day.size == 37
    # Bought later (a roadmap phase on day 45, 2027-02-18): the first instalment on 2027-03-18.
    assert purchase_payments(_auto(LOAN), START, 45).day[1] == 73
    # The 31st has no February: the instalment falls on the month's last day.
    month_end = purchase_payments(_auto(LOAN), dt.date(2027, 1, 31), 0)
    assert month_end.day[1:4].tolist() == [28, 59, 89]
    lease = purchase_payments(_auto(LEASE), START, 0)
    # A lease is paid in advance: 24 payments from the purchase day, the residual a term later.
    assert lease.day[:2].tolist() == [0, 31] and lease.day.size == 25
    np.testing.assert_allclose(lease.amount, [700.0] * 24 + [2000.0])
    assert (START + dt.timedelta(days=int(lease.day[-1]))) == dt.date(2029, 1, 4)
    cash = purchase_payments(_auto(), START, 10)
    assert cash.day.tolist() == [10] and cash.amount.tolist() == [PRICE]


def test_payments_after_the_horizon_are_owed() -> None:
    auto = _auto(LOAN)
    later = later_payments([auto], (), START, 365)
    schedule = loan_schedule(20_000.0, 0.06, 36)
    # 11 instalments fall within the horizon (Feb..Dec 2027), 25 after it (Jan 2028..Jan 2030).
    assert later.month.tolist() == list(range(12, 37))
    np.testing.assert_allclose(later.amount, schedule.payment[11:])
    assert later.owed == pytest.approx(schedule.balance[10])
    assert later_payments([auto], (365 * 1440.0,), START, 365).owed == 0  # never bought


def _business(automations: list[dict], floor: float | None = None) -> dict:
    """A business whose own cash never moves (no revenue, no wages): only purchases do."""
    data = {
        "name": "financing",
        "horizon": "365 day",
        "calendar": {"start_date": START.isoformat(), "hours": "00:00-24:00"},
        "dispatch": {
            "intake": {"mode": "automated", "handling_time": 0},
            "technicians": {"count": 1},
            "job_types": [{"id": "job", "rate_per_day": 1, "service_time": "1 h", "revenue": 0}],
        },
        "finance": {"opening_balance": 30_000, "discount_rate": 0.08},
        "automations": automations,
    }
    if floor is not None:
        data["strategy"] = {
            "goals": [{"id": "solvent", "kpi": "min_cash_balance", "target": ">= 0"}],
            "constraints": {"min_cash_balance": floor},
        }
    return data


def _same_purchase(**financings: dict | None) -> list[dict]:
    """The same purchase (same costs, same effects) under several financings."""
    out = []
    for name, financing in financings.items():
        auto = {"id": name, "costs": {"upfront": PRICE, "monthly": 50}}
        if financing is not None:
            auto["financing"] = financing
        out.append(auto)
    return out


def test_financing_flows_through_the_cash_npv_and_kpis() -> None:
    scenario = scenario_from_dict(
        _business(_same_purchase(cash=None, loan=LOAN, lease=LEASE), floor=25_000)
    )
    results = run_experiment(scenario, 2, seed=1, executor="serial")
    rows = results.replications.set_index(["variant", "replication"])
    paid = results.cash.groupby("variant")["automation"].sum() / 2  # per replication
    fees = 50.0 * 13  # the monthly fee on day 0 and each first after it (to 2028-01-01)
    pmt = loan_schedule(20_000.0, 0.06, 36).payment[0]
    assert paid["baseline"] == 0
    assert paid["cash"] == pytest.approx(-(PRICE + fees))
    assert paid["loan"] == pytest.approx(-(4000 + 11 * pmt + fees))
    assert paid["lease"] == pytest.approx(-(12 * 700 + fees))
    loan = rows.loc["loan"]
    np.testing.assert_allclose(loan["automation_cost"], 4000 + 11 * pmt + fees)
    np.testing.assert_allclose(loan["automation_upfront"], 4000)
    np.testing.assert_allclose(rows.loc["lease", "automation_upfront"], 0)
    np.testing.assert_allclose(rows.loc["cash", "automation_upfront"], PRICE)
    np.testing.assert_allclose(
        loan["financing_owed_end"], loan_schedule(20_000, 0.06, 36).balance[10]
    )
    np.testing.assert_allclose(rows.loc["lease", "financing_owed_end"], 12 * 700 + 2000)
    np.testing.assert_allclose(rows.loc["cash", "financing_owed_end"], 0)
    # NPV counts every instalment at its month, those after the horizon included.
    months = np.arange(37)
    stream = np.where(months == 0, -4000.0, -pmt)
    stream[:13] -= 50.0  # the monthly fee, within the horizon only (months 0 to 12)
    np.testing.assert_allclose(loan["npv"], npv_monthly(0.08, stream), rtol=1e-9)
    lease = np.r_[np.full(24, -700.0), -2000.0]
    lease[:13] -= 50.0
    np.testing.assert_allclose(rows.loc["lease", "npv"], npv_monthly(0.08, lease), rtol=1e-9)
    # The cash floor (25,000 from 30,000) sees every payment: paying cash breaks it on day 0,
    # the loan at its second instalment (2027-03-04, day 59), the lease at its 7th payment
    # (2027-07-04, day 181: 7 x 700 + 7 monthly fees of 50 = 5,250).
    np.testing.assert_allclose(rows.loc["cash", "cash_floor_day"], 0)
    np.testing.assert_allclose(loan["cash_floor_day"], 59)
    np.testing.assert_allclose(rows.loc["lease", "cash_floor_day"], 181)
    summary = results.summary()
    by_id = {v["id"]: v for v in summary["variants"]}
    assert by_id["cash"]["constraints"]["min_cash_balance"]["p_holds"] == 0.0
    assert by_id["loan"]["constraints"]["min_cash_balance"]["p_holds"] == 0.0
    irr = by_id["loan"]["finance"]["irr"]
    assert irr["n_defined"] == 0 and irr["mean"] is None  # all outflows: no IRR


def test_a_loan_at_the_discount_rate_is_worth_paying_cash() -> None:
    # The loan's monthly rate equals the discount rate's monthly equivalent, so the present
    # value of the down payment and every instalment (after the horizon too) is the price.
    rate = 12 * (1.08 ** (1 / 12) - 1)
    loan = {"kind": "loan", "rate": rate, "term": "36 month", "down_payment": 4000}
    scenario = scenario_from_dict(_business(_same_purchase(cash=None, loan=loan)))
    assert [a.id for a in scenario.automations] == ["cash", "loan"]
    rows = run_experiment(scenario, 2, seed=1, executor="serial").replications
    cash = rows.loc[rows["variant"] == "cash", "npv"].to_numpy()
    financed = rows.loc[rows["variant"] == "loan", "npv"].to_numpy()
    np.testing.assert_allclose(financed, cash, rtol=1e-9)
    assert (rows.loc[rows["variant"] == "loan", "net_benefit"] > cash).all()  # within horizon


def _error(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "financing.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


@pytest.mark.parametrize(
    ("financing", "fragments"),
    [
        ({"kind": "rent"}, ["automations[0].financing.kind", "'upfront', 'loan' or 'lease'"]),
        ({"kind": "loan", "term": "3 year"}, ["automations[0].financing:", "a loan needs rate"]),
        (
            {"kind": "lease", "monthly": 500, "term": "24 month", "rate": 0.05},
            ["automations[0].financing:", "a lease does not use rate"],
        ),
        (
            {"rate": 0.05},
            ["paying up front (the default kind) does not use rate", "set kind: loan"],
        ),
        (
            {"kind": "loan", "rate": 0.05, "term": "90 day"},
            ["financing.term", "whole number of months"],
        ),
        (
            {"kind": "loan", "rate": -0.01, "term": "1 year"},
            ["financing.rate", "between 0 and 1"],
        ),
        (
            {"kind": "lease", "monthly": -5, "term": "1 year"},
            ["financing.monthly", "must be >= 0"],
        ),
        (
            {"kind": "loan", "rate": 0.05, "term": "1 year", "down_payment": 30_000},
            ["automations[0].financing.down_payment", "between 0 and the up-front cost"],
        ),
        ({"kind": "loan", "rate": 0.05, "term": "1 year", "fee": 1}, ["unknown key 'fee'"]),
    ],
)
def test_bad_financing_gets_a_located_error(
    tmp_path: Path, financing: dict, fragments: list[str]
) -> None:
    data = _business([{"id": "a", "costs": {"upfront": PRICE}, "financing": financing}])
    message = _error(tmp_path, data)
    assert "line " in message
    for fragment in fragments:
        assert fragment in message


def test_bad_early_payment_gets_a_located_error(tmp_path: Path) -> None:
    data = _business([])
    payment = {"terms": "30 day", "early_payment": {"discount": "2%", "within": "40 day"}}
    data["invoicing"] = {"payment": {"default": payment}}
    message = _error(tmp_path, data)
    assert "invoicing.payment.default.early_payment.share" in message
    assert "missing required field 'share'" in message
    payment["early_payment"]["share"] = 0.3
    message = _error(tmp_path, copy.deepcopy(data))
    assert "invoicing.payment.default" in message and "must end by the due date" in message
