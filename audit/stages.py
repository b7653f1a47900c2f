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

from audit import files
from audit.errors import AuditInputError

SCHEMA_VERSION = "1.0"


def _messages(run_dir: Path) -> pd.DataFrame:
    path = Path(run_dir) / files.MESSAGES
    if not path.exists():
        raise AuditInputError(f"{path} is missing: run the ingest stage (notebooks/01_ingest.ipynb) first.")
    return pd.read_parquet(path)


def ingest(run_dir: str | Path, data: str | Path, mapping: str | Path | None = None,
           brands: list[str] | None = None, redact: bool = False) -> dict[str, Any]:
    """Load and validate the export, rebuild conversations, account for every row."""
    from audit import ingest as ingest_mod, threads
    from audit.redact import redact_frame
    from audit.safeio import write_csv_safe

    run_dir = Path(run_dir)
    result = ingest_mod.load(data, mapping=mapping, brands=brands)
    messages, conversations = threads.build(result.messages, brands=brands)
    all_brands = sorted(messages.loc[~messages["is_customer"], "author"].astype(str).unique())
    client_brands = _client_brands(brands, all_brands)
    quarantine = result.quarantine
    if redact:  # masked before anything is written; scores stay identical (see sentiment.normalize)
        messages = redact_frame(messages, all_brands)
        conversations = redact_frame(conversations, all_brands, text_columns=())
        raw = [c for c in quarantine.columns if c not in ("source_row", "reason", "detail")]
        quarantine = redact_frame(quarantine.astype({c: "string" for c in raw}), all_brands, text_columns=raw)
    files.write_parquet(messages, run_dir / files.MESSAGES)
    files.write_parquet(conversations, run_dir / files.CONVERSATIONS)
    write_csv_safe(quarantine, run_dir / files.QUARANTINE)
    summary = {
        "data": Path(data).name,
        "brands_in_data": all_brands,
        "client_brands": client_brands,
        "accounting": result.accounting,
        "conversations": int(len(conversations)),
        "period": {"start": str(messages["created_at"].min()), "end": str(messages["created_at"].max())},
        "redacted": bool(redact),
    }
    files.write_json(summary, run_dir / files.INGEST_SUMMARY)
    return summary


def _client_brands(requested: list[str] | None, available: list[str]) -> list[str]:
    """The client's handles: as requested (case-insensitive), else every brand in the export."""
    if not requested:
        return available
    lookup = {b.lower(): b for b in available}
    missing = [b for b in requested if b.lower().lstrip("@") not in lookup]
    if missing:
        raise AuditInputError(
            f"Brand handle(s) {missing} do not appear as brand authors in the data. "
            f"Brand handles found: {', '.join(available[:30]) or 'none'}{' ...' if len(available) > 30 else ''}."
        )
    return sorted(lookup[b.lower().lstrip("@")] for b in requested)


