"""Fitted parameters as scenario YAML: a snippet to paste, or an update of a scenario file.

What the fits found is written in the scenario file's own words — ``rate_per_day``,
``service_time: {dist: lognormal, mean: 84 min, sd: 45 min}``, ``paid_after_due`` in days — so
it can be pasted under ``dispatch.job_types`` or ``invoicing`` as it is. Scalars estimated from
few data are written ``{uncertain: ...}`` (a gamma around a rate, a beta around a share) so the
Monte Carlo carries the estimation error instead of treating it as exact; each field's 95%
interval is left as a comment beside it.

``--into scenario.yaml`` updates the named fields of an existing file in place with ruamel.yaml's
round-trip mode, which keeps the file's comments, order and layout, and only writes the result
when it still validates.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from autosim.atomic import write_atomic
from autosim.calibration.fitting import FitResult
from autosim.calibration.invoices import InvoicesFit
from autosim.calibration.jobs import JobsFit, Profile
from autosim.calibration.stock import StockFit
from autosim.calibration.table import RecordError
from autosim.dists import Normal
from autosim.errors import ScenarioError

__all__ = ["snippet_of", "to_yaml", "update_scenario"]

_MIN_PER = {"min": 1.0, "day": 1440.0}


def _num(value: float, digits: int = 4) -> float | int:
    """A number rounded to ``digits`` significant digits, as int when whole."""
    if not math.isfinite(value) or value == 0:
        return 0 if value == 0 else value
    rounded = float(f"{value:.{digits}g}")
    return int(rounded) if rounded.is_integer() and abs(rounded) < 1e15 else rounded


def _flow(mapping: dict[str, Any]) -> CommentedMap:
    out = CommentedMap(mapping)
    out.fa.set_flow_style()
    return out


def _flow_seq(values: list[Any]) -> CommentedSeq:
    out = CommentedSeq(values)
    out.fa.set_flow_style()
    return out


def _dist(fit: FitResult, unit: str | None, scale: float = 1.0) -> CommentedMap:
    """The chosen fit in the scenario's distribution syntax (``unit``: 'min', 'day' or None)."""
    dist = fit.best.dist
    factor = _MIN_PER[unit] if unit else 1.0

    def q(v: float) -> Any:
        v = _num(v * scale / factor)
        return f"{v} {unit}" if unit else v

    spec: dict[str, Any] = {"dist": dist.family, "mean": q(dist.mean)}
    if dist.family != "exponential":
        spec["sd"] = q(dist.sd)
    if isinstance(dist, Normal):
        spec = {"dist": "normal", "mean": q(dist.mu), "sd": q(dist.sigma), "low": q(0.0)}
    return _flow(spec)


def _dist_note(fit: FitResult, unit: str | None, scale: float = 1.0) -> str:
    factor = (_MIN_PER[unit] if unit else 1.0) / scale
    u = f" {unit}" if unit else ""
    (ml, mh), (sl, sh) = fit.mean_ci, fit.sd_ci
    runner = fit.candidates[1].family if len(fit.candidates) > 1 else "-"
    return (
        f"n={fit.n}; 95%: mean {_num(ml / factor, 3)}-{_num(mh / factor, 3)}{u}, "
        f"sd {_num(sl / factor, 3)}-{_num(sh / factor, 3)}{u}; next best: {runner}"
    )


def _uncertain_rate(mean: float, sd: float, uncertain: bool) -> Any:
    if not uncertain or sd <= 0 or mean <= 0:
        return _num(mean)
    return _flow({"uncertain": _flow({"dist": "gamma", "mean": _num(mean), "sd": _num(sd, 3)})})


