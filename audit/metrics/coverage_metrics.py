"""Coverage metrics: how many hours of the week the brand answers within an hour.

Why a minimum per hour: an hour with two conversations says nothing about the hour, so only hours
with at least ``MIN_HOUR_CONVERSATIONS`` are judged, and the thin ones are counted apart.
"""
from __future__ import annotations

import pandas as pd

from audit.metrics.hours_of_week import HOURS_PER_WEEK, within_1h_by_hour
from audit.metrics.metric import Measure, Metric, share
from audit.metrics.scope import Scope

MIN_HOUR_CONVERSATIONS = 5     # an hour of the week with fewer conversations is not judged


def _judged_hours(convs: pd.DataFrame) -> pd.Series:
    """Within-1-hour share per hour of the week, for the hours with enough conversations to judge."""
    sizes = convs.groupby("_how").size()
    return within_1h_by_hour(convs).loc[lambda r: r.index.isin(sizes.index[sizes >= MIN_HOUR_CONVERSATIONS])]


def _hours_covered(s: Scope) -> Measure:
    return Measure(int((_judged_hours(s.convs) >= 0.5).sum()), None, HOURS_PER_WEEK)


def _hours_covered_share(s: Scope) -> Measure:
    return share(_judged_hours(s.convs) >= 0.5)


def _hours_not_judged(s: Scope) -> Measure:
    sizes = s.convs.groupby("_how").size()
    return Measure(int(((sizes > 0) & (sizes < MIN_HOUR_CONVERSATIONS)).sum()))


_COVERED = ("an hour of the week (Monday 00:00 = hour 0, local time) is covered when at least half "
            "of the customer-opened conversations that started in it got a first brand reply within "
            "60 minutes, i.e. their (lower) median first response is at most 1 hour, unanswered "
            f"counting as never; only hours with at least {MIN_HOUR_CONVERSATIONS} such conversations "
            "are judged (fewer say nothing about the hour)")
COVERAGE: tuple[Metric, ...] = (
    Metric("hours_covered_1h", "Hours of the week covered within 1 h",
           f"Number of the 168 hours of the week that are covered; {_COVERED}. Hours not judged "
           "count as not covered.",
           "hours_of_week", True, _hours_covered, "coverage"),
    Metric("hours_covered_share", "Share of active hours covered within 1 h",
           f"Share of the judged hours of the week that are covered; {_COVERED}.",
           "share", True, _hours_covered_share, "coverage"),
    Metric("business_hours_covered_share", "Share of business hours covered within 1 h",
           f"Share of the judged hours of the week that lie (at least half) inside the client's business hours "
           f"(stated with the staffing assumptions) and are covered; {_COVERED}.",
           "share", True,
           lambda s: share(_judged_hours(s.convs).loc[lambda r: r.index.isin(s.convs.loc[s.convs["_how_in_hours"], "_how"])]
                           >= 0.5),
           "coverage"),
    Metric("hours_not_judged", "Hours of the week too thin to judge",
           f"Number of hours of the week with at least one but fewer than {MIN_HOUR_CONVERSATIONS} "
           "customer-opened conversations: their coverage is not judged.",
           "hours_of_week", None, _hours_not_judged, "coverage"),
)
