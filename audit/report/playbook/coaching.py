"""Section "Who answers": the agent scorecards (``metrics.agents``, from ``audit.metrics.agents``) and a
coaching note: what the best agents do that the others do not, in their own (masked) words.

Why from the client's own agents: a practice a colleague already uses on the same customers is
easier to adopt than a benchmark, and the quotes show it in the brand's voice. Agents below the
scoring threshold appear pooled, never ranked.
"""
from __future__ import annotations

import pandas as pd

from audit.metrics.agents import AGENT, POOLED, card_key
from audit.reading.redact import redact_text
from audit.report.format import duration as _dur
from audit.report.format import percent as _pct
from audit.report.playbook.context import Context, table_block

MAX_QUOTES = 2
GAP = 0.10          # a practice counts as "what the best do" when their share is 10 points higher


def _weighted(cards: list[dict], share: str, weight: str) -> float | None:
    pairs = [(c[share], c[weight]) for c in cards if c.get(share) is not None and c.get(weight)]
    total = sum(w for _, w in pairs)
    return sum(s * w for s, w in pairs) / total if total else None


def _median(cards: list[dict], key: str) -> float | None:
    values = [c[key] for c in cards if c.get(key) is not None]
    return float(pd.Series(values).median()) if values else None


def practices(best: list[dict], rest: list[dict]) -> list[str]:
    """Sentences for each practice where the best agents are clearly ahead of the others."""
    out = []
    for share, weight, what in (
            ("recovery_rate", "negative_conversations", "turn an upset customer around (the last post is neutral or positive)"),
            ("personalised_share", "replies", "greet the customer by name or speak as themselves"),
            ("private_share", "replies", "move the case to a private channel")):
        b, r = _weighted(best, share, weight), _weighted(rest, share, weight)
        if b is not None and r is not None and b - r >= GAP:
            out.append(f"They {what} in {_pct(b)} of cases, the other scored agents in {_pct(r)}.")
    b, r = _median(best, "median_reply_min"), _median(rest, "median_reply_min")
    if b is not None and r is not None and b < r:
        out.append(f"They answer faster: a median of {_dur(b * 60)} against {_dur(r * 60)}.")
    return out


def quotes(ctx: Context, card: dict) -> list[str]:
    """Up to ``MAX_QUOTES`` different replies of the agent to negative customer posts (earliest
    first), personal data masked; without negative posts to answer, their earliest replies."""
    replies = ctx.client.replies
    if AGENT not in replies.columns or replies.empty:
        return []
    mine = replies.loc[replies[AGENT].astype("string").eq(card["agent"]).fillna(False)
                       & replies["author"].astype("string").str.lstrip("@").eq(card["brand"]).fillna(False)]
    if "sentiment" in ctx.client.inbound.columns:
        negative = ctx.client.inbound.loc[ctx.client.inbound["sentiment"].eq("negative").fillna(False), "message_id"]
        to_negative = mine.loc[mine["reply_to_id"].isin(negative)]
        mine = to_negative if len(to_negative) else mine
    keep = list(ctx.client.brands)
    texts = mine.sort_values(["created_at", "message_id"])["text"].astype(str).drop_duplicates()  # no template twice
    return [redact_text(t, keep) for t in texts.head(MAX_QUOTES)]


def build_coaching(ctx: Context) -> dict:
    a = ctx.metrics.get("agents") or {}
    cards = list(a.get("scorecards") or [])
    rows = [{"agent": c["agent"] if c["scored"] else f"{POOLED} ({c['agents']})", "brand": c["brand"],
             "replies": c["replies"], "conversations": c["conversations"], "median": c.get("median_reply_min"),
             "recovery": c.get("recovery_rate") if c.get("negative_conversations") else None,
             "recovery_ci": _interval(c, "recovery_rate") if c["scored"] else "",
             "personalised": c.get("personalised_share"), "private": c.get("private_share")} for c in cards]
    table = table_block([("agent", "Agent", None), ("brand", "Handle", None), ("replies", "Replies", "number"),
                    ("conversations", "Conversations", "number"), ("median", "Median reply", "minutes"),
                    ("recovery", "Negative turned around", "percent"), ("recovery_ci", "95% interval", None),
                    ("personalised", "Personalised", "percent"), ("private", "To private", "percent")], rows)
    best_keys = set(a.get("best") or [])
    scored = [c for c in cards if c["scored"]]
    best = [c for c in scored if card_key(c) in best_keys]
    rest = [c for c in scored if card_key(c) not in best_keys]
    coaching = [{"agent": c["agent"], "brand": c["brand"], "quotes": quotes(ctx, c)} for c in best]
    found = practices(best, rest) if best and rest else []
    if not a.get("available"):
        lead = a.get("reason") or "Agents were not read for this run."
    else:
        lead = (f"{_pct(a.get('signed_share'))} of your replies are signed by an agent; {a['scored_agents']} agents "
                f"signed at least {a['min_replies']} and are scored below, the rest are pooled. "
                + ("No agent is named best: no agent's 95% interval stands clear of every other scored agent's "
                   "(on recovery, or on reply time where recovery is too thin)." if not best else
                   f"The best ({', '.join(c['agent'] for c in best)}, whose intervals stand clear of the others') "
                   "do things the others can copy." if found else
                   f"{', '.join(c['agent'] for c in best)} stand{'s' if len(best) == 1 else ''} clear of the others on "
                   "their intervals, but no practice separates them from the rest yet."))
    ctx.inputs["coaching"] = {"best": sorted(best_keys), "scored_agents": len(scored),
                              "min_replies": a.get("min_replies")}
    # without scorecards the lead says why; an empty table and its footnote would say nothing more
    return {"available": bool(a.get("available")), "lead": lead, "scorecards": table if rows else None,
            "practices": found, "coaching": coaching if found else [],
            "note": "" if not rows else "Recovery counts the answered conversations opened with a negative post that the agent replied "
                    "in; intervals are 95% Wilson intervals. Quotes are the agents' own replies to upset customers, "
                    "personal data masked."}


def _interval(card: dict, share: str) -> str:
    low, high = card.get(share + "_low"), card.get(share + "_high")
    return f"{_pct(low)}-{_pct(high)}" if low is not None and high is not None else ""
