"""The playbook model: every figure, target and recommendation of the report, as plain data.

Why a model and not logic in templates: the numbers a manager acts on (targets, triggers, head
counts, the roadmap) must be testable, land in ``audit.json`` for audit, and be identical in the
HTML and the PDF. Templates only lay this dict out. Each section is tailored from the client's own
figures (``metrics.compute_all``), its grade (``maturity.grade``) and, for quoted replies and
escalation triggers, its messages and conversations. ``build`` is deterministic and its result
is JSON-serialisable; ``book["inputs"]`` records which figures fed each section.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from audit import staffing
from audit.maturity import LEVEL_TITLES, LEVELS
from audit.metrics import CANNED_MIN_REPEATS, jsonable, normalise_reply
from audit.redact import redact_text
from audit.render import duration as _dur, percent as _pct

SCHEMA_VERSION = "1.0"

# --------------------------------------------------------------------------------------------
# Benchmarks and assumptions, printed in the appendix so a reader can challenge them.
# --------------------------------------------------------------------------------------------
EXPECT_1H = 0.42          # Edison Research: complainers on social who expect a reply within 1 h
EXPECT_SAME_DAY = 0.67    # Edison Research: ... who expect a reply the same day
COMPLAINT_STANDARD_S = 4 * 3600   # the common 4-hour standard for a first reply to a complaint
REPLACEMENT_COST = 5      # winning a new customer costs ~5x keeping an existing one
ASSUMED_LOSS_SHARE = 0.10  # share of ignored complainers assumed to leave (deliberately cautious)
VERY_NEGATIVE = -0.6      # sentiment_score at or below which a post is "very negative"
SURGE_FLOOR = 3           # a surge needs at least this many negative posts in one hour
REPEAT_WINDOW = pd.Timedelta(days=7)
HIGH_REACH_FOLLOWERS = 10_000
BLENDED_BELOW = 0.30      # on-duty occupancy under which social is a blended role, not a team

BENCHMARK_NOTES = (
    f"{EXPECT_1H:.0%} of consumers who complain on social media expect a reply within 60 minutes, "
    f"and {EXPECT_SAME_DAY:.0%} expect one the same day (Edison Research).",
    "A first reply to a complaint within 4 hours is the common service standard used as the "
    "outer limit here.",
    f"Replacing a lost customer costs about {REPLACEMENT_COST} times as much as keeping one; cost "
    f"estimates assume only {ASSUMED_LOSS_SHARE:.0%} of customers whose complaint went unanswered "
    "leave, a deliberately cautious figure.",
    f"'Very negative' means a sentiment score at or below {VERY_NEGATIVE} on the -1..1 scale "
    "(probability positive minus probability negative).",
)

# --------------------------------------------------------------------------------------------
# Maturity levels and the response standard each next level needs.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Goal:
    """The standard a brand at a level should reach within 90 days (the next level's bar)."""

    median_s: float       # median first response
    p90_s: float          # 90th percentile first response (the complaint standard)
    within_1h: float      # share of conversations answered within 1 hour
    same_day: float       # share answered the same day
    response_rate: float  # share of customer conversations answered


GOALS: dict[str, Goal] = {
    # passive -> active: be visible: answer most people, complaints inside the 4-hour standard
    "passive": Goal(2 * 3600, COMPLAINT_STANDARD_S, EXPECT_1H, 0.80, 0.80),
    # active -> strategic: meet what most complainers expect (same day, most within the hour)
    "active": Goal(3600, 2 * 3600, EXPECT_SAME_DAY, 0.90, 0.90),
    # strategic -> cross-functional: the hour is the norm, around the clock
    "strategic": Goal(30 * 60, 3600, 0.80, 0.95, 0.95),
    # cross-functional: hold the line
    "cross_functional": Goal(15 * 60, 3600, 0.90, 0.97, 0.97),
}
NICE_DURATIONS_S = tuple(m * 60 for m in (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480,
                                          720, 1440, 2880))

SECTIONS = (
    ("executive_summary", "Executive summary"),
    ("current_state", "Where you are today"),
    ("triage", "Triage and routing matrix"),
    ("escalation", "Escalation tiers and response standards"),
    ("response_guidelines", "Response guidelines"),
    ("staffing", "Staffing and coverage"),
    ("kpis", "KPIs and targets"),
    ("roadmap", "30/60/90-day roadmap"),
    ("appendix", "Appendix: method and data quality"),
)

# Words that take a post straight to tier 4 (safety, legal, regulator, data), whole words.
RISK_WORDS = ("fire", "burn", "burned", "burnt", "smoke", "injury", "injured", "hospital",
              "unsafe", "dangerous", "electric shock", "choking", "recall", "lawyer", "solicitor",
              "sue", "suing", "lawsuit", "legal action", "ombudsman", "regulator",
              "trading standards", "ofcom", "ofgem", "fca", "gdpr", "data breach", "hacked",
              "fraud", "scam", "discrimination", "journalist", "bbc", "watchdog")
RISK = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in RISK_WORDS) + r")\b", re.IGNORECASE)

INTENTS = ("complaint", "question", "compliment", "other")
SENTIMENTS = ("negative", "neutral", "positive")


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _key(handle: str) -> str:
    return str(handle).lstrip("@").casefold()


def _num(value: Any) -> float | None:
    """A metric value as float, or None when missing/NaN (metrics.json uses null)."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _minutes_to_s(value: Any) -> float | None:
    x = _num(value)
    return None if x is None else x * 60.0


def _fig(value: Any, fmt: str) -> dict:
    """A cell whose unit differs from its column's (KPI tables mix shares and durations)."""
    return {"value": value, "fmt": fmt}


def snap_duration(seconds: float) -> float:
    """Round a target up to a value a roster can state ('30 min', '4 h'): never tighter than
    computed, so the target stays reachable."""
    return float(next((g for g in NICE_DURATIONS_S if g >= seconds - 1e-6), NICE_DURATIONS_S[-1]))


def snap_share(x: float) -> float:
    """Shares as targets in 5-point steps, rounded up (a target never below the computed one)."""
    return min(1.0, math.ceil(round(x * 20, 6)) / 20)


def _tile(label: str, value: Any, fmt: str | None, note: str = "", alert: bool = False) -> dict:
    """A headline figure; ``alert`` marks one that misses its benchmark."""
    return {"label": label, "value": value, "fmt": fmt, "note": note, "alert": bool(alert)}


def _below(value: float | None, bar: float) -> bool:
    return value is not None and value < bar


def _table(columns: Sequence[tuple], rows: list[dict], empty: str = "") -> dict:
    """Columns as (key, label, fmt[, css class]); the renderer formats cells by ``fmt``."""
    out = {"columns": [{"key": c[0], "label": c[1], "fmt": c[2], "cls": c[3] if len(c) > 3 else ""}
                       for c in columns],
           "rows": rows}
    if empty:
        out["empty"] = empty
    return out


# --------------------------------------------------------------------------------------------
# What the playbook reads: a client-scoped view of messages and conversations
# --------------------------------------------------------------------------------------------
@dataclass
class Client:
    """The client's rows, selected once: customer posts and customer-opened conversations with
    its handles, and the replies its handles wrote."""

    name: str
    brands: list[str]
    keys: frozenset[str]
    tz: str
    inbound: pd.DataFrame       # customer posts to the client's handles
    replies: pd.DataFrame       # posts written by the client's handles
    messages: pd.DataFrame      # every message of the client's conversations, ordered
    conversations: pd.DataFrame  # customer-opened conversations with the client's handles


def _select(messages: pd.DataFrame | None, conversations: pd.DataFrame | None, name: str,
            brands: Sequence[str], tz: str) -> Client:
    keys = frozenset(_key(b) for b in brands)
    if messages is None or len(messages) == 0:
        messages = pd.DataFrame({c: pd.Series(dtype="object") for c in (
            "message_id", "conversation_id", "author", "is_customer", "created_at", "text",
            "channel", "brand")})
    if conversations is None or len(conversations) == 0:
        conversations = pd.DataFrame({c: pd.Series(dtype="object") for c in (
            "conversation_id", "brand", "customer", "channel", "opened_at", "opened_by_customer",
            "opening_message_id", "first_response_s", "answered")})
    m = messages
    in_client = m["brand"].astype("string").str.lstrip("@").str.casefold().isin(keys).fillna(False)
    is_customer = m["is_customer"].fillna(False).astype(bool)
    order = [c for c in ("conversation_id", "created_at", "turn", "message_id") if c in m.columns]
    client_msgs = m.loc[in_client].sort_values(order, kind="stable")
    author_key = m["author"].astype("string").str.lstrip("@").str.casefold()
    c = conversations
    c_in = (c["brand"].astype("string").str.lstrip("@").str.casefold().isin(keys).fillna(False)
            & c["opened_by_customer"].fillna(False).astype(bool))
    return Client(
        name=name, brands=list(brands), keys=keys, tz=tz,
        inbound=client_msgs.loc[client_msgs["is_customer"].fillna(False).astype(bool)],
        replies=m.loc[~is_customer & author_key.isin(keys).fillna(False)].sort_values(order),
        messages=client_msgs,
        conversations=c.loc[c_in].sort_values("conversation_id", kind="stable"),
    )


