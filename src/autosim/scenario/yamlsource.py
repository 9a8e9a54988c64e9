"""Safe, position-aware YAML loading for scenario files.

This module owns the step from "bytes or text an analyst wrote" to "plain Python data plus a map
of where every value came from". It is the only place in autosim that touches the YAML parser.

Why it exists instead of ``yaml.safe_load``:

* Validation errors must name a line and column, so every mapping entry and list item is
  recorded in a :class:`Locator` under its path (``("staff", 0, "name")``).
* Analysts write times and flags; PyYAML's YAML 1.1 rules turn ``17:00`` into the integer 1020,
  ``no`` into ``False`` and ``2027-01-04`` into a date. Scalars here follow YAML 1.2's core
  schema instead: only ``true``/``false`` are booleans, times and dates stay text.
* Mistakes that PyYAML silently accepts (duplicate keys) or reports cryptically (tabs, unclosed
  brackets) become one readable :class:`~autosim.errors.ScenarioError`.
* Hostile or broken input (alias bombs, absurd nesting, huge or binary files) is refused fast
  and with bounded memory.

Only ``yaml.SafeLoader`` machinery (reader, scanner, parser, composer) is used; Python objects
are built here from the node graph, so no YAML tag can ever instantiate anything.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark, MarkedYAMLError
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from autosim.errors import ScenarioError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Locator",
    "load_yaml_file",
    "load_yaml_text",
]

MAX_FILE_BYTES: int = 2_000_000
"""Largest scenario file accepted; real scenarios are a few kilobytes."""

MAX_DEPTH: int = 40
"""Deepest nesting of mappings/lists accepted (the top-level mapping is level 1)."""

MAX_NODES: int = 200_000
"""Most values (keys, scalars, lists, mappings) built, counting every expansion of an alias."""

Path = tuple[str | int, ...]

_EMPTY_MESSAGE = "the file is empty; a scenario is a YAML mapping such as `name: ...`"

_TAG_STR = "tag:yaml.org,2002:str"
_TAG_INT = "tag:yaml.org,2002:int"
_TAG_FLOAT = "tag:yaml.org,2002:float"
_TAG_BOOL = "tag:yaml.org,2002:bool"
_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_MERGE = "tag:yaml.org,2002:merge"
_TAG_SEQ = "tag:yaml.org,2002:seq"
_TAG_MAP = "tag:yaml.org,2002:map"


# --------------------------------------------------------------------------------------------
# Where values came from
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# The loader: SafeLoader with YAML 1.2-like scalars and guarded composition
# --------------------------------------------------------------------------------------------

_DIGITS = r"[0-9]+(?:_[0-9]+)*"
_INT_FULL = re.compile(rf"(?:[-+]?{_DIGITS}|0x[0-9a-fA-F]+|0o[0-7]+)\Z")
_FLOAT_FULL = re.compile(
    rf"(?:[-+]?(?:\.[0-9]+|{_DIGITS}(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
_BOOL_FULL = re.compile(r"(?i:true|false)\Z")
_NULL_FULL = re.compile(r"(?i:null)\Z|~\Z|\Z")


def _yaml12_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """A fresh implicit-resolver table: SafeLoader's merge key plus YAML 1.2 core scalars.

    Built as a new dict (never by mutating ``SafeLoader.yaml_implicit_resolvers``, which every
    other YAML user in the process shares). Dropped from YAML 1.1: sexagesimal numbers
    (``17:00``), ``yes/no/on/off`` booleans, timestamps, and the ``=`` value key.
    """
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, regexp) for tag, regexp in entries if tag == _TAG_MERGE]
        if kept:
            table[first] = kept

    def add(tag: str, regexp: re.Pattern[str], first: str) -> None:
        for ch in first:
            table.setdefault(ch, []).append((tag, regexp))

    # Order matters within a first character: the first matching resolver wins, so ints
    # are tried before floats (``12`` is an int).
    add(_TAG_BOOL, _BOOL_FULL, "tTfF")
    add(_TAG_INT, _INT_FULL, "-+0123456789")
    add(_TAG_FLOAT, _FLOAT_FULL, "-+0123456789.")
    add(_TAG_NULL, _NULL_FULL, "~nN")
    table.setdefault("", []).append((_TAG_NULL, _NULL_FULL))
    return table


class _Fatal(Exception):
    """Stops loading at once (limits exceeded); carries the finished problem text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Alias:
    """Stands in for an alias in the composed graph so its *use site* keeps its own mark.

    PyYAML's composer returns the anchored node itself, which would make every ``*name`` point
    at the anchor's line and hide reference loops.
    """

    __slots__ = ("anchor", "start_mark", "target")

    def __init__(self, target: Node, anchor: str, start_mark: Mark) -> None:
        self.target = target
        self.anchor = anchor
        self.start_mark = start_mark


