"""Response-time standards: the bar each maturity level should reach in 90 days, and the day-30
and day-90 targets that lead from the client's baseline to it, rounded to figures a roster
can state. Triage, escalation, KPIs and staffing all quote these targets.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from audit.report.playbook.assumptions import COMPLAINT_STANDARD_S, EXPECT_1H, EXPECT_SAME_DAY
from audit.report.playbook.context import Baseline, as_number, figure_value, table_block
from audit.report.playbook.figures import Figure


@dataclass(frozen=True)
class Goal:
    """The standard a brand at a level should reach within 90 days (the next level's bar)."""

    median_s: float       # median first response
    p90_s: float          # 90th percentile first response (the complaint standard)
    within_1h: float      # share of conversations answered within 1 hour
    same_day: float       # share answered the same day
    response_rate: float  # share of customer conversations answered


GOALS: dict[str, Goal] = {
    # passive -> active: be visible: answer most people, complaints inside the 4-hour standard
    "passive": Goal(2 * 3600, COMPLAINT_STANDARD_S, EXPECT_1H, 0.80, 0.80),
    # active -> strategic: meet what most complainers expect (same day, most within the hour)
    "active": Goal(3600, 2 * 3600, EXPECT_SAME_DAY, 0.90, 0.90),
    # strategic -> cross-functional: the hour is the norm, around the clock
    "strategic": Goal(30 * 60, 3600, 0.80, 0.95, 0.95),
    # cross-functional: hold the line
    "cross_functional": Goal(15 * 60, 3600, 0.90, 0.97, 0.97),
}
NICE_DURATIONS_S = tuple(m * 60 for m in (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480,
                                          720, 1440, 2880))


def snap_duration(seconds: float) -> float:
    """Round a target up to a value a roster can state ('30 min', '4 h'): never tighter than
    computed, so the target stays reachable."""
    return float(next((g for g in NICE_DURATIONS_S if g >= seconds - 1e-6), NICE_DURATIONS_S[-1]))


def snap_share(x: float) -> float:
    """Shares as targets in 5-point steps, rounded up (a target never below the computed one)."""
    return min(1.0, math.ceil(round(x * 20, 6)) / 20)


# (key, label, unit, Baseline/Goal attribute, rubric metric, reference, why). The survey figures
# are customer expectations (a reason for a target), never an answered share to compare against:
# those rows carry no reference figure.
STANDARDS = (
    ("median", "Median first response", "duration", "median_s",
     "first_response_median_min", 3600.0,
     f"the hour {EXPECT_1H:.0%} of complainers say they expect a reply within (survey)"),
    ("p90", "9 in 10 conversations answered within", "duration", "p90_s",
     "first_response_p90_min", float(COMPLAINT_STANDARD_S), "the common 4-hour complaint standard"),
    ("within_1h", "Answered within 1 hour", "percent", "within_1h",
     "first_response_within_1h", None,
     f"{EXPECT_1H:.0%} of complainers expect a reply within 1 h: a customer expectation, not an answered share"),
    ("same_day", "Answered the same day", "percent", "same_day",
     "first_response_same_day", None,
     f"{EXPECT_SAME_DAY:.0%} of complainers expect a reply the same day: a customer expectation, not an answered share"),
    ("response_rate", "Customer conversations answered", "percent", "response_rate",
     "response_rate", None, ""),
)


def _hold_duration(base: float) -> float:
    """Today's time as a target to hold: whole minutes, rounded down, so never looser than today."""
    return float(math.floor(base / 60) * 60) if base >= 60 else float(math.floor(base))


def targets_duration(base: float | None, goal: float) -> tuple[float, float]:
    """90 days: the goal, or hold today's figure where it is already better; 30 days: half-way
    on a log scale (waiting times shrink by factors, not minutes). A target is never slower than
    today (snapping to a round figure must not loosen it)."""
    if base is None:
        return snap_duration(goal * 2), snap_duration(goal)
    if base <= goal:
        held = _hold_duration(base)
        return held, held
    cap = _hold_duration(base)
    return min(snap_duration(math.sqrt(base * goal)), cap), min(snap_duration(goal), cap)


def targets_share(base: float | None, goal: float) -> tuple[float, float]:
    """Higher-is-better shares. Where today already meets the goal the target holds today's
    figure (whole points, rounded up): never a target below today's level."""
    if base is None:
        return snap_share(goal / 2), goal
    if base >= goal:
        held = min(1.0, math.ceil(round(base * 100, 6)) / 100)
        return held, held
    return snap_share(base + (goal - base) / 2), goal


def response_standards(level: str, b: Baseline, next_thresholds: Mapping[str, float]) -> dict:
    """Targets per standard: the level's goal, made stricter by the rubric's next-level
    threshold where that is stricter (so meeting the targets also passes the grade)."""
    goal = GOALS.get(level, GOALS["passive"])
    targets = {}
    for key, _label, unit, attr, metric, _bench, _note in STANDARDS:
        base = getattr(b, attr)
        g = float(getattr(goal, attr))
        rubric = as_number(next_thresholds.get(metric))
        if unit == "duration":
            if rubric is not None:
                g = min(g, rubric * 60.0)
            t30, t90 = targets_duration(base, g)
        else:
            if rubric is not None:
                g = max(g, rubric)
            t30, t90 = targets_share(base, g)
        targets[key] = {"baseline": base, "target_30": t30, "target_90": t90, "unit": unit}
    p2 = targets["p90"]["target_90"]
    priority_s = {
        "P1": snap_duration(min(3600.0, p2 / 4)),
        "P2": p2,
        "P3": snap_duration(min(24 * 3600.0, 2 * p2)),
        "P4": 24 * 3600.0,
    }
    return {"targets": targets, "priority_s": priority_s, "crisis_s": min(30 * 60.0, priority_s["P1"])}


def standards_table(targets: Mapping[str, Mapping], figures: Mapping[str, Figure]) -> dict:
    """The standards as a table: today's figure as the whole report quotes it, the reference and
    the day-30/90 targets."""
    rows = []
    for key, label, unit, _attr, metric, bench, note in STANDARDS:
        t = targets[key]
        rows.append({"standard": label, "baseline": figures[metric].cell(),
                     "benchmark": figure_value(bench, unit), "source": note,
                     "target_30": figure_value(t["target_30"], unit), "target_90": figure_value(t["target_90"], unit)})
    return table_block([("standard", "Standard", None), ("baseline", "Today", "mixed"),
                        ("benchmark", "Reference", "mixed"), ("source", "Why", None),
                        ("target_30", "Day 30", "mixed"), ("target_90", "Day 90", "mixed")], rows)
