"""Erlang C against an independent factorial formula and a published worked example."""
from __future__ import annotations

import math

import pytest

from audit.metrics import erlang


def reference_erlang_c(traffic: float, agents: int) -> float:
    """The textbook closed form with factorials (independent of the module's recursion)."""
    top = traffic ** agents / math.factorial(agents) * agents / (agents - traffic)
    bottom = sum(traffic ** k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@pytest.mark.parametrize("traffic,agents", [(0.5, 1), (2.0, 3), (4.5, 6), (10.0, 12), (48.0, 55)])
def test_erlang_c_matches_factorial_formula(traffic, agents):
    assert erlang.erlang_c(traffic, agents) == pytest.approx(reference_erlang_c(traffic, agents),
                                                               rel=1e-9)


def test_published_worked_example():
    # Call Centre Helper's Erlang C worked example: 360 calls per 30 min, AHT 240 s, 20 s target,
    # 80% service level: 48 Erlangs; with 55 agents P(wait) 23.88%, service level 86.6%, ASA 8.2 s.
    traffic = 720 * 240 / 3600
    assert traffic == pytest.approx(48.0)
    assert erlang.erlang_c(traffic, 55) == pytest.approx(0.2388, abs=5e-4)
    assert erlang.service_level(traffic, 55, 240, 20) == pytest.approx(0.866, abs=1e-3)
    assert erlang.average_wait_s(traffic, 55, 240) == pytest.approx(8.2, abs=0.05)
    # Without an occupancy cap the fewest agents for 80% within 20 s is 54 (53 gives < 80%).
    assert erlang.agents_needed(720, 240, 20, 0.8, max_occupancy=None) == 54
    assert erlang.service_level(traffic, 53, 240, 20) < 0.8 <= erlang.service_level(traffic, 54, 240, 20)


def test_single_agent_closed_form():
    # With one agent, P(wait) equals the utilisation: M/M/1.
    assert erlang.erlang_c(0.3, 1) == pytest.approx(0.3)


def test_unstable_queue_and_no_demand():
    assert erlang.erlang_c(3.0, 3) == 1.0
    assert erlang.service_level(3.0, 2, 360, 3600) == 0.0
    assert erlang.agents_needed(0, 360, 3600) == 0


def test_occupancy_cap_adds_agents_at_high_volume():
    uncapped = erlang.agents_needed(600, 360, 3600, 0.8, max_occupancy=None)
    capped = erlang.agents_needed(600, 360, 3600, 0.8, max_occupancy=0.85)
    assert capped == math.ceil(60 / 0.85) > uncapped


def test_backup_cover_rules():
    assert erlang.backup_cover(0) == 0
    assert erlang.backup_cover(1) == 2
    assert erlang.backup_cover(3) == 3
    assert erlang.backup_cover(0, min_agents=1) == 2


def test_plan_shapes_and_summary():
    arrivals = [0.0] * 168
    arrivals[9] = 30.0      # Mon 09:00, busy
    arrivals[40] = 2.0      # Tue 16:00, quiet
    result = erlang.plan(arrivals, handle_min=6, target_min=60, target_share=0.8,
                           smooth_hours=1, max_gap=0)
    assert len(result["agents"]) == len(result["cover"]) == 168
    assert result["agents"][9] >= 3 and result["agents"][40] == 1 and result["agents"][0] == 0
    assert result["cover"][40] == 2
    summary = result["summary"]
    assert summary["peak_hour"] == "Mon 09:00"
    assert summary["hours_staffed"] == 2
    assert summary["rostered_agent_hours"] == sum(result["cover"])
    assert summary["backup_hours"] == sum(result["cover"]) - sum(result["agents"])
    assert summary["fte_rostered"] == pytest.approx(sum(result["cover"]) / (37.5 * 0.7), abs=0.05)
    assert summary["workload_hours"] == pytest.approx(32 * 6 / 60, abs=0.05)
    assert all(s >= 0.8 for s, n in zip(result["service_level"], result["agents"]) if n)


def test_tighter_target_needs_more_agents():
    arrivals = [20.0] * 168
    loose = erlang.plan(arrivals, target_min=240)["summary"]["model_agent_hours"]
    tight = erlang.plan(arrivals, target_min=1, target_share=0.95)["summary"]["model_agent_hours"]
    assert tight > loose


def test_plan_rejects_wrong_length():
    with pytest.raises(ValueError):
        erlang.plan([1.0] * 24)


def test_coverage_windows_collapse_runs():
    cover = [0] * 168
    cover[9:17] = [2] * 8
    windows = erlang.coverage_windows(cover)
    monday = [w for w in windows if w["day"] == "Mon"]
    assert monday == [{"day": "Mon", "from": "00:00", "to": "09:00", "agents": 0},
                      {"day": "Mon", "from": "09:00", "to": "17:00", "agents": 2},
                      {"day": "Mon", "from": "17:00", "to": "24:00", "agents": 0}]


def test_smoothing_keeps_weekly_volume_and_wraps_around():
    values = [0.0] * 168
    values[0] = 3.0
    smoothed = erlang.smooth_week(values, 3)
    assert sum(smoothed) == pytest.approx(3.0)
    assert smoothed[167] == smoothed[0] == smoothed[1] == pytest.approx(1.0)
    assert erlang.smooth_week(values, 1) == values


def test_fill_gaps_closes_short_breaks_only():
    cover = [0] * 168
    cover[8:12] = [2] * 4      # 08-12
    cover[13:17] = [1] * 4     # 13-17: one empty hour at 12 -> filled with min(2, 1)
    cover[20:22] = [1] * 2     # 20-22: a 3-hour gap 17-20 stays open with max_gap=2
    filled = erlang.fill_gaps(cover, max_gap=2)
    assert filled[12] == 1
    assert filled[17:20] == [0, 0, 0]
    assert filled[0:8] == [0] * 8
    assert erlang.fill_gaps([0] * 168) == [0] * 168


def test_split_by_hours_weights_half_open_hours():
    values = [0.0] * erlang.HOURS_PER_WEEK
    values[9], values[10], values[30] = 4.0, 2.0, 1.0
    open_share = [0.0] * erlang.HOURS_PER_WEEK
    open_share[9], open_share[10] = 1.0, 0.5  # Mon 09:00-10:30
    assert erlang.split_by_hours(values, open_share) == (5.0, 2.0)
    with pytest.raises(ValueError):
        erlang.split_by_hours(values[:10], open_share)
