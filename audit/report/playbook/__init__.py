"""The playbook model: every figure, target and recommendation of the report, as plain data.

Why a model and not logic in templates: the numbers a manager acts on (targets, triggers, head
counts, the roadmap) must be testable, land in ``audit.json`` for audit, and be identical in the
HTML and the PDF. Templates only lay this dict out. Each section is tailored from the client's own
figures (``metrics.compute_all``), its grade (``maturity.grade``) and, for quoted replies and
escalation triggers, its messages and conversations. ``build`` is deterministic and its result
is JSON-serialisable; ``book["inputs"]`` records which figures fed each section.

One module per job: ``context`` (what builders read), ``evidence`` (figures from messages),
``standards`` (targets), ``benchmarks`` (assumptions), ``tailoring`` (the client's sector,
specialist teams and intent mix, from ``tailoring.yaml``), one module per section, ``chart_data``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from audit.metrics import erlang
from audit.metrics.jsonable import jsonable
from audit.reading.quarantine import quarantine_warning
from audit.report.playbook.appendix import build_appendix
from audit.report.playbook.assumptions import COMPLAINT_STANDARD_S, EXPECT_1H, REPLACEMENT_COST, SURGE_FLOOR
from audit.report.playbook.backtest import classify, trigger_evidence
from audit.report.playbook.chart_data import build_charts
from audit.report.playbook.coaching import build_coaching
from audit.report.playbook.context import (
    SECTIONS,
    Baseline,
    Context,
    baseline,
    plural,
    read_grade,
    select_client,
)
from audit.report.playbook.current_state import build_current_state
from audit.report.playbook.escalation import build_escalation
from audit.report.playbook.evidence import INTENTS, SENTIMENTS, complaint_counts, sentiment_mix, weekly_sentiment
from audit.report.playbook.figures import Figures
from audit.report.playbook.fitness import build_fitness, mark_sections
from audit.report.playbook.guidelines import build_guidelines
from audit.report.playbook.kpis import build_kpis, goals
from audit.report.playbook.lexicon import load as load_lexicon
from audit.report.playbook.roadmap import build_roadmap
from audit.report.playbook.staffing import build_staffing
from audit.report.playbook.standards import response_standards, snap_duration, snap_share, standards_table
from audit.report.playbook.summary import build_summary, caveat
from audit.report.playbook.tailoring import fit as fit_tailoring
from audit.report.playbook.topics import attach_topic_routing, build_topics
from audit.report.playbook.triage import build_triage

# Names callers and tests read as ``audit.report.playbook.X``.
__all__ = ["build", "SCHEMA_VERSION", "SECTIONS", "Baseline", "response_standards", "snap_duration",
           "snap_share", "COMPLAINT_STANDARD_S", "EXPECT_1H", "REPLACEMENT_COST", "SURGE_FLOOR",
           "INTENTS", "SENTIMENTS"]

SCHEMA_VERSION = "1.0"

def _period(b: Baseline) -> dict:
    if not b.start or not b.end:
        return {"start": b.start, "end": b.end, "days": b.days, "label": "period unknown"}
    start, end = pd.Timestamp(b.start), pd.Timestamp(b.end)
    label = f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y} ({plural(b.days, 'day')})"
    return {"start": b.start, "end": b.end, "days": b.days, "label": label}


def rubric_label(maturity: Mapping) -> str:
    """Which rubric graded the client, as the cover names it ('' for a grade that does not say):
    a grade from a tuned copy of the rubric must not read like one from the standard rubric."""
    rubric = maturity.get("rubric") or {}
    if not rubric.get("name"):
        return ""
    name = "standard" if rubric["name"] == "default" else str(rubric["name"])
    return f"{name} maturity rubric, version {rubric.get('version', '?')}"


def build(metrics: Mapping, maturity: Mapping, messages: pd.DataFrame | None = None,
          conversations: pd.DataFrame | None = None, *, client: str, brands: Sequence[str],
          accounting: Mapping, model_card_summary: Mapping | None = None,
          intent_accuracy: Mapping | None = None, peers: Mapping | None = None,
          handle_min: float = erlang.DEFAULT_HANDLE_MIN, redacted: bool = False,
          topics: Mapping | None = None, crisis_lexicon: str | Path | None = None) -> dict:
    """The playbook for one client: a JSON-ready dict of sections, chart data and inputs.

    ``metrics``/``maturity``: ``metrics.compute_all`` and ``maturity.grade`` output (as in
    metrics.json / maturity.json). ``messages``/``conversations``: the enriched thread frames
    (sentiment and intent joined), used for quoted replies, triggers, sentiment mix and arrivals;
    without them those parts say so instead of failing. ``topics``: ``topics.json`` (what
    customers write about), optional. ``crisis_lexicon``: the client's own crisis lexicon file
    (``audit/report/lexicons/crisis.yaml`` by default), validated on load.
    """
    tz = str(metrics.get("scope", {}).get("tz") or "UTC")
    selected = select_client(messages, conversations, client, list(brands), tz)
    base, grade_view = baseline(metrics), read_grade(maturity)
    posts = classify(selected, load_lexicon(crisis_lexicon))
    ctx = Context(client=selected, metrics=metrics, grade=grade_view, base=base,
                  standards=response_standards(grade_view.level, base, grade_view.next_thresholds),
                  evidence=trigger_evidence(selected, posts), inputs={})
    # one text per figure for the whole report, once every target set against it is known
    ctx.figures = Figures(metrics, goals(ctx.standards, grade_view, metrics))
    ctx.standards["table"] = standards_table(ctx.standards["targets"], ctx.figures)
    complaints, mix, trend = complaint_counts(selected), sentiment_mix(selected), weekly_sentiment(selected)
    tailor = fit_tailoring(selected, topics)   # the client's sector, specialists and intent mix
    ctx.inputs["tailoring"] = tailor.inputs
    kpis = build_kpis(ctx)                  # before the roadmap, which quotes its targets
    roadmap = build_roadmap(ctx)
    staff = build_staffing(ctx, handle_min)
    sections = {
        "current_state": build_current_state(ctx, complaints, mix, peers),
        "topics": build_topics(ctx, topics),
        "triage": build_triage(ctx, tailor),
        "escalation": build_escalation(ctx, posts, tailor),
        "response_guidelines": build_guidelines(ctx, tailor),
        "coaching": build_coaching(ctx),
        "staffing": staff,
        "kpis": kpis,
        "roadmap": roadmap,
        "appendix": build_appendix(ctx, accounting, model_card_summary, intent_accuracy),
    }
    attach_topic_routing(sections, topics)
    # a chapter with nothing to say is left out (its lead stays in the book for the run log)
    ctx.shown = tuple(sid for sid, _ in SECTIONS if sid != "topics" or sections["topics"]["table"]["rows"])
    sections["executive_summary"] = build_summary(ctx, complaints, roadmap)
    titles = dict(SECTIONS)
    titles["roadmap"] = (f"30/60/90-day roadmap to {grade_view.next_label}" if grade_view.next_label
                         else "30/60/90-day plan to hold the level")
    toc = [{"id": sid, "number": i + 1, "title": titles[sid]} for i, sid in enumerate(ctx.shown)]
    fitness = build_fitness(metrics)
    mark_sections(toc, fitness)
    book = {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "client": client, "brands": list(brands), "period": _period(base),
            "conversations": base.conversations, "redacted": bool(redacted), "timezone": tz,
            "level": {"key": grade_view.level, "label": grade_view.label, "score": grade_view.score,
                      "status": grade_view.status},
            "confidence": {"level": grade_view.confidence, "reason": grade_view.confidence_reason,
                           "more_data": grade_view.more_data,
                           "caveat": caveat(grade_view)},
            "quarantine_warning": quarantine_warning(accounting or {}),
            "rubric": rubric_label(maturity),
            "next_level": ({"key": grade_view.next_level, "label": grade_view.next_label}
                           if grade_view.next_level else None),
        },
        "toc": toc,
        "fitness": fitness,
        **{sid: sections[sid] for sid, _ in SECTIONS},
        "figures": ctx.figures.as_dict(),
        "charts": build_charts(ctx, mix, trend, staff),
        "inputs": ctx.inputs,
    }
    return jsonable(book)
