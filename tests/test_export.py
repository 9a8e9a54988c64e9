"""`autosim export DIR --xlsx`: the saved run as a workbook with readable names."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from autosim.cli import main

from .conftest import TINY


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    scenario = root / "tiny.yaml"
    data = dict(TINY, automations=[dict(TINY["automations"][0], name="Automated dispatch")])
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = root / "out"
    argv = ["run", str(scenario), "-n", "4", "--seed", "2", "--executor", "serial", "-q"]
    assert main([*argv, "--no-plots", "--out", str(out)]) == 0
    return out


def test_the_workbook_holds_the_summary_and_every_replication(saved_run: Path) -> None:
    assert main(["export", str(saved_run), "--xlsx"]) == 0
    book = pd.read_excel(saved_run / "results.xlsx", sheet_name=None)
    assert list(book) == ["About", "Options", "Goals", "KPIs", "Replications"]
    summary = json.loads((saved_run / "summary.json").read_text(encoding="utf-8"))
    options = book["Options"]
    assert list(options["Option"]) == ["Automated dispatch"]
    npv = next(v for v in summary["variants"] if v["id"] == "auto")["finance"]["npv"]["mean"]
    assert options.loc[0, "NPV mean"] == pytest.approx(npv)
    frame = pd.read_parquet(saved_run / "replications.parquet")
    rows = book["Replications"]
    assert len(rows) == len(frame)
    assert rows["Option"].tolist()[-1] == "Automated dispatch"
    assert rows.columns.is_unique
    assert not [c for c in rows.columns if c.startswith("input:")]  # inputs have human names
    np.testing.assert_allclose(
        rows[next(c for c in rows.columns if c.startswith("NPV"))].to_numpy(float),
        frame["npv"].to_numpy(float),
        equal_nan=True,
    )
    kpis = book["KPIs"]
    assert {"Baseline (today)", "Automated dispatch"} <= set(kpis["Option"])
    assert kpis["KPI"].str.contains(r"\(").any()  # units shown


def test_export_needs_a_format_and_a_run_folder(saved_run: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", str(saved_run)]) == 2
    assert "choose a format: --xlsx" in capsys.readouterr().err
    assert main(["export", str(tmp_path), "--xlsx"]) == 2
    assert "summary.json" in capsys.readouterr().err
    target = tmp_path / "client.xlsx"
    assert main(["export", str(saved_run), "--xlsx", "--out", str(target)]) == 0
    assert target.stat().st_size > 0
