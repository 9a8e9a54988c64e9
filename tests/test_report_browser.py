"""The report answers first, in a real browser: at 1280×800 the recommendation is on the first
screen, no table is wider than the page, and it names the option ``summary.json`` recommends.

Runs headless Chromium (Debian's ``chromium`` package); skipped where it is not installed. The
layout is measured by :mod:`benchmarks.report_screens` (a copy of the page with a small script
that writes the numbers into the title, read back with ``--dump-dom``); a screenshot is kept
next to the run for a person to look at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.report_screens import HEIGHT, WIDTH, chromium, measure, screenshot

from .conftest import FLAGSHIP

pytestmark = pytest.mark.skipif(chromium() is None, reason="chromium is not on PATH")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """The flagship, 4 replications over four months, written by ``autosim run``."""
    from autosim.cli import main

    tmp = tmp_path_factory.mktemp("browser")
    short = tmp / "flagship.yaml"
    text = FLAGSHIP.read_text(encoding="utf-8").replace("horizon: 365 day", "horizon: 120 day")
    short.write_text(text, encoding="utf-8")
    out = tmp / "out"
    argv = ["run", str(short), "-n", "4", "--seed", "1", "--executor", "serial", "-q"]
    assert main([*argv, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def layout(run_folder) -> dict:
    return measure(run_folder / "report.html")


def test_nothing_is_wider_than_the_page(layout):
    assert layout["viewport_width"] <= WIDTH
    assert layout["scroll_width"] <= layout["viewport_width"], layout  # no horizontal scrolling
    assert layout["table_right"], "the report has tables"
    assert max(layout["table_right"]) <= layout["viewport_width"], layout["table_right"]


def test_the_recommendation_is_on_the_first_screen(layout):
    assert layout["recommendation_bottom"] is not None, "no recommendation on the page"
    assert 0 < layout["recommendation_bottom"] <= HEIGHT, layout
    assert layout["options_top"] is not None and layout["options_top"] < HEIGHT  # table starts


def test_the_report_recommends_what_the_summary_recommends(layout, run_folder):
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    recommended = summary["portfolio"]["recommended"]
    text = layout["recommendation_text"]
    if recommended is None:
        assert layout["recommendation_option"] == ""
        assert "buy nothing" in text.lower()
    else:
        assert layout["recommendation_option"] == recommended
        assert f"({recommended})" in text and "buy" in text.lower()


def test_a_screenshot_of_the_first_screen(run_folder):
    shot = screenshot(run_folder / "report.html", run_folder / "first_screen.png")
    assert shot.is_file() and shot.stat().st_size > 1000
    assert shot.read_bytes().startswith(b"\x89PNG")
