"""Examples: the message ids that illustrate a metric, cited as evidence in the grade.

Why ids, not texts: the figures stay free of customer text (the report looks the posts up, and
masks them when asked), and a reader can check any figure against the posts behind it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from audit.metrics.recovery_metrics import negative_posts, recovery_base
from audit.metrics.reply_metrics import CANNED_MIN_REPEATS
from audit.metrics.scope import Scope

MAX_EXAMPLES = 10


def _ids(frame: pd.DataFrame, column: str = "message_id", by: Iterable[str] = ("created_at",),
         ascending: bool | list[bool] = True) -> list[str]:
    ordered = frame.sort_values([*by, column], ascending=ascending)
    return [str(x) for x in ordered[column].head(MAX_EXAMPLES)]


def _open_ids(convs: pd.DataFrame, by: Iterable[str] = ("opened_at",), ascending: bool | list[bool] = True) -> list[str]:
    return _ids(convs, "opening_message_id", by, ascending)


def _canned_examples(s: Scope) -> list[str]:
    r = s.replies.assign(_n=s.replies["_canned_key"].map(s.replies["_canned_key"].value_counts()))
    return _ids(r.loc[r["_n"] >= CANNED_MIN_REPEATS], by=("_n", "created_at"), ascending=[False, True, True])


def _recovery_examples(recovered: bool) -> Callable[[Scope], list[str]]:
    def pick(s: Scope) -> list[str]:
        base = recovery_base(s)
        ok = base["_last_customer_sentiment"].isin(["neutral", "positive"])
        return _open_ids(base.loc[ok if recovered else ~ok])
    return pick


EXAMPLES: dict[str, tuple[str, Callable[[Scope], list[str]]]] = {
    "unanswered_negative": ("negative customer posts with no later brand post in the conversation",
                            lambda s: _ids(negative_posts(s).loc[lambda d: ~d["_followed"]])),
    "unanswered_conversations": ("opening posts of customer conversations the brand never answered",
                                 lambda s: _open_ids(s.convs.loc[~s.convs["answered"]])),
    "slowest_first_responses": ("opening posts of the answered conversations with the slowest first reply",
                                lambda s: _open_ids(s.convs.loc[s.convs["answered"]],
                                                    ("first_response_s", "opened_at"), [False, True, True])),
    "recovered": ("opening posts of negative conversations that ended neutral or positive", _recovery_examples(True)),
    "not_recovered": ("opening posts of answered negative conversations still negative at the end",
                      _recovery_examples(False)),
    "compliments_unanswered": ("compliments or positive posts the brand did not respond to",
                               lambda s: _ids(s.inbound.loc[s.inbound["_praise"] & ~s.inbound["_followed"]])),
    "private_redirect": ("brand replies moving the case to a private channel",
                         lambda s: _ids(s.replies.loc[s.replies["_redirect"]])),
    "service_handle_replies": ("replies written by a dedicated service handle",
                               lambda s: _ids(s.replies.loc[s.replies["_author"].isin(s.service)])),
    "signoff": ("replies signed by an agent", lambda s: _ids(s.replies.loc[s.replies["_signoff"]])),
    "personalised": ("personalised replies", lambda s: _ids(s.replies.loc[s.replies["_personal"]])),
    "canned": ("replies sharing a template (most repeated first)", _canned_examples),
    "follow_up": ("conversations where the brand followed up",
                  lambda s: _open_ids(s.convs.loc[s.convs["_follow_up"]])),
    "escalation": ("replies handing the case to another team",
                   lambda s: _ids(s.replies.loc[s.replies["_escalation"]])),
}