# --------------------------------------------------------------------------------------------
# The client's baseline: the metrics figures the playbook reasons with
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Baseline:
    """Figures from ``metrics.json`` (overall scope), in seconds and shares."""

    conversations: int
    inbound: int
    replies: int
    response_rate: float | None
    median_s: float | None
    p90_s: float | None
    within_1h: float | None
    within_4h: float | None
    same_day: float | None
    recovery: float | None
    unanswered_negative: int | None
    hours_covered: int | None
    night_response_rate: float | None
    weekend_response_rate: float | None
    canned_share: float | None
    signoff_share: float | None
    personalised_share: float | None
    redirect_share: float | None
    follow_up_rate: float | None
    escalation_share: float | None
    days: int
    start: str | None
    end: str | None

    @property
    def weeks(self) -> float:
        return max(self.days / 7.0, 1 / 7)


def baseline(metrics: Mapping) -> Baseline:
    """Read the figures the playbook needs from ``metrics.compute_all`` output."""
    o = metrics.get("overall", {})
    period = metrics.get("scope", {}).get("period", {})
    return Baseline(
        conversations=int(_num(o.get("customer_conversations")) or 0),
        inbound=int(_num(o.get("inbound_posts")) or 0),
        replies=int(_num(o.get("brand_replies")) or 0),
        response_rate=_num(o.get("response_rate")),
        median_s=_minutes_to_s(o.get("first_response_median_min")),
        p90_s=_minutes_to_s(o.get("first_response_p90_min")),
        within_1h=_num(o.get("first_response_within_1h")),
        within_4h=_num(o.get("first_response_within_4h")),
        same_day=_num(o.get("first_response_same_day")),
        recovery=_num(o.get("sentiment_recovery_rate")),
        unanswered_negative=None if _num(o.get("unanswered_negative")) is None
        else int(o["unanswered_negative"]),
        hours_covered=None if _num(o.get("hours_covered_1h")) is None else int(o["hours_covered_1h"]),
        night_response_rate=_num(o.get("night_response_rate")),
        weekend_response_rate=_num(o.get("weekend_response_rate")),
        canned_share=_num(o.get("canned_share")),
        signoff_share=_num(o.get("signoff_share")),
        personalised_share=_num(o.get("personalised_share")),
        redirect_share=_num(o.get("private_redirect_share")),
        follow_up_rate=_num(o.get("follow_up_rate")),
        escalation_share=_num(o.get("escalation_share")),
        days=int(period.get("days") or 0),
        start=period.get("start"),
        end=period.get("end"),
    )


# --------------------------------------------------------------------------------------------
# Figures the metrics stage does not keep, derived from the client's rows
# --------------------------------------------------------------------------------------------
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


def complaint_counts(c: Client) -> dict[str, int | None]:
    """Customer conversations opened with a complaint, and how many the brand never answered."""
    if not _has(c.inbound, "intent") or c.conversations.empty:
        return {"complaints": None, "unanswered_complaints": None}
    intent = c.inbound.set_index("message_id")["intent"]
    opening = c.conversations["opening_message_id"].map(intent).eq("complaint").fillna(False)
    answered = c.conversations["answered"].fillna(False).astype(bool)
    return {"complaints": int(opening.sum()), "unanswered_complaints": int((opening & ~answered).sum())}


def sentiment_mix(c: Client) -> list[dict]:
    """Sentiment of customer posts overall, before the brand's first reply and after it: the
    difference is what replying does to how customers feel. A list: the order is the story."""
    if not _has(c.inbound, "sentiment"):
        return []
    first_reply = c.conversations.set_index("conversation_id")["first_response_at"]
    replied_at = c.inbound["conversation_id"].map(first_reply)
    after = (c.inbound["created_at"] > replied_at).fillna(False)
    groups = (("All customer posts", c.inbound), ("Before any brand reply", c.inbound.loc[~after]),
              ("After a brand reply", c.inbound.loc[after]))
    out = []
    for label, rows in groups:
        if len(rows):
            shares = rows["sentiment"].value_counts(normalize=True)
            out.append({"group": label, **{s: round(float(shares.get(s, 0.0)), 4) for s in SENTIMENTS}})
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
        return [0.0] * staffing.HOURS_PER_WEEK
    how = _hour_of_week(c.conversations["opened_at"], c.tz)
    counts = how.value_counts().reindex(range(staffing.HOURS_PER_WEEK), fill_value=0)
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


def _post_answered(c: Client) -> pd.Series:
    """Per customer post: did a brand post follow it in the same conversation?"""
    last_brand = c.messages.loc[~c.messages["is_customer"].astype(bool)].groupby(
        "conversation_id")["created_at"].max()
    return (c.inbound["conversation_id"].map(last_brand) > c.inbound["created_at"]).fillna(False)


def trigger_evidence(c: Client) -> dict:
    """How often each escalation trigger fired in the client's own history, and how many of
    those posts were left without a brand reply."""
    answered = _post_answered(c)
    text = c.inbound["text"].fillna("").astype(str)
    risk = text.str.contains(RISK)
    out: dict[str, Any] = {"risk_posts": int(risk.sum()),
                           "risk_unanswered": int((risk & ~answered).sum())}
    if _has(c.inbound, "sentiment_score"):
        very = c.inbound["sentiment_score"].astype(float).le(VERY_NEGATIVE).fillna(False)
        out.update(very_negative=int(very.sum()), very_negative_unanswered=int((very & ~answered).sum()))
    else:
        out.update(very_negative=None, very_negative_unanswered=None)
    out["repeat_customers"] = repeat_customers(c)
    out["surge"] = surge_threshold(c)
    words = text[risk].str.findall(RISK).explode().str.lower().value_counts()
    out["risk_words_seen"] = [str(w) for w in words.index[:6]]
    return out


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
    author_key = m["author"].astype(str).str.lstrip("@").str.casefold()
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


# --------------------------------------------------------------------------------------------
# Response standards: from the client's baseline toward the benchmark, by maturity level
# --------------------------------------------------------------------------------------------
# (key, label, unit, Baseline/Goal attribute, rubric metric, benchmark, benchmark note)
STANDARDS = (
    ("median", "Median first response", "duration", "median_s",
     "first_response_median_min", 3600.0, "42% of complainers expect a reply within 1 h"),
    ("p90", "9 in 10 conversations answered within", "duration", "p90_s",
     "first_response_p90_min", float(COMPLAINT_STANDARD_S), "4-hour complaint standard"),
    ("within_1h", "Answered within 1 hour", "percent", "within_1h",
     "first_response_within_1h", EXPECT_1H, "42% of complainers expect it"),
    ("same_day", "Answered the same day", "percent", "same_day",
     "first_response_same_day", EXPECT_SAME_DAY, "67% of complainers expect it"),
    ("response_rate", "Customer conversations answered", "percent", "response_rate",
     "response_rate", None, ""),
)


def _targets_duration(base: float | None, goal: float) -> tuple[float, float]:
    """90 days: the goal, or hold today's figure where it is already better; 30 days: half-way
    on a log scale (waiting times shrink by factors, not minutes)."""
    if base is None:
        return snap_duration(goal * 2), snap_duration(goal)
    if base <= goal:
        held = snap_duration(base)
        return held, held
    return snap_duration(math.sqrt(base * goal)), snap_duration(goal)


def _targets_share(base: float | None, goal: float) -> tuple[float, float]:
    if base is None:
        return snap_share(goal / 2), goal
    if base >= goal:
        held = math.floor(round(base * 20, 6)) / 20
        return held, held
    return snap_share(base + (goal - base) / 2), goal


def response_standards(level: str, b: Baseline, next_thresholds: Mapping[str, float]) -> dict:
    """Targets per standard: the level's goal, made stricter by the rubric's next-level
    threshold where that is stricter (so meeting the targets also passes the grade)."""
    goal = GOALS.get(level, GOALS["passive"])
    rows, targets = [], {}
    for key, label, unit, attr, metric, bench, note in STANDARDS:
        base = getattr(b, attr)
        g = float(getattr(goal, attr))
        rubric = _num(next_thresholds.get(metric))
        if unit == "duration":
            if rubric is not None:
                g = min(g, rubric * 60.0)
            t30, t90 = _targets_duration(base, g)
        else:
            if rubric is not None:
                g = max(g, rubric)
            t30, t90 = _targets_share(base, g)
        targets[key] = {"baseline": base, "target_30": t30, "target_90": t90, "unit": unit}
        rows.append({"standard": label, "baseline": _fig(base, unit),
                     "benchmark": _fig(bench, unit) if bench is not None else _fig(None, unit),
                     "source": note, "target_30": _fig(t30, unit), "target_90": _fig(t90, unit)})
    p2 = targets["p90"]["target_90"]
    priority_s = {
        "P1": snap_duration(min(3600.0, p2 / 4)),
        "P2": p2,
        "P3": snap_duration(min(24 * 3600.0, 2 * p2)),
        "P4": 24 * 3600.0,
    }
    return {"targets": targets, "priority_s": priority_s, "crisis_s": min(30 * 60.0, priority_s["P1"]),
            "table": _table([("standard", "Standard", None), ("baseline", "Today", "mixed"),
                             ("benchmark", "Benchmark", "mixed"), ("source", "Why", None),
                             ("target_30", "Day 30", "mixed"), ("target_90", "Day 90", "mixed")], rows)}


