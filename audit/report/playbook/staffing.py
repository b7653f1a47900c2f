"""Section 8, staffing and coverage: the Erlang C roster (``audit.metrics.erlang``) that meets the
day-90 within-the-hour target at the client's arrival pattern, told as tiles and a table.

Why branches: Erlang C alone is absurd at both ends. Below about half an FTE of handling it
still asks for someone on duty every hour with a back-up ("two agents for 130 hours for 0.2
agent-hours of work"): there the advice is named cover blended with other channels and an
on-call rota. From fewer than four representative weeks no roster is drawn (a week's shape
guessed from a few days is noise). A desk already open around the clock is not told to extend
its hours. And the roster is checked against the agents who actually sign the replies.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from audit.metrics import business_hours, erlang
from audit.report.playbook.assumptions import BLENDED_BELOW
from audit.report.playbook.context import Context, plural, span, table_block, tile
from audit.report.playbook.evidence import arrivals_per_hour_of_week

MIN_WEEKS = 4                 # representative weeks (each with conversations) a roster needs ("four" in the text)
NAMED_COVER_BELOW_FTE = 0.5   # handling workload under which social is named cover, not a team
AGENTS_APART = 2.0            # signing agents this many times the model's head count (or fewer) is flagged


def representative_weeks(opened_at: pd.Series, tz: str) -> int:
    """Distinct calendar weeks (Monday start, local time) in which the client had conversations."""
    if opened_at.empty:
        return 0
    local = opened_at.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    return int((local - pd.to_timedelta(local.dt.dayofweek, unit="D")).nunique())


def mode(workload_fte: float, weeks: int) -> str:
    """``no_roster`` (too few weeks), ``named_cover`` (under half an FTE of handling) or ``team``."""
    if weeks < MIN_WEEKS:
        return "no_roster"
    return "named_cover" if workload_fte < NAMED_COVER_BELOW_FTE else "team"


def agents_seen(metrics: Mapping) -> int | None:
    """Distinct agents who signed the client's replies (scored and pooled), from ``metrics.agents``."""
    cards = (metrics.get("agents") or {}).get("scorecards") or []
    return sum(int(c.get("agents") or 0) for c in cards) or None


def agents_check(seen: int | None, needed: int, days: int) -> str:
    """The roster against the agents seen in sign-offs: a wide gap either way is worth a sentence."""
    if not seen or not needed:
        return ""
    if seen >= AGENTS_APART * needed:
        return (f"Your replies are signed by {plural(seen, 'different agent')} in {span(days)}, against the "
                f"{needed} the model needs on the roster: social is either a part-time duty spread over a wide "
                "team (then name a rota, so that someone owns each hour) or this export is an extract of a larger "
                "operation (then size the roster on the full volume).")
    if needed >= AGENTS_APART * seen:
        return (f"Only {plural(seen, 'agent')} signed replies in {span(days)}, fewer than the {needed} the model "
                "needs on the roster: plan the hires or the cover from other channels before the targets start.")
    return ""


def hours_note(spec: str, tz: str, open_share: Sequence[float], plan: Mapping, named: bool = False) -> str:
    """Demand and cover outside business hours; for a desk open around the clock, how the hours spread."""
    arrivals_in, arrivals_out = erlang.split_by_hours(plan["arrivals"], open_share)
    cover_in, cover_out = erlang.split_by_hours(plan["cover"], open_share)
    total = arrivals_in + arrivals_out
    if not total:
        return ""
    if min(open_share) >= 1.0 and named:
        return (f"Your desk is open around the clock ({spec}): the named cover and the on-call rota between them "
                "span all 168 hours of the week.")
    if min(open_share) >= 1.0:
        quiet = sum(1 for a in plan["agents"] if a == 0)
        return (f"Your desk is open around the clock ({spec}): the roster spreads {cover_in:,.0f} agent-hours a "
                "week over all 168 hours by demand" + (f"; in {plural(quiet, 'quiet hour')} the model needs nobody, "
                "so a named on-call agent covers them." if quiet else "."))
    if not any(plan["cover"][h] for h in range(len(open_share))) or named:
        return (f"Your business hours ({spec}, {tz}) see {arrivals_out / total:.0%} of conversations arrive outside "
                "them: that is what the on-call rota and the auto-acknowledgement cover.")
    return (f"Your business hours ({spec}, {tz}) see {arrivals_out / total:.0%} of conversations arrive outside "
            f"them; the roster puts {cover_out:,.0f} of its {cover_in + cover_out:,.0f} agent-hours a week outside "
            "those hours: extend the hours there, or cover them with the auto-acknowledgement and a named "
            "on-call agent.")


