"""Reading one figure out of a finished run's ``audit.json``: its value, the counts behind it and
its 95% interval, for the overall client or one brand handle.

Why one place: the workbook and the progress report (``audit.report.progress``) both print "value
(low-high)"; where the interval lives in ``audit.json`` (``metrics.intervals``, added by the
interval estimation) must be known once, and a run made before intervals existed must read as
"no interval", never fail. Shape (``audit.metrics.intervals``): ``intervals.overall.<metric> = [low,
high]``, ``intervals.by_brand.<handle>.<metric>``, sample sizes in ``interval_n`` alike.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One metric of one scope: value, counts (shares only), sample size and 95% interval (when
    estimated; ``high`` is infinite when the sample cannot bound it, e.g. a 90th percentile of a
    handful of times)."""

    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    low: float | None = None
    high: float | None = None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


def _pair(raw: object) -> tuple[float | None, float | None]:
    """``[low, high]`` -> a tuple; ``[low, null]`` -> (low, inf); anything else -> no interval."""
    if isinstance(raw, (list, tuple)) and len(raw) == 2 and isinstance(raw[0], (int, float)):
        return float(raw[0]), float(raw[1]) if isinstance(raw[1], (int, float)) else math.inf
    return None, None


def _at(tree: Mapping | None, handle: str | None, metric: str) -> object:
    """``tree.overall.<metric>`` or ``tree.by_brand.<handle>.<metric>`` (missing -> None)."""
    scope = (tree or {}).get("overall") if handle is None else ((tree or {}).get("by_brand") or {}).get(handle)
    return (scope or {}).get(metric)


def figure(metrics: Mapping, metric: str, handle: str | None = None) -> Figure:
    """``metric`` for the client's handles together (``handle=None``) or for one handle. Counts
    are recorded for the client overall; a handle's figure carries its sample size only."""
    if handle is None:
        value = (metrics.get("overall") or {}).get(metric)
        counts = (metrics.get("counts") or {}).get(metric) or {}
    else:
        value = ((metrics.get("by_brand") or {}).get(handle) or {}).get(metric)
        counts = {}
    n = counts.get("denominator")
    if n is None:
        n = _at(metrics.get("interval_n"), handle, metric)
    low, high = _pair(_at(metrics.get("intervals"), handle, metric))
    return Figure(value, counts.get("numerator"), n, low, high)
