"""Section 9, the appendix: metric definitions, row accounting and quarantine reasons, the model
card, intent accuracy and the benchmark assumptions.
"""
from __future__ import annotations

from collections.abc import Mapping

from audit.conversations.window import REASONS
from audit.metrics.reply_time import ordered
from audit.report.playbook.assumptions import BENCHMARK_NOTES, SURGE_FLOOR
from audit.report.playbook.context import Context, figure_value, table_block
from audit.report.playbook.kpis import KPIS


def reply_time_table(metrics: Mapping) -> dict:
    """"How your tools would report it": each reply-time definition (``metrics.reply_time_definitions``)
    with the tools that count that way, its response rate and its median, mean and p90."""
    rows = [{"definition": d["title"], "tools": d.get("tools", ""), "rate": d.get("rate"),
             "n": d.get("n"), "median": d.get("median"), "mean": d.get("mean"), "p90": d.get("p90"),
             "headline": d.get("meta_response_time", d.get("mean"))}
            for d in ordered(metrics.get("reply_time_definitions"))]
    return table_block([("definition", "Definition", None), ("tools", "Tools that count it this way", None, "wide"),
                   ("rate", "Response rate", "percent"), ("n", "Replies timed", "number"),
                   ("median", "Median", "minutes"), ("mean", "Mean", "minutes"), ("p90", "90th percentile", "minutes"),
                   ("headline", "What the tool shows", "minutes")], rows,
                  empty="Reply times were not computed for this run.")


# What a manager reads about the models: plain labels and formats; run internals (file names,
# weight hashes, evaluation switches, the model's licence, notes for developers) stay in audit.json,
# run_log.json and the README, not in the report.
MODEL_CARD_ROWS = (
    ("model", "Sentiment model", lambda v: "the bundled model (MiniLM, fine-tuned for customer posts)"
     if v == "default" else str(v)),
    ("test_accuracy", "Held-out posts labelled correctly (negative / neutral / positive)", lambda v: figure_value(v, "percent")),
    ("test_macro_f1", "Balance across the three labels (macro-F1, 0-1)", lambda v: f"{float(v):.2f}"),
    ("test_rows", "Held-out posts it was checked on", lambda v: figure_value(v, "number")),
)
#: keys as ``run.stages.intent_accuracy`` flattens the bundled model's measured triage
INTENT_ROWS = (
    ("test_set", "Checked on", str),
    ("primary_intent_accuracy", "Posts triaged to the right intent", lambda v: figure_value(v, "percent")),
    ("primary_intent_macro_f1", "Balance across question / complaint / compliment / other (macro-F1, 0-1)",
     lambda v: f"{float(v):.2f}"),
    ("complaint_f1", "Complaints found (F1, 0-1)", lambda v: f"{float(v):.2f}"),
    ("complaint_macro_f1_unseen_sector", "Complaints found in a sector the model never saw (macro-F1, 0-1)",
     lambda v: f"{float(v):.2f}"),
)


#: the reader's words for the usable-but-odd rows ingest kept and counted (reading.schema.FLAG_NAMES)
FLAG_WORDS = {
    "reply_to_unknown": "replies to a post missing from the export",
    "text_truncated": "texts cut at the length limit",
    "control_chars_stripped": "invisible control characters removed",
    "html_entities_decoded": "web codes such as &amp; turned back into characters",
    "ids_normalised": "post ids written in one format",
    "naive_timestamps_localised": "times without a time zone read in the export's zone",
    "converted_to_utc": "times converted to UTC",
    "reply_to_recovered": "reply links recovered from the text",
    "reply_to_from_conversation": "reply links taken from the conversation id",
    "handles_normalised": "handles written in one form",
    "reply_before_parent": "replies timed before the post they answer",
}


def _manager_rows(source: Mapping | None, rows: tuple) -> list[dict]:
    return [{"item": label, "value": show(source[key])} for key, label, show in rows
            if source and source.get(key) is not None]


