"""The audit's stages as functions of a run folder: read the previous stage's files, call the
pure library functions, write this stage's files atomically.

Each notebook in ``notebooks/`` calls exactly one of these, so an analyst can re-run a stage in
JupyterLab with other parameters and the next stage picks up the result from disk.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.common.handles import handle_key

SCHEMA_VERSION = "1.0"


def ingest(run_dir: str | Path, data: str | Path, mapping: str | Path | None = None,
           brands: list[str] | None = None, redact: bool = False) -> dict[str, Any]:
    """Load and validate the export, rebuild conversations, account for every row."""
    from audit.common.safeio import write_csv_safe
    from audit.conversations import threads
    from audit.reading import ingest as ingest_mod
    from audit.reading.redact import redact_frame

    run_dir = Path(run_dir)
    result = ingest_mod.load(data, mapping=mapping, brands=brands)
    messages, conversations = threads.build(result.messages, brands=brands)
    all_brands = sorted(messages.loc[~messages["is_customer"], "author"].astype(str).unique())
    client_brands = _client_brands(brands, all_brands)
    quarantine = result.quarantine
    if redact:  # masked before anything is written; scores stay identical (see textmodel.normalize)
        messages = redact_frame(messages, all_brands)
        conversations = redact_frame(conversations, all_brands, text_columns=())
        raw = [c for c in quarantine.columns if c not in ("source_row", "reason", "detail")]
        quarantine = redact_frame(quarantine.astype({c: "string" for c in raw}), all_brands, text_columns=raw)
    runfolder.write_parquet(messages, run_dir / runfolder.MESSAGES)
    runfolder.write_parquet(conversations, run_dir / runfolder.CONVERSATIONS)
    write_csv_safe(quarantine, run_dir / runfolder.INGEST_QUARANTINE)  # published with the report
    summary = {
        "data": Path(data).name,
        "brands_in_data": all_brands,
        "client_brands": client_brands,
        "accounting": result.accounting,
        "conversations": int(len(conversations)),
        "period": {"start": str(messages["created_at"].min()), "end": str(messages["created_at"].max())},
        "redacted": bool(redact),
    }
    runfolder.write_json(summary, run_dir / runfolder.INGEST_SUMMARY)
    return summary


def _client_brands(requested: list[str] | None, available: list[str]) -> list[str]:
    """The client's handles: as requested (case-insensitive), else every brand in the export."""
    if not requested:
        return available
    lookup = {handle_key(b): b for b in available}
    missing = [b for b in requested if handle_key(b) not in lookup]
    if missing:
        raise AuditInputError(
            f"Brand handle(s) {missing} do not appear as brand authors in the data. "
            f"Brand handles found: {', '.join(available[:30]) or 'none'}{' ...' if len(available) > 30 else ''}."
        )
    return sorted(lookup[handle_key(b)] for b in requested)


def score(run_dir: str | Path, model: str | None = None, device: str = "auto", batch_size: int = 64,
          quantize: bool = False, engine: str = "local", scheduler: str | None = None,
          cache: str | None = None) -> dict[str, Any]:
    """Sentiment and triage for every message (one pass of the bundled model), the primary
    intent and the topic of every customer post."""
    from audit import textmodel
    from audit.textmodel import TRIAGE_COLUMNS, language, primary_intent
    from audit.topics.stage import write_assignments as write_topic_assignments

    run_dir = Path(run_dir)
    messages = runfolder.read_messages(run_dir)
    options = {"scheduler": scheduler} if scheduler else None
    scored = textmodel.score(messages["text"].tolist(), model=model, batch_size=batch_size, device=device,
                             quantize=quantize, cache=cache, engine=engine, engine_options=options, triage=True)
    scores = pd.DataFrame({
        "message_id": messages["message_id"].to_numpy(),
        "sentiment": scored["label"].to_numpy(),
        "sentiment_score": (scored["p_positive"] - scored["p_negative"]).round(6).to_numpy(),
        "p_negative": scored["p_negative"].to_numpy(),
        "p_neutral": scored["p_neutral"].to_numpy(),
        "p_positive": scored["p_positive"].to_numpy(),
        **{c: scored[c].to_numpy() for c in TRIAGE_COLUMNS},
    })
    customer = messages["is_customer"].fillna(False).to_numpy(dtype=bool)
    scores = language.unread_left_out(scores, customer, messages.loc[customer, "text"])
    intents = primary_intent(scores.loc[customer, list(TRIAGE_COLUMNS)].reset_index(drop=True))
    intents.insert(0, "message_id", messages.loc[customer, "message_id"].to_numpy())
    unread = ~scores.loc[customer, "readable"].to_numpy(dtype=bool)
    intents["intent"] = intents["intent"].astype("object").mask(unread)
    intents.loc[unread, "intent_confidence"] = float("nan")
    runfolder.write_parquet(scores, run_dir / runfolder.SCORES)
    runfolder.write_parquet(intents.reset_index(drop=True), run_dir / runfolder.INTENTS)
    topic_model = write_topic_assignments(run_dir, messages.loc[customer], device=device, cache=cache)
    summary = {
        "model": model or "default",
        "model_identity": scored.attrs["cache"]["model"].split("/")[-1],
        "triage_identity": scored.attrs["cache"]["triage_model"].split("/")[-1],
        "cache": {k: v for k, v in scored.attrs["cache"].items() if k not in ("model", "triage_model")},
        "engine": engine,
        "sentiment_mix": scores["sentiment"].value_counts().sort_index().to_dict(),
        "intent_mix": intents["intent"].value_counts().sort_index().to_dict(),
        "languages": scores.loc[customer, "language"].value_counts().sort_index().to_dict(),
        "topics": len(topic_model["topics"]),
    }
    runfolder.write_json(summary, run_dir / runfolder.SCORE_SUMMARY)
    return summary


