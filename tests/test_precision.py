"""Precision on demand: batches until the interval is narrow enough, same numbers as a fixed run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autosim import scenario_from_dict
from autosim.cli import main
from autosim.errors import RunError
from autosim.experiment.precision import Precision, assess, next_size
from autosim.study import run_experiment


def _frame(values: dict[str, np.ndarray], output: str = "roi") -> pd.DataFrame:
    """A replications frame with one output column per variant (baseline has NaN)."""
    n = len(next(iter(values.values())))
    parts = [pd.DataFrame({"variant": "baseline", "replication": range(n), output: np.nan})]
    parts += [
        pd.DataFrame({"variant": v, "replication": range(n), output: x}) for v, x in values.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_mean_rule_measures_the_relative_t_half_width() -> None:
    x = np.random.default_rng(1).normal(2.0, 1.0, 400)
    status = assess(Precision(0.05), _frame({"a": x}))
    q = status["quantities"]["a"]
    half = 1.9659 * x.std(ddof=1) / math.sqrt(400)  # t(0.975, 399)
    assert q["half_width"] == pytest.approx(half, rel=1e-3)
    assert q["achieved"] == pytest.approx(half / x.mean(), rel=1e-3)
    assert q["met"] is bool(half / x.mean() <= 0.05)
    assert "baseline" not in status["quantities"]  # no ROI against itself


def test_p_positive_rule_uses_wilson_half_width() -> None:
    x = np.r_[np.ones(70), -np.ones(30)]
    q = assess(Precision(0.1, "npv", "p_positive"), _frame({"a": x}, "npv"))["quantities"]["a"]
    assert q["estimate"] == pytest.approx(0.7)
    assert q["half_width"] == pytest.approx(0.08845, abs=5e-5)  # Wilson, n=100, p=0.7
    assert q["met"]


def test_ranking_rule_settles_separated_and_tied_pairs_only() -> None:
    rng = np.random.default_rng(2)
    common = rng.normal(0, 5, 200)  # shared noise: pairs are compared replication by replication
    clear = {"a": 10 + common, "b": 8 + common + rng.normal(0, 0.5, 200)}
    status = assess(Precision(0.02, on="ranking"), _frame(clear))
    assert status["met"] and status["ranking"] == ["a", "b"]
    gap = assess(Precision(0.05, on="difference"), _frame(clear))["quantities"]["a - b"]
    assert gap["estimate"] == pytest.approx(2.0, abs=0.1) and gap["met"]
    noise = rng.normal(0, 3, 200)
    close = {"a": 10 + common, "b": 9.9 + common + noise - noise.mean()}  # gap 0.1, +-0.4
    status = assess(Precision(0.001, on="ranking"), _frame(close))
    assert not status["met"]
    assert next_size(Precision(0.001, on="ranking"), status) > 200


def test_next_size_follows_the_square_root_law_within_limits() -> None:
    status = {"replications": 100, "quantities": {"a": {"achieved": 0.08, "met": False}}}
    assert next_size(Precision(0.05), status) == 282  # 100 x (0.08/0.05)^2 x 1.1
    assert next_size(Precision(0.01), status) == 400  # capped at x4 per batch
    assert next_size(Precision(0.01, max_replications=150), status) == 150


def test_bad_precision_settings_are_clear_errors() -> None:
    with pytest.raises(RunError, match="stopping rule"):
        Precision(0.05, on="median")
    with pytest.raises(RunError, match="between 0 and 1"):
        Precision(1.5, on="p_goal")
    with pytest.raises(RunError, match="no output 'nope'"):
        assess(Precision(0.05, "nope"), _frame({"a": np.ones(5)}))


@pytest.fixture
def two_automations(tiny_dict):
    second = json.loads(json.dumps(tiny_dict["automations"][0]))
    second["id"] = "manual_plus"
    second["costs"]["upfront"] = 3000
    second["effects"] = {"dispatch.intake.handling_time": "3 min"}
    tiny_dict["automations"].append(second)
    tiny_dict["horizon"] = "14 day"
    return scenario_from_dict(tiny_dict)


def test_stopping_gives_the_numbers_of_a_fixed_run_of_that_size(two_automations) -> None:
    rule = Precision(0.02, "npv", "mean", max_replications=60)
    stopped = run_experiment(two_automations, 8, seed=5, executor="serial", precision=rule)
    n = stopped.n_replications
    assert 8 < n <= 60
    fixed = run_experiment(two_automations, n, seed=5, executor="serial")
    pd.testing.assert_frame_equal(stopped.replications, fixed.replications)
    pd.testing.assert_frame_equal(stopped.cash, fixed.cash)
    summary = stopped.summary()
    assert summary["precision"]["replications"] == n
    entry = next(v for v in summary["variants"] if v["id"] == "auto")
    assert entry["precision"]["replications"] == n
    assert set(entry["precision"]["quantities"]) == {"auto"}
    if not summary["precision"]["met"]:
        assert n == 60 and any("precision target" in w for w in summary["warnings"])


def test_cli_precision_run_records_width_and_replications(
    two_automations, tiny_dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    path = tmp_path / "tiny.yaml"
    tiny_dict["horizon"] = "14 day"
    path.write_text(yaml.safe_dump(tiny_dict), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", str(path), "-n", "6", "--seed", "2", "--executor", "serial", "-q"]
    argv += ["--no-plots", "--out", str(out), "--precision", "0.01", "--max-replications", "12"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Precision NOT reached after 12 replications" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 12 and summary["precision"]["met"] is False
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 12
    assert manifest["replications_request"].startswith("until the 95% half-width of mean of roi")
    # The same request again, then a fixed count: each new run keeps the previous in history.
    assert main(argv) == 0
    fixed = [a for a in argv if a not in ("--precision", "0.01", "--max-replications", "12")]
    assert main(fixed) == 0
    assert len(list((out / "history").iterdir())) == 2
    assert json.loads((out / "manifest.json").read_text())["replications"] == 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-replications", "50"], "--max-replications only applies with --precision"),
        (["--precision", "2"], "must be between 0 and 1"),
        (["--precision", "0.1", "--precision-on", "p_goal"], "needs a strategy section"),
    ],
)
def test_cli_precision_errors_exit_2(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from tests.conftest import TINY

    path = tmp_path / "tiny.yaml"
    small = {**TINY, "horizon": "7 day"}
    path.write_text(yaml.safe_dump(small), encoding="utf-8")
    argv = ["run", str(path), "-n", "3", "--seed", "1", "--executor", "serial", "-q"]
    assert main([*argv, "--no-plots", "--out", str(tmp_path / "o"), *extra]) == 2
    assert message in capsys.readouterr().err
