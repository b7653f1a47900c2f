"""Section 1, the executive summary: the grade, the three widest gaps with what each costs, the
headline cost of unanswered complaints, and three steps to start on Monday.
"""
from __future__ import annotations

from audit.playbook.benchmarks import ASSUMED_LOSS_SHARE, REPLACEMENT_COST
from audit.playbook.context import Context, _a, _below, _count, _tile
from audit.playbook.evidence import open_complaints
from audit.playbook.roadmap import _criterion_action
from audit.render import duration as _dur, percent as _pct


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
