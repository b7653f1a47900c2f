"""Escalation: the crisis lexicon (exceptions, routes, validation), tiers on a stated small share,
and each tier's back-test on a hand-built history whose every figure is counted by hand below."""
from __future__ import annotations

import pandas as pd
import pytest

from audit.report.playbook import backtest as bt
from audit.report.playbook import lexicon
from audit.report.playbook.context import Client


def route(text: str) -> object:
    return lexicon.matches(lexicon.load(), pd.Series([text]))["route"].iloc[0]


@pytest.mark.parametrize("text", ["My Fire TV Stick will not turn on", "the new Kindle Fire is slow",
                                  "you lot are on fire today, thanks!", "firestick remote lost"])
def test_product_names_and_idioms_are_not_a_crisis(text):
    assert pd.isna(route(text))


def test_account_security_goes_to_the_specialist_not_pr():
    assert route("my account was hacked, please help") == "account_security"
    assert route("I think it's a phishing email") == "account_security"


def test_safety_and_legal_words_are_a_crisis_and_win_over_security():
    assert route("the charger caught fire in my kitchen") == "crisis"
    assert route("my lawyer will hear about this") == "crisis"
    assert route("hacked account and now my lawyer is involved") == "crisis"


def test_exceptions_are_data_a_client_can_edit(tmp_path):
    own = tmp_path / "acme.yaml"
    own.write_text("categories:\n  safety:\n    route: crisis\n    terms: [fire]\n", encoding="utf-8")
    bare = lexicon.load(own)          # without the product-name exception, the product name fires
    assert lexicon.matches(bare, pd.Series(["My Fire TV Stick"]))["route"].iloc[0] == "crisis"


