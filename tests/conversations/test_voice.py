"""Voice heuristics of audit.conversations.voice on small hand-written cases (the calibration on real replies
is tests/reading/test_real_data.py and ``python -m audit.evaluation.voice``)."""
from __future__ import annotations

import pandas as pd
import pytest

from audit.conversations.voice import (
    agents,
    hands_over,
    normalise_reply,
    personalised,
    redirects,
    signed,
    signoff_agent,
)


@pytest.mark.parametrize("text, expected", [
    ("Sorry about that ^AB", True), ("On it -Kim", True), ("Thanks - Becky", True),
    ("Fixed now *JS https://t.co/x", True), ("We'll look into it.", False),
    ("see you - soon", False), ("Please DM us", False),
])
def test_signoff_pattern(text, expected):
    assert bool(signed(pd.Series([text], dtype="str"))[0]) is expected


@pytest.mark.parametrize("text, expected", [
    ("Please send us a DM", True), ("Can you direct message us?", True), ("Email us at help", True),
    ("Call us on 0800", True), ("Reach us here: https://acme.example", True), ("DM'd you", True),
    ("See https://acme.example for the steps", False),
    ("We'll fix it today", False), ("Admin team says hi", False),
])
def test_redirect_pattern(text, expected):
    assert bool(redirects(pd.Series([text], dtype="str"))[0]) is expected


@pytest.mark.parametrize("text, expected", [
    ("I've passed this to our billing team", True), ("A specialist will call", True),
    ("We have escalated it", True), ("forwarded to the depot", True),
    ("Looking forward to it!", False), ("Please contact our customer service team", False),
])
def test_escalation_pattern(text, expected):
    assert bool(hands_over(pd.Series([text], dtype="str"))[0]) is expected


@pytest.mark.parametrize("text, expected", [
    ("Hi Sarah, that's fixed", True), ("Thanks Tom!", True), ("I'll check", True), ("Let me see", True),
    ("Sorry! Please send us a DM", False), ("Hi there, we can help", False), ("Thanks! We're on it", False),
])
def test_personalised_pattern(text, expected):
    assert bool(personalised(pd.Series([text], dtype="str"))[0]) is expected


def test_normalise_reply_merges_templates():
    texts = pd.Series(["@u1 Hi Sarah, order 123 ships Monday https://a.b/1 ^AB",
                       "@u2 hi Tom! Order 98765 ships Monday. -Kim",
                       "@u3 Hi, order 5 ships Tuesday"], dtype="str")
    keys = normalise_reply(texts).tolist()
    assert keys[0] == keys[1] == "hi order # ships monday"
    assert keys[2] != keys[0]


@pytest.mark.parametrize("text, agent", [
    # every style the shared real data shows (../shared/real/README.md), with trailers after it
    ("@1 We can help ^AB", "AB"), ("@1 Sure thing ^cr", "cr"), ("@1 We're sorry ^Jane 2/2", "Jane"),
    ("@1 ...in the meantime. 2/2^Corry", "Corry"), ("@1 Let's fix that *KellenF", "KellenF"),
    ("@1 Glad to help *MS", "MS"), ("@1 Can you DM us? /LS https://t.co/abc", "LS"),
    ("@1 Happy to help -Becky", "Becky"), ("@1 Which store was it? - Nick", "Nick"),
    ("@1 Please DM us -KC", "KC"), ("@1 I'll check this for you. Thanks, James.", "James"),
    ("@1 We have replied via DM!- Anwar", "Anwar"), ("@1 Sorted. Rgds,Neha L https://t.co/x", "Neha L"),
    ("@1 Done (3/5) ^RW", "RW"), ("@1 Sorry for the wait. Robbie", "Robbie"),
    ("@1 Thanks!\n\nAsmita - HP Social Media Tech Support", "Asmita"),
    # not an agent: team hashtags and names, closing words, the customer's name, abbreviations
    ("@1 We're on it #AATeam", None), ("@1 Have fun. - The Xbox Team", None), ("@1 Sorry. Thanks!", None),
    ("@1 Enjoy your flight, Damaso.", None), ("@1 Back in stock soon. Thanks Mark", None),
    ("@1 Please send us a DM", None), ("@1 We'll look into it.", None), (None, None),
])
def test_signoff_agent_token(text, agent):
    assert signoff_agent(text) == agent


def test_agents_column_drops_the_brand_name_but_keeps_initials_inside_the_handle():
    texts = pd.Series(["Thanks for shopping. - Tesco", "Let us know. ^AS", "Fine. -Kim"], dtype="str")
    out = agents(texts, pd.Series(["Tesco", "AskVisa", "Acme"], dtype="str"))
    assert out.isna().tolist() == [True, False, False]
    assert out.tolist()[1:] == ["AS", "Kim"]


def test_personalised_ignores_a_signoff_that_reads_like_me():
    assert not personalised(pd.Series(["Have you contacted the seller? ^ME"], dtype="str"))[0]
    assert personalised(pd.Series(["We're sorry about that, Alexa."], dtype="str"))[0]
