"""The fitness gate (audit.metrics.fitness): hand-built exports whose answers are worked out by
hand, one per thing the gate must catch, and a steady export it must pass."""
from __future__ import annotations

import pandas as pd

from audit.metrics import fitness
from tests.helpers.frames import build, conversation

START = pd.Timestamp("2024-03-04 09:00", tz="UTC")   # a Monday


def _days(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2024-03-04", periods=n, freq="D", tz="UTC")


def _by_check(gate: dict) -> dict[str, dict]:
    return {c["check"]: c for c in gate["checks"]}


def _selected_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two brands, 12 conversations each, one a day: every one answered and ending on the brand."""
    rows = []
    for b in ("AcmeHelp", "PeerCare"):
        for i in range(12):
            rows += conversation(f"{b}{i}", b, f"cust{i}", START + pd.Timedelta(days=i),
                                 [(0, f"cust{i}", "my order is late"), (10, b, "Sorry, DM us ^AB")])
    return build(rows)


def test_a_selected_sample_fails_both_selection_checks():
    m, c = _selected_sample()
    by_brand = {"AcmeHelp": {"customer_conversations": 12, "response_rate": 1.0},
                "PeerCare": {"customer_conversations": 12, "response_rate": 1.0}}
    gate = _by_check(fitness.of_client(m, c, ["AcmeHelp"], by_brand, days=_days(12)))
    assert gate["selection_answered"]["status"] == "fail" and gate["selection_answered"]["value"] == 1.0
    assert gate["selection_ends_with_brand"]["status"] == "fail"
    assert gate["selection_ends_with_brand"]["value"] == 1.0            # 12 of 12 end on the brand
    assert "kpis" in gate["selection_answered"]["undermines"]


def test_a_real_desk_where_customers_write_last_and_one_brand_misses_passes_selection():
    rows = []
    for i in range(12):  # in 4 of 12 conversations the customer thanks the brand after its reply
        thanks = [(20, f"cust{i}", "thanks")] if i < 4 else []
        rows += conversation(f"a{i}", "AcmeHelp", f"cust{i}", START + pd.Timedelta(days=i),
                             [(0, f"cust{i}", "my order is late"), (10, "AcmeHelp", "Sorry, DM us ^AB"), *thanks])
    m, c = build(rows)
    by_brand = {"AcmeHelp": {"customer_conversations": 12, "response_rate": 1.0},
                "PeerCare": {"customer_conversations": 12, "response_rate": 0.75}}
    gate = _by_check(fitness.of_client(m, c, ["AcmeHelp"], by_brand, days=_days(12)))
    assert gate["selection_ends_with_brand"]["value"] == round(8 / 12, 4)
    assert gate["selection_ends_with_brand"]["status"] == "pass"
    assert gate["selection_answered"]["status"] == "warn"               # 1 of 2 brands at 100%: half
    assert gate["selection_answered"]["value"] == 0.5


def test_a_two_day_extract_fails_period_and_stops_projections():
    rows = []
    for i in range(30):  # 20 conversations on day 1, 10 on day 2
        rows += conversation(f"c{i}", "AcmeHelp", f"u{i}", START + pd.Timedelta(days=i // 20, minutes=i),
                             [(0, f"u{i}", "where is my parcel"), (5, "AcmeHelp", "Checking ^JB")])
    m, c = build(rows)
    gate = fitness.of_client(m, c, ["AcmeHelp"], {}, days=_days(2))
    checks = _by_check(gate)
    assert checks["period_length"] == {**checks["period_length"], "status": "fail", "value": 2}
    # busiest tenth of 2 days = 1 day holding 20 of 30
    assert checks["concentration"]["value"] == round(20 / 30, 4) and checks["concentration"]["status"] == "fail"
    assert gate["status"] == "fail" and gate["projections"] is False
    assert "staffing" in gate["marks"]


def test_a_steady_four_week_export_passes_concentration_gaps_and_period():
    opened = pd.Series([START + pd.Timedelta(days=d, hours=h) for d in range(28) for h in (0, 3)])
    days = _days(28)
    assert fitness.period_length(days)["status"] == "pass"
    conc = fitness.concentration(opened, days)
    assert conc["value"] == round(6 / 56, 4) and conc["status"] == "pass"   # 3 busiest days of 28: 6 of 56
    assert fitness.gaps(opened, days)["value"] == 0


def test_gaps_of_weeks_fail():
    days = _days(60)
    opened = pd.Series([START + pd.Timedelta(days=d) for d in [*range(0, 20), *range(45, 60)]])
    gap = fitness.gaps(opened, days)
    assert gap["value"] == 25 and gap["status"] == "fail"                  # days 20..44 empty
    assert fitness.gaps(opened, days)["undermines"] == ["current_state", "staffing"]


def test_78_agents_for_102_conversations_is_an_extract():
    sign = fitness.extract_signs(78, 102)
    assert sign["status"] == "fail" and sign["value"] == round(102 / 78, 2)
    assert fitness.extract_signs(4, 102)["status"] == "pass"              # too few agents to judge
    assert fitness.extract_signs(6, 300)["status"] == "pass"              # 50 each: a desk


def test_one_hour_holding_a_tenth_of_the_posts_is_flagged_as_a_possible_artefact():
    steady = [START + pd.Timedelta(hours=6 * i) for i in range(120)]          # 30 days, 4 a day
    burst = [START + pd.Timedelta(days=10, minutes=i) for i in range(30)]     # 30 in one hour
    check = fitness.surges(pd.Series(steady + burst), days=30)
    assert check["value"] == round(31 / 150, 4) and check["status"] == "fail"  # 30 + one steady post at 09:00
    assert fitness.surges(pd.Series(steady), days=30)["status"] == "pass"


def test_a_mixed_language_export_states_the_unread_share_and_the_mix():
    langs = pd.Series(["en"] * 6 + ["und"] * 1 + ["ja"] * 2 + ["es"])
    ok = langs.isin(["en", "und"])
    mix, check = fitness.language_mix(langs, ok)
    assert mix == {"en": 0.6, "es": 0.1, "ja": 0.2, "und": 0.1}
    assert check["value"] == 0.3 and check["status"] == "fail"               # 3 of 10 unread
    assert "30%" in check["detail"]
    _, fine = fitness.language_mix(pd.Series(["en"] * 99 + ["fr"]), pd.Series([True] * 99 + [False]))
    assert fine["status"] == "pass"


def test_replies_to_posts_the_export_lacks_are_an_extract():
    # 3 of 4 replies answer posts missing from the export (a random sample of rows)
    check = fitness.orphan_replies(pd.Series([True, True, True, False]))
    assert check["value"] == 0.75 and check["status"] == "fail" and "executive_summary" in check["undermines"]
    assert fitness.orphan_replies(pd.Series([False] * 19 + [True]))["status"] == "pass"   # 5%
