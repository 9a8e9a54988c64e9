"""One self-contained HTML report of a run: assembling the page, rendering it, writing it.

The report is the memo an analyst hands the owner: the decision first (which automation, how
sure), then what each automation does to the business, then what was assumed and how the numbers
were made. It is a single file with its figures inside and no link to anything outside, so it can
be mailed, archived, or opened offline years later and read the same.

This module gathers the page's content (tables and text from :mod:`.report_data`, figures as
inline PNGs) and renders ``templates/report.html.j2`` with jinja2's autoescaping on: a scenario is
data, never markup, and no HTML is built in Python. It accepts any run that satisfies
:class:`~autosim.present.protocol.RunLike` — a run in memory or one re-read from its folder
(``autosim.io.saved.SavedResults``) — and imports neither.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from autosim.atomic import write_atomic
from autosim.errors import RunError
from autosim.present import report_data as data
from autosim.present.figures.operations import cash_fan
from autosim.present.figures.standard import standard_figures, tornado_name
from autosim.present.labels import BASELINE, baseline_of
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


def _automation(
    run: RunLike,
    summary: dict[str, Any],
    v: dict[str, Any],
    i: int,
    images: dict[str, bytes],
    facts: dict[str, Any],
) -> dict[str, Any]:
    """One automation's section: who it is, its money, its paired changes, its figures."""
    cur = summary["currency"]
    reps, cash = run.replications, run.cash
    base = baseline_of([x["id"] for x in summary["variants"]])
    name, description = facts["automations"].get(v["id"], ("", ""))
    roadmaps = {r["id"]: r for r in (summary.get("roadmap") or {}).get("roadmaps", [])}
    plan = roadmaps.get(v["id"])
    roadmap = bundle = None
    if plan is not None:
        roadmap = "; ".join(
            f"day {p['start_day']:.4g}: {', '.join(p['automations'])}" for p in plan["phases"]
        )
    elif len(v.get("automations", [])) > 1:
        bundle = ", ".join(v["automations"])
    changes = None
    if base is not None and "replication" in reps.columns:
        changes = data.paired_changes(reps, base, v["id"], cur)
    figures = []
    if base is not None and not cash.empty:
        figures.append(
            image(
                png_bytes(cash_fan(cash, variants=[base, v["id"]], currency=cur)),
                f"cash balance fan, {v['id']} against {base}",
                f"Cash balance with {v['id']} and without it (median, P5–P95).",
            )
        )
    figures.append(
        image(
            images.get(f"tornado_{v['id']}.png"),
            f"what drives the ROI of {v['id']}",
            "ROI predicted with each uncertain input at its P10 and P90 (least squares over "
            "replications), largest swing first: where better data would narrow the answer most.",
        )
    )
    for output in v.get("sensitivity") or {}:
        if output != "roi":
            figures.append(
                image(
                    images.get(tornado_name(v["id"], output)),
                    f"what drives {output} with {v['id']}",
                    f"{output} predicted with each uncertain input at its P10 and P90.",
                )
            )
    notes = [(key.capitalize(), str(v[key])) for key in ("verdict", "explanation") if v.get(key)]
    return {
        "anchor": f"automation-{i}",
        "heading": f"{v['id']} — {name}" if name and name != v["id"] else v["id"],
        "description": description,
        "roadmap": roadmap,
        "bundle": bundle,
        "notes": notes,
        "finance": data.finance_table(v["finance"], cur),
        "versus": "the baseline" if base == BASELINE else base,
        "changes": changes,
        "images": figures,
    }


def _context(run: RunLike, scenario_text: str | None, images: dict[str, bytes]) -> dict[str, Any]:
    """Everything the template shows, as plain data; missing standard figures are drawn here."""
    summary = run.summary()
    cur = summary["currency"]
    text = scenario_text if scenario_text is not None else getattr(run, "scenario_text", None)
    facts = data.scenario_facts(run)
    for name, draw in standard_figures(run).items():
        if name not in images:
            images[name] = png_bytes(draw())
    base = baseline_of([v["id"] for v in summary["variants"]])
    autos = [v for v in summary["variants"] if v.get("finance")]
    decision = None
    if autos:
        decision = data.decision(summary, autos)
        decision["images"] = [
            image(
                images.get("npv.png"),
                "NPV distribution per automation",
                "NPV against the baseline over replications; P(NPV > 0) on the right.",
            ),
            image(
                images.get("roi.png"),
                "ROI distribution per automation",
                "ROI over replications; 0 is break-even.",
            ),
        ]
    strategy = None
    if "strategy" in summary:
        strategy = data.strategy_section(summary)
        strategy["images"] = [
            image(
                images.get("goal_heatmap.png"),
                "change in probability of meeting each goal, per automation",
                "Change in P(goal met) against the baseline, same replications (points of "
                "probability).",
            ),
            image(
                images.get("alignment_map.png"),
                "strategic impact against expected NPV, per automation",
                "Strategic impact (weighted change in goal attainment) against expected NPV, with "
                "95% intervals.",
            ),
        ]
    kpi_images = [
        image(
            images.get("response_time_p90.png"),
            "cumulative distribution of the P90 response time per variant",
            "Share of replications with a P90 response time at or below each value "
            "(further left is faster).",
        ),
        image(
            images.get("cash_fan.png"),
            "cash balance fan per variant",
            "Median cash balance per variant, with the P5–P95 band across replications.",
        ),
    ]
    voi = summary.get("value_of_information")
    return {
        "version": data.autosim_version(),
        "title": f"{summary['scenario']}: which automation?",
        "description": facts["description"],
        "replications": summary["replications"],
        "seed": summary["seed"],
        "currency": cur,
        "decision": decision,
        "strategy": strategy,
        "kpis": {"table": data.kpi_table(summary), "images": kpi_images},
        "automations": [
            _automation(run, summary, v, i, images, facts) for i, v in enumerate(autos)
        ],
        "inputs": data.inputs_table(run.replications, base),
        "voi": data.value_of_information(voi, cur) if voi else None,
        "scenario_text": text,
        "method": data.method_items(run, summary),
        "method_images": [
            image(
                images.get("convergence_npv.png"),
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