def score(run_dir: str | Path, model: str | None = None, device: str = "auto", batch_size: int = 64,
          quantize: bool = False, engine: str = "local", scheduler: str | None = None,
          cache: str | None = None) -> dict[str, Any]:
    """Sentiment and triage for every message (one pass of the bundled model), and the primary
    intent of every customer post."""
    from audit import sentiment
    from audit.textmodel import TRIAGE_COLUMNS, primary_intent

    run_dir = Path(run_dir)
    messages = _messages(run_dir)
    options = {"scheduler": scheduler} if scheduler else None
    scored = sentiment.score(messages["text"].tolist(), model=model, batch_size=batch_size, device=device,
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
    customer = messages["is_customer"].to_numpy()
    intents = primary_intent(scores.loc[customer, list(TRIAGE_COLUMNS)].reset_index(drop=True))
    intents.insert(0, "message_id", messages.loc[customer, "message_id"].to_numpy())
    files.write_parquet(scores, run_dir / files.SCORES)
    files.write_parquet(intents.reset_index(drop=True), run_dir / files.INTENTS)
    summary = {
        "model": model or "default",
        "model_identity": scored.attrs["cache"]["model"].split("/")[-1],
        "triage_identity": scored.attrs["cache"]["triage_model"].split("/")[-1],
        "cache": {k: v for k, v in scored.attrs["cache"].items() if k not in ("model", "triage_model")},
        "engine": engine,
        "sentiment_mix": scores["sentiment"].value_counts().sort_index().to_dict(),
        "intent_mix": intents["intent"].value_counts().sort_index().to_dict(),
    }
    files.write_json(summary, run_dir / files.SCORE_SUMMARY)
    return summary


def enriched(run_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages joined with their scores and intents, and the conversations: what analysis reads."""
    run_dir = Path(run_dir)
    messages = _messages(run_dir)
    for name in (files.SCORES, files.INTENTS):
        path = run_dir / name
        if not path.exists():
            raise AuditInputError(f"{path} is missing: run the scoring stage (notebooks/02_sentiment.ipynb) first.")
        messages = messages.merge(pd.read_parquet(path), on="message_id", how="left")
    return messages, pd.read_parquet(run_dir / files.CONVERSATIONS)


def analyse(run_dir: str | Path, rubric: str | None = None, questionnaire: str | None = None,
            timezone: str = "UTC") -> dict[str, Any]:
    """Metrics per brand/channel/overall, peer percentiles, and the maturity grade.

    ``timezone`` (IANA name) sets the local clock for hours of the week, nights and weekends."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from audit import maturity, metrics, peers

    run_dir = Path(run_dir)
    messages, conversations = enriched(run_dir)
    summary = files.read_json(run_dir / files.INGEST_SUMMARY)
    brands = summary["client_brands"]
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AuditInputError(f"Unknown time zone '{timezone}': use an IANA name such as Europe/London or America/New_York.") from None
    figures = metrics.compute_all(messages, conversations, brands, tz=timezone)
    peer_table = peers.from_metrics(figures)
    grade = maturity.grade(figures, maturity.load_rubric(rubric),
                           maturity.load_questionnaire(questionnaire) if questionnaire else None)
    files.write_json(figures, run_dir / files.METRICS)
    files.write_json(peer_table, run_dir / files.PEERS)
    files.write_json(grade, run_dir / files.MATURITY)
    return {"metrics": figures, "peers": peer_table, "maturity": grade}


def playbook(run_dir: str | Path, client: str, pdf: bool = True) -> dict[str, Any]:
    """Build the playbook model, render HTML (and PDF), and assemble ``audit.json``."""
    from audit import playbook as playbook_mod, render

    run_dir = Path(run_dir)
    messages, conversations = enriched(run_dir)
    ingest_summary = files.read_json(run_dir / files.INGEST_SUMMARY)
    score_summary = files.read_json(run_dir / files.SCORE_SUMMARY)
    book = playbook_mod.build(
        files.read_json(run_dir / files.METRICS), files.read_json(run_dir / files.MATURITY),
        messages, conversations, client=client, brands=ingest_summary["client_brands"],
        accounting=ingest_summary["accounting"], peers=files.read_json(run_dir / files.PEERS),
        model_card_summary=model_card_summary(score_summary), intent_accuracy=intent_accuracy(),
        redacted=ingest_summary["redacted"],
    )
    files.write_json(book, run_dir / files.PLAYBOOK_JSON)
    html = render.render_html(book, charts_dir=run_dir / files.CHARTS)
    render.write_html(html, run_dir / files.PLAYBOOK_HTML)
    if pdf:
        render.write_pdf(html, run_dir / files.PLAYBOOK_PDF)
    audit = assemble(run_dir, client)
    return {"level": audit["maturity"]["level"], "html": str(run_dir / files.PLAYBOOK_HTML),
            "pdf": str(run_dir / files.PLAYBOOK_PDF) if pdf else None}


def model_card_summary(score_summary: dict) -> dict[str, Any]:
    """Headline figures of the default model's card (from its training report), for the appendix."""
    from audit.sentiment import DEFAULT_MODEL

    report_path = Path(DEFAULT_MODEL) / "training_report.json"
    out = {"model": score_summary["model"], "identity": score_summary["model_identity"]}
    if score_summary["model"] == "default" and report_path.exists():
        report = json.loads(report_path.read_text())
        out.update({"test_macro_f1": round(report["test"]["macro_f1"], 3), "test_accuracy": round(report["test"]["accuracy"], 3),
                    "test_rows": report["test"]["n"], "licence": "non-commercial (CC BY-NC-SA 4.0 training data)"})
    return out


def intent_accuracy() -> dict[str, Any] | None:
    """The triage's measured accuracy (``triage_report.json`` beside the bundled model, written by
    ``make model``), flattened for the report's appendix."""
    from audit.textmodel.evaluate import REPORT

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


def assemble(run_dir: str | Path, client: str) -> dict[str, Any]:
    """``audit.json``: every figure of the run, deterministic (no wall-clock values)."""
    run_dir = Path(run_dir)
    audit = {
        "schema_version": SCHEMA_VERSION,
        "client": client,
        "ingest": files.read_json(run_dir / files.INGEST_SUMMARY),
        # cache hits depend on earlier runs, not on the input: they stay in scoring.json
        "scoring": {k: v for k, v in files.read_json(run_dir / files.SCORE_SUMMARY).items() if k != "cache"},
        "metrics": files.read_json(run_dir / files.METRICS),
        "peers": files.read_json(run_dir / files.PEERS),
        "maturity": files.read_json(run_dir / files.MATURITY),
        "playbook": files.read_json(run_dir / files.PLAYBOOK_JSON),
    }
    audit["accounting"] = audit["ingest"]["accounting"]
    files.write_json(audit, run_dir / files.AUDIT_JSON)
    return audit
