"""Agent scorecards on a hand-built fixture whose answers are known by construction, Wilson
intervals against scipy, pooling of small agents, and the coaching pick."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import binomtest

from audit.common.realdata import TWCS_SAMPLE, real_dir
from audit.metrics import agents as A
from audit.metrics import registry as M
from audit.metrics.prepare import prepare
from tests.helpers import frames as F
from tests.helpers.paths import SAMPLE_CSV

START = pd.Timestamp("2024-03-04 09:00", tz="UTC")


def rows() -> tuple[list[dict], dict[str, str]]:
    """AB (Acme): 20 negative conversations, answered in 10 min by name, 15 end positive.
    KC (Acme): 20 negative conversations, answered in 60 min with a DM request, 5 end positive.
    Jo (Acme) 3 replies and AB (AcmeHelp) 2 replies: pooled per handle. Agent of each reply id."""
    out, agent_of = [], {}
    plan = [("AB", "Acme", 20, 10, 15, "Hi Sarah, I'm so sorry, I have fixed order 12345678 now ^AB"),
            ("KC", "Acme", 20, 60, 5, "Please send us a DM with your order number. ^KC"),
            ("Jo", "Acme", 3, 30, 0, "We are looking into it -Jo"),
            ("AB", "AcmeHelp", 2, 5, 0, "Checking that now ^AB")]
    n = 0
    for agent, handle, count, minutes, recovered, text in plan:
        for i in range(count):
            cid = f"{handle}-{agent}-{i}"
            events = [(0, f"u{n}", f"@{handle} this is awful", "negative", "complaint"), (minutes, handle, text)]
            events.append((minutes + 5, f"u{n}", "thanks!" if i < recovered else "still awful",
                           "positive" if i < recovered else "negative", "other"))
            out += F.conversation(cid, handle, f"u{n}", START + pd.Timedelta(hours=n), events)
            agent_of[f"{cid}-1"] = agent
            n += 1
    return out, agent_of


@pytest.fixture(scope="module")
def cards() -> list[dict]:
    data, agent_of = rows()
    m, c = F.build(data)
    m["agent"] = m["message_id"].map(agent_of).astype("string")  # the documented interface of audit.conversations.voice
    prep = prepare(m, c)
    convs = prep.conversations.loc[prep.conversations["opened_by_customer"]]
    return A.scorecards(prep.messages, convs, ["Acme", "AcmeHelp"])


def by(cards, brand, agent):
    return next(c for c in cards if c["brand"] == brand and c["agent"] == agent)


def test_scored_agents_have_the_figures_built_into_the_fixture(cards):
    ab, kc = by(cards, "Acme", "AB"), by(cards, "Acme", "KC")
    assert (ab["replies"], ab["conversations"], ab["median_reply_min"]) == (20, 20, 10.0)
    assert (ab["recovered"], ab["negative_conversations"], ab["recovery_rate"]) == (15, 20, 0.75)
    assert (ab["personalised_share"], ab["private_share"]) == (1.0, 0.0)
    assert (kc["median_reply_min"], kc["recovery_rate"], kc["personalised_share"], kc["private_share"]) == (60.0, 0.25, 0.0, 1.0)
    assert ab["scored"] and kc["scored"]
    assert (ab["median_reply_min_low"], ab["median_reply_min_high"]) == (10.0, 10.0)  # all 20 in 10 min


def test_small_agents_are_pooled_per_handle(cards):
    pooled = [c for c in cards if not c["scored"]]
    assert {(c["brand"], c["agent"], c["replies"], c["agents"]) for c in pooled} == {
        ("Acme", A.POOLED, 3, 1), ("AcmeHelp", A.POOLED, 2, 1)}
    assert [c["scored"] for c in cards] == sorted((c["scored"] for c in cards), reverse=True)  # scored first


def test_intervals_are_wilson_as_scipy_computes_them(cards):
    ab = by(cards, "Acme", "AB")
    ci = binomtest(15, 20).proportion_ci(confidence_level=0.95, method="wilson")
    assert (ab["recovery_rate_low"], ab["recovery_rate_high"]) == pytest.approx((ci.low, ci.high), abs=1e-9)
    ci = binomtest(20, 20).proportion_ci(confidence_level=0.95, method="wilson")
    assert (ab["personalised_share_low"], ab["personalised_share_high"]) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_best_agents_are_the_top_quarter_by_recovery(cards):
    assert [(c["brand"], c["agent"]) for c in A.best_agents(cards)] == [("Acme", "AB")]


def test_no_agent_column_means_no_scorecards():
    m, c = F.build(rows()[0])
    prep = prepare(m, c)
    assert A.scorecards(prep.messages, prep.conversations, ["Acme"]) == []


def test_metrics_json_carries_the_scorecards_and_says_when_there_are_none():
    data, agent_of = rows()
    m, c = F.build(data)
    plain = M.compute_all(m, c, ["Acme", "AcmeHelp"])["agents"]
    assert plain["available"] is False and "no agent column" in plain["reason"]
    m["agent"] = m["message_id"].map(agent_of).astype("string")
    out = M.compute_all(m, c, ["Acme", "AcmeHelp"])["agents"]
    assert out["available"] and out["best"] == ["Acme/AB"] and out["scored_agents"] == 2
    assert (out["replies"], out["signed_replies"], out["signed_share"]) == (45, 45, 1.0)
    assert [(r["brand"], r["agent"]) for r in out["scorecards"]] == [
        ("Acme", "AB"), ("Acme", "KC"), ("Acme", A.POOLED), ("AcmeHelp", A.POOLED)]
    assert out["scorecards"][0]["recovery_rate"] == 0.75


def test_coaching_quotes_what_the_best_agent_does_masked():
    from audit import grading as maturity
    from audit.report import playbook
    data, agent_of = rows()
    m, c = F.build(data)
    m["agent"] = m["message_id"].map(agent_of).astype("string")
    figures = M.compute_all(m, c, ["Acme", "AcmeHelp"])
    book = playbook.build(figures, maturity.grade(figures), m, c, client="Acme", brands=["Acme", "AcmeHelp"],
                          accounting={"input_rows": len(m), "accepted": len(m), "quarantined": 0})
    s = book["coaching"]
    assert s["available"] and [r["agent"] for r in s["scorecards"]["rows"][:2]] == ["AB", "KC"]
    assert s["practices"] == [
        "They turn an upset customer around (the last post is neutral or positive) in 75% of cases, the other scored agents in 25%.",
        "They greet the customer by name or speak as themselves in 100% of cases, the other scored agents in 0%.",
        "They answer faster: a median of 10 min against 1 h."]
    (ab,) = s["coaching"]
    assert ab["agent"] == "AB" and ab["quotes"] == ["Hi [name], I'm so sorry, I have fixed order [number] now ^AB"]  # once


SAMPLE = SAMPLE_CSV
REAL = real_dir() / TWCS_SAMPLE


def _threads(path: Path):
    from audit.conversations import threads
    from audit.reading import ingest
    messages, conversations = threads.build(ingest.load(path).messages)
    return messages.assign(sentiment="neutral", intent=None), conversations


def test_sample_agents_are_scored_with_reply_times_equal_to_a_plain_pandas_count():
    """TWCS-layout sample: per scored agent, the median minutes from a customer tweet to its first
    reply by the client's handles, when the agent wrote that reply, recomputed from the raw CSV."""
    messages, conversations = _threads(SAMPLE)
    out = M.compute_all(messages, conversations, ["AcmeHelp", "Acme"])["agents"]
    assert out["available"] and out["scored_agents"] >= 2
    raw = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    raw["when"] = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True)
    agent_of = messages.set_index("message_id")["agent"]
    posts = raw.loc[raw["inbound"] == "True", ["tweet_id", "when"]]
    client = raw["author_id"].isin(["AcmeHelp", "Acme"])  # the first answer by any client handle counts
    replies = raw.loc[client & (raw["inbound"] == "False") & raw["in_response_to_tweet_id"].ne("")].assign(
        parent=lambda d: d["in_response_to_tweet_id"].str.replace(r"\.0$", "", regex=True))
    pairs = posts.merge(replies, left_on="tweet_id", right_on="parent", suffixes=("", "_r"))
    first = pairs.sort_values(["when_r", "tweet_id_r"]).groupby("tweet_id").head(1)
    first = first.assign(agent=first["tweet_id_r"].map(agent_of), minutes=(first["when_r"] - first["when"]).dt.total_seconds() / 60)
    for card in (c for c in out["scorecards"] if c["scored"]):
        mine = first.loc[first["author_id"].eq(card["brand"]) & first["agent"].eq(card["agent"]), "minutes"]
        assert card["median_reply_min"] == pytest.approx(mine.median(), abs=1e-4)
        assert card["replies"] >= A.MIN_REPLIES


