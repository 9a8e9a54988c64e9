"""The tutorial notebooks run top to bottom from a fresh kernel (small replication count)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOSIM_NOTEBOOK_REPLICATIONS", "3")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "commit notebooks with outputs cleared"
    )
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        out
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    warnings = [
        out["text"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]
    assert not warnings, f"warnings in the notebook's outputs: {warnings}"
    images = sum(
        "image/png" in out.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    assert images >= plot_calls(notebook), "a figure the notebook draws is not shown"


#: Calls that return a figure: ``results.plot.npv()``, ``backtest_figure(...)``.
FIGURE_CALL = re.compile(r"\.plot\.\w+\(|\b\w+_figure\(")
FIGURE_IMPORT = re.compile(
    r"from autosim\.(?:present\.figures|calibration\.plots) import ([\w, ]+)"
)


def plot_calls(notebook: nbformat.NotebookNode) -> int:
    """Figure-drawing calls written in the notebook's code cells (imported figure functions too)."""
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    names = {n.strip() for src in code for m in FIGURE_IMPORT.findall(src) for n in m.split(",")}
    calls = FIGURE_CALL.pattern + "".join(rf"|\b{re.escape(n)}\(" for n in names if n)
    return sum(len(re.findall(calls, src)) for src in code)


def test_the_figure_counter_counts_plot_calls() -> None:
    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_code_cell("fig = results.plot.npv()\nfig"),
        nbformat.v4.new_code_cell("backtest_figure(result)\nx = 1"),
        nbformat.v4.new_code_cell(
            "from autosim.present.figures import goal_heatmap\ngoal_heatmap(m)"
        ),
        nbformat.v4.new_markdown_cell("results.plot.roi() in prose does not count"),
    ]
    assert plot_calls(book) == 3
