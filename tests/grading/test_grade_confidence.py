"""A grade that knows what it does not know: criterion statuses from intervals and min_evidence,
not_reached / not_confirmed / provisional levels, and the confidence in words, on hand-made
figures and on the synthetic brands with thin (12 conversations) and thick evidence."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit.common.errors import AuditInputError
from audit.grading.grader import grade
from audit.grading.rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from audit.metrics.registry import compute_all
from tests.helpers import frames as F
from tests.helpers.paths import FIXTURES as _FIXTURES_ROOT

FIXTURES = _FIXTURES_ROOT / "maturity"


def rubric(tmp_path: Path, min_n: int | None = 30) -> Rubric:
    ev = {"min_evidence": {"n": min_n, "reason": "too few to tell"}} if min_n else {}
    data = {"dimensions": {"d": {"title": "D", "weight": 1, "criteria": {
        "rate": {"metric": "response_rate", **ev, "thresholds": {
            "active": {"value": 0.6, "required": True, "source": "s"},
            "strategic": {"value": 0.8, "required": True, "source": "s"}}},
        "crm": {"metric": "q:crm_integration", "thresholds": {
            "cross_functional": {"value": "yes", "required": True, "source": "s"}}}}}}}
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_rubric(path)


def figures(value: float, interval: list, n: int) -> dict:
    return {"overall": {"response_rate": value, "customer_conversations": n},
            "intervals": {"overall": {"response_rate": interval}}, "interval_n": {"overall": {"response_rate": n}},
            "scope": {"period": {"days": 28}}}


@pytest.mark.parametrize("value, interval, n, level, statuses, confidence", [
    # whole interval above both thresholds: reached with confidence
    (0.9, [0.85, 0.94], 300, "strategic", ["reached", "reached"], "high"),
    # whole interval below the strategic bar: a confident fail, not reached
    (0.7, [0.65, 0.75], 300, "active", ["reached", "not_reached"], "high"),
    # value below 0.8 but the interval reaches it: held back, not confirmed (never "not reached")
    (0.76, [0.70, 0.82], 300, "active", ["reached", "not_confirmed"], "medium"),
    # value above 0.8 but the interval reaches below: reached only on uncertain evidence
    (0.83, [0.78, 0.87], 300, "strategic", ["reached", "provisional"], "medium"),
    # too few conversations: uncertain whatever the interval says
    (1.0, [0.9, 1.0], 12, "strategic", ["provisional", "provisional"], "low"),
    (0.5, [0.3, 0.55], 12, "passive", ["not_confirmed", "not_confirmed"], "low"),
])
def test_levels_follow_the_intervals(tmp_path, value, interval, n, level, statuses, confidence):
    g = grade(figures(value, interval, n), rubric(tmp_path))
    assert g["level"] == level
    assert [lv["status"] for lv in g["levels"][1:3]] == statuses
    assert g["confidence"] == confidence and g["confidence_reason"]
    crit = g["dimensions"]["d"]["criteria"]["rate"]
    assert crit["interval"] == interval and crit["n"] == n


def test_a_confident_fail_is_the_only_not_reached(tmp_path):
    g = grade(figures(0.4, [0.3, 0.5], 300), rubric(tmp_path))
    crit = g["dimensions"]["d"]["criteria"]["rate"]
    assert crit["status"] == "fail" and crit["levels"]["active"]["status"] == "fail"
    assert g["levels"][1]["status"] == "not_reached" and g["level"] == "passive"


def test_thin_evidence_says_why_and_how_much_more_data_settles_it(tmp_path):
    g = grade(figures(1.0, [0.76, 1.0], 12), rubric(tmp_path))
    crit = g["dimensions"]["d"]["criteria"]["rate"]
    assert crit["status"] == "uncertain" and "n = 12, fewer than the 30 needed" in crit["note"]
    assert crit["min_evidence"] == {"n": 30, "reason": "too few to tell"}
    assert g["more_data"]["conversations"] == 30 and g["more_data"]["days"] == 70
    assert "12 customer conversations over 28 days" in g["confidence_reason"]
    assert "about 10 weeks (about 30 customer conversations" in g["confidence_reason"]
    assert "(provisional)" in g["summary"] and "Confidence in the grade: low" in g["summary"]


def test_without_intervals_the_value_decides(tmp_path):
    """An ``overall`` dict alone (no intervals): the old pass/fail on the value."""
    g = grade({"response_rate": 0.7}, rubric(tmp_path, None))
    assert [lv["status"] for lv in g["levels"][1:3]] == ["reached", "not_reached"]


@pytest.mark.parametrize("edit, expected", [
    ({"n": 0, "reason": "x"}, "greater than or equal to 1"),
    ({"n": 30}, "field min_evidence.reason"),
    ({"n": 30, "reason": ""}, "at least 1 character"),
])
def test_min_evidence_is_validated(tmp_path, edit, expected):
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    data["dimensions"]["responsiveness"]["criteria"]["response_rate"]["min_evidence"] = edit
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(AuditInputError) as err:
        load_rubric(path)
    assert "criterion 'response_rate'" in str(err.value) and expected in str(err.value)


def test_min_evidence_is_refused_on_a_questionnaire_item(tmp_path):
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    data["dimensions"]["integration"]["criteria"]["crm_integration"]["min_evidence"] = {"n": 3, "reason": "x"}
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(AuditInputError, match="min_evidence applies to metrics only"):
        load_rubric(path)


def test_every_default_data_criterion_states_its_minimum_evidence():
    for dim in load_rubric().dimensions.values():
        for crit in dim.criteria.values():
            assert (crit.min_evidence is None) == crit.is_question
            assert crit.is_question or crit.min_evidence.reason.strip()


# --- the synthetic brands, thin and thick ---------------------------------------------------------
CLIENTS = {"passive": ["NorthwindHome"], "active": ["BrightMobile"], "strategic": ["Acme", "AcmeHelp"]}


@pytest.mark.parametrize("profile", list(CLIENTS))
def test_thick_evidence_grades_as_before_with_high_confidence(profile):
    g = grade(compute_all(*F.synth(F.load_profile(profile), 1, None), CLIENTS[profile]))
    assert g["level"] == profile and g["level_status"] == "reached"
    assert g["confidence"] == "high" and g["more_data"] is None


@pytest.mark.parametrize("profile", list(CLIENTS))
def test_twelve_conversations_are_never_graded_with_confidence(profile):
    g = grade(compute_all(*F.synth(F.load_profile(profile), 1, 12), CLIENTS[profile]))
    assert g["confidence"] == "low" and "12 customer conversations" in g["confidence_reason"]
    assert g["more_data"]["conversations"] >= 30
    statuses = {lv["level"]: lv["status"] for lv in g["levels"]}
    assert "not_reached" not in statuses.values()       # nothing fails with confidence on 12
    assert g["level_status"] in ("reached", "provisional")
