"""The command line, called in-process: exit codes, messages, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from autosim.cli import main
from autosim.kpis import catalogue_markdown

from .conftest import FLAGSHIP, ROOT


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FLAGSHIP)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_broken_file_exits_2_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        FLAGSHIP.read_text(encoding="utf-8").replace("policy: manual", "polcy: manual"),
        encoding="utf-8",
    )
    assert main(["validate", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml" in err and "did you mean 'policy'" in err
    assert "Traceback" not in err


def test_validate_broken_file_as_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nhorizon: 10\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "autosim.cli", "validate", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "horizon" in proc.stderr and "dispatch" in proc.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "missing.yaml"],
        ["run", str(FLAGSHIP), "--replications", "0"],
        ["run", str(FLAGSHIP), "--seed", "-1"],
        ["run", str(FLAGSHIP), "--seed", "abc"],
        ["run", str(FLAGSHIP), "--jobs", "0"],
        ["run", str(FLAGSHIP), "--executor", "gpu"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unwritable_output_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(FLAGSHIP), "-n", "1", "--out", str(blocker), "-q"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_run_writes_the_contracted_files_and_jobs_do_not_change_numbers(tmp_path: Path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        FLAGSHIP.read_text(encoding="utf-8").replace("horizon: 365 day", "horizon: 60 day"),
        encoding="utf-8",
    )
    one, two = tmp_path / "one", tmp_path / "two"
    args = ["run", str(scenario), "-n", "4", "--seed", "1", "-q"]
    assert main([*args, "--jobs", "1", "--out", str(one)]) == 0
    assert main([*args, "--jobs", "2", "--out", str(two), "--no-plots"]) == 0
    for name in ("summary.json", "replications.parquet", "cash.parquet", "manifest.json"):
        assert (one / name).is_file(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(one / "replications.parquet"), pd.read_parquet(two / "replications.parquet")
    )
    summary = json.loads((one / "summary.json").read_text())
    assert summary["replications"] == 4 and summary["seed"] == 1
    assert summary["variants"][0]["id"] == "baseline"
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["seed"] == 1 and len(manifest["scenario_sha256"]) == 64
    assert manifest["dependencies"]["simpy"]
    assert (one / "scenario.yaml").read_text() == scenario.read_text()
    assert not list(one.glob(".autosim-*")), "no temporary files left behind"


def test_kpis_command_and_readme_share_one_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpis", "--markdown"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == catalogue_markdown()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert catalogue_markdown() in readme, (
        "README KPI table is stale: paste `autosim kpis --markdown`"
    )


def test_readme_reference_tables_are_current() -> None:
    from autosim.scenario.reference import distributions_markdown, effects_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert distributions_markdown() in readme
    assert effects_markdown() in readme


def test_summary_tables_show_response_per_job_type_and_roi_as_a_percentage(
    tiny, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from autosim import run_experiment
    from autosim.cli.tables import print_summary

    summary = run_experiment(tiny, 4, seed=2, executor="serial").summary()
    print_summary(summary)
    out = capsys.readouterr().out
    tables = [line for line in out.splitlines() if line[:1] in "┏┃┡│└├"]
    assert all(len(line) <= 80 for line in tables)  # sentences stay whole, on one line
    response = out[out.index("Response by job type") : out.index("Against the baseline")]
    assert "every call counted" in " ".join(response.split()) and "emergency" in response
    assert "P90 resp." not in out and "in target" not in out.split("Response by job type")[0]
    share = summary["variants"][0]["kpis"]["within_target_share[job_type=emergency]"]["mean"]
    assert f"{share:.2f}" in response
    roi = next(v for v in summary["variants"] if v["id"] == "auto")["finance"]["roi"]["mean"]
    assert re.search(rf"\s{re.escape(f'{roi * 100:+,.0f}%')}\s", out)