def paid_hours() -> float:
    """Paid hours a week one FTE gives at the occupancy cap (what a workload FTE divides by)."""
    return erlang.DEFAULT_CONTRACT_HOURS * (1 - erlang.DEFAULT_SHRINKAGE) * erlang.DEFAULT_MAX_OCCUPANCY


def _hours(x: float) -> str:
    return f"{x:.1f}" if x < 10 else f"{x:,.0f}"


def _advice(kind: str, s: Mapping, share_1h: float, workload_fte: float, weeks: int, days: int) -> str:
    volume = f"{s['contacts_per_week']:,.1f}".removesuffix(".0")
    if kind == "no_roster":
        return (f"The export holds conversations in {plural(weeks, 'week')} ({span(days)}), fewer than the "
                f"four weeks with conversations that a weekly pattern needs, so no roster is drawn from it. At about "
                f"{volume} conversations a week the handling alone is {_hours(workload_fte * paid_hours())} "
                "agent-hours a week; "
                "re-run the plan on a longer export before rostering to it.")
    if kind == "named_cover":
        return (f"At about {volume} conversations a week the replies take {_hours(workload_fte * paid_hours())} "
                f"agent-hours a week ({workload_fte:.2f} FTE), under half of one person: a dedicated social team, or "
                "an agent on duty every hour, would sit idle. Name one primary agent and one back-up who work social "
                "alongside e-mail or phone and check the social queue at least every 30 minutes in staffed hours "
                f"(what answering {share_1h:.0%} within 1 hour needs at this volume), and run an on-call rota (one "
                "named person a week, alerted to tier 3 to 5 posts) outside them, with the tier-1 auto-acknowledgement.")
    presence = f"someone on duty {s['hours_staffed']} hours a week, {s['peak_agents']} at the peak ({s['peak_hour']})"
    advice = (f"To answer {share_1h:.0%} of conversations within 1 hour (the day-90 standard) at today's volume of "
              f"{volume} conversations a week, you need {presence}. ")
    if s["mean_occupancy"] < BLENDED_BELOW:
        return advice + (f"Social work fills only {s['mean_occupancy']:.0%} of an on-duty agent's time "
                         f"({s['fte_workload']:g} FTE of handling): staff those hours with agents who also work "
                         "e-mail or phone, and keep the back-up (orange line) on call.")
    return advice + (f"That is {s['fte_on_duty']:g} FTE on duty after shrinkage, {s['fte_rostered']:g} FTE with the "
                     "back-up rostered wherever the model needs one person.")


def build_staffing(ctx: Context, handle_min: float) -> dict:
    targets = ctx.standards["targets"]
    share_1h = min(max(float(targets["within_1h"]["target_90"]), 0.2), 0.95)
    plan = erlang.plan(arrivals_per_hour_of_week(ctx.client, ctx.base.weeks), handle_min=handle_min,
                       target_min=60, target_share=share_1h)
    s = plan["summary"]
    workload_fte = sum(plan["arrivals"]) * handle_min / 60.0 / paid_hours()
    weeks = representative_weeks(ctx.client.conversations["opened_at"], ctx.client.tz)
    kind = mode(workload_fte, weeks)
    hours_spec = (ctx.metrics.get("scope", {}).get("business_hours") or {}).get("spec") or business_hours.DEFAULT_SPEC
    open_share = business_hours.parse(hours_spec, tz=ctx.client.tz).open_share_by_hour()
    seen = agents_seen(ctx.metrics)
    needed = 2 if kind == "named_cover" else max(s["peak_cover"], math.ceil(s["fte_rostered"]))
    checks = [agents_check(seen, needed, ctx.base.days) if kind != "no_roster" else "",
              hours_note(hours_spec, ctx.client.tz, open_share, plan, kind == "named_cover") if kind != "no_roster" else ""]
    lead = " ".join([_advice(kind, s, share_1h, workload_fte, weeks, ctx.base.days), *[c for c in checks if c]])
    tiles = [tile("Conversations per week", s["contacts_per_week"], "decimal"),
             tile("Handling workload (FTE)", round(workload_fte, 2), "decimal",
                   f"{_hours(workload_fte * paid_hours())} agent-hours of replies a week"),
             tile("Agents signing replies", seen, "number", "from sign-offs in this export")]
    hours = _hours_inputs(hours_spec, open_share, plan)
    if kind != "no_roster" and not hours["open_all_hours"]:
        tiles.append(tile("Conversations outside business hours", hours["outside_share"], "percent", hours_spec))
    if kind == "team":
        tiles[1:1] = [tile(f"Peak agents on duty ({s['peak_hour']})", s["peak_agents"], "number"),
                      tile("Hours a week with an agent on duty", s["hours_staffed"], "number", "of 168"),
                      tile("Occupancy of on-duty agents", s["mean_occupancy"], "percent",
                            "blend with other channels" if s["mean_occupancy"] < BLENDED_BELOW else "dedicated team")]
    elif kind == "named_cover":
        tiles.insert(1, tile("Recommended cover", "2 named agents", None, "primary + back-up, blended; on-call rota"))
    # a roster only where one is drawn: the lead already says why there is none
    roster = (table_block([("day", "Day", None), ("contacts", "Conversations", "decimal"),
                           ("peak", "Peak agents", "number"), ("agent_hours", "Agent-hours", "number"),
                           ("rostered", "Rostered cover (hours x agents)", None, "wide")], _roster_rows(plan))
              if kind == "team" else None)
    ctx.inputs["staffing"] = {"parameters": plan["parameters"], "summary": s, "mode": kind,
                              "representative_weeks": weeks, "workload_fte": round(workload_fte, 3),
                              "agents_seen": seen, "agents_needed": needed,
                              "arrivals_per_hour_of_week": plan["arrivals"],
                              "business_hours": hours}
    return {"lead": lead, "mode": kind, "tiles": tiles, "plan": {k: plan[k] for k in ("agents", "cover", "arrivals")},
            "summary": s, "parameters": plan["parameters"], "show_chart": kind == "team",
            "caption": "Filled: agents the Erlang C model needs on duty; orange: rostered cover with back-up; "
                       "thin line: conversations per hour in an average week.",
            "roster": roster,
            "assumptions": _assumptions(ctx, handle_min, plan)}


