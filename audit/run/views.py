"""Tables and charts the notebooks show: small functions from a stage's result to a DataFrame
or an SVG, so the notebooks stay a parameters cell and a few calls.

DataFrames render escaped in Jupyter and in the nbconvert export, so customer text shown here
never runs as HTML. Figures are shown formatted (percentages, minutes and hours, thousands
separators) with their 95% interval where the metrics carry one; the exact values stay in the
run's JSON files.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from audit.common import runfolder
from audit.textmodel.labels import SENTIMENTS


def label(name: str) -> str:
    """``first_response_median_min`` -> ``First response median min``: snake_case for people."""
    return name.replace("_", " ").strip().capitalize()


def value(v: Any, unit: str | None) -> str:
    """One figure as an analyst reads it, by its metric unit (``definitions[...]["unit"]``)."""
    from audit.report import format as fmt
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return fmt.DASH
    if isinstance(v, str):
        return label(v) if unit in ("answer", None) else v
    if isinstance(v, bool) or unit == "flag":
        return "yes" if v else "no"
    formats = {"share": lambda x: fmt.percent(x, 1), "minutes": fmt.minutes,
               "count": fmt.number, "hours_of_week": lambda x: f"{fmt.number(x)} of 168",
               "posts_per_day": lambda x: fmt.number(x, 1)}
    return formats.get(unit, lambda x: fmt.number(x, 2) if isinstance(x, float) else fmt.number(x))(v)


def with_interval(v: Any, unit: str | None, interval: Sequence | None) -> str:
    """``89.9% (86.1–93.0%)``: the figure and its 95% interval when there is one."""
    text = value(v, unit)
    if not interval or v is None:
        return text
    low, high = interval
    return f"{text} ({value(low, unit)}–{value(high, unit) if high is not None else 'unbounded'})"


def _interval(metrics: dict[str, Any], scope: str, name: str, handle: str | None = None):
    """The metric's 95% interval, when the metrics carry intervals (``metrics["intervals"]``)."""
    table = (metrics.get("intervals") or {}).get(scope) or {}
    if handle is not None:
        table = table.get(handle) or {}
    return table.get(name)


def accounting(summary: dict[str, Any]) -> pd.DataFrame:
    """Row accounting: input rows = accepted + quarantined."""
    a = summary["accounting"]
    counts = [a["input_rows"], a["accepted"], a["quarantined"], summary["conversations"]]
    return pd.DataFrame({"rows": [value(n, "count") for n in counts]},
                        index=pd.Index(["Input rows", "Accepted", "Quarantined", "Conversations rebuilt"], name=""))


def quarantine_reasons(summary: dict[str, Any]) -> pd.DataFrame:
    from audit.reading.schema import Reason

    counts = {k: v for k, v in summary["accounting"]["by_reason"].items() if v}
    flags = {k: v for k, v in summary["accounting"]["flags"].items() if v}
    rows = [{"Kind": "quarantined", "Reason": label(k), "Rows": value(v, "count"), "Meaning": Reason(k).sentence}
            for k, v in sorted(counts.items())]
    rows += [{"Kind": "kept, flagged", "Reason": label(k), "Rows": value(v, "count"), "Meaning": ""}
             for k, v in sorted(flags.items())]
    return pd.DataFrame(rows, columns=["Kind", "Reason", "Rows", "Meaning"])


def conversation_overview(run_dir: str | Path) -> pd.DataFrame:
    """Per brand handle: conversations, share answered, median first response."""
    conv = pd.read_parquet(Path(run_dir) / runfolder.CONVERSATIONS)
    table = conv.groupby("brand").agg(
        conversations=("conversation_id", "size"),
        opened_by_customer=("opened_by_customer", "mean"),
        answered=("answered", "mean"),
        first_response=("first_response_s", lambda s: s.median() / 60),
        messages=("n_messages", "mean"),
    ).sort_values("conversations", ascending=False)
    units = {"conversations": "count", "opened_by_customer": "share", "answered": "share",
             "first_response": "minutes", "messages": "posts_per_day"}
    out = pd.DataFrame({col: [value(v, units[col]) for v in table[col]] for col in units}, index=table.index)
    out.columns = ["Conversations", "Opened by the customer", "Answered", "Median first response",
                   "Messages per conversation"]
    out.index.name = "Brand handle"
    return out


def scoring(summary: dict[str, Any]) -> pd.DataFrame:
    c = summary["cache"]
    rows = {"Model": summary["model"], "Engine": summary["engine"], "Texts": value(c["texts"], "count"),
            "Unique texts": value(c["unique_texts"], "count"), "Cache hits": value(c["hits"], "count"),
            "Scored now": value(c["misses"], "count"), "Cache hit rate": value(c["hit_rate"], "share")}
    return pd.DataFrame({"": list(rows.values())}, index=list(rows))



