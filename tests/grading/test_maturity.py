"""Rubric validation, questionnaire handling, gating/scoring rules, and level separation on
synthetic brands (profiles in tests/fixtures/maturity/*.yaml, two seeds and two sizes each)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from audit.common.errors import AuditInputError
from audit.grading.criteria import criterion_score
from audit.grading.grader import grade
from audit.grading.levels import LEVELS
from audit.grading.questionnaire import QUESTIONNAIRE_TEMPLATE, load_questionnaire, questionnaire_items
from audit.grading.rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from audit.metrics.registry import METRICS, compute_all
from tests.helpers import frames as F
from tests.helpers.paths import FIXTURES as _FIXTURES_ROOT

FIXTURES = _FIXTURES_ROOT / "maturity"
QUESTIONNAIRE = FIXTURES / "cross_functional_questionnaire.yaml"

CLIENTS = {"passive": ["NorthwindHome"], "active": ["BrightMobile"], "strategic": ["Acme", "AcmeHelp"],
           "cross_functional": ["Contoso", "ContosoCares"]}
RUNS = [(1, None), (7, 300)]  # (seed, conversations): thresholds must not depend on one draw


@pytest.fixture(scope="module")
def figures() -> dict:
    """compute_all output per (profile, seed, size)."""
    out = {}
    for profile, handles in CLIENTS.items():
        for seed, n in RUNS:
            out[profile, seed, n] = compute_all(*F.synth(F.load_profile(profile), seed, n), handles)
    return out


def default_yaml() -> dict:
    return yaml.safe_load(DEFAULT_RUBRIC.read_text())


def write(tmp_path: Path, data: dict, name: str = "rubric.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --- the default rubric ---------------------------------------------------------------------------
def test_default_rubric_loads_with_the_six_dimensions():
    rubric = load_rubric()
    assert list(rubric.dimensions) == ["responsiveness", "coverage", "recovery", "channel_strategy",
                                       "voice", "integration"]
    for dim in rubric.dimensions.values():
        for crit in dim.criteria.values():
            assert crit.direction in ("at_least", "at_most") and crit.floor is not None
            assert all(t.source.strip() for t in crit.thresholds.values())


def test_default_rubric_cites_the_benchmarks():
    text = " ".join(t.source for d in load_rubric().dimensions.values()
                    for c in d.criteria.values() for t in c.thresholds.values())
    for phrase in ("42%", "67%", "4-hour", "5 times", "Consultant judgement; tune per sector"):
        assert phrase in text


def test_every_level_above_passive_has_required_criteria_from_data():
    """Active and strategic must be reachable without a questionnaire (data-only criteria)."""
    rubric = load_rubric()
    for level in ("active", "strategic"):
        required = [c for d in rubric.dimensions.values() for c in d.criteria.values()
                    if level in c.thresholds and c.thresholds[level].required]
        assert required and not any(c.is_question for c in required)


# --- validation -----------------------------------------------------------------------------------
def test_unknown_metric_names_file_criterion_and_valid_names(tmp_path):
    data = default_yaml()
    data["dimensions"]["responsiveness"]["criteria"]["response_rate"]["metric"] = "respons_rate"
    path = write(tmp_path, data)
    with pytest.raises(AuditInputError) as err:
        load_rubric(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "dimension 'responsiveness', criterion 'response_rate'" in msg
    assert "unknown metric 'respons_rate'" in msg
    assert all(name in msg for name in METRICS)          # lists every valid metric name
    assert "q:escalation_policy" in msg


def test_out_of_range_thresholds_are_all_reported_in_one_error(tmp_path):
    data = default_yaml()
    crit = data["dimensions"]["responsiveness"]["criteria"]
    crit["response_rate"]["thresholds"]["strategic"]["value"] = 80          # a share written as percent
    crit["median_first_response"]["thresholds"]["active"]["value"] = -5     # a negative time
    with pytest.raises(AuditInputError) as err:
        load_rubric(write(tmp_path, data))
    msg = str(err.value)
    assert "2 problem(s)" in msg
    assert "criterion 'response_rate': strategic threshold 80 is out of range for unit 'share' (between 0 and 1)" in msg
    assert "criterion 'median_first_response': active threshold -5 is out of range for unit 'minutes'" in msg
    assert "response_rate, " in msg                                          # valid names listed


@pytest.mark.parametrize("edit, expected", [
    (lambda c: c["integration"]["criteria"]["crm_integration"].update(metric="q:crm"),
     "unknown questionnaire item 'q:crm'"),
    (lambda c: c["integration"]["criteria"]["crm_integration"]["thresholds"]["cross_functional"].update(value="maybe"),
     "must be one of yes, partial, no"),
    (lambda c: c["responsiveness"]["criteria"]["response_rate"]["thresholds"]["strategic"].update(value=0.5),
     "strategic threshold 0.5 is looser than active threshold 0.6"),
    (lambda c: c["responsiveness"]["criteria"]["response_rate"].update(direction="at_most"),
     "direction at_most contradicts metric 'response_rate'"),
    (lambda c: c["responsiveness"]["criteria"]["median_first_response"].pop("floor"),
     "set floor"),
    (lambda c: c["responsiveness"]["criteria"]["response_rate"]["thresholds"].update(strategc={"value": 1, "source": "x"}),
     "field thresholds.strategc"),
    (lambda c: c["voice"]["criteria"]["signoff"]["thresholds"]["active"].pop("source"),
     "criterion 'signoff' (field thresholds.active.source): Field required"),
])
def test_other_rubric_mistakes(tmp_path, edit, expected):
    data = default_yaml()
    edit(data["dimensions"])
    with pytest.raises(AuditInputError, match="Valid metric names") as err:
        load_rubric(write(tmp_path, data))
    assert expected in str(err.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(AuditInputError, match="not found"):
        load_rubric(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("dimensions: [unclosed")
    with pytest.raises(AuditInputError, match="not valid YAML"):
        load_rubric(bad)


# --- questionnaire --------------------------------------------------------------------------------
def test_questionnaire_fixture_loads_with_yaml_booleans():
    q = load_questionnaire(QUESTIONNAIRE)
    assert q.items["crm_integration"].answer == "yes"          # unquoted yes -> True -> "yes"
    assert q.items["culture_of_sharing"].answer == "partial"
    assert q.completed_on == "2024-04-02"
    assert set(q.items) == set(questionnaire_items())


def test_template_is_a_valid_empty_questionnaire():
    q = load_questionnaire(QUESTIONNAIRE_TEMPLATE)
    assert set(q.items) == set(questionnaire_items()) and all(a.answer is None for a in q.items.values())


@pytest.mark.parametrize("items, expected", [
    ({"crm_integration": {"answer": True}}, "item 'crm_integration': answered without a respondent"),
    ({"crm": {"answer": "yes", "respondent": "x"}}, "unknown item(s) crm"),
    ({"crm_integration": {"answer": "sometimes", "respondent": "x"}}, "Input should be 'yes', 'no' or 'partial'"),
])
def test_questionnaire_mistakes(items, expected):
    with pytest.raises(AuditInputError) as err:
        load_questionnaire({"items": items})
    assert expected in str(err.value)


# --- scoring and gating rules ---------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [(0.0, 0.0), (0.3, 100 / 6), (0.6, 100 / 3), (0.7, 50.0),
                                             (0.8, 200 / 3), (0.85, 250 / 3), (0.9, 100.0), (1.0, 100.0)])
def test_criterion_score_interpolates_between_level_anchors(value, expected):
    levels = [("active", 0.6), ("strategic", 0.8), ("cross_functional", 0.9)]
    assert criterion_score(value, levels, 0.0, "at_least") == pytest.approx(expected)


def test_criterion_score_for_lower_is_better():
    levels = [("active", 240.0), ("strategic", 60.0), ("cross_functional", 60.0)]
    assert criterion_score(2880.0, levels, 2880.0, "at_most") == 0.0
    assert criterion_score(150.0, levels, 2880.0, "at_most") == pytest.approx(100 / 3 + 100 / 6)
    assert criterion_score(60.0, levels, 2880.0, "at_most") == 100.0


def tiny_rubric(tmp_path: Path) -> Rubric:
    src = "test"
    return load_rubric(write(tmp_path, {"dimensions": {"d": {"title": "D", "weight": 1, "criteria": {
        "rate": {"metric": "response_rate", "thresholds": {
            "active": {"value": 0.5, "required": True, "source": src},
            "strategic": {"value": 0.8, "required": False, "source": src}}},
        "fast": {"metric": "first_response_within_1h", "thresholds": {
            "strategic": {"value": 0.6, "required": True, "source": src}}},
        "crm": {"metric": "q:crm_integration", "thresholds": {
            "cross_functional": {"value": "yes", "required": True, "source": src}}},
    }}}}))


@pytest.mark.parametrize("rate, fast, level", [
    (0.9, 0.9, "strategic"),   # cross-functional needs the questionnaire
    (0.6, 0.9, "strategic"),   # a failing optional threshold does not block
    (0.4, 0.9, "passive"),     # gated: strategic passes but active's required criterion fails
    (0.9, 0.1, "active"),
])
def test_levels_are_gated(tmp_path, rate, fast, level):
    g = grade({"response_rate": rate, "first_response_within_1h": fast}, tiny_rubric(tmp_path))
    assert g["level"] == level


def test_unassessed_levels_are_reported_not_guessed(tmp_path):
    rubric = tiny_rubric(tmp_path)
    g = grade({"response_rate": 0.9, "first_response_within_1h": 0.9}, rubric)
    crm = g["dimensions"]["d"]["criteria"]["crm"]
    assert crm["status"] == "not_assessed" and crm["note"] == "not assessed (no questionnaire)"
    assert crm["value"] is None and crm["score"] is None and crm["levels"]["cross_functional"]["passed"] is None
    assert g["not_confirmed"] == [{"level": "cross_functional", "title": "Cross-functional", "not_assessed": ["d.crm"],
                                   "uncertain": []}]
    assert "Cross-functional could not be confirmed" in g["summary"]
    answered = grade({"response_rate": 0.9, "first_response_within_1h": 0.9}, rubric,
                       {"items": {"crm_integration": {"answer": "yes", "note": "seen", "respondent": "CRM owner"}}})
    assert answered["level"] == "cross_functional" and answered["not_confirmed"] == []
    blank = grade({"response_rate": 0.9, "first_response_within_1h": 0.9}, rubric, QUESTIONNAIRE_TEMPLATE)
    assert blank["dimensions"]["d"]["criteria"]["crm"]["note"] == "not assessed (not answered in the questionnaire)"


def test_missing_metric_value_is_no_data(tmp_path):
    g = grade({"response_rate": 0.9, "first_response_within_1h": None}, tiny_rubric(tmp_path))
    fast = g["dimensions"]["d"]["criteria"]["fast"]
    # no data is not assessed (the note says why), never a pass or a fail
    assert fast["status"] == "not_assessed" and fast["note"].startswith("no data")
    assert fast["levels"]["strategic"]["passed"] is None and fast["levels"]["strategic"]["status"] == "not_assessed"
    assert g["level"] == "active" and g["levels"][2]["status"] == "not_confirmed"


# --- grading the synthetic brands -----------------------------------------------------------------
@pytest.mark.parametrize("seed, n", RUNS)
@pytest.mark.parametrize("profile", ["passive", "active", "strategic"])
def test_profiles_grade_to_their_level_without_questionnaire(figures, profile, seed, n):
    g = grade(figures[profile, seed, n])
    assert g["level"] == profile, g["summary"]


@pytest.mark.parametrize("seed, n", RUNS)
def test_cross_functional_fixture_with_questionnaire(figures, seed, n):
    g = grade(figures["cross_functional", seed, n], questionnaire=QUESTIONNAIRE)
    assert g["level"] == "cross_functional", g["summary"]
    assert g["next_level"] is None and g["not_confirmed"] == []
    crm = g["dimensions"]["integration"]["criteria"]["crm_integration"]
    assert crm["evidence"]["respondent"] == "Li Wei, CRM Product Owner"
    assert crm["evidence"]["answer"] == "yes" and "CRM" in crm["evidence"]["question"]


def test_cross_functional_fixture_without_questionnaire_is_not_confirmed(figures):
    g = grade(figures["cross_functional", 1, None])
    assert g["level"] == "strategic"
    assert [n["level"] for n in g["not_confirmed"]] == ["cross_functional"]
    assert "integration.crm_integration" in g["not_confirmed"][0]["not_assessed"]
    todo = {t["ref"]: t for t in g["next_level"]["required"]}
    assert todo["integration.crm_integration"]["status"] == "not_assessed"


def test_a_no_answer_blocks_cross_functional_and_names_the_target(figures):
    answers = load_questionnaire(QUESTIONNAIRE).model_dump()
    answers["items"]["crm_integration"].update(answer="no", note="Social cases live in a separate inbox")
    g = grade(figures["cross_functional", 1, None], questionnaire=answers)
    assert g["level"] == "strategic"
    todo = {t["ref"]: t for t in g["next_level"]["required"]}
    assert set(todo) == {"integration.crm_integration"}
    assert todo["integration.crm_integration"]["target"] == "yes"
    assert todo["integration.crm_integration"]["value"] == "no"


def test_active_brand_is_told_what_strategic_needs(figures):
    g = grade(figures["active", 1, None])
    nxt = g["next_level"]
    assert nxt["level"] == "strategic"
    refs = {t["ref"] for t in nxt["required"]}
    assert {"channel_strategy.service_handle", "channel_strategy.private_redirect",
            "coverage.hours_covered"} <= refs
    target = next(t for t in nxt["required"] if t["ref"] == "coverage.hours_covered")
    assert target["target"] == 0.75 and target["value"] < 0.75 and target["status"] == "failed"


def test_scores_order_the_profiles(figures):
    scores = [grade(figures[p, 1, None])["score"] for p in ("passive", "active", "strategic")]
    assert scores == sorted(scores) and scores[0] < 34 <= scores[1] < 67 <= scores[2]


def test_criteria_carry_values_thresholds_sources_and_evidence(figures):
    full = figures["passive", 1, None]
    g = grade(full)
    crit = g["dimensions"]["recovery"]["criteria"]["unanswered_negative"]
    assert crit["value"] == full["overall"]["unanswered_negative_share"]
    assert crit["levels"]["active"] == {"passed": False, "status": "fail", "required": True, "threshold": 0.4,
                                        "source": crit["levels"]["active"]["source"]}
    assert crit["interval"] == full["intervals"]["overall"]["unanswered_negative_share"]
    assert crit["n"] == full["interval_n"]["overall"]["unanswered_negative_share"] == ev_n(full)
    assert crit["min_evidence"]["n"] == 30 and crit["min_evidence"]["reason"]
    assert "5 times" in crit["levels"]["active"]["source"]
    ev = crit["evidence"]
    assert ev["numerator"] == full["counts"]["unanswered_negative_share"]["numerator"]
    assert ev["examples"] == full["examples"]["unanswered_negative"] and len(ev["examples"]) == 10
    assert crit["definition"] == METRICS["unanswered_negative_share"].definition


def ev_n(full: dict) -> int:
    return full["counts"]["unanswered_negative_share"]["denominator"]


def test_overall_dict_grades_like_full_metrics(figures):
    full = figures["active", 1, None]
    a, b = grade(full), grade(full["overall"])
    assert a["level"] == b["level"] and a["score"] == b["score"]
    assert b["dimensions"]["recovery"]["criteria"]["unanswered_negative"]["evidence"]["examples"] == []


def test_grade_is_deterministic_json(figures):
    full = figures["strategic", 1, None]
    one = json.dumps(grade(full, questionnaire=QUESTIONNAIRE), allow_nan=False)
    two = json.dumps(grade(copy.deepcopy(full), questionnaire=QUESTIONNAIRE), allow_nan=False)
    assert one == two
    g = json.loads(one)
    assert [lv["level"] for lv in g["levels"]] == list(LEVELS)
    assert g["level_definitions"]["passive"]["title"] == "Passive (invisible)"