@pytest.mark.parametrize("body, problem", [
    ("categories:\n  pr:\n    route: pr_team\n    terms: [fire]\n", "route 'pr_team'"),
    ("categories:\n  safety:\n    route: crisis\n    terms: []\n", "terms must be a non-empty list"),
    ("categories:\n  safety:\n    route: crisis\n    terms: [fire]\n    colour: red\n", "unknown key"),
    ("wordz: [fire]\n", "unknown key"),
    ("categories: [unclosed\n", "not valid YAML"),
])
def test_a_broken_lexicon_names_the_file_and_the_problem(tmp_path, body, problem):
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(lexicon.LexiconError) as err:
        lexicon.load(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_the_cutoff_takes_the_stated_share_and_never_a_mild_score():
    scores = pd.Series([-1.0 + 0.1 * i for i in range(20)])        # -1.0, -0.9, ..., 0.9
    assert bt.negative_cutoff(scores, 0.05) == pytest.approx(-1.0)    # 1 of 20 posts = 5%
    assert bt.negative_cutoff(scores, 0.30) == pytest.approx(-0.6)    # capped: 30% would reach -0.5
    assert bt.negative_cutoff(pd.Series([0.2, 0.5, 0.9]), 0.05) == -0.6


def test_targets_never_loosen_as_the_tier_rises():
    assert bt.monotonic_targets([5400, 2640, 3600, 900, 1800]) == [5400, 2640, 2640, 900, 900]


# ---- a hand-built history: 20 customer posts, one per conversation, one per day -------------
WAIT_MIN = {0: 10, 1: 30, 3: 120, 11: 5, 12: 30, 13: 30, 14: 30}   # others 60 min; post 19 unanswered
TEXT = {1: "my account was hacked", 2: "My Fire TV Stick is broken", 3: "the charger caught fire"}


def _history() -> Client:
    start = pd.Timestamp("2024-01-01 12:00", tz="UTC")
    msgs, convs = [], []
    for i in range(20):
        at = start + pd.Timedelta(days=i if i != 11 else 10.5)        # post 11: same customer as 10, 12 h later
        customer = "cust10" if i == 11 else f"cust{i}"
        msgs.append({"message_id": f"c{i}", "conversation_id": f"k{i}", "author": customer, "is_customer": True,
                     "created_at": at, "text": TEXT.get(i, "where is my parcel"), "brand": "AcmeHelp",
                     "sentiment_score": -1.0 + 0.1 * i, "intent": "question" if 4 <= i <= 9 else "complaint"})
        if i != 19:
            msgs.append({"message_id": f"r{i}", "conversation_id": f"k{i}", "author": "AcmeHelp", "is_customer": False,
                         "created_at": at + pd.Timedelta(minutes=WAIT_MIN.get(i, 60)), "text": "on it",
                         "brand": "AcmeHelp", "sentiment_score": 0.0, "intent": None})
        convs.append({"conversation_id": f"k{i}", "customer": customer, "opened_at": at,
                      "opening_message_id": f"c{i}"})
    m = pd.DataFrame(msgs)
    return Client(name="Acme", brands=["AcmeHelp"], keys=frozenset({"acmehelp"}), tz="UTC",
                  inbound=m.loc[m["is_customer"]], replies=m.loc[~m["is_customer"]], messages=m,
                  conversations=pd.DataFrame(convs))


TARGETS = {1: 5400.0, 2: 2640.0, 3: 900.0, 4: 900.0, 5: 900.0}


def test_each_post_goes_to_one_tier_by_hand():
    client = _history()
    posts = bt.classify(client, lexicon.load(), share=0.05)
    tiers = {int(m[1:]): t for m, t in zip(client.inbound["message_id"], posts["tier"])}
    assert tiers[3] == bt.CRISIS and tiers[1] == bt.SECURITY
    assert tiers[2] == bt.AGENT                       # "Fire TV Stick": no crisis
    assert {i for i, t in tiers.items() if t == bt.SUPERVISOR} == {0, 11}   # most negative 5%, repeat contact
    assert {i for i, t in tiers.items() if t == bt.SELF_SERVICE} == set(range(4, 10))
    assert posts["very_negative"].sum() == 1          # the stated share: 1 of 20 posts


def test_backtest_counts_cases_a_week_and_the_share_met_by_hand():
    posts = bt.classify(_history(), lexicon.load(), share=0.05)
    fig = bt.tier_figures(posts, TARGETS, weeks=4.0)
    # tier 5: post 3, answered after 120 min against 15 min
    assert fig[5]["backtest"] | {"interval": None} == {"cases": 1, "met": 0, "n": 1, "target_s": 900.0,
                                                       "share_met": 0.0, "interval": None}
    # tier 4: post 1, 30 min against 15 min
    assert (fig[4]["backtest"]["cases"], fig[4]["backtest"]["met"]) == (1, 0)
    # tier 3: posts 0 (10 min) and 11 (5 min), both within 15 min; 2 of 20 posts; 0.5 a week
    assert fig[3]["backtest"]["cases"] == 2 and fig[3]["backtest"]["share_met"] == 1.0
    assert fig[3]["share_of_posts"] == pytest.approx(0.10) and fig[3]["posts_per_week"] == pytest.approx(0.5)
    # tier 2: posts 2, 10, 12-19 = 10; within 44 min only 12, 13, 14 (30 min); 19 never answered
    assert (fig[2]["backtest"]["cases"], fig[2]["backtest"]["met"]) == (10, 3)
    assert fig[2]["backtest"]["share_met"] == pytest.approx(0.3)
    # tier 1: posts 4-9, all answered in 60 min against 90 min
    assert (fig[1]["backtest"]["cases"], fig[1]["backtest"]["met"]) == (6, 6)
    assert sum(f["share_of_posts"] for f in fig.values()) == pytest.approx(1.0)
    lo, hi = fig[2]["backtest"]["interval"]
    assert lo < 0.3 < hi


def test_playbook_tiers_carry_share_rate_and_backtest_with_monotonic_targets():
    from tests.helpers.playbooks import demo
    for client in ("Acme", "Northwind Home"):
        tiers = demo(client)[0]["escalation"]["tiers"]
        assert [t["tier"] for t in tiers] == [1, 2, 3, 4, 5]
        targets = [t["target_s"] for t in tiers]
        assert targets == sorted(targets, reverse=True)
        for t in tiers:
            assert {"share_of_posts", "posts_per_week", "backtest"} <= set(t)
            assert {"cases", "share_met", "n"} <= set(t["backtest"])
        assert tiers[3]["name"] == "Account security"
