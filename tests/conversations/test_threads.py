"""Threads rebuilt from a hand-built export with known answers, then structural edge cases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit.conversations.threads import CONVERSATION_COLUMNS, build
from audit.reading.ingest import load
from audit.reading.schema import MESSAGE_COLUMNS, THREAD_COLUMNS
from tests.helpers.paths import FIXTURES

FIXTURE = FIXTURES / "ingest" / "threads_cases.csv"
NAN = float("nan")


@pytest.fixture(scope="module")
def messages() -> pd.DataFrame:
    return load(FIXTURE).messages


@pytest.fixture(scope="module")
def built(messages):
    return build(messages, brands=["AcmeStore"])


# Hand-computed from threads_cases.csv (times in minutes past the opening post).
EXPECTED = pd.DataFrame(
    [
        # id    brand       brands          customer      by_cust first_resp  resp_s  n  nc nb last        dur_s
        ("d1", "Acme", "Acme", "leeds_lee", False, "d4", 2700.0, 4, 2, 2, "brand", 4500.0),   # announcement
        ("a1", "AcmeHelp", "AcmeHelp", "router_rita", True, "a2", 300.0, 4, 2, 2, "brand", 3000.0),
        ("b2", "AcmeHelp", "AcmeHelp", "refund_ron", True, "b3", 1800.0, 2, 1, 1, "brand", 1800.0),
        ("cy1", "AcmeHelp", "AcmeHelp", "loop_lu", True, "cy2", 600.0, 4, 3, 1, "customer", 1800.0),
        ("e1", "AcmeHelp", "", "angry_al", True, None, NAN, 1, 1, 0, "customer", 0.0),     # @acmehelp
        ("f1", "unknown", "", "chatty_cy", True, None, NAN, 1, 1, 0, "customer", 0.0),
        ("g1", "AcmeStore", "", "shop_sue", True, None, NAN, 1, 1, 0, "customer", 0.0),    # brands arg
        ("h1", "Acme", "Acme,AcmeHelp", "two_tim", True, "h3", 60.0, 3, 1, 2, "brand", 120.0),
    ],
    columns=["conversation_id", "brand", "brands", "customer", "opened_by_customer",
             "first_response_id", "first_response_s", "n_messages", "n_customer", "n_brand",
             "last_speaker", "duration_s"],
)

THREAD_OF = {  # message -> (conversation, depth, turn)
    "a1": ("a1", 0, 0), "a2": ("a1", 1, 1), "a3": ("a1", 2, 2), "a4": ("a1", 3, 3),
    "b2": ("b2", 0, 0), "b3": ("b2", 1, 1),
    "cy1": ("cy1", 0, 0), "cy2": ("cy1", 1, 1), "cy3": ("cy1", 2, 2), "cy4": ("cy1", 3, 3),
    "d1": ("d1", 0, 0), "d2": ("d1", 1, 1), "d3": ("d1", 1, 2), "d4": ("d1", 2, 3),
    "e1": ("e1", 0, 0), "f1": ("f1", 0, 0), "g1": ("g1", 0, 0),
    "h1": ("h1", 0, 0), "h3": ("h1", 1, 1), "h2": ("h1", 1, 2),
}


def test_conversations_match_the_hand_computed_answers(built):
    _, conversations = built
    want = EXPECTED.astype({c: CONVERSATION_COLUMNS[c] for c in EXPECTED.columns})
    pd.testing.assert_frame_equal(conversations[EXPECTED.columns], want)
    assert list(conversations.columns) == list(CONVERSATION_COLUMNS)
    assert conversations["answered"].tolist() == [True, True, True, True, False, False, False, True]


def test_first_response_times_and_last_activity(built):
    _, conversations = built
    c = conversations.set_index("conversation_id")
    assert c.loc["a1", "first_response_at"] == pd.Timestamp("2024-05-06T10:05:00Z")
    assert c.loc["a1", "last_customer_at"] == pd.Timestamp("2024-05-06T10:20:00Z")
    assert c.loc["a1", "last_brand_at"] == pd.Timestamp("2024-05-06T10:50:00Z")
    assert c.loc["d1", "opened_at"] == pd.Timestamp("2024-05-06T09:00:00Z")
    assert pd.isna(c.loc["e1", "first_response_at"]) and pd.isna(c.loc["e1", "last_brand_at"])
    assert set(c["channel"]) == {"twitter"}
    assert c.loc["d1", "opening_message_id"] == "d1"


def test_every_message_gets_its_thread(built, messages):
    threaded, _ = built
    assert threaded["message_id"].tolist() == messages["message_id"].tolist()  # row order kept
    got = {m: (c, d, t) for m, c, d, t in threaded[["message_id", "conversation_id", "depth", "turn"]]
           .itertuples(index=False)}
    assert got == THREAD_OF
    broken = threaded.loc[threaded["cycle_broken"], "message_id"].tolist()
    assert broken == ["cy1"]  # the earliest post of the cycle cy1 -> cy3 -> cy2 -> cy1
    assert threaded.set_index("message_id")["brand"].to_dict()["d3"] == "Acme"
    for column, dtype in THREAD_COLUMNS.items():
        assert str(threaded[column].dtype) == dtype


def test_row_order_does_not_matter(built, messages):
    shuffled = messages.sample(frac=1.0, random_state=7)
    threaded, conversations = build(shuffled, brands=["AcmeStore"])
    pd.testing.assert_frame_equal(conversations, built[1])
    key = ["message_id", *THREAD_COLUMNS]
    pd.testing.assert_frame_equal(
        threaded[key].sort_values("message_id").reset_index(drop=True),
        built[0][key].sort_values("message_id").reset_index(drop=True),
    )


def test_brand_from_mention_needs_a_known_handle(messages):
    _, conversations = build(messages)  # AcmeStore never posts and is not passed
    assert conversations.set_index("conversation_id").loc["g1", "brand"] == "unknown"


def test_rebuilding_is_idempotent(built):
    again, conversations = build(built[0], brands=["AcmeStore"])
    pd.testing.assert_frame_equal(again, built[0])
    pd.testing.assert_frame_equal(conversations, built[1])


# --------------------------------------------------------------------------- structure


def frame(parents: list[str | None], minutes: list[int], customers: list[bool] | None = None) -> pd.DataFrame:
    n = len(parents)
    customers = customers if customers is not None else [True] * n
    return pd.DataFrame({
        "message_id": [f"m{i}" for i in range(n)],
        "reply_to_id": parents,
        "author": ["cust" if c else "Brand" for c in customers],
        "is_customer": customers,
        "created_at": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(minutes, unit="min"),
        "text": "@Brand hello",
        "channel": "twitter",
        "source_row": np.arange(1, n + 1),
        "reply_to_unknown": False,
        "text_truncated": False,
    }).astype(MESSAGE_COLUMNS)


def test_deep_chain_resolves_by_pointer_jumping():
    n = 50_000
    parents = [None] + [f"m{i}" for i in range(n - 1)]
    threaded, conversations = build(frame(parents, list(range(n))))
    assert threaded["depth"].tolist() == list(range(n))
    assert threaded["turn"].tolist() == list(range(n))
    assert conversations["conversation_id"].tolist() == ["m0"]


def test_long_cycle_is_cut_at_its_earliest_post_and_tails_follow():
    # m0..m9 form a ring (m_i replies to m_{i+1}); the earliest is m4; m10 replies into the ring.
    parents = [f"m{(i + 1) % 10}" for i in range(10)] + ["m2"]
    minutes = [50, 60, 70, 80, 5, 15, 25, 35, 45, 55, 90]
    threaded, conversations = build(frame(parents, minutes))
    t = threaded.set_index("message_id")
    assert conversations["conversation_id"].tolist() == ["m4"]
    assert t.index[t["cycle_broken"]].tolist() == ["m4"]
    assert t.loc["m3", "depth"] == 1 and t.loc["m5", "depth"] == 9 and t.loc["m10", "depth"] == 3


def test_self_reply_and_two_separate_cycles():
    parents = ["m0", "m2", "m1", "m4", "m3"]
    threaded, conversations = build(frame(parents, [0, 10, 5, 20, 30]))
    assert conversations["conversation_id"].tolist() == ["m0", "m2", "m3"]
    assert threaded.loc[threaded["cycle_broken"], "message_id"].tolist() == ["m0", "m2", "m3"]


def test_brand_reply_before_the_customer_is_not_a_response():
    # Brand opens (announcement), brand adds a follow-up, then the customer, then the answer.
    parents = [None, "m0", "m0", "m2"]
    threaded, conversations = build(frame(parents, [0, 5, 10, 40], [False, False, True, False]))
    row = conversations.iloc[0]
    assert (row["first_response_id"], row["first_response_s"]) == ("m3", 1800.0)
    assert not row["opened_by_customer"] and row["last_speaker"] == "brand"


def test_empty_input_gives_empty_frames():
    threaded, conversations = build(frame([], []))
    assert threaded.empty and conversations.empty
    assert list(conversations.columns) == list(CONVERSATION_COLUMNS)
    assert str(conversations["first_response_s"].dtype) == "float64"


def test_parquet_round_trip_keeps_the_contract(built, tmp_path):
    """Later stages re-read messages.parquet: dtypes must survive and threads rebuild identically."""
    from audit.reading.schema import validate_messages

    built[0].to_parquet(tmp_path / "messages.parquet")
    back = pd.read_parquet(tmp_path / "messages.parquet")
    validate_messages(back, threaded=True)
    again, conversations = build(back, brands=["AcmeStore"])
    pd.testing.assert_frame_equal(again, built[0])
    pd.testing.assert_frame_equal(conversations, built[1])


def test_a_reply_stamped_before_its_parent_counts_as_answered_with_a_reply_time_of_zero():
    # Clock skew: the brand's answer m1 is stamped 7 minutes before the customer's post m0;
    # the customer's follow-up m2 (replying to m1) sits between them.
    threaded, conversations = build(frame([None, "m0", "m1"], [10, 3, 5], [True, False, True]))
    row = conversations.iloc[0]
    assert len(conversations) == 1 and row["answered"] and row["first_response_id"] == "m1"
    assert row["first_response_s"] == 0.0
    assert threaded["turn"].tolist() == [0, 1, 2]
    assert (threaded["created_at"].diff().dropna() >= pd.Timedelta(0)).all()