# --------------------------------------------------------------------------------------------
# Build context: everything a section builder may read, and where it records its inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Context:
    client: Client
    metrics: Mapping
    grade: "Grade"
    base: Baseline
    standards: dict
    evidence: dict
    inputs: dict


# (intent, sentiment) -> (owner, priority, first action). Questions go to the people who know the
# product, complaints to those who can fix accounts and orders, praise to marketing; negative
# sentiment lifts a cell to the team that can recover the customer.
_CS, _TECH, _MKT = "Customer service", "Technical support", "Marketing"
OWNER_RULES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("complaint", "negative"): (_CS, "P2", "Apologise in public, take details to a private channel, fix and confirm"),
    ("complaint", "neutral"): (_CS, "P2", "Acknowledge, ask for details privately, give a time for the answer"),
    ("complaint", "positive"): (_CS, "P3", "Check for sarcasm; if it is, handle as a negative complaint"),
    ("question", "negative"): (_CS, "P2", "Answer and own the frustration: it is becoming a complaint"),
    ("question", "neutral"): (_TECH, "P3", "Answer in public so others see it; link the help article"),
    ("question", "positive"): (_TECH, "P3", "Answer in public; thank for the interest"),
    ("compliment", "negative"): (_CS, "P3", "Likely sarcasm: read the thread and treat as a complaint"),
    ("compliment", "neutral"): (_MKT, "P4", "Thank by name; pass to the team mentioned"),
    ("compliment", "positive"): (_MKT, "P4", "Thank by name; ask to share the story (advocate)"),
    ("other", "negative"): (_CS, "P3", "Read: often an unlabelled complaint; reply if it is about service"),
    ("other", "neutral"): (_MKT, "P4", "Engage if on-brand; ignore spam and bait"),
    ("other", "positive"): (_MKT, "P4", "Like or reply briefly; no case needed"),
}


def build_triage(ctx: Context) -> dict:
    counts = intent_sentiment_counts(ctx.client)
    total = int(counts.to_numpy().sum()) if counts is not None else 0
    targets = ctx.standards["priority_s"]
    rows = []
    for (intent, sentiment), (owner, priority, action) in OWNER_RULES.items():
        n = int(counts.loc[intent, sentiment]) if counts is not None else None
        rows.append({"intent": intent.capitalize(), "sentiment": sentiment.capitalize(),
                     "posts": n, "share": (n / total) if (n is not None and total) else None,
                     "owner": owner, "priority": priority, "target_s": targets[priority],
                     "action": action})
    if counts is not None and total:
        mix = counts.sum(axis=1) / total
        lead = (f"{_pct(mix['complaint'])} of the {total:,} customer posts are complaints, "
                f"{_pct(mix['question'])} questions and {_pct(mix['compliment'])} compliments. "
                "Every post gets an owner, a priority and a first-response target from this matrix; "
                "the escalation tiers (next section) override it when a trigger fires.")
    else:
        lead = ("Intent was not scored for this export, so volumes per cell are not shown; the "
                "routing rules apply as written.")
    service = [h for h in ctx.metrics.get("scope", {}).get("service_handles", [])
               if _key(h) in ctx.client.keys]
    owners_rows = [
        {"team": "Customer service", "takes": "Complaints, account and order problems, frustrated questions",
         "hands_to": "Specialists (billing, delivery, returns) via the case system; tier 3 for repeats"},
        {"team": "Technical support", "takes": "Product, how-to and fault questions",
         "hands_to": "Customer service when a fault needs a refund or replacement"},
        {"team": "Marketing", "takes": "Compliments, advocates, general conversation",
         "hands_to": "Customer service for anything that turns out to be a problem"},
    ]
    rules = [
        f"Every post addressed to {', '.join('@' + b for b in ctx.client.brands)} is read within "
        f"{_dur(targets['P2'])}; the owner replies, nobody replies twice.",
        "A post matching a safety or legal word, or very negative from a high-reach account, skips "
        "the matrix and goes straight to tier 4 (crisis / PR / legal).",
        "A customer who writes again about the same issue within 7 days goes to tier 3 "
        "(specialist or supervisor), whatever the cell says.",
    ]
    if service:
        marketing = [b for b in ctx.client.brands if _key(b) not in {_key(s) for s in service}]
        if marketing:
            rules.append(f"Service posts arriving at {', '.join('@' + b for b in marketing)} are answered "
                         f"by @{service[0]} in the same thread (not just redirected), within the same target.")
    else:
        rules.append("There is no dedicated service handle: until one exists, tag service replies "
                     "in the publishing tool so marketing and service volumes can be reported apart.")
    ctx.inputs["triage"] = {"intent_sentiment_counts": None if counts is None else counts.to_dict(),
                            "priority_targets_s": targets, "service_handles": service}
    return {
        "lead": lead,
        "matrix": _table([("intent", "Intent", None), ("sentiment", "Sentiment", "sentiment"),
                          ("share", "Share of posts", "percent"), ("owner", "Owner", None),
                          ("priority", "Priority", "priority"), ("target_s", "First reply within", "duration"),
                          ("action", "First action", None, "wide")], rows),
        "owners": _table([("team", "Team", None), ("takes", "Takes", None),
                          ("hands_to", "Hands on to", None)], owners_rows),
        "rules": rules,
    }


def build_escalation(ctx: Context) -> dict:
    ev, pr = ctx.evidence, ctx.standards["priority_s"]
    surge = ev["surge"]
    level = ctx.grade.level
    tiers = [
        {"tier": 1, "name": "Self-service", "owner": "Help centre and saved answers",
         "when": ["simple how-to or status questions with a published answer",
                  "outside staffed hours: an automatic acknowledgement with the hours and help link"],
         "target_s": pr["P3"], "resolve": "same day",
         "action": "Reply with the help-centre link and one line of context; tier 2 picks up anything the link does not solve."},
        {"tier": 2, "name": "Social agent", "owner": "Social care team (the triage owner)",
         "when": ["every complaint and every question self-service does not solve",
                  "compliments and advocates (thank by name)"],
         "target_s": pr["P2"], "resolve": "within 24 h, or an update every 24 h",
         "action": "Acknowledge in public, take personal details to a private channel, resolve, and come back to the public thread to close it."},
        {"tier": 3, "name": "Specialist or supervisor", "owner": "Team leader; billing, delivery, technical specialists",
         "when": ["repeat contact: the same customer again within 7 days",
                  f"very negative post (sentiment score {VERY_NEGATIVE} or lower)",
                  "refund, compensation or exception beyond the agent's authority",
                  "a second reply has not resolved it"],
         "target_s": pr["P1"], "resolve": "owner named to the customer within 1 h",
         "action": "Supervisor replies or names the specialist; the case keeps one owner until closed."},
        {"tier": 4, "name": "Crisis, PR and legal", "owner": "Head of service + PR lead + legal on call",
         "when": ["safety or legal words (injury, fire, lawyer, regulator, data breach, ...)",
                  f"negative surge: {surge['threshold'] if surge['threshold'] is not None else 'n/a'}+ negative posts in one hour",
                  f"very negative post from a high-reach account (about {HIGH_REACH_FOLLOWERS:,}+ followers, press or verified)"],
         "target_s": ctx.standards["crisis_s"], "resolve": "holding statement within 1 h, updates every 2 h",
         "action": "Stop scheduled marketing posts, publish the holding statement, route every related post to one owner, log for legal."},
    ]
    n = ctx.base.weeks
    triggers = [
        {"trigger": "Negative surge",
         "threshold": (f"{surge['threshold']}+ negative posts in one hour (95th percentile of your hourly "
                       f"negative volume is {surge['p95']:g})") if surge["threshold"] is not None else "needs sentiment scores",
         "seen": (f"{surge['hours_above']} hours in {n:.0f} weeks; busiest hour had {surge['peak']}"
                  if surge["hours_above"] is not None else "n/a"),
         "tier": 4},
        {"trigger": "Safety or legal words",
         "threshold": "any match in a customer post",
         "seen": (f"{ev['risk_posts']} posts ({ev['risk_unanswered']} never answered)"
                  + (f"; words seen: {', '.join(ev['risk_words_seen'])}" if ev["risk_words_seen"] else "")),
         "tier": 4},
        {"trigger": "Very negative post",
         "threshold": f"sentiment score {VERY_NEGATIVE} or lower",
         "seen": (f"{ev['very_negative']:,} posts ({ev['very_negative_unanswered']:,} never answered)"
                  if ev["very_negative"] is not None else "n/a"),
         "tier": 3},
        {"trigger": "Repeat contact",
         "threshold": "same customer opens another conversation within 7 days",
         "seen": f"{ev['repeat_customers']:,} customers" if ev["repeat_customers"] is not None else "n/a",
         "tier": 3},
        {"trigger": "High reach",
         "threshold": f"about {HIGH_REACH_FOLLOWERS:,}+ followers, press or verified account",
         "seen": "not in this export (follower counts are not included); check in the publishing tool",
         "tier": 4},
    ]
    base = ctx.base
    tighten = ("Targets tighten today's figures toward the benchmark: day-30 targets are half-way "
               "(on a log scale for times), day-90 targets are the standard "
               f"{_a(ctx.grade.next_label or ctx.grade.label)} operation meets (where today's figure is "
               "already better, the target holds it).")
    lead = (f"Today the median customer waits {_dur(base.median_s)} for a first reply and 1 in 10 waits "
            f"longer than {_dur(base.p90_s)}; {_pct(base.within_1h)} are answered within the hour that "
            f"{EXPECT_1H:.0%} of complainers expect. Four tiers decide who answers what, how fast.")
    ctx.inputs["escalation"] = {"trigger_evidence": ev, "priority_targets_s": ctx.standards["priority_s"],
                                "crisis_s": ctx.standards["crisis_s"],
                                "standards": ctx.standards["targets"]}
    return {"lead": lead, "tiers": tiers,
            "triggers": _table([("trigger", "Trigger", None), ("threshold", "Threshold", None),
                                ("seen", "Seen in your data", None), ("tier", "Tier", None)], triggers),
            "standards": ctx.standards["table"], "standards_note": tighten}


