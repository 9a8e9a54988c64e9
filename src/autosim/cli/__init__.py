"""The command line: argument parsing and terminal tables only; the work is done below."""

from autosim.cli.main import main

__all__ = ["main"]
