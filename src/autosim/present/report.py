"""One self-contained HTML report of a run: assembling the page, rendering it, writing it.

The report is the memo an analyst hands the owner, and it answers first: the top of the page
(1280×800 is the yardstick) says what to buy and why — the portfolio's one recommendation, the
same option the terminal's ``Recommended:`` line names, with its goal progress, NPV, payback and
constraints — then every option side by side, the buying order and the risks. The details follow
(goals, each option, KPIs, figures, assumptions, method) and the scenario file comes last,
folded away. Options, KPIs and inputs are called by their names, never by internal paths, and
ROI is a percentage throughout. It is a single file with its figures inside and no link to
anything outside, so it can be mailed, archived, or opened offline years later and read the same.

This module gathers the page's content (the answer from :mod:`.answer`, the details from
:mod:`.report_data`, figures as inline PNGs) and renders ``templates/report.html.j2`` with
jinja2's autoescaping on: a scenario is data, never markup, and no HTML is built in Python. It
accepts any run that satisfies :class:`~autosim.present.protocol.RunLike` — a run in memory or
one re-read from its folder (``autosim.io.saved.SavedResults``) — and imports neither.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from autosim.atomic import write_atomic
from autosim.errors import RunError
from autosim.present import answer
from autosim.present import report_data as data
from autosim.present.figures.operations import cash_fan
from autosim.present.figures.standard import names_of, standard_figures, tornado_name
from autosim.present.labels import BASELINE, baseline_of, pretty
from autosim.present.report_data import REPORT_KPIS, image
from autosim.present.style import png_bytes

if TYPE_CHECKING:
    from autosim.present.protocol import RunLike

__all__ = ["REPORT_KPIS", "render_report", "report_files", "write_report"]

TEMPLATE = "report.html.j2"


@functools.cache
def _environment() -> jinja2.Environment:
    """Templates shipped inside the package (``autosim/present/templates``), escaped on output."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("autosim.present", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _option(
    run: RunLike,
    summary: dict[str, Any],
    v: dict[str, Any],
    i: int,
    images: dict[str, bytes],
    names: dict[str, str],
) -> dict[str, Any]:
    """One option's section: what it is, its money, its paired changes, its figures."""
    cur = summary["currency"]
    reps, cash = run.replications, run.cash
    base = baseline_of([x["id"] for x in summary["variants"]])
    scenario = getattr(run, "scenario", None)
    described = {a.id: a.description for a in getattr(scenario, "automations", None) or ()}
    described |= {r.id: r.description for r in getattr(scenario, "roadmaps", None) or ()}
    roadmaps = {r["id"]: r for r in (summary.get("roadmap") or {}).get("roadmaps", [])}
    plan = roadmaps.get(v["id"])
    roadmap = bundle = None
    if plan is not None:
        roadmap = "; ".join(
            f"day {p['start_day']:.4g}: {', '.join(names.get(a, a) for a in p['automations'])}"
            for p in plan["phases"]
        )
    elif len(v.get("automations", [])) > 1:
        bundle = ", ".join(names.get(a, a) for a in v["automations"])
    changes = None
    if base is not None and "replication" in reps.columns:
        changes = data.paired_changes(reps, base, v["id"], cur)
    name = names.get(v["id"], v["id"])
    figures = []
    if base is not None and not cash.empty:
        figures.append(
            image(
                png_bytes(cash_fan(cash, variants=[base, v["id"]], currency=cur, names=names)),
                f"cash balance fan, {name} against {names.get(base, base)}",
                f"Cash balance with {name} and without it (median, P5–P95).",
            )
        )
    tornado_text = (
        "Bars: rank correlation of each uncertain input with {what} over the replications, "
        "largest first, with its 95% interval as a whisker when known; grey: the interval "
        "includes 0 (no clear effect). Right: {what} with the input at its P10 and at its P90. "
        "Where better data would narrow the answer most."
    )
    for output in v.get("sensitivity") or {}:
        what = "ROI" if output == "roi" else pretty(output)
        file = f"tornado_{v['id']}.png" if output == "roi" else tornado_name(v["id"], output)
        figures.append(
            image(
                images.get(file),
                f"what drives the {what} of {name}",
                tornado_text.format(what=what),
            )
        )
    notes = []
    if v.get("verdict"):
        notes.append(("Verdict", str(v["verdict"])))
    if v.get("explanation"):
        notes.append(
            ("Why", answer.reason_text(str(v["explanation"]), v["id"], names, sentence=False))
        )
    return {
        "anchor": f"option-{i}",
        "heading": f"{name} ({v['id']})" if name != v["id"] else v["id"],
        "description": described.get(v["id"], ""),
        "roadmap": roadmap,
        "bundle": bundle,
        "notes": notes,
        "finance": data.finance_table(v["finance"], cur),
        "versus": "the baseline" if base == BASELINE else names.get(base, base),
        "changes": changes,
        "images": figures,
    }


def _figure(images: dict[str, bytes], name: str, alt: str, caption: str) -> data.Image | None:
    return image(images.get(name), alt, caption)


