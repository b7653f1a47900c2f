"""Published benchmarks and the cautious assumptions behind the playbook's targets and cost
figures. They live in one place because the appendix prints them for a reader to challenge.
"""
from __future__ import annotations

import pandas as pd

EXPECT_1H = 0.42          # Edison Research survey: complainers who *expect* a reply within 1 h (an expectation)
EXPECT_SAME_DAY = 0.67    # Edison Research: ... who expect a reply the same day
COMPLAINT_STANDARD_S = 4 * 3600   # the common 4-hour standard for a first reply to a complaint
REPLACEMENT_COST = 5      # winning a new customer costs ~5x keeping an existing one
ASSUMED_LOSS_SHARE = 0.10  # share of ignored complainers assumed to leave (deliberately cautious)
VERY_NEGATIVE = -0.6      # the mildest sentiment_score that can count as "very negative"
ESCALATE_SHARE = 0.05     # the supervisor tier takes the client's most negative 5% of posts
SURGE_FLOOR = 3           # a surge needs at least this many negative posts in one hour
REPEAT_WINDOW = pd.Timedelta(days=7)
HIGH_REACH_FOLLOWERS = 10_000
BLENDED_BELOW = 0.30      # on-duty occupancy under which social is a blended role, not a team

BENCHMARK_NOTES = (
    f"{EXPECT_1H:.0%} of consumers who complain on social media expect a reply within 60 minutes, "
    f"and {EXPECT_SAME_DAY:.0%} expect one the same day (Edison Research survey). These are customer "
    "expectations, a reason for a response-time target; they are not a benchmark of the share of "
    "conversations any brand answers within the hour.",
    "A first reply to a complaint within 4 hours is the common service standard used as the "
    "outer limit here.",
    f"Replacing a lost customer costs about {REPLACEMENT_COST} times as much as keeping one; cost "
    f"estimates assume only {ASSUMED_LOSS_SHARE:.0%} of customers whose complaint went unanswered "
    "leave, a deliberately cautious figure.",
    f"'Very negative' means a sentiment score at or below {VERY_NEGATIVE} on the -1..1 scale "
    "(probability positive minus probability negative).",
)
