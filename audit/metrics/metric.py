"""What a metric is: a written definition paired with the code that computes it, the units a
value may take, and the value itself with the counts behind it (``Measure``).

Why the pair: the definition text is what the report prints, so keeping it in the same entry as
the calculation is the only way to stop the two drifting apart. ``share``, ``quantile`` and
``count`` are the three ways a calculation turns rows into a ``Measure``.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from audit.metrics.hours_of_week import HOURS_PER_WEEK
from audit.metrics.intervals import Interval, quantile_interval, wilson
from audit.metrics.scope import Scope

# Unit -> the range a value (and so a rubric threshold) can take.
UNITS: dict[str, tuple[float, float]] = {
    "count": (0.0, math.inf),
    "posts_per_day": (0.0, math.inf),
    "share": (0.0, 1.0),
    "minutes": (0.0, math.inf),
    "hours_of_week": (0.0, float(HOURS_PER_WEEK)),
    "flag": (0.0, 1.0),
}
INTERVAL_UNITS = frozenset({"share", "minutes"})  # estimates; counts and flags are what happened


@dataclass(frozen=True)
class Measure:
    """A metric value plus the counts behind it, so the grade can cite evidence ("41 of 60"),
    and for estimates (shares, medians, percentiles) its 95% ``interval`` (see audit.metrics.intervals)."""

    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    interval: Interval | None = None

    @property
    def n(self) -> int | None:
        """The evidence size behind an estimate: the denominator of a share, the count of a quantile."""
        return self.denominator


@dataclass(frozen=True)
class Metric:
    """One registry entry: ``compute`` must implement exactly what ``definition`` says."""

    name: str
    title: str
    definition: str
    unit: str
    higher_is_better: bool | None  # None: volume, neither good nor bad
    compute: Callable[[Scope], Measure]
    group: str
    example: str | None = None  # key of metrics["examples"] that illustrates this metric


def share(hits: pd.Series, within: pd.Series | None = None) -> Measure:
    """Share of rows where ``hits`` is True (optionally among rows where ``within`` is True)."""
    if within is not None:
        hits = hits[within]
    n = int(len(hits))
    k = int(hits.sum())
    return Measure(k / n if n else None, k, n, wilson(k, n))


def quantile(values: pd.Series, q: float) -> Measure:
    """Quantile with numpy's default linear interpolation; NaN values (unanswered) are dropped."""
    v = values.dropna()
    return Measure(float(v.quantile(q)) if len(v) else None, None, int(len(v)), quantile_interval(v, q))


def count(mask: pd.Series) -> Measure:
    return Measure(int(mask.sum()))
