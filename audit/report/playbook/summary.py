"""Section 1, the executive summary: the grade, the three widest gaps with what each costs, the
headline cost of unanswered complaints, and three steps to start on Monday.
"""
from __future__ import annotations

from audit.report.format import duration as _dur
from audit.report.format import percent as _pct
from audit.report.playbook.assumptions import ASSUMED_LOSS_SHARE, REPLACEMENT_COST
from audit.report.playbook.context import (
    Context,
    Grade,
    count_text,
    interval_of,
    is_below,
    plural,
    span,
    tile,
    with_article,
)
from audit.report.playbook.evidence import open_complaints
from audit.report.playbook.figures import (
    COMPLAINT_CONVERSATIONS,
    NEGATIVE_POSTS,
    UNITS_NOTE,
    count_of,
    figure_tile,
)
from audit.report.playbook.roadmap import _criterion_action
from audit.report.playbook.weaknesses import leading

MIN_GAP = 1.0  # points on the 0-100 scale below which a dimension has no gap worth a headline


def caveat(g: Grade) -> str:
    """The warning a reader must see first when the grade rests on too little data or on an export
    that fails the fitness gate ('' otherwise)."""
    if g.confidence != "low":
        return ""
    return (f"This grade is provisional. {g.confidence_reason} Until then, treat the level, the score and "
            "every figure below as a first reading, and check each one against its 95% interval.")


def hours_sentence(ctx: Context) -> str:
    """Hour-by-hour cover as far as the data can judge it: covered of the judged hours, and how many
    hours held too few conversations to judge (never '0 of 168 covered' from a handful of posts)."""
    overall = ctx.metrics.get("overall", {})
    judged = (ctx.metrics.get("interval_n", {}).get("overall") or {}).get("hours_covered_share")
    thin = int(overall.get("hours_not_judged") or 0)
    covered = ctx.base.hours_covered
    if judged is None or covered is None:
        return ""
    if not judged:
        return (f"Hour-by-hour cover cannot be judged yet: the {plural(thin, 'hour')} of the week with "
                "conversations each held fewer than 5.")
    text = (f"{covered} of the {plural(judged, 'hour')} of the week with enough conversations to judge "
            f"(at least 5) {'is' if judged == 1 else 'are'} covered (a typical reply within 1 h)")
    return text + (f"; {plural(thin, 'more hour')} had too few conversations to judge." if thin else ".")


def _gap_cost(key: str, ctx: Context) -> str:
    """What a dimension's gap costs, in the client's own counts."""
    b = ctx.base
    period = span(b.days)
    if key == "responsiveness" and b.response_rate is not None:
        late = b.conversations * max(0.0, (b.response_rate or 0) - (b.within_4h or 0))
        waited = f" and {late:,.0f} more waited over 4 hours" if round(late) else ""
        return f"{plural(b.conversations * (1 - b.response_rate), 'customer conversation')} got no reply{waited}, in {period}."
    if key == "coverage" and b.night_response_rate is not None:
        return (f"{_pct(b.night_response_rate)} of night-time and {_pct(b.weekend_response_rate)} of weekend "
                f"conversations are answered. {hours_sentence(ctx)}")
    if key == "recovery" and b.unanswered_negative:
        them = "it" if round(b.unanswered_negative) == 1 else "them"
        return (f"{count_of(b.unanswered_negative, NEGATIVE_POSTS)} had no brand reply after {them}: each is a "
                f"customer at risk, and replacing one costs about {REPLACEMENT_COST}x keeping one.")
    if key == "channel_strategy" and b.redirect_share is not None and round(b.replies * (1 - b.redirect_share)):
        kept = b.replies * (1 - b.redirect_share)
        return (f"{plural(kept, 'reply', 'replies')} kept the case in public, where order and "
                "account details get posted and every follower watches the problem.")
    if key == "voice" and b.canned_share is not None and round(b.replies * b.canned_share):
        copies = b.replies * b.canned_share
        return f"{plural(copies, 'reply', 'replies')} {'was a copy' if round(copies) == 1 else 'were copies'} of a template."
    if (key == "integration" and b.follow_up_rate is not None and b.response_rate is not None
            and round(b.conversations * b.response_rate * (1 - b.follow_up_rate))):
        return (f"{plural(b.conversations * b.response_rate * (1 - b.follow_up_rate), 'answered conversation')} "
                f"{'was' if round(b.conversations * b.response_rate * (1 - b.follow_up_rate)) == 1 else 'were'} "
                "never followed up to confirm the fix.")
    return ""


