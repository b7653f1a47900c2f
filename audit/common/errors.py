"""The one exception type users see: a message that says what is wrong, where, and how to fix it.

The CLI prints ``AuditInputError`` without a traceback and exits with status 2; anything else is a
bug and keeps its traceback.
"""
from __future__ import annotations


class AuditInputError(ValueError):
    """Bad input, bad configuration or a missing resource, described for a consultant."""


class StageFailed(RuntimeError):
    """A stage's notebook failed: names the stage, the notebook and the cell; the executed
    notebook (kept in the run folder) holds the full traceback."""
