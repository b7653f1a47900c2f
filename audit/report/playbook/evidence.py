"""Figures the metrics stage does not keep, drawn from the client's own messages: intent and
sentiment counts, arrivals for the staffing model, surges, trigger evidence and the replies
worth quoting. Without score columns they return None or empty results instead of failing,
and the sections say so.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from audit.common.handles import handle_keys
from audit.common.lookup import lookup
from audit.conversations.voice import normalise_reply
from audit.metrics import erlang
from audit.metrics.reply_metrics import CANNED_MIN_REPEATS
from audit.reading.redact import redact_text
from audit.report.playbook.assumptions import REPEAT_WINDOW, SURGE_FLOOR
from audit.report.playbook.context import Client
from audit.textmodel.labels import SENTIMENTS

INTENTS = ("complaint", "question", "compliment", "other")


def _local(ts: pd.Series, tz: str) -> pd.Series:
    return ts.dt.tz_convert(tz)


def _hour_of_week(ts: pd.Series, tz: str) -> pd.Series:
    local = _local(ts, tz)
    return local.dt.dayofweek * 24 + local.dt.hour


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].notna().any()


def intent_sentiment_counts(c: Client) -> pd.DataFrame | None:
    """Customer posts by intent x sentiment (None when the scoring stage left no intents)."""
    if not (_has(c.inbound, "intent") and _has(c.inbound, "sentiment")):
        return None
    counts = pd.crosstab(c.inbound["intent"].astype("string"), c.inbound["sentiment"].astype("string"))
    return counts.reindex(index=list(INTENTS), columns=list(SENTIMENTS), fill_value=0)


def _complaint_openings(c: Client) -> tuple[pd.Series, pd.Series]:
    """Per conversation: opened with a complaint; answered by the brand."""
    intent = c.inbound.set_index("message_id")["intent"]
    opening = c.conversations["opening_message_id"].map(intent).eq("complaint").fillna(False).astype(bool)
    return opening, c.conversations["answered"].fillna(False).astype(bool)


def complaint_counts(c: Client) -> dict[str, int | None]:
    """Customer conversations opened with a complaint, and how many the brand never answered."""
    if not _has(c.inbound, "intent") or c.conversations.empty:
        return {"complaints": None, "unanswered_complaints": None}
    opening, answered = _complaint_openings(c)
    return {"complaints": int(opening.sum()), "unanswered_complaints": int((opening & ~answered).sum())}


def unanswered_complaints(c: Client) -> pd.DataFrame:
    """The opening posts of the complaint conversations counted as never answered above (oldest
    first), as the customer wrote them: callers mask the text before it leaves the audit."""
    columns = ["created_at", "brand", "channel", "conversation_id", "message_id", "sentiment", "text"]
    if not _has(c.inbound, "intent") or c.conversations.empty:
        return pd.DataFrame(columns=columns)
    opening, answered = _complaint_openings(c)
    ids = c.conversations.loc[opening & ~answered, "opening_message_id"]
    posts = c.inbound.loc[c.inbound["message_id"].isin(ids)]
    return posts.reindex(columns=columns).sort_values(["created_at", "message_id"], kind="stable").reset_index(drop=True)


def sentiment_mix(c: Client) -> list[dict]:
    """Sentiment of customer posts overall, before the brand's first reply and after it: the
    difference is what replying does to how customers feel. A list: the order is the story."""
    if not _has(c.inbound, "sentiment"):
        return []
    first_reply = c.conversations.set_index("conversation_id")["first_response_at"]
    replied_at = lookup(c.inbound["conversation_id"], first_reply)
    after = (c.inbound["created_at"] > replied_at).fillna(False)
    groups = (("All customer posts", c.inbound), ("Before any brand reply", c.inbound.loc[~after]),
              ("After a brand reply", c.inbound.loc[after]))
    out = []
    for label, rows in groups:
        if len(rows):
            shares = rows["sentiment"].value_counts(normalize=True)
            out.append({"group": label, **{s: round(float(shares.get(s, 0.0)), 4) for s in SENTIMENTS},
                        "posts": int(len(rows)), "negative_posts": int(rows["sentiment"].eq("negative").sum())})
    return out


def weekly_sentiment(c: Client) -> dict:
    """Weekly (Monday-start, local time) share of each sentiment and the number of posts. Only
    whole weeks inside the export count: a two-day stub would swing the trend on a handful of
    posts (with under two whole weeks, every week is kept)."""
    if not _has(c.inbound, "sentiment"):
        return {"periods": [], "shares": {}, "volumes": []}
    local = _local(c.inbound["created_at"], c.tz)
    day = local.dt.normalize().dt.tz_localize(None)
    week = day - pd.to_timedelta(day.dt.dayofweek, unit="D")
    table = pd.crosstab(week, c.inbound["sentiment"].astype("string")).reindex(
        columns=list(SENTIMENTS), fill_value=0)
    whole = (table.index >= day.min()) & (table.index + pd.Timedelta(days=6) <= day.max())
    if whole.sum() >= 2:
        table = table.loc[whole]
    volumes = table.sum(axis=1)
    shares = table.div(volumes.where(volumes > 0), axis=0).fillna(0.0)
    return {"periods": [f"{d.day} {d:%b}" for d in table.index],
            "shares": {s: [round(float(v), 4) for v in shares[s]] for s in SENTIMENTS},
            "volumes": [int(v) for v in volumes]}


def arrivals_per_hour_of_week(c: Client, weeks: float) -> list[float]:
    """Customer-opened conversations per hour of the week in an average week: Erlang's input."""
    if c.conversations.empty:
        return [0.0] * erlang.HOURS_PER_WEEK
    how = _hour_of_week(c.conversations["opened_at"], c.tz)
    counts = how.value_counts().reindex(range(erlang.HOURS_PER_WEEK), fill_value=0)
    return [float(n) / weeks for n in counts]


