"""Reading YAML syntax for scenario files: PyYAML's SafeLoader under our rules and limits.

This module owns the first step of loading a scenario — characters to a composed node graph —
and the rules that step follows: YAML 1.2-like implicit scalars (only ``true``/``false`` are
booleans; ``17:00``, ``no`` and ``2027-01-04`` stay text), a depth and size limit checked while
composing (so hostile input fails fast, before PyYAML's recursive composer can go deep), and
aliases kept at their use site (so ``*name`` points at its own line and reference loops can be
found). Turning the graph into plain data is :mod:`autosim.scenario.yamlsource_builder`; the
entry points are in :mod:`autosim.scenario.yamlsource`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import Node

__all__ = [
    "BOOL_FULL",
    "FLOAT_FULL",
    "INT_FULL",
    "MAX_DEPTH",
    "MAX_NODES",
    "NULL_FULL",
    "TAG_BOOL",
    "TAG_FLOAT",
    "TAG_INT",
    "TAG_MAP",
    "TAG_MERGE",
    "TAG_NULL",
    "TAG_SEQ",
    "TAG_STR",
    "Alias",
    "Fatal",
    "ScenarioLoader",
    "position",
    "too_deep",
    "too_many",
    "with_mark",
]

MAX_DEPTH: int = 40
"""Deepest nesting of mappings/lists accepted (the top-level mapping is level 1)."""

MAX_NODES: int = 200_000
"""Most values (keys, scalars, lists, mappings) built, counting every expansion of an alias."""

TAG_STR = "tag:yaml.org,2002:str"
TAG_INT = "tag:yaml.org,2002:int"
TAG_FLOAT = "tag:yaml.org,2002:float"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_NULL = "tag:yaml.org,2002:null"
TAG_MERGE = "tag:yaml.org,2002:merge"
TAG_SEQ = "tag:yaml.org,2002:seq"
TAG_MAP = "tag:yaml.org,2002:map"

_DIGITS = r"[0-9]+(?:_[0-9]+)*"
INT_FULL = re.compile(rf"(?:[-+]?{_DIGITS}|0x[0-9a-fA-F]+|0o[0-7]+)\Z")
FLOAT_FULL = re.compile(
    rf"(?:[-+]?(?:\.[0-9]+|{_DIGITS}(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
BOOL_FULL = re.compile(r"(?i:true|false)\Z")
NULL_FULL = re.compile(r"(?i:null)\Z|~\Z|\Z")


def _yaml12_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """A fresh implicit-resolver table: SafeLoader's merge key plus YAML 1.2 core scalars.

    Built as a new dict (never by mutating ``SafeLoader.yaml_implicit_resolvers``, which every
    other YAML user in the process shares). Dropped from YAML 1.1: sexagesimal numbers
    (``17:00``), ``yes/no/on/off`` booleans, timestamps, and the ``=`` value key.
    """
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, regexp) for tag, regexp in entries if tag == TAG_MERGE]
        if kept:
            table[first] = kept

    def add(tag: str, regexp: re.Pattern[str], first: str) -> None:
        for ch in first:
            table.setdefault(ch, []).append((tag, regexp))

    # Order matters within a first character: the first matching resolver wins, so ints
    # are tried before floats (``12`` is an int).
    add(TAG_BOOL, BOOL_FULL, "tTfF")
    add(TAG_INT, INT_FULL, "-+0123456789")
    add(TAG_FLOAT, FLOAT_FULL, "-+0123456789.")
    add(TAG_NULL, NULL_FULL, "~nN")
    table.setdefault("", []).append((TAG_NULL, NULL_FULL))
    return table


class Fatal(Exception):
    """Stops loading at once (limits exceeded); carries the finished problem text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Alias:
    """Stands in for an alias in the composed graph so its *use site* keeps its own mark.

    PyYAML's composer returns the anchored node itself, which would make every ``*name`` point
    at the anchor's line and hide reference loops.
    """

    __slots__ = ("anchor", "start_mark", "target")

    def __init__(self, target: Node, anchor: str, start_mark: Mark) -> None:
        self.target = target
        self.anchor = anchor
        self.start_mark = start_mark


def position(mark: Mark | None) -> str:
    """``"line 3, col 7"`` for a PyYAML mark (which counts from 0), ``""`` for none."""
    return "" if mark is None else f"line {mark.line + 1}, col {mark.column + 1}"


def with_mark(mark: Mark | None, message: str) -> str:
    """``message`` prefixed with its position, when there is one."""
    where = position(mark)
    return f"{where}: {message}" if where else message


def too_deep(mark: Mark | None) -> Fatal:
    """The problem of nesting beyond :data:`MAX_DEPTH`, blamed on ``mark``."""
    return Fatal(
        with_mark(
            mark,
            f"nesting deeper than {MAX_DEPTH} levels; a scenario never needs that many, "
            "so the file is probably broken or hostile",
        )
    )


def too_many(mark: Mark | None) -> Fatal:
    """The problem of building more than :data:`MAX_NODES` values, blamed on ``mark``."""
    return Fatal(
        with_mark(
            mark,
            f"the file expands to more than {MAX_NODES:,} values (counting every use of an "
            "alias '*name'); refusing to load it",
        )
    )


class ScenarioLoader(yaml.SafeLoader):
    """SafeLoader whose composer limits depth and size, and keeps alias use sites.

    Depth is checked *while composing*, before PyYAML's recursive composer can go deep, so
    ``[[[[...`` ten thousand levels deep fails after 41 levels instead of blowing the stack.
    """

    yaml_implicit_resolvers = _yaml12_resolvers()

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._composed = 0

    def compose_node(self, parent: Node | None, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.get_event()
            anchor = event.anchor
            if anchor not in self.anchors:
                raise ComposerError(
                    None, None, f"found undefined alias {anchor!r}", event.start_mark
                )
            return Alias(self.anchors[anchor], anchor, event.start_mark)
        event = self.peek_event()
        self._composed += 1
        if self._composed > MAX_NODES:
            raise too_many(event.start_mark)
        collection = isinstance(event, MappingStartEvent | SequenceStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise too_deep(event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1
