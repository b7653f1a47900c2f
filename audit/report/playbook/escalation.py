"""Section 5, escalation: five tiers, the triggers that move a post up, and each tier replayed on
the client's own history (``backtest``): cases a week and the share already answered within the
tier's target. Plus the response-standards table.

Two rules the page states and the tests hold: the supervisor tier takes a stated small share of
posts (the client's most negative few percent, not a fixed score that can catch half of them),
and first-response targets never loosen as the tier rises.
"""
from __future__ import annotations

import pandas as pd

import audit.report.playbook.backtest as bt
from audit.report.format import duration as _dur
from audit.report.format import interval as _interval
from audit.report.format import percent as _pct
from audit.report.playbook.assumptions import EXPECT_1H, HIGH_REACH_FOLLOWERS
from audit.report.playbook.context import Baseline, Context, plural, span, table_block, with_article
from audit.report.playbook.tailoring import Tailoring

SLA_RULE = ("First-response targets never loosen as the tier rises: each tier's target is at most the "
            "target of the tier below it.")


def _targets(ctx: Context) -> dict[int, float]:
    pr = ctx.standards["priority_s"]
    ordered = bt.monotonic_targets([pr["P3"], pr["P2"], pr["P1"], pr["P1"], ctx.standards["crisis_s"]])
    return dict(zip((bt.SELF_SERVICE, bt.AGENT, bt.SUPERVISOR, bt.SECURITY, bt.CRISIS), ordered))


def history(fig: dict) -> str:
    """'2.1 posts a week (4% of customer posts); 63% answered within 15 min (95%: 50-75%, n=40)'."""
    b = fig["backtest"]
    if not b["cases"]:
        return "would not have fired in your history"
    rate = f"{fig['posts_per_week']:,.1f}".removesuffix(".0")
    weekly = ("under 0.1 posts a week" if fig["posts_per_week"] < 0.05
              else f"{rate} {'post' if rate == '1' else 'posts'} a week")
    return (f"{weekly} ({_pct(fig['share_of_posts'])} of customer posts); "
            f"{_pct(b['share_met'])} already answered within {_dur(b['target_s'])} "
            f"(95%: {_interval(b['interval'], 'percent')}, n={b['n']:,})")


def _tiers(ctx: Context, targets: dict[int, float], figures: dict[int, dict], cutoff: float | None,
           tailor: Tailoring) -> list[dict]:
    ev, surge = ctx.evidence, ctx.evidence["surge"]
    share = _pct(ev["escalate_share"])
    negative = (f"very negative post: sentiment score {cutoff:.2f} or lower, the most negative {share} of your "
                "customer posts" if cutoff is not None else "very negative post (needs sentiment scores)")
    specs = [
        (bt.SELF_SERVICE, "Self-service", "Help centre and saved answers",
         ["questions with a published answer (in your history: every post read as a question, the upper bound)",
          "outside staffed hours: an automatic acknowledgement with the hours and help link"],
         "same day", "Reply with the help-centre link and one line of context; tier 2 picks up anything the link does not solve."),
        (bt.AGENT, "Social agent", "Social care team (the triage owner)",
         ["every complaint and every post no higher tier takes", "compliments and advocates (thank by name)"],
         "within 24 h, or an update every 24 h",
         "Acknowledge in public, take personal details to a private channel, resolve, and come back to the public thread to close it."),
        (bt.SUPERVISOR, "Supervisor", f"Team leader; {tailor.specialist_phrase()}",
         [negative, "repeat contact: the same customer opens another conversation within 7 days",
          "refund, compensation or exception beyond the agent's authority (agent's call)"],
         "owner named to the customer within 1 h", "Supervisor replies or names the specialist; the case keeps one owner until closed."),
        (bt.SECURITY, "Account security", "Account-security or fraud specialist",
         ["account takeover, hacking, phishing or fraud words (editable lexicon)"],
         "account secured or recovery started the same day",
         "Move to a private, verified channel at once; never ask for passwords in public; follow the recovery procedure."),
        (bt.CRISIS, "Crisis, PR and legal", "Head of service + PR lead + legal on call",
         ["safety, legal, regulator or press words (editable lexicon, product names excepted)",
          f"negative surge: {surge['threshold'] if surge['threshold'] is not None else 'n/a'}+ negative posts in one hour",
          f"very negative post from a high-reach account (about {HIGH_REACH_FOLLOWERS:,}+ followers, press or verified)"],
         "holding statement within 1 h, updates every 2 h",
         "Stop scheduled marketing posts, publish the holding statement, route every related post to one owner, log for legal."),
    ]
    return [{"tier": t, "name": name, "owner": owner, "when": when, "target_s": targets[t], "resolve": resolve,
             "action": action, **figures[t], "history": history(figures[t])}
            for t, name, owner, when, resolve, action in specs]