def build_appendix(ctx: Context, accounting: Mapping, model_card: Mapping | None,
                   intent_accuracy: Mapping | None) -> dict:
    defs = ctx.metrics.get("definitions", {})
    used = ["customer_conversations", "inbound_posts", "brand_replies"] + [k[0] for k in KPIS] + [
        "first_response_same_day", "first_response_within_4h", "night_response_rate", "weekend_response_rate",
        "hours_covered_1h", "business_hours_covered_share", "personalised_share", "escalation_share"]
    definitions = [{"name": defs[k]["title"], "definition": defs[k]["definition"]}
                   for k in dict.fromkeys(used) if k in defs]
    definitions += [
        {"name": "Sentiment before / after the first reply",
         "definition": "Customer posts in customer-opened conversations, split by whether they were posted "
                       "before or after the brand's first reply in the conversation."},
        {"name": "Best replies", "definition": "Brand replies (not repeated word for word) after which the same "
                                               "conversation's next customer post scores at least 0.5 higher in "
                                               "sentiment and is not negative."},
        {"name": "Negative surge", "definition": "An hour whose number of negative customer posts exceeds the "
                                                 f"95th percentile of all hours in the period (at least {SURGE_FLOOR})."},
        {"name": "Staffing", "definition": "Erlang C agents per hour of the week to answer the day-90 share "
                                           "within 1 hour at today's arrival rate; see the staffing assumptions."},
    ]
    acc_rows = [{"item": label, "value": figure_value(accounting[key], "number") if isinstance(accounting[key], int)
                 else accounting[key]} for key, label in (
        ("source", "Source file"), ("format", "Format"), ("mapping", "Column mapping"),
        ("encoding", "Encoding"), ("timezone", "Timezone of the export"),
        ("input_rows", "Rows read"), ("accepted", "Rows accepted"), ("quarantined", "Rows set aside"))
        if key in accounting]
    reasons = [{"reason": str(k).replace("_", " "), "rows": int(v)}
               for k, v in sorted((accounting.get("by_reason") or {}).items()) if v]
    flags = [{"reason": FLAG_WORDS.get(k, str(k).replace("_", " ")) + " (kept)", "rows": int(v)}
             for k, v in sorted((accounting.get("flags") or {}).items()) if v]
    rows_in, quarantined = accounting.get("input_rows"), accounting.get("quarantined")
    note = (f"Every input row is accounted for: {rows_in:,} read = {accounting.get('accepted', 0):,} accepted + "
            f"{quarantined:,} set aside (each listed with its reason in the audit's data files)."
            if rows_in is not None and quarantined is not None else "Row accounting was not provided.")
    window = ctx.metrics.get("scope", {}).get("window") or {}
    outside = [{"reason": f"outside the analysis window: {REASONS.get(k, k)} (kept, not analysed)", "rows": int(v)}
               for k, v in (window.get("excluded_by_reason") or {}).items() if v]
    if window:
        note += " " + window_note(window)
    card = _manager_rows(model_card, MODEL_CARD_ROWS)
    accuracy = _manager_rows(intent_accuracy, INTENT_ROWS)
    kv = [("item", "Item", None), ("value", "Value", None)]
    ctx.inputs["appendix"] = {"accounting": dict(accounting), "model_card": dict(model_card or {}),
                              "intent_accuracy": dict(intent_accuracy or {}),
                              "reply_time_definitions": dict(ctx.metrics.get("reply_time_definitions") or {})}
    reply_defs = [{"name": d["title"], "definition": f"{d['definition']} Response rate: {d['rate_definition']}"}
                  for d in ordered(ctx.metrics.get("reply_time_definitions"))]
    return {"definitions": definitions, "data_quality_note": note,
            "reply_times": reply_time_table(ctx.metrics), "reply_time_definitions": reply_defs,
            "accounting": table_block(kv, acc_rows),
            "quarantine": table_block([("reason", "Rows set aside, or kept with a note", None), ("rows", "Rows", "number")],
                                 reasons + flags + outside, empty="No row was quarantined or flagged."),
            "model_card": table_block(kv, card, empty="No model card was provided for this run."),
            "intent_accuracy": table_block(kv, accuracy, empty="Not measured for this audit: no hand-labelled posts were checked."),
            "assumptions": list(BENCHMARK_NOTES) + [
                "Time zone: hours of the day and week are in " + ctx.client.tz + "."]}


def window_note(window: Mapping) -> str:
    """One sentence on the analysis window and the posts left outside it (data quality)."""
    span = f"{str(window.get('start'))[:10]} to {str(window.get('end'))[:10]} ({window.get('days')} days"
    how = {"explicit": "set by --since/--until", "detected": "stray dates left out", "data": "first to last post"}
    sources = sorted({how.get(str(window.get('start_source')), ''), how.get(str(window.get('end_source')), '')} - {''})
    n = int(window.get("excluded_posts") or 0)
    tail = (f"; {n:,} post(s) dated outside it are left out of the figures, kept in the row accounting and "
            f"listed in the audit's data files" if n else "")
    return f"The figures cover {span}, {', '.join(sources)}){tail}."
