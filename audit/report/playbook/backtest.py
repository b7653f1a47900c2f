"""Escalation replayed on the client's own history: which tier each customer post would have
gone to under the proposed triggers, how many cases a week that is, and how many of them the
team already answered within the tier's first-response target.

Why a back-test: a trigger that fires on half of all posts, or a target no one has ever met,
is a policy nobody can follow. Replaying it on the client's posts shows the load and the gap
before the policy goes live. Each post goes to exactly one tier, the highest it qualifies for.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from audit.common.handles import handle_keys
from audit.metrics.intervals import wilson
from audit.report.playbook.assumptions import ESCALATE_SHARE, REPEAT_WINDOW, VERY_NEGATIVE
from audit.report.playbook.context import Client
from audit.report.playbook.evidence import repeat_customers, surge_threshold
from audit.report.playbook.lexicon import Lexicon, matches

# tier numbers (highest wins); tier 1 and 2 split the rest of the posts by intent
SELF_SERVICE, AGENT, SUPERVISOR, SECURITY, CRISIS = 1, 2, 3, 4, 5


def first_answer_s(c: Client) -> pd.Series:
    """Per customer post: seconds until the client's next post in the same conversation (NaN
    when none followed): the wait a tier's target is measured against."""
    m = c.messages
    posts = c.inbound[["message_id", "conversation_id", "created_at"]].reset_index()
    author = handle_keys(m["author"])
    brand = m.loc[~m["is_customer"].fillna(False).astype(bool) & author.isin(c.keys).fillna(False),
                  ["conversation_id", "created_at"]].rename(columns={"created_at": "answered_at"})
    if posts.empty or brand.empty:
        return pd.Series(np.nan, index=c.inbound.index, dtype="float64")
    left = posts.sort_values("created_at", kind="stable")
    right = brand.sort_values("answered_at", kind="stable")
    left["_conv"], right["_conv"] = left["conversation_id"].astype(str), right["conversation_id"].astype(str)
    joined = pd.merge_asof(left, right[["_conv", "answered_at"]], left_on="created_at", right_on="answered_at",
                           by="_conv", direction="forward", allow_exact_matches=False)
    wait = (joined["answered_at"] - joined["created_at"]).dt.total_seconds()
    return pd.Series(wait.to_numpy(), index=joined["index"].to_numpy()).reindex(c.inbound.index)


def negative_cutoff(scores: pd.Series, share: float = ESCALATE_SHARE) -> float | None:
    """The sentiment score at or below which a post counts as very negative for this client: the
    ``share`` most negative of its own posts, never milder than ``VERY_NEGATIVE`` (a brand whose
    customers are rarely upset escalates fewer, not milder, posts)."""
    x = pd.to_numeric(scores, errors="coerce").dropna()
    if x.empty:
        return None
    return float(min(np.quantile(x.to_numpy(), share, method="lower"), VERY_NEGATIVE))


def repeat_openings(c: Client) -> pd.Series:
    """Per customer post: it opens a conversation the same customer started within 7 days of
    an earlier one (repeat contact: the first answer did not solve it)."""
    conv = c.conversations
    if conv.empty or "customer" not in conv.columns:
        return pd.Series(False, index=c.inbound.index)
    conv = conv.sort_values(["customer", "opened_at", "conversation_id"], kind="stable")
    again = conv.groupby("customer")["opened_at"].diff().le(REPEAT_WINDOW)
    ids = set(conv.loc[again.fillna(False), "opening_message_id"].astype(str))
    return c.inbound["message_id"].astype(str).isin(ids)


