"""Staffing advice sane at every size: a tiny desk, a large desk, a 24/7 desk, a short export, and
the roster checked against the agents who sign replies. Workloads computed by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from audit.metrics import erlang
from audit.report.playbook import staffing

PAID = 37.5 * 0.7 * 0.85      # paid hours a week one FTE gives at the occupancy cap: 22.3125


def workload_fte(per_hour: float, handle_min: float = 6.0) -> float:
    return per_hour * 168 * handle_min / 60 / PAID


def test_paid_hours_match_the_model_defaults():
    assert staffing.paid_hours() == pytest.approx(PAID)


def test_tiny_desk_gets_named_cover_not_a_roster():
    fte = workload_fte(0.02)          # 3.36 conversations a week x 6 min = 0.336 agent-hours
    assert fte == pytest.approx(0.01506, abs=1e-4)
    assert staffing.mode(fte, weeks=8) == "named_cover"
    plan = erlang.plan([0.02] * 168)
    advice = staffing._advice("named_cover", plan["summary"], 0.8, fte, 8, 56)
    assert "Name one primary agent and one back-up" in advice and "on-call rota" in advice
    assert "on duty 1" not in advice and "hours a week, " not in advice   # no "someone on duty N hours"


def test_large_desk_gets_a_team_roster():
    fte = workload_fte(20.0)          # 3,360 a week x 6 min = 336 agent-hours = 15.06 FTE
    assert fte == pytest.approx(15.06, abs=0.01)
    assert staffing.mode(fte, weeks=8) == "team"
    plan = erlang.plan([20.0] * 168)
    advice = staffing._advice("team", plan["summary"], 0.8, fte, 8, 56)
    assert "someone on duty 168 hours a week" in advice


def test_half_an_fte_is_the_line():
    assert staffing.mode(0.49, 4) == "named_cover" and staffing.mode(0.5, 4) == "team"


def test_no_roster_from_fewer_than_four_weeks():
    assert staffing.mode(15.0, weeks=3) == "no_roster"
    plan = erlang.plan([20.0] * 168)
    advice = staffing._advice("no_roster", plan["summary"], 0.8, 15.0, 3, 20)
    assert "no roster is drawn" in advice and "3 weeks" in advice


def test_representative_weeks_count_calendar_weeks_with_conversations():
    opened = pd.Series(pd.to_datetime(["2024-01-01 10:00", "2024-01-07 23:00", "2024-01-08 01:00",
                                       "2024-01-29 12:00"], utc=True))
    assert staffing.representative_weeks(opened, "UTC") == 3      # weeks of 1, 8 and 29 January
    # in Tokyo the Sunday 23:00 post falls on Monday 8 January: still 3 weeks, the 1st alone in its week
    assert staffing.representative_weeks(opened, "Asia/Tokyo") == 3


def test_a_24_7_desk_is_not_told_to_extend_its_hours():
    plan = erlang.plan([20.0] * 168)
    open_all = [1.0] * 168
    note = staffing.hours_note("Mon-Sun 00:00-24:00", "UTC", open_all, plan)
    assert "open around the clock" in note and "extend the hours" not in note
    office = [1.0 if (h % 24) in range(9, 17) and h < 120 else 0.0 for h in range(168)]
    assert "extend the hours there" in staffing.hours_note("Mon-Fri 09:00-17:00", "UTC", office, plan)


def test_roster_is_checked_against_the_agents_who_sign():
    wide = staffing.agents_check(78, 1, 30)
    assert "78 different agents" in wide and "extract" in wide
    assert "Only 2 agents" in staffing.agents_check(2, 6, 30)
    assert staffing.agents_check(3, 2, 30) == ""            # within a factor of two: nothing to say
    assert staffing.agents_seen({"agents": {"scorecards": [{"agents": 1}, {"agents": 1}, {"agents": 76}]}}) == 78
