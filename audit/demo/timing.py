"""When demo posts are written: daily and weekly rhythms, opening hours, reply delays.

Why: reply-time metrics are the heart of the audit, so the sample's times must behave like real
ones: busy evenings, quiet weekends, closed teams answering the overnight queue after opening.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from audit.demo.plans import Plan
from audit.demo.profiles import CUSTOMER_HOURS, TEAMS, Hours, author_handles

DAY_SECONDS = 86_400
_HOUR_WEIGHTS = np.array([0.6, 0.4, 0.3, 0.25, 0.25, 0.35, 0.7, 1.3, 2.0, 2.6, 2.8, 2.8, 2.9, 2.8, 2.7, 2.6,
                          2.6, 2.7, 2.9, 3.0, 2.9, 2.6, 2.0, 1.2])
_WEEKDAY_WEIGHTS = np.array([1.05, 1.0, 1.0, 1.0, 0.95, 0.75, 0.7])


def _weekday(t: np.ndarray) -> np.ndarray:
    return (t // DAY_SECONDS + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0


def customer_times(rng: np.random.Generator, n: int, start_s: int, weeks: int) -> np.ndarray:
    """Opening posts follow a daily cycle (busy afternoons and evenings, quiet small hours) and a
    weekly one (quieter weekends)."""
    days = np.arange(weeks * 7)
    w = _WEEKDAY_WEIGHTS[_weekday(start_s + days * DAY_SECONDS)]
    day = rng.choice(days, size=n, p=w / w.sum())
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    return start_s + day * DAY_SECONDS + hour * 3600 + rng.integers(0, 3600, size=n)


def brand_post_times(rng: np.random.Generator, n: int, start_s: int, weeks: int) -> np.ndarray:
    """Announcements go out in office hours."""
    day = rng.integers(0, weeks * 7, size=n)
    return start_s + day * DAY_SECONDS + rng.integers(9 * 3600, 18 * 3600, size=n)


def _defer(t: np.ndarray, hours: Hours | None, backlog_s: float, rng: np.random.Generator) -> np.ndarray:
    """Move times outside opening hours to the next opening plus a wait drawn from the morning
    backlog: a closed team answers the overnight queue after it opens, not all at once."""
    if hours is None or t.size == 0:
        return t
    opens = np.array([h[0] for h in hours]) * 3600
    closes = np.array([h[1] for h in hours]) * 3600
    day = t // DAY_SECONDS
    sec = t - day * DAY_SECONDS
    wd = _weekday(t)
    outside = ~((sec >= opens[wd]) & (sec < closes[wd]))
    target = np.zeros_like(t)
    today = outside & (sec < opens[wd]) & (opens[wd] < closes[wd])
    target[today] = day[today] * DAY_SECONDS + opens[wd[today]]
    pending = outside & ~today
    for ahead in range(1, 8):
        wd_next = (wd + ahead) % 7
        found = pending & (opens[wd_next] < closes[wd_next])
        target[found] = (day[found] + ahead) * DAY_SECONDS + opens[wd_next[found]]
        pending &= ~found
    out = t.copy()
    out[outside] = target[outside] + rng.uniform(0, backlog_s, int(outside.sum())).astype(np.int64)
    return out


def _lognormal_s(rng: np.random.Generator, median_min: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return (60 * median_min * np.exp(sigma * rng.standard_normal(median_min.shape))).astype(np.int64) + 1


def post_times(rng, steps: pd.DataFrame, plan: Plan) -> np.ndarray:
    """Walk the threads step by step: each post comes a drawn delay after the previous one,
    brand posts only when the team works, customer replies only when people are awake."""
    t = steps["t0"].to_numpy().copy()
    step = steps["step"].to_numpy()
    speaker = steps["speaker"].to_numpy()
    handle = author_handles(steps)
    kinds = np.array(plan.kinds, dtype=object)[steps["kind"].to_numpy()]
    brand_seen = np.zeros(len(t), dtype=bool)  # has the brand already spoken in this thread?
    for k in range(1, int(step.max(initial=0)) + 1):
        rows = np.flatnonzero(step == k)
        prev = rows - 1
        brand_seen[rows] = brand_seen[prev] | (speaker[prev] > 1)
        median = np.full(len(rows), 25.0)
        sigma = np.full(len(rows), 1.1)
        nudge = kinds[rows] == "nudge"
        median[nudge], sigma[nudge] = 480.0, 0.7
        brand = speaker[rows] > 1
        for h, team in TEAMS.items():
            sel = brand & (handle[rows] == h)
            median[sel] = team.first_reply_min * np.where(brand_seen[rows][sel], 0.6, 1.0)
            sigma[sel] = team.sigma
        new = t[prev] + _lognormal_s(rng, median, sigma)
        for h, team in TEAMS.items():
            sel = brand & (handle[rows] == h)
            new[sel] = _defer(new[sel], team.hours, team.backlog_min * 60, rng)
        new[~brand] = _defer(new[~brand], CUSTOMER_HOURS, 90 * 60, rng)
        t[rows] = new
    return t
