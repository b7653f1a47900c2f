"""Responsiveness metrics: whether and how fast the brand answers, for all customer-opened
conversations and for subsets (negative openings, nights, weekends, in and outside business hours).

Why a family: one statistic (response rate, median first response, ...) over several subsets
keeps the same wording and the same code, only the conversations differ; so it is written once.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from audit.metrics.metric import Measure, Metric, quantile, share
from audit.metrics.scope import Scope

# Conversation-level response metrics, for all customer-opened conversations and for subsets.
_SUBSETS: dict[str, tuple[str | None, str]] = {
    "": (None, "customer-opened conversations"),
    "negative_": ("_open_negative", "customer-opened conversations whose opening post is negative"),
    "night_": ("_night", "customer-opened conversations opened at night (22:00-06:00 local time)"),
    "weekend_": ("_weekend", "customer-opened conversations opened on Saturday or Sunday (local time)"),
    "business_hours_": ("_business_hours",
                        "customer-opened conversations opened within the client's business hours "
                        "(by default Monday-Friday 09:00-17:00 local time; holidays closed)"),
    "outside_hours_": ("_outside_hours",
                       "customer-opened conversations opened outside the client's business hours "
                       "(evenings, days off and holidays)"),
}
_UNANSWERED_COUNT = "; unanswered conversations count as not"
_STATS: dict[str, tuple[str, str, str, bool, Callable[[pd.DataFrame], Measure], str | None]] = {
    "response_rate": ("response rate", "Share of {subset} that received at least one brand reply.",
                      "share", True, lambda c: share(c["answered"]), "unanswered_conversations"),
    "first_response_median_min": (
        "median first response (min)",
        "Median minutes from the opening post to the first brand reply, over {subset} that were "
        "answered (unanswered ones are excluded here; the response rate covers them).",
        "minutes", False, lambda c: quantile(c["_frt_min"], 0.5), "slowest_first_responses"),
    "first_response_p90_min": (
        "90th percentile first response (min)",
        "90th percentile (linear interpolation) of minutes to the first brand reply, over {subset} "
        "that were answered.",
        "minutes", False, lambda c: quantile(c["_frt_min"], 0.9), "slowest_first_responses"),
    "first_response_within_1h": (
        "answered within 1 hour",
        "Share of {subset} whose first brand reply came within 60 minutes (inclusive)" + _UNANSWERED_COUNT + ".",
        "share", True, lambda c: share(c["_within_1h"]), "slowest_first_responses"),
    "first_response_within_4h": (
        "answered within 4 hours",
        "Share of {subset} whose first brand reply came within 4 hours (inclusive)" + _UNANSWERED_COUNT + ".",
        "share", True, lambda c: share(c["_within_4h"]), "slowest_first_responses"),
    "first_response_same_day": (
        "answered the same day",
        "Share of {subset} whose first brand reply fell on the same local calendar day as the "
        "opening post" + _UNANSWERED_COUNT + ".",
        "share", True, lambda c: share(c["_same_day"]), "slowest_first_responses"),
}
_SUBSET_STATS = {
    "": tuple(_STATS),
    "negative_": tuple(_STATS),
    "night_": ("response_rate", "first_response_median_min"),
    "weekend_": ("response_rate", "first_response_median_min"),
    "business_hours_": ("response_rate", "first_response_median_min"),
    "outside_hours_": ("response_rate", "first_response_median_min"),
}


def _subset_compute(flag: str | None, stat: Callable[[pd.DataFrame], Measure]) -> Callable[[Scope], Measure]:
    return lambda s: stat(s.convs if flag is None else s.convs.loc[s.convs[flag]])


def _response_family() -> list[Metric]:
    """One metric per (subset, statistic): same wording and code, only the conversations differ."""
    family = []
    for prefix, stat_names in _SUBSET_STATS.items():
        flag, subset = _SUBSETS[prefix]
        group = "recovery" if prefix == "negative_" else "coverage" if prefix else "responsiveness"
        label = prefix.rstrip("_").replace("_", " ")
        for stat in stat_names:
            title, definition, unit, higher, fn, example = _STATS[stat]
            family.append(Metric(prefix + stat, f"{label.capitalize()} {title}" if label else title.capitalize(),
                                 definition.format(subset=subset), unit, higher, _subset_compute(flag, fn),
                                 group, "unanswered_negative" if prefix == "negative_" else example))
    return family


RESPONSE: tuple[Metric, ...] = (
    Metric("post_reply_rate", "Posts with a direct reply",
           "Share of inbound customer posts that some brand post replies to directly (its reply-to id "
           "is the customer post).",
           "share", True, lambda s: share(s.inbound["_direct_reply"]), "responsiveness"),
    *_response_family(),
)
