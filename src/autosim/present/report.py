"""One self-contained HTML report of a run, and re-reading a run's output folder.

The report is the memo an analyst hands the owner: the decision first (which automation, how
sure), then what each automation does to the business, then what was assumed and how the numbers
were made. It is a single file with its figures inside and no link to anything outside, so it can
be mailed, archived, or opened offline years later and read the same. Every piece of text that
comes from a scenario file or a result is HTML-escaped: a scenario is data, never markup.

:class:`SavedResults` re-opens an output folder written by ``autosim run`` and offers what plots
and the report need from an in-memory :class:`~autosim.Results` (``replications``, ``cash``,
``summary()``), like reopening last year's ledger instead of redoing the year.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autosim.errors import RunError
from autosim.present import figures as plots
from autosim.stats import mean_ci

__all__ = ["REPORT_KPIS", "SavedResults", "render_report", "report_files", "write_report"]

#: KPIs shown per variant (those a run has), in this order.
REPORT_KPIS = (
    "response_time_p90_min",
    "within_target_share",
    "jobs_completed",
    "jobs_lost",
    "dso_days",
    "fill_rate",
    "oversells",
    "cash_in_stock",
    "revenue",
    "net_cash_flow",
    "min_cash_balance",
)
_SUMMARY_KEYS = ("scenario", "currency", "replications", "seed", "variants")


class SavedResults:
    """A run re-read from its output folder: the frames, the summary and the manifest."""

    def __init__(
        self,
        path: Path,
        summary: dict[str, Any],
        replications: pd.DataFrame,
        cash: pd.DataFrame,
        manifest: dict[str, Any],
        scenario_text: str | None = None,
    ) -> None:
        self.path = path
        self._summary = summary
        self.replications = replications
        self.cash = cash
        self.manifest = manifest
        self.scenario_text = scenario_text
        self._scenario: Any = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SavedResults:
        """Read an output folder; a missing or unreadable file raises :class:`RunError`."""
        folder = Path(path)
        if not folder.is_dir():
            raise RunError(f"{folder}: no such output folder")
        summary = _read_json(folder / "summary.json")
        missing = [key for key in _SUMMARY_KEYS if key not in summary]
        if missing or not isinstance(summary.get("variants"), list):
            raise RunError(
                f"{folder / 'summary.json'}: not an autosim summary "
                f"(missing or invalid: {', '.join(missing or ['variants'])})"
            )
        manifest = _read_json(folder / "manifest.json")
        replications = _read_parquet(folder / "replications.parquet", ("variant", "replication"))
        cash = _read_parquet(folder / "cash.parquet", ("variant", "replication", "day", "balance"))
        text = None
        if (folder / "scenario.yaml").exists():
            try:
                text = (folder / "scenario.yaml").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise RunError(f"{folder / 'scenario.yaml'}: cannot be read ({exc})") from None
        return cls(folder, summary, replications, cash, manifest, text)

    @property
    def scenario(self) -> Any:
        """The saved scenario copy, validated (None when absent or no longer valid)."""
        if self._scenario is None and self.scenario_text:
            from autosim.errors import AutosimError
            from autosim.scenario import scenario_from_text

            try:
                self._scenario = scenario_from_text(self.scenario_text)
            except AutosimError:
                self._scenario = False
        return self._scenario or None

    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json``."""
        return self._summary

    @property
    def n_replications(self) -> int:
        """Replications per variant."""
        return int(self._summary["replications"])

    @property
    def plot(self) -> plots.PlotAccessor:
        """The standard figures: ``saved.plot.npv()``."""
        return plots.PlotAccessor(self)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RunError(f"{path}: missing (is {path.parent} an autosim output folder?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise RunError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _read_parquet(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise RunError(f"{path}: missing (is {path.parent} an autosim output folder?)")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise RunError(f"{path}: not a readable parquet table ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


# --- formatting ---------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _fmt(value: Any, unit: str = "") -> str:
    """A number as people read it: money to the unit, shares in percent, else 3 figures."""
    if not _finite(value):
        return "—"
    if unit == "money":
        return f"{value:,.0f}"
    if unit == "share":
        return f"{value:.1%}"
    size = abs(value)
    return f"{value:,.0f}" if size >= 1000 else f"{value:.1f}" if size >= 10 else f"{value:.3g}"


def _signed(value: Any, unit: str) -> str:
    if not _finite(value):
        return "—"
    if unit == "share":
        return f"{100 * value:+.1f} pp"
    text = _fmt(value, unit)
    return text if text.startswith("-") else f"+{text}"


def _pct(value: Any) -> str:
    return f"{value:.0%}" if _finite(value) else "—"


def _band(stats: dict[str, Any] | None, unit: str = "") -> str:
    if not stats:
        return "—"
    mean, p5, p95 = (_fmt(stats.get(key), unit) for key in ("mean", "p5", "p95"))
    return f"{mean} [{p5}, {p95}]"


def _unit(column: str) -> str:
    from autosim.kpis import kpi

    try:
        return kpi(column.split("[", 1)[0]).unit
    except KeyError:
        return ""


def _kpi_label(column: str, currency: str) -> str:
    unit = "%" if _unit(column) == "share" else plots._unit(column, currency)
    return f"{plots._pretty(column)} ({unit})" if unit else plots._pretty(column)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int]) -> str:
    """An HTML table of plain-text cells (escaped here); ``numeric`` columns right-aligned."""

    def cell(tag: str, j: int, text: str) -> str:
        cls = ' class="num"' if j in numeric else ""
        return f"<{tag}{cls}>{_e(text)}</{tag}>"

    head = "".join(cell("th", j, h) for j, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", j, c) for j, c in enumerate(row)) + "</tr>" for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _img(png: bytes | None, alt: str, caption: str) -> str:
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


# --- content --------------------------------------------------------------------------------


def _scenario_facts(results_like: Any, text: str | None) -> dict[str, Any]:
    """Scenario description and automation names, from the Scenario object or the YAML text."""
    scenario = getattr(results_like, "scenario", None)
    if scenario is not None:
        names = {a.id: (a.name, a.description) for a in scenario.automations}
        return {"description": scenario.description, "automations": names}
    import yaml

    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        return {"description": "", "automations": {}}
    names = {
        str(a["id"]): (str(a.get("name", "")), str(a.get("description", "")))
        for a in data.get("automations") or []
        if isinstance(a, dict) and "id" in a
    }
    return {"description": str(data.get("description") or ""), "automations": names}


def _decision(summary: dict[str, Any], autos: list[dict[str, Any]]) -> str:
    cur = summary["currency"]
    has_verdict = any("verdict" in v for v in autos)
    has_explanation = any("explanation" in v for v in autos)
    headers = ["automation", *(["verdict"] if has_verdict else [])]
    headers += [f"mean NPV ({cur})", "NPV 90% band [P5, P95]", "P(ROI > 0)", "mean ROI"]
    headers += ["median payback (months)", "paid back within horizon"]
    has_constraints = any(v.get("constraints") for v in autos)
    headers += ["fits constraints"] if has_constraints else []
    headers += ["explanation"] if has_explanation else []
    rows = []
    for v in autos:
        f = v["finance"]
        payback = f["payback_months"]
        row = [v["id"], *([str(v.get("verdict") or "—")] if has_verdict else [])]
        row += [_fmt(f["npv"]["mean"], "money")]
        row += [f"[{_fmt(f['npv']['p5'], 'money')}, {_fmt(f['npv']['p95'], 'money')}]"]
        row += [_pct(f["roi"]["p_positive"]), _fmt(f["roi"]["mean"])]
        median = _fmt(payback["p50"]) if _finite(payback["p50"]) else "not within horizon"
        row += [median, _pct(payback["p_within_horizon"])]
        if has_constraints:
            failed = [name for name, c in (v.get("constraints") or {}).items() if not c["fits"]]
            row += ["yes" if not failed else "no: " + ", ".join(failed)]
        row += [str(v.get("explanation") or "")] if has_explanation else []
        rows.append(row)
    start = 1 + has_verdict
    table = _table(headers, rows, numeric=range(start, start + 6))
    ranked = [v for v in autos if _finite(v["finance"]["npv"]["mean"])]
    if not ranked:
        return table
    best = max(ranked, key=lambda v: v["finance"]["npv"]["mean"])
    npv = best["finance"]["npv"]
    if npv["mean"] <= 0:
        lead = "No automation has a positive expected NPV against the baseline."
    else:
        lead = (
            f"Highest expected NPV: {best['id']}, mean {cur} {_fmt(npv['mean'], 'money')} "
            f"(P5 {_fmt(npv['p5'], 'money')}, P95 {_fmt(npv['p95'], 'money')}), "
            f"positive in {_pct(npv['p_positive'])} of replications."
        )
    return f"<p>{_e(lead)}</p>{table}"


def _kpi_table(summary: dict[str, Any]) -> str:
    variants = summary["variants"]
    shown = [k for k in REPORT_KPIS if any(k in v["kpis"] for v in variants)]
    headers = ["KPI", *(v["id"] for v in variants)]
    rows = [
        [_kpi_label(k, summary["currency"]), *(_band(v["kpis"].get(k), _unit(k)) for v in variants)]
        for k in shown
    ]
    return _table(headers, rows, numeric=range(1, len(headers)))


def _paired_changes(reps: pd.DataFrame, base: str, variant: str, currency: str) -> str:
    """Mean change against the baseline in the same replications, with its 95% t-interval."""
    base_rows = reps[reps["variant"] == base].set_index("replication")
    rows = reps[reps["variant"] == variant].set_index("replication")
    out = []
    for k in (k for k in REPORT_KPIS if k in reps.columns):
        diff = (rows[k] - base_rows[k]).to_numpy(float)
        finite = diff[np.isfinite(diff)]
        unit = _unit(k)
        mean = float(finite.mean()) if finite.size else math.nan
        lo, hi = mean_ci(finite)
        out.append(
            [
                _kpi_label(k, currency),
                _signed(mean, unit),
                f"[{_signed(lo, unit)}, {_signed(hi, unit)}]",
            ]
        )
    return _table(["KPI", "mean change", "95% interval of the mean"], out, numeric=(1, 2))


def _finance_table(finance: dict[str, Any], currency: str) -> str:
    rows = []
    spec = (
        ("npv", f"NPV ({currency})", "money", "p_positive", "P(> 0)"),
        ("roi", "ROI (net gain per unit of cost)", "", "p_positive", "P(> 0)"),
        ("payback_months", "payback (months)", "", "p_within_horizon", "paid back"),
        ("net_benefit", f"net benefit ({currency})", "money", None, ""),
    )
    for key, label, unit, share, share_label in spec:
        s = finance.get(key) or {}
        ci = s.get("ci95") or [None, None]
        extra = f"{share_label} {_pct(s.get(share))}" if share else ""
        rows.append(
            [label, _fmt(s.get("mean"), unit), f"[{_fmt(ci[0], unit)}, {_fmt(ci[1], unit)}]"]
            + [_fmt(s.get(q), unit) for q in ("p5", "p50", "p95")]
            + [extra]
        )
    rows += _risk_rows(finance.get("risk") or {}, currency)
    headers = ["", "mean", "95% CI of mean", "P5", "P50", "P95", ""]
    return _table(headers, rows, numeric=range(1, 7))


def _risk_rows(risk: dict[str, Any], currency: str) -> list[list[str]]:
    """CVaR10 of NPV (its interval in the CI column) with P(NPV < 0); the worst month's cash."""
    if not risk:
        return []
    tail, loss = risk["cvar10"], risk["p_loss"]
    lo, hi = tail["ci95"]
    rows = [
        [
            f"CVaR10 of NPV ({currency}): mean of the worst 10%",
            _fmt(tail["value"], "money"),
            f"[{_fmt(lo, 'money')}, {_fmt(hi, 'money')}]",
            *("", "", ""),
            f"P(NPV < 0) {_pct(loss['value'])}",
        ]
    ]
    cash = risk.get("worst_month_cash")
    if cash:
        ci = cash.get("ci95") or [None, None]
        rows.append(
            [f"worst month-end cash ({currency})", _fmt(cash.get("mean"), "money")]
            + [f"[{_fmt(ci[0], 'money')}, {_fmt(ci[1], 'money')}]"]
            + [_fmt(cash.get(q), "money") for q in ("p5", "p50", "p95")]
            + [""]
        )
    return rows


def _value_of_information(voi: dict[str, Any], currency: str) -> str:
    """What knowing each uncertain input before buying would be worth (EVPPI, in money)."""
    head = "<h3>Value of information</h3>"
    if voi.get("note"):
        return f"{head}<p>Not estimated: {_e(voi['note'])}.</p>"
    text = voi["text"][0].upper() + voi["text"][1:]
    rows = [
        [
            item["input"],
            _fmt(item["evppi"], "money"),
            f"[{_fmt(item['ci95'][0], 'money')}, {_fmt(item['ci95'][1], 'money')}]",
            _pct(item["p_switch"]),
        ]
        for item in voi["inputs"]
    ]
    headers = ["uncertain input", f"EVPPI ({currency})", "95% interval", "changes the choice"]
    return f"{head}<p>{_e(text)}</p>" + _table(headers, rows, numeric=(1, 2, 3))


def _inputs_table(reps: pd.DataFrame, base: str | None) -> str:
    columns = [c for c in reps.columns if c.startswith("input:")]
    if not columns:
        return "<p>No uncertain inputs: all the spread comes from day-to-day randomness.</p>"
    rows_of = reps[reps["variant"] == base] if base is not None else reps
    rows = []
    for c in columns:
        values = rows_of[c].to_numpy(float)
        values = values[~np.isnan(values)]
        q = np.quantile(values, [0.05, 0.5, 0.95]) if values.size else [math.nan] * 3
        rows.append([c.removeprefix("input:"), *(_fmt(float(x)) for x in q)])
    note = (
        "<p>Each uncertain input is sampled once per replication and shared by every variant "
        "of that replication.</p>"
    )
    return note + _table(["input", "P5", "P50", "P95"], rows, numeric=(1, 2, 3))


def _method(results_like: Any, summary: dict[str, Any]) -> str:
    manifest = getattr(results_like, "manifest", None)
    if not isinstance(manifest, dict):
        from autosim import __version__

        timing = getattr(results_like, "timing", {}) or {}
        manifest = {
            "autosim_version": __version__,
            "executor": timing.get("executor"),
            "workers": timing.get("workers"),
            "seed_given": getattr(results_like, "seed_given", None),
        }
    crn = manifest.get("common_random_numbers", True)
    seed_note = {True: " (given)", False: " (drawn from the OS and recorded)"}.get(
        manifest.get("seed_given"), ""
    )
    executor = manifest.get("executor") or "unknown"
    if manifest.get("workers"):
        executor += f", {manifest['workers']} workers"
    items = [
        f"Replications: {summary['replications']} per variant, the same ones for every variant.",
        f"Seed: {summary['seed']}{seed_note}; the same seed gives the same numbers anywhere.",
        "Common random numbers: "
        + (
            "on. Every variant of a replication sees the same customers and the same sampled "
            "inputs, so each automation is judged on paired differences."
            if crn
            else "off: variants were simulated with independent random streams."
        ),
        "Means: Student-t 95% confidence interval over replications (how well the mean is known).",
        "Bands: P5–P95 over replications, i.e. 90% of simulated outcomes fall inside "
        "(what the business could live through).",
        "P(ROI > 0), P(NPV > 0): share of replications where the automation paid for itself.",
        f"Executor: {executor}.",
        f"autosim version: {manifest.get('autosim_version') or 'unknown'}"
        + (f", Python {manifest['python']}" if manifest.get("python") else "")
        + ".",
    ]
    if manifest.get("scenario_file"):
        items.append(
            f"Scenario file: {manifest['scenario_file']} "
            f"(SHA-256 {manifest.get('scenario_sha256')})."
        )
    if manifest.get("started"):
        items.append(f"Run: {manifest['started']} to {manifest.get('finished')}.")
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
max-width:960px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd}
h3{margin-top:1.6rem}.sub{color:#555}.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.88rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
th{background:#f4f4f4}.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}img{max-width:100%;height:auto}figcaption{color:#555;font-size:.85rem}
pre{background:#f6f6f6;padding:.8rem;overflow-x:auto;font-size:.8rem;line-height:1.3}
"""


def _render(results_like: Any, scenario_text: str | None, images: dict[str, bytes]) -> str:
    summary = results_like.summary()
    reps, cash = results_like.replications, results_like.cash
    cur = summary["currency"]
    text = (
        scenario_text if scenario_text is not None else getattr(results_like, "scenario_text", None)
    )
    facts = _scenario_facts(results_like, text)
    for name, draw in plots.standard_figures(results_like).items():
        if name not in images:
            images[name] = plots.png_bytes(draw())
    ids = [v["id"] for v in summary["variants"]]
    base = plots._baseline(ids)
    autos = [v for v in summary["variants"] if v.get("finance")]
    title = f"{summary['scenario']}: which automation?"

    parts = [f"<h1>{_e(title)}</h1>"]
    if facts["description"]:
        parts.append(f'<p class="sub">{_e(facts["description"])}</p>')
    parts.append(
        f'<p class="sub">{_e(summary["replications"])} replications per variant, seed '
        f"{_e(summary['seed'])}, money in {_e(cur)}.</p>"
    )
    parts.append("<h2>Decision summary</h2>")
    if autos:
        parts.append(_decision(summary, autos))
        parts.append(
            _img(
                images.get("npv.png"),
                "NPV distribution per automation",
                "NPV against the baseline over replications; P(NPV > 0) on the right.",
            )
        )
        parts.append(
            _img(
                images.get("roi.png"),
                "ROI distribution per automation",
                "ROI over replications; 0 is break-even.",
            )
        )
    else:
        parts.append("<p>This run has no automation: only the baseline was simulated.</p>")

    if "strategy" in summary:
        parts.append(_strategy_section(summary, images))

    parts.append("<h2>Key KPIs per variant</h2><p>Mean [P5, P95] over replications.</p>")
    parts.append(_kpi_table(summary))
    parts.append(
        _img(
            images.get("response_time_p90.png"),
            "cumulative distribution of the P90 response time per variant",
            "Share of replications with a P90 response time at or below each value "
            "(further left is faster).",
        )
    )
    parts.append(
        _img(
            images.get("cash_fan.png"),
            "cash balance fan per variant",
            "Median cash balance per variant, with the P5–P95 band across replications.",
        )
    )

    roadmaps = {r["id"]: r for r in (summary.get("roadmap") or {}).get("roadmaps", [])}
    for i, v in enumerate(autos):
        name, description = facts["automations"].get(v["id"], ("", ""))
        heading = f"{v['id']} — {name}" if name and name != v["id"] else v["id"]
        parts.append(f'<h2 id="automation-{i}">Automation: {_e(heading)}</h2>')
        if description:
            parts.append(f"<p>{_e(description)}</p>")
        plan = roadmaps.get(v["id"])
        if plan is not None:
            steps = "; ".join(
                f"day {p['start_day']:.4g}: {', '.join(p['automations'])}" for p in plan["phases"]
            )
            parts.append(f"<p>Roadmap (phased purchase): {_e(steps)}.</p>")
        elif len(v.get("automations", [])) > 1:
            parts.append(f"<p>Bundle of: {_e(', '.join(v['automations']))}.</p>")
        for key in ("verdict", "explanation"):
            if v.get(key):
                parts.append(f"<p><strong>{key.capitalize()}:</strong> {_e(v[key])}</p>")
        parts.append("<h3>Money against the baseline</h3>")
        parts.append(_finance_table(v["finance"], cur))
        if base is not None and "replication" in reps.columns:
            versus = "the baseline" if base == plots.BASELINE else base
            parts.append(f"<h3>Change against {_e(versus)}, same replications</h3>")
            parts.append(_paired_changes(reps, base, v["id"], cur))
        if base is not None and not cash.empty:
            png = plots.png_bytes(plots.cash_fan(cash, variants=[base, v["id"]], currency=cur))
            parts.append(
                _img(
                    png,
                    f"cash balance fan, {v['id']} against {base}",
                    f"Cash balance with {v['id']} and without it (median, P5–P95).",
                )
            )
        if images.get(f"tornado_{v['id']}.png"):
            parts.append(
                _img(
                    images[f"tornado_{v['id']}.png"],
                    f"what drives the ROI of {v['id']}",
                    "ROI predicted with each uncertain input at its P10 and P90 (least squares "
                    "over replications), largest swing first: where better data would narrow "
                    "the answer most.",
                )
            )
        for output in v.get("sensitivity") or {}:
            name = plots.tornado_name(v["id"], output)
            if output != "roi" and images.get(name):
                parts.append(
                    _img(
                        images[name],
                        f"what drives {output} with {v['id']}",
                        f"{output} predicted with each uncertain input at its P10 and P90.",
                    )
                )

    parts.append("<h2>Assumptions</h2><h3>Uncertain inputs</h3>")
    parts.append(_inputs_table(reps, base))
    if summary.get("value_of_information"):
        parts.append(_value_of_information(summary["value_of_information"], cur))
    parts.append("<h3>Scenario file</h3>")
    parts.append(
        f"<pre>{_e(text)}</pre>" if text else "<p>The scenario file text is not available.</p>"
    )

    parts.append("<h2>Method</h2>")
    parts.append(_method(results_like, summary))
    parts.append(
        _img(
            images.get("convergence_npv.png"),
            "running mean of NPV against replications",
            "Were there enough replications? Running mean of NPV with its 95% interval.",
        )
    )
    from autosim import __version__

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="autosim {_e(__version__)}">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(p for p in parts if p)
        + "\n</main>\n</body>\n</html>\n"
    )


def render_report(results_like: Any, *, scenario_text: str | None = None) -> str:
    """The run as one self-contained HTML page (figures inline, nothing fetched from outside).

    Parameters
    ----------
    results_like
        An :class:`autosim.Results` or a :class:`SavedResults`.
    scenario_text
        The scenario file, shown under assumptions (default: the saved copy, if any).
    """
    return _render(results_like, scenario_text, {})


def report_files(results_like: Any, *, scenario_text: str | None = None) -> dict[str, bytes]:
    """``report.html`` and the standard PNGs as bytes, by file name, each figure drawn once.

    For writers that place files themselves, e.g. ``write_outputs(..., extra_files=...)``, so the
    report lands in the output folder in the same atomic move as the data.
    """
    images = {
        name: plots.png_bytes(draw()) for name, draw in plots.standard_figures(results_like).items()
    }
    page = _render(results_like, scenario_text, dict(images))
    return {**images, "report.html": page.encode("utf-8")}


def write_report(
    results_like: Any, out_dir: str | os.PathLike[str], *, scenario_text: str | None = None
) -> Path:
    """Write ``report.html`` and the standard PNG figures into ``out_dir``; return the report."""
    from autosim.io.output import prepare_out_dir

    target = prepare_out_dir(out_dir)
    written = plots.save_all(results_like, target)
    images = {path.name: path.read_bytes() for path in written}  # drawn once, used twice
    page = _render(results_like, scenario_text, images)
    return plots.write_atomic(target / "report.html", page.encode("utf-8"))


def _strategy_section(summary: dict[str, Any], images: dict[str, bytes]) -> str:
    """Mission, goals with P(met) per variant, the alignment heatmap and map."""
    strategy = summary["strategy"]
    variants = summary["variants"]
    headers = ["goal", "description", "weight", *(f"P(met): {v['id']}" for v in variants)]
    rows = []
    for goal in strategy["goals"]:
        cells = [goal["id"], goal["description"], _fmt(goal["weight"])]
        for v in variants:
            entry = v["goals"][goal["id"]]
            lo, hi = entry["ci95"]
            cells.append(f"{_pct(entry['p_met'])} [{_pct(lo)}, {_pct(hi)}]")
        rows.append(cells)
    parts = [
        "<h2>Strategy and goals</h2>",
        f"<p>{_e(strategy['mission'].strip())}</p>",
        "<p>P(goal met) over replications with its 95% Wilson interval. A change in P(met) "
        f"smaller than {_pct(strategy['min_effect'])} does not count towards a verdict.</p>",
        _table(headers, rows, numeric=range(2, len(headers))),
        _img(
            images.get("goal_heatmap.png"),
            "change in probability of meeting each goal, per automation",
            "Change in P(goal met) against the baseline, same replications (points of "
            "probability).",
        ),
        _img(
            images.get("alignment_map.png"),
            "strategic impact against expected NPV, per automation",
            "Strategic impact (weighted change in goal attainment) against expected NPV, with "
            "95% intervals.",
        ),
    ]
    return "".join(parts)
