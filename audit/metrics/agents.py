"""Agent scorecards: who answers, how fast, and what happens to the customers they answer.

The tools consultants compare against (Sprout's Team Report, Hootsuite Inbox metrics, Sprinklr
and Emplifi agent boards) report per agent. A public export has no agent field, but many brands'
agents sign their replies (``^AB``, ``-Becky``): ``audit.conversations.voice`` reads that token into the
messages' ``agent`` column (nullable string, set on signed brand replies only). That column is
the whole interface this module relies on.

An agent is a token *per brand handle* (``LS`` at one brand is not ``LS`` at another). Only
agents with at least ``MIN_REPLIES`` replies are scored, with 95% intervals from
``audit.metrics.intervals`` (Wilson on shares, order statistics on the median reply time); the rest of a brand's signed replies are pooled, because a share over a handful of
replies ranks noise. Pure functions on the frames of ``audit.metrics.prepare.prepare`` (they read its
per-reply flags ``_personal`` and ``_redirect`` and per-conversation ``_open_negative`` and
``_last_customer_sentiment``, so a figure here means exactly what the overall metric means).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from audit.common.handles import handle_key, handle_keys
from audit.metrics.intervals import quantile_interval, wilson
from audit.metrics.reply_time import message_reply_minutes

AGENT = "agent"
MIN_REPLIES = 20
MIN_NEGATIVE = 5          # negative conversations an agent needs before recovery ranks them
POOLED = "other agents"
RECOVERED = ("neutral", "positive")

DEFINITIONS = {
    "replies": "Brand replies (posts of a client handle that reply to another post) signed by the agent.",
    "conversations": "Distinct conversations the agent replied in.",
    "median_reply_min": "Median minutes from a customer post to its first direct answer, over the customer "
                        "posts whose first answer the agent wrote (the per-message reply time).",
    "recovery_rate": "Share of answered customer conversations opened with a negative post that the agent "
                     "replied in and whose last customer post is neutral or positive.",
    "personalised_share": "Share of the agent's replies that greet the customer by name or speak in the first "
                          "person singular (as the overall 'Personalised replies').",
    "private_share": "Share of the agent's replies that move the case to a private channel (as the overall "
                     "'Replies moving to a private channel').",
}


def signed_replies(messages: pd.DataFrame, handles: Iterable[str]) -> pd.DataFrame:
    """The client's signed replies with the agent's group label (pooled below ``MIN_REPLIES``)."""
    keys = {handle_key(h) for h in handles}
    if AGENT not in messages.columns:
        return messages.iloc[0:0].assign(_group=pd.Series(dtype="string"))
    brand_post = ~messages["is_customer"].fillna(False).astype(bool)
    mine = brand_post & messages["reply_to_id"].notna() & handle_keys(messages["author"]).isin(keys).fillna(False)
    r = messages.loc[mine & messages[AGENT].notna()].copy()
    r["_handle"] = r["author"].astype("string").str.lstrip("@")
    size = r.groupby(["_handle", AGENT])["message_id"].transform("size")
    r["_group"] = r[AGENT].astype("string").where(size >= MIN_REPLIES, POOLED)
    return r


def scorecards(messages: pd.DataFrame, conversations: pd.DataFrame, handles: Iterable[str]) -> list[dict]:
    """One row per scored agent and brand handle, plus one pooled row per handle ("other agents"),
    with counts, medians, shares and their intervals. ``messages``/``conversations``: the frames
    of ``metrics.prepare`` (conversations: the client's customer-opened ones)."""
    handles = list(handles)
    r = signed_replies(messages, handles)
    if r.empty:
        return []
    keys = ["_handle", "_group"]
    g = r.groupby(keys, sort=True)
    table = pd.DataFrame({
        "replies": g.size(),
        "agents": g[AGENT].nunique(),
        "conversations": g["conversation_id"].nunique(),
        "personalised": g["_personal"].sum(),
        "private": g["_redirect"].sum(),
    })
    # reply time: customer posts whose first direct answer this group wrote
    first = message_reply_minutes(messages, handles).merge(
        r[["message_id", *keys]], left_on="answered_by", right_on="message_id", suffixes=("", "_reply"))
    by_group = first.groupby(keys)["minutes"]
    table["median_reply_min"] = by_group.median()
    table["timed_replies"] = by_group.size()
    median_ci = by_group.apply(lambda v: quantile_interval(v, 0.5) or (None, None))
    table["median_reply_min_low"] = median_ci.map(lambda ci: ci[0])
    table["median_reply_min_high"] = median_ci.map(lambda ci: ci[1])
    # recovery: negative, answered customer conversations the group replied in
    base = conversations.loc[conversations["_open_negative"] & conversations["answered"].fillna(False).astype(bool),
                             ["conversation_id", "_last_customer_sentiment"]]
    took_part = r[[*keys, "conversation_id"]].drop_duplicates().merge(base, on="conversation_id")
    took_part["_recovered"] = took_part["_last_customer_sentiment"].isin(RECOVERED)
    table["negative_conversations"] = took_part.groupby(keys).size()
    table["recovered"] = took_part.groupby(keys)["_recovered"].sum()
    table = table.fillna({"timed_replies": 0, "negative_conversations": 0, "recovered": 0})
    for share, k, n in (("personalised_share", "personalised", "replies"), ("private_share", "private", "replies"),
                        ("recovery_rate", "recovered", "negative_conversations")):
        table[share] = table[k] / table[n].where(table[n] > 0)
        ci = [wilson(int(x), int(y)) or (None, None) for x, y in zip(table[k], table[n])]  # one per agent
        table[share + "_low"], table[share + "_high"] = [c[0] for c in ci], [c[1] for c in ci]
    table = table.reset_index().rename(columns={"_handle": "brand", "_group": "agent"})
    table["scored"] = table["agent"].ne(POOLED)
    table = table.sort_values(["scored", "brand", "replies", "agent"], ascending=[False, True, False, True])
    return table.to_dict("records")


def best_agents(cards: list[dict]) -> list[dict]:
    """The top quarter (at least one) of scored agents: by recovery where they have
    ``MIN_NEGATIVE`` negative conversations, then by faster median reply time; of those, only the
    ones whose interval ``separates`` from the others' (none where they all overlap)."""
    scored = [c for c in cards if c["scored"]]
    if len(scored) < 2:
        return []
    def rank(c: dict) -> tuple:
        recovery = c["recovery_rate"] if c["negative_conversations"] >= MIN_NEGATIVE else None
        reply = c["median_reply_min"]
        return (recovery is None, -(recovery or 0.0), reply if reply == reply and reply is not None else np.inf)
    ordered = sorted(scored, key=rank)
    top, rest = ordered[:max(1, len(ordered) // 4)], ordered[max(1, len(ordered) // 4):]
    return [c for c in top if separates(c, rest)]


def separates(card: dict, others: list[dict]) -> bool:
    """Whether ``card``'s 95% interval, on the figure it is ranked by (recovery with
    ``MIN_NEGATIVE`` negative conversations, else median reply time), lies clear of every other
    scored agent's interval on that figure: "best" is not said of an agent whose interval
    overlaps another's."""
    if card["negative_conversations"] >= MIN_NEGATIVE:
        rivals = [o for o in others if o["negative_conversations"] >= MIN_NEGATIVE]
        low = card.get("recovery_rate_low")
        return bool(rivals) and low is not None and all(
            o.get("recovery_rate_high") is not None and low > o["recovery_rate_high"] for o in rivals)
    high = card.get("median_reply_min_high")
    rivals = [o for o in others if o.get("median_reply_min_low") is not None]
    return bool(rivals) and high is not None and high == high and all(high < o["median_reply_min_low"] for o in rivals)


def card_key(card: dict) -> str:
    """``Acme/AB``: an agent is a token per brand handle."""
    return f"{card['brand']}/{card['agent']}"


def summary(messages: pd.DataFrame, conversations: pd.DataFrame, handles: Iterable[str]) -> dict:
    """``metrics.agents``: scorecards (scored agents first, then one pooled row per handle), the
    best agents' keys, the definitions, and how many of the client's replies are signed at all."""
    handles = list(handles)
    base = {"min_replies": MIN_REPLIES, "definitions": DEFINITIONS}
    if AGENT not in messages.columns:
        return {**base, "available": False,
                "reason": "The messages carry no agent column (sign-offs were not read), so no agent is scored."}
    keys = {handle_key(h) for h in handles}
    brand_post = ~messages["is_customer"].fillna(False).astype(bool)
    mine = brand_post & messages["reply_to_id"].notna() & handle_keys(messages["author"]).isin(keys).fillna(False)
    signed = int((mine & messages[AGENT].notna()).sum())
    cards = scorecards(messages, conversations, handles)
    scored = [c for c in cards if c["scored"]]
    out = {**base, "replies": int(mine.sum()), "signed_replies": signed,
           "signed_share": signed / int(mine.sum()) if int(mine.sum()) else None,
           "scored_agents": len(scored), "scorecards": cards, "best": [card_key(c) for c in best_agents(cards)]}
    if not signed:
        return {**out, "available": False, "reason": "None of the client's replies is signed by an agent."}
    if not scored:
        return {**out, "available": False,
                "reason": f"No agent signed {MIN_REPLIES} replies or more: the signed replies are pooled, none is scored."}
    return {**out, "available": True}
