"""Calibration from records: reading exports, fitting back a known scenario, back-testing, CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autosim.calibration import (
    backtest,
    fit_distribution,
    fit_table,
    read_records,
    record_kpis,
    simulate_records,
    snippet_of,
    to_yaml,
    update_scenario,
    write_qq_plots,
)
from autosim.calibration.backtest import over_period
from autosim.calibration.samples import EXPORT_COLUMNS, SAMPLE, export_frame, make_samples
from autosim.cli import main
from autosim.dists import Gamma, Weibull
from autosim.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
HOURS = [0.2] * 7 + [1.0, 2.0, 2.0, 1.5, 1.2, 1.0, 1.2, 1.4, 1.5, 1.3, 1.0, 0.8, 0.6] + [0.3] * 4
WEEKDAYS = [1, 1, 1, 1, 1, 0, 0]


def _known(rate_factor: float = 1.0) -> dict:
    """A business whose numbers the records must give back (no queueing to blur them)."""
    return {
        "name": "known",
        "horizon": "120 day",
        "calendar": {"start_date": "2027-01-04", "hours": {"daily": "00:00-24:00"}},
        "dispatch": {
            "intake": {"mode": "automated"},
            "technicians": {"count": 30},
            "job_types": [
                {
                    "id": "repair",
                    "segment": "residential",
                    "rate_per_day": 12 * rate_factor,
                    "hourly_profile": HOURS,
                    "service_time": {"dist": "lognormal", "mean": "60 min", "sd": "30 min"},
                    "revenue": {"dist": "lognormal", "mean": 300, "sd": 100},
                },
                {
                    "id": "install",
                    "segment": "commercial",
                    "rate_per_day": 8 * rate_factor,
                    "weekday_profile": WEEKDAYS,
                    "service_time": {"dist": "gamma", "mean": "90 min", "sd": "30 min"},
                    "revenue": {"dist": "gamma", "mean": 800, "sd": 250},
                },
            ],
        },
        "invoicing": {
            "mode": "manual",
            "batch_every": "7 day",
            "payment": {
                "residential": {
                    "terms": "0 day",
                    "paid_after_due": {"dist": "lognormal", "mean": "12 day", "sd": "8 day"},
                    "bad_debt_prob": 0.04,
                },
                "commercial": {
                    "terms": "30 day",
                    "paid_after_due": {"dist": "gamma", "mean": "10 day", "sd": "6 day"},
                    "bad_debt_prob": 0.02,
                },
            },
        },
    }


@pytest.fixture(scope="module")
def history():
    return simulate_records(scenario_from_dict(_known()), seed=5)


@pytest.fixture(scope="module")
def fitted(history):
    return {
        "jobs": fit_table(history.jobs, n_boot=100),
        "invoices": fit_table(history.invoices, n_boot=100),
    }


def _inside(value: float, band: tuple[float, float]) -> bool:
    return band[0] <= value <= band[1]


# --------------------------------------------------------------------------- round trip


def test_round_trip_arrival_rates_and_profiles(fitted) -> None:
    types = {t.id: t for t in fitted["jobs"].types}
    assert _inside(12.0, types["repair"].rate.ci)
    assert _inside(8.0, types["install"].rate.ci)
    # Weekday shape: installs on weekdays only (flat 1.4 = 7/5), repairs flat.
    install = types["install"].weekday
    assert install.significant
    truth = np.array(WEEKDAYS) / np.mean(WEEKDAYS)
    assert all(lo <= w <= hi for w, lo, hi in zip(truth, install.low, install.high, strict=True))
    assert not types["repair"].weekday.significant
    # Hour-of-day shape of repairs: nearly every true weight inside its interval.
    hourly = types["repair"].hourly
    truth = np.array(HOURS) / np.mean(HOURS)
    inside = [lo <= w <= hi for w, lo, hi in zip(truth, hourly.low, hourly.high, strict=True)]
    assert hourly.significant
    assert sum(inside) >= 21
    assert np.corrcoef(truth, hourly.weights)[0, 1] > 0.95


def test_round_trip_service_time_family_and_moments(fitted) -> None:
    types = {t.id: t for t in fitted["jobs"].types}
    for name, family, mean, sd in (("repair", "lognormal", 60, 30), ("install", "gamma", 90, 30)):
        service = types[name].service
        assert service.best.family == family
        assert _inside(mean, service.mean_ci)
        assert _inside(sd, service.sd_ci)
    assert _inside(300, types["repair"].revenue.mean_ci)


def test_round_trip_payment_delays_terms_and_bad_debt(fitted) -> None:
    segments = {s.segment: s for s in fitted["invoices"].segments}
    res, com = segments["residential"], segments["commercial"]
    assert (res.terms_days, com.terms_days) == (0, 30)
    assert res.lateness.n_censored > 0  # invoices open at the export are used, not dropped
    assert _inside(12.0, res.lateness.mean_ci)
    assert _inside(8.0, res.lateness.sd_ci)
    assert _inside(10.0, com.lateness.mean_ci)
    # Bad debt is a rare event (a few dozen invoices): the truth within the 99% band.
    for seg, truth in ((res, 0.04), (com, 0.02)):
        lo, hi = seg.bad_debt_ci
        assert abs(seg.bad_debt - truth) <= (hi - lo) / 2 * 2.58 / 1.96
    assert fitted["invoices"].batch_every_days == 7


def test_snippet_is_scenario_syntax_and_loads_when_merged(fitted, tmp_path) -> None:
    text = to_yaml(snippet_of(fitted["jobs"]), "fitted")
    assert "service_time: {dist: lognormal, mean:" in text and " min, sd: " in text
    assert "rate_per_day: {uncertain: {dist: gamma" in text
    target = tmp_path / "known.yaml"
    import yaml

    base = _known(rate_factor=0.5)
    target.write_text("# the business\n" + yaml.safe_dump(base, sort_keys=False))
    changes = update_scenario(target, snippet_of(fitted["jobs"]))
    changes += update_scenario(target, snippet_of(fitted["invoices"]))
    assert "dispatch.job_types.repair.rate_per_day" in changes
    assert "invoicing.payment.residential.paid_after_due" in changes
    merged = load_scenario(target)
    assert target.read_text().startswith("# the business")  # comments kept
    repair = merged.dispatch.job_types[0]
    assert 11 < repair.rate_per_day.dist.mean < 13  # uncertain, centred on the fit
    assert main(["validate", str(target)]) == 0


def test_distribution_fitting_ranks_weibull_and_can_be_forced() -> None:
    x = Weibull(50.0, 20.0).sample(np.random.default_rng(3), 800)
    fit = fit_distribution(x, n_boot=50)
    assert fit.best.family == "weibull"
    assert [c.aic for c in fit.candidates] == sorted(c.aic for c in fit.candidates)
    forced = fit_distribution(x, force="gamma", n_boot=0)
    assert forced.best.family == "gamma" and forced.forced


def test_cure_model_recovers_lateness_and_never_payers() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    late = np.asarray(Gamma(10.0, 5.0).sample(rng, n))
    never = rng.random(n) < 0.05
    window = rng.uniform(0, 60, n)  # days each invoice has been due at the export
    paid = ~never & (late <= window)
    fit = fit_distribution(late[paid], censored=window[~paid], cure=True)
    assert fit.best.family == "gamma"
    assert _inside(10.0, fit.mean_ci)
    assert _inside(0.05, fit.never_ci)
    naive = fit_distribution(late[paid], n_boot=0)
    assert naive.mean < fit.mean  # ignoring the open invoices makes customers look faster


def test_qq_plots_written(fitted, tmp_path) -> None:
    written = write_qq_plots(fitted["jobs"], tmp_path)
    names = {p.name for p in written}
    assert "qq_service_time_repair.png" in names
    assert all(p.stat().st_size > 5000 for p in written)


# --------------------------------------------------------------------------- back-test


def test_backtest_places_own_history_inside_and_half_rate_outside(history) -> None:
    right = scenario_from_dict(_known())
    result = backtest(right, history.jobs, history.invoices, n_replications=20, seed=9)
    table = result.table.set_index("kpi")
    rates = [k for k in table.index if k.startswith("jobs_per_day")]
    assert len(rates) == 3
    assert not table.loc[rates, "outside"].any()
    assert result.n_outside <= max(3, 2 * result.expected_outside)
    wrong = backtest(scenario_from_dict(_known(0.5)), history.jobs, n_replications=20, seed=9)
    table = wrong.table.set_index("kpi")
    assert table.loc[rates, "outside"].all()
    assert (table.loc[rates, "percentile"] == 100).all()


def test_record_kpis_same_function_for_history_and_simulation(history) -> None:
    start, _end = history.jobs.period()
    kpis = record_kpis(history.jobs.frame, history.invoices.frame, start=start, n_days=120)
    assert kpis["jobs_per_day"] == pytest.approx(len(history.jobs.frame) / 120)
    assert 0 < kpis["dso_days"] < 60
    assert {"service_time_mean_min[job_type=repair]", "payment_days_mean"} <= set(kpis)


# --------------------------------------------------------------------------- files and CLI


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_samples_are_what_the_documented_script_makes(tmp_path) -> None:
    written = make_samples(ROOT / SAMPLE["scenario"], tmp_path)
    assert {p.name for p in written} == {"jobs.csv", "invoices.csv", "stock.csv"}
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), path.name
    assert sum(p.stat().st_size for p in written) < 400_000


def test_sample_columns_are_export_names_and_need_one_mapping() -> None:
    header = (SAMPLES / "jobs.csv").read_text().splitlines()[0].split(",")
    assert header == list(EXPORT_COLUMNS["jobs"].values())
    table = read_records(SAMPLES / "jobs.csv", "jobs")
    assert "arrived" not in table.columns  # "Tech On Site" is not a built-in name
    mapped = read_records(SAMPLES / "jobs.csv", "jobs", {"arrived": "Tech On Site"})
    assert mapped.columns["arrived"] == "Tech On Site"
    assert mapped.columns["segment"] == "Customer Type"


def test_cli_fit_prints_writes_snippet_plots_and_updates(tmp_path, capsys) -> None:
    scenario = tmp_path / "plumbing.yaml"
    shutil.copyfile(ROOT / SAMPLE["scenario"], scenario)
    code = main(
        [
            "fit",
            str(SAMPLES / "jobs.csv"),
            "--kind",
            "jobs",
            "--map",
            "Tech On Site=arrived",
            "--boot",
            "30",
            "--out",
            str(tmp_path / "fit"),
            "--into",
            str(scenario),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "calls/day" in out and "service (min)" in out and "0 dropped" in out
    assert (tmp_path / "fit" / "snippet.yaml").read_text().count("- id:") == 3
    assert (tmp_path / "fit" / "qq_service_time_emergency.png").exists()
    assert "# Flagship case" in scenario.read_text()
    assert main(["validate", str(scenario)]) == 0
    for kind, name in (("invoices", "invoices.csv"), ("inventory", "stock.csv")):
        assert (
            main(
                [
                    "fit",
                    str(SAMPLES / name),
                    "--kind",
                    kind,
                    "--boot",
                    "20",
                    "--into",
                    str(scenario),
                ]
            )
            == 0
        )
    assert "lead_time" in capsys.readouterr().out
    assert main(["validate", str(scenario)]) == 0


def test_cli_backtest_on_samples_writes_files(tmp_path, capsys) -> None:
    code = main(
        [
            "backtest",
            str(ROOT / SAMPLE["scenario"]),
            str(SAMPLES / "jobs.csv"),
            str(SAMPLES / "invoices.csv"),
            "--map",
            "Tech On Site=arrived",
            "-n",
            "6",
            "--out",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "jobs_per_day[emergency]" in out and "expected by chance" in out
    assert {p.name for p in tmp_path.iterdir()} >= {"backtest.csv", "backtest.json", "backtest.png"}
    table = pd.read_csv(tmp_path / "backtest.csv")
    assert "jobs_per_day[job_type=emergency]" in set(table["kpi"])
    assert set(table.columns) >= {"recorded", "p5", "p50", "p95", "percentile", "outside"}


JOBS_HEADER = "Job #,Created,Job Type,Customer Type,Arrived,Completed,Status\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        (JOBS_HEADER, "has a header but no rows"),
        ("Ticket,When,Kind\n1,2027-01-04 08:00,x\n", "missing column(s) for 'created'"),
        (
            JOBS_HEADER + "1,2027-01-04 08:00,repair,res,2027-01-04 09:00,2027-01-04 10:00,Done\n"
            "2,31/02/2027 08:00,repair,res,,,Cancelled\n",
            "line 3 ('31/02/2027 08:00')",
        ),
        (
            JOBS_HEADER + "1,2027-01-04 08:00,repair,res,2027-01-04 09:00,2027-01-04 08:30,Done\n",
            "finished before arrival",
        ),
        (JOBS_HEADER + "1,2027-01-04 08:00,repair,res,,,Gone fishing\n", "unknown value(s)"),
    ],
)
def test_bad_files_exit_2_with_a_clear_message(tmp_path, capsys, text, message) -> None:
    path = _write(tmp_path / "jobs.csv", text)
    assert main(["fit", str(path), "--kind", "jobs"]) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_missing_column_message_names_aliases_and_map(tmp_path, capsys) -> None:
    path = _write(tmp_path / "jobs.csv", "Ticket,When,Kind\n1,2027-01-04 08:00,x\n")
    assert main(["fit", str(path), "--kind", "jobs"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'call time'" in err and "--map" in err
    assert main(["fit", str(path), "--kind", "jobs", "--map", "When=nonsense"]) == 2
    assert "not a jobs field" in capsys.readouterr().err


def test_drop_invalid_counts_rows_dropped(tmp_path, capsys) -> None:
    rows = [
        f"{i},2027-01-{4 + i % 20:02d} 08:00,repair,res,2027-01-{4 + i % 20:02d} 09:00,"
        f"2027-01-{4 + i % 20:02d} 10:{i % 50:02d},Done"
        for i in range(40)
    ]
    rows.append("99,2027-01-05 08:00,repair,res,2027-01-05 09:00,2027-01-05 08:30,Done")
    path = _write(tmp_path / "jobs.csv", JOBS_HEADER + "\n".join(rows) + "\n")
    assert main(["fit", str(path), "--kind", "jobs", "--boot", "5"]) == 2
    assert main(["fit", str(path), "--kind", "jobs", "--boot", "5", "--drop-invalid"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "41 rows read, 40 used, 1 dropped" in out
    assert "1 dropped: finished before arrival" in out


def test_export_round_trip_keeps_the_records(history, tmp_path) -> None:
    path = tmp_path / "jobs.csv"
    export_frame(history.jobs.frame, "jobs").to_csv(path, index=False)
    back = read_records(path, "jobs", {"arrived": "Tech On Site"})
    pd.testing.assert_series_equal(
        back.frame["created"], history.jobs.frame["created"], check_dtype=False
    )
    assert (back.frame["status"] == history.jobs.frame["status"]).all()


def test_simulated_records_of_the_flagship_hold_every_kind() -> None:
    scenario = over_period(load_scenario(ROOT / SAMPLE["scenario"]), pd.Timestamp("2027-03-01"), 14)
    records = simulate_records(scenario, seed=2)
    assert records.jobs.frame["created"].min() >= pd.Timestamp("2027-03-01")
    assert set(records.stock.frame["kind"]) >= {"issue", "order"}
    assert records.invoices.frame["amount"].gt(0).all()