def _context(run: RunLike, scenario_text: str | None, images: dict[str, bytes]) -> dict[str, Any]:
    """Everything the template shows, as plain data; missing standard figures are drawn here."""
    summary = run.summary()
    cur = summary["currency"]
    text = scenario_text if scenario_text is not None else getattr(run, "scenario_text", None)
    facts = data.scenario_facts(run)
    names = names_of(run)
    for name, draw in standard_figures(run).items():
        if name not in images:
            images[name] = png_bytes(draw())
    base = baseline_of([v["id"] for v in summary["variants"]])
    autos = [v for v in summary["variants"] if v.get("finance")]
    money_images = [
        _figure(
            images,
            "npv.png",
            "NPV distribution per option",
            "NPV against the baseline over replications (dots), median (bar) and mean "
            "(diamond); P(NPV > 0) on the right.",
        ),
        _figure(
            images,
            "roi.png",
            "ROI distribution per option",
            "ROI (net gain as a percentage of the automation's cost) over replications; 0% is "
            "break-even.",
        ),
    ]
    strategy = None
    if "strategy" in summary:
        strategy = data.strategy_section(summary, names)
        strategy["images"] = [
            _figure(
                images,
                "goal_heatmap.png",
                "change in probability of meeting each goal, per option",
                "Change in P(goal met) against the baseline, same replications (−1 to +1).",
            ),
            _figure(
                images,
                "alignment_map.png",
                "strategic impact against expected NPV, per option",
                "Strategic impact (weighted change in goal attainment) against expected NPV, "
                "with 95% intervals.",
            ),
        ]
    kpi_images = [
        _figure(
            images,
            "response_time_p90.png",
            "cumulative distribution of the P90 response time per variant",
            "Share of replications with a P90 response time at or below each value "
            "(further left is faster).",
        ),
        _figure(
            images,
            "cash_fan.png",
            "cash balance fan per variant",
            "Median cash balance per variant, with the P5–P95 band across replications.",
        ),
    ]
    voi = summary.get("value_of_information")
    return {
        "version": data.autosim_version(),
        "title": f"{summary['scenario']}: which automation?",
        "scenario": summary["scenario"],
        "description": facts["description"],
        "replications": summary["replications"],
        "seed": summary["seed"],
        "currency": cur,
        "recommendation": answer.recommendation(summary, names) if autos else None,
        "options": answer.options_table(summary, names),
        "warnings": [str(w) for w in summary.get("warnings") or []],
        "roadmap": answer.roadmap_section(summary, names),
        "risk": answer.risk_table(summary, names),
        "money_images": money_images,
        "strategy": strategy,
        "kpis": {"table": data.kpi_table(summary, names), "images": kpi_images},
        "automations": [_option(run, summary, v, i, images, names) for i, v in enumerate(autos)],
        "inputs": data.inputs_table(run.replications, base, names),
        "voi": data.value_of_information(voi, cur, names) if voi else None,
        "scenario_text": text,
        "method": data.method_items(run, summary),
        "method_images": [
            _figure(
                images,
                "convergence_npv.png",
                "running mean of NPV against replications",
                "Were there enough replications? Running mean of NPV with its 95% interval.",
            )
        ],
    }


def _render(run: RunLike, scenario_text: str | None, images: dict[str, bytes]) -> str:
    return _environment().get_template(TEMPLATE).render(_context(run, scenario_text, images))


def render_report(run: RunLike, *, scenario_text: str | None = None) -> str:
    """The run as one self-contained HTML page (figures inline, nothing fetched from outside).

    Parameters
    ----------
    run
        A run in memory (``autosim.Results``) or re-read from its folder
        (``autosim.io.saved.SavedResults``): anything satisfying
        :class:`~autosim.present.protocol.RunLike`.
    scenario_text
        The scenario file, shown under assumptions (default: the run's ``scenario_text``, if any).
    """
    return _render(run, scenario_text, {})


def report_files(run: RunLike, *, scenario_text: str | None = None) -> dict[str, bytes]:
    """``report.html`` and the standard PNGs as bytes, by file name, each figure drawn once.

    For writers that place files themselves, e.g. ``write_outputs(..., extra_files=...)``, so the
    report lands in the output folder in the same atomic move as the data.
    """
    images = {name: png_bytes(draw()) for name, draw in standard_figures(run).items()}
    page = _render(run, scenario_text, dict(images))
    return {**images, "report.html": page.encode("utf-8")}


def write_report(
    run: RunLike, out_dir: str | os.PathLike[str], *, scenario_text: str | None = None
) -> Path:
    """Write ``report.html`` and the standard PNG figures into ``out_dir``; return the report.

    Each file is written atomically (:func:`autosim.atomic.write_atomic`), the figures first.
    """
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise RunError(f"output path {target} exists and is not a folder")
    files = report_files(run, scenario_text=scenario_text)
    page = files.pop("report.html")
    try:
        for name, payload in files.items():
            write_atomic(target / name, payload)
        return write_atomic(target / "report.html", page)
    except OSError as exc:
        raise RunError(f"cannot write to output folder {target}: {exc.strerror or exc}") from None
