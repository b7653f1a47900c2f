"""The hour of the week (Monday 00:00 local time = hour 0, Sunday 23:00 = hour 167): the grid the
coverage metrics judge and the series count on, so an hour means the same in both."""
from __future__ import annotations

import pandas as pd

HOURS_PER_WEEK = 168


def hour_of_week(local: pd.Series) -> pd.Series:
    return local.dt.day_of_week * 24 + local.dt.hour


def within_1h_by_hour(convs: pd.DataFrame) -> pd.Series:
    """Share of conversations answered within 1 hour, per hour of the week they opened in."""
    return convs.groupby("_how")["_within_1h"].mean().reindex(range(HOURS_PER_WEEK))