def _main_channel(ctx: Context) -> str:
    channels = ctx.client.inbound["channel"].value_counts() if not ctx.client.inbound.empty else None
    return str(channels.index[0]) if channels is not None and len(channels) else "twitter"


def build_guidelines(ctx: Context) -> dict:
    b, c = ctx.base, ctx.client
    private = "DM" if _main_channel(ctx) in ("twitter", "x", "instagram") else "private message"
    p2 = _dur(ctx.standards["priority_s"]["P2"])
    voice = [
        {"principle": "Sound like a person",
         "detail": f"Sign every reply with the agent's initials (^AB). Today {_pct(b.signoff_share)} of replies are signed."},
        {"principle": "Write for this customer",
         "detail": f"Use their name and the detail they gave. Today {_pct(b.canned_share)} of replies reuse a template "
                   f"word for word and {_pct(b.personalised_share)} are personal."},
        {"principle": "Acknowledge in public, resolve in private",
         "detail": f"Order, account and contact details move to {private}. Today {_pct(b.redirect_share)} of replies do that."},
        {"principle": "Say what happens next, and when",
         "detail": f"Name the team and the time. Hand-overs are visible in {_pct(b.escalation_share)} of replies today."},
        {"principle": "Close the loop",
         "detail": f"Come back until it is solved, in the public thread too. Today {_pct(b.follow_up_rate)} of answered "
                   "conversations get a follow-up."},
    ]
    do = ["Reply to the customer's actual words in the first sentence",
          "Apologise once, specifically, then move to the fix",
          f"Give a time: 'we'll come back to you by 3pm', never 'soon'",
          f"Ask for personal details only in {private}, and say why",
          "Thank compliments by name and pass them to the team mentioned",
          "Return to the public thread when the case is closed"]
    dont = ["Ask a customer to repeat what they already wrote",
            "Argue in public, or answer sarcasm with sarcasm",
            "Post order numbers, e-mail addresses or phone numbers in public replies",
            "Send people to another channel without saying who will pick it up and when",
            "Leave a complaint unanswered because it is rude: answer the issue"]
    repeated = most_repeated_reply(c, ctx.metrics)
    if repeated and repeated["times"] >= CANNED_MIN_REPEATS:
        dont.insert(0, f"Paste the same text again and again: \u201c{repeated['text']}\u201d was posted "
                       f"{repeated['times']} times in this period")
    examples = best_replies(c)
    brand = " / ".join(c.brands)
    examples_note = (
        f"These are {brand}'s own replies after which the customer's next post was clearly more positive "
        "(sentiment score up by 0.5 or more). They show the voice to copy. Personal data is masked."
        if examples else
        f"No reply in this export was followed by a clearly more positive customer post, so there is no "
        f"in-house example yet: use the templates below and collect your first good examples in the next 30 days.")
    sign = "^[initials]"
    templates = [
        {"name": "Apology (public, first reply to a complaint)", "when": "Complaints, P2; within " + p2,
         "text": f"Hi [name], I'm sorry [the problem in their words] - that's not the service we want you to have. "
                 f"I'd like to sort it now: could you send us a {private} with your [order/account] reference? {sign}"},
        {"name": f"Moving to a private channel", "when": "Whenever personal data is needed",
         "text": f"Thanks [name]. So we can check your [order/account] safely, please send us a {private} with "
                 f"[the details needed] - please don't post them here. I'll pick it up within {p2}. {sign}"},
        {"name": "Follow-up", "when": "24 h after a fix was promised, in the same thread",
         "text": f"Hi [name], checking back on your [issue] from [day]: is everything working now? If not, reply "
                 f"here and I'll take it straight on. {sign}"},
        {"name": "Thanking an advocate", "when": "Compliments, P4; same day",
         "text": f"Thank you, [name]! That's made the team's day - I'll pass it on to [team/store]. "
                 f"Enjoy your [product]! {sign}"},
        {"name": "Holding statement (tier 4)", "when": "Surge or incident; within 30 min of the trigger",
         "text": "We know some customers are having problems with [issue] since [time]. We're working on it now "
                 "and will update here by [time]. We're sorry for the disruption."},
    ]
    ctx.inputs["response_guidelines"] = {
        "voice_figures": {k: getattr(b, k) for k in ("signoff_share", "canned_share", "personalised_share",
                                                       "redirect_share", "escalation_share", "follow_up_rate")},
        "example_reply_ids": [e["reply_id"] for e in examples],
        "most_repeated_reply_times": repeated["times"] if repeated else None}
    lead = (f"How {brand} should sound, taken from the replies that already work for your customers "
            "and the ones that do not.")
    return {"lead": lead, "voice": voice, "do": do, "dont": dont, "examples": examples,
            "examples_note": examples_note, "templates": templates}


def build_staffing(ctx: Context, handle_min: float) -> dict:
    targets = ctx.standards["targets"]
    share_1h = float(targets["within_1h"]["target_90"])
    share_1h = min(max(share_1h, 0.2), 0.95)
    arrivals = arrivals_per_hour_of_week(ctx.client, ctx.base.weeks)
    plan = staffing.plan(arrivals, handle_min=handle_min, target_min=60, target_share=share_1h)
    s = plan["summary"]
    windows = staffing.coverage_windows(plan["cover"])
    rows = []
    for d, day in enumerate(staffing.WEEKDAYS):
        hours = range(d * 24, d * 24 + 24)
        rostered = "; ".join(f"{w['from']}-{w['to']} x{w['agents']}" for w in windows
                             if w["day"] == day and w["agents"] > 0)
        rows.append({"day": day, "contacts": sum(plan["arrivals"][h] for h in hours),
                     "peak": max(plan["agents"][h] for h in hours),
                     "agent_hours": sum(plan["cover"][h] for h in hours),
                     "rostered": rostered or "no demand"})
    blended = s["mean_occupancy"] < BLENDED_BELOW
    tiles = [
        _tile("Conversations per week", s["contacts_per_week"], "number"),
        _tile(f"Peak agents on duty ({s['peak_hour']})", s["peak_agents"], "number"),
        _tile("Hours a week with an agent on duty", s["hours_staffed"], "number", "of 168"),
        _tile("Handling workload (FTE)", s["fte_workload"], "decimal",
              f"{s['workload_hours']:g} agent-hours of replies a week"),
        _tile("Occupancy of on-duty agents", s["mean_occupancy"], "percent",
              "blend with other channels" if blended else "dedicated team"),
    ]
    presence = (f"someone on duty {s['hours_staffed']} hours a week, {s['peak_agents']} at the peak "
                f"({s['peak_hour']})")
    if blended:
        advice = (f"At this volume social work fills only {s['mean_occupancy']:.0%} of an on-duty agent's time "
                  f"({s['fte_workload']:g} FTE of handling): name an agent on duty in those hours who also works "
                  "e-mail or phone, rather than a dedicated team, and keep the back-up (orange line) on call.")
    else:
        advice = (f"That is {s['fte_on_duty']:g} FTE on duty after shrinkage, {s['fte_rostered']:g} FTE with the "
                  "back-up rostered wherever the model needs one person.")
    lead = (f"To answer {share_1h:.0%} of conversations within 1 hour (the day-90 standard) at today's volume of "
            f"{s['contacts_per_week']:,.0f} conversations a week, you need {presence}. " + advice)
    assumptions = [
        f"Erlang C per hour of the week (Monday 00:00 first, {ctx.client.tz}); arrivals are the customer-opened "
        f"conversations in each hour of an average week ({ctx.base.weeks:.1f} weeks of data).",
        f"Handle time {handle_min:g} minutes of agent work per conversation (reading, replying, case notes).",
        f"Occupancy capped at {staffing.DEFAULT_MAX_OCCUPANCY:.0%}; rostered cover adds a back-up where the model "
        "needs a single agent, so nobody covers a public channel alone.",
        f"FTE = rostered agent-hours / ({staffing.DEFAULT_CONTRACT_HOURS:g} h x (1 - {staffing.DEFAULT_SHRINKAGE:.0%} "
        "shrinkage for breaks, training and leave)).",
        f"Arrivals are averaged over {plan['parameters']['smooth_hours']} neighbouring hours; breaks of up to "
        f"{plan['parameters']['max_gap']} hours in the roster are closed. Remaining hours without an agent are "
        "covered by the tier-1 auto-acknowledgement.",
    ]
    ctx.inputs["staffing"] = {"parameters": plan["parameters"], "summary": s,
                              "arrivals_per_hour_of_week": plan["arrivals"]}
    return {"lead": lead, "tiles": tiles, "plan": {k: plan[k] for k in ("agents", "cover", "arrivals")},
            "summary": s, "parameters": plan["parameters"],
            "caption": "Filled: agents the Erlang C model needs on duty; orange: rostered cover with back-up; "
                       "thin line: conversations per hour in an average week.",
            "roster": _table([("day", "Day", None), ("contacts", "Conversations", "decimal"),
                              ("peak", "Peak agents", "number"), ("agent_hours", "Agent-hours", "number"),
                              ("rostered", "Rostered cover (hours x agents)", None, "wide")], rows),
            "assumptions": assumptions}


