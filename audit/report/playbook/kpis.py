"""Section 7, KPIs and targets: twelve numbers with today's value, day-30/90 targets (the
response standards, else the next level's threshold), an owner and a review cadence.
"""
from __future__ import annotations

from collections.abc import Mapping

from audit.report.playbook.context import Context, Grade, as_number, figure_value, interval_of, table_block
from audit.report.playbook.standards import targets_duration, targets_share

# (metric, label, unit of the metric, standards key or None, owner, cadence)
KPIS = (
    ("response_rate", "Customer conversations answered", "share", "response_rate", "Head of customer service", "Weekly"),
    ("first_response_median_min", "Median first response", "minutes", "median", "Social care team lead", "Daily"),
    ("first_response_p90_min", "90th percentile first response", "minutes", "p90", "Social care team lead", "Weekly"),
    ("first_response_within_1h", "Answered within 1 hour", "share", "within_1h", "Social care team lead", "Daily"),
    ("negative_first_response_within_4h", "Negative conversations answered within 4 h", "share", None,
     "Social care team lead", "Weekly"),
    ("unanswered_negative_share", "Negative posts left unanswered", "share", None, "Head of customer service", "Weekly"),
    ("sentiment_recovery_rate", "Negative conversations recovered", "share", None, "Head of customer service", "Monthly"),
    ("hours_covered_share", "Active hours covered within 1 h", "share", None, "Workforce planner", "Monthly"),
    ("private_redirect_share", "Replies moving the case to private", "share", None, "Team leader (quality)", "Monthly"),
    ("signoff_share", "Replies signed by an agent", "share", None, "Team leader (quality)", "Monthly"),
    ("canned_share", "Canned replies", "share", None, "Team leader (quality)", "Monthly"),
    ("follow_up_rate", "Conversations followed up", "share", None, "Head of customer service", "Monthly"),
)


def _kpi_targets(current: float | None, goal: float | None, higher: bool, unit: str) -> tuple:
    """Day-30/90 targets for a KPI without a response standard: the next level's threshold."""
    if goal is None:
        return current, current
    if unit == "minutes":
        return targets_duration(None if current is None else current * 60, goal * 60)
    if higher:
        return targets_share(current, goal)
    t30, t90 = targets_share(None if current is None else 1 - current, 1 - goal)
    return round(1 - t30, 4), round(1 - t90, 4)


def kpi_targets(standards: Mapping, grade: Grade, metrics: Mapping) -> dict[str, tuple]:
    """Day-30 and day-90 target of each KPI, in the metric's own unit (minutes for times): the
    response standard where one exists, else the next level's threshold."""
    overall, defs = metrics.get("overall", {}), metrics.get("definitions", {})
    out = {}
    for metric, _label, unit, standard, _owner, _cadence in KPIS:
        if standard:
            t = standards["targets"][standard]
            scale = 60.0 if unit == "minutes" else 1.0
            out[metric] = tuple(None if t[k] is None else t[k] / scale for k in ("target_30", "target_90"))
        else:
            higher = (defs.get(metric) or {}).get("higher_is_better", True) is not False
            t30, t90 = _kpi_targets(as_number(overall.get(metric)), grade.next_thresholds.get(metric), higher, unit)
            scale = 60.0 if unit == "minutes" and grade.next_thresholds.get(metric) is not None else 1.0
            out[metric] = tuple(None if t is None else t / scale for t in (t30, t90))
    return out


def goals(standards: Mapping, grade: Grade, metrics: Mapping) -> dict[str, list]:
    """Every value the report sets against each metric (KPI targets, response standards, the
    next level's bars): what today's figure must read apart from (``figures.digits_apart``)."""
    out: dict[str, list] = {m: list(t) for m, t in kpi_targets(standards, grade, metrics).items()}
    for metric, bar in grade.next_thresholds.items():
        out.setdefault(metric, []).append(bar)
    for item in grade.todo:
        out.setdefault(str(item["metric"]), []).append(as_number(item.get("target")))
    return out


def build_kpis(ctx: Context) -> dict:
    targets = kpi_targets(ctx.standards, ctx.grade, ctx.metrics)
    rows = []
    for metric, label, unit, _standard, owner, cadence in KPIS:
        fmt, scale = ("duration", 60.0) if unit == "minutes" else ("percent", 1.0)
        t30, t90 = (None if t is None else t * scale for t in targets[metric])
        today = ctx.figures[metric].cell(interval=interval_of(ctx.metrics, metric, scale=scale))
        rows.append({"kpi": label, "current": today, "target_30": figure_value(t30, fmt),
                     "target_90": figure_value(t90, fmt), "owner": owner, "cadence": cadence, "metric": metric})
    ctx.inputs["kpis"] = {r["metric"]: {"current": r["current"]["value"], "target_30": r["target_30"]["value"],
                                        "target_90": r["target_90"]["value"]} for r in rows}
    aim = ctx.grade.next_label or ctx.grade.label
    return {"lead": f"Twelve numbers to review, each with today's value and the targets that take "
                    f"{ctx.client.name} to {aim}. Definitions are in the appendix.",
            "note": "Today's figure with its 95% interval in brackets: the range the true figure lies in, given "
                    "how many conversations or replies it rests on.",
            "table": table_block([("kpi", "KPI", None), ("current", "Today (95% interval)", "mixed"),
                             ("target_30", "Day 30", "mixed"),
                             ("target_90", "Day 90", "mixed"), ("owner", "Owner", None),
                             ("cadence", "Review", None)], rows)}
