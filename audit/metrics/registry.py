"""Service metrics: each metric's written definition sits next to the code that computes it.

The definition text is what the report prints, so keeping it in the same registry entry as the
calculation is the only way to stop the two drifting apart. Every metric is computed on a
*scope* (one brand handle, one channel, or the client's handles together) from the thread-built
messages and conversations described in ``docs/ARCHITECTURE.md``; all work is vectorised pandas.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit.metrics import agents

from audit.metrics import business_hours as BH

from audit.metrics import reply_time
from audit.common.errors import AuditInputError
from audit.metrics.intervals import CONFIDENCE, Interval, quantile_interval, wilson
from audit.common.lookup import lookup
from audit.conversations.threads import UNKNOWN_BRAND
from audit.metrics.trends import monthly as monthly_trends
# Reply text heuristics (sign-offs, redirects, personal address, hand-overs, templates) live in
# audit.conversations.voice, calibrated on hand-labelled real replies; the metric definitions below describe them.
from audit.conversations.voice import agents as _agents
from audit.conversations.voice import hands_over, normalise_reply, personalised, redirects  # noqa: F401 (normalise_reply: playbook)

MESSAGE_COLUMNS = ("message_id", "reply_to_id", "author", "is_customer", "created_at", "text",
                   "channel", "conversation_id", "brand", "sentiment")
CONVERSATION_COLUMNS = ("conversation_id", "brand", "channel", "opened_at", "opened_by_customer",
                        "opening_message_id", "first_response_at", "first_response_s", "answered",
                        "last_customer_at", "last_brand_at")

HOURS_PER_WEEK = 168
MIN_HOUR_CONVERSATIONS = 5     # an hour of the week with fewer conversations is not judged
MAX_EXAMPLES = 10
CANNED_MIN_REPEATS = 3
FOLLOW_UP_GAP = pd.Timedelta(hours=1)
NIGHT_HOURS = (22, 6)          # [22:00, 06:00) local time
SERVICE_HANDLE = re.compile(r"(?:help|support|cares|service)$", re.IGNORECASE)

# Unit -> the range a value (and so a rubric threshold) can take.
UNITS: dict[str, tuple[float, float]] = {
    "count": (0.0, math.inf),
    "posts_per_day": (0.0, math.inf),
    "share": (0.0, 1.0),
    "minutes": (0.0, math.inf),
    "hours_of_week": (0.0, float(HOURS_PER_WEEK)),
    "flag": (0.0, 1.0),
}
INTERVAL_UNITS = frozenset({"share", "minutes"})  # estimates; counts and flags are what happened

@dataclass(frozen=True)
class Measure:
    """A metric value plus the counts behind it, so the grade can cite evidence ("41 of 60"),
    and for estimates (shares, medians, percentiles) its 95% ``interval`` (see audit.metrics.intervals)."""

    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    interval: Interval | None = None

    @property
    def n(self) -> int | None:
        """The evidence size behind an estimate: the denominator of a share, the count of a quantile."""
        return self.denominator


@dataclass(frozen=True)
class Scope:
    """The rows one set of handles is accountable for.

    ``inbound``: customer posts in conversations with the handles; ``convs``: customer-opened
    conversations with them; ``replies``: brand replies *written by* them (so a service handle
    answering on the marketing handle's conversation is credited to the service handle).
    """

    inbound: pd.DataFrame
    convs: pd.DataFrame
    replies: pd.DataFrame
    handles: frozenset[str]
    service: frozenset[str]
    days: int


@dataclass(frozen=True)
class Metric:
    """One registry entry: ``compute`` must implement exactly what ``definition`` says."""

    name: str
    title: str
    definition: str
    unit: str
    higher_is_better: bool | None  # None: volume, neither good nor bad
    compute: Callable[[Scope], Measure]
    group: str
    example: str | None = None  # key of metrics["examples"] that illustrates this metric


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.name in METRICS:
        raise ValueError(f"metric {metric.name!r} registered twice")
    if metric.unit not in UNITS:
        raise ValueError(f"metric {metric.name!r}: unknown unit {metric.unit!r}")
    METRICS[metric.name] = metric
    return metric


def metric_names() -> list[str]:
    return sorted(METRICS)


def get_metric(name: str) -> Metric:
    """Look a metric up by name; an unknown name is a user error that lists the valid ones."""
    try:
        return METRICS[name]
    except KeyError:
        raise AuditInputError(
            f"Unknown metric {name!r}. Valid metric names: {', '.join(metric_names())}.") from None


# --- small vectorised helpers ------------------------------------------------------------------
def share(hits: pd.Series, within: pd.Series | None = None) -> Measure:
    """Share of rows where ``hits`` is True (optionally among rows where ``within`` is True)."""
    if within is not None:
        hits = hits[within]
    n = int(len(hits))
    k = int(hits.sum())
    return Measure(k / n if n else None, k, n, wilson(k, n))


def quantile(values: pd.Series, q: float) -> Measure:
    """Quantile with numpy's default linear interpolation; NaN values (unanswered) are dropped."""
    v = values.dropna()
    return Measure(float(v.quantile(q)) if len(v) else None, None, int(len(v)), quantile_interval(v, q))


def count(mask: pd.Series) -> Measure:
    return Measure(int(mask.sum()))


def _key(handles: pd.Series) -> pd.Series:
    """Handles compare without '@' and case-insensitively: exports mix both spellings."""
    return handles.astype("str").str.lstrip("@").str.casefold()


def _hour_of_week(local: pd.Series) -> pd.Series:
    return local.dt.day_of_week * 24 + local.dt.hour


# --- preparation: every derived column computed once on the full data --------------------------
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
    m["_author"] = _key(m["author"])
    m["_brand"] = _key(m["brand"]).where(m["brand"].notna())
    m["_local"] = m["created_at"].dt.tz_convert(tz)
    m["_how"] = _hour_of_week(m["_local"])
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
    c["_brand"] = _key(c["brand"]).where(c["brand"].notna())
    opened = c["opened_at"].dt.tz_convert(tz)
    first = c["first_response_at"].dt.tz_convert(tz)
    c["_how"] = _hour_of_week(opened)
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


def scope(prep: Prepared, handles: Iterable[str], service: Iterable[str] = (),
          channel: str | None = None) -> Scope:
    """Select the rows the given handles (optionally on one channel) are accountable for."""
    keys = frozenset(h.lstrip("@").casefold() for h in handles)
    m, c = prep.messages, prep.conversations
    m_in = m["channel"].eq(channel) if channel is not None else pd.Series(True, index=m.index)
    c_in = c["channel"].eq(channel) if channel is not None else pd.Series(True, index=c.index)
    return Scope(
        inbound=m.loc[m_in & m["is_customer"] & m["_brand"].isin(keys)],
        convs=c.loc[c_in & c["opened_by_customer"] & c["_brand"].isin(keys)],
        replies=m.loc[m_in & m["_is_reply"] & m["_author"].isin(keys)],
        handles=keys,
        service=frozenset(s.lstrip("@").casefold() for s in service),
        days=len(prep.days),
    )


# --- the registry ------------------------------------------------------------------------------
def _add(name: str, title: str, definition: str, unit: str, higher: bool | None,
         compute: Callable[[Scope], Measure], group: str, example: str | None = None) -> None:
    register(Metric(name, title, definition, unit, higher, compute, group, example))


_add("inbound_posts", "Inbound posts",
     "Number of customer posts in conversations with the brand handle(s).",
     "count", None, lambda s: Measure(len(s.inbound)), "volume")
_add("inbound_per_day", "Inbound posts per day",
     "Inbound posts divided by the number of local calendar days of the analysis window (first to "
     "last post, inclusive, without stray timestamps isolated from the body of the data, or the "
     "--since/--until dates), so brands in one export are comparable.",
     "posts_per_day", None,
     lambda s: Measure(len(s.inbound) / s.days if s.days else None, len(s.inbound), s.days), "volume")
_add("customer_conversations", "Customer-opened conversations",
     "Number of conversations with the brand handle(s) whose first post was written by a customer.",
     "count", None, lambda s: Measure(len(s.convs)), "volume")
_add("brand_replies", "Brand replies",
     "Number of posts written by the brand handle(s) that reply to another post.",
     "count", None, lambda s: Measure(len(s.replies)), "volume")
_add("post_reply_rate", "Posts with a direct reply",
     "Share of inbound customer posts that some brand post replies to directly (its reply-to id "
     "is the customer post).",
     "share", True, lambda s: share(s.inbound["_direct_reply"]), "responsiveness")

# Conversation-level response metrics, for all customer-opened conversations and for subsets.
_SUBSETS: dict[str, tuple[str | None, str]] = {
    "": (None, "customer-opened conversations"),
    "negative_": ("_open_negative", "customer-opened conversations whose opening post is negative"),
    "night_": ("_night", "customer-opened conversations opened at night (22:00-06:00 local time)"),
    "weekend_": ("_weekend", "customer-opened conversations opened on Saturday or Sunday (local time)"),
    "business_hours_": ("_business_hours",
                        "customer-opened conversations opened within the client's business hours "
                        "(scope.business_hours: by default Monday-Friday 09:00-17:00 local time; holidays closed)"),
    "outside_hours_": ("_outside_hours",
                       "customer-opened conversations opened outside the client's business hours "
                       "(evenings, days off and holidays, scope.business_hours)"),
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


def _register_response_family() -> None:
    """One metric per (subset, statistic): same wording and code, only the conversations differ."""
    for prefix, stat_names in _SUBSET_STATS.items():
        flag, subset = _SUBSETS[prefix]
        group = "recovery" if prefix == "negative_" else "coverage" if prefix else "responsiveness"
        label = prefix.rstrip("_").replace("_", " ")
        for stat in stat_names:
            title, definition, unit, higher, fn, example = _STATS[stat]
            _add(prefix + stat, f"{label.capitalize()} {title}" if label else title.capitalize(),
                 definition.format(subset=subset), unit, higher, _subset_compute(flag, fn),
                 group, "unanswered_negative" if prefix == "negative_" else example)


_register_response_family()


def _within_1h_by_hour(convs: pd.DataFrame) -> pd.Series:
    return convs.groupby("_how")["_within_1h"].mean().reindex(range(HOURS_PER_WEEK))


def _judged_hours(convs: pd.DataFrame) -> pd.Series:
    """Within-1-hour share per hour of the week, for the hours with enough conversations to judge."""
    sizes = convs.groupby("_how").size()
    return _within_1h_by_hour(convs).loc[lambda r: r.index.isin(sizes.index[sizes >= MIN_HOUR_CONVERSATIONS])]


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
_add("hours_covered_1h", "Hours of the week covered within 1 h",
     f"Number of the 168 hours of the week that are covered; {_COVERED}. Hours not judged "
     "count as not covered.",
     "hours_of_week", True, _hours_covered, "coverage")
_add("hours_covered_share", "Share of active hours covered within 1 h",
     f"Share of the judged hours of the week that are covered; {_COVERED}.",
     "share", True, _hours_covered_share, "coverage")
_add("business_hours_covered_share", "Share of business hours covered within 1 h",
     f"Share of the judged hours of the week that lie (at least half) inside the client's business hours "
     f"(scope.business_hours) and are covered; {_COVERED}.",
     "share", True,
     lambda s: share(_judged_hours(s.convs).loc[lambda r: r.index.isin(s.convs.loc[s.convs["_how_in_hours"], "_how"])]
                     >= 0.5),
     "coverage")
_add("hours_not_judged", "Hours of the week too thin to judge",
     f"Number of hours of the week with at least one but fewer than {MIN_HOUR_CONVERSATIONS} "
     "customer-opened conversations: their coverage is not judged.",
     "hours_of_week", None, _hours_not_judged, "coverage")


def _negative_posts(s: Scope) -> pd.DataFrame:
    return s.inbound.loc[s.inbound["_negative"]]


_UNANSWERED_POST = ("no brand post follows it (later in time) in the same conversation")
_add("unanswered_negative", "Unanswered negative posts",
     f"Number of negative customer posts where {_UNANSWERED_POST}.",
     "count", False, lambda s: count(~_negative_posts(s)["_followed"]), "recovery", "unanswered_negative")
_add("unanswered_negative_share", "Share of negative posts unanswered",
     f"Share of negative customer posts where {_UNANSWERED_POST}.",
     "share", False, lambda s: share(~_negative_posts(s)["_followed"]), "recovery", "unanswered_negative")


def _recovery_base(s: Scope) -> pd.DataFrame:
    return s.convs.loc[s.convs["_open_negative"] & s.convs["answered"]]


_add("sentiment_recovery_rate", "Sentiment recovery",
     "Share of conversations opened by the customer with a negative post and answered by the brand "
     "whose last customer post is neutral or positive (a customer who never wrote again ends on "
     "the negative opening post, so does not count as recovered).",
     "share", True,
     lambda s: share(_recovery_base(s)["_last_customer_sentiment"].isin(["neutral", "positive"])),
     "recovery", "not_recovered")
_add("recovered_positive_rate", "Recovered to positive",
     "Share of answered, negatively opened customer conversations whose last customer post is positive.",
     "share", True, lambda s: share(_recovery_base(s)["_last_customer_sentiment"].eq("positive")),
     "recovery", "recovered")
_add("compliments_answered_rate", "Compliments answered",
     f"Share of customer posts with intent 'compliment' or positive sentiment where a brand post "
     f"follows it in the same conversation.",
     "share", True, lambda s: share(s.inbound["_followed"], s.inbound["_praise"]),
     "recovery", "compliments_unanswered")

_add("private_redirect_share", "Replies moving to a private channel",
     "Share of brand replies that move the case out of public view: a DM / direct or private "
     "message, inbox, e-mail (an address or 'email us'), a phone call or number, live chat, a form, "
     "or a link offered as the way to contact support ('reach us here: <link>'); a link to "
     "information only does not count.",
     "share", True, lambda s: share(s.replies["_redirect"]), "channel_strategy", "private_redirect")
_add("service_handle_present", "Dedicated service handle",
     "1 when one of the brand handles is a dedicated service handle (its name ends in help, support, "
     "cares or service, case-insensitive, or it is listed as a service handle in the configuration), "
     "else 0.",
     "flag", True, lambda s: Measure(int(bool(s.handles & s.service))), "channel_strategy")
_add("service_handle_reply_share", "Replies from the service handle",
     "Share of brand replies written by a dedicated service handle.",
     "share", True, lambda s: share(s.replies["_author"].isin(s.service)),
     "channel_strategy", "service_handle_replies")

_add("signoff_share", "Replies signed by an agent",
     "Share of brand replies ending in an agent sign-off (links, thread markers like 2/2 and emoji "
     "after it ignored): a caret, asterisk, slash or dash before initials or a first name (^AB, ^cr, "
     "*KellenF, /LS, - Nick), a closing with a name ('Thanks, James'), or a name alone after the "
     "last sentence; team hashtags and team names are not agents.",
     "share", True, lambda s: share(s.replies["_signoff"]), "voice", "signoff")
_add("personalised_share", "Personalised replies",
     "Share of brand replies that address the customer by name ('Hi Sarah', 'Thanks Tom', "
     "'..., Alexa.') or speak in the first person singular (I, I'm, I'll, I've, I'd, me, my; the "
     "sign-off itself not counted).",
     "share", True, lambda s: share(s.replies["_personal"]), "voice", "personalised")


def _canned(s: Scope) -> pd.Series:
    keys = s.replies["_canned_key"]
    return keys.map(keys.value_counts()) >= CANNED_MIN_REPEATS


_add("canned_share", "Canned replies",
     f"Share of brand replies whose normalised text (links, @handles, greeting names, sign-offs "
     f"removed, numbers replaced, lower-cased, punctuation dropped) is shared by at least "
     f"{CANNED_MIN_REPEATS} replies of the same brand handle(s).",
     "share", False, lambda s: share(_canned(s)), "voice", "canned")
_add("follow_up_rate", "Follow-up",
     "Share of answered customer-opened conversations where the brand follows up: the customer "
     "wrote again after the first brand reply and the brand posted after the customer's last post, "
     "or the brand posted two messages at least 1 hour apart.",
     "share", True, lambda s: share(s.convs["_follow_up"], s.convs["answered"]), "integration", "follow_up")
_add("escalation_share", "Replies handing over to another team",
     "Share of brand replies that hand the case to other people in the organisation: 'passed this "
     "to / on', 'escalated', 'forwarded', 'shared your feedback', 'fed back to', 'logged this', "
     "'a specialist', 'a member of our team', 'check with our ... team' (not 'contact our team', "
     "which sends the customer away).",
     "share", True, lambda s: share(s.replies["_escalation"]), "integration", "escalation")


# --- examples: message ids that illustrate a metric, cited as evidence in the grade ------------
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
        base = _recovery_base(s)
        ok = base["_last_customer_sentiment"].isin(["neutral", "positive"])
        return _open_ids(base.loc[ok if recovered else ~ok])
    return pick


EXAMPLES: dict[str, tuple[str, Callable[[Scope], list[str]]]] = {
    "unanswered_negative": ("negative customer posts with no later brand post in the conversation",
                            lambda s: _ids(_negative_posts(s).loc[lambda d: ~d["_followed"]])),
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


# --- output ------------------------------------------------------------------------------------
def jsonable(obj: object, ndigits: int = 4) -> object:
    """Deterministic JSON-ready copy: keys sorted, floats rounded, NaN/inf/NA -> None."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(obj[k], ndigits) for k in sorted(obj, key=str)}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, ndigits) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return round(x, ndigits) if math.isfinite(x) else None
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def compute_scope(s: Scope) -> dict[str, Measure]:
    return {name: metric.compute(s) for name, metric in METRICS.items()}


def definitions() -> dict[str, dict[str, object]]:
    return {m.name: {"title": m.title, "definition": m.definition, "unit": m.unit,
                     "higher_is_better": m.higher_is_better, "group": m.group, "example": m.example}
            for m in METRICS.values()}


def _values(measures: Mapping[str, Measure]) -> dict[str, object]:
    return {name: m.value for name, m in measures.items()}


def _intervals(measures: Mapping[str, Measure]) -> dict[str, object]:
    """``[low, high]`` of every estimate (shares, times); counts have none and are left out."""
    return {name: None if m.interval is None else list(m.interval)
            for name, m in measures.items() if METRICS[name].unit in INTERVAL_UNITS}


def _interval_n(measures: Mapping[str, Measure]) -> dict[str, object]:
    return {name: m.denominator for name, m in measures.items() if METRICS[name].unit in INTERVAL_UNITS}


def _series(s: Scope, prep: Prepared) -> dict[str, object]:
    by_day = s.inbound["_local"].dt.normalize().value_counts().reindex(prep.days, fill_value=0)
    by_hour = s.inbound["_how"].value_counts().reindex(range(HOURS_PER_WEEK), fill_value=0)
    frt = s.convs["_frt_min"].dropna()
    quantiles = {f"p{int(q * 100)}": (float(frt.quantile(q)) if len(frt) else None)
                 for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.95)}
    return {
        "inbound_by_day": {d.strftime("%Y-%m-%d"): int(n) for d, n in by_day.items()},
        "inbound_by_hour_of_week": [int(n) for n in by_hour],
        "answered_within_1h_by_hour_of_week": _within_1h_by_hour(s.convs).tolist(),
        "first_response_minutes_quantiles": {**quantiles, "n": int(len(frt))},
    }


def brand_handles(prep: Prepared) -> dict[str, str]:
    """Every brand handle in the data (conversation brands and reply authors), key -> spelling."""
    m, c = prep.messages, prep.conversations
    spelled = pd.concat([c.loc[c["brand"].notna(), "brand"].astype("str").str.lstrip("@"),
                         m.loc[~m["is_customer"], "author"].astype("str").str.lstrip("@")])
    spelled = spelled.loc[spelled.ne(UNKNOWN_BRAND)].sort_values().drop_duplicates()
    return dict(zip(spelled.str.casefold(), spelled)) if len(spelled) else {}


def service_handles(handles: Iterable[str], configured: Iterable[str] = ()) -> list[str]:
    """Handles named like a service desk (``*help``, ``*support``, ``*cares``, ``*service``) or configured."""
    extra = {h.lstrip("@").casefold() for h in configured}
    return sorted(h for h in handles if SERVICE_HANDLE.search(h) or h.casefold() in extra)


def compute_all(messages: pd.DataFrame, conversations: pd.DataFrame, brands: Iterable[str], *,
                service_handles_config: Iterable[str] = (), tz: str = "UTC",
                business_hours: BH.BusinessHours | None = None, days: pd.DatetimeIndex | None = None) -> dict:
    """Every registered metric for the client's handles overall, per handle and per channel.

    ``brands`` are the client's handles; every other brand handle in the data still gets a
    ``by_brand`` entry so :mod:`audit.metrics.peers` can rank the client against it.
    """
    client = [b.lstrip("@") for b in brands]
    if not client:
        raise AuditInputError("No client brand handles given; list the client's handles (e.g. Acme, AcmeHelp).")
    prep = prepare(messages, conversations, tz, business_hours, days)
    known = brand_handles(prep)
    present = [h for h in client if h.casefold() in known]
    if not present:
        raise AuditInputError(
            f"None of the client handles {', '.join(client)} appears as a brand in the data. Brand "
            f"handles found: {', '.join(sorted(known.values())) or '(none)'}. Fix the brand list.")
    service = service_handles(known.values(), service_handles_config)
    client_scope = scope(prep, client, service)
    overall = compute_scope(client_scope)
    channels = sorted(set(client_scope.inbound["channel"].dropna()) | set(client_scope.replies["channel"].dropna()))
    brands_ = {spelling: compute_scope(scope(prep, [spelling], service)) for spelling in known.values()}
    by_channel = {ch: compute_scope(scope(prep, client, service, ch)) for ch in channels}
    return jsonable({
        "definitions": definitions(),
        "overall": _values(overall),
        "counts": {name: {"numerator": m.numerator, "denominator": m.denominator}
                   for name, m in overall.items() if m.denominator is not None},
        "by_brand": {h: _values(m) for h, m in brands_.items()},
        "by_channel": {ch: _values(m) for ch, m in by_channel.items()},
        "interval_confidence": CONFIDENCE,
        "intervals": {"overall": _intervals(overall),
                      "by_brand": {h: _intervals(m) for h, m in brands_.items()},
                      "by_channel": {ch: _intervals(m) for ch, m in by_channel.items()}},
        "interval_n": {"overall": _interval_n(overall),
                       "by_brand": {h: _interval_n(m) for h, m in brands_.items()},
                       "by_channel": {ch: _interval_n(m) for ch, m in by_channel.items()}},
        "series": _series(client_scope, prep),
        "trends": monthly_trends(client_scope.convs, client_scope.inbound, tz),
        "examples": {key: pick(client_scope) for key, (_, pick) in EXAMPLES.items()},
        "example_definitions": {key: text for key, (text, _) in EXAMPLES.items()},
        "reply_time_definitions": reply_time.compare(prep.messages, client_scope.convs, client, prep.hours),
        "agents": agents.summary(prep.messages, client_scope.convs, client),
        "scope": {
            "client_handles": client,
            "missing_client_handles": [h for h in client if h.casefold() not in known],
            "service_handles": service,
            "peer_handles": sorted(v for k, v in known.items() if k not in client_scope.handles),
            "channels": channels,
            "tz": tz,
            "business_hours": {**prep.hours.describe(), "holidays_in_period": [
                d.isoformat() for d in prep.hours.holidays_between(prep.days.min(), prep.days.max())]
                if len(prep.days) else []},
            "period": {"start": prep.days.min().strftime("%Y-%m-%d") if len(prep.days) else None,
                       "end": prep.days.max().strftime("%Y-%m-%d") if len(prep.days) else None,
                       "days": len(prep.days)},
        },
    })