def test_real_twcs_sample_pools_agents_too_small_to_score_and_says_so():
    """Random 5,000 real tweets: agents sign, but none 20 times; every brand whose agents sign
    gets a pooled row whose replies are that brand's signed replies."""
    if not REAL.exists():
        pytest.fail(f"{REAL} is missing (real data beside the project)")
    messages, conversations = _threads(REAL)
    brands = sorted(messages.loc[~messages["is_customer"], "author"].unique())
    out = M.compute_all(messages, conversations, brands)["agents"]
    signed = messages.loc[messages["agent"].notna() & messages["reply_to_id"].notna() & ~messages["is_customer"]]
    assert not out["available"] and "pooled" in out["reason"] and out["signed_replies"] == len(signed) > 0
    pooled = {c["brand"]: c["replies"] for c in out["scorecards"]}
    assert pooled == signed.groupby("author").size().to_dict()


def _card(agent: str, rec: float, low: float, high: float, neg: int = 10) -> dict:
    return {"agent": agent, "brand": "AcmeHelp", "scored": True, "negative_conversations": neg,
            "recovery_rate": rec, "recovery_rate_low": low, "recovery_rate_high": high,
            "median_reply_min": 10.0, "median_reply_min_low": 5.0, "median_reply_min_high": 20.0}


def test_best_agent_withheld_where_intervals_overlap():
    from audit.metrics.agents import best_agents
    # 8/10 against 5/10 (Wilson 49%-94% and 24%-76%): overlap, so nobody is named best
    assert best_agents([_card("AB", 0.8, 0.49, 0.94), _card("CD", 0.5, 0.24, 0.76)]) == []
    # 95/100 against 20/100 (89%-98% and 13%-29%): separate, so AB is named
    named = best_agents([_card("AB", 0.95, 0.89, 0.98, 100), _card("CD", 0.2, 0.13, 0.29, 100)])
    assert [c["agent"] for c in named] == ["AB"]