# --------------------------------------------------------------------------------------------
# The grade, as the playbook reads it (``maturity.grade`` output)
# --------------------------------------------------------------------------------------------
LEVEL_ANCHOR = {lv: 100.0 * i / (len(LEVELS) - 1) for i, lv in enumerate(LEVELS)}


@dataclass(frozen=True)
class Grade:
    level: str
    label: str
    score: float | None
    summary: str
    next_level: str | None
    next_label: str | None
    dimensions: list[dict]        # key, label, score, target (0-100), gap, description
    todo: list[dict]              # next level's unmet criteria (required first), with dimension
    next_thresholds: dict         # metric -> the next level's threshold (numeric metrics only)
    description: str


def _dimension_target(criteria: list[Mapping], aim: str) -> float | None:
    """The dimension score once every criterion with a threshold at ``aim`` just meets it (a
    criterion scores its level's anchor at its threshold); criteria the level does not ask
    about keep today's score, so a dimension the next level ignores shows no gap."""
    pairs = []
    for crit in criteria:
        score = _num(crit.get("score"))
        if score is None:
            continue  # not assessed: left out, as in the grade's own weighting
        asked = aim in (crit.get("levels") or {})
        pairs.append((float(crit.get("weight", 1.0)), max(score, LEVEL_ANCHOR[aim]) if asked else score))
    total = sum(w for w, _ in pairs)
    return sum(w * x for w, x in pairs) / total if total else None


def read_grade(maturity: Mapping) -> Grade:
    level = str(maturity.get("level", "passive"))
    nxt = maturity.get("next_level") or None
    aim = nxt["level"] if nxt else level   # at the top: hold the top level's thresholds
    dims, thresholds = [], {}
    for key, d in (maturity.get("dimensions") or {}).items():
        score = _num(d.get("score"))
        criteria = list((d.get("criteria") or {}).values())
        target = _dimension_target(criteria, aim)
        dims.append({"key": key, "label": d.get("title", key), "score": score, "target": target,
                     "gap": None if score is None or target is None else max(0.0, target - score),
                     "description": d.get("description", "")})
        for crit in criteria:
            t = (crit.get("levels") or {}).get(aim)
            if t is not None and crit.get("kind") == "metric" and _num(t.get("threshold")) is not None:
                thresholds[crit["metric"]] = float(t["threshold"])
    todo = []
    if nxt:
        for required, items in ((True, nxt.get("required", [])), (False, nxt.get("recommended", []))):
            for item in items:
                todo.append({**item, "required": required, "dimension": str(item["ref"]).split(".")[0]})
    definitions = maturity.get("level_definitions") or {}
    return Grade(level=level, label=maturity.get("level_title") or LEVEL_TITLES.get(level, level),
                 score=_num(maturity.get("score")), summary=str(maturity.get("summary", "")),
                 next_level=nxt["level"] if nxt else None, next_label=nxt.get("title") if nxt else None,
                 dimensions=dims, todo=todo, next_thresholds=thresholds,
                 description=str((definitions.get(level) or {}).get("description", "")))


# --------------------------------------------------------------------------------------------
# Current state, KPIs, roadmap, executive summary, appendix
# --------------------------------------------------------------------------------------------
FRT_BUCKETS = ((15 * 60, "Within 15 min"), (3600, "15-60 min"), (4 * 3600, "1-4 h"),
               (24 * 3600, "4-24 h"), (math.inf, "Over 24 h"))


def frt_buckets(c: Client, b: Baseline) -> dict:
    """Share of customer-opened conversations by time to the first reply (last bucket: never).
    From the conversations when given (finer buckets), else from the metrics' nested shares."""
    conv = c.conversations
    if len(conv):
        answered = conv["answered"].fillna(False).astype(bool)
        seconds = conv["first_response_s"].astype(float).where(answered)
        edges = [-math.inf] + [e for e, _ in FRT_BUCKETS]
        counts = pd.cut(seconds.dropna(), edges, right=True).value_counts(sort=False).tolist()
        labels = [label for _, label in FRT_BUCKETS] + ["Never answered"]
        counts.append(int((~answered).sum()))
        return {"labels": labels, "shares": [round(n / len(conv), 4) for n in counts], "counts": counts}
    if b.response_rate is None or b.within_1h is None or b.within_4h is None:
        return {"labels": [], "shares": [], "counts": []}
    return {"labels": ["Within 1 h", "1-4 h", "Over 4 h", "Never answered"],
            "shares": [round(b.within_1h, 4), round(max(0.0, b.within_4h - b.within_1h), 4),
                       round(max(0.0, b.response_rate - b.within_4h), 4),
                       round(max(0.0, 1.0 - b.response_rate), 4)], "counts": []}


def _grid(values: Sequence[float | None], scale: float = 1.0) -> list[list[float | None]]:
    """168 hour-of-week values -> 7 rows (Mon..Sun) x 24 hours."""
    vals = [None if v is None else float(v) * scale for v in values]
    return [vals[d * 24:(d + 1) * 24] for d in range(7)] if len(vals) == 168 else []


BRAND_COLUMNS = (("handle", "Handle", None), ("inbound_posts", "Customer posts", "number"),
                 ("response_rate", "Answered", "percent"),
                 ("first_response_median_min", "Median first reply", "minutes"),
                 ("first_response_within_1h", "Within 1 h", "percent"),
                 ("unanswered_negative_share", "Negative posts unanswered", "percent"),
                 ("private_redirect_share", "Moved to private", "percent"))


def _scope_rows(scopes: Mapping[str, Mapping], names: Iterable[str]) -> list[dict]:
    return [{"handle": name, **{k: scopes[name].get(k) for k, _, _ in BRAND_COLUMNS[1:]}}
            for name in names if name in scopes]


PEER_METRICS = ("response_rate", "first_response_median_min", "first_response_within_1h",
                "unanswered_negative_share", "sentiment_recovery_rate", "private_redirect_share")


def peer_comparison(peers: Mapping | None, definitions: Mapping) -> dict:
    """The client against the other brands in the same export (``peers.from_metrics``)."""
    columns = [("metric", "Metric", None), ("value", "You", "mixed"), ("peer_median", "Peer median", "mixed"),
               ("rank", "Rank", None)]
    if not peers or not peers.get("available"):
        reason = (peers or {}).get("reason") or "no peer brands were compared"
        return {"note": f"No peer comparison: {reason}.", "table": _table(columns, [])}
    rows = []
    for metric in PEER_METRICS:
        r = (peers.get("metrics") or {}).get(metric)
        if not r or r.get("value") is None:
            continue
        fmt = "minutes" if (definitions.get(metric) or {}).get("unit") == "minutes" else "percent"
        rows.append({"metric": _title(definitions, metric),
                     "value": _fig(r["value"], fmt), "peer_median": _fig(r.get("peer_median"), fmt),
                     "rank": f"{r['rank']} of {r['n_ranked']}" if r.get("rank") else "–"})
    handles = ", ".join("@" + p["handle"] for p in peers.get("peers", []))
    return {"note": f"Ranked against the other brand accounts in the same export ({handles}); 1 = best.",
            "table": _table(columns, rows)}


