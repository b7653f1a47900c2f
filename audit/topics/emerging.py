"""Emerging issues: a topic whose weekly volume jumps above its own baseline.

The rule (stated once, here, and tested): a topic *spikes* in week w when its posts that week are
at least ``min_posts`` and at least ``factor`` times its baseline, the median of its weekly posts
over the ``baseline_weeks`` weeks before w (weeks with no post count as 0; a week needs that many
earlier weeks inside the data to be judged, so the first weeks are never flagged). Consecutive
spike weeks form one episode; it *started* in its first week. The median ignores one earlier
burst, and the floor of ``min_posts`` keeps a topic going from 1 to 3 posts from being "news".
Weeks start on Monday in the client's time zone.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SpikeRule:
    baseline_weeks: int = 4
    factor: float = 2.0
    min_posts: int = 10

    def describe(self) -> str:
        return (f"a topic spikes in a week when it has at least {self.min_posts} posts and at least "
                f"{self.factor:g} times its median weekly posts over the previous {self.baseline_weeks} weeks; "
                "consecutive spike weeks are one episode, which started in its first week")


def weekly_counts(created_at: pd.Series, topics: pd.Series, tz: str = "UTC") -> pd.DataFrame:
    """Posts per topic (columns) and week (rows: Monday dates, every week of the period, zeros
    included)."""
    if created_at.empty:
        return pd.DataFrame()
    local = pd.to_datetime(created_at, utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    week = local.dt.normalize() - pd.to_timedelta(local.dt.weekday, unit="D")
    table = pd.crosstab(week.to_numpy(), topics.to_numpy())
    full = pd.date_range(table.index.min(), table.index.max(), freq="7D")
    return table.reindex(full, fill_value=0).rename_axis("week").rename_axis("topic", axis=1)


def spikes(weekly: pd.DataFrame, rule: SpikeRule = SpikeRule()) -> pd.DataFrame:
    """Boolean frame like ``weekly``: True where the rule fires."""
    baseline = weekly.shift(1).rolling(rule.baseline_weeks, min_periods=rule.baseline_weeks).median()
    return (weekly >= rule.min_posts) & (weekly >= rule.factor * baseline) & baseline.notna()


def episodes(weekly: pd.DataFrame, rule: SpikeRule = SpikeRule()) -> list[dict]:
    """Every spike episode: topic, started (Monday), weeks, peak week and posts, baseline, ratio,
    ``ongoing`` (it includes the last week of the data). Ordered by start, then topic."""
    if weekly.empty:
        return []
    fired = spikes(weekly, rule)
    baseline = weekly.shift(1).rolling(rule.baseline_weeks, min_periods=rule.baseline_weeks).median()
    out = []
    for topic in weekly.columns:
        flags = fired[topic].to_numpy()
        i = 0
        while i < len(flags):
            if not flags[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(flags) and flags[j + 1]:
                j += 1
            counts = weekly[topic].to_numpy()[i:j + 1]
            peak = i + int(np.argmax(counts))
            base = float(baseline[topic].iloc[i])
            out.append({"topic": topic, "started": weekly.index[i].date().isoformat(), "weeks": j - i + 1,
                        "peak_week": weekly.index[peak].date().isoformat(), "peak_posts": int(weekly[topic].iloc[peak]),
                        "baseline_posts_per_week": base,
                        "ratio": (float(weekly[topic].iloc[i]) / base) if base > 0 else None,
                        "ongoing": j == len(flags) - 1})
            i = j + 1
    return sorted(out, key=lambda e: (e["started"], str(e["topic"])))


def rule_dict(rule: SpikeRule = SpikeRule()) -> dict:
    return {**asdict(rule), "text": rule.describe()}
