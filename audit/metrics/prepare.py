"""Every derived column the metrics read, computed once on the full data.

Why once: a metric is then a row filter (a scope) plus a count or a quantile, the same flag means
the same thing in every scope (overall, per brand handle, per channel), and all work stays
vectorised pandas on the thread-built messages and conversations of ``docs/ARCHITECTURE.md``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from audit.common.errors import AuditInputError
from audit.common.handles import handle_keys
from audit.common.lookup import lookup

# Reply text heuristics (sign-offs, redirects, personal address, hand-overs, templates) live in
# audit.conversations.voice, calibrated on hand-labelled real replies; the metric definitions describe them.
from audit.conversations.voice import agents as _agents
from audit.conversations.voice import hands_over, normalise_reply, personalised, redirects
from audit.metrics import business_hours as BH
from audit.metrics.hours_of_week import hour_of_week

MESSAGE_COLUMNS = ("message_id", "reply_to_id", "author", "is_customer", "created_at", "text",
                   "channel", "conversation_id", "brand", "sentiment")
CONVERSATION_COLUMNS = ("conversation_id", "brand", "channel", "opened_at", "opened_by_customer",
                        "opening_message_id", "first_response_at", "first_response_s", "answered",
                        "last_customer_at", "last_brand_at")

FOLLOW_UP_GAP = pd.Timedelta(hours=1)
NIGHT_HOURS = (22, 6)          # [22:00, 06:00) local time


@dataclass(frozen=True)
class Prepared:
    messages: pd.DataFrame
    conversations: pd.DataFrame
    days: pd.DatetimeIndex  # local calendar days of the whole export
    tz: str
    hours: BH.BusinessHours


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AuditInputError(
            f"{what} lacks column(s) {', '.join(missing)}; the metrics stage needs the threads and "
            f"sentiment outputs joined (see docs/ARCHITECTURE.md). Run those stages first.")


def _prepare_messages(messages: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Per-post flags: who wrote it, when (local), whether the brand answered it, reply style."""
    m = messages.copy()
    m["is_customer"] = m["is_customer"].fillna(False).astype(bool)
    if "intent" not in m.columns:
        m["intent"] = pd.NA
    m["_author"] = handle_keys(m["author"])
    m["_brand"] = handle_keys(m["brand"]).where(m["brand"].notna())
    m["_local"] = m["created_at"].dt.tz_convert(tz)
    m["_how"] = hour_of_week(m["_local"])
    brand_msg = ~m["is_customer"]
    m["_is_reply"] = brand_msg & m["reply_to_id"].notna()
    m["_direct_reply"] = m["message_id"].isin(m.loc[brand_msg, "reply_to_id"].dropna())
    last_brand = m.loc[brand_msg].groupby("conversation_id")["created_at"].max()
    m["_followed"] = (lookup(m["conversation_id"], last_brand) > m["created_at"]).fillna(False).astype(bool)
    m["_negative"] = m["sentiment"].eq("negative").fillna(False).astype(bool)
    m["_praise"] = (m["sentiment"].eq("positive") | m["intent"].eq("compliment")).fillna(False).astype(bool)
    text = m.loc[brand_msg, "text"].fillna("").astype("str")  # reply-style flags: brand posts only
    agent = m.loc[brand_msg, "agent"] if "agent" in m.columns else _agents(text, m.loc[brand_msg, "author"])
    flags = {
        "_redirect": redirects(text),
        "_signoff": agent.notna(),
        "_personal": personalised(text),
        "_escalation": hands_over(text),
    }
    for name, flag in flags.items():
        m[name] = flag.reindex(m.index, fill_value=False).astype(bool)
    m["_canned_key"] = normalise_reply(text).reindex(m.index)
    return m


def _prepare_conversations(conversations: pd.DataFrame, m: pd.DataFrame, tz: str,
                           hours: BH.BusinessHours) -> pd.DataFrame:
    """Per-conversation flags: timing buckets, sentiment at open and at the end, follow-up."""
    c = conversations.copy()
    for col in ("opened_by_customer", "answered"):
        c[col] = c[col].fillna(False).astype(bool)
    c["_brand"] = handle_keys(c["brand"]).where(c["brand"].notna())
    opened = c["opened_at"].dt.tz_convert(tz)
    first = c["first_response_at"].dt.tz_convert(tz)
    c["_how"] = hour_of_week(opened)
    c["_frt_min"] = (c["first_response_s"].astype("float64") / 60).where(c["answered"])
    c["_within_1h"] = c["answered"] & (c["first_response_s"] <= 3600).fillna(False)
    c["_within_4h"] = c["answered"] & (c["first_response_s"] <= 4 * 3600).fillna(False)
    c["_same_day"] = c["answered"] & (first.dt.normalize() == opened.dt.normalize()).fillna(False)
    hour, weekday = opened.dt.hour, opened.dt.day_of_week
    c["_night"] = (hour >= NIGHT_HOURS[0]) | (hour < NIGHT_HOURS[1])
    c["_weekend"] = weekday >= 5
    c["_business_hours"] = BH.is_open(hours, c["opened_at"])
    c["_outside_hours"] = ~c["_business_hours"] & c["opened_at"].notna()
    c["_how_in_hours"] = c["_how"].map(dict(enumerate(hours.open_share_by_hour()))).ge(0.5)  # hour mostly open

    sentiment = m.drop_duplicates("message_id").set_index("message_id")["sentiment"]
    c["_open_negative"] = c["opening_message_id"].map(sentiment).eq("negative").fillna(False).astype(bool)
    order = [col for col in ("conversation_id", "created_at", "turn", "message_id") if col in m.columns]
    customer_posts = m.loc[m["is_customer"]].sort_values(order)
    c["_last_customer_sentiment"] = c["conversation_id"].map(
        customer_posts.groupby("conversation_id")["sentiment"].last())

    brand_posts = m.loc[~m["is_customer"]].sort_values(order)
    gaps = brand_posts.groupby("conversation_id")["created_at"].diff() >= FOLLOW_UP_GAP
    gap_after = gaps.groupby(brand_posts["conversation_id"]).any()
    closes_loop = (c["last_customer_at"] > c["first_response_at"]) & (c["last_brand_at"] > c["last_customer_at"])
    c["_follow_up"] = c["answered"] & (
        closes_loop.fillna(False) | c["conversation_id"].map(gap_after).fillna(False).astype(bool))
    return c


def prepare(messages: pd.DataFrame, conversations: pd.DataFrame, tz: str = "UTC",
            hours: BH.BusinessHours | None = None, days: pd.DatetimeIndex | None = None) -> Prepared:
    """Derive every flag once on the full data, so each scope is just a row filter.

    ``hours``: the client's business hours (default Monday-Friday 09:00-17:00 in ``tz``);
    ``days``: the local calendar days of the analysis window (audit.conversations.window); default: first to
    last post of ``messages``."""
    _require(messages, MESSAGE_COLUMNS, "messages")
    _require(conversations, CONVERSATION_COLUMNS, "conversations")
    hours = hours or BH.parse(BH.DEFAULT_SPEC, tz=tz)
    m = _prepare_messages(messages, tz)
    c = _prepare_conversations(conversations, m, tz, hours)
    local_days = m["_local"].dt.normalize()
    if days is None:
        days = pd.date_range(local_days.min(), local_days.max(), freq="D") if len(m) else pd.DatetimeIndex([])
    return Prepared(m, c, days, tz, hours)
