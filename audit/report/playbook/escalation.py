"""Section 4, escalation: four tiers and the triggers that move a post up, each trigger shown
with how often it fired in the client's history, plus the response-standards table.
"""
from __future__ import annotations

from audit.report.playbook.assumptions import EXPECT_1H, HIGH_REACH_FOLLOWERS, VERY_NEGATIVE
from audit.report.playbook.context import Context, _a, _table, plural, span
from audit.report.format import duration as _dur, percent as _pct


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
    triggers = [
        {"trigger": "Negative surge",
         "threshold": (f"{surge['threshold']}+ negative posts in one hour (95th percentile of your hourly "
                       f"negative volume is {surge['p95']:g})") if surge["threshold"] is not None else "needs sentiment scores",
         "seen": (f"{plural(surge['hours_above'], 'hour')} in {span(ctx.base.days)}; busiest hour had {surge['peak']}"
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
