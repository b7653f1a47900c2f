"""Reading one figure out of a finished run's ``audit.json``: its value, the counts behind it and
its 95% interval, for the overall client or one brand handle.

Why one place: the workbook and the progress report (``audit.compare``) both print "value
(low-high)"; where the interval lives in ``audit.json`` (``metrics.intervals``, added by the
interval estimation) must be known once, and a run made before intervals existed must read as
"no interval", never fail.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One metric of one scope: value, counts (shares only) and interval (when estimated)."""

    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    low: float | None = None
    high: float | None = None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


def _pair(raw: object) -> tuple[float | None, float | None]:
    """``[low, high]`` (or ``{"low", "high"}``) -> a tuple; anything else -> no interval."""
    if isinstance(raw, Mapping):
        raw = [raw.get("low"), raw.get("high")]
    if isinstance(raw, (list, tuple)) and len(raw) == 2 and all(isinstance(x, (int, float)) for x in raw):
        return float(raw[0]), float(raw[1])
    return None, None


def figure(metrics: Mapping, metric: str, handle: str | None = None) -> Figure:
    """``metric`` for the client's handles together (``handle=None``) or for one handle."""
    intervals = metrics.get("intervals") or {}
    if handle is None:
        value = (metrics.get("overall") or {}).get(metric)
        counts = (metrics.get("counts") or {}).get(metric) or {}
        low, high = _pair((intervals.get("overall") or {}).get(metric))
    else:
        value = ((metrics.get("by_brand") or {}).get(handle) or {}).get(metric)
        counts = (((metrics.get("counts_by_brand") or {}).get(handle) or {}).get(metric)) or {}
        low, high = _pair(((intervals.get("by_brand") or {}).get(handle) or {}).get(metric))
    return Figure(value, counts.get("numerator"), counts.get("denominator"), low, high)
