"""Section 8, the 30/60/90-day roadmap: each unmet criterion of the next maturity level turned
into an instruction with an owner, in phases that build the operation in order.
"""
from __future__ import annotations

import re
from typing import Any

from audit.report.format import duration as _dur
from audit.report.format import interval as _interval
from audit.report.format import percent as _pct
from audit.report.playbook.context import Context, as_number, table_block

PHASES = (
    ("Days 1-30", "speed and coverage", frozenset({"responsiveness", "coverage"})),
    ("Days 31-60", "recovery, voice and channels", frozenset({"recovery", "voice", "channel_strategy"})),
    ("Days 61-90", "integration across the organisation", frozenset({"integration"})),
)
DIMENSION_OWNERS = {"responsiveness": "Head of customer service", "coverage": "Workforce planner",
                    "recovery": "Social care team lead", "channel_strategy": "Social media manager",
                    "voice": "Team leader (quality)", "integration": "Head of customer service + CRM owner"}
QUESTION_ACTIONS = {
    "escalation_policy": "Sign off the escalation tiers of this playbook as the written escalation policy",
    "crm_integration": "Log every social case in the CRM / contact-centre system",
    "triage_routing": "Route every post with the triage matrix (owner, priority, target)",
    "omnichannel_consistency": "Use one knowledge base and one voice for phone, web and social",
    "business_alignment": "Tie the social KPIs to the customer-retention goals of the business",
    "culture_of_sharing": "Send a monthly social insight report to product, training and marketing",
    "social_listening_tool": "Monitor brand mentions that do not tag the brand with a listening tool",
    "backup_staffing": "Roster back-up cover for nights, weekends and surges (see the staffing plan)",
    "training_programme": "Train every agent on these response guidelines; review 10 replies each a month",
}
#: each phase's standing action, in parts; a part names the questionnaire criterion that asks for
#: the same thing: when that criterion is unmet, its own action says it (in this phase) and the part
#: is left out, so nothing is adopted twice
FIXED_ACTIONS = (
    ((("triage_routing", "adopt the triage matrix"), ("backup_staffing", "publish the roster from the staffing plan")),
     "Head of customer service", "Every post has an owner and a target"),
    (((None, "run the escalation tiers; review every tier 3, 4 and 5 case weekly"),), "Head of customer service",
     "Tier 3-4 cases reviewed weekly"),
    (((None, "re-run this audit on the latest 90 days and compare every KPI"),), "Social media manager",
     "Next maturity level reached"),
)
#: questionnaire criteria a standing action covers -> the phase of that action
ABSORBED = {q: i for i, (parts, _, _) in enumerate(FIXED_ACTIONS) for q, _ in parts if q}
HOLD_MEASURE = "Level held, every KPI at or above today's"


def _phase_of(item: dict) -> int:
    """The phase an unmet criterion's action belongs to: its dimension's, or the phase of the
    standing action that asks for the same thing; unknown (custom rubric) dimensions go mid-way."""
    question = str(item["metric"])[2:] if str(item["metric"]).startswith("q:") else None
    if question in ABSORBED:
        return ABSORBED[question]
    return next((i for i, (_, _, dims) in enumerate(PHASES) if item["dimension"] in dims), 1)


def _fixed_action(i: int, todo: list[dict]) -> str:
    """Phase ``i``'s standing action, less the parts an unmet criterion's own action already says."""
    asked = {str(t["metric"])[2:] for t in todo if str(t["metric"]).startswith("q:")}
    parts = [text for q, text in FIXED_ACTIONS[i][0] if q not in asked]
    text = " and ".join(parts)
    return text[:1].upper() + text[1:]


def _value_text(value: Any, unit: str, digits: int = 0) -> str:
    if unit == "minutes":
        x = as_number(value)
        return _dur(None if x is None else x * 60)
    if unit == "share":
        return _pct(as_number(value), digits)
    return "n/a" if value is None else str(value)


def _from_to(value: Any, goal: Any, unit: str) -> tuple[str, str]:
    """Today's figure and the goal as text, with a decimal where whole numbers would print the
    same ('from 89.7% to 90%', never 'from 90% to 90%')."""
    now, aim = _value_text(value, unit), _value_text(goal, unit)
    if now == aim and unit == "share":
        now = _value_text(value, unit, 1)
    return now, aim


