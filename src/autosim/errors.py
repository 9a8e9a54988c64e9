"""Exceptions raised by autosim.

Everything a user can cause (a wrong scenario file, a bad command-line value) raises a subclass of
:class:`AutosimError`; the CLI turns those into one readable message and exit code 2. Anything
else is a bug in autosim and keeps its traceback.
"""

from __future__ import annotations


class AutosimError(Exception):
    """Root of every error a user can cause and fix."""


class ScenarioError(AutosimError, ValueError):
    """A scenario file (or scenario dict) is not valid.

    ``problems`` lists every problem found, each already formatted as
    ``"line L, col C: field.path: message"`` (line omitted when unknown), so a user fixes them
    all in one go instead of one per run.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = f"{source}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            text = f"{source}: {len(self.problems)} problems:\n{lines}"
        super().__init__(text)


class RunError(AutosimError, RuntimeError):
    """A run cannot start or continue for a reason the user can fix (output folder, sizes...)."""