def _cost(ctx: Context, complaints: dict) -> dict:
    """The headline cost: complaint conversations (or, without intents, negative customer posts)
    nobody answered, turned into customers to replace under a cautious loss assumption and the 5x
    replacement cost. Where the negative posts left without a reply are a different count, the
    statement gives it too, in its own unit, and says how the two differ."""
    n, unit = complaints["unanswered_complaints"], COMPLAINT_CONVERSATIONS
    negative = ctx.base.unanswered_negative
    if n is None:
        n, unit = negative or 0, NEGATIVE_POSTS
    months = max(ctx.base.days, 1) / 30.4
    per_month = n / months if ctx.base.can_project else None   # no projection from under 4 weeks
    lost = None if per_month is None else per_month * ASSUMED_LOSS_SHARE   # customers a month to win back
    went = f"{count_of(n, unit)} went unanswered in {span(ctx.base.days)}"
    other = ""
    if unit == COMPLAINT_CONVERSATIONS and negative and negative != n:
        them = "it" if negative == 1 else "them"
        other = (f" {'Counted by post' if n else 'But counted by post'}, {count_of(negative, NEGATIVE_POSTS)} "
                 f"had no brand reply after {them}. {UNITS_NOTE}")
    if not n and other:
        statement = f"No {unit[0]} went unanswered in this period.{other}"
    elif not n or per_month is None:
        statement = None   # no figure to give: the summary leaves "What the gaps cost" out
    else:
        statement = (f"{went} (about {count_text(per_month)} a month). "
                     f"If only 1 in {round(1 / ASSUMED_LOSS_SHARE)} of those customers leaves, about "
                     f"{plural_count(lost, 'customer')} a month must be won back, each costing about "
                     f"{REPLACEMENT_COST} times as much as keeping them: the retention budget of "
                     f"{plural_count(lost * REPLACEMENT_COST, 'customer')} a month, spent on customers you "
                     f"already had.{other}")
    return {"unanswered": n, "what": unit[1], "unit": unit[0], "per_month": per_month, "lost_per_month": lost,
            "retention_equivalents_per_month": None if lost is None else lost * REPLACEMENT_COST,
            "replacement_multiple": REPLACEMENT_COST, "unanswered_negative_posts": negative,
            "assumed_loss_share": ASSUMED_LOSS_SHARE, "statement": statement}


def unanswered_tile(n: int | None, unit: tuple[str, str]) -> dict:
    """The unanswered count as a tile, labelled with its unit (the summary and the current state alike)."""
    return tile(f"Unanswered {unit[1]}", n, "number", alert=bool(n))


def score_tile(g: Grade, required: list) -> dict:
    """The 0-100 score, rounded to tens on thin data (a unit would claim a precision it does not
    have). The level is set by the next level's required criteria, not by the score: a score near
    the top beside a middle level is explained on the tile itself."""
    low = g.confidence == "low"
    notes = [f"about {round(g.score, -1):.0f}; not scored to the unit on this little data"
             if low and g.score is not None else ""]
    if g.next_level and required:
        notes.append(f"the level is set by the required criteria, not the score: {len(required)} of "
                     f"{g.next_label}'s {'is' if len(required) == 1 else 'are'} unmet")
    return tile("Maturity score (0-100)", None if low or g.score is None else g.score, "number",
                note="; ".join(n for n in notes if n))


def plural_count(x: float, word: str) -> str:
    """'0.8 customers', '1 customer', '12 customers' (one decimal below 10, as ``count_text``)."""
    text = count_text(x)
    return f"{text} {word if text == '1' else word + 's'}"


