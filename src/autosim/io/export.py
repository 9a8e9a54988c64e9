"""A saved run as one spreadsheet workbook, for the client who lives in Excel.

``autosim export DIR --xlsx`` writes ``results.xlsx`` with readable sheet and column names: the
options (verdict, recommendation, NPV, payback, fit), the goals (P(goal met), its change, the
level reached against the target and the share of the gap closed), every KPI per variant, and
the per-replication table (one row per replication x variant) — the numbers of summary.json and
replications.parquet, nothing recomputed. openpyxl writes the file (through pandas).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from autosim.atomic import write_atomic
from autosim.errors import RunError
from autosim.io.saved import SavedResults
from autosim.present.labels import input_label, kpi_label, name_of, option_names

__all__ = ["export_xlsx", "workbook_sheets"]


def _get(d: Any, *path: str) -> Any:
    for key in path:
        d = d.get(key) if isinstance(d, dict) else None
    return d


def _options(summary: dict[str, Any], names: dict[str, str]) -> pd.DataFrame:
    portfolio = summary.get("portfolio") or {}
    why = {f["id"]: f.get("why_not") for f in portfolio.get("frontier", [])}
    rows = []
    for v in summary["variants"]:
        if not v["automations"]:
            continue
        fin = v.get("finance") or {}
        constraints = v.get("constraints") or {}
        rows.append(
            {
                "Option": name_of(v["id"], names),
                "Option id": v["id"],
                "Automations": ", ".join(v["automations"]),
                "Verdict": v.get("verdict"),
                "Recommended": "yes" if v["id"] == portfolio.get("recommended") else "",
                "Why not recommended": why.get(v["id"]) or "",
                "Impact score": _get(v, "impact_score", "mean"),
                "NPV mean": _get(fin, "npv", "mean"),
                "NPV P5": _get(fin, "npv", "p5"),
                "NPV P95": _get(fin, "npv", "p95"),
                "P(NPV > 0)": _get(fin, "npv", "p_positive"),
                "ROI mean (%)": None
                if _get(fin, "roi", "mean") is None
                else 100 * _get(fin, "roi", "mean"),
                "Median payback (months)": _get(fin, "payback_months", "p50"),
                "Fits every constraint": "yes"
                if all(c.get("fits") for c in constraints.values())
                else "no",
                "Explanation": v.get("explanation") or "",
            }
        )
    return pd.DataFrame(rows)


def _goals(summary: dict[str, Any], names: dict[str, str]) -> pd.DataFrame:
    rows = []
    for v in summary["variants"]:
        for goal_id, g in (v.get("goals") or {}).items():
            level = g.get("level") or {}
            progress = g.get("progress") or {}
            lo, hi = (progress.get("ci95") or [None, None])[:2]
            d_lo, d_hi = (g.get("delta_ci95") or [None, None])[:2]
            rows.append(
                {
                    "Option": name_of(v["id"], names),
                    "Goal": goal_id,
                    "Goal in words": g.get("description"),
                    "P(goal met)": g.get("p_met"),
                    "Change in P(goal met)": g.get("delta_vs_baseline"),
                    "Change, 95% low": d_lo,
                    "Change, 95% high": d_hi,
                    "Level (mean)": level.get("mean"),
                    "Level P5": level.get("p5"),
                    "Level P95": level.get("p95"),
                    "Target": level.get("target"),
                    "Target as written": level.get("target_text"),
                    "Baseline level": level.get("baseline_mean"),
                    "Share of the gap closed": progress.get("mean"),
                    "Share, 95% low": lo,
                    "Share, 95% high": hi,
                }
            )
    return pd.DataFrame(rows)


def _kpis(summary: dict[str, Any], names: dict[str, str], currency: str) -> pd.DataFrame:
    rows = []
    for v in summary["variants"]:
        for column, s in (v.get("kpis") or {}).items():
            lo, hi = (s.get("ci95") or [None, None])[:2]
            rows.append(
                {
                    "Option": name_of(v["id"], names),
                    "KPI": kpi_label(column, currency),
                    "KPI column": column,
                    "Mean": s.get("mean"),
                    "Mean, 95% low": lo,
                    "Mean, 95% high": hi,
                    "P5": s.get("p5"),
                    "P50": s.get("p50"),
                    "P95": s.get("p95"),
                }
            )
    return pd.DataFrame(rows)


def _replications(saved: SavedResults, names: dict[str, str], currency: str) -> pd.DataFrame:
    frame = saved.replications.copy()
    frame.insert(0, "Option", [name_of(v, names) for v in frame["variant"]])
    labels: dict[str, str] = {"variant": "Option id", "replication": "Replication"}
    for column in frame.columns[3:]:
        if column.startswith("input:"):
            labels[column] = "Input: " + input_label(column, names)
        else:
            labels[column] = kpi_label(column, currency)
    seen: dict[str, int] = {}
    for column, label in list(labels.items()):  # two columns must never share a header
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[column] = f"{label} [{column}]"
    return frame.rename(columns=labels)


def workbook_sheets(saved: SavedResults) -> dict[str, pd.DataFrame]:
    """The workbook's sheets by name, in order (also handy in a notebook)."""
    summary = saved.summary()
    currency = str(summary.get("currency") or "")
    roadmaps = [r["id"] for r in _get(summary, "roadmap", "roadmaps") or []]
    names = option_names(saved.scenario, summary["variants"], roadmaps)
    about = pd.DataFrame(
        [
            ("Scenario", summary.get("scenario")),
            ("Replications per option", summary.get("replications")),
            ("Seed", summary.get("seed")),
            ("Currency", currency),
            ("Recommended", _get(summary, "portfolio", "recommended") or "nothing yet"),
            ("Why", _get(summary, "portfolio", "reason") or ""),
            ("Output folder", str(saved.path)),
        ],
        columns=["Item", "Value"],
    )
    return {
        "About": about,
        "Options": _options(summary, names),
        "Goals": _goals(summary, names),
        "KPIs": _kpis(summary, names, currency),
        "Replications": _replications(saved, names, currency),
    }


def export_xlsx(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write the saved run in ``folder`` as an Excel workbook (default ``folder/results.xlsx``)."""
    saved = SavedResults.load(folder)
    sheets = workbook_sheets(saved)
    target = Path(out) if out is not None else Path(folder) / "results.xlsx"

    def write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as book:
            for name, frame in sheets.items():
                frame.to_excel(book, sheet_name=name, index=False)
                sheet = book.sheets[name]
                sheet.freeze_panes = "B2"
                for i, column in enumerate(frame.columns, 1):
                    width = max([len(str(column)), *(len(str(x)) for x in frame[column][:50])])
                    letter = sheet.cell(row=1, column=i).column_letter
                    sheet.column_dimensions[letter].width = min(60, max(10, width + 2))

    try:
        return write_atomic(target, write)
    except OSError as exc:
        raise RunError(f"cannot write {target}: {exc.strerror or exc}") from None