def _at(mark: Mark | None) -> str:
    return "" if mark is None else f"line {mark.line + 1}, col {mark.column + 1}"


def _with_mark(mark: Mark | None, message: str) -> str:
    where = _at(mark)
    return f"{where}: {message}" if where else message


def _too_deep(mark: Mark | None) -> _Fatal:
    return _Fatal(
        _with_mark(
            mark,
            f"nesting deeper than {MAX_DEPTH} levels; a scenario never needs that many, "
            "so the file is probably broken or hostile",
        )
    )


def _too_many(mark: Mark | None) -> _Fatal:
    return _Fatal(
        _with_mark(
            mark,
            f"the file expands to more than {MAX_NODES:,} values (counting every use of an "
            "alias '*name'); refusing to load it",
        )
    )


class _ScenarioLoader(yaml.SafeLoader):
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
            return _Alias(self.anchors[anchor], anchor, event.start_mark)
        event = self.peek_event()
        self._composed += 1
        if self._composed > MAX_NODES:
            raise _too_many(event.start_mark)
        collection = isinstance(event, MappingStartEvent | SequenceStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _too_deep(event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1


# --------------------------------------------------------------------------------------------
# Building plain Python data from nodes
# --------------------------------------------------------------------------------------------


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


def _describe(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"{value!r}"


class _Builder:
    """Turns the composed node graph into dicts/lists/scalars and records marks.

    Problems that leave the rest of the file readable (duplicate keys, non-text keys, merge
    keys, unsupported tags) are collected so the analyst sees all of them at once; limits stop
    immediately via :class:`_Fatal`.
    """

    def __init__(self) -> None:
        self.marks: dict[Path, tuple[int, int]] = {}
        self.problems: dict[str, None] = {}  # ordered set: aliases may repeat a problem
        self._count = 0
        self._active: set[int] = set()
        # Use site of the outermost alias being expanded: the place to blame in an alias bomb.
        self._alias_mark: Mark | None = None

    def problem(self, mark: Mark | None, message: str) -> None:
        self.problems[_with_mark(mark, message)] = None

    def record(self, path: Path, mark: Mark) -> None:
        self.marks[path] = (mark.line + 1, mark.column + 1)

    def build(self, item: Node | _Alias, path: Path, depth: int) -> Any:
        if isinstance(item, _Alias):
            if id(item.target) in self._active:
                raise _Fatal(
                    _with_mark(
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
            raise _too_deep(self._alias_mark or mark)
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
            raise _too_many(self._alias_mark or mark)

    def scalar(self, node: ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag == _TAG_STR:
            return text
        checks: dict[str, tuple[re.Pattern[str], Any, str]] = {
            _TAG_NULL: (_NULL_FULL, lambda _t: None, "null"),
            _TAG_BOOL: (_BOOL_FULL, lambda t: t.lower() == "true", "boolean (true/false)"),
            _TAG_INT: (_INT_FULL, _to_int, "whole number"),
            _TAG_FLOAT: (_FLOAT_FULL, _to_float, "number"),
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
        if node.tag != _TAG_SEQ:
            self.problem(node.start_mark, f"the tag {_short_tag(node.tag)} is not supported")
        items: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            self.record(child_path, child.start_mark)
            items.append(self.build(child, child_path, depth + 1))
        return items

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        if node.tag != _TAG_MAP:
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

    def key(self, item: Node | _Alias) -> str | None:
        """The key as text, or ``None`` after recording why it cannot be used."""
        mark = item.start_mark
        node = item.target if isinstance(item, _Alias) else item
        self.count(mark)
        if not isinstance(node, ScalarNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
            self.problem(mark, f"a key must be text, but this key is {kind}")
            return None
        if node.tag == _TAG_MERGE:
            self.problem(
                mark,
                "merge keys ('<<') are not supported; write the shared fields out in full "
                "in each place they are needed",
            )
            return None
        if node.tag == _TAG_STR:
            return node.value
        if node.tag not in (_TAG_NULL, _TAG_BOOL, _TAG_INT, _TAG_FLOAT):
            self.problem(mark, f"the tag {_short_tag(node.tag)} is not supported on a key")
            return None
        before = len(self.problems)
        value = self.scalar(node)
        if len(self.problems) == before:
            self.problem(
                mark,
                f"a key must be text, but this key is {_describe(value)}; "
                f'put it in quotes ("{node.value}": ...) if text is meant',
            )
        return None


# --------------------------------------------------------------------------------------------
# Turning PyYAML's errors into plain words
# --------------------------------------------------------------------------------------------

_TOKEN_WORDS = {
    "'<block end>'": "the end of the indented block",
    "<block end>": "the end of the indented block",
    "'<block mapping start>'": "a more deeply indented mapping",
    "'<block sequence start>'": "a more deeply indented list",
    "'<stream end>'": "the end of the file",
    "'<document start>'": "'---'",
    "'<document end>'": "'...'",
    "'<block entry>'": "'- '",
}

_CONTEXT_WORDS = {
    "while parsing a flow sequence": "in the [...] list opened at {at}; is a ']' missing?",
    "while parsing a flow mapping": "in the {{...}} mapping opened at {at}; is a '}}' missing?",
    "while scanning a quoted scalar": "in the quoted text that starts at {at}; "
    "is a closing quote missing?",
    "while parsing a block mapping": "in the mapping that starts at {at}; check the indentation",
    "while parsing a block collection": "in the list that starts at {at}; check the indentation",
}


def _syntax_problem(error: MarkedYAMLError, text: str) -> str:
    """One friendly line for a scanner/parser/composer error, keeping PyYAML's position."""
    problem = error.problem or "invalid YAML"
    mark = error.problem_mark
    context = error.context
    context_mark = error.context_mark

    if "'\\t'" in problem and mark is not None:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        if line[: mark.column].strip(" \t") == "":
            message = (
                "found a tab character where indentation is expected (YAML indents with spaces)"
            )
        else:
            message = "found a tab character; YAML separates values with spaces, not tabs"
        return _with_mark(mark, message)

    if problem == "second occurrence" and context and context.startswith("found duplicate anchor"):
        name = context.split("'")[1] if "'" in context else "?"
        first = context_mark.line + 1 if context_mark else "?"
        return _with_mark(mark, f"duplicate anchor '&{name}' (first defined at line {first})")

    if context == "expected a single document in the stream":
        return _with_mark(
            mark,
            "a second YAML document starts here; a scenario file holds exactly one "
            "(remove the '---' line or split the file)",
        )
    if problem.startswith("found undefined alias"):
        return _with_mark(
            mark,
            f"{problem.replace('found undefined', 'unknown')}; an alias '*name' must refer to "
            "an anchor '&name' defined earlier in the file",
        )
    if problem == "mapping values are not allowed here":
        problem = (
            "a ': ' is not allowed here; put quotes around a value that contains ': ', "
            "or check the indentation"
        )
    problem = problem.replace("end of stream", "end of the file")
    for token, words in _TOKEN_WORDS.items():
        problem = problem.replace(token, words)

    if context:
        at = _at(context_mark) or "an earlier line"
        template = _CONTEXT_WORDS.get(context)
        if template is not None:
            problem = f"{problem} ({template.format(at=at)})"
        elif context_mark is not None:
            problem = f"{problem} ({context} at {at})"
        else:
            problem = f"{problem} ({context})"
    return _with_mark(mark, problem)


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def _error(source: str, *problems: str) -> ScenarioError:
    return ScenarioError(source, list(problems))


def _size_problem(size: int) -> str:
    return (
        f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes "
        "(a scenario is normally a few kilobytes)"
    )


def _reader_problem(error: ReaderError, text: str) -> str:
    """Position of a control character PyYAML refuses, as line/col instead of an offset."""
    position = max(0, int(error.position))
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    char = error.character
    code = ord(char) if isinstance(char, str) else int(char)
    return (
        f"line {line}, col {col}: the character U+{code:04X} is not allowed in a YAML file "
        "(is this really a text file?)"
    )


def _compose(text: str, source: str) -> Node | None:
    """Run SafeLoader's reader, scanner, parser and (guarded) composer over ``text``."""
    loader: _ScenarioLoader | None = None
    try:
        loader = _ScenarioLoader(text)
        return loader.get_single_node()
    except _Fatal as fatal:
        raise _error(source, fatal.message) from None
    except RecursionError:
        raise _error(source, f"nesting deeper than {MAX_DEPTH} levels") from None
    except ReaderError as error:
        raise _error(source, _reader_problem(error, text)) from None
    except MarkedYAMLError as error:
        raise _error(source, _syntax_problem(error, text)) from None
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML raises the kinds above
        raise _error(source, f"not valid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _top_level_problem(root: Node) -> str | None:
    """Why the document root is not a usable scenario mapping, or ``None`` if it is."""
    if isinstance(root, MappingNode):
        return None
    if isinstance(root, ScalarNode) and root.tag == _TAG_NULL and root.value in ("", "~"):
        return _EMPTY_MESSAGE
    if isinstance(root, SequenceNode):
        found = "a list"
    else:
        assert isinstance(root, ScalarNode)
        found = f"a single value ({_describe(_Builder().scalar(root))})"
    return _with_mark(
        root.start_mark,
        f"the top level of the file is {found}, but a scenario must be a YAML mapping "
        "such as `name: ...`",
    )


def load_yaml_text(text: str, *, source: str = "<string>") -> tuple[dict[str, Any], Locator]:
    """Parse scenario YAML text into plain data and a :class:`Locator`.

    Raises :class:`ScenarioError` (naming ``source``) for every problem a user can cause:
    syntax errors, duplicate keys, non-text keys, merge keys, a top level that is not a
    mapping, or input over the size/depth/node limits.
    """
    if len(text) > MAX_FILE_BYTES:
        raise _error(source, _size_problem(len(text.encode("utf-8", "surrogatepass"))))
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise _error(source, _size_problem(size))
    nul = text.find("\x00")
    if nul >= 0:
        raise _error(source, f"not a text file (it contains NUL bytes, first at offset {nul})")
    text = text.removeprefix("\ufeff")

    root = _compose(text, source)
    if root is None:
        raise _error(source, _EMPTY_MESSAGE)
    problem = _top_level_problem(root)
    if problem is not None:
        raise _error(source, problem)

    builder = _Builder()
    builder.record((), root.start_mark)
    try:
        data = builder.build(root, (), 1)
    except _Fatal as fatal:
        raise _error(source, fatal.message) from None
    except RecursionError:  # pragma: no cover - depth is limited long before this
        raise _error(source, f"nesting deeper than {MAX_DEPTH} levels") from None
    if builder.problems:
        raise _error(source, *builder.problems)
    return data, Locator(builder.marks)


def _read_file(path: str | os.PathLike[str], source: str) -> bytes:
    """Read at most ``MAX_FILE_BYTES + 1`` bytes, turning OS errors into plain messages.

    ``stat`` comes first so a directory or a FIFO is refused instead of read (or blocked on),
    and an oversized file is refused before any of it is read. (Our own errors are raised
    outside the ``try``: ScenarioError is a ValueError, which the ``try`` also catches.)
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _error(source, "file not found") from None
    except ValueError:  # e.g. a NUL character inside the path itself
        raise _error(source, "this is not a valid file name") from None
    except OSError as error:
        raise _error(source, f"cannot read the file: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _error(source, "this is a directory, not a scenario file")
    if not stat.S_ISREG(info.st_mode):
        raise _error(source, "this is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise _error(source, _size_problem(info.st_size))
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:  # pragma: no cover - removed between stat and open
        raise _error(source, "file not found") from None
    except PermissionError:
        raise _error(source, "permission denied; cannot read the file") from None
    except OSError as error:
        raise _error(source, f"cannot read the file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _error(source, _size_problem(len(data)))
    return data


def load_yaml_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Locator]:
    """Read a scenario file (UTF-8, optional BOM) and parse it like :func:`load_yaml_text`.

    Every failure, including a missing or unreadable file, is a :class:`ScenarioError` whose
    source is ``path`` as given.
    """
    source = os.fspath(path)
    data = _read_file(path, source)

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(source, "the file is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _error(source, f"not a text file (it contains NUL bytes, first at offset {nul})")
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as error:
        position = offset + error.start
        line = data.count(b"\n", 0, position) + 1
        raise _error(
            source,
            f"not UTF-8 text: invalid byte 0x{data[position]:02x} at offset {position} "
            f"(line {line}); save the file as UTF-8",
        ) from None
    return load_yaml_text(text, source=source)