def _monday(ctx: Context, roadmap: dict) -> list[str]:
    """Three things a manager can start on Monday, from this client's backlog, roster and plan."""
    p2 = _dur(ctx.standards["priority_s"]["P2"])
    backlog = open_complaints(ctx.client, days=7)
    staff = ctx.inputs.get("staffing", {}).get("summary", {})
    first = roadmap["phases"][0]["actions"]["rows"][0]["action"]
    steps = []
    if backlog:
        steps.append(f"Answer the {plural(backlog, 'complaint')} from the last 7 days of the export that never "
                     f"got a reply; name an owner for {'it' if backlog == 1 else 'each'}.")
    steps.append(f"Switch on the triage matrix ({ctx.section('triage')}): every post gets an owner, a priority and a target; "
                 f"complaints within {p2}.")
    mode = ctx.inputs.get("staffing", {}).get("mode")
    if staff and mode == "team":
        steps.append(f"Publish the roster ({ctx.section('staffing')}): someone on duty {staff['hours_staffed']} hours a week, "
                     f"{staff['peak_agents']} at the peak ({staff['peak_hour']}), with a named back-up.")
    elif mode == "named_cover":
        steps.append(f"Name the social cover ({ctx.section('staffing')}): a primary agent and a back-up, blended with "
                     "other channels, and an on-call rota outside staffed hours.")
    steps.append(f"Make the first number to move visible on the team screen: {first[0].lower() + first[1:]}.")
    return steps[:3]


def build_summary(ctx: Context, complaints: dict, roadmap: dict) -> dict:
    g, b = ctx.grade, ctx.base
    # a real gap only: at least one point on the 0-100 scale ('100 against 100' is no gap)
    gaps = sorted((d for d in g.dimensions if (d["gap"] or 0) >= MIN_GAP
                   and round(d["score"] or 0) < round(d["target"] or 0)), key=lambda d: (-d["gap"], d["key"]))[:3]
    gap_rows = []
    for d in gaps:
        items = [t for t in g.todo if t["dimension"] == d["key"]][:2]
        actions = [_criterion_action(t, ctx, with_interval=True) for t in items]
        finding = "; ".join(a if i == 0 else a[0].lower() + a[1:] for i, a in enumerate(actions)) or d["description"]
        gap_rows.append({"key": d["key"], "label": d["label"], "score": d["score"], "target": d["target"],
                         "fmt": "number", "finding": finding.rstrip(".") + ".", "cost": _gap_cost(d["key"], ctx)})
    cost = _cost(ctx, complaints)
    label = g.label + (" (provisional)" if g.status == "provisional" else "")
    f = ctx.figures
    unit = (cost["unit"], cost["what"])
    headline = (f"{ctx.client.name} is {label}: {f.text('response_rate')} of customer conversations get a reply, "
                + (f"the median first reply takes {f.text('first_response_median_min')}, " if b.median_s is not None else "")
                + f"and {count_of(cost['unanswered'], unit)} went unanswered in {span(b.days)}.")
    required = [t for t in g.todo if t["required"]]
    summary = [f"{g.label} means: {g.description[0].lower() + g.description[1:]}" if g.description else "",
               (f"To reach {g.next_label}, {len(required)} required criteri{'on' if len(required) == 1 else 'a'} "
                f"must be met ({', '.join(str(t['title']).lower() for t in required[:4])}); the roadmap in "
                f"{ctx.section('roadmap')} turns each into an action with an owner." if g.next_level else
                f"The task now is to hold every standard as volume grows; the plan in {ctx.section('roadmap')} keeps it measured.")]
    if g.confidence == "medium" and g.confidence_reason:   # low: the caveat box says it, once
        summary.append(f"How sure this grade is ({g.confidence} confidence): {g.confidence_reason}")
    summary = [p for p in summary if p]
    low = g.confidence == "low"
    tiles = [
        tile("Maturity level", label, None, note="low confidence: see Read with care" if low else ""),
        score_tile(g, required),
        figure_tile("Conversations answered", f["response_rate"], alert=is_below(b.response_rate, 0.6),
                    interval=interval_of(ctx.metrics, "response_rate")),
        figure_tile("Median first reply", f["first_response_median_min"],
                    interval=interval_of(ctx.metrics, "first_response_median_min", scale=60.0)),
        unanswered_tile(cost["unanswered"], unit),
    ]
    ctx.inputs["executive_summary"] = {"level": g.level, "score": g.score,
                                       "dimensions": {d["key"]: d["score"] for d in g.dimensions},
                                       "gaps": [d["key"] for d in gaps], "cost": cost}
    return {"headline": headline, "weaknesses": leading(ctx), "summary": summary, "tiles": tiles, "caveat": caveat(g),
            "scores": g.dimensions, "gaps": gap_rows, "cost": cost,
            "monday": _monday(ctx, roadmap),
            "chart_caption": (f"Dimension scores (0-100); the marker is the score {with_article(g.next_label or g.label)} "
                              "operation reaches once it meets every threshold that level sets.")}