def build_current_state(ctx: Context, complaints: dict, mix: list[dict], peers: Mapping | None) -> dict:
    b, m = ctx.base, ctx.metrics
    unanswered = None if b.response_rate is None else round(b.conversations * (1 - b.response_rate))
    tiles = [
        _tile("Customer conversations", b.conversations, "number", f"{b.conversations / b.weeks:,.0f} a week"),
        _tile("Answered", b.response_rate, "percent", alert=_below(b.response_rate, 0.6)),
        _tile("Median first reply", b.median_s, "duration", "benchmark: within 1 h",
              alert=b.median_s is not None and b.median_s > COMPLAINT_STANDARD_S),
        _tile("Answered within 1 h", b.within_1h, "percent", f"{EXPECT_1H:.0%} of complainers expect it",
              alert=_below(b.within_1h, EXPECT_1H)),
        _tile("Complaints never answered", complaints["unanswered_complaints"], "number",
              alert=bool(complaints["unanswered_complaints"])),
        _tile("Negative conversations recovered", b.recovery, "percent"),
    ]
    findings = []
    if unanswered is not None:
        findings.append(f"{unanswered:,} of {b.conversations:,} customer conversations ({1 - b.response_rate:.0%}) "
                        f"got no reply at all in {b.weeks:.0f} weeks.")
    if b.median_s is not None:
        findings.append(f"Half of the answered conversations waited longer than {_dur(b.median_s)} for the first "
                        f"reply, and 1 in 10 longer than {_dur(b.p90_s)}; {_pct(b.same_day)} were answered the same day "
                        f"({EXPECT_SAME_DAY:.0%} of complainers expect that).")
    if complaints["complaints"]:
        findings.append(f"{complaints['unanswered_complaints']:,} of {complaints['complaints']:,} complaints "
                        f"({complaints['unanswered_complaints'] / complaints['complaints']:.0%}) were never answered.")
    if b.hours_covered is not None:
        findings.append(f"{b.hours_covered} of the 168 hours of the week are covered (a typical reply within 1 h); "
                        f"night-time conversations are answered {_pct(b.night_response_rate)} of the time, "
                        f"weekend ones {_pct(b.weekend_response_rate)}.")
    by_group = {g["group"]: g for g in mix}
    before, after = by_group.get("Before any brand reply"), by_group.get("After a brand reply")
    if before and after:
        verdict = ("Replying works" if after["negative"] < before["negative"] - 0.02
                   else "Replies do not yet change how customers feel")
        findings.append(f"{verdict}: {before['negative']:.0%} of customer posts are negative before the brand's "
                        f"first reply, {after['negative']:.0%} after it.")
    if b.recovery is not None:
        findings.append(f"{_pct(b.recovery)} of answered conversations that opened negative ended neutral or positive.")
    by_brand = _scope_rows(m.get("by_brand", {}), ctx.client.brands)
    channels = m.get("by_channel", {})
    by_channel = _scope_rows(channels, sorted(channels))
    for row in by_channel:
        row["handle"] = str(row["handle"]).capitalize()
    ctx.inputs["current_state"] = {
        "overall": {k: m.get("overall", {}).get(k) for k in (
            "customer_conversations", "inbound_posts", "brand_replies", "response_rate",
            "first_response_median_min", "first_response_p90_min", "first_response_within_1h",
            "first_response_within_4h", "first_response_same_day", "sentiment_recovery_rate",
            "hours_covered_1h", "night_response_rate", "weekend_response_rate")},
        "complaints": complaints, "sentiment_mix": mix,
        "peers": {k: (peers or {}).get(k) for k in ("available", "peers", "reason")}}
    lead = (f"{' and '.join(ctx.client.brands)} received {b.inbound:,} customer posts in "
            f"{b.conversations:,} customer-opened conversations over {b.days} days, and posted {b.replies:,} replies.")
    return {
        "lead": lead, "tiles": tiles, "findings": findings,
        "peers": peer_comparison(peers, m.get("definitions", {})),
        "by_brand": _table(BRAND_COLUMNS, by_brand), "by_channel": _table(
            (("handle", "Channel", None),) + BRAND_COLUMNS[1:], by_channel),
        "captions": {
            "frt": "Share of customer-opened conversations by time to the first brand reply.",
            "heatmap_volume": f"Customer posts per hour in an average week ({ctx.client.tz}).",
            "heatmap_within_1h": "Share of conversations opened in each hour that got a first reply within 1 hour; "
                                 "grey: no conversations.",
            "sentiment_mix": "Sentiment of customer posts; before and after the brand's first reply in the conversation.",
            "sentiment_trend": "Weekly share of negative, neutral and positive customer posts, and the weekly volume.",
        },
    }


# (metric, label, unit of the metric, standards key or None, owner, cadence)
KPIS = (
    ("response_rate", "Customer conversations answered", "share", "response_rate", "Head of customer service", "Weekly"),
    ("first_response_median_min", "Median first response", "minutes", "median", "Social care team lead", "Daily"),
    ("first_response_p90_min", "90th percentile first response", "minutes", "p90", "Social care team lead", "Weekly"),
    ("first_response_within_1h", "Answered within 1 hour", "share", "within_1h", "Social care team lead", "Daily"),
    ("negative_first_response_within_4h", "Negative conversations answered within 4 h", "share", None,
     "Social care team lead", "Weekly"),
    ("unanswered_negative_share", "Negative posts left unanswered", "share", None, "Head of customer service", "Weekly"),
    ("sentiment_recovery_rate", "Negative conversations recovered", "share", None, "Head of customer service", "Monthly"),
    ("hours_covered_share", "Active hours covered within 1 h", "share", None, "Workforce planner", "Monthly"),
    ("private_redirect_share", "Replies moving the case to private", "share", None, "Team leader (quality)", "Monthly"),
    ("signoff_share", "Replies signed by an agent", "share", None, "Team leader (quality)", "Monthly"),
    ("canned_share", "Canned replies", "share", None, "Team leader (quality)", "Monthly"),
    ("follow_up_rate", "Conversations followed up", "share", None, "Head of customer service", "Monthly"),
)


def _kpi_targets(current: float | None, goal: float | None, higher: bool, unit: str) -> tuple:
    """Day-30/90 targets for a KPI without a response standard: the next level's threshold."""
    if goal is None:
        return current, current
    if unit == "minutes":
        return _targets_duration(None if current is None else current * 60, goal * 60)
    if higher:
        return _targets_share(current, goal)
    t30, t90 = _targets_share(None if current is None else 1 - current, 1 - goal)
    return round(1 - t30, 4), round(1 - t90, 4)


def build_kpis(ctx: Context) -> dict:
    overall, defs = ctx.metrics.get("overall", {}), ctx.metrics.get("definitions", {})
    rows = []
    for metric, label, unit, standard, owner, cadence in KPIS:
        fmt = "duration" if unit == "minutes" else "percent"
        current = _num(overall.get(metric))
        if standard:
            t = ctx.standards["targets"][standard]
            t30, t90 = t["target_30"], t["target_90"]
        else:
            higher = (defs.get(metric) or {}).get("higher_is_better", True) is not False
            t30, t90 = _kpi_targets(current, ctx.grade.next_thresholds.get(metric), higher, unit)
        shown = current * 60 if (unit == "minutes" and current is not None) else current
        rows.append({"kpi": label, "current": _fig(shown, fmt), "target_30": _fig(t30, fmt),
                     "target_90": _fig(t90, fmt), "owner": owner, "cadence": cadence, "metric": metric})
    ctx.inputs["kpis"] = {r["metric"]: {"current": r["current"]["value"], "target_30": r["target_30"]["value"],
                                        "target_90": r["target_90"]["value"]} for r in rows}
    aim = ctx.grade.next_label or ctx.grade.label
    return {"lead": f"Twelve numbers to review, each with today's value and the targets that take "
                    f"{ctx.client.name} to {aim}. Definitions are in the appendix.",
            "table": _table([("kpi", "KPI", None), ("current", "Today", "mixed"), ("target_30", "Day 30", "mixed"),
                             ("target_90", "Day 90", "mixed"), ("owner", "Owner", None),
                             ("cadence", "Review", None)], rows)}


PHASES = (
    ("Days 1-30", "speed and coverage", frozenset({"responsiveness", "coverage"})),
    ("Days 31-60", "recovery, voice and channels", frozenset({"recovery", "voice", "channel_strategy"})),
    ("Days 61-90", "integration across the organisation", frozenset({"integration"})),
)
DIMENSION_OWNERS = {"responsiveness": "Head of customer service", "coverage": "Workforce planner",
                    "recovery": "Social care team lead", "channel_strategy": "Social media manager",
                    "voice": "Team leader (quality)", "integration": "Head of customer service + CRM owner"}
QUESTION_ACTIONS = {
    "escalation_policy": "Sign off the escalation tiers of this playbook as the written escalation policy",
    "crm_integration": "Log every social case in the CRM / contact-centre system",
    "triage_routing": "Route every post with the triage matrix (owner, priority, target)",
    "omnichannel_consistency": "Use one knowledge base and one voice for phone, web and social",
    "business_alignment": "Tie the social KPIs to the customer-retention goals of the business",
    "culture_of_sharing": "Send a monthly social insight report to product, training and marketing",
    "social_listening_tool": "Monitor brand mentions that do not tag the brand with a listening tool",
    "backup_staffing": "Roster back-up cover for nights, weekends and surges (see the staffing plan)",
    "training_programme": "Train every agent on these response guidelines; review 10 replies each a month",
}
FIXED_ACTIONS = (
    ("Adopt the triage matrix and publish the roster from the staffing plan", "Head of customer service",
     "Every post has an owner and a target"),
    ("Run the escalation tiers; review every tier 3 and 4 case weekly", "Head of customer service",
     "Tier 3-4 cases reviewed weekly"),
    ("Re-run this audit on the latest 90 days and compare every KPI", "Social media manager",
     "Next maturity level reached"),
)


def _phase_of(dimension: str) -> int:
    """The phase a dimension's actions belong to; unknown (custom rubric) dimensions go mid-way."""
    return next((i for i, (_, _, dims) in enumerate(PHASES) if dimension in dims), 1)


def _value_text(value: Any, unit: str) -> str:
    if unit == "minutes":
        x = _num(value)
        return _dur(None if x is None else x * 60)
    if unit == "share":
        return _pct(_num(value))
    return "n/a" if value is None else str(value)


def _title(definitions: Mapping, metric: str) -> str:
    """A metric's title without the unit tag the metrics registry adds ('... (min)')."""
    return re.sub(r"\s*\(min\)", "", str((definitions.get(metric) or {}).get("title", metric)))


