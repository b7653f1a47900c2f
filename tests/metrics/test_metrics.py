"""Metric definitions against answers computed by hand on a small fixture, plus peer ranking.

The fixture (week of Monday 2024-03-04, UTC) is written so every figure below can be checked
with pencil and paper; the comments next to each conversation give the facts the answers use.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from audit.common.errors import AuditInputError
from audit.metrics import coverage_metrics
from audit.metrics import registry as M
from audit.metrics.metric import UNITS
from audit.metrics.peers import compare, from_metrics, rank
from tests.helpers import frames as F
from tests.helpers.metric_rows import fixture_rows

CLIENT = ["Acme", "AcmeHelp"]


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return F.build(fixture_rows())


@pytest.fixture(scope="module")
def out(frames) -> dict:
    return M.compute_all(*frames, CLIENT)


# Answered first responses (min): 10, 20, 30, 40, 90, 120, 200, 300 of 10 customer-opened conversations.
EXPECTED_OVERALL = {
    "inbound_posts": 14,
    "customer_conversations": 10,
    "brand_replies": 10,                       # the announcement is not a reply
    "inbound_per_day": round(14 / 6, 4),       # export spans Mon 4 .. Sat 9 March
    "response_rate": 0.8,
    "post_reply_rate": round(9 / 14, 4),
    "first_response_median_min": 65.0,         # (40 + 90) / 2
    "first_response_p90_min": 230.0,           # rank 6.3: 200 + 0.3 * (300 - 200)
    "first_response_within_1h": 0.4,
    "first_response_within_4h": 0.7,
    "first_response_same_day": 0.7,            # c2 answered after midnight
    "negative_response_rate": round(2 / 3, 4),
    "negative_first_response_median_min": 75.0,
    "negative_first_response_p90_min": 111.0,  # 30 + 0.9 * 90
    "negative_first_response_within_1h": round(1 / 3, 4),
    "negative_first_response_within_4h": round(2 / 3, 4),
    "negative_first_response_same_day": round(1 / 3, 4),
    "night_response_rate": 1.0,
    "night_first_response_median_min": 120.0,
    "weekend_response_rate": 0.0,
    "weekend_first_response_median_min": None,
    "business_hours_response_rate": 0.875,     # 7 of 8 (c5 unanswered)
    "business_hours_first_response_median_min": 40.0,
    "outside_hours_response_rate": 0.5,        # c2 (Mon 23:30, answered) and c3 (Saturday, not)
    "outside_hours_first_response_median_min": 120.0,
    "hours_covered_1h": 0,                     # 9 active hours, none with the 5 conversations to judge
    "hours_covered_share": None,
    "hours_not_judged": 9,
    "business_hours_covered_share": None,      # no judged hour at all
    "unanswered_negative": 2,
    "unanswered_negative_share": 0.5,
    "sentiment_recovery_rate": 0.5,            # c1 recovered, c2 not
    "recovered_positive_rate": 0.5,
    "compliments_answered_rate": 0.5,          # c4 and c6's thanks answered; c1's thanks and c7 not
    "private_redirect_share": 0.4,             # 4 DMs (a link to details is not a redirect)
    "service_handle_present": 1,
    "service_handle_reply_share": 0.5,         # 5 of 10 by AcmeHelp
    "signoff_share": 0.4,                      # ^AB twice, -Kim twice
    "personalised_share": 0.5,                 # Sarah, I have, Tom, Jo, Mia
    "canned_share": 0.3,                       # the three 'hi please send us a dm'
    "follow_up_rate": 0.25,                    # c4 (gap), c6 (last word) of 8 answered
    "escalation_share": 0.1,                   # 'forwarded' ('our team is looking' hands nothing over)
}


def test_every_metric_has_a_hand_computed_answer():
    assert set(EXPECTED_OVERALL) == set(M.METRICS)


@pytest.mark.parametrize("name", sorted(EXPECTED_OVERALL))
def test_overall_metric_matches_hand_computation(out, name):
    assert out["overall"][name] == EXPECTED_OVERALL[name]


def test_hour_coverage_judged_when_every_hour_has_enough(frames, monkeypatch):
    """With the minimum lowered to 1 conversation, every active hour is judged (hand-computed)."""
    monkeypatch.setattr(coverage_metrics, "MIN_HOUR_CONVERSATIONS", 1)
    o = M.compute_all(*frames, CLIENT)["overall"]
    assert o["hours_covered_1h"] == 4          # hours 10, 33, 83 (1 of 2 within 1 h), 84
    assert o["hours_covered_share"] == round(4 / 9, 4) and o["hours_not_judged"] == 0


def test_counts_back_the_shares(out):
    assert out["counts"]["response_rate"] == {"numerator": 8, "denominator": 10}
    assert out["counts"]["unanswered_negative_share"] == {"numerator": 2, "denominator": 4}
    assert out["counts"]["first_response_median_min"]["denominator"] == 8


def test_examples_cite_message_ids(out):
    ex = out["examples"]
    assert ex["unanswered_negative"] == ["c5-0", "c5-1"]
    assert ex["unanswered_conversations"] == ["c5-0", "c3-0"]
    assert ex["slowest_first_responses"][:2] == ["c6-0", "c12-0"]
    assert ex["canned"] == ["c9-1", "c10-1", "c11-1"]
    assert ex["recovered"] == ["c1-0"] and ex["not_recovered"] == ["c2-0"]
    assert ex["compliments_unanswered"] == ["c1-2", "c7-1"]
    assert ex["follow_up"] == ["c4-0", "c6-0"]
    assert ex["escalation"] == ["c12-1"]
    assert set(ex) == set(out["example_definitions"])


def test_series(out):
    s = out["series"]
    assert len(s["inbound_by_hour_of_week"]) == 168 == len(s["answered_within_1h_by_hour_of_week"])
    assert s["inbound_by_hour_of_week"][10] == 2          # c1's two posts, Monday 10:xx
    assert sum(s["inbound_by_hour_of_week"]) == 14
    by_hour = s["answered_within_1h_by_hour_of_week"]
    assert by_hour[83] == 0.5 and by_hour[23] == 0.0 and by_hour[10] == 1.0 and by_hour[0] is None
    assert s["inbound_by_day"] == {"2024-03-04": 3, "2024-03-05": 1, "2024-03-06": 4,
                                   "2024-03-07": 5, "2024-03-08": 0, "2024-03-09": 1}
    assert s["first_response_minutes_quantiles"]["p50"] == 65.0
    assert s["first_response_minutes_quantiles"]["n"] == 8


def test_by_brand_and_by_channel(out):
    assert set(out["by_brand"]) == {"Acme", "AcmeHelp", "Other"}
    assert out["by_brand"]["AcmeHelp"]["response_rate"] == 1.0          # c1, c4, c6
    assert out["by_brand"]["AcmeHelp"]["service_handle_present"] == 1
    assert out["by_brand"]["Acme"]["service_handle_present"] == 0
    assert out["by_brand"]["Other"]["first_response_median_min"] == 5.0
    assert set(out["by_channel"]) == {"facebook", "twitter"}
    assert out["by_channel"]["facebook"]["customer_conversations"] == 1
    assert out["by_channel"]["twitter"]["response_rate"] == round(7 / 9, 4)
    assert out["scope"]["service_handles"] == ["AcmeHelp"]
    assert out["scope"]["peer_handles"] == ["Other"]


def test_local_time_zone_moves_days_and_nights(frames):
    # New York is UTC-5 in early March 2024: c2 opens 18:30 and is answered 20:30 the same day;
    # c1 (05:00, 30 min) and c4 (04:15, 10 min), not c2, are the night conversations.
    ny = M.compute_all(*frames, CLIENT, tz="America/New_York")
    assert ny["overall"]["first_response_same_day"] == 0.8
    assert ny["overall"]["night_first_response_median_min"] == 20.0
    assert ny["series"]["inbound_by_hour_of_week"][5] == 2


def test_configured_service_handle(frames):
    out = M.compute_all(*frames, ["Acme"], service_handles_config=["Acme"])
    assert set(out["scope"]["service_handles"]) == {"Acme", "AcmeHelp"}
    assert out["overall"]["service_handle_reply_share"] == 1.0


def test_output_is_deterministic_json(frames, out):
    again = M.compute_all(*frames, CLIENT)
    assert json.dumps(out, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert json.dumps(out, allow_nan=False)                   # no NaN anywhere
    assert list(out["overall"]) == sorted(out["overall"])


def test_definitions_document_every_metric(out):
    assert set(out["definitions"]) == set(M.METRICS)
    for d in out["definitions"].values():
        assert len(d["definition"]) > 30 and d["unit"] in UNITS


def test_unknown_metric_lists_valid_names():
    with pytest.raises(AuditInputError) as err:
        M.get_metric("respons_rate")
    assert "respons_rate" in str(err.value) and "response_rate" in str(err.value)
    assert all(name in str(err.value) for name in M.METRICS)


def test_missing_columns_and_unknown_client_are_clear(frames):
    messages, conversations = frames
    with pytest.raises(AuditInputError, match="sentiment"):
        M.compute_all(messages.drop(columns=["sentiment"]), conversations, CLIENT)
    with pytest.raises(AuditInputError, match="Brand handles found: Acme, AcmeHelp, Other"):
        M.compute_all(messages, conversations, ["Contoso"])


# --- peers ---------------------------------------------------------------------------------------
def test_peers_percentile_respects_direction():
    defs = {"rate": {"higher_is_better": True}, "wait": {"higher_is_better": False},
            "volume": {"higher_is_better": None}}
    peers = {"A": {"rate": 0.2, "wait": 100.0, "volume": 10}, "B": {"rate": 0.5, "wait": 30.0, "volume": 50},
             "C": {"rate": 0.9, "wait": 5.0, "volume": 20}, "D": {"rate": 0.5, "wait": None, "volume": 5}}
    out = rank({"rate": 0.5, "wait": 20.0, "volume": 30}, peers, defs)
    # rate: beats A, ties B and D, behind C -> (1 + 0.5 * 2) / 4
    assert out["rate"]["percentile"] == 50.0 and out["rate"]["rank"] == 2 and out["rate"]["n_peers"] == 4
    assert out["rate"]["peer_median"] == 0.5
    # wait (lower is better): beats A and B, behind C; D has no value
    assert out["wait"]["percentile"] == pytest.approx(200 / 3) and out["wait"]["rank"] == 2
    assert out["wait"]["n_peers"] == 3 and out["wait"]["n_ranked"] == 4
    assert out["volume"]["percentile"] == 75.0


def test_peers_from_compute_all(frames):
    out = compare(*frames, CLIENT, min_inbound=1)
    assert [p["handle"] for p in out["peers"]] == ["Other"]
    assert out["metrics"]["first_response_median_min"]["percentile"] == 0.0   # 65 min vs 5 min
    assert out["metrics"]["first_response_median_min"]["rank"] == 2
    assert out["metrics"]["response_rate"]["percentile"] == 0.0               # 0.8 vs 1.0
    json.dumps(out, allow_nan=False)


def test_peers_need_minimum_volume(out):
    result = from_metrics(out)                                 # default: 30 inbound posts
    assert not result["available"] and result["metrics"] == {}
    assert result["excluded"] == [{"handle": "Other", "inbound_posts": 1,
                                   "reason": "fewer than 30 inbound posts"}]


def test_peer_ranks_say_when_intervals_overlap():
    defs = {"rate": {"higher_is_better": True}, "wait": {"higher_is_better": False}}
    peers = {"A": {"rate": 0.2, "wait": 100.0}, "B": {"rate": 0.55, "wait": 30.0}, "C": {"rate": 0.9, "wait": 5.0}}
    ivs = {"overall": {"rate": [0.4, 0.6], "wait": [15.0, 25.0]},
           "by_brand": {"A": {"rate": [0.1, 0.3], "wait": [90.0, None]}, "B": {"rate": [0.5, 0.6], "wait": [22.0, 40.0]},
                        "C": {"rate": [0.85, 0.95], "wait": [4.0, 6.0]}}}
    out = rank({"rate": 0.5, "wait": 20.0}, peers, defs, ivs)
    # rate: behind C for sure, ahead of A for sure, tied with B (intervals overlap): 2nd or 3rd of 4
    assert out["rate"]["rank"] == 3 and out["rate"]["tied_with"] == ["B"]
    assert out["rate"]["rank_range"] == [2, 3] and out["rate"]["tied"]
    # wait (lower is better): C surely faster, A surely slower, B overlaps
    assert out["wait"]["rank_range"] == [2, 3] and out["wait"]["tied_with"] == ["B"]
    clear = rank({"rate": 0.5}, {"A": {"rate": 0.2}}, {"rate": defs["rate"]},
                 {"overall": {"rate": [0.45, 0.55]}, "by_brand": {"A": {"rate": [0.1, 0.3]}}})
    assert clear["rate"]["rank_range"] == [1, 1] and not clear["rate"]["tied"]


def test_a_client_under_the_minimum_volume_is_listed_not_ranked(frames):
    out = compare(*frames, ["Other"], min_inbound=2)      # 'Other' wrote 1 inbound post
    assert not out["available"] and out["metrics"] == {}
    assert "fewer than the 2 a rank needs" in out["reason"] and out["client_inbound_posts"] == 1
