"""The report never overstates: a dozen conversations over two or three days (the shape of the
public 93-row sample) get a playbook that says the evidence is thin, projects nothing monthly,
counts in the right grammar and shows intervals where a decision hangs on them; the thick sample
keeps its grade and reads as before."""
from __future__ import annotations

import re

from audit import grading as maturity
from audit.report import playbook
from tests.helpers.playbooks import CLIENTS, demo, pipeline, thin

BRANDS = CLIENTS["Acme"]


def test_thin_data_is_graded_with_low_confidence_and_the_cover_says_so():
    book, text = thin()
    assert book["meta"]["conversations"] == 12
    conf = book["meta"]["confidence"]
    assert conf["level"] == "low" and conf["more_data"]["conversations"] > 12
    assert "Read with care" in text and text.count(conf["caveat"][:60]) >= 2  # cover and summary
    assert "would settle it" in conf["caveat"]
    score = next(t for t in book["executive_summary"]["tiles"] if t["label"].startswith("Maturity score"))
    assert score["value"] is None and "not scored to the unit" in score["note"]


def test_thin_data_projects_nothing_and_counts_in_good_grammar():
    book, text = thin()
    assert book["executive_summary"]["cost"]["per_month"] is None
    assert book["executive_summary"]["cost"]["statement"] is None  # no figure: "What the gaps cost" is left out
    assert "retention budget" not in text
    assert not re.search(r"\b0 weeks\b", text)
    assert not re.search(r"\b1 (complaints|conversations|posts|replies|hours|days|weeks|customers)\b", text)
    assert not re.search(r"\(1 days\)", text)
    assert "0 of the 168 hours" not in text and "cannot be judged yet" in text
    assert "fewer than the four weeks" in book["staffing"]["lead"]


def test_thin_data_shows_intervals_where_decisions_hang():
    book, text = thin()
    tiles = {t["label"]: t for t in book["executive_summary"]["tiles"]}
    assert tiles["Conversations answered"]["interval"] is not None
    assert "95% interval:" in text
    kpi = book["kpis"]["table"]["rows"][0]
    assert kpi["metric"] == "response_rate" and kpi["current"]["interval"] is not None
    assert re.search(r"Customer conversations answered \d+(\.\d)?% \(\d+%–\d+%\)", text)  # a decimal where a target reads alike


def test_appendix_is_written_for_a_manager():
    _, text = thin()
    for internal in ("intent_posts.csv", "With sentiment", "calibrated with this fixture", "sha256:abc", "Fixture"):
        assert internal not in text
    assert re.search(r"Posts triaged to the right intent \d+%", text)
    for internal in ("primary_intent", "macro_f1_unseen", "test_set"):
        assert internal not in text


def test_thick_data_keeps_its_grade_and_states_no_caveat():
    book, figures, grade = demo("Acme")
    assert grade["confidence"] in ("high", "medium") and book["meta"]["confidence"]["caveat"] == ""
    assert book["meta"]["level"]["status"] == "reached"
    assert book["executive_summary"]["cost"]["per_month"] is not None or book["executive_summary"]["cost"]["unanswered"] == 0


def test_gaps_are_real_and_targets_never_worse_than_today():
    for client in ("Acme", "Northwind Home"):
        book = demo(client)[0]
        for gap in book["executive_summary"]["gaps"]:
            assert round(gap["score"]) < round(gap["target"])            # never '100 against 100'
        for row in book["kpis"]["table"]["rows"]:
            now, t30, t90 = row["current"]["value"], row["target_30"]["value"], row["target_90"]["value"]
            if now is None or t90 is None:
                continue
            lower_better = row["metric"] in ("first_response_median_min", "first_response_p90_min",
                                             "unanswered_negative_share", "canned_share")
            for t in (t30, t90):
                assert (t <= now + 1e-9) if lower_better else (t >= now - 1e-9), (client, row)
        for phase in book["roadmap"]["phases"]:
            for action in phase["actions"]["rows"]:
                m = re.search(r"from (\S+) to (\S+)", action["action"])
                assert not m or m.group(1) != m.group(2), action["action"]


def test_top_level_client_gets_a_plan_to_hold_it():
    book, figures, grade = demo("Acme")
    top = maturity.grade(figures, questionnaire="data/sample/questionnaires/acme.yaml")
    assert top["level"] == "cross_functional"  # the sample questionnaire takes Acme to the top
    messages, conversations, accounting = pipeline()
    held = playbook.build(figures, top, messages, conversations, client="Acme", brands=BRANDS, accounting=accounting)
    actions = [a for p in held["roadmap"]["phases"] for a in p["actions"]["rows"]]
    assert not any("Next maturity level reached" in a["why"] for a in actions)
    assert any("Level held" in a["why"] for a in actions)
