"""Which levels are reached, from the criteria results: each level is a gate its own thresholds
and those of every lower level must pass.

Why four statuses: a level is ``not_reached`` only on a confident failure; uncertain criteria make
it ``not_confirmed`` (held back) or ``provisional`` (reached only through them), so a thin export
never reads as a poor service.
"""
from __future__ import annotations

from audit.grading.levels import GRADED_LEVELS, LEVEL_TITLES

ATTAINED = ("reached", "provisional")


def gate(results: list[dict], required_only: bool) -> list[dict]:
    """Level L is reached when every (required) threshold of L and of all lower levels passes.

    ``not_reached`` only when one fails with confidence (its whole interval on the failing side).
    Otherwise a level held back by a threshold that is not assessed, or uncertain with its value on
    the failing side, is ``not_confirmed``: the data cannot say. One whose uncertain thresholds
    all have their value on the passing side is ``provisional``: reached, but only just shown.
    """
    out = [{"level": "passive", "title": LEVEL_TITLES["passive"], "status": "reached", "failed": [],
            "not_assessed": [], "uncertain": []}]
    previous = "reached"
    for level in GRADED_LEVELS:
        own = [(r["ref"], r["levels"][level]) for r in results
               if level in r["levels"] and (r["levels"][level]["required"] or not required_only)]
        failed = [ref for ref, t in own if t["status"] == "fail"]
        unknown = [ref for ref, t in own if t["status"] == "not_assessed"]
        uncertain = [ref for ref, t in own if t["status"] == "uncertain"]
        held = unknown + [ref for ref, t in own if t["status"] == "uncertain" and not t["passed"]]
        status = ("not_reached" if previous == "not_reached" or failed
                  else "not_confirmed" if previous == "not_confirmed" or held
                  else "provisional" if previous == "provisional" or uncertain else "reached")
        out.append({"level": level, "title": LEVEL_TITLES[level], "status": status, "failed": failed,
                    "not_assessed": unknown, "uncertain": uncertain})
        previous = status
    return out


def highest(gates: list[dict]) -> str:
    """The highest level attained (reached or provisional)."""
    return [g["level"] for g in gates if g["status"] in ATTAINED][-1]