def _criterion_action(item: dict, ctx: Context) -> str:
    """One unmet criterion as an instruction. Where a KPI carries the metric, its day-90 target
    is the one quoted (it can be stricter than the rubric's bar, which is then named)."""
    metric, title = str(item["metric"]), re.sub(r"\s*\(min\)", "", str(item["title"])).lower()
    if metric.startswith("q:"):
        text = QUESTION_ACTIONS.get(metric[2:], f"Confirm and document: {item['title']}")
        return text + (" (not assessed yet: answer the questionnaire)" if item["status"] == "not_assessed" else "")
    unit = (ctx.metrics.get("definitions", {}).get(metric) or {}).get("unit", "share")
    bar = _value_text(item["target"], unit)
    kpi = ctx.inputs.get("kpis", {}).get(metric)
    goal = bar
    if kpi and kpi["target_90"] is not None:
        goal = _value_text(kpi["target_90"] / 60 if unit == "minutes" else kpi["target_90"], unit)
    suffix = f" by day 90 ({ctx.grade.next_label} needs {bar})" if goal != bar else ""
    if item["status"] == "not_assessed" or item.get("value") is None:
        return f"Measure {title} (no data in this export) and bring it to {goal}{suffix}"
    verb = "Raise" if item.get("direction") == "at_least" else "Cut"
    return f"{verb} {title} from {_value_text(item['value'], unit)} to {goal}{suffix}"


def build_roadmap(ctx: Context) -> dict:
    g = ctx.grade
    phases = []
    for i, (name, theme, _dims) in enumerate(PHASES):
        items = sorted((t for t in g.todo if _phase_of(t["dimension"]) == i),
                       key=lambda t: not t["required"])  # stable: rubric order within required
        actions = [{"action": _criterion_action(t, ctx),
                    "why": ("Required" if t["required"] else "Recommended") + f" for {g.next_label}",
                    "owner": DIMENSION_OWNERS.get(t["dimension"], "Head of customer service"),
                    "ref": t["ref"]} for t in items]
        fixed_action, owner, measure = FIXED_ACTIONS[i]
        actions.append({"action": fixed_action, "why": measure, "owner": owner, "ref": None})
        phases.append({"name": name, "theme": theme,
                       "actions": _table([("action", "Action", None, "widest"), ("why", "Why", None),
                                          ("owner", "Owner", None)], actions)})
    required = sum(t["required"] for t in g.todo)
    if g.next_level:
        lead = (f"{ctx.client.name} is {g.label}. Reaching {g.next_label} needs {required} required "
                f"criteri{'on' if required == 1 else 'a'} met; {len(g.todo) - required} more are recommended. "
                "Each action below is one unmet criterion of the rubric, in the order that builds the "
                "operation: speed and coverage first, then recovery and voice, then integration.")
    else:
        lead = (f"{ctx.client.name} is at the top level ({g.label}). The plan holds every standard and "
                "re-checks it each quarter.")
    ctx.inputs["roadmap"] = {"level": g.level, "next_level": g.next_level,
                             "criteria": [t["ref"] for t in g.todo]}
    return {"lead": lead, "target_level": g.next_label, "phases": phases}


def _gap_cost(key: str, ctx: Context) -> str:
    """What a dimension's gap costs, in the client's own counts."""
    b = ctx.base
    if key == "responsiveness" and b.response_rate is not None:
        late = b.conversations * max(0.0, (b.response_rate or 0) - (b.within_4h or 0))
        return (f"{b.conversations * (1 - b.response_rate):,.0f} customer conversations got no reply and "
                f"{late:,.0f} more waited over 4 hours, in {b.weeks:.0f} weeks.")
    if key == "coverage" and b.night_response_rate is not None:
        return (f"Only {_pct(b.night_response_rate)} of night-time and {_pct(b.weekend_response_rate)} of weekend "
                f"conversations are answered; {168 - (b.hours_covered or 0)} hours a week have no cover within 1 h.")
    if key == "recovery" and b.unanswered_negative is not None:
        return (f"{b.unanswered_negative:,} negative posts were left without a reply: each is a customer at risk, "
                f"and replacing one costs about {REPLACEMENT_COST}x keeping one.")
    if key == "channel_strategy" and b.redirect_share is not None:
        return (f"{b.replies * (1 - b.redirect_share):,.0f} replies kept the case in public, where order and "
                "account details get posted and every follower watches the problem.")
    if key == "voice" and b.canned_share is not None:
        return f"{b.replies * b.canned_share:,.0f} replies were copies of a template."
    if key == "integration" and b.follow_up_rate is not None and b.response_rate is not None:
        return (f"{b.conversations * b.response_rate * (1 - b.follow_up_rate):,.0f} answered conversations "
                "were never followed up to confirm the fix.")
    return ""


def _cost(ctx: Context, complaints: dict) -> dict:
    """The headline cost: complaints (or negative posts) nobody answered, turned into customers
    to replace under a cautious loss assumption and the 5x replacement cost."""
    n, what = complaints["unanswered_complaints"], "complaints"
    if n is None:
        n, what = ctx.base.unanswered_negative or 0, "negative posts"
    months = max(ctx.base.days, 1) / 30.4
    per_month = n / months
    lost = per_month * ASSUMED_LOSS_SHARE   # customers a month to win back
    statement = (f"{n:,} {what} went unanswered in {ctx.base.days} days (about {_count(per_month)} a month). "
                 f"If only 1 in {round(1 / ASSUMED_LOSS_SHARE)} of those customers leaves, about {_count(lost)} "
                 f"customers a month must be won back, each costing about {REPLACEMENT_COST} times as much as "
                 f"keeping them: the retention budget of {_count(lost * REPLACEMENT_COST)} customers a month, "
                 "spent on customers you already had."
                 if n else f"No {what} went unanswered in this period: the cost to protect is the "
                 "response time, not the response rate.")
    return {"unanswered": n, "what": what, "per_month": per_month, "lost_per_month": lost,
            "retention_equivalents_per_month": lost * REPLACEMENT_COST, "replacement_multiple": REPLACEMENT_COST,
            "assumed_loss_share": ASSUMED_LOSS_SHARE, "statement": statement}


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _count(x: float) -> str:
    """Counts in sentences: one decimal below 10 ('0.8', '4'), whole numbers above."""
    return f"{x:.1f}".removesuffix(".0") if x < 10 else f"{x:,.0f}"


def _monday(ctx: Context, roadmap: dict) -> list[str]:
    """Three things a manager can start on Monday, from this client's backlog, roster and plan."""
    p2 = _dur(ctx.standards["priority_s"]["P2"])
    backlog = open_complaints(ctx.client, days=7)
    staff = ctx.inputs.get("staffing", {}).get("summary", {})
    first = roadmap["phases"][0]["actions"]["rows"][0]["action"]
    steps = []
    if backlog:
        steps.append(f"Answer the {backlog} complaints from the last 7 days of the export that never got a reply; "
                     "name an owner for each.")
    steps.append(f"Switch on the triage matrix (section 3): every post gets an owner, a priority and a target; "
                 f"complaints within {p2}.")
    if staff:
        steps.append(f"Publish the roster (section 6): someone on duty {staff['hours_staffed']} hours a week, "
                     f"{staff['peak_agents']} at the peak ({staff['peak_hour']}), with a named back-up.")
    steps.append(f"Make the first number to move visible on the team screen: {first[0].lower() + first[1:]}.")
    return steps[:3]


def build_summary(ctx: Context, complaints: dict, roadmap: dict) -> dict:
    g, b = ctx.grade, ctx.base
    gaps = sorted((d for d in g.dimensions if d["gap"]), key=lambda d: (-d["gap"], d["key"]))[:3]
    gap_rows = []
    for d in gaps:
        items = [t for t in g.todo if t["dimension"] == d["key"]][:2]
        actions = [_criterion_action(t, ctx) for t in items]
        finding = "; ".join(a if i == 0 else a[0].lower() + a[1:] for i, a in enumerate(actions)) or d["description"]
        gap_rows.append({"key": d["key"], "label": d["label"], "score": d["score"], "target": d["target"],
                         "fmt": "number", "finding": finding.rstrip(".") + ".", "cost": _gap_cost(d["key"], ctx)})
    cost = _cost(ctx, complaints)
    first_phase = roadmap["phases"][0]["actions"]["rows"]
    headline = (f"{ctx.client.name} is {g.label}: {_pct(b.response_rate)} of customer conversations get a reply, "
                f"the median first reply takes {_dur(b.median_s)}, and {cost['unanswered']:,} {cost['what']} "
                f"went unanswered in {b.days} days.")
    required = [t for t in g.todo if t["required"]]
    summary = [f"{g.label} means: {g.description[0].lower() + g.description[1:]}" if g.description else "",
               (f"To reach {g.next_label}, {len(required)} required criteri{'on' if len(required) == 1 else 'a'} "
                f"must be met ({', '.join(str(t['title']).lower() for t in required[:4])}); the roadmap in "
                "section 8 turns each into an action with an owner." if g.next_level else
                "The task now is to hold every standard as volume grows; the plan in section 8 keeps it measured.")]
    summary = [p for p in summary if p]
    tiles = [
        _tile("Maturity level", g.label, None),
        _tile("Maturity score (0-100)", g.score, "number"),
        _tile("Conversations answered", b.response_rate, "percent", alert=_below(b.response_rate, 0.6)),
        _tile("Median first reply", b.median_s, "duration"),
        _tile(f"Unanswered {cost['what']}", cost["unanswered"], "number", alert=bool(cost["unanswered"])),
    ]
    ctx.inputs["executive_summary"] = {"level": g.level, "score": g.score,
                                       "dimensions": {d["key"]: d["score"] for d in g.dimensions},
                                       "gaps": [d["key"] for d in gaps], "cost": cost}
    return {"headline": headline, "summary": summary, "tiles": tiles,
            "scores": g.dimensions, "gaps": gap_rows, "cost": cost,
            "monday": _monday(ctx, roadmap),
            "chart_caption": (f"Dimension scores (0-100); the marker is the score {_a(g.next_label or g.label)} "
                              "operation reaches once it meets every threshold that level sets.")}


