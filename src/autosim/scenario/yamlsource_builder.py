"""Building plain Python data from a composed YAML graph, and remembering where it came from.

This module owns the second step of loading a scenario: nodes to dicts, lists and scalars, with
a :class:`Locator` recording the line and column of every mapping entry and list item so that
validation errors can point at the file. Python objects are built here from the node graph, so
no YAML tag can ever instantiate anything. Problems that leave the rest of the file readable
(duplicate keys, non-text keys, merge keys, unsupported tags, malformed scalars) are collected so
the analyst sees all of them at once; exceeded limits stop at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from autosim.scenario.yamlsource_loader import (
    BOOL_FULL,
    FLOAT_FULL,
    INT_FULL,
    MAX_DEPTH,
    MAX_NODES,
    NULL_FULL,
    TAG_BOOL,
    TAG_FLOAT,
    TAG_INT,
    TAG_MAP,
    TAG_MERGE,
    TAG_NULL,
    TAG_SEQ,
    TAG_STR,
    Alias,
    Fatal,
    too_deep,
    too_many,
    with_mark,
)

__all__ = ["Builder", "Locator", "Path", "describe"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Locator:
    """Maps a value's path in the loaded data to its 1-based ``(line, col)`` in the source.

    Mapping entries are recorded at their key, list items at the item, and the whole document
    at ``()``. An empty locator (for scenarios built in code) simply knows nothing.
    """

    marks: Mapping[Path, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """Mark of the longest known prefix of ``path``.

        Falling back to the parent means an error about a *missing* field still points at the
        mapping where it should have been written.
        """
        key = tuple(path)
        for end in range(len(key), -1, -1):
            mark = self.marks.get(key[:end])
            if mark is not None:
                return mark
        return None

    def where(self, path: Sequence[str | int]) -> str:
        """``"line 12, col 5"`` for ``path`` (or its nearest known parent), ``""`` if unknown."""
        mark = self.find(path)
        if mark is None:
            return ""
        return f"line {mark[0]}, col {mark[1]}"


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _to_int(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body.startswith("0x"):
        return sign * int(body[2:], 16)
    if body.startswith("0o"):
        return sign * int(body[2:], 8)
    return sign * int(body, 10)  # base 10 on purpose: ``010`` is ten, not octal eight


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def describe(value: Any) -> str:
    """A scalar value in words, for messages (``the number 12``, ``empty (null)``)."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"{value!r}"


class Builder:
    """Turns the composed node graph into dicts/lists/scalars and records marks.

    Problems that leave the rest of the file readable (duplicate keys, non-text keys, merge
    keys, unsupported tags) are collected so the analyst sees all of them at once; limits stop
    immediately via :class:`Fatal`.
    """

    def __init__(self) -> None:
        self.marks: dict[Path, tuple[int, int]] = {}
        self.problems: dict[str, None] = {}  # ordered set: aliases may repeat a problem
        self._count = 0
        self._active: set[int] = set()
        # Use site of the outermost alias being expanded: the place to blame in an alias bomb.
        self._alias_mark: Mark | None = None

    def problem(self, mark: Mark | None, message: str) -> None:
        self.problems[with_mark(mark, message)] = None

    def record(self, path: Path, mark: Mark) -> None:
        self.marks[path] = (mark.line + 1, mark.column + 1)

    def build(self, item: Node | Alias, path: Path, depth: int) -> Any:
        if isinstance(item, Alias):
            if id(item.target) in self._active:
                raise Fatal(
                    with_mark(
                        item.start_mark,
                        f"the alias '*{item.anchor}' is used inside its own anchor, "
                        "which would make an endless structure",
                    )
                )
            node: Node = item.target
            outermost = self._alias_mark is None
            if outermost:
                self._alias_mark = item.start_mark
        else:
            node = item
            outermost = False
        try:
            return self._build_node(node, item.start_mark, path, depth)
        finally:
            if outermost:
                self._alias_mark = None

    def _build_node(self, node: Node, mark: Mark, path: Path, depth: int) -> Any:
        self.count(mark)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if depth > MAX_DEPTH:
            raise too_deep(self._alias_mark or mark)
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, path, depth)
            assert isinstance(node, MappingNode)
            return self.mapping(node, path, depth)
        finally:
            self._active.discard(id(node))

    def count(self, mark: Mark) -> None:
        """Count one more value; aliases re-count their whole target, which stops bombs."""
        self._count += 1
        if self._count > MAX_NODES:
            raise too_many(self._alias_mark or mark)

    def scalar(self, node: ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag == TAG_STR:
            return text
        checks: dict[str, tuple[re.Pattern[str], Any, str]] = {
            TAG_NULL: (NULL_FULL, lambda _t: None, "null"),
            TAG_BOOL: (BOOL_FULL, lambda t: t.lower() == "true", "boolean (true/false)"),
            TAG_INT: (INT_FULL, _to_int, "whole number"),
            TAG_FLOAT: (FLOAT_FULL, _to_float, "number"),
        }
        if tag not in checks:
            self.problem(
                node.start_mark,
                f"the tag {_short_tag(tag)} is not supported; write plain values "
                "(text, numbers, true/false) without tags",
            )
            return None
        pattern, convert, kind = checks[tag]
        if not pattern.match(text):
            self.problem(node.start_mark, f"{text!r} is not a valid {kind}")
            return None
        try:
            return convert(text)
        except ValueError:
            # Python refuses int() of more than 4300 digits; nobody means such a number.
            self.problem(node.start_mark, f"the number {text[:20]}... is too long")
            return None

    def sequence(self, node: SequenceNode, path: Path, depth: int) -> list[Any]:
        if node.tag != TAG_SEQ:
            self.problem(node.start_mark, f"the tag {_short_tag(node.tag)} is not supported")
        items: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            self.record(child_path, child.start_mark)
            items.append(self.build(child, child_path, depth + 1))
        return items

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        if node.tag != TAG_MAP:
            self.problem(node.start_mark, f"the tag {_short_tag(node.tag)} is not supported")
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        for key_item, value_item in node.value:
            key = self.key(key_item)
            if key is None:
                continue
            child_path = (*path, key)
            if key in first_seen:
                first = first_seen[key]
                self.problem(
                    key_item.start_mark,
                    f"duplicate key {key!r} (first defined at line {first.line + 1})",
                )
                # Still walk the value so problems inside it are reported too.
                self.build(value_item, child_path, depth + 1)
                continue
            first_seen[key] = key_item.start_mark
            self.record(child_path, key_item.start_mark)
            result[key] = self.build(value_item, child_path, depth + 1)
        return result

    def key(self, item: Node | Alias) -> str | None:
        """The key as text, or ``None`` after recording why it cannot be used."""
        mark = item.start_mark
        node = item.target if isinstance(item, Alias) else item
        self.count(mark)
        if not isinstance(node, ScalarNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.problem(mark, f"a key must be text, but this key is {kind}")
            return None
        if node.tag == TAG_MERGE:
            self.problem(
                mark,
                "merge keys ('<<') are not supported; write the shared fields out in full "
                "in each place they are needed",
            )
            return None
        if node.tag == TAG_STR:
            return node.value
        if node.tag not in (TAG_NULL, TAG_BOOL, TAG_INT, TAG_FLOAT):
            self.problem(mark, f"the tag {_short_tag(node.tag)} is not supported on a key")
            return None
        before = len(self.problems)
        value = self.scalar(node)
        if len(self.problems) == before:
            self.problem(
                mark,
                f"a key must be text, but this key is {describe(value)}; "
                f'put it in quotes ("{node.value}": ...) if text is meant',
            )
        return None
