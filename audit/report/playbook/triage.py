"""Section 3, triage and routing: who owns each intent x sentiment cell, at what priority and
first-response target, sized by the client's own post counts.
"""
from __future__ import annotations

from audit.common.handles import handle_key
from audit.report.format import duration as _dur
from audit.report.format import percent as _pct
from audit.report.playbook.context import Context, table_block
from audit.report.playbook.evidence import intent_sentiment_counts
from audit.report.playbook.tailoring import Tailoring

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


def build_triage(ctx: Context, tailor: Tailoring) -> dict:
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
               if handle_key(h) in ctx.client.keys]
    owners_rows = [
        {"team": "Customer service", "takes": f"Complaints, {tailor.word('problems')}, frustrated questions",
         "hands_to": f"{tailor.specialist_phrase(capital=True)} via the case system; tier 3 for repeats"},
        {"team": "Technical support", "takes": "Product, how-to and fault questions",
         "hands_to": "Customer service when a fault needs a refund or replacement"},
        {"team": "Marketing", "takes": "Compliments, advocates, general conversation",
         "hands_to": "Customer service for anything that turns out to be a problem"},
    ]
    rules = [
        f"Every post addressed to {', '.join('@' + b for b in ctx.client.brands)} is read within "
        f"{_dur(targets['P2'])}; the owner replies, nobody replies twice.",
        "A post matching a word of the crisis lexicon (safety, legal, regulator, press), or very negative "
        "from a high-reach account, skips the matrix and goes straight to tier 5 (crisis / PR / legal); "
        "account takeover, hacking or fraud goes to tier 4 (account security).",
        "A customer who writes again within 7 days goes to tier 3 (supervisor), whatever the cell says.",
    ]
    if service:
        marketing = [b for b in ctx.client.brands if handle_key(b) not in {handle_key(s) for s in service}]
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
        "matrix": table_block([("intent", "Intent", None), ("sentiment", "Sentiment", "sentiment"),
                          ("share", "Share of posts", "percent"), ("owner", "Owner", None),
                          ("priority", "Priority", "priority"), ("target_s", "First reply within", "duration"),
                          ("action", "First action", None, "wide")], rows),
        "owners": table_block([("team", "Team", None), ("takes", "Takes", None),
                          ("hands_to", "Hands on to", None)], owners_rows),
        "rules": rules,
    }
