"""The notebook face: Results are data plus pure analyses; run_to_folder is `autosim run`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

import autosim
from autosim.atomic import write_atomic
from autosim.cli import main
from autosim.experiment.run import Run

from .conftest import TINY


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_results_hold_a_data_only_run_and_judge_it_without_setters(tiny) -> None:
    results = autosim.run_experiment(tiny, 4, seed=3, executor="serial")
    assert isinstance(results.run, Run)
    assert results.replications is results.run.replications
    assert not [name for name in dir(results) if name.startswith("set_")]
    npv_first = results.with_options(objective="npv")
    assert npv_first is not results and npv_first.run is results.run
    assert npv_first.summary()["portfolio"]["objective"] == "npv"
    mine = results.summary()
    mine["variants"].clear()  # a caller's copy: editing it changes nobody else's
    assert results.summary()["variants"]
    with pytest.raises(autosim.RunError, match="objective"):
        results.with_options(objective="fastest")


def test_run_to_folder_writes_what_the_command_writes(tiny_file: Path, tmp_path: Path) -> None:
    by_library = autosim.run_to_folder(
        tiny_file, tmp_path / "lib", n_replications=3, seed=5, executor="serial"
    )
    assert by_library.out_dir == tmp_path / "lib"
    names = {p.name for p in by_library.written}
    assert {"summary.json", "replications.parquet", "cash.parquet", "report.html"} <= names
    argv = ["run", str(tiny_file), "-n", "3", "--seed", "5", "--executor", "serial", "-q"]
    assert main([*argv, "--out", str(tmp_path / "cli")]) == 0
    for name in ("summary.json", "scenario.yaml"):
        assert (tmp_path / "lib" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert by_library.results.summary()["seed"] == 5
    assert not (tmp_path / "lib" / ".autosim-run").exists()  # the streamed parts are gone


def test_run_to_folder_refuses_bad_requests_before_running(tiny_file: Path, tmp_path) -> None:
    with pytest.raises(autosim.RunError, match="exclude each other"):
        autosim.run_to_folder(tiny_file, tmp_path / "x", resume=True, overwrite=True)
    with pytest.raises(autosim.RunError, match="unknown KPI 'nope'"):
        autosim.run_to_folder(tiny_file, tmp_path / "x", sensitivity=["nope"])
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_every_output_file_gets_the_same_permissions(
    tiny_file: Path, tmp_path: Path, umask_022: None
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(tiny_file), "-n", "2", "--seed", "1", "-q", "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
    assert {"summary.json", "manifest.json", "report.html", "replications.parquet"} <= set(modes)
    assert set(modes.values()) == {0o644}, modes


@pytest.mark.parametrize("payload", [b"bytes", "text", lambda p: p.write_bytes(b"callable")])
def test_the_atomic_writer_respects_the_umask_and_leaves_no_temporary(
    tmp_path: Path, umask_022: None, payload
) -> None:
    target = tmp_path / "deep" / "file.txt"
    write_atomic(target, payload)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_a_failing_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old", encoding="utf-8")

    def broken(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, broken)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_one_recommendation_everywhere(tmp_path: Path) -> None:
    """summary.json, the terminal, the suggested order and the report name the same option."""
    import json
    import re
    import subprocess
    import sys

    scenario = tmp_path / "tiny.yaml"
    data = dict(TINY)
    data["strategy"] = {
        "goals": [
            {
                "id": "fast",
                "kpi": "within_target_share",
                "filter": {"job_type": "emergency"},
                "target": ">= 0.9",
            }
        ],
        "constraints": {"budget_upfront": 5000},
    }
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", str(scenario), "-n", "6", "--seed", "3", "--executor", "serial", "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "autosim.cli", *argv, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    chosen = summary["portfolio"]["recommended"]
    assert chosen == "auto"  # the one automation, aligned and within budget
    assert f"Recommended: {chosen} — " in done.stdout
    order = summary["roadmap"]["suggested_order"]
    assert order["order"][0]["automation"] == "auto" and order["order"][0]["recommended"]
    assert "not suggested: auto" not in done.stdout
    verdict = next(v for v in summary["variants"] if v["id"] == chosen)["verdict"]
    assert verdict == "aligned"
    page = (out / "report.html").read_text(encoding="utf-8")
    first = re.search(r'<section id="recommendation"[^>]*data-option="([^"]*)"', page)
    assert first is not None and first.group(1) == chosen
    assert page.index('id="recommendation"') < page.index('id="options"')