def surge_threshold(c: Client) -> dict:
    """Negative customer posts per clock hour over the whole period (quiet hours count as 0):
    a surge is an hour above the 95th percentile, and never fewer than SURGE_FLOOR posts."""
    if not _has(c.inbound, "sentiment"):
        return {"p95": None, "threshold": None, "hours_above": None, "peak": None}
    neg = c.inbound.loc[c.inbound["sentiment"].eq("negative").fillna(False), "created_at"]
    hours = pd.date_range(c.inbound["created_at"].min().floor("h"),
                          c.inbound["created_at"].max().floor("h"), freq="h")
    per_hour = neg.dt.floor("h").value_counts().reindex(hours, fill_value=0)
    p95 = float(np.percentile(per_hour.to_numpy(), 95)) if len(per_hour) else 0.0
    threshold = max(SURGE_FLOOR, int(math.floor(p95)) + 1)
    return {"p95": round(p95, 2), "threshold": threshold,
            "hours_above": int((per_hour >= threshold).sum()), "peak": int(per_hour.max() or 0)}


def open_complaints(c: Client, days: int = 7) -> int | None:
    """Complaints opened in the last ``days`` of the export that never got a reply: the backlog
    to clear first."""
    if not _has(c.inbound, "intent") or c.conversations.empty:
        return None
    intent = c.inbound.set_index("message_id")["intent"]
    conv = c.conversations
    recent = conv["opened_at"] >= conv["opened_at"].max() - pd.Timedelta(days=days)
    complaint = conv["opening_message_id"].map(intent).eq("complaint").fillna(False)
    return int((recent & complaint & ~conv["answered"].fillna(False).astype(bool)).sum())


def repeat_customers(c: Client) -> int | None:
    """Customers who opened a new conversation within 7 days of an earlier one: repeat contact
    is the surest sign the first answer did not solve it."""
    if c.conversations.empty or "customer" not in c.conversations.columns:
        return None
    conv = c.conversations.sort_values(["customer", "opened_at", "conversation_id"])
    gap = conv.groupby("customer")["opened_at"].diff()
    return int(conv.loc[gap.le(REPEAT_WINDOW).fillna(False), "customer"].nunique())


