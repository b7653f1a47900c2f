"""Reply time, every way the tools count it, side by side.

A manager arrives with "our tool says 38 minutes" and the audit says 2 hours: both can be right,
because each tool times something else. Sprout Social times every customer message to its reply
(per message), Zendesk and Sparkcentral time a ticket's first reply (in calendar or business
hours), Meta's Page response time averages the fastest 90% of replies to messages that start
after 24 hours of silence. This module computes each definition on the same thread-built frames
(``docs/ARCHITECTURE.md``), with its median, mean (what most tools show) and 90th percentile, so
the report can say which number the manager's tool would show. Pure, vectorised functions.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from audit.common.handles import handle_key, handle_keys
from audit.metrics.business_hours import BusinessHours, business_seconds

META_SILENCE = pd.Timedelta(hours=24)
META_WINDOW = pd.Timedelta(hours=24)
META_FASTEST = 0.9

DEFINITIONS: dict[str, dict[str, str]] = {
    "conversation_first_response": {
        "title": "First response per conversation",
        "definition": "Minutes from a customer-opened conversation's first post to the brand's first reply in it, "
                      "over answered conversations (the audit's headline figure).",
        "tools": "Zendesk first reply time (calendar hours); Hootsuite and Sprinklr first response per "
                 "conversation or case",
        "rate_definition": "Share of customer-opened conversations with at least one brand reply.",
    },
    "message_reply": {
        "title": "Reply time per message",
        "definition": "Minutes from each customer post that a post of the client's handles answers directly "
                      "(its reply-to id is the customer post) to the first such answer. A conversation with "
                      "three answered customer posts counts three times; follow-ups answered quickly pull the "
                      "figure down.",
        "tools": "Sprout Social reply time (per message, average and median); Emplifi response time per message",
        "rate_definition": "Share of customer posts in conversations with the client's handles that a post of "
                           "those handles answers directly.",
    },
    "business_hours_first_response": {
        "title": "First response in business hours",
        "definition": "The conversation first response with the clock stopped outside the client's business "
                      "hours and on its holidays: a post at Friday 16:50 answered on "
                      "Monday 09:10 counts 20 minutes with 09:00-17:00 hours.",
        "tools": "Zendesk first reply time (business hours); Sparkcentral and Freshdesk business-hours SLAs",
        "rate_definition": "Share of customer-opened conversations with at least one brand reply.",
    },
    "meta_page_response": {
        "title": "Meta Page response time",
        "definition": "Customer posts that start a new exchange (the first post of a customer to the brand "
                      "after at least 24 hours in which neither wrote) timed to the brand's next post to "
                      "that customer. Meta's response time is the mean of the fastest 90% of those times; "
                      "the median, mean and p90 here are over all of them. Meta computes it over the last "
                      "30 days; here over the whole period.",
        "tools": "Meta (Facebook/Instagram) Page response rate and response time, the 'Very responsive' badge",
        "rate_definition": "Share of new-exchange customer posts that the brand answers within 24 hours (Meta's "
                           "response rate).",
    },
}


def stats(minutes: pd.Series) -> dict[str, float | int | None]:
    """Median, mean and 90th percentile (linear interpolation) of the non-missing values."""
    v = minutes.dropna().astype("float64")
    if v.empty:
        return {"n": 0, "median": None, "mean": None, "p90": None}
    return {"n": int(len(v)), "median": float(v.median()), "mean": float(v.mean()), "p90": float(v.quantile(0.9))}


def fastest_mean(minutes: pd.Series, share: float = META_FASTEST) -> float | None:
    """Mean of the fastest ``share`` of the values (Meta drops the slowest 10%); at least one kept."""
    v = np.sort(minutes.dropna().astype("float64").to_numpy())
    if not len(v):
        return None
    keep = max(1, int(np.floor(len(v) * share)))
    return float(v[:keep].mean())


def message_reply_minutes(messages: pd.DataFrame, handles: Iterable[str]) -> pd.DataFrame:
    """Per customer post answered directly by one of ``handles``: minutes to the first such answer.

    Columns ``message_id``, ``answered_by`` (the reply's id), ``minutes``; one row per answered post."""
    keys = {handle_key(h) for h in handles}
    m = messages
    customer = m.loc[m["is_customer"].fillna(False).astype(bool), ["message_id", "created_at"]]
    is_reply = (~m["is_customer"].fillna(False).astype(bool)) & handle_keys(m["author"]).isin(keys).fillna(False)
    replies = m.loc[is_reply & m["reply_to_id"].notna(), ["message_id", "reply_to_id", "created_at"]]
    pairs = customer.merge(replies, left_on="message_id", right_on="reply_to_id", suffixes=("", "_reply"))
    pairs = pairs.sort_values(["message_id", "created_at_reply", "message_id_reply"], kind="stable")
    first = pairs.drop_duplicates("message_id")
    return pd.DataFrame({
        "message_id": first["message_id"].to_numpy(),
        "answered_by": first["message_id_reply"].to_numpy(),
        "minutes": ((first["created_at_reply"] - first["created_at"]).dt.total_seconds() / 60).to_numpy(),
    })


def meta_new_messages(messages: pd.DataFrame, conversations: pd.DataFrame, handles: Iterable[str]) -> pd.DataFrame:
    """Customer posts that open a new exchange in Meta's sense, with the brand's next post.

    The exchange is a customer and a client handle (the conversation's customer and brand): a
    customer post counts when no message of that pair came in the 24 hours before it. Columns
    ``message_id``, ``created_at``, ``responded_at`` (NaT when the brand never wrote again),
    ``minutes``."""
    keys = {handle_key(h) for h in handles}
    conv = conversations.set_index("conversation_id")
    customer_of = conv["customer"] if "customer" in conv.columns else pd.Series(conv.index, index=conv.index)
    m = messages.loc[handle_keys(messages["brand"]).isin(keys).fillna(False),
                     ["message_id", "conversation_id", "is_customer", "created_at", "brand"]].copy()
    m["_pair"] = (m["conversation_id"].map(customer_of).astype("string").fillna(m["conversation_id"].astype("string"))
                  + "\x1f" + handle_keys(m["brand"]))
    m["is_customer"] = m["is_customer"].fillna(False).astype(bool)
    m = m.sort_values(["_pair", "created_at", "message_id"], kind="stable")
    gap = m.groupby("_pair", sort=False)["created_at"].diff()
    new = m["is_customer"] & (gap.isna() | (gap >= META_SILENCE))
    # the pair's next brand post at or after each message: a backward fill of brand times
    brand_at = m["created_at"].where(~m["is_customer"])
    next_brand = brand_at.groupby(m["_pair"], sort=False).bfill()
    out = m.loc[new, ["message_id", "created_at"]].assign(responded_at=next_brand[new])
    out["minutes"] = (out["responded_at"] - out["created_at"]).dt.total_seconds() / 60
    return out.reset_index(drop=True)


def compare(messages: pd.DataFrame, conversations: pd.DataFrame, handles: Iterable[str],
            hours: BusinessHours) -> dict[str, dict]:
    """Every definition for the client's handles: written definition, which tools use it, its
    response rate and the median, mean and p90 of its reply times (minutes).

    ``messages``: every thread-built message; ``conversations``: the client's customer-opened
    conversations (the metrics scope)."""
    handles = list(handles)
    c = conversations
    answered = c["answered"].fillna(False).astype(bool)
    keys = {handle_key(h) for h in handles}
    in_client = handle_keys(messages["brand"]).isin(keys).fillna(False) & messages["is_customer"].fillna(False).astype(bool)

    conv_min = (c["first_response_s"].astype("float64") / 60).where(answered)
    per_message = message_reply_minutes(messages, handles)
    posts = messages.loc[in_client, "message_id"]
    business_min = business_seconds(hours, c["opened_at"], c["first_response_at"]).where(answered) / 60
    meta = meta_new_messages(messages, c, handles)
    meta_in_day = meta["minutes"].le(META_WINDOW.total_seconds() / 60)

    def rate(k: int, n: int) -> dict:
        return {"rate": k / n if n else None, "rate_numerator": int(k), "rate_denominator": int(n)}

    values = {
        "conversation_first_response": (conv_min, rate(int(answered.sum()), len(c)), {}),
        "message_reply": (per_message["minutes"],
                          rate(int(posts.isin(per_message["message_id"]).sum()), int(len(posts))), {}),
        "business_hours_first_response": (business_min, rate(int(answered.sum()), len(c)), {}),
        "meta_page_response": (meta["minutes"], rate(int(meta_in_day.sum()), len(meta)),
                               {"meta_response_time": fastest_mean(meta["minutes"])}),
    }
    return {name: {**DEFINITIONS[name], "unit": "minutes", **stats(minutes), **r, **extra}
            for name, (minutes, r, extra) in values.items()}


def ordered(definitions: dict[str, dict] | None) -> list[dict]:
    """The entries of ``metrics.reply_time_definitions`` in the order of ``DEFINITIONS`` (the JSON
    has its keys sorted): the audit's own figure first, then the tools'."""
    definitions = definitions or {}
    return [definitions[k] for k in DEFINITIONS if k in definitions]
