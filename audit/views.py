"""Tables and charts the notebooks show: small functions from a stage's result to a DataFrame
or an SVG, so the notebooks stay a parameters cell and a few calls.

DataFrames render escaped in Jupyter and in the nbconvert export, so customer text shown here
never runs as HTML.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from audit import files


def accounting(summary: dict[str, Any]) -> pd.DataFrame:
    """Row accounting: input rows = accepted + quarantined."""
    a = summary["accounting"]
    return pd.DataFrame(
        {"rows": [a["input_rows"], a["accepted"], a["quarantined"], summary["conversations"]]},
        index=["input rows", "accepted", "quarantined", "conversations rebuilt"],
    )


def quarantine_reasons(summary: dict[str, Any]) -> pd.DataFrame:
    from audit.schema import Reason

    counts = {k: v for k, v in summary["accounting"]["by_reason"].items() if v}
    flags = {k: v for k, v in summary["accounting"]["flags"].items() if v}
    rows = [{"kind": "quarantined", "reason": k, "rows": v, "meaning": Reason(k).sentence} for k, v in sorted(counts.items())]
    rows += [{"kind": "kept, flagged", "reason": k, "rows": v, "meaning": ""} for k, v in sorted(flags.items())]
    return pd.DataFrame(rows, columns=["kind", "reason", "rows", "meaning"])


def conversation_overview(run_dir: str | Path) -> pd.DataFrame:
    """Per brand handle: conversations, share answered, median first response (minutes)."""
    conv = pd.read_parquet(Path(run_dir) / files.CONVERSATIONS)
    table = conv.groupby("brand").agg(
        conversations=("conversation_id", "size"),
        opened_by_customer=("opened_by_customer", "mean"),
        answered=("answered", "mean"),
        median_first_response_min=("first_response_s", lambda s: s.median() / 60),
        mean_messages=("n_messages", "mean"),
    )
    return table.round(2).sort_values("conversations", ascending=False)


def scoring(summary: dict[str, Any]) -> pd.DataFrame:
    c = summary["cache"]
    return pd.DataFrame({"value": [summary["model"], summary["engine"], c["texts"], c["unique_texts"], c["hits"], c["misses"],
                                   f"{c['hit_rate']:.0%}"]},
                        index=["model", "engine", "texts", "unique texts", "cache hits", "scored now", "cache hit rate"])


def sentiment_by_intent(run_dir: str | Path) -> pd.DataFrame:
    """Share of each sentiment per intent of customer posts (rows sum to 1)."""
    from audit.stages import enriched

    messages, _ = enriched(run_dir)
    customer = messages[messages["is_customer"]]
    table = pd.crosstab(customer["intent"], customer["sentiment"], normalize="index").round(3)
    table["posts"] = customer["intent"].value_counts()
    return table


def level_banner(grade: dict[str, Any]):
    """The grade in one line, as Markdown (shown at the top of the analysis notebook)."""
    from html import escape

    from IPython.display import Markdown

    confirmed = ", ".join(l["title"] for l in grade["levels"] if l["status"] == "not_confirmed")
    extra = f" — not confirmed (no evidence): {confirmed}" if confirmed else ""
    return Markdown(escape(f"Maturity: {grade['level_title']} (score {grade['score']:.0f}/100){extra}") + "\n\n"
                    + escape(grade["summary"]))


KEY_METRICS = ("customer_conversations", "response_rate", "first_response_median_min", "first_response_p90_min",
               "first_response_within_1h", "first_response_same_day", "negative_first_response_within_4h",
               "hours_covered_share", "unanswered_negative", "sentiment_recovery_rate", "compliments_answered_rate",
               "private_redirect_share", "service_handle_reply_share", "signoff_share", "canned_share",
               "follow_up_rate", "escalation_share")


def metrics_table(metrics: dict[str, Any]) -> pd.DataFrame:
    """Key metrics: client overall beside each of the client's handles."""
    handles = metrics["scope"]["client_handles"]
    rows = []
    for name in KEY_METRICS:
        d = metrics["definitions"][name]
        row = {"metric": d["title"], "unit": d["unit"], "client": metrics["overall"].get(name)}
        row.update({h: metrics["by_brand"].get(h, {}).get(name) for h in handles if len(handles) > 1})
        rows.append(row)
    return pd.DataFrame(rows).set_index("metric")


