"""The notebooks' tables read like a report: formatted figures, readable names, levels in the
rubric's order, intervals when the metrics carry them (and no failure when they do not)."""
from __future__ import annotations

import copy

import pytest

from audit.run import views

GRADE_LEVELS = [{"level": lvl, "title": title, "status": "reached"} for lvl, title in
                (("passive", "Passive"), ("active", "Active"), ("strategic", "Strategic"),
                 ("cross_functional", "Cross-functional"))]


@pytest.mark.parametrize("raw, unit, shown", [
    (0.899, "share", "89.9%"), (2069.0, "count", "2,069"), (18.5667, "minutes", "19 min"),
    (150.0, "minutes", "2.5 h"), (None, "share", "–"), (True, "flag", "yes"), (41, "hours_of_week", "41 of 168"),
    ("not_assessed", "answer", "Not assessed"),
])
def test_values_are_formatted_by_unit(raw, unit, shown):
    assert views.value(raw, unit) == shown


def _metrics(intervals=None):
    names = views.KEY_METRICS
    metrics = {"scope": {"client_handles": ["Acme", "AcmeHelp"], "tz": "Europe/London"},
               "definitions": {n: {"title": views.label(n), "unit": "share"} for n in names},
               "overall": {n: 0.5 for n in names}, "by_brand": {"Acme": {n: 0.25 for n in names}}}
    if intervals is not None:
        metrics["intervals"] = intervals
    return metrics


def test_metrics_table_shows_intervals_only_when_carried():
    plain = views.metrics_table(_metrics())
    assert list(plain.columns) == ["Client", "Acme", "AcmeHelp"]
    assert plain.loc["Response rate", "Client"] == "50.0%" and plain.loc["Response rate", "AcmeHelp"] == "–"
    with_ci = views.metrics_table(_metrics({"overall": {"response_rate": [0.4, 0.6], "follow_up_rate": [0.3, None]},
                                            "by_brand": {"Acme": {"response_rate": None}}}))
    assert with_ci.loc["Response rate", "Client (95% interval)"] == "50.0% (40.0%–60.0%)"
    assert with_ci.loc["Follow up rate", "Client (95% interval)"] == "50.0% (30.0%–unbounded)"
    assert with_ci.loc["Response rate", "Acme (95% interval)"] == "25.0%"


def test_criteria_columns_follow_the_rubrics_level_order():
    crit = {"title": "Response rate", "value": 0.9, "status": "assessed", "unit": "share", "ref": "r.rate",
            "evidence": {"numerator": 90, "denominator": 100},
            "levels": {lvl: {"threshold": t, "required": lvl == "strategic", "passed": True}
                       for lvl, t in sorted({"active": 0.5, "strategic": 0.8, "cross_functional": 0.9}.items())}}
    grade = {"levels": GRADE_LEVELS, "dimensions": {"r": {"title": "Responsiveness", "criteria": {"rate": crit}}}}
    table = views.criteria_table(grade)
    assert list(table.columns) == ["Dimension", "Criterion", "Value", "Status", "Passive", "Active", "Strategic",
                                   "Cross-functional", "Evidence"]
    row = table.iloc[0]
    assert (row["Value"], row["Strategic"], row["Evidence"], row["Passive"]) == ("90.0%", "80.0% * ✓", "90 of 100", "")


def test_heatmap_axis_names_the_runs_time_zone():
    metrics = _metrics()
    metrics["series"] = {"inbound_by_hour_of_week": [1] * 168, "answered_within_1h_by_hour_of_week": [0.5] * 168}
    svgs = views.heatmaps(copy.deepcopy(metrics))
    assert all("Hour of day (Europe/London)" in svg and "UTC" not in svg for svg in svgs)