def _uncertain_share(p: float, ci: tuple[float, float], uncertain: bool) -> Any:
    """A share, or a beta with the same mean and the interval's sd when that is a valid beta."""
    sd = (ci[1] - ci[0]) / 3.92 if all(map(math.isfinite, ci)) else 0.0
    if not uncertain or sd <= 0 or not 0 < p < 1 or p * (1 - p) <= sd * sd:
        return _num(p, 3)
    k = p * (1 - p) / (sd * sd) - 1
    if p * k < 1 or (1 - p) * k < 1:
        return _num(p, 3)  # the matching beta piles up at 0 or 1: keep the point estimate
    return _flow(
        {"uncertain": _flow({"dist": "beta", "a": _num(p * k, 3), "b": _num((1 - p) * k, 3)})}
    )


def _profile(profile: Profile) -> CommentedSeq:
    return _flow_seq([_num(w, 3) for w in profile.weights])


def _jobs(fit: JobsFit, uncertain: bool) -> CommentedMap:
    types = CommentedSeq()
    for t in fit.types:
        entry = CommentedMap()
        entry["id"] = t.id
        entry["segment"] = t.segment
        entry["rate_per_day"] = _uncertain_rate(t.rate.mean, t.rate.sd, uncertain)
        entry.yaml_add_eol_comment(
            f"{t.n_jobs} calls in {fit.n_days} days; 95%: {_num(t.rate.ci[0], 3)}-"
            f"{_num(t.rate.ci[1], 3)} a day",
            "rate_per_day",
        )
        if t.weekday.significant:
            entry["weekday_profile"] = _profile(t.weekday)
            entry.yaml_add_eol_comment("Monday first; mean 1", "weekday_profile")
        if t.hourly.significant:
            entry["hourly_profile"] = _profile(t.hourly)
        if t.service is not None:
            entry["service_time"] = _dist(t.service, "min")
            entry.yaml_add_eol_comment(_dist_note(t.service, "min"), "service_time")
        if t.revenue is not None:
            entry["revenue"] = _dist(t.revenue, None)
            entry.yaml_add_eol_comment(_dist_note(t.revenue, None), "revenue")
        types.append(entry)
    return CommentedMap(dispatch=CommentedMap(job_types=types))


def _invoices(fit: InvoicesFit, uncertain: bool) -> CommentedMap:
    inv = CommentedMap()
    if fit.batch_every_days is not None:
        inv["mode"] = "manual"
        inv["batch_every"] = f"{_num(fit.batch_every_days, 3)} day"
        inv.yaml_add_eol_comment(
            f"{fit.batch_share:.0%} of invoices go out on office-run days", "batch_every"
        )
    if fit.on_site_share > 0:
        inv["card_payment_share"] = _uncertain_share(fit.on_site_share, fit.on_site_ci, uncertain)
    payment = CommentedMap()
    for seg in fit.segments:
        entry = CommentedMap()
        entry["terms"] = f"{_num(seg.terms_days, 3)} day"
        if seg.lateness is not None:
            entry["paid_after_due"] = _dist(seg.lateness, "day", scale=1440.0)
            entry.yaml_add_eol_comment(_dist_note(seg.lateness, "day", 1440.0), "paid_after_due")
        if math.isfinite(seg.bad_debt):
            entry["bad_debt_prob"] = _uncertain_share(seg.bad_debt, seg.bad_debt_ci, uncertain)
            entry.yaml_add_eol_comment(
                f"95%: {_num(seg.bad_debt_ci[0], 2)}-{_num(seg.bad_debt_ci[1], 2)}; "
                f"{seg.n_open} still open, {seg.n_written_off} written off",
                "bad_debt_prob",
            )
        payment[seg.segment] = entry
    inv["payment"] = payment
    return CommentedMap(invoicing=inv)


