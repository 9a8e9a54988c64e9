"""The designed analyses of ``autosim run``: ``--sobol`` and ``--variance-split``.

Each option runs its own design after the main run (same seed, same executor; see
:func:`autosim.study.run_to_folder`), which leaves a ``summary.json`` section and a tidy CSV in
the output folder; this module adds the options and prints their tables. The work is done by
:func:`autosim.experiment.designs.sobol.sobol_analysis` and
:func:`autosim.experiment.designs.variance.variance_attribution`, so a
notebook gets exactly what the command prints.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autosim.cli.arguments import whole
from autosim.cli.console import emit

__all__ = ["add_design_arguments", "print_designs", "print_sobol", "print_variance"]

WithProgress = Callable[[Callable[[Any], Any], int, bool], Any]


def _power_of_two(text: str) -> int:
    value = whole(2)(text)
    if value & (value - 1):
        raise argparse.ArgumentTypeError(f"must be a power of 2, e.g. 32, 64, 128 (got {value})")
    return value


def add_design_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``--sobol`` and ``--variance-split`` options to ``autosim run``."""
    from autosim.experiment.designs.sobol import DEFAULT_SAMPLES
    from autosim.experiment.designs.variance import DEFAULT_INNER, DEFAULT_OUTER

    parser.add_argument(
        "--sobol",
        action="store_true",
        help="also compute Sobol indices (first order and total, 95%% CI) of --sobol-output "
        "for each variant; writes sobol.csv",
    )
    parser.add_argument(
        "--sobol-samples",
        type=_power_of_two,
        default=DEFAULT_SAMPLES,
        metavar="N",
        help=f"Sobol base sample, a power of 2 (default {DEFAULT_SAMPLES}); runs N x (inputs + 2)",
    )
    parser.add_argument(
        "--sobol-output",
        default="roi",
        metavar="COLUMN",
        help="output the Sobol indices explain (default roi; e.g. npv or a KPI column)",
    )
    parser.add_argument(
        "--variance-split",
        type=whole(2),
        nargs="?",
        const=DEFAULT_OUTER,
        default=None,
        metavar="K",
        help="also split ROI, NPV and goal KPIs' variance into uncertain parameters vs process "
        f"randomness, from K sampled worlds (default {DEFAULT_OUTER}); writes variance.csv",
    )
    parser.add_argument(
        "--inner",
        type=whole(2),
        default=None,
        metavar="R",
        help=f"repetitions of each world in --variance-split (default {DEFAULT_INNER})",
    )


def print_designs(sections: dict[str, Any], *, out: Console, err: Console) -> None:
    """Print the tables of the designed analyses a run did (``sobol``, ``variance``)."""
    if "sobol" in sections:
        print_sobol(sections["sobol"], out, err)
    if "variance" in sections:
        print_variance(sections["variance"], out, err)


def _pm(value: float | None, conf: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    if conf is None or not math.isfinite(conf):
        return f"{value:.2f}"
    return f"{value:.2f} ± {conf:.2f}"


def print_sobol(section: dict[str, Any], out: Console, err: Console) -> None:
    """Inputs by total index under each variant, then the share no input explains."""
    table = Table(
        title=f"Sobol indices of {section['output']} ({section['samples']} base samples, "
        f"{section['runs']} runs; ± 95% CI)\nS1: share explained by the input alone; "
        "ST: including its interactions",
        title_justify="left",
    )
    table.add_column("variant / input", overflow="fold")
    table.add_column("S1", justify="right", no_wrap=True)
    table.add_column("ST", justify="right", no_wrap=True)
    for v in section["variants"]:
        table.add_row(f"[bold]{escape(v['id'])}[/]", "", "")
        for i, row in enumerate(v["inputs"]):
            table.add_row(
                "  " + escape(row["input"]),
                _pm(row["S1"], row["S1_conf"]),
                _pm(row["ST"], row["ST_conf"]),
                end_section=i == len(v["inputs"]) - 1,
            )
    emit(table, out)
    unexplained = [
        f"{v['id']} {max(v['unexplained'], 0.0):.0%}"
        for v in section["variants"]
        if v["unexplained"] is not None
    ]
    if unexplained:
        out.print(
            "Explained by no single input (1 − ΣS1: process randomness and interactions): "
            + ", ".join(unexplained),
            highlight=False,
        )
    for note in section["notes"]:
        err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)


def print_variance(section: dict[str, Any], out: Console, err: Console) -> None:
    """Parameter vs process shares per output and variant, then the plain-words headlines."""
    table = Table(
        title=f"Where the spread comes from ({section['outer_samples']} sampled worlds x "
        f"{section['inner_repetitions']} repetitions): share of variance",
        title_justify="left",
    )
    table.add_column("output / variant", overflow="fold")
    table.add_column("parameters (95% CI)", justify="right", no_wrap=True)
    table.add_column("process", justify="right", no_wrap=True)
    rows = section["rows"]
    for i, row in enumerate(rows):
        if i == 0 or rows[i - 1]["output"] != row["output"]:
            table.add_row(f"[bold]{escape(row['output'])}[/]", "", "")
        share = row["share_parameters"]
        lo, hi = row["share_parameters_lo"], row["share_parameters_hi"]
        if share is None or not math.isfinite(share):
            cells = ("-", "-")
        else:
            band = f" ({lo:.0%}–{hi:.0%})" if lo is not None and math.isfinite(lo) else ""
            cells = (f"{share:.0%}{band}", f"{row['share_process']:.0%}")
        last = i == len(rows) - 1 or rows[i + 1]["output"] != row["output"]
        table.add_row("  " + escape(row["variant"]), *cells, end_section=last)
    emit(table, out)
    for line in section["headlines"]:
        out.print(f"- {line}", highlight=False)
    for note in section["notes"]:
        err.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