def sentiment_by_intent(run_dir: str | Path) -> pd.DataFrame:
    """Share of each sentiment per intent of customer posts (rows sum to 100%)."""

    messages, _ = runfolder.enriched(run_dir)
    customer = messages[messages["is_customer"]]
    table = pd.crosstab(customer["intent"], customer["sentiment"], normalize="index")
    out = pd.DataFrame({label(s): [value(v, "share") for v in table.get(s, pd.Series(0.0, index=table.index))]
                        for s in SENTIMENTS}, index=[label(i) for i in table.index])
    out["Posts"] = [value(n, "count") for n in customer["intent"].value_counts().reindex(table.index)]
    out.index.name = "Intent"
    return out


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
    """Key metrics: client overall beside each of the client's handles, with 95% intervals where
    the figures carry them."""
    handles = metrics["scope"]["client_handles"]
    rows = []
    for name in KEY_METRICS:
        d = metrics["definitions"][name]
        row = {"Metric": d["title"],
               "Client": with_interval(metrics["overall"].get(name), d["unit"], _interval(metrics, "overall", name))}
        row.update({h: with_interval(metrics["by_brand"].get(h, {}).get(name), d["unit"],
                                     _interval(metrics, "by_brand", name, h))
                    for h in handles if len(handles) > 1})
        rows.append(row)
    table = pd.DataFrame(rows).set_index("Metric")
    if metrics.get("intervals"):
        table.columns = [f"{c} (95% interval)" for c in table.columns]
    return table


def monthly_trends(metrics: dict[str, Any]):
    """Key figures per month (``metrics.trends``), formatted, or a note saying why there is no
    monthly series."""
    from html import escape

    from IPython.display import Markdown

    from audit.metrics.trends import SERIES

    trends = metrics.get("trends") or {}
    if not trends.get("available"):
        return Markdown(escape(f"No monthly trends: {trends.get('reason') or 'not computed in this run'}."))
    rows = []
    for m in trends["months"]:
        notes = [f"partial ({m['days']} days)" if m["partial"] else "", "thin" if m["thin"] else ""]
        rows.append({"Month": m["month"], **{title: value(m.get(key), unit) for key, (title, unit) in SERIES.items()},
                     "Note": ", ".join(n for n in notes if n)})
    return pd.DataFrame(rows).set_index("Month")


def heatmaps(metrics: dict[str, Any]) -> list[str]:
    """Inbound volume and share answered within 1 h, weekday x hour in the run's time zone (SVG)."""
    from audit.report import charts
    series = metrics["series"]
    tz = metrics["scope"].get("tz", "UTC")

    def grid(values: list) -> list[list]:
        return [values[d * 24:(d + 1) * 24] for d in range(7)]

    return [charts.heatmap(grid(series["inbound_by_hour_of_week"]), title="Customer posts by hour of the week",
                           value_label="posts", kind="count", tz=tz),
            charts.heatmap(grid(series["answered_within_1h_by_hour_of_week"]), title="Answered within 1 hour",
                           value_label="share", kind="share", tz=tz)]


def dimension_chart(grade: dict[str, Any]) -> str:
    from audit.report import charts
    dims = grade["dimensions"]
    return charts.dimension_scores([d["title"] for d in dims.values()], [d["score"] or 0 for d in dims.values()],
                                   maximum=100, title="Score by dimension (0-100)")


def _threshold(v: dict[str, Any], unit: str | None) -> str:
    status = v.get("status")  # pass / fail / uncertain (interval straddles or thin) / not_assessed
    mark = (" ?" if status == "uncertain" else " ✓" if v["passed"] else " ✗" if v["passed"] is False else "")
    return f"{value(v['threshold'], unit)}{' *' if v['required'] else ''}{mark}"


def criteria_table(grade: dict[str, Any]) -> pd.DataFrame:
    """Every criterion: measured value, thresholds per level in the rubric's order (* required,
    ✓ met, ✗ missed, ? uncertain on this evidence), status, evidence count."""
    levels = [(l["level"], l["title"]) for l in grade["levels"]]
    rows = []
    for dim in grade["dimensions"].values():
        for c in dim["criteria"].values():
            ev = c.get("evidence") or {}
            unit = c.get("unit")
            evidence = (f"{value(ev.get('numerator'), 'count')} of {value(ev.get('denominator'), 'count')}"
                        if ev.get("denominator") else label(str(ev.get("answer") or "")))
            rows.append({
                "Dimension": dim["title"], "Criterion": c["title"], "Value": value(c["value"], unit),
                "Status": label(c["status"]),
                **{title: _threshold(c["levels"][lvl], unit) if lvl in c["levels"] else "" for lvl, title in levels},
                "Evidence": evidence,
            })
    return pd.DataFrame(rows)


def _units(grade: dict[str, Any]) -> dict[str, str | None]:
    return {c["ref"]: c.get("unit") for d in grade["dimensions"].values() for c in d["criteria"].values() if "ref" in c}


