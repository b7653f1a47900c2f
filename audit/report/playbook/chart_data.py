"""What each chart draws, as plain data: ``audit.report.render`` draws it, and every chart stays
traceable to playbook.json.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from audit.report.playbook.context import Baseline, Client, Context

FRT_BUCKETS = ((15 * 60, "Within 15 min"), (3600, "15-60 min"), (4 * 3600, "1-4 h"),
               (24 * 3600, "4-24 h"), (math.inf, "Over 24 h"))


def frt_buckets(c: Client, b: Baseline) -> dict:
    """Share of customer-opened conversations by time to the first reply (last bucket: never).
    From the conversations when given (finer buckets), else from the metrics' nested shares."""
    conv = c.conversations
    if len(conv):
        answered = conv["answered"].fillna(False).astype(bool)
        seconds = conv["first_response_s"].astype(float).where(answered)
        edges = [-math.inf] + [e for e, _ in FRT_BUCKETS]
        counts = pd.cut(seconds.dropna(), edges, right=True).value_counts(sort=False).tolist()
        labels = [label for _, label in FRT_BUCKETS] + ["Never answered"]
        counts.append(int((~answered).sum()))
        return {"labels": labels, "shares": [round(n / len(conv), 4) for n in counts], "counts": counts}
    if b.response_rate is None or b.within_1h is None or b.within_4h is None:
        return {"labels": [], "shares": [], "counts": []}
    return {"labels": ["Within 1 h", "1-4 h", "Over 4 h", "Never answered"],
            "shares": [round(b.within_1h, 4), round(max(0.0, b.within_4h - b.within_1h), 4),
                       round(max(0.0, b.response_rate - b.within_4h), 4),
                       round(max(0.0, 1.0 - b.response_rate), 4)], "counts": []}


def _grid(values: Sequence[float | None], scale: float = 1.0) -> list[list[float | None]]:
    """168 hour-of-week values -> 7 rows (Mon..Sun) x 24 hours."""
    vals = [None if v is None else float(v) * scale for v in values]
    return [vals[d * 24:(d + 1) * 24] for d in range(7)] if len(vals) == 168 else []


def build_charts(ctx: Context, current_mix: list[dict], trend: dict, staff: dict) -> dict:
    """What to draw, as plain data (render draws it): every chart traceable to playbook.json."""
    series, g = ctx.metrics.get("series", {}), ctx.grade
    frt = frt_buckets(ctx.client, ctx.base)
    return {
        "dimension_scores": {"kind": "dimension_scores", "data": {
            "names": [d["label"] for d in g.dimensions],
            "scores": [d["score"] or 0.0 for d in g.dimensions],
            "targets": [d["target"] for d in g.dimensions], "maximum": 100.0,
            "title": "Maturity score by dimension (0-100)"}},
        "frt_distribution": {"kind": "frt_distribution", "data": {
            "labels": frt["labels"], "shares": frt["shares"], "title": "Time to first brand reply"}},
        "heatmap_volume": {"kind": "heatmap", "data": {
            "matrix": _grid(series.get("inbound_by_hour_of_week", []), 1 / ctx.base.weeks),
            "title": "When customers post", "value_label": "Posts per hour (average week)", "tz": ctx.client.tz}},
        "heatmap_within_1h": {"kind": "heatmap", "data": {
            "matrix": _grid(series.get("answered_within_1h_by_hour_of_week", [])),
            "title": "Share answered within 1 hour, by hour opened", "value_label": "Answered within 1 h",
            "kind": "share", "tz": ctx.client.tz}},
        "sentiment_mix": {"kind": "sentiment_mix", "data": {"groups": current_mix,
                                                            "title": "Sentiment of customer posts"}},
        "sentiment_trend": {"kind": "sentiment_trend", "data": {
            "periods": trend["periods"], "shares": trend["shares"], "volumes": trend["volumes"],
            "title": "Weekly sentiment of customer posts"}},
        "staffing": {"kind": "staffing", "data": {**staff["plan"], "title": "Agents per hour of the week"}},
        **trend_chart(ctx.metrics.get("trends") or {}),
    }


def trend_chart(trends: dict) -> dict:
    """The monthly series (``metrics.trends``), drawn only when the data spans two months or more."""
    if not trends.get("available"):
        return {}
    months = trends["months"]
    return {"monthly_trends": {"kind": "monthly_trends", "data": {
        "months": [m["month"] for m in months], "response_rate": [m["response_rate"] for m in months],
        "negative_share": [m["negative_share"] for m in months], "volumes": [m["inbound_posts"] for m in months],
        "partial": [m["partial"] for m in months], "title": "Month by month"}}}
