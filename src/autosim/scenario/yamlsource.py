"""Safe, position-aware YAML loading for scenario files: the entry points.

This module owns the step from "bytes or text an analyst wrote" to "plain Python data plus a map
of where every value came from", driving the steps that touch the YAML parser (the only ones in
autosim that do): :mod:`~autosim.scenario.yamlsource_loader` (syntax to nodes, YAML 1.2-like
scalars, depth and size limits), :mod:`~autosim.scenario.yamlsource_builder` (nodes to data and
a :class:`~autosim.scenario.yamlsource_builder.Locator`) and
:mod:`~autosim.scenario.yamlsource_errors` (PyYAML's errors in plain words). What stays here is
the guarding of the input itself: files that are missing, unreadable, too big, binary, UTF-16 or
not UTF-8, and a top level that is not a mapping.

Why this exists instead of ``yaml.safe_load``:

* Validation errors must name a line and column, so every mapping entry and list item is
  recorded in a locator under its path (``("staff", 0, "name")``).
* Analysts write times and flags; PyYAML's YAML 1.1 rules turn ``17:00`` into the integer 1020,
  ``no`` into ``False`` and ``2027-01-04`` into a date. Scalars here follow YAML 1.2's core
  schema instead: only ``true``/``false`` are booleans, times and dates stay text.
* Mistakes that PyYAML silently accepts (duplicate keys) or reports cryptically (tabs, unclosed
  brackets) become one readable :class:`~autosim.errors.ScenarioError`.
* Hostile or broken input (alias bombs, absurd nesting, huge or binary files) is refused fast
  and with bounded memory.
"""

from __future__ import annotations

import os
import stat
from typing import Any

import yaml
from yaml.error import MarkedYAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from autosim.errors import ScenarioError
from autosim.scenario.yamlsource_builder import Builder, Locator, describe
from autosim.scenario.yamlsource_errors import reader_problem, syntax_problem
from autosim.scenario.yamlsource_loader import (
    MAX_DEPTH,
    TAG_NULL,
    Fatal,
    ScenarioLoader,
    with_mark,
)

__all__ = ["MAX_FILE_BYTES", "load_yaml_file", "load_yaml_text"]

MAX_FILE_BYTES: int = 2_000_000
"""Largest scenario file accepted; real scenarios are a few kilobytes."""

_EMPTY_MESSAGE = "the file is empty; a scenario is a YAML mapping such as `name: ...`"


def _error(source: str, *problems: str) -> ScenarioError:
    return ScenarioError(source, list(problems))


def _size_problem(size: int) -> str:
    return (
        f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes "
        "(a scenario is normally a few kilobytes)"
    )


def _compose(text: str, source: str) -> Node | None:
    """Run SafeLoader's reader, scanner, parser and (guarded) composer over ``text``."""
    loader: ScenarioLoader | None = None
    try:
        loader = ScenarioLoader(text)
        return loader.get_single_node()
    except Fatal as fatal:
        raise _error(source, fatal.message) from None
    except RecursionError:
        raise _error(source, f"nesting deeper than {MAX_DEPTH} levels") from None
    except ReaderError as error:
        raise _error(source, reader_problem(error, text)) from None
    except MarkedYAMLError as error:
        raise _error(source, syntax_problem(error, text)) from None
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML raises the kinds above
        raise _error(source, f"not valid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _top_level_problem(root: Node) -> str | None:
    """Why the document root is not a usable scenario mapping, or ``None`` if it is."""
    if isinstance(root, MappingNode):
        return None
    if isinstance(root, ScalarNode) and root.tag == TAG_NULL and root.value in ("", "~"):
        return _EMPTY_MESSAGE
    if isinstance(root, SequenceNode):
        found = "a list"
    else:
        assert isinstance(root, ScalarNode)
        found = f"a single value ({describe(Builder().scalar(root))})"
    return with_mark(
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

    builder = Builder()
    builder.record((), root.start_mark)
    try:
        data = builder.build(root, (), 1)
    except Fatal as fatal:
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
