"""Nothing lost, nothing mixed, nothing left running (issue #25): one test per fault.

Each test reproduces one way a run, a report or a calibration used to lose or mix results, hang,
leave processes behind or print a traceback, and checks the promised behaviour instead.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from autosim.calibration import read_records
from autosim.cli import main
from autosim.experiment.store import RUN_FOLDER
from autosim.io.folders import LOCK_FILE, lock_folder

from .conftest import TINY

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
FLAGSHIP = ROOT / "scenarios" / "plumbing_residential_emergency.yaml"
RUN = ["-j", "1", "-q", "--no-plots"]


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


def autosim(*args: str) -> list[str]:
    return [sys.executable, "-m", "autosim.cli", *args]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


# 1. Two runs into one folder; a report racing a run ------------------------------------------


def test_a_second_run_into_a_locked_folder_is_refused_naming_the_first(
    tiny_file: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(tiny_file), "-n", "2", "--seed", "3", *RUN, "--out", str(out)]) == 0
    before = snapshot(out)
    capsys.readouterr()
    with lock_folder(out, "autosim run"):  # as if another run were writing it right now
        assert main(["run", str(tiny_file), "-n", "2", "--seed", "4", *RUN, "--out", str(out)]) == 2
        line = one_line(capsys.readouterr().err)
        assert f"is in use by autosim run (pid {os.getpid()}, started " in line
        assert "choose another --out" in line
        assert main(["report", str(out)]) == 2  # a report would mix seed 3 and seed 4
        assert "in use by autosim run" in one_line(capsys.readouterr().err)
    assert snapshot(out) == before and not (out / LOCK_FILE).exists()
    assert main(["run", str(tiny_file), "-n", "2", "--seed", "4", *RUN, "--out", str(out)]) == 0


# 7. kill -9 leaves no worker; its lock is taken over ------------------------------------------


def test_kill_9_leaves_no_worker_alive_and_its_lock_is_taken_over(
    tiny_file: Path, tmp_path: Path, capsys
) -> None:
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "out"
    args = ["run", str(tiny_file), "-n", "100000", "-j", "2", "--seed", "1", "-q", "--no-plots"]
    proc = subprocess.Popen(autosim(*args, "--out", str(out)), stderr=subprocess.PIPE)
    try:
        wait_for(out / RUN_FOLDER / "run.json", proc)
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert len(workers) >= 2
        # a second run meanwhile: refused with the first one's pid, and nothing mixed
        assert main([*args, "--out", str(out)]) == 2
        assert f"autosim run (pid {proc.pid}" in capsys.readouterr().err
    finally:
        proc.kill()
        proc.communicate()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers outlived their parent: {alive}"
    assert (out / LOCK_FILE).exists()  # left by the killed run, but no longer held
    assert main([*args[:2], "-n", "2", *RUN, "--overwrite", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"took over the lock of autosim run (pid {proc.pid}" in err
    assert not (out / LOCK_FILE).exists()


# 6. -n 10,000,000: bounded memory, and Ctrl-C or SIGTERM ends it in seconds ------------------


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_huge_run_holds_little_memory_and_stops_at_once(
    tiny_file: Path, tmp_path: Path, sig: int, code: int
) -> None:
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "out"
    args = ["run", str(tiny_file), "-n", "10000000", "-j", "2", "--seed", "1", "-q", "--no-plots"]
    proc = subprocess.Popen(
        autosim(*args, "--out", str(out)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(out / RUN_FOLDER / "run.json", proc)
        time.sleep(1.0)
        parent = psutil.Process(proc.pid)
        workers = parent.children(recursive=True)
        assert parent.memory_info().rss < 600e6  # 1.25 M futures took 3.4 GB
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)  # it used to wait forever
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code
    line = one_line(err)
    assert "of 10000000 replications are saved" in line and "--resume" in line
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
    saved = json.loads((out / RUN_FOLDER / "run.json").read_text())
    assert saved["done"] and not (out / LOCK_FILE).exists()


# 8. Dask with no worker fails, and the run can be finished -----------------------------------


def test_a_dask_cluster_without_workers_fails_clearly_and_resume_works(
    tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    distributed = pytest.importorskip("distributed")
    import autosim.experiment.executors as executors

    monkeypatch.setattr(executors, "NO_WORKERS_TIMEOUT", 1.0)
    monkeypatch.setattr(executors, "_POLL", 0.2)
    out = tmp_path / "out"
    args = ["run", str(tiny_file), "-n", "4", "--seed", "2", "-q", "--no-plots", "--out", str(out)]
    with distributed.LocalCluster(
        n_workers=0, processes=False, dashboard_address=None, silence_logs=50
    ) as cluster:
        started = time.monotonic()
        assert main([*args, "--scheduler", cluster.scheduler_address]) == 2
        assert time.monotonic() - started < 30
    assert "has had no workers for 1 s" in one_line(capsys.readouterr().err)
    assert main([*args, "--resume", "--executor", "serial"]) == 0
    assert (out / "summary.json").is_file()


# 9. A full disk: exit 2, one line, nothing earlier lost, resume finishes ---------------------


def test_a_full_disk_is_one_line_exit_2_and_loses_nothing(
    tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    out = tmp_path / "out"
    base = ["run", str(tiny_file), "-n", "4", "--chunk-size", "2", *RUN, "--out", str(out)]
    assert main([*base, "--seed", "1"]) == 0
    before = snapshot(out)
    capsys.readouterr()
    original = pd.DataFrame.to_parquet

    def full(name: str):
        def to_parquet(self, path, *args, **kwargs):
            if name in str(path):
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return original(self, path, *args, **kwargs)

        return to_parquet

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full(".parquet"))  # the first chunk's part
    assert main([*base, "--seed", "2"]) == 2
    assert "no space left on the disk" in one_line(capsys.readouterr().err)
    assert snapshot(out) == before
    monkeypatch.setattr(pd.DataFrame, "to_parquet", full("replications.parquet"))  # the end
    assert main([*base, "--seed", "2", "--overwrite"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "no space left on the disk" in line and "4 of 4 replications are saved" in line
    assert snapshot(out) == before  # the previous run is still there, whole
    monkeypatch.setattr(pd.DataFrame, "to_parquet", original)
    assert main([*base, "--resume"]) == 0  # space again: the saved chunks finish the run
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert not list(out.glob(".autosim-tmp*"))


# 5. A closed or non-UTF-8 standard output loses nothing --------------------------------------


def test_head_1_and_an_ascii_terminal_lose_no_file_and_print_no_traceback(
    tiny_file: Path, tmp_path: Path
) -> None:
    run = f"{sys.executable} -m autosim.cli run {tiny_file} -n 2 --seed 1 -j 1 -q"
    piped = subprocess.run(
        ["bash", "-c", f"{run} --out {tmp_path / 'piped'} | head -1; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr  # the files are written: the reader left early
    assert "Traceback" not in piped.stderr and len(piped.stdout.splitlines()) == 1
    assert {"summary.json", "report.html", "manifest.json"} <= set(os.listdir(tmp_path / "piped"))
    ascii_env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    plain = subprocess.run(
        ["bash", "-c", f"{run} --out {tmp_path / 'ascii'}"],
        capture_output=True,
        env=ascii_env,
        timeout=120,
    )
    assert plain.returncode == 0 and b"Traceback" not in plain.stderr
    assert plain.stdout.decode("ascii").count("P5-P95") >= 1  # the dash, written plainly
    assert (tmp_path / "ascii" / "summary.json").is_file()


# 10. Output-folder hygiene ------------------------------------------------------------------


def test_output_folders_hold_only_one_run_and_nothing_half_written(
    tiny_file: Path, tmp_path: Path, capsys
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.json").write_text("{}", encoding="utf-8")
    assert main(["run", str(tiny_file), "-n", "2", *RUN, "--out", str(mine)]) == 2
    assert "did not write (summary.json)" in capsys.readouterr().err
    assert main(["run", str(tiny_file), "-n", "2", *RUN, "--out", ""]) == 2
    out = tmp_path / "out"
    argv = ["run", str(tiny_file), "-n", "2", "-j", "1", "-q", "--out", str(out)]
    assert main([*argv, "--seed", "1"]) == 0
    assert (out / "report.html").is_file() and list(out.glob("*.png"))
    (out / ".autosim-tmp-killed").mkdir()  # a writer killed by SIGKILL left these
    (out / ".summary.json.0123456789ab.tmp").write_bytes(b"half")
    assert main([*argv, "--seed", "2", "--no-plots", "--overwrite"]) == 0
    assert not (out / "report.html").exists() and not list(out.glob("*.png"))
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in out.iterdir()}


def test_parts_get_the_umask_permissions_and_dropped_figures_are_reported(
    tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from autosim.experiment.store import ChunkStore

    modes = []
    original = ChunkStore.flush

    def flush(self) -> None:
        original(self)
        modes.extend(stat.S_IMODE(p.stat().st_mode) for p in self.folder.glob("*.parquet"))

    monkeypatch.setattr(ChunkStore, "flush", flush)
    old = os.umask(0o022)
    try:
        argv = ["run", str(tiny_file), "-n", "2", "--seed", "1", "-j", "1", "-q", "--kpis-only"]
        assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    finally:
        os.umask(old)
    assert modes and set(modes) == {0o644}
    assert "cash_fan.png not drawn" in capsys.readouterr().err


# 11. A report on a folder mixing two runs ----------------------------------------------------


def test_report_on_a_folder_mixing_two_runs_is_refused_before_any_figure(
    tiny_file: Path, tmp_path: Path, capsys
) -> None:
    other = tmp_path / "other.yaml"
    data = {**TINY, "automations": [{**TINY["automations"][0], "id": "robot"}]}
    other.write_text(yaml.safe_dump(data), encoding="utf-8")
    argv = ["-n", "2", "--seed", "1", "-j", "1", "-q"]
    assert main(["run", str(tiny_file), *argv, "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(other), *argv, "--out", str(tmp_path / "b")]) == 0
    mixed = tmp_path / "a"
    shutil.copyfile(tmp_path / "b" / "replications.parquet", mixed / "replications.parquet")
    before = snapshot(mixed)
    capsys.readouterr()
    assert main(["report", str(mixed)]) == 2
    assert "mixes files of different runs" in one_line(capsys.readouterr().err)
    assert snapshot(mixed) == before
    (tmp_path / "b" / "roi.png").unlink()
    (tmp_path / "b" / "report.html").unlink()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    manifest["files"].remove("roi.png")  # as if the run had not drawn it
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["report", str(tmp_path / "b")]) == 0  # a consistent folder still works
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert {"roi.png", "report.html"} <= set(manifest["files"])  # the next run moves them too


# Lower: Ctrl-C during start-up; bad --out paths refused before the work ----------------------


def test_ctrl_c_during_start_up_is_one_line_and_130(monkeypatch: pytest.MonkeyPatch, capsys):
    cli = sys.modules["autosim.cli.main"]  # the package's `main` hides the module's name

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(["run", "x.yaml"]) == 130
    assert "interrupted" in one_line(capsys.readouterr().err)


def test_bad_out_paths_are_refused_before_the_work(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    started = time.monotonic()
    assert main(["compare", str(FLAGSHIP), str(FLAGSHIP), "--out", str(blocker / "c.json")]) == 2
    assert "a-file" in one_line(capsys.readouterr().err)
    jobs = ["fit", str(SAMPLES / "jobs.csv"), "--kind", "jobs", "--out", str(blocker / "fit")]
    assert main(jobs) == 2
    assert "a-file" in one_line(capsys.readouterr().err)
    assert time.monotonic() - started < 5  # nothing was simulated or fitted first


# 2-4 and the CSV faults: records ---------------------------------------------------------------

JOBS = "Job #,Created,Job Type,Customer Type,Arrived,Completed,Status\n"


def _dayfirst_copy(tmp_path: Path, rows: int | None = None) -> Path:
    frame = pd.read_csv(SAMPLES / "jobs.csv", dtype=str, keep_default_na=False)
    frame = frame.head(rows) if rows else frame
    for column in ("Created", "Tech On Site", "Completed"):
        times = pd.to_datetime(frame[column].replace("", None))
        frame[column] = times.dt.strftime("%d/%m/%Y %H:%M").fillna("")
    path = tmp_path / "jobs.csv"
    frame.to_csv(path, index=False)
    return path


def test_day_first_dates_are_read_day_first_or_refused_as_ambiguous(tmp_path: Path, capsys):
    path = _dayfirst_copy(tmp_path)
    assert "04/01/2027 06:59" in path.read_text()
    start, end = read_records(path, "jobs").period()  # decided from the days above 12
    assert (start, (end - start).days) == (pd.Timestamp("2027-01-04"), 90)
    few = _dayfirst_copy(tmp_path, rows=30)  # only 4-5 January: no day above 12
    assert main(["fit", str(few), "--kind", "jobs", "--boot", "5"]) == 2
    assert "--dayfirst" in one_line(capsys.readouterr().err)
    start, _ = read_records(few, "jobs", dayfirst=True).period()
    assert start == pd.Timestamp("2027-01-04")
    assert main(["fit", str(few), "--kind", "jobs", "--boot", "5", "--monthfirst"]) == 0
    assert "2027-04-01" in capsys.readouterr().out  # as told: 4 April


def test_dropped_rows_are_really_dropped_and_counted_per_reason(tmp_path: Path) -> None:
    rows = [
        f"{i},2027-01-{4 + i % 20:02d} 08:00,{'' if i % 10 == 0 else 'repair'},res,"
        f"2027-01-{4 + i % 20:02d} 09:00,{'' if i % 7 == 1 else f'2027-01-{4 + i % 20:02d} 10:00'},"
        "Done"
        for i in range(40)
    ]
    path = tmp_path / "jobs.csv"
    path.write_text(JOBS + "\n".join(rows) + "\n", encoding="utf-8")
    table = read_records(path, "jobs")
    assert table.dropped == {"no job type": 4, "completed without a finish time": 6}
    assert table.n_read == 40 and table.n_used == 30 == len(table.frame)
    assert table.frame["job_type"].notna().all() and table.frame["finished"].notna().all()


def test_a_mistyped_year_is_refused_and_backtest_has_runs_size_guard(tmp_path: Path, capsys):
    text = (SAMPLES / "jobs.csv").read_text(encoding="utf-8").splitlines()
    text[5] = text[5].replace("2027-01-04", "1900-01-04", 1)
    path = tmp_path / "jobs.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert main(["fit", str(path), "--kind", "jobs", "--boot", "5"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "line 6 ('1900-01-04')" in line and "--allow-long-span" in line
    table = read_records(path, "jobs", allow_long_span=True)
    assert (table.period()[1] - table.period()[0]).days > 46_000  # as asked: 127 years
    started = time.monotonic()
    backtest = ["backtest", str(FLAGSHIP), str(path), "-n", "2", "--allow-long-span"]
    assert main(backtest) == 2  # it used to simulate 127 years until killed at 23.5 GB
    assert "--max-jobs" in one_line(capsys.readouterr().err)
    assert time.monotonic() - started < 10


def test_one_column_and_duplicated_columns_are_clear_errors(tmp_path: Path, capsys) -> None:
    one = tmp_path / "one.csv"
    one.write_text("created\n2027-01-04 08:00\n2027-01-05 09:00\n", encoding="utf-8")
    assert main(["fit", str(one), "--kind", "jobs"]) == 2
    assert "The file has: 'created'." in one_line(capsys.readouterr().err)  # not split on 'e'
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "Created,Job Type,Created\n2027-01-04 08:00,repair,2026-01-04 08:00\n", encoding="utf-8"
    )
    assert main(["fit", str(twice), "--kind", "jobs"]) == 2
    assert "2 columns are named 'Created'" in one_line(capsys.readouterr().err)