def next_level(grade: dict[str, Any]) -> pd.DataFrame:
    nxt = grade["next_level"]
    if not nxt:
        return pd.DataFrame({"Note": [f"{grade['level_title']} is the top level: nothing further to reach."]})
    units = _units(grade)
    rows = [{"Needed for": label(nxt["level"]), "Required": "yes" if kind == "required" else "recommended",
             "Criterion": c["title"], "Now": value(c["value"], units.get(c.get("ref"))),
             "Target": value(c["target"], units.get(c.get("ref"))), "Status": label(c["status"]), "Source": c["source"]}
            for kind in ("required", "recommended") for c in nxt.get(kind, [])]
    return pd.DataFrame(rows)


def peers_table(peers: dict[str, Any], metrics: dict[str, Any] | None = None) -> pd.DataFrame:
    """The client against the other brands in the export (percentile 100 = best)."""
    if not peers.get("available"):
        return pd.DataFrame({"Note": [peers.get("reason") or "no peers in this export"]})
    definitions = (metrics or {}).get("definitions", {})
    rows = []
    for name in KEY_METRICS:
        if name not in peers["metrics"]:
            continue
        m, unit = peers["metrics"][name], definitions.get(name, {}).get("unit")
        rows.append({"Metric": definitions.get(name, {}).get("title", label(name)), "Client": value(m.get("value"), unit),
                     "Peer median": value(m.get("peer_median"), unit),
                     "Percentile": value(m.get("percentile"), "count"),
                     "Rank": f"{m.get('rank')} of {m.get('n_ranked')}" if m.get("rank") else ""})
    return pd.DataFrame(rows).set_index("Metric")


def example_posts(run_dir: str | Path, metrics: dict[str, Any], key: str = "unanswered_conversations") -> pd.DataFrame:
    """The example messages behind a metric (ids from ``metrics["examples"]``), with their text,
    timestamps in the run's time zone."""
    ids = metrics["examples"].get(key, [])
    messages = pd.read_parquet(Path(run_dir) / runfolder.MESSAGES, columns=["message_id", "created_at", "author", "brand", "text"])
    table = messages[messages["message_id"].isin(ids)].set_index("message_id").reindex(ids)
    tz = metrics["scope"].get("tz", "UTC")
    table["created_at"] = table["created_at"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M")
    table.columns = [f"Posted ({tz})", "Author", "Brand", "Text"]
    table.index.name = "Message id"
    table.attrs["description"] = metrics.get("example_definitions", {}).get(key, "")
    return table


def topics_table(topics: dict[str, Any] | None) -> pd.DataFrame:
    """What customers write about: one row per topic (complaints and questions first)."""
    from audit.report.format import duration

    rows = (topics or {}).get("topics") or []
    return pd.DataFrame([{
        "topic": t["label"], "posts": t["posts"], "complaints": f"{(t.get('complaint_share') or 0):.0%}",
        "negative": f"{(t.get('negative_share') or 0):.0%}",
        "answered": "-" if t.get("response_rate") is None else f"{t['response_rate']:.0%}",
        "median first reply": duration(t.get("first_response_median_s")), "route to": t["owner"],
        "keywords": ", ".join(t["keywords"]), "example (masked)": (t["examples"] or [""])[0][:160],
    } for t in rows])


def topics_chart(topics: dict[str, Any] | None) -> str:
    from audit.report import charts
    rows = (topics or {}).get("topics") or []
    return charts.topic_volumes([t["label"] for t in rows], [t["posts"] for t in rows],
                                [round((t.get("complaint_share") or 0) * t["posts"]) for t in rows])


def emerging_table(topics: dict[str, Any] | None) -> pd.DataFrame:
    """Emerging issues: spike episodes by the rule stated in ``topics['spike_rule']``."""
    return pd.DataFrame([{k: e[k] for k in ("label", "owner", "started", "weeks", "peak_posts",
                                            "baseline_posts_per_week", "ongoing")}
                         for e in (topics or {}).get("emerging", [])])


def reply_times(metrics: dict[str, Any]) -> pd.DataFrame:
    """Reply time counted each tool's way (``metrics.reply_time_definitions``), in minutes."""
    from audit.metrics.reply_time import ordered

    table = pd.DataFrame([{"definition": d["title"], "tools": d["tools"], "response rate": d["rate"], "n": d["n"],
                           "median": d["median"], "mean": d["mean"], "p90": d["p90"],
                           "Meta (fastest 90% mean)": d.get("meta_response_time")} for d in ordered(metrics.get("reply_time_definitions"))])
    return table.round(2)


def agent_scorecards(metrics: dict[str, Any]) -> pd.DataFrame:
    """Per agent and brand handle (``metrics.agents``): scored agents first, small ones pooled;
    the reason instead when no agent could be scored."""
    a = metrics.get("agents") or {}
    cards = a.get("scorecards") or []
    columns = ["brand", "agent", "scored", "replies", "conversations", "median_reply_min", "recovery_rate",
               "recovery_rate_low", "recovery_rate_high", "personalised_share", "private_share"]
    if not a.get("available"):
        return pd.DataFrame({"agents": [a.get("reason") or "No agents."]})
    return pd.DataFrame([{k: c.get(k) for k in columns} for c in cards], columns=columns).round(3)
