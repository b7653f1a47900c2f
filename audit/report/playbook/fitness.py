"""Page 1's "Can this export support an audit?": the fitness gate (``audit.metrics.fitness``) as
the playbook shows it, and the marks it puts on the sections a failed or doubtful check undermines."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from audit.report.format import number, percent
from audit.report.playbook.context import plural

#: what each check asks, in the client's words, and how its value reads
TITLES: dict[str, tuple[str, str]] = {
    "period_length": ("Long enough to see a weekly pattern?", "days"),
    "concentration": ("Spread over the period, not piled on a few days?", "share"),
    "gaps": ("No missing weeks?", "days"),
    "selection_answered": ("Not a sample picked for answered conversations?", "share"),
    "selection_ends_with_brand": ("Not a sample picked to end on a brand reply?", "share"),
    "extract_signs": ("The whole desk's traffic, not a slice of it?", "per_agent"),
    "orphan_replies": ("Replies linked to the posts they answer?", "share"),
    "surges": ("Surges that are real events, not collection artefacts?", "share"),
    "languages": ("Written in a language the text model reads?", "share"),
}
VERDICT = {"pass": "This export can support the audit.",
           "warn": "This export can support the audit, with the limits marked below and on the pages they affect.",
           "fail": "Parts of this export cannot support an audit: the pages they undermine are marked with "
                   "the reason."}
STATUS_WORD = {"pass": "Pass", "warn": "Check", "fail": "Fail"}


def _value(value: object, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "share":
        return percent(float(value))
    if kind == "per_agent":
        return f"{number(float(value), 1)} conversations per agent"
    return number(float(value))


def build_fitness(metrics: Mapping) -> dict:
    """Rows for the cover's table, the verdict and the language mix; empty for older run folders."""
    gate = metrics.get("fitness") or {}
    if not gate:
        return {"available": False, "rows": [], "marks": {}}
    rows = [{"check": c["check"], "question": TITLES.get(c["check"], (c["check"], ""))[0],
             "status": c["status"], "status_word": STATUS_WORD[c["status"]],
             "value": _value(c.get("value"), TITLES.get(c["check"], ("", "count"))[1]), "detail": c["detail"]}
            for c in gate.get("checks", [])]
    langs = sorted(((k, v) for k, v in (gate.get("languages") or {}).items()), key=lambda kv: (-kv[1], kv[0]))
    return {"available": True, "status": gate.get("status", "pass"), "verdict": VERDICT[gate.get("status", "pass")],
            "rows": rows, "marks": gate.get("marks") or {},
            "languages": [{"language": k, "share": v} for k, v in langs],
            "projections": bool(gate.get("projections", True))}


def mark_sections(toc: list[dict], fitness: Mapping) -> None:
    """Give each table-of-contents entry the checks that undermine its section (the chapter
    heading prints them), so the mark travels with the section wherever it is rendered."""
    for entry in toc:
        entry["fitness"] = [{**m, "question": TITLES.get(m["check"], (m["check"], ""))[0]}
                            for m in (fitness.get("marks") or {}).get(entry["id"], [])]


def unread_note(inbound: pd.DataFrame) -> str:
    """The sentence under every text-derived share: how many customer posts the model could not
    read (and in which languages), left out of it. Empty when all were read."""
    if "readable" not in inbound or not len(inbound):
        return ""
    unread = inbound.loc[~inbound["readable"].fillna(True).astype(bool)]
    if unread.empty:
        return ""
    langs = ", ".join(str(k) for k in unread["language"].value_counts().index[:5])
    return (f" {plural(len(unread), 'customer post')} ({percent(len(unread) / len(inbound))}) in languages the "
            f"text model cannot read ({langs}) are left out of these shares.")
