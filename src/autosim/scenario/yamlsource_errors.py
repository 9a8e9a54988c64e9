"""Turning PyYAML's error reports into plain words for the analyst.

PyYAML reports syntax errors in parser terms (``expected <block end>, but found '<scalar>'``,
``while parsing a flow sequence``) and refused characters as offsets. This module owns the
translation into one readable line each — what is wrong, where (line and column), and the likely
fix (a missing ``]``, a tab used for indentation, an anchor defined twice) — keeping PyYAML's
position. The loading steps themselves are :mod:`autosim.scenario.yamlsource_loader` and
:mod:`autosim.scenario.yamlsource_builder`.
"""

from __future__ import annotations

from yaml.error import MarkedYAMLError
from yaml.reader import ReaderError

from autosim.scenario.yamlsource_loader import position, with_mark

__all__ = ["reader_problem", "syntax_problem"]

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


def syntax_problem(error: MarkedYAMLError, text: str) -> str:
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
        return with_mark(mark, message)

    if problem == "second occurrence" and context and context.startswith("found duplicate anchor"):
        name = context.split("'")[1] if "'" in context else "?"
        first = context_mark.line + 1 if context_mark else "?"
        return with_mark(mark, f"duplicate anchor '&{name}' (first defined at line {first})")

    if context == "expected a single document in the stream":
        return with_mark(
            mark,
            "a second YAML document starts here; a scenario file holds exactly one "
            "(remove the '---' line or split the file)",
        )
    if problem.startswith("found undefined alias"):
        return with_mark(
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
        at = position(context_mark) or "an earlier line"
        template = _CONTEXT_WORDS.get(context)
        if template is not None:
            problem = f"{problem} ({template.format(at=at)})"
        elif context_mark is not None:
            problem = f"{problem} ({context} at {at})"
        else:
            problem = f"{problem} ({context})"
    return with_mark(mark, problem)


def reader_problem(error: ReaderError, text: str) -> str:
    """Position of a control character PyYAML refuses, as line/col instead of an offset."""
    offset = max(0, int(error.position))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    char = error.character
    code = ord(char) if isinstance(char, str) else int(char)
    return (
        f"line {line}, col {col}: the character U+{code:04X} is not allowed in a YAML file "
        "(is this really a text file?)"
    )
