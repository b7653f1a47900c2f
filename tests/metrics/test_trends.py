"""Monthly series inside one audit (audit.metrics.trends), against hand-counted frames."""
from __future__ import annotations

import pandas as pd
import pytest

from audit.metrics import trends


def _frames(rows):
    """rows: (opened_at, answered, first_response_s, sentiment) per conversation = its one post."""
    opened = pd.to_datetime([r[0] for r in rows], utc=True)
    convs = pd.DataFrame({"opened_at": opened, "answered": [r[1] for r in rows],
                          "first_response_s": [r[2] for r in rows]})
    inbound = pd.DataFrame({"created_at": opened, "sentiment": [r[3] for r in rows]})
    return convs, inbound


def test_monthly_figures_follow_the_metric_definitions():
    convs, inbound = _frames([
        ("2017-10-30 10:00", True, 600, "negative"), ("2017-10-31 10:00", False, None, "neutral"),
        ("2017-11-01 10:00", True, 60, "negative"), ("2017-11-02 10:00", True, 180, "negative"),
        ("2017-11-03 10:00", True, 120, "positive")])
    out = trends.monthly(convs, inbound)
    assert out["available"] and [m["month"] for m in out["months"]] == ["2017-10", "2017-11"]
    october, november = out["months"]
    assert october["response_rate"] == 0.5 and october["first_response_median_min"] == 10.0
    assert october["negative_share"] == 0.5 and october["inbound_posts"] == 2
    assert november["response_rate"] == 1.0 and november["first_response_median_min"] == 2.0
    assert november["negative_share"] == pytest.approx(2 / 3)
    assert october["partial"] and november["partial"] and october["days"] == 2 and november["days"] == 3
    assert october["thin"] and november["thin"]  # fewer than MIN_MONTH_CONVERSATIONS


def test_months_are_local_calendar_months_and_gaps_are_kept():
    convs, inbound = _frames([("2017-10-31 23:30", True, 60, "neutral"), ("2017-12-15 10:00", False, None, "neutral")])
    utc = trends.monthly(convs, inbound, "UTC")
    assert [m["month"] for m in utc["months"]] == ["2017-10", "2017-11", "2017-12"]
    assert utc["months"][1]["conversations"] == 0 and utc["months"][1]["response_rate"] is None
    berlin = trends.monthly(convs, inbound, "Europe/Berlin")  # 00:30 on 1 November in Berlin
    assert [m["month"] for m in berlin["months"]][0] == "2017-11"


def test_one_month_is_not_a_trend():
    convs, inbound = _frames([("2017-10-02 10:00", True, 60, "neutral"), ("2017-10-20 10:00", True, 60, "neutral")])
    out = trends.monthly(convs, inbound)
    assert not out["available"] and "at least 2" in out["reason"]
    assert trends.table(out).empty


def test_playbook_and_notebook_show_the_series_only_when_there_is_one():
    from audit.report import charts
    from audit.report.playbook.chart_data import trend_chart
    from audit.report.playbook.current_state import monthly_table
    from audit.run import views

    convs, inbound = _frames([("2017-10-30 10:00", True, 600, "negative"), ("2017-11-02 10:00", False, None, "neutral")])
    series = trends.monthly(convs, inbound)
    table = monthly_table(series)
    assert [r["month"] for r in table["rows"]] == ["2017-10", "2017-11"]
    assert table["rows"][0]["note"] == "partial (2 days); few conversations"
    spec = trend_chart(series)["monthly_trends"]
    svg = charts.KINDS[spec["kind"]](**spec["data"])
    assert svg.startswith("<svg") and "2017-10*" in svg
    assert list(views.monthly_trends({"trends": series}).index) == ["2017-10", "2017-11"]

    one_month = trends.monthly(*_frames([("2017-10-02 10:00", True, 60, "neutral")]))
    assert monthly_table(one_month)["rows"] == [] and trend_chart(one_month) == {}
    assert views.monthly_trends({"trends": one_month}).data.startswith("No monthly trends: the data covers 1")  # Markdown
