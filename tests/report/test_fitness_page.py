"""The fitness gate in the playbook: page 1's table, and the marks on the sections a failed or
doubtful check undermines (projections withheld when the period cannot carry them)."""
from __future__ import annotations

import copy

import pandas as pd

from audit.metrics import fitness
from audit.report import playbook, render
from tests.helpers.playbooks import CLIENTS, demo, pipeline


def _gate(*checks: dict) -> dict:
    return {"checks": list(checks), "languages": {"en": 0.7, "ja": 0.3}, **fitness.summary(list(checks))}


def _book(gate: dict | None) -> dict:
    _, figures, grade = demo("Acme")
    figures = copy.deepcopy(figures)
    if gate is not None:
        figures["fitness"] = gate
    messages, conversations, accounting = pipeline()
    return playbook.build(figures, grade, messages, conversations, client="Acme", brands=CLIENTS["Acme"],
                          accounting=accounting)


def test_a_two_day_extract_is_flagged_on_page_one_and_its_sections_are_marked():
    days = pd.date_range("2024-03-04", periods=2, freq="D", tz="UTC")
    _, languages = fitness.language_mix(pd.Series(["en"] * 7 + ["ja"] * 3), pd.Series([True] * 7 + [False] * 3))
    book = _book(_gate(fitness.period_length(days), fitness.extract_signs(78, 102), languages))
    assert book["fitness"]["status"] == "fail" and book["fitness"]["projections"] is False
    marked = {e["id"]: [m["check"] for m in e["fitness"]] for e in book["toc"] if e["fitness"]}
    assert marked["staffing"] == ["period_length", "extract_signs"] and marked["coaching"] == ["extract_signs"]
    assert marked["current_state"] == ["period_length", "languages"]
    assert "executive_summary" not in marked
    html = render.render_html(book)
    cover = html[html.index('class="cover"'):html.index('class="toc')]
    assert "Can this export support an audit?" in cover and "78 agents sign replies" in cover
    assert "ja 30%" in cover and "Weekly and monthly projections are withheld" in cover
    staffing = html[html.index('id="staffing"'):]
    assert "Read with care: the export limits this section" in staffing[:3000]


def test_a_clean_export_passes_and_marks_nothing():
    days = pd.date_range("2024-03-04", periods=60, freq="D", tz="UTC")
    book = _book(_gate(fitness.period_length(days), fitness.extract_signs(6, 300)))
    assert book["fitness"]["status"] == "pass"
    assert not any(e["fitness"] for e in book["toc"])
    assert "the export limits this section" not in render.render_html(book)


def test_failed_concentration_withholds_projections():
    gate = _gate({"check": "concentration", "status": "fail", "value": 0.87, "detail": "87% on 2 days",
                  "undermines": list(fitness.UNDERMINES["concentration"])})
    _, figures, _ = demo("Acme")
    assert playbook.baseline({**figures, "fitness": gate}).can_project is False
    assert playbook.baseline(figures).can_project is True


def test_the_sentiment_captions_state_the_share_left_unread():
    from audit.report.playbook.fitness import unread_note

    inbound = pd.DataFrame({"language": ["en"] * 7 + ["ja", "ja", "fr"], "readable": [True] * 7 + [False] * 3})
    assert unread_note(inbound) == (" 3 customer posts (30%) in languages the text model cannot read (ja, fr) "
                                    "are left out of these shares.")
    assert unread_note(inbound.assign(readable=True)) == ""