def _criterion_action(item: dict, ctx: Context, with_interval: bool = False) -> str:
    """One unmet criterion as an instruction. Where a KPI carries the metric, its day-90 target
    is the one quoted (it can be stricter than the rubric's bar, which is then named). An
    uncertain criterion whose figure already meets the bar is to be confirmed, not raised;
    ``with_interval`` adds the figure's 95% interval (where a decision hangs on it)."""
    metric, title = str(item["metric"]), re.sub(r"\s*\(min\)", "", str(item["title"])).lower()
    if metric.startswith("q:"):
        text = QUESTION_ACTIONS.get(metric[2:], f"Confirm and document: {item['title']}")
        return text + (" (not assessed yet: answer the questionnaire)" if item["status"] == "not_assessed" else "")
    unit = (ctx.metrics.get("definitions", {}).get(metric) or {}).get("unit", "share")
    bar = _value_text(item["target"], unit)
    today = ctx.figures.text(metric) if ctx.figures and metric in ctx.figures else _value_text(item.get("value"), unit)
    kpi = ctx.inputs.get("kpis", {}).get(metric)
    goal_value = item["target"]
    if kpi and kpi["target_90"] is not None:
        goal_value = kpi["target_90"] / 60 if unit == "minutes" else kpi["target_90"]
    goal = _value_text(goal_value, unit)
    suffix = f" by day 90 ({ctx.grade.next_label} needs {bar})" if goal != bar else ""
    if item["status"] == "not_assessed" or item.get("value") is None:
        return f"Measure {title} (no data in this export) and bring it to {goal}{suffix}"
    iv = item.get("interval")
    fmt = "minutes" if unit == "minutes" else "percent"
    band = f" (95% interval {_interval(iv, fmt)}, n = {item.get('n')})" if with_interval and iv else ""
    if item["status"] == "uncertain" and item.get("passed"):
        why = ("the evidence is too thin to be sure" if str(item.get("note") or "").startswith("too little evidence")
               else "its 95% interval still reaches the wrong side of the bar")
        return f"Confirm {title} on more data: {today}{band} meets {bar}, but {why}"
    verb = "Raise" if item.get("direction") == "at_least" else "Cut"
    now, aim = _from_to(item["value"], goal_value, unit)
    if ctx.figures and metric in ctx.figures:
        now = today      # the report's one text for it, its decimals already set apart from the goal
    return f"{verb} {title} from {now}{band} to {aim}{suffix}"


def build_roadmap(ctx: Context) -> dict:
    g = ctx.grade
    phases = []
    for i, (name, theme, _dims) in enumerate(PHASES):
        items = sorted((t for t in g.todo if _phase_of(t) == i),
                       key=lambda t: not t["required"])  # stable: rubric order within required
        actions = [{"action": _criterion_action(t, ctx),
                    "why": ("Required" if t["required"] else "Recommended") + f" for {g.next_label}",
                    "owner": DIMENSION_OWNERS.get(t["dimension"], "Head of customer service"),
                    "ref": t["ref"]} for t in items]
        _parts, owner, measure = FIXED_ACTIONS[i]
        if not g.next_level and measure == FIXED_ACTIONS[-1][2]:
            measure = HOLD_MEASURE
        fixed_action = _fixed_action(i, g.todo)
        if fixed_action:
            actions.append({"action": fixed_action, "why": measure, "owner": owner, "ref": None})
        phases.append({"name": name, "theme": theme,
                       "actions": table_block([("action", "Action", None, "widest"), ("why", "Why", None),
                                          ("owner", "Owner", None)], actions)})
    required = sum(t["required"] for t in g.todo)
    if g.next_level:
        lead = (f"{ctx.client.name} is {g.label}{' (provisional)' if g.status == 'provisional' else ''}. "
                f"Reaching {g.next_label} needs {required} required "
                f"criteri{'on' if required == 1 else 'a'} met; {len(g.todo) - required} more are recommended. "
                "Each action below is one unmet criterion of the rubric, in the order that builds the "
                "operation: speed and coverage first, then recovery and voice, then integration.")
    else:
        lead = (f"{ctx.client.name} is at the top level ({g.label}). The plan holds every standard and "
                "re-checks it each quarter.")
    ctx.inputs["roadmap"] = {"level": g.level, "next_level": g.next_level,
                             "criteria": [t["ref"] for t in g.todo]}
    return {"lead": lead, "target_level": g.next_label, "phases": phases}
