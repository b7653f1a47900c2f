"""Recovery metrics: whether negative posts get an answer and end better than they began, and
whether compliments are acknowledged. The row selections are public because the examples cited
in the grade are drawn from the same rows."""
from __future__ import annotations

import pandas as pd

from audit.metrics.metric import Metric, count, share
from audit.metrics.scope import Scope


def negative_posts(s: Scope) -> pd.DataFrame:
    return s.inbound.loc[s.inbound["_negative"]]


def recovery_base(s: Scope) -> pd.DataFrame:
    """Conversations opened by the customer with a negative post and answered by the brand."""
    return s.convs.loc[s.convs["_open_negative"] & s.convs["answered"]]


_UNANSWERED_POST = ("no brand post follows it (later in time) in the same conversation")
RECOVERY: tuple[Metric, ...] = (
    Metric("unanswered_negative", "Unanswered negative posts",
           f"Number of negative customer posts where {_UNANSWERED_POST}.",
           "count", False, lambda s: count(~negative_posts(s)["_followed"]), "recovery", "unanswered_negative"),
    Metric("unanswered_negative_share", "Share of negative posts unanswered",
           f"Share of negative customer posts where {_UNANSWERED_POST}.",
           "share", False, lambda s: share(~negative_posts(s)["_followed"]), "recovery", "unanswered_negative"),
    Metric("sentiment_recovery_rate", "Sentiment recovery",
           "Share of conversations opened by the customer with a negative post and answered by the brand "
           "whose last customer post is neutral or positive (a customer who never wrote again ends on "
           "the negative opening post, so does not count as recovered).",
           "share", True,
           lambda s: share(recovery_base(s)["_last_customer_sentiment"].isin(["neutral", "positive"])),
           "recovery", "not_recovered"),
    Metric("recovered_positive_rate", "Recovered to positive",
           "Share of answered, negatively opened customer conversations whose last customer post is positive.",
           "share", True, lambda s: share(recovery_base(s)["_last_customer_sentiment"].eq("positive")),
           "recovery", "recovered"),
    Metric("compliments_answered_rate", "Compliments answered",
           f"Share of customer posts with intent 'compliment' or positive sentiment where a brand post "
           f"follows it in the same conversation.",
           "share", True, lambda s: share(s.inbound["_followed"], s.inbound["_praise"]),
           "recovery", "compliments_unanswered"),
)