def analyse(run_dir: str | Path, rubric: str | None = None, questionnaire: str | None = None,
            timezone: str = "UTC", business_hours: str | None = None, holidays: str | None = None,
            since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Metrics per brand/channel/overall, peer percentiles, and the maturity grade.

    ``timezone`` (IANA name) sets the local clock for hours of the week, nights and weekends;
    ``business_hours`` and ``holidays`` the client's hours (``audit.metrics.business_hours``); the figures
    cover the analysis window (``since``/``until``, else detected: ``audit.conversations.window``)."""
    from audit import grading as maturity
    from audit.conversations import window
    from audit.metrics import business_hours as bh
    from audit.metrics import fitness, peer_windows, peers
    from audit.metrics import registry as metrics
    from audit.metrics.jsonable import jsonable
    from audit.topics import stage as topic_stage

    run_dir = Path(run_dir)
    messages, conversations = runfolder.enriched(run_dir)
    summary = runfolder.read_json(run_dir / runfolder.INGEST_SUMMARY)
    brands = summary["client_brands"]
    hours = bh.parse(business_hours or bh.DEFAULT_SPEC, holidays, timezone)  # refuses an unknown zone
    # the period is the client's own (its handles' posts and the posts addressed to them); peers
    # keep their own periods, for the peer table only
    span = window.of_handles(messages, brands, since=since, until=until, tz=timezone)
    everything = messages, conversations
    messages, conversations = span.select(messages, conversations)
    window.require_posts(everything[0], messages, brands, since=since, until=until, tz=timezone)
    figures = metrics.compute_all(messages, conversations, brands, tz=timezone, business_hours=hours,
                                  days=span.days(timezone))
    figures["scope"]["window"] = jsonable(span.to_dict(timezone))
    figures = jsonable(peer_windows.merge(figures, peer_windows.own_windows(
        *everything, brands, tz=timezone, business_hours=hours, since=since, until=until)))
    figures["fitness"] = jsonable(fitness.of_client(messages, conversations, brands, figures["by_brand"],
                                                    days=span.days(timezone), tz=timezone))
    peer_table = peers.from_metrics(figures)
    grade = maturity.grade(figures, maturity.load_rubric(rubric),
                           maturity.load_questionnaire(questionnaire) if questionnaire else None)
    runfolder.write_json(figures, run_dir / runfolder.METRICS)
    runfolder.write_json(peer_table, run_dir / runfolder.PEERS)
    runfolder.write_json(grade, run_dir / runfolder.MATURITY)
    topics = topic_stage.write_report(run_dir, messages, brands, timezone)
    return {"metrics": figures, "peers": peer_table, "maturity": grade, "topics": topics}


def playbook(run_dir: str | Path, client: str, pdf: bool = True) -> dict[str, Any]:
    """Build the playbook model, render HTML (and PDF), and assemble ``audit.json``."""
    from audit.common.safeio import publish, recover_publish
    from audit.conversations.window import Window
    from audit.report import playbook as playbook_mod
    from audit.report import render, workbook

    run_dir = Path(run_dir)
    recover_publish(run_dir)
    figures = runfolder.read_json(run_dir / runfolder.METRICS)
    messages, conversations = runfolder.enriched(run_dir)
    if "window" in figures.get("scope", {}):  # the same conversations the figures were computed on
        messages, conversations = Window.from_dict(figures["scope"]["window"]).select(messages, conversations)
    ingest_summary = runfolder.read_json(run_dir / runfolder.INGEST_SUMMARY)
    score_summary = runfolder.read_json(run_dir / runfolder.SCORE_SUMMARY)
    book = playbook_mod.build(
        figures, runfolder.read_json(run_dir / runfolder.MATURITY),
        messages, conversations, client=client, brands=ingest_summary["client_brands"],
        accounting=ingest_summary["accounting"], peers=runfolder.read_json(run_dir / runfolder.PEERS),
        model_card_summary=model_card_summary(score_summary), intent_accuracy=intent_accuracy(),
        redacted=ingest_summary["redacted"], topics=_optional_json(run_dir / runfolder.TOPICS),
    )
    html = render.render_html(book, charts_dir=run_dir / runfolder.CHARTS)
    audit = assemble(run_dir, client, book=book, write=False)
    # The report's files of one run are published together (never a new HTML beside an old PDF
    # after a kill); without --pdf a PDF of an earlier run is removed.
    publish(run_dir, {
        runfolder.PLAYBOOK_JSON: runfolder.dumps(book).encode("utf-8"),
        runfolder.PLAYBOOK_HTML: html.encode("utf-8"),
        runfolder.PLAYBOOK_PDF: render.pdf_bytes(html) if pdf else None,
        runfolder.AUDIT_JSON: runfolder.dumps(audit).encode("utf-8"),
        runfolder.AUDIT_XLSX: workbook.content(run_dir, audit, messages, conversations),
        runfolder.QUARANTINE: (run_dir / runfolder.INGEST_QUARANTINE).read_bytes(),
    })
    return {"level": audit["maturity"]["level"], "html": str(run_dir / runfolder.PLAYBOOK_HTML),
            "pdf": str(run_dir / runfolder.PLAYBOOK_PDF) if pdf else None}


#: the bundled model's licence: the consultant's to know (README, run_log.json), not the client's PDF
MODEL_LICENCE = "non-commercial (CC BY-NC-SA 4.0 training data)"


def model_card_summary(score_summary: dict) -> dict[str, Any]:
    """Headline figures of the default model's card (from its training report), for the appendix."""
    from audit.textmodel import DEFAULT_MODEL

    report_path = Path(DEFAULT_MODEL) / "training_report.json"
    out = {"model": score_summary["model"], "identity": score_summary["model_identity"]}
    if score_summary["model"] == "default" and report_path.exists():
        report = json.loads(report_path.read_text())
        out.update({"test_macro_f1": round(report["test"]["macro_f1"], 3), "test_accuracy": round(report["test"]["accuracy"], 3),
                    "test_rows": report["test"]["n"], "licence": MODEL_LICENCE})
    return out


def intent_accuracy() -> dict[str, Any] | None:
    """The triage's measured accuracy (``triage_report.json`` beside the bundled model, written by
    ``make model``), flattened for the report's appendix."""
    from audit.textmodel.model import TRIAGE_REPORT as REPORT

    if not REPORT.exists():
        return None
    report = json.loads(REPORT.read_text())
    out: dict[str, Any] = {}
    real = report.get("hand_labelled_real_posts")
    if real:
        out.update({"test_set": f"{real['n']} hand-labelled real customer posts (TWCS)",
                    "primary_intent_accuracy": real["primary_intent"]["accuracy"],
                    "primary_intent_macro_f1": real["primary_intent"]["macro_f1"],
                    **{f"{h}_f1": c["f1"] for h, c in real["heads"].items()}})
    lodo = report.get("complaint_leave_one_domain_out")
    if lodo:
        out["complaint_macro_f1_unseen_sector"] = lodo["mean_macro_f1"]
    return out or None


def _optional_json(path: Path) -> Any:
    """A stage file that older run folders may lack (None then)."""
    return runfolder.read_json(path) if path.exists() else None


def assemble(run_dir: str | Path, client: str, book: dict | None = None, write: bool = True) -> dict[str, Any]:
    """``audit.json``: every figure of the run, deterministic (no wall-clock values).

    ``book`` is the playbook model (read from ``playbook.json`` when not given)."""
    run_dir = Path(run_dir)
    audit = {
        "schema_version": SCHEMA_VERSION,
        "client": client,
        "ingest": runfolder.read_json(run_dir / runfolder.INGEST_SUMMARY),
        # cache hits depend on earlier runs, not on the input: they stay in scoring.json
        "scoring": {k: v for k, v in runfolder.read_json(run_dir / runfolder.SCORE_SUMMARY).items() if k != "cache"},
        "metrics": runfolder.read_json(run_dir / runfolder.METRICS),
        "peers": runfolder.read_json(run_dir / runfolder.PEERS),
        "maturity": runfolder.read_json(run_dir / runfolder.MATURITY),
        "topics": _optional_json(run_dir / runfolder.TOPICS),
        "playbook": json.loads(runfolder.dumps(book)) if book is not None else runfolder.read_json(run_dir / runfolder.PLAYBOOK_JSON),
    }
    audit["fitness"] = audit["metrics"].pop("fitness", None)  # the gate: one copy, at the top
    audit["accounting"] = audit["ingest"]["accounting"]
    if write:
        runfolder.write_json(audit, run_dir / runfolder.AUDIT_JSON)
    return audit