def build_appendix(ctx: Context, accounting: Mapping, model_card: Mapping | None,
                   intent_accuracy: Mapping | None) -> dict:
    defs = ctx.metrics.get("definitions", {})
    used = ["customer_conversations", "inbound_posts", "brand_replies"] + [k[0] for k in KPIS] + [
        "first_response_same_day", "first_response_within_4h", "night_response_rate", "weekend_response_rate",
        "hours_covered_1h", "personalised_share", "escalation_share"]
    definitions = [{"name": defs[k]["title"], "definition": defs[k]["definition"]}
                   for k in dict.fromkeys(used) if k in defs]
    definitions += [
        {"name": "Sentiment before / after the first reply",
         "definition": "Customer posts in customer-opened conversations, split by whether they were posted "
                       "before or after the brand's first reply in the conversation."},
        {"name": "Best replies", "definition": "Brand replies (not repeated word for word) after which the same "
                                               "conversation's next customer post scores at least 0.5 higher in "
                                               "sentiment and is not negative."},
        {"name": "Negative surge", "definition": "An hour whose number of negative customer posts exceeds the "
                                                 f"95th percentile of all hours in the period (at least {SURGE_FLOOR})."},
        {"name": "Staffing", "definition": "Erlang C agents per hour of the week to answer the day-90 share "
                                           "within 1 hour at today's arrival rate; see the staffing assumptions."},
    ]
    acc_rows = [{"item": label, "value": _fig(accounting[key], "number") if isinstance(accounting[key], int)
                 else accounting[key]} for key, label in (
        ("source", "Source file"), ("format", "Format"), ("mapping", "Column mapping"),
        ("encoding", "Encoding"), ("timezone", "Timezone of the export"),
        ("input_rows", "Rows read"), ("accepted", "Rows accepted"), ("quarantined", "Rows quarantined"))
        if key in accounting]
    reasons = [{"reason": str(k).replace("_", " "), "rows": int(v)}
               for k, v in sorted((accounting.get("by_reason") or {}).items()) if v]
    flags = [{"reason": str(k).replace("_", " ") + " (kept, flagged)", "rows": int(v)}
             for k, v in sorted((accounting.get("flags") or {}).items()) if v]
    rows_in, quarantined = accounting.get("input_rows"), accounting.get("quarantined")
    note = (f"Every input row is accounted for: {rows_in:,} read = {accounting.get('accepted', 0):,} accepted + "
            f"{quarantined:,} quarantined (listed with a reason in quarantine.csv)."
            if rows_in is not None and quarantined is not None else "Row accounting was not provided.")
    card = [{"item": str(k).replace("_", " ").capitalize(), "value": v} for k, v in (model_card or {}).items()]
    accuracy = [{"item": str(k).replace("_", " ").capitalize(), "value": v} for k, v in (intent_accuracy or {}).items()
                if not isinstance(v, (dict, list))]
    kv = [("item", "Item", None), ("value", "Value", None)]
    ctx.inputs["appendix"] = {"accounting": dict(accounting), "model_card": dict(model_card or {}),
                              "intent_accuracy": dict(intent_accuracy or {})}
    return {"definitions": definitions, "data_quality_note": note,
            "accounting": _table(kv, acc_rows),
            "quarantine": _table([("reason", "Quarantined or flagged", None), ("rows", "Rows", "number")],
                                 reasons + flags, empty="No row was quarantined or flagged."),
            "model_card": _table(kv, card, empty="No model card was provided for this run."),
            "intent_accuracy": _table(kv, accuracy, empty="Intent accuracy was not evaluated for this run."),
            "assumptions": list(BENCHMARK_NOTES) + [
                "Time zone: hours of the day and week are in " + ctx.client.tz + "."]}


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def _period(b: Baseline) -> dict:
    if not b.start or not b.end:
        return {"start": b.start, "end": b.end, "days": b.days, "label": "period unknown"}
    start, end = pd.Timestamp(b.start), pd.Timestamp(b.end)
    label = f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y} ({b.days} days)"
    return {"start": b.start, "end": b.end, "days": b.days, "label": label}


def _charts(ctx: Context, current_mix: list[dict], trend: dict, staff: dict) -> dict:
    """What to draw, as plain data (render draws it): every chart traceable to playbook.json."""
    series, g = ctx.metrics.get("series", {}), ctx.grade
    frt = frt_buckets(ctx.client, ctx.base)
    return {
        "dimension_scores": {"kind": "dimension_scores", "data": {
            "names": [d["label"] for d in g.dimensions],
            "scores": [d["score"] or 0.0 for d in g.dimensions],
            "targets": [d["target"] for d in g.dimensions], "maximum": 100.0,
            "title": "Maturity score by dimension (0-100)"}},
        "frt_distribution": {"kind": "frt_distribution", "data": {
            "labels": frt["labels"], "shares": frt["shares"], "title": "Time to first brand reply"}},
        "heatmap_volume": {"kind": "heatmap", "data": {
            "matrix": _grid(series.get("inbound_by_hour_of_week", []), 1 / ctx.base.weeks),
            "title": "When customers post", "value_label": "Posts per hour (average week)"}},
        "heatmap_within_1h": {"kind": "heatmap", "data": {
            "matrix": _grid(series.get("answered_within_1h_by_hour_of_week", [])),
            "title": "Share answered within 1 hour, by hour opened", "value_label": "Answered within 1 h",
            "kind": "share"}},
        "sentiment_mix": {"kind": "sentiment_mix", "data": {"groups": current_mix,
                                                            "title": "Sentiment of customer posts"}},
        "sentiment_trend": {"kind": "sentiment_trend", "data": {
            "periods": trend["periods"], "shares": trend["shares"], "volumes": trend["volumes"],
            "title": "Weekly sentiment of customer posts"}},
        "staffing": {"kind": "staffing", "data": {**staff["plan"], "title": "Agents per hour of the week"}},
    }


def build(metrics: Mapping, maturity: Mapping, messages: pd.DataFrame | None = None,
          conversations: pd.DataFrame | None = None, *, client: str, brands: Sequence[str],
          accounting: Mapping, model_card_summary: Mapping | None = None,
          intent_accuracy: Mapping | None = None, peers: Mapping | None = None,
          handle_min: float = staffing.DEFAULT_HANDLE_MIN, redacted: bool = False) -> dict:
    """The playbook for one client: a JSON-ready dict of sections, chart data and inputs.

    ``metrics``/``maturity``: ``metrics.compute_all`` and ``maturity.grade`` output (as in
    metrics.json / maturity.json). ``messages``/``conversations``: the enriched thread frames
    (sentiment and intent joined), used for quoted replies, triggers, sentiment mix and arrivals;
    without them those parts say so instead of failing.
    """
    tz = str(metrics.get("scope", {}).get("tz") or "UTC")
    selected = _select(messages, conversations, client, list(brands), tz)
    base, grade_view = baseline(metrics), read_grade(maturity)
    ctx = Context(client=selected, metrics=metrics, grade=grade_view, base=base,
                  standards=response_standards(grade_view.level, base, grade_view.next_thresholds),
                  evidence=trigger_evidence(selected), inputs={})
    complaints, mix, trend = complaint_counts(selected), sentiment_mix(selected), weekly_sentiment(selected)
    kpis = build_kpis(ctx)                  # before the roadmap, which quotes its targets
    roadmap = build_roadmap(ctx)
    staff = build_staffing(ctx, handle_min)
    sections = {
        "current_state": build_current_state(ctx, complaints, mix, peers),
        "triage": build_triage(ctx),
        "escalation": build_escalation(ctx),
        "response_guidelines": build_guidelines(ctx),
        "staffing": staff,
        "kpis": kpis,
        "roadmap": roadmap,
        "appendix": build_appendix(ctx, accounting, model_card_summary, intent_accuracy),
    }
    sections["executive_summary"] = build_summary(ctx, complaints, roadmap)
    titles = dict(SECTIONS)
    titles["roadmap"] = (f"30/60/90-day roadmap to {grade_view.next_label}" if grade_view.next_label
                         else "30/60/90-day plan to hold the level")
    toc = [{"id": sid, "number": i + 1, "title": titles[sid]} for i, (sid, _) in enumerate(SECTIONS)]
    book = {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "client": client, "brands": list(brands), "period": _period(base),
            "conversations": base.conversations, "redacted": bool(redacted), "timezone": tz,
            "level": {"key": grade_view.level, "label": grade_view.label, "score": grade_view.score},
            "next_level": ({"key": grade_view.next_level, "label": grade_view.next_label}
                           if grade_view.next_level else None),
        },
        "toc": toc,
        **{sid: sections[sid] for sid, _ in SECTIONS},
        "charts": _charts(ctx, mix, trend, staff),
        "inputs": ctx.inputs,
    }
    return jsonable(book)