def monthly_trends(metrics: dict[str, Any]) -> pd.DataFrame | str:
    """Key figures per month (``metrics.trends``), or why there is no monthly series."""
    from audit.trends import table

    trends = metrics.get("trends") or {}
    if not trends.get("available"):
        return f"No monthly trends: {trends.get('reason') or 'not computed in this run'}."
    return table(trends).set_index("month")


def heatmaps(metrics: dict[str, Any]) -> list[str]:
    """Inbound volume and share answered within 1 h, weekday x hour (SVG)."""
    from audit import charts

    series = metrics["series"]

    def grid(values: list) -> list[list]:
        return [values[d * 24:(d + 1) * 24] for d in range(7)]

    return [charts.heatmap(grid(series["inbound_by_hour_of_week"]), title="Customer posts by hour of the week",
                           value_label="posts", kind="count"),
            charts.heatmap(grid(series["answered_within_1h_by_hour_of_week"]), title="Answered within 1 hour",
                           value_label="share", kind="share")]


def dimension_chart(grade: dict[str, Any]) -> str:
    from audit import charts

    dims = grade["dimensions"]
    return charts.dimension_scores([d["title"] for d in dims.values()], [d["score"] or 0 for d in dims.values()],
                                   maximum=100, title="Score by dimension (0-100)")


def criteria_table(grade: dict[str, Any]) -> pd.DataFrame:
    """Every criterion: measured value, thresholds per level, pass/fail, evidence count."""
    rows = []
    for dim in grade["dimensions"].values():
        for c in dim["criteria"].values():
            ev = c.get("evidence") or {}
            rows.append({
                "dimension": dim["title"], "criterion": c["title"], "value": c["value"], "status": c["status"],
                **{f"{lvl} (threshold)": (f"{v['threshold']}{' *' if v['required'] else ''}" + (" ✓" if v["passed"] else " ✗" if v["passed"] is False else ""))
                   for lvl, v in c["levels"].items()},
                "evidence": f"{ev.get('numerator')}/{ev.get('denominator')}" if ev.get("denominator") else ev.get("answer", ""),
            })
    return pd.DataFrame(rows).fillna("")


def next_level(grade: dict[str, Any]) -> pd.DataFrame:
    nxt = grade["next_level"]
    if not nxt:
        return pd.DataFrame({"note": [f"{grade['level_title']} is the top level: nothing further to reach."]})
    rows = [{"needed for": nxt["level"], "required": kind == "required", "criterion": c["title"], "now": c["value"],
             "target": c["target"], "status": c["status"], "source": c["source"]}
            for kind in ("required", "recommended") for c in nxt.get(kind, [])]
    return pd.DataFrame(rows)


def peers_table(peers: dict[str, Any]) -> pd.DataFrame:
    if not peers.get("available"):
        return pd.DataFrame({"note": [peers.get("reason") or "no peers in this export"]})
    rows = [{"metric": name, "client": m.get("value"), "peer median": m.get("peer_median"), "percentile": m.get("percentile"),
             "rank": f"{m.get('rank')}/{m.get('n_ranked')}" if m.get("rank") else ""}
            for name, m in sorted(peers["metrics"].items()) if name in KEY_METRICS]
    return pd.DataFrame(rows).set_index("metric")


def example_posts(run_dir: str | Path, metrics: dict[str, Any], key: str = "unanswered_conversations") -> pd.DataFrame:
    """The example messages behind a metric (ids from ``metrics["examples"]``), with their text."""
    ids = metrics["examples"].get(key, [])
    messages = pd.read_parquet(Path(run_dir) / files.MESSAGES, columns=["message_id", "created_at", "author", "brand", "text"])
    table = messages[messages["message_id"].isin(ids)].set_index("message_id").reindex(ids)
    table.attrs["description"] = metrics.get("example_definitions", {}).get(key, "")
    return table
