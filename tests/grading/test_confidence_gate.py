"""A grade read from an export that fails the fitness gate is low confidence, with the gate's reason."""
from __future__ import annotations

from audit.grading.confidence import export_failures, grade_confidence
from audit.grading.levels import LEVELS

GATES = [{"level": LEVELS[0], "status": "reached"}] + [{"level": lv, "status": "not_reached"} for lv in LEVELS[1:]]


def _fitness(*statuses: str) -> dict:
    return {"checks": [{"check": f"c{i}", "status": s, "detail": f"check {i} says so."} for i, s in enumerate(statuses)]}


def test_failed_checks_are_named_and_warnings_are_not():
    assert export_failures({"fitness": _fitness("pass", "warn", "fail")}) == ["check 2 says so"]
    assert export_failures({"fitness": _fitness("pass", "warn")}) == []
    assert export_failures({}) == []  # a run made before the gate existed


def test_a_failed_gate_caps_confidence_at_low():
    clean = grade_confidence(LEVELS[0], [], GATES, {"overall": {}})
    assert clean["confidence"] == "high"
    gated = grade_confidence(LEVELS[0], [], GATES,
                             {"overall": {}, "fitness": _fitness("fail")})
    assert gated["confidence"] == "low"
    assert gated["confidence_reason"].startswith("The export cannot support every figure the grade reads: check 0 says so")