def best_replies(c: Client, limit: int = 4) -> list[dict]:
    """The client's own replies after which the customer's next post was clearly more positive
    than the post answered, one per intent first, then the next best; text masked."""
    m = c.messages
    if m.empty or not _has(m, "sentiment_score"):
        return []
    m = m.reset_index(drop=True)
    is_cust = m["is_customer"].astype(bool)
    pos = pd.Series(np.arange(len(m)), index=m.index)
    conv = m["conversation_id"]
    prev_cust = pos.where(is_cust).groupby(conv).ffill()   # last customer post before a reply
    next_cust = pos.where(is_cust).groupby(conv).bfill()   # the customer's next post after it
    author_key = handle_keys(m["author"])
    cand = m.loc[~is_cust & author_key.isin(c.keys) & prev_cust.notna() & next_cust.notna()].copy()
    if cand.empty:
        return []
    before = m.loc[prev_cust[cand.index].astype(int).to_numpy()].reset_index(drop=True)
    after = m.loc[next_cust[cand.index].astype(int).to_numpy()].reset_index(drop=True)
    cand = cand.reset_index(drop=True)
    gain = after["sentiment_score"].astype(float) - before["sentiment_score"].astype(float)
    ok = (gain >= 0.5) & after["sentiment"].ne("negative") & before["sentiment"].ne("positive")
    ok &= ~_templated(cand["text"], c.replies["text"])   # a template is no example of voice
    if not ok.any():
        return []
    frame = pd.DataFrame({
        "gain": gain, "reply_id": cand["message_id"].astype(str),
        "intent": before["intent"].astype("string").fillna("other") if "intent" in before else "other",
        "brand": cand["author"].astype(str), "channel": cand["channel"].astype(str),
        "customer": before["text"].astype(str), "reply": cand["text"].astype(str),
        "after_text": after["text"].astype(str),
        "before": before["sentiment_score"].astype(float), "after": after["sentiment_score"].astype(float),
        "wait_s": (cand["created_at"] - before["created_at"]).dt.total_seconds(),
    }).loc[ok].sort_values(["gain", "wait_s", "reply_id"], ascending=[False, True, True])
    firsts = frame.drop_duplicates("intent")
    firsts = firsts.set_index("intent").reindex([i for i in INTENTS if i in set(firsts["intent"])]).reset_index()
    chosen = pd.concat([firsts, frame.loc[~frame["reply_id"].isin(firsts["reply_id"])]]).head(limit)
    keep = c.brands
    return [{"intent": str(r.intent), "brand": r.brand, "channel": r.channel,
             "customer": redact_text(r.customer, keep), "reply": redact_text(r.reply, keep),
             "after_text": redact_text(r.after_text, keep), "before": round(float(r.before), 2),
             "after": round(float(r.after), 2), "reply_after_s": float(r.wait_s),
             "reply_id": r.reply_id}
            for r in chosen.itertuples(index=False)]


def _templated(texts: pd.Series, all_replies: pd.Series) -> np.ndarray:
    """Replies that are canned by the metrics' own rule (normalised text shared by at least
    CANNED_MIN_REPEATS of the brand's replies)."""
    counts = normalise_reply(all_replies.fillna("").astype(str)).value_counts()
    keys = normalise_reply(texts.fillna("").astype(str))
    return keys.map(counts).fillna(0).to_numpy() >= CANNED_MIN_REPEATS


def most_repeated_reply(c: Client, metrics: Mapping) -> dict | None:
    """The client's most-used template (the first of the metrics' canned examples), masked,
    with how many replies share it (same normalisation as the canned-reply metric)."""
    ids = metrics.get("examples", {}).get("canned") or []
    if not ids or c.replies.empty:
        return None
    texts = c.replies.set_index(c.replies["message_id"].astype(str))["text"].fillna("").astype(str)
    first = next((i for i in ids if i in texts.index), None)
    if first is None:
        return None
    keys = normalise_reply(texts)
    return {"text": redact_text(texts[first], c.brands), "times": int((keys == keys[first]).sum())}
