"""Section 6, staffing and coverage: the Erlang C roster (``audit.metrics.erlang``) that meets the
day-90 within-the-hour target at the client's arrival pattern, told as tiles and a table.
"""
from __future__ import annotations

from audit.metrics import business_hours

from audit.metrics import erlang
from audit.report.playbook.assumptions import BLENDED_BELOW
from audit.report.playbook.context import Context, _table, _tile, plural, span
from audit.report.playbook.evidence import arrivals_per_hour_of_week


def build_staffing(ctx: Context, handle_min: float) -> dict:
    targets = ctx.standards["targets"]
    share_1h = float(targets["within_1h"]["target_90"])
    share_1h = min(max(share_1h, 0.2), 0.95)
    arrivals = arrivals_per_hour_of_week(ctx.client, ctx.base.weeks)
    plan = erlang.plan(arrivals, handle_min=handle_min, target_min=60, target_share=share_1h)
    s = plan["summary"]
    windows = erlang.coverage_windows(plan["cover"])
    rows = []
    for d, day in enumerate(erlang.WEEKDAYS):
        hours = range(d * 24, d * 24 + 24)
        rostered = "; ".join(f"{w['from']}-{w['to']} x{w['agents']}" for w in windows
                             if w["day"] == day and w["agents"] > 0)
        rows.append({"day": day, "contacts": sum(plan["arrivals"][h] for h in hours),
                     "peak": max(plan["agents"][h] for h in hours),
                     "agent_hours": sum(plan["cover"][h] for h in hours),
                     "rostered": rostered or "no demand"})
    blended = s["mean_occupancy"] < BLENDED_BELOW
    hours_spec = (ctx.metrics.get("scope", {}).get("business_hours") or {}).get("spec") or business_hours.DEFAULT_SPEC
    open_share = business_hours.parse(hours_spec, tz=ctx.client.tz).open_share_by_hour()
    arrivals_in, arrivals_out = erlang.split_by_hours(plan["arrivals"], open_share)
    cover_in, cover_out = erlang.split_by_hours(plan["cover"], open_share)
    outside_share = arrivals_out / (arrivals_in + arrivals_out) if arrivals_in + arrivals_out else None
    hours_note = (f"Your business hours ({hours_spec}, {ctx.client.tz}) see {outside_share:.0%} of conversations "
                  f"arrive outside them; the roster puts {cover_out:,.0f} of its {cover_in + cover_out:,.0f} "
                  "agent-hours a week outside those hours: extend the hours there, or cover them with the "
                  "auto-acknowledgement and a named on-call agent."
                  if outside_share is not None else "")
    tiles = [
        _tile("Conversations per week", s["contacts_per_week"], "number"),
        _tile(f"Peak agents on duty ({s['peak_hour']})", s["peak_agents"], "number"),
        _tile("Hours a week with an agent on duty", s["hours_staffed"], "number", "of 168"),
        _tile("Handling workload (FTE)", s["fte_workload"], "decimal",
              f"{s['workload_hours']:g} agent-hours of replies a week"),
        _tile("Occupancy of on-duty agents", s["mean_occupancy"], "percent",
              "blend with other channels" if blended else "dedicated team"),
        _tile("Conversations outside business hours", outside_share, "percent", hours_spec),
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
            f"{s['contacts_per_week']:,.0f} conversations a week, you need {presence}. " + advice
            + (" " + hours_note if hours_note else ""))
    if not ctx.base.can_project:   # a week's pattern guessed from a few days: say so
        lead += (f" This rests on only {plural(ctx.base.days, 'day')} of data, fewer than the four weeks a weekly "
                 "pattern needs: re-run the plan on a longer export before rostering to it.")
    assumptions = [
        f"Erlang C per hour of the week (Monday 00:00 first, {ctx.client.tz}); arrivals are the customer-opened "
        f"conversations in each hour of an average week ({span(ctx.base.days)} of data).",
        f"Handle time {handle_min:g} minutes of agent work per conversation (reading, replying, case notes).",
        f"Occupancy capped at {erlang.DEFAULT_MAX_OCCUPANCY:.0%}; rostered cover adds a back-up where the model "
        "needs a single agent, so nobody covers a public channel alone.",
        f"FTE = rostered agent-hours / ({erlang.DEFAULT_CONTRACT_HOURS:g} h x (1 - {erlang.DEFAULT_SHRINKAGE:.0%} "
        "shrinkage for breaks, training and leave)).",
        f"Arrivals are averaged over {plan['parameters']['smooth_hours']} neighbouring hours; breaks of up to "
        f"{plan['parameters']['max_gap']} hours in the roster are closed. Remaining hours without an agent are "
        "covered by the tier-1 auto-acknowledgement.",
    ]
    ctx.inputs["staffing"] = {"parameters": plan["parameters"], "summary": s,
                              "arrivals_per_hour_of_week": plan["arrivals"],
                              "business_hours": {"spec": hours_spec, "outside_share": outside_share,
                                                 "agent_hours_outside": cover_out, "agent_hours_inside": cover_in}}
    return {"lead": lead, "tiles": tiles, "plan": {k: plan[k] for k in ("agents", "cover", "arrivals")},
            "summary": s, "parameters": plan["parameters"],
            "caption": "Filled: agents the Erlang C model needs on duty; orange: rostered cover with back-up; "
                       "thin line: conversations per hour in an average week.",
            "roster": _table([("day", "Day", None), ("contacts", "Conversations", "decimal"),
                              ("peak", "Peak agents", "number"), ("agent_hours", "Agent-hours", "number"),
                              ("rostered", "Rostered cover (hours x agents)", None, "wide")], rows),
            "assumptions": assumptions}
