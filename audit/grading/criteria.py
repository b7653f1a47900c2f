"""One criterion judged against the figures: its value, its status at each level, its 0-100 score
and the evidence the report cites.

Why intervals: a threshold met by 12 conversations is not met in the same way as one met by
12,000. Each data criterion is judged on its 95% interval (``metrics.intervals``) and its evidence
size against the rubric's ``min_evidence``: ``pass`` or ``fail`` only when the whole interval is
on one side of the threshold, else ``uncertain``.
"""
from __future__ import annotations

from collections.abc import Mapping

from audit.grading.levels import LEVELS
from audit.grading.questionnaire import Q_PREFIX, Questionnaire, normalise_answer, questionnaire_items
from audit.grading.rubric import Criterion
from audit.metrics.registry import METRICS


def _passes(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == "at_least" else value <= threshold


def criterion_score(value: float, thresholds: list[tuple[str, float]], floor: float, direction: str) -> float:
    """Place a value on the 0-100 maturity scale: 0 at ``floor``, each level's threshold at that
    level's anchor (active 33.3, strategic 66.7, cross-functional 100), linear in between.

    Anchoring to levels (not to the criterion's own number of thresholds) keeps a criterion score
    comparable with the grade: a brand exactly at every active threshold scores about 33.
    A criterion tops out at the anchor of its highest level.
    """
    sign = 1.0 if direction == "at_least" else -1.0
    v = sign * value
    points = [(sign * floor, 0.0)] + [(sign * t, 100.0 * LEVELS.index(level) / (len(LEVELS) - 1))
                                      for level, t in thresholds]
    score = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if v >= x1:
            score = y1
        elif v > x0:
            score = max(score, y0 + (y1 - y0) * (v - x0) / (x1 - x0))
            break
        else:
            break
    return score


def _metric_value(crit: Criterion, overall: Mapping, questionnaire: Questionnaire | None
                  ) -> tuple[str, object, str | None]:
    """(state, value, note): state is assessed, no_data or not_assessed."""
    if crit.is_question:
        if questionnaire is None:
            return "not_assessed", None, "not assessed (no questionnaire)"
        item = questionnaire.items.get(crit.metric[len(Q_PREFIX):])
        if item is None or item.answer is None:
            return "not_assessed", None, "not assessed (not answered in the questionnaire)"
        return "assessed", item.answer, None
    if crit.metric not in overall:
        return "no_data", None, "no data (metric missing from the metrics input)"
    value = overall[crit.metric]
    if value is None:
        return "no_data", None, "no data (nothing to measure, e.g. no qualifying posts or replies)"
    return "assessed", value, None


def _evidence(crit: Criterion, metrics: Mapping, questionnaire: Questionnaire | None) -> dict:
    if crit.is_question:
        item_id = crit.metric[len(Q_PREFIX):]
        item = questionnaire.items.get(item_id) if questionnaire else None
        return {"question": questionnaire_items()[item_id],
                "answer": item.answer if item else None, "note": item.note if item else None,
                "respondent": item.respondent if item else None,
                "questionnaire": None if questionnaire is None else {
                    "file": questionnaire.path, "completed_on": questionnaire.completed_on,
                    "interviewer": questionnaire.interviewer}}
    metric = METRICS[crit.metric]
    counts = metrics.get("counts", {}).get(crit.metric, {})
    key = metric.example
    return {"numerator": counts.get("numerator"), "denominator": counts.get("denominator"),
            "example_kind": key,
            "example_description": metrics.get("example_definitions", {}).get(key) if key else None,
            "examples": list(metrics.get("examples", {}).get(key, [])) if key else []}


def _interval(crit: Criterion, metrics: Mapping) -> tuple[tuple | None, int | None]:
    """The criterion's 95% interval and evidence size, when the metrics carry them."""
    if crit.is_question:
        return None, None
    iv = (metrics.get("intervals") or {}).get("overall", {}).get(crit.metric)
    n = (metrics.get("interval_n") or {}).get("overall", {}).get(crit.metric)
    return (tuple(iv) if iv is not None else None), n


def _level_status(number: float | None, threshold: float, crit: Criterion, interval: tuple | None,
                  n: int | None) -> str:
    """pass / fail only when the evidence is enough and the whole interval is on one side of the
    threshold; uncertain otherwise; not_assessed without a value. Without an interval (an answer,
    a flag, or an ``overall`` dict graded alone) the value decides."""
    if number is None:
        return "not_assessed"
    point = _passes(number, threshold, crit.direction)
    if crit.min_evidence is not None and n is not None and n < crit.min_evidence.n:
        return "uncertain"
    if interval is None:
        return "pass" if point else "fail"
    low, high = interval
    if crit.direction == "at_least":
        sure_pass, sure_fail = low is not None and low >= threshold, high is not None and high < threshold
    else:
        sure_pass, sure_fail = high is not None and high <= threshold, low is not None and low > threshold
    return "pass" if sure_pass else "fail" if sure_fail else "uncertain"


def _why_uncertain(crit: Criterion, n: int | None) -> str:
    if crit.min_evidence is not None and n is not None and n < crit.min_evidence.n:
        return (f"too little evidence: n = {n}, fewer than the {crit.min_evidence.n} needed "
                f"({' '.join(crit.min_evidence.reason.split())})")
    return "the 95% interval straddles the threshold"


def _criterion_status(levels: Mapping[str, Mapping]) -> str:
    """Where the criterion stands on its way up: the status at its first level not passed."""
    return next((lv["status"] for lv in levels.values() if lv["status"] != "pass"), "pass")


def evaluate(dim_id: str, crit_id: str, crit: Criterion, metrics: Mapping, overall: Mapping,
             questionnaire: Questionnaire | None) -> dict:
    """The criterion's result: value, interval and n, status per level and overall, score, evidence."""
    state, value, note = _metric_value(crit, overall, questionnaire)
    number = crit.numeric(value) if state == "assessed" else None
    interval, n = _interval(crit, metrics)
    levels = {level: {"threshold": t.value if not crit.is_question else normalise_answer(t.value),
                      "required": t.required, "source": " ".join(t.source.split()),
                      "passed": None if number is None else _passes(number, crit.numeric(t.value), crit.direction),
                      "status": _level_status(number, crit.numeric(t.value), crit, interval, n)}
              for level, t in crit.ordered()}
    status = _criterion_status(levels)
    if status == "uncertain":
        note = _why_uncertain(crit, n)
    score = None if number is None else criterion_score(
        number, [(level, crit.numeric(t.value)) for level, t in crit.ordered()], float(crit.floor), crit.direction)
    metric = None if crit.is_question else METRICS[crit.metric]
    return {
        "ref": f"{dim_id}.{crit_id}", "dimension": dim_id, "criterion": crit_id, "metric": crit.metric,
        "kind": "questionnaire" if crit.is_question else "metric",
        "title": crit.title or (metric.title if metric else questionnaire_items()[crit.metric[len(Q_PREFIX):]]),
        "definition": metric.definition if metric else None,
        "unit": crit.unit, "direction": crit.direction, "floor": crit.floor, "weight": crit.weight,
        "status": status, "note": note, "value": value, "interval": interval, "n": n,
        "min_evidence": crit.min_evidence.model_dump() if crit.min_evidence else None,
        "score": score, "levels": levels,
        "evidence": _evidence(crit, metrics, questionnaire),
    }