def _stock(fit: StockFit, uncertain: bool) -> CommentedMap:
    items = CommentedSeq()
    for it in fit.items:
        entry = CommentedMap()
        entry["id"] = it.item
        if it.lead_time is not None:
            entry["lead_time"] = _dist(it.lead_time, "day", scale=1440.0)
            entry.yaml_add_eol_comment(_dist_note(it.lead_time, "day", 1440.0), "lead_time")
        if it.sales is not None:
            entry["orders_per_day"] = _uncertain_rate(it.sales.mean, it.sales.sd, uncertain)
            values = list(it.units_per_order or {1: 1.0})
            probs = [_num(it.units_per_order[v], 3) for v in values] if it.units_per_order else []
            if len(values) > 1:
                total = sum(probs)
                probs[-1] = _num(probs[-1] + (1 - total), 3)
                entry["units_per_order"] = _flow(
                    {"dist": "discrete", "values": _flow_seq(values), "probs": _flow_seq(probs)}
                )
        if len(entry) > 1:
            items.append(entry)
    return CommentedMap(inventory=CommentedMap(items=items))


def snippet_of(fit: JobsFit | InvoicesFit | StockFit, *, uncertain: bool = True) -> CommentedMap:
    """The scenario fields a fit determines, as a YAML-ready (commented) mapping."""
    if isinstance(fit, JobsFit):
        return _jobs(fit, uncertain)
    if isinstance(fit, InvoicesFit):
        return _invoices(fit, uncertain)
    return _stock(fit, uncertain)


def _yaml() -> YAML:
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    return y


def to_yaml(snippet: CommentedMap, header: str = "") -> str:
    """Render a snippet (with ``header`` as leading comment lines)."""
    if header:
        snippet.yaml_set_start_comment(header)
    buffer = io.StringIO()
    _yaml().dump(snippet, buffer)
    return buffer.getvalue()


def _merge_list(
    target: CommentedSeq, new: CommentedSeq, changes: list[str], where: str, create: bool
) -> None:
    """Update list entries matched by ``id``; append new ones when ``create``."""
    by_id = {str(e.get("id")): e for e in target if isinstance(e, dict)}
    for entry in new:
        key = str(entry["id"])
        old = by_id.get(key)
        if old is None:
            if create:
                target.append(entry)
                changes.append(f"{where}: added {key!r}")
            else:
                changes.append(f"{where}: {key!r} not in the scenario; left out (add it by hand)")
            continue
        for field, value in entry.items():
            if field in ("id", "segment"):
                continue
            old[field] = value
            changes.append(f"{where}.{key}.{field}")


def _merge(target: CommentedMap, new: CommentedMap, changes: list[str], where: str) -> None:
    for key, value in new.items():
        path = f"{where}.{key}" if where else str(key)
        if isinstance(value, CommentedSeq) and key in ("job_types", "items"):
            target.setdefault(key, CommentedSeq())
            _merge_list(target[key], value, changes, path, create=key == "job_types")
        elif isinstance(value, CommentedMap) and not value.fa.flow_style():
            if not isinstance(target.get(key), dict):
                target[key] = CommentedMap()
            _merge(target[key], value, changes, path)
        else:
            target[key] = value
            changes.append(path)


def update_scenario(path: str | os.PathLike[str], snippet: CommentedMap) -> list[str]:
    """Write the snippet's fields into a scenario file, keeping its comments; validated first.

    Returns the field paths changed. The file is replaced only if the result loads as a valid
    scenario (otherwise nothing is written and the validation problems are raised).
    """
    from autosim.scenario import load_scenario

    file = Path(path)
    if not file.is_file():
        raise RecordError(f"{file}: no such scenario file")
    yaml = _yaml()
    yaml.width = 4096  # never re-wrap the file's own lines (flow lists are re-emitted whole)
    yaml.preserve_quotes = True
    doc = yaml.load(file.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise RecordError(f"{file}: not a scenario (expected a mapping at the top)")
    changes: list[str] = []
    _merge(doc, snippet, changes, "")
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    mode = file.stat().st_mode & 0o777

    def write_checked(temp: Path) -> None:
        """The updated text at ``temp``, kept only if it loads as a valid scenario."""
        temp.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            load_scenario(temp)
        except ScenarioError as exc:  # nothing replaced; name the user's file, not the temp
            raise ScenarioError(f"{file} (after the update, not written)", exc.problems) from None
        os.chmod(temp, mode)  # an update keeps the file's own permissions

    write_atomic(file, write_checked)
    return changes
