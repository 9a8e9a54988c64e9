"""Terminal output survives a pipe and a narrow window: no name or number is ever split."""

from __future__ import annotations

import copy
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
import yaml

from .conftest import TINY

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = copy.deepcopy(TINY)
    data["automations"][0]["id"] = "automated_dispatch_with_a_long_name"
    data["strategy"] = {
        "goals": [
            {
                "id": "emergencies_reached_quickly_enough",
                "kpi": "within_target_share",
                "filter": {"job_type": "emergency"},
                "target": ">= 0.9",
            }
        ]
    }
    path = tmp_path_factory.mktemp("terminal") / "tiny.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def command(scenario: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "autosim.cli",
        "run",
        str(scenario),
        "-n",
        "3",
        "--seed",
        "1",
        "--executor",
        "serial",
        "-q",
        "--no-plots",
        "--out",
        str(out),
    ]


def whole_words(text: str, out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for variant in summary["variants"]:
        assert variant["id"] in text
        if variant.get("explanation"):
            assert variant["explanation"] in text  # one unbroken line
    assert "emergencies_reached_quickly_enough" in text
    assert f"Recommended: {summary['portfolio']['recommended'] or 'nothing'}" in text


def test_through_a_pipe_nothing_is_wrapped_or_truncated(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "pipe"
    done = subprocess.run(
        command(scenario_file, out),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "60"},
    )
    assert done.returncode == 0, done.stderr
    assert not ANSI.search(done.stdout)  # plain text for files and pipes
    whole_words(done.stdout, out)


def test_a_narrow_terminal_gets_whole_names_and_tables_that_fit(
    scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tty"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 60, 0, 0))
    proc = subprocess.Popen(
        command(scenario_file, out),
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "60", "TERM": "xterm"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the other side closed
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=300) == 0
    os.close(leader)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r", "")
    whole_words(text, out)
    drawn = [line for line in text.splitlines() if line[:1] in "┏┃┡│└├"]
    assert drawn, "expected at least one table drawn as a table"
    assert max(len(line) for line in drawn) <= 60
