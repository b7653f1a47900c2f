"""The playbook speaks the client's language: teams, references and templates follow its own posts
(``audit/report/playbook/tailoring.yaml``), and a heading with nothing to say is left out.

Real clients from the public TWCS export (``../shared/real/``, read in place): three games support
handles as one games client, and an airline. Sentiment and intent come from the keyword stand-in
of ``tests.helpers.playbooks``; topics from a keyword stand-in for the clustering (tested in
tests/topics), owned by the production routing.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pytest

from audit import grading as maturity
from audit.common.errors import AuditInputError
from audit.common.handles import handle_keys
from audit.common.realdata import real_dir
from audit.conversations import threads
from audit.metrics import registry as metrics
from audit.reading import ingest
from audit.reading.redact import redact_text
from audit.report import playbook, render
from audit.report.playbook import tailoring
from audit.report.playbook.context import Client, select_client
from audit.topics.stage import report as topics_report
from tests.helpers.playbooks import CLIENTS, demo, pipeline, stand_in_scores, thin

TWCS = real_dir() / "twcs_random5000.csv"
GAMES = ["ATVIAssist", "XboxSupport", "AskPlayStation"]
AIRLINE = ["Delta"]
RETAIL_TEAMS = re.compile(r"billing|delivery|returns", re.I)


@functools.lru_cache(maxsize=1)
def _real() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    if not TWCS.exists():
        pytest.fail(f"real data missing: {TWCS} must sit beside the project (see ../shared/real/README.md)")
    loaded = ingest.load(TWCS)
    messages, conversations = threads.build(loaded.messages)
    return stand_in_scores(messages), conversations, loaded.accounting


def _stand_in_topics(messages: pd.DataFrame, brands: list[str], subjects: dict[str, str]) -> dict:
    """topics.json for the client: each post goes to the first subject whose regex it matches."""
    keys = {b.lower() for b in brands}
    customer = messages.loc[messages["is_customer"] & handle_keys(messages["brand"]).isin(keys).fillna(False)]
    topic = pd.Series(-1, index=customer.index)
    for i, pattern in reversed(list(enumerate(subjects.values()))):
        topic[customer["text"].str.contains(pattern, case=False, regex=True)] = i
    posts = pd.DataFrame({"message_id": customer["message_id"], "topic": topic.to_numpy()})
    described = {"fitted_on": len(posts), "topics": [
        {"topic": i, "label": label, "keywords": [label.lower()],
         "representative_ids": list(customer["message_id"][topic.eq(i)][:2])} for i, label in enumerate(subjects)]}
    return topics_report(messages, posts, described, brands)


@functools.lru_cache(maxsize=None)
def real_book(client: str) -> tuple[dict, str]:
    """(playbook, rendered HTML) of a real TWCS client, its conversations only (fast)."""
    brands = GAMES if client == "games" else AIRLINE
    messages, conversations, accounting = _real()
    conv = conversations.loc[handle_keys(conversations["brand"]).isin({b.lower() for b in brands}).fillna(False)]
    m = messages.loc[messages["conversation_id"].isin(set(conv["conversation_id"]))]
    topics = (_stand_in_topics(m, brands, {"Account, sign in, ban": r"account|sign in|log ?in|password|bann?ed",
                                           "Game, servers, items": r"game|server|lobby|xp|token|item|dlc|store"})
              if client == "games" else None)
    figures = metrics.compute_all(m, conv, brands)
    book = playbook.build(figures, maturity.grade(figures), m, conv, client=client, brands=brands,
                          accounting=accounting, topics=topics)
    return book, render.render_html(book)


def test_a_games_client_gets_its_own_teams_and_references():
    book, html = real_book("games")
    hands_to = book["triage"]["owners"]["rows"][0]["hands_to"]
    supervisor = book["escalation"]["tiers"][2]["owner"]
    assert not RETAIL_TEAMS.search(hands_to) and not RETAIL_TEAMS.search(supervisor), (hands_to, supervisor)
    assert "[order/account]" not in html and "order number" not in str(book["response_guidelines"])
    assert "order" not in book["triage"]["owners"]["rows"][0]["takes"]
    apology = next(t for t in book["response_guidelines"]["templates"] if t["intents"] == ["complaint"])
    assert "gamertag or player ID" in apology["text"]
    fitted = book["inputs"]["tailoring"]   # the teams are the owners of the client's largest topics
    assert fitted["sector"] == "games" and fitted["specialists_from"] == "topics"
    assert all(team in line for team in fitted["specialists"] for line in (hands_to, supervisor))


def test_an_airline_asks_for_a_booking_reference_and_quotes_its_own_customers():
    book, html = real_book("airline")
    guidelines = book["response_guidelines"]
    apology = next(t for t in guidelines["templates"] if t["intents"] == ["complaint"])
    assert "booking reference" in apology["text"] and "[order/account]" not in html
    assert not RETAIL_TEAMS.search(book["escalation"]["tiers"][2]["owner"])
    assert book["inputs"]["tailoring"]["sector"] == "travel"
    messages = _real()[0]
    own = [redact_text(t, AIRLINE) for t in messages.loc[messages["is_customer"]
                                                         & handle_keys(messages["brand"]).eq("delta"), "text"]]
    examples = [t["example"] for t in guidelines["templates"] if t["example"]]
    assert examples and all(any(e in text for text in own) for e in examples)  # Delta's own posts, masked


def test_templates_follow_the_clients_intent_mix():
    fitted = tailoring.fit(_client("Acme"), None)
    rules = fitted.rules
    rare = dict(fitted.intent_shares, compliment=0.02)
    none = dict(fitted.intent_shares, compliment=0.0)
    for shares, last in ((rare, "Thanking an advocate"), (none, "Holding statement (tier 5)")):
        ordered = tailoring.order_templates(tailoring.Tailoring(fitted.sector, (), "none", shares, rules, {}))
        names = [t["name"] for t in ordered]
        assert names[-1] == last and (shares["compliment"] > 0) == ("Thanking an advocate" in names)
        assert names[0] == ("Apology (public, first reply to a complaint)" if shares["complaint"] >= shares["question"]
                            else "Answering a question (public)")


def _client(name: str) -> Client:
    messages, conversations, _ = pipeline()
    return select_client(messages, conversations, name, CLIENTS[name], "UTC")


def _empty_headings(html: str) -> list[str]:
    """Headings of the chapters (h3, h4) followed by nothing (no text, chart or sub-heading) before
    the next heading of the same or a higher rank."""
    html = re.sub(r"<(svg|style)\b.*?</\1>", "[chart]", html, flags=re.S)
    parts = re.split(r"(<h[2-4][^>]*>.*?</h[2-4]>)", html, flags=re.S)
    empty = []
    for i in range(1, len(parts), 2):
        rank, text = int(parts[i][2]), re.sub(r"<[^>]+>", " ", parts[i + 1]).strip()
        deeper = i + 2 < len(parts) and int(parts[i + 2][2]) > rank
        if rank > 2 and not text and not deeper:
            empty.append(re.sub(r"<[^>]+>", "", parts[i]).strip())
    return empty


def test_a_heading_with_nothing_to_say_is_left_out():
    thin_book, _ = thin()
    bare_figures, bare_grade = demo("Northwind Home")[1:]
    bare = playbook.build(bare_figures, bare_grade, client="Northwind Home", brands=["NorthwindHome"], accounting={})
    assert thin_book["executive_summary"]["cost"]["statement"] is None      # unanswered, but no figure to give
    assert thin_book["staffing"]["roster"] is None                          # too few weeks for a roster
    assert bare["response_guidelines"]["examples"] == [] and bare["coaching"]["scorecards"] is None
    thin_html, bare_html = render.render_html(thin_book), render.render_html(bare)
    assert "What the gaps cost" not in thin_html and "Roster by day" not in thin_html
    assert "Your best replies" not in bare_html and "Recovery counts" not in bare_html   # nor the scorecards' footnote
    for html in (thin_html, bare_html):
        assert _empty_headings(html) == [] and "No rows in this period" not in html
    full, _, _ = demo("Northwind Home")                                     # with a figure, it stays
    assert full["executive_summary"]["cost"]["statement"] and "What the gaps cost" in render.render_html(full)


@pytest.mark.parametrize("body, problem", [
    ("min_share: 0.1\n", "needs exactly the keys"),
    ("{}", "needs exactly the keys"),
])
def test_a_broken_tailoring_file_names_the_file_and_the_problem(tmp_path, body, problem):
    path = tmp_path / "tailoring.yaml"
    path.write_text(body)
    with pytest.raises(AuditInputError, match=problem) as err:
        tailoring.load(path)
    assert str(path) in str(err.value)


def _shipped_with(tmp_path, old: str, new: str):
    text = tailoring.DEFAULT_PATH.read_text()
    assert old in text
    path = tmp_path / "tailoring.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("old, new, problem", [
    ("could you send us a {private}", "could you send us a {channel}", "unknown placeholder"),
    ("intents: [complaint]", "intents: [complain]", "intents must be a list"),
    ("keywords: [flight*", "keywords: [(flight", "must be a word or phrase"),
    ("rare_share: 0.05", "rare_share: 5", "'rare_share' must be a share"),
    ("    thanks: Have a great trip!\n", "", "needs exactly the keys"),
])
def test_each_rule_of_the_tailoring_file_is_checked(tmp_path, old, new, problem):
    with pytest.raises(AuditInputError, match=problem):
        tailoring.load(_shipped_with(tmp_path, old, new))


def test_the_sector_is_read_from_the_posts_and_general_below_the_bar():
    rules = tailoring.load()
    posts = pd.Series(["my flight was delayed", "lost baggage at the airport", "hello", "thanks"])
    shares = tailoring.sector_shares(posts, rules.sectors)
    assert shares["travel"] == 0.5 and tailoring.choose_sector(shares, rules).key == "travel"
    quiet = tailoring.sector_shares(pd.Series(["hello"] * 20 + ["my flight"]), rules.sectors)
    assert tailoring.choose_sector(quiet, rules).key == "general"   # 1 post in 21 is under min_share
    topics = {"topics": [{"owner": "Customer service"}, {"owner": "Logistics"}, {"owner": "Billing"},
                         {"owner": "Logistics"}, {"owner": "Product"}, {"owner": "Operations"}]}
    assert tailoring.topic_specialists(topics, rules) == ("Logistics", "Billing", "Product")
    assert np.isclose(sum(tailoring.intent_shares(pd.DataFrame({"intent": ["question", "complaint", None]})).values()), 1)
