"""Loading a scenario file: YAML text to a validated :class:`Scenario`, or one clear message.

The analyst's file is the product's front door. Every problem found is reported together, each
with the line and column, the field path and what is allowed, plus a "did you mean" for misspelt
keys, so a broken file is fixed in one pass rather than one error per run.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from autosim.errors import ScenarioError
from autosim.scenario.schema import Scenario, cross_problems
from autosim.scenario.schema_base import Loc
from autosim.scenario.yamlsource import load_yaml_file, load_yaml_text
from autosim.scenario.yamlsource_builder import Locator

__all__ = ["load_scenario", "scenario_from_dict", "scenario_from_text"]


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, parse and validate a scenario file.

    Raises
    ------
    ScenarioError
        With every problem found, each naming line, field path and what is allowed.
    """
    data, locator = load_yaml_file(path)
    base_dir = Path(path).resolve().parent
    return _validate(data, locator, str(path), base_dir)


def scenario_from_dict(
    data: dict[str, Any], *, source: str = "<dict>", base_dir: Path | None = None
) -> Scenario:
    """Validate a scenario given as a Python mapping (notebooks, tests)."""
    return _validate(data, Locator({}), source, base_dir or Path.cwd())


def scenario_from_text(text: str, *, source: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text."""
    data, locator = load_yaml_text(text, source=source)
    return _validate(data, locator, source, Path.cwd())


def _validate(data: dict[str, Any], locator: Locator, source: str, base_dir: Path) -> Scenario:
    context = {"defer_cross_checks": True, "base_dir": base_dir}
    try:
        scenario = Scenario.model_validate(data, context=context)
    except ValidationError as exc:
        problems = [_describe(err, locator, data) for err in exc.errors(include_url=False)]
        raise ScenarioError(source, _dedupe(problems)) from None
    cross = cross_problems(scenario)
    if cross:
        raise ScenarioError(source, [_format(loc, msg, locator) for loc, msg in cross])
    return scenario


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _format(loc: Loc, message: str, locator: Locator) -> str:
    where = locator.where(loc)
    return f"{where + ': ' if where else ''}{_dotted(loc)}: {message}"


def _describe(err: dict[str, Any], locator: Locator, data: Any = None) -> str:
    """One problem in plain words: where, which field, what is wrong, what is allowed."""
    loc: Loc = tuple(p for p in err["loc"] if not _is_internal(p))
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        maybe = f"did you mean {hint[0]!r}? " if hint else ""
        msg = f"unknown key {loc[-1]!r}; {maybe}allowed here: {', '.join(allowed)}"
    elif kind == "missing":
        msg = f"missing required field {loc[-1]!r} (add `{loc[-1]}: ...`)"
    elif kind in ("model_type", "dict_type") and not isinstance(err.get("input"), dict):
        msg = f"expected a mapping of fields here, got {_short(err.get('input'))}"
    elif (
        "input" in err
        and "(got" not in msg
        and not isinstance(err["input"], dict | list)
        and repr(err["input"]) not in msg  # the message already quotes the value
    ):
        msg = f"{msg} (got {_short(err['input'])})"
    return _format(_as_written(loc, data), msg, locator)


def _as_written(loc: Loc, data: Any) -> Loc:
    """A location as the user wrote it: a goal written with ``kpi:``/``target:`` at its top
    level is ``goals[i].kpi``, not the internal ``goals[i].all[0]``."""
    for i in range(1, len(loc) - 1):
        if loc[i] != "all" or loc[i + 1] != 0:
            continue
        node = data
        for part in loc[:i]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return loc
        if isinstance(node, dict) and "all" not in node and "kpi" in node:
            return (*loc[:i], *(loc[i + 2 :] or ("kpi",)))
    return loc


def _is_internal(part: str | int) -> bool:
    """Pydantic adds union-branch names (``function-before[...]``) to locations; drop them."""
    return isinstance(part, str) and ("[" in part or part in ("float", "Uncertain"))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(loc: Loc) -> list[str]:
    """Field names of the model found at ``loc`` (walking the schema, skipping list indices)."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        nested = _model_in(field.annotation)
        if nested is None:
            return []
        model = nested
    return sorted(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
