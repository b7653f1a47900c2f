"""The committed sample, through the real models: its three brands grade as their profiles say."""
from __future__ import annotations

from pathlib import Path

import pytest

from audit import grading as maturity
from audit import textmodel
from audit.conversations import threads
from audit.metrics import registry as metrics
from audit.reading import ingest
from audit.textmodel import primary_intent

SAMPLE = Path("data/sample")


@pytest.fixture(scope="module")
def scored():
    loaded = ingest.load(SAMPLE / "twcs_sample.csv")
    messages, conversations = threads.build(loaded.messages)
    s = textmodel.score(messages["text"].tolist(), triage=True)
    messages = messages.assign(sentiment=s["label"].to_numpy(), sentiment_score=(s["p_positive"] - s["p_negative"]).to_numpy(),
                               p_negative=s["p_negative"].to_numpy(), p_neutral=s["p_neutral"].to_numpy(),
                               p_positive=s["p_positive"].to_numpy())
    customer = messages["is_customer"]
    labels = primary_intent(s.set_axis(messages.index).loc[customer])
    return messages.join(labels), conversations


@pytest.mark.parametrize("brands, level", [
    (["NorthwindHome"], "passive"),
    (["BrightMobile"], "active"),
    (["Acme", "AcmeHelp"], "strategic"),
])
def test_sample_brands_grade_passive_active_strategic(scored, brands, level):
    messages, conversations = scored
    grade = maturity.grade(metrics.compute_all(messages, conversations, brands))
    assert grade["level"] == level, grade["summary"]


def test_strategic_brand_with_a_full_questionnaire_grades_cross_functional(scored):
    messages, conversations = scored
    figures = metrics.compute_all(messages, conversations, ["Acme", "AcmeHelp"])
    without = maturity.grade(figures)
    with_answers = maturity.grade(figures, questionnaire=SAMPLE / "questionnaires" / "acme.yaml")
    assert without["level"] == "strategic"
    assert {l["level"]: l["status"] for l in without["levels"]}["cross_functional"] == "not_confirmed"
    assert with_answers["level"] == "cross_functional"