def classify(c: Client, lexicon: Lexicon, share: float = ESCALATE_SHARE) -> pd.DataFrame:
    """Per customer post: ``tier``, the ``trigger`` that put it there, the lexicon ``words`` and
    the ``wait_s`` to the client's next post. ``cutoff`` (in ``attrs``) is the score used."""
    inbound = c.inbound
    found = matches(lexicon, inbound["text"])
    score = pd.to_numeric(inbound.get("sentiment_score", pd.Series(np.nan, index=inbound.index)),
                          errors="coerce")
    cutoff = negative_cutoff(score, share)
    very = score.le(cutoff).fillna(False) if cutoff is not None else pd.Series(False, index=inbound.index)
    repeat = repeat_openings(c)
    question = inbound.get("intent", pd.Series(None, index=inbound.index)).astype("string").eq("question")
    rules = [(found["route"].eq("crisis"), CRISIS, "crisis words"),
             (found["route"].eq("account_security"), SECURITY, "account security words"),
             (very, SUPERVISOR, "very negative"), (repeat, SUPERVISOR, "repeat contact"),
             (question.fillna(False), SELF_SERVICE, "question")]
    tier = pd.Series(AGENT, index=inbound.index, dtype="int64")
    trigger = pd.Series("other post", index=inbound.index, dtype="object")
    done = pd.Series(False, index=inbound.index)
    for hit, t, why in rules:
        take = hit.fillna(False).astype(bool) & ~done
        tier, trigger, done = tier.mask(take, t), trigger.mask(take, why), done | take
    out = pd.DataFrame({"tier": tier, "trigger": trigger, "words": found["words"],
                        "very_negative": very, "repeat": repeat, "wait_s": first_answer_s(c)})
    out.attrs["cutoff"] = cutoff
    return out


def backtest(posts: pd.DataFrame, target_s: float, weeks: float, total: int) -> dict:
    """One tier (or trigger) replayed: cases, their share of all posts, cases a week, and the share
    answered within ``target_s`` (an unanswered post misses), with its Wilson interval and n."""
    n = len(posts)
    met = int(posts["wait_s"].le(target_s).sum())
    iv = wilson(met, n)
    return {"share_of_posts": n / total if total else None,
            "posts_per_week": n / weeks if weeks else None,
            "backtest": {"cases": n, "met": met, "n": n, "target_s": float(target_s),
                         "share_met": met / n if n else None, "interval": list(iv) if iv else None}}


def monotonic_targets(targets: Sequence[float]) -> list[float]:
    """First-response targets from the lowest tier to the highest, made non-increasing: a higher
    tier is never given longer than a lower one (the rule the escalation page states)."""
    out: list[float] = []
    for t in targets:
        out.append(float(t) if not out else min(float(t), out[-1]))
    return out


def tier_figures(posts: pd.DataFrame, targets: Mapping[int, float], weeks: float) -> dict[int, dict]:
    """``backtest`` for every tier, keyed by tier number."""
    total = len(posts)
    return {t: backtest(posts.loc[posts["tier"].eq(t)], targets[t], weeks, total) for t in targets}


def trigger_evidence(c: Client, posts: pd.DataFrame) -> dict:
    """How often each escalation trigger fired in the client's history (``posts`` from
    ``classify``), how many of those posts never got a reply, and the surge hours."""
    unanswered = posts["wait_s"].isna()
    crisis, security = posts["tier"].eq(CRISIS), posts["tier"].eq(SECURITY)
    def seen(mask: pd.Series) -> list[str]:
        counts = posts.loc[mask, "words"].explode().dropna().value_counts()
        return [str(w) for w in counts.sort_index().sort_values(ascending=False, kind="stable").index[:6]]

    has_score = posts.attrs.get("cutoff") is not None
    return {"risk_posts": int(crisis.sum()), "risk_unanswered": int((crisis & unanswered).sum()),
            "security_posts": int(security.sum()), "security_unanswered": int((security & unanswered).sum()),
            "risk_words_seen": seen(crisis), "security_words_seen": seen(security),
            "negative_cutoff": posts.attrs.get("cutoff"), "escalate_share": ESCALATE_SHARE,
            "very_negative": int(posts["very_negative"].sum()) if has_score else None,
            "very_negative_unanswered": int((posts["very_negative"] & unanswered).sum()) if has_score else None,
            "repeat_posts": int(posts["repeat"].sum()),
            "repeat_customers": repeat_customers(c), "surge": surge_threshold(c)}
