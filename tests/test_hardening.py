"""Every bad input gets a clear answer; no run hangs or eats memory; nothing written is lost."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autosim import RunError, run_experiment, scenario_from_dict
from autosim.cli import main

from .conftest import TINY

WEIRD_VALUES = [
    None,
    -1,
    0,
    1e308,
    "abc",
    "45 min",
    "nan",
    ".inf",
    True,
    [],
    {},
    [1, 2],
    {"dist": "lognormal"},
    {"uncertain": {"dist": "uniform", "low": 5, "high": 1}},
    "17:00",
    10**30,
]


def paths_of(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a nested dict/list."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += paths_of(value, (*prefix, i))
    return out


ALL_PATHS = paths_of(TINY)


def mutate(data: dict, path: tuple, action: str, value: Any) -> dict:
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)
    elif action == "wrap":
        parent[last] = [parent[last]]
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(ALL_PATHS),
    action=st.sampled_from(["replace", "delete", "rename", "wrap"]),
    value=st.sampled_from(WEIRD_VALUES),
)
def test_mutated_scenarios_are_valid_or_exit_2_naming_the_field(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    path: tuple,
    action: str,
    value: Any,
) -> None:
    scenario = tmp_path_factory.mktemp("fuzz") / "mutant.yaml"
    scenario.write_text(yaml.safe_dump(mutate(TINY, path, action, value)), encoding="utf-8")
    started = time.perf_counter()
    code = main(["validate", str(scenario)])
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert code in (0, 2)
    assert "Traceback" not in err
    if code == 2:
        assert "mutant.yaml" in err
        assert ":" in err.split("mutant.yaml", 1)[1]  # a field path or a line follows


MALFORMED = {
    "empty": (b"", "empty"),
    "binary": (b"\x00\x01\x02name: x", "not a text file"),
    "latin1": ("name: caf\xe9\n".encode("latin-1"), "not UTF-8"),
    "list": (b"- a\n- b\n", "mapping"),
    "tab": (b"name: x\ndispatch:\n\ttechnicians: 1\n", "tab"),
    "duplicate": (b"name: a\nname: b\n", "duplicate key 'name'"),
    "unclosed": (b"name: [a, b\n", "line"),
    "bomb": (
        b"a: &a [x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n".encode()
            for i in range(8)
        ),
        "",
    ),
    "deep": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "deep"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_get_one_message_and_exit_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, fragment = MALFORMED[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    started = time.perf_counter()
    assert main(["validate", str(path)]) == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert f"{name}.yaml" in err and fragment in err and "Traceback" not in err


def test_absurd_rates_are_refused_before_running(tiny_dict: dict) -> None:
    tiny_dict["dispatch"]["job_types"][0]["rate_per_day"] = 1e12
    scenario = scenario_from_dict(tiny_dict)
    started = time.perf_counter()
    with pytest.raises(RunError, match="--max-jobs"):
        run_experiment(scenario, 10, seed=1)
    assert time.perf_counter() - started < 2


def test_cli_scale_guard_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = copy.deepcopy(TINY)
    data["dispatch"]["job_types"][1]["rate_per_day"] = 5e9
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["run", str(path), "-n", "1", "--out", str(tmp_path / "o"), "-q"]) == 2
    assert "calls" in capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_failing_run_leaves_existing_results_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(scenario), "-n", "2", "--seed", "1", "--out", str(out), "-q"]) == 0
    before = snapshot(out)
    assert {"summary.json", "replications.parquet", "cash.parquet", "report.html"} <= set(before)

    import autosim.experiment.runner as runner

    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_tasks", interrupted)
    # another seed into the same folder, interrupted (with or without --overwrite): nothing moves
    args = ["run", str(scenario), "-n", "2", "--seed", "2", "--out", str(out), "-q"]
    assert main(args) == 130
    assert main([*args, "--overwrite"]) == 130
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\n", encoding="utf-8")
    assert main(["run", str(broken), "--out", str(out), "-q"]) == 2
    assert snapshot(out) == before


def test_data_files_resolve_next_to_the_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(TINY)
    data["dispatch"]["job_types"][1]["service_time"] = {
        "dist": "empirical",
        "file": "times.csv",
        "column": "minutes",
        "unit": "min",
    }
    folder = tmp_path / "project"
    folder.mkdir()
    path = folder / "shop.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "times.csv" in err and "Traceback" not in err
    (folder / "times.csv").write_text("minutes\n30\n45\n60\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0  # relative to the file, not the working folder


def test_few_replications_are_flagged_in_the_summary(tiny) -> None:
    summary = run_experiment(tiny, 3, seed=1, executor="serial").summary()
    assert any("only 3 replications" in note for note in summary["warnings"])
    assert any("warmup" in note for note in summary["warnings"])