def _hours_inputs(spec: str, open_share: Sequence[float], plan: Mapping) -> dict:
    arrivals_in, arrivals_out = erlang.split_by_hours(plan["arrivals"], open_share)
    cover_in, cover_out = erlang.split_by_hours(plan["cover"], open_share)
    total = arrivals_in + arrivals_out
    return {"spec": spec, "outside_share": arrivals_out / total if total else None,
            "agent_hours_outside": cover_out, "agent_hours_inside": cover_in, "open_all_hours": min(open_share) >= 1.0}


def _roster_rows(plan: Mapping) -> list[dict]:
    windows = erlang.coverage_windows(plan["cover"])
    rows = []
    for d, day in enumerate(erlang.WEEKDAYS):
        hours = range(d * 24, d * 24 + 24)
        rostered = "; ".join(f"{w['from']}-{w['to']} x{w['agents']}" for w in windows
                             if w["day"] == day and w["agents"] > 0)
        rows.append({"day": day, "contacts": sum(plan["arrivals"][h] for h in hours),
                     "peak": max(plan["agents"][h] for h in hours),
                     "agent_hours": sum(plan["cover"][h] for h in hours), "rostered": rostered or "no demand"})
    return rows


def _assumptions(ctx: Context, handle_min: float, plan: Mapping) -> list[str]:
    return [
        f"Erlang C per hour of the week (Monday 00:00 first, {ctx.client.tz}); arrivals are the customer-opened "
        f"conversations in each hour of an average week ({span(ctx.base.days)} of data).",
        f"Handle time {handle_min:g} minutes of agent work per conversation (reading, replying, case notes).",
        f"Occupancy capped at {erlang.DEFAULT_MAX_OCCUPANCY:.0%}; rostered cover adds a back-up where the model "
        "needs a single agent, so nobody covers a public channel alone.",
        f"FTE = rostered agent-hours / ({erlang.DEFAULT_CONTRACT_HOURS:g} h x (1 - {erlang.DEFAULT_SHRINKAGE:.0%} "
        "shrinkage for breaks, training and leave)); handling workload FTE = handling hours / occupancy cap / "
        "the same paid hours.",
        f"Below {NAMED_COVER_BELOW_FTE:g} FTE of handling the plan is named cover and an on-call rota, not a roster; "
        f"no roster is drawn from fewer than {MIN_WEEKS} weeks with conversations.",
        f"Arrivals are averaged over {plan['parameters']['smooth_hours']} neighbouring hours; breaks of up to "
        f"{plan['parameters']['max_gap']} hours in the roster are closed. Remaining hours without an agent are "
        "covered by the tier-1 auto-acknowledgement.",
    ]