def _triggers(ctx: Context, posts: pd.DataFrame, targets: dict[int, float]) -> list[dict]:
    ev, surge, weeks, total = ctx.evidence, ctx.evidence["surge"], ctx.base.weeks, len(posts)
    cutoff = ev["negative_cutoff"]

    def seen(mask: pd.Series, tier: int) -> str:
        return history(bt.backtest(posts.loc[mask], targets[tier], weeks, total))

    def words(key: str) -> str:
        return f"; words seen: {', '.join(ev[key])}" if ev[key] else ""
    return [
        {"trigger": "Crisis words", "threshold": "any match in a customer post, product names excepted",
         "set_from": "the audit's editable word list", "seen": seen(posts["tier"].eq(bt.CRISIS), bt.CRISIS) + words("risk_words_seen"),
         "tier": bt.CRISIS},
        {"trigger": "Negative surge",
         "threshold": (f"{surge['threshold']}+ negative posts in one hour (95th percentile of your hourly "
                       f"negative volume is {surge['p95']:g})") if surge["threshold"] is not None else "needs sentiment scores",
         "set_from": "your data (95th percentile)",
         "seen": (f"{plural(surge['hours_above'], 'hour')} in {span(ctx.base.days)}; busiest hour had {surge['peak']}"
                  if surge["hours_above"] is not None else "n/a"), "tier": bt.CRISIS},
        {"trigger": "Account security words", "threshold": "any match (hacked, phishing, fraud, ...)",
         "set_from": "the audit's editable word list", "seen": seen(posts["tier"].eq(bt.SECURITY), bt.SECURITY) + words("security_words_seen"),
         "tier": bt.SECURITY},
        {"trigger": "Very negative post",
         "threshold": f"sentiment score {cutoff:.2f} or lower" if cutoff is not None else "needs sentiment scores",
         "set_from": _aimed(ev, posts),
         "seen": seen(posts["very_negative"], bt.SUPERVISOR) if cutoff is not None else "n/a", "tier": bt.SUPERVISOR},
        {"trigger": "Repeat contact", "threshold": "same customer opens another conversation within 7 days",
         "set_from": "fixed rule", "seen": seen(posts["repeat"], bt.SUPERVISOR), "tier": bt.SUPERVISOR},
        {"trigger": "High reach", "threshold": f"about {HIGH_REACH_FOLLOWERS:,}+ followers, press or verified account",
         "set_from": "fixed rule",
         "seen": "not in this export (follower counts are not included); check in the publishing tool", "tier": bt.CRISIS},
    ]


def _aimed(ev: dict, posts: pd.DataFrame) -> str:
    """Where the cut-off came from; says so when tied scores take more than the share aimed at."""
    aim = f"your data (the most negative {_pct(ev['escalate_share'])})"
    got = float(posts["very_negative"].mean()) if len(posts) else 0.0
    return aim if got <= 1.5 * ev["escalate_share"] else f"{aim[:-1]}; tied scores at the cut-off take {_pct(got)})"


def _today(base: Baseline) -> str:
    """Today's wait, in the figures the export has (none when it links no reply to a post)."""
    hour = (f"{_pct(base.within_1h)} are answered within 1 hour (a reply within the hour is what "
            f"{EXPECT_1H:.0%} of complainers say they expect)" if base.within_1h is not None else "")
    if base.median_s is None or base.p90_s is None:
        return f"Today {hour}. " if hour else ""
    return (f"Today the median customer waits {_dur(base.median_s)} for a first reply and 1 in 10 waits longer "
            f"than {_dur(base.p90_s)}" + (f"; {hour}. " if hour else ". "))


def build_escalation(ctx: Context, posts: pd.DataFrame, tailor: Tailoring) -> dict:
    """``posts``: the client's customer posts classified by ``backtest.classify``; ``tailor``: who
    the supervisor tier hands on to (the client's own specialist teams)."""
    targets = _targets(ctx)
    figures = bt.tier_figures(posts, targets, ctx.base.weeks)
    tiers = _tiers(ctx, targets, figures, ctx.evidence["negative_cutoff"], tailor)
    base = ctx.base
    tighten = ("Targets tighten today's figures toward the benchmark: day-30 targets are half-way "
               "(on a log scale for times), day-90 targets are the standard "
               f"{with_article(ctx.grade.next_label or ctx.grade.label)} operation meets (where today's figure is "
               "already better, the target holds it).")
    upper = sum(figures[t]["backtest"]["cases"] for t in (bt.SUPERVISOR, bt.SECURITY, bt.CRISIS))
    lead = (_today(base) + "Five tiers decide who answers what, how fast. "
            + (f"Replayed on your own {plural(len(posts), 'customer post')}, tiers 3 to 5 would have taken "
               f"{_pct(upper / len(posts))} of them; each tier below shows its cases a week and the share your team "
               "already answered within the tier's target. " if len(posts) else "")
            + SLA_RULE)
    ctx.inputs["escalation"] = {"trigger_evidence": ctx.evidence, "priority_targets_s": ctx.standards["priority_s"],
                                "crisis_s": ctx.standards["crisis_s"], "tier_targets_s": {str(t): s for t, s in targets.items()},
                                "standards": ctx.standards["targets"], "sla_rule": SLA_RULE}
    return {"lead": lead, "tiers": tiers, "sla_rule": SLA_RULE,
            "triggers": table_block([("trigger", "Trigger", None), ("threshold", "Threshold", None),
                                ("set_from", "Set from", None), ("seen", "In your history", None, "wide"),
                                ("tier", "Tier", None)], _triggers(ctx, posts, targets)),
            "standards": ctx.standards["table"], "standards_note": tighten}
