"""The maturity grade: every criterion judged, the levels gated, the 0-100 scores weighted, and
the result in words (summary, what the next level needs, how far to trust it).

Why a questionnaire alongside the figures: integration (escalation policy, CRM, routing...) cannot
be seen in posts; without answers those criteria are reported as not assessed, never guessed, and
the levels that depend on them as "not confirmed".
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from audit.grading.confidence import grade_confidence
from audit.grading.criteria import evaluate
from audit.grading.gates import ATTAINED, gate, highest
from audit.grading.levels import LEVEL_DESCRIPTIONS, LEVEL_TITLES, LEVELS
from audit.grading.questionnaire import Questionnaire, load_questionnaire, questionnaire_items
from audit.grading.rubric import Rubric, load_rubric
from audit.metrics.jsonable import jsonable


def _weighted(pairs: list[tuple[float, float | None]]) -> float | None:
    scored = [(w, s) for w, s in pairs if s is not None]
    total = sum(w for w, _ in scored)
    return sum(w * s for w, s in scored) / total if total else None


def _target(r: dict, level: str) -> dict:
    t = r["levels"][level]
    state = {"not_assessed": "not_assessed", "uncertain": "uncertain"}.get(t["status"], "failed")
    return {"ref": r["ref"], "metric": r["metric"], "title": r["title"], "status": state,
            "note": r["note"], "value": r["value"], "interval": r["interval"], "n": r["n"],
            "passed": t["passed"], "target": t["threshold"], "direction": r["direction"],
            "required": t["required"], "source": t["source"]}


def _next_level(level: str, results: list[dict]) -> dict | None:
    """What the next level needs: each of its thresholds not passed with confidence."""
    if level == LEVELS[-1]:
        return None
    nxt = LEVELS[LEVELS.index(level) + 1]
    todo = [r for r in results if nxt in r["levels"] and r["levels"][nxt]["status"] != "pass"]
    return {"level": nxt, "title": LEVEL_TITLES[nxt],
            "required": [_target(r, nxt) for r in todo if r["levels"][nxt]["required"]],
            "recommended": [_target(r, nxt) for r in todo if not r["levels"][nxt]["required"]]}


def _summary(level: str, score: float | None, gates: list[dict], confidence: str) -> str:
    """One paragraph for the report: the grade, what blocks the next level, what was not confirmed."""
    provisional = {g["level"]: g for g in gates}[level]["status"] == "provisional"
    parts = [LEVEL_TITLES[level] + (" (provisional)" if provisional else "")
             + (f" (score {score:.0f}/100)." if score is not None else ".")]
    nxt = next((g for g in gates if g["status"] not in ATTAINED), None)
    if nxt is not None and nxt["failed"]:
        parts.append(f"{nxt['title']} not reached: {', '.join(nxt['failed'])} below target.")
    if provisional:
        shown = [ref for g in gates if g["status"] == "provisional" for ref in g["uncertain"]]
        parts.append(f"Reached only on uncertain evidence: {', '.join(dict.fromkeys(shown))}.")
    for g in gates:
        if g["status"] == "not_confirmed":
            why = [f"not assessed: {', '.join(g['not_assessed'])}"] if g["not_assessed"] else []
            unsure = [ref for ref in g["uncertain"] if ref not in g["not_assessed"]]
            why += [f"uncertain: {', '.join(unsure)}"] if unsure else []
            parts.append(f"{g['title']} could not be confirmed, {'; '.join(why)}.")
    parts.append(f"Confidence in the grade: {confidence}.")
    return " ".join(parts)


def _as_questionnaire(q: Questionnaire | Mapping | str | Path | None) -> Questionnaire | None:
    return q if q is None or isinstance(q, Questionnaire) else load_questionnaire(q)


def grade(metrics: Mapping, rubric: Rubric | str | Path | None = None,
          questionnaire: Questionnaire | Mapping | str | Path | None = None) -> dict:
    """Grade ``metrics`` (the ``compute_all`` output, or just its ``overall`` dict) against a rubric.

    Returns a deterministic JSON-ready dict: level, 0-100 scores, each criterion with value,
    thresholds, pass/fail, source and evidence, levels not confirmed, and what the next level needs.
    """
    rub = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    quest = _as_questionnaire(questionnaire)
    full = isinstance(metrics.get("overall"), Mapping)
    overall = metrics["overall"] if full else metrics
    context = metrics if full else {}
    dimensions, results = {}, []
    for dim_id, dim in rub.dimensions.items():
        crit = [evaluate(dim_id, cid, c, context, overall, quest) for cid, c in dim.criteria.items()]
        results += crit
        total = sum(r["weight"] for r in crit)
        dimensions[dim_id] = {
            "title": dim.title, "description": dim.description, "weight": dim.weight,
            "score": _weighted([(r["weight"], r["score"]) for r in crit]),
            "assessed_weight_share": sum(r["weight"] for r in crit if r["score"] is not None) / total,
            "level": highest(gate(crit, required_only=False)),
            "criteria": {r["criterion"]: r for r in crit},
        }
    gates = gate(results, required_only=True)
    level = highest(gates)
    score = _weighted([(d["weight"], d["score"]) for d in dimensions.values()])
    confidence = grade_confidence(level, results, gates, context)
    return jsonable({
        "level": level, "level_title": LEVEL_TITLES[level], "level_index": LEVELS.index(level),
        "level_status": {g["level"]: g["status"] for g in gates}[level],
        "score": score,
        "assessed_weight_share": _weighted([(d["weight"], d["assessed_weight_share"]) for d in dimensions.values()]),
        "summary": _summary(level, score, gates, confidence["confidence"]),
        **confidence,
        "levels": gates,
        "not_confirmed": [{"level": g["level"], "title": g["title"], "not_assessed": g["not_assessed"],
                           "uncertain": g["uncertain"]}
                          for g in gates if g["status"] == "not_confirmed"],
        "next_level": _next_level(level, results),
        "dimensions": dimensions,
        "questionnaire": {
            "provided": quest is not None,
            "file": quest.path if quest else None,
            "answered": sum(a.answer is not None for a in quest.items.values()) if quest else 0,
            "items": len(questionnaire_items()),
        },
        "rubric": {"name": rub.name, "version": rub.version, "file": rub.path},
        "level_definitions": {lv: {"title": LEVEL_TITLES[lv], "description": LEVEL_DESCRIPTIONS[lv],
                                   "index": i} for i, lv in enumerate(LEVELS)},
    })
