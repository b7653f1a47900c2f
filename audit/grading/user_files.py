"""The grading's user-edited YAML files (rubric, questionnaire): where the shipped ones live, and
how a file's problems are reported.

Why all problems in one message: a consultant tuning a rubric should fix every typo in one pass,
each named by where it sits (dimension, criterion, field), not meet them one run at a time.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from audit.common.errors import AuditInputError

RUBRIC_DIR = Path(__file__).resolve().parent / "rubrics"


def _where(loc: tuple) -> str:
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] in ("dimensions", "items"):
        kind = "dimension" if parts[0] == "dimensions" else "item"
        where, rest = f"{kind} {parts[1]!r}", parts[2:]
        if kind == "dimension" and len(rest) >= 2 and rest[0] == "criteria":
            where, rest = f"{where}, criterion {rest[1]!r}", rest[2:]
    else:
        where, rest = "top level", parts
    return f"{where} (field {'.'.join(rest)})" if rest else where


def invalid_file_error(kind: str, where: object, exc: ValidationError, hint: str) -> AuditInputError:
    """Every validation problem of a file in one message, then how to fix it."""
    problems = [f"{_where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
    return AuditInputError(f"{kind} {where} has {len(problems)} problem(s):\n"
                           + "\n".join(f"  - {p}" for p in problems) + "\n" + hint)
