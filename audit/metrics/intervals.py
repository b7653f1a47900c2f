"""95% intervals for the figures an audit reports: how far a figure could be from the truth.

Why: a share of 12 conversations and a share of 12,000 print the same way, but only one of them
can carry a grade. Every share gets a Wilson score interval (good coverage even near 0% and
100% and for small samples, unlike the textbook normal one); every median or percentile of a
time gets a distribution-free interval from order statistics (no assumption about the shape of
response times, which are heavy-tailed). Both come from scipy, both are exact functions of the
data (no resampling), so ``audit.json`` stays byte-identical for identical input. Counts stay
counts: they are what happened in the export, not an estimate.

An interval is ``(low, high)``; ``high`` is ``None`` when the data cannot bound it (a 90th
percentile of 20 times has no upper bound at 95%), and a time's ``low`` is 0 when the data
cannot bound it from below (a time is never negative).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95

Interval = tuple[float | None, float | None]


@lru_cache(maxsize=65536)
def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> Interval | None:
    """Wilson score interval for ``k`` successes in ``n`` trials; None when ``n`` is 0."""
    if n <= 0:
        return None
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(max(0.0, ci.low)), float(min(1.0, ci.high))


def quantile_interval(values: pd.Series | np.ndarray, q: float,
                      confidence: float = CONFIDENCE) -> Interval | None:
    """Distribution-free interval for the ``q`` quantile: the order statistics whose ranks the
    binomial distribution brackets with ``confidence`` (scipy's ``quantile_test``). None for no
    values; an end the sample is too small to bound is 0 (low) or None (high)."""
    x = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64")
    if len(x) == 0:
        return None
    ci = stats.quantile_test(x, p=q).confidence_interval(confidence)
    low, high = float(ci.low), float(ci.high)
    return (low if math.isfinite(low) else 0.0), (high if math.isfinite(high) else None)


def excludes(interval: Interval | None, threshold: float) -> str | None:
    """Which side of ``threshold`` the whole interval lies on: 'above', 'below', or None when it
    straddles the threshold (or there is no interval). A bound equal to the threshold counts
    as on that side (thresholds are inclusive)."""
    if interval is None:
        return None
    low, high = interval
    if low is not None and low >= threshold:
        return "above"
    if high is not None and high <= threshold:
        return "below"
    return None


def overlap(a: Interval | None, b: Interval | None) -> bool:
    """Whether two intervals share a point (None ends are unbounded); unknown counts as overlap."""
    if a is None or b is None:
        return True
    a_low, a_high = a[0] if a[0] is not None else -math.inf, a[1] if a[1] is not None else math.inf
    b_low, b_high = b[0] if b[0] is not None else -math.inf, b[1] if b[1] is not None else math.inf
    return a_low <= b_high and b_low <= a_high


def n_to_settle(n: int, value: float, interval: Interval | None, threshold: float) -> int | None:
    """Roughly how many observations would make an interval that straddles ``threshold`` clear
    it, if the figure stayed where it is: interval widths shrink with the square root of n."""
    if interval is None or n <= 0 or value == threshold:
        return None
    low, high = interval
    if value > threshold:        # the low end has to rise above the threshold
        half = None if low is None else value - low
    else:                        # the high end has to fall below it
        half = None if high is None else high - value
    gap = abs(value - threshold)
    if half is None or half <= 0:
        return None
    return int(math.ceil(1.1 * n * (half / gap) ** 2))  # 10% margin: a rough guide, not a promise
