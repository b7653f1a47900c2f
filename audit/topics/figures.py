"""Per-topic figures from the run's posts: what a manager needs to rank topics.

Definitions (per customer post in the topic): ``posts``; ``complaint_share`` and
``question_share`` (intent); ``negative_share`` (sentiment); ``response_rate``, the share that
received a direct brand reply (a brand message whose ``reply_to_id`` is the post);
``first_response_median_s``, the median time to the first such reply over answered posts;
``weekly``, posts per week (Monday dates in the client's time zone).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from audit.topics.emerging import weekly_counts

DEFINITIONS = {
    "posts": "Customer posts assigned to the topic.",
    "complaint_share": "Share of the topic's posts whose intent is complaint.",
    "question_share": "Share of the topic's posts whose intent is question.",
    "negative_share": "Share of the topic's posts with negative sentiment.",
    "response_rate": "Share of the topic's posts that received a direct brand reply (reply_to_id = the post).",
    "first_response_median_s": "Median seconds from a post to its first direct brand reply, over answered posts.",
    "weekly": "Posts per week (weeks start Monday, client's time zone).",
}


def first_replies(messages: pd.DataFrame) -> pd.Series:
    """Seconds from each customer post to its first direct brand reply, NaN when unanswered;
    indexed by the post's ``message_id``."""
    posts = messages.loc[messages["is_customer"].astype(bool), ["message_id", "created_at"]]
    replies = messages.loc[~messages["is_customer"].astype(bool) & messages["reply_to_id"].notna(),
                           ["reply_to_id", "created_at"]]
    first = replies.groupby("reply_to_id")["created_at"].min()
    delay = (posts["message_id"].map(first) - posts["created_at"]).dt.total_seconds()
    return pd.Series(delay.to_numpy(), index=posts["message_id"].to_numpy(), dtype=float)


def _share(mask: pd.Series) -> float | None:
    return float(mask.mean()) if len(mask) else None


def topic_figures(posts: pd.DataFrame, delays: pd.Series, tz: str = "UTC") -> tuple[dict[int, dict], pd.DataFrame]:
    """``posts``: customer posts with ``message_id, created_at, topic`` and, when scored,
    ``intent, sentiment``. Returns figures per topic id and the weekly counts table."""
    delay = posts["message_id"].map(delays)
    weekly = weekly_counts(posts["created_at"], posts["topic"], tz)
    out: dict[int, dict] = {}
    for topic, group in posts.groupby("topic", sort=True):
        d = delay.loc[group.index]
        answered = d.notna() & (d >= 0)
        out[int(topic)] = {
            "posts": int(len(group)),
            "complaint_share": _share(group["intent"] == "complaint") if "intent" in group else None,
            "question_share": _share(group["intent"] == "question") if "intent" in group else None,
            "negative_share": _share(group["sentiment"] == "negative") if "sentiment" in group else None,
            "response_rate": _share(answered),
            "first_response_median_s": float(np.median(d[answered])) if answered.any() else None,
            "weekly": {k.date().isoformat(): int(v) for k, v in weekly[topic].items()} if topic in weekly else {},
        }
    return out, weekly
