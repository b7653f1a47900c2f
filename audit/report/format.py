"""How a figure reads: shares, durations, counts and intervals as a manager reads them.

Why below both the playbook model and the renderer (as ydata-profiling keeps its formatters below
its report structure and its HTML flavour): the section builders write sentences with these, the
templates print table cells with them, the workbook and the notebooks show the same values; one
rounding and one unit for each kind of figure, wherever it appears.
"""
from __future__ import annotations

import math
from typing import Any

DASH = "–"  # what a missing figure prints as


def percent(value: float | None, digits: int = 0) -> str:
    """0.4231 -> '42%'; tiny non-zero shares print as '<1%' rather than a misleading 0%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if 0 < abs(value) < 0.5 / 10 ** (digits + 2):
        return f"<{1 / 10 ** digits:g}%"
    return f"{value * 100:.{digits}f}%"


def duration(seconds: float | None) -> str:
    """Seconds in the unit a manager thinks in: '45 s', '12 min', '3.5 h', '2.1 days'."""
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return DASH
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        hours = seconds / 3600
        return f"{_trim(hours)} h" if hours < 10 else f"{hours:.0f} h"
    return f"{_trim(seconds / 86400)} days"


def _trim(x: float) -> str:
    """One decimal, without a trailing '.0' ('4 h', '2.5 h')."""
    return f"{x:.1f}".removesuffix(".0")


def minutes(value: float | None) -> str:
    """A figure kept in minutes (targets, handle time), printed like ``duration``."""
    return DASH if value is None else duration(value * 60)


def number(value: float | None, digits: int = 0) -> str:
    """Thousands separators; integers stay integers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def figure(value: Any, kind: str | None, digits: int = 0) -> str:
    """Format a value by the ``fmt`` the playbook model recorded next to it; ``digits`` are the
    decimals of a share (the model decides them once per figure: ``playbook.figures``)."""
    if kind == "percent":
        return percent(value, digits or 0)
    formatters = {"duration": duration, "minutes": minutes,
                  "number": number, "decimal": lambda v: number(v, 1),
                  "score": lambda v: number(v, 2)}
    if kind in formatters:
        return formatters[kind](value)
    return DASH if value is None else str(value)


def interval(bounds: Any, kind: str | None) -> str:
    """A 95% interval as text in the figure's unit: '52%–71%', '12 min–2.5 h', 'at least 3 h'."""
    if not bounds or bounds[0] is None and bounds[1] is None:
        return ""
    low, high = bounds
    if high is None:
        return "too few to bound" if not low else f"at least {figure(low, kind)}"
    return f"{figure(low, kind)}–{figure(high, kind)}"
