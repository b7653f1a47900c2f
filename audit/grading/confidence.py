"""How far to trust the grade, in words (high / medium / low), and roughly how much more data
would settle it.

Why: a grade decided by a threshold that 12 conversations barely clear reads the same as one that
12,000 clear by far; the report must say which it is, and what to ask the client for.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from audit.grading.levels import LEVELS
from audit.metrics.intervals import n_to_settle


def _decisive(level: str, results: list[dict], gates: list[dict]) -> list[tuple[dict, str]]:
    """The required data thresholds that decide the grade: those of every level up to the grade,
    and the next level's unless a confident failure already settles that one."""
    status = {g["level"]: g["status"] for g in gates}
    top = LEVELS.index(level) + (1 if level != LEVELS[-1] and status[LEVELS[LEVELS.index(level) + 1]] == "not_confirmed" else 0)
    return [(r, lv) for r in results if r["kind"] == "metric"
            for lv in LEVELS[1:top + 1] if lv in r["levels"] and r["levels"][lv]["required"]]


def _count_words(n: float, word: str) -> str:
    return f"{n:,.0f} {word}{'' if round(n) == 1 else 's'}"


def grade_confidence(level: str, results: list[dict], gates: list[dict], metrics: Mapping) -> dict:
    """high / medium / low, the reason in words, and roughly how much more data would settle it.

    low: a threshold that decides the grade has less evidence than the rubric's ``min_evidence``;
    medium: one has enough evidence but its interval straddles the threshold; high: neither.
    """
    decisive = _decisive(level, results, gates)
    unsure = [(r, lv) for r, lv in decisive if r["levels"][lv]["status"] == "uncertain"]
    thin = [(r, lv) for r, lv in unsure if r["min_evidence"] and r["n"] is not None and r["n"] < r["min_evidence"]["n"]]
    close = [(r, lv) for r, lv in unsure if (r, lv) not in thin]
    overall = metrics.get("overall") or {}
    conversations = overall.get("customer_conversations")
    days = ((metrics.get("scope") or {}).get("period") or {}).get("days")
    basis = (f"{_count_words(conversations, 'customer conversation')} over {_count_words(days, 'day')}"
             if conversations is not None and days else "the figures given")
    factors = [r["min_evidence"]["n"] / max(r["n"], 1) for r, _ in thin]
    for r, lv in ([] if thin else close):   # thin evidence first: more of it may move the figure too
        need = n_to_settle(int(r["n"] or 0), float(r["value"]), r["interval"], float(r["levels"][lv]["threshold"]))
        if need:
            factors.append(need / max(r["n"], 1))
    factor = max(factors, default=None)
    more = None
    if factor is not None and conversations and days:
        more = {"factor": factor, "conversations": int(math.ceil(conversations * factor)),
                "days": int(math.ceil(days * factor)), "weeks": int(math.ceil(days * factor / 7))}
    settle = ("" if not more else
              f" An export of about {_count_words(more['weeks'], 'week')} (about "
              f"{_count_words(more['conversations'], 'customer conversation')} at today's volume) would settle it."
              if more["weeks"] <= 104 else
              " Even two years of data at today's volume may not settle it: the figure sits almost on the threshold.")
    names = lambda pairs: ", ".join(dict.fromkeys(str(r["title"]).lower() for r, _ in pairs))
    refs = lambda pairs: len({r["ref"] for r, _ in pairs})
    if thin:
        level_name, reason = "low", (
            f"Based on {basis}: {refs(thin)} of the {refs(decisive)} measured criteria that decide the grade "
            f"rest{'s' if refs(thin) == 1 else ''} on too little data ({names(thin)}).{settle}")
    elif close:
        level_name, reason = "medium", (
            f"Based on {basis}: enough data, but {names(close)} sit{'s' if refs(close) == 1 else ''} "
            f"so close to the threshold that the 95% interval straddles it.{settle}")
    else:
        level_name, reason = "high", (
            f"Based on {basis}: every measured criterion that decides the grade clears or misses its "
            "threshold with its whole 95% interval.")
    failed = export_failures(metrics)
    if failed:  # the export itself cannot carry the figures the grade reads
        level_name, reason = "low", (
            f"The export cannot support every figure the grade reads: {'; '.join(failed)} "
            f"(see \"Can this export support an audit?\"). {reason}")
    return {"confidence": level_name, "confidence_reason": reason, "more_data": more,
            "uncertain_criteria": sorted({r["ref"] for r, _ in unsure})}


def export_failures(metrics: Mapping) -> list[str]:
    """What the fitness gate (``metrics["fitness"]``, when the run computed it) failed on, in its own
    words. A grade read from an export that fails the gate is never more than low confidence: the
    thresholds may be cleared or missed because of the export, not the desk."""
    checks = ((metrics.get("fitness") or {}).get("checks")) or []
    return [str(c.get("detail", c.get("check"))).rstrip(".") for c in checks if c.get("status") == "fail"]
