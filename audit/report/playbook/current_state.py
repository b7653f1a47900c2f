"""Section 2, where you are today: headline tiles, findings in sentences, and the client against
its own handles, channels and the peer brands in the same export.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from audit.metrics.intervals import overlap, wilson
from audit.report.format import interval as _interval
from audit.report.format import percent as _pct
from audit.report.playbook.assumptions import COMPLAINT_STANDARD_S, EXPECT_1H, EXPECT_SAME_DAY
from audit.report.playbook.context import Context, figure_value, interval_of, is_below, plural, span, table_block, tile
from audit.report.playbook.figures import COMPLAINT_CONVERSATIONS, Figure, count_of, figure_tile
from audit.report.playbook.fitness import unread_note
from audit.report.playbook.summary import hours_sentence, unanswered_tile

BRAND_COLUMNS = (("handle", "Handle", None), ("inbound_posts", "Customer posts", "number"),
                 ("response_rate", "Answered", "percent"),
                 ("first_response_median_min", "Median first reply", "minutes"),
                 ("first_response_within_1h", "Within 1 h", "percent"),
                 ("unanswered_negative_share", "Negative posts unanswered", "percent"),
                 ("private_redirect_share", "Moved to private", "percent"))


def _scope_rows(scopes: Mapping[str, Mapping], names: Iterable[str]) -> list[dict]:
    return [{"handle": name, **{k: scopes[name].get(k) for k, _, _ in BRAND_COLUMNS[1:]}}
            for name in names if name in scopes]


PEER_METRICS = ("response_rate", "first_response_median_min", "first_response_within_1h",
                "unanswered_negative_share", "sentiment_recovery_rate", "private_redirect_share")


def _title(definitions: Mapping, metric: str) -> str:
    """A metric's title without the unit tag the metrics registry adds ('... (min)')."""
    return re.sub(r"\s*\(min\)", "", str((definitions.get(metric) or {}).get("title", metric)))


#: how many handles a sentence names before it counts the rest ("@A, @B and 21 others")
NAMED_HANDLES = 6


def named(items: list[str], at_most: int = NAMED_HANDLES) -> str:
    """A list a reader can take in: the first few named, the rest counted (a 76-brand export
    would otherwise print every handle in the middle of a sentence)."""
    if len(items) <= at_most:
        return ", ".join(items)
    return f"{', '.join(items[:at_most])} and {len(items) - at_most} others"


def peer_comparison(peers: Mapping | None, definitions: Mapping, figures: Mapping[str, Figure] | None = None) -> dict:
    """The client against the other brands in the same export (``peers.from_metrics``); the
    client's own figures as the rest of the report quotes them (``figures``)."""
    columns = [("metric", "Metric", None), ("value", "You (95% interval)", "mixed"),
               ("peer_median", "Peer median", "mixed"), ("rank", "Rank", None)]
    unranked = named([f"@{p['handle']} ({plural(p['inbound_posts'], 'post')})"
                      for p in (peers or {}).get("excluded", [])])
    unranked_note = (f" Listed but not ranked, with fewer than {(peers or {}).get('min_inbound')} customer "
                     f"posts: {unranked}." if unranked else "")
    if not peers or not peers.get("available"):
        reason = (peers or {}).get("reason") or "no peer brands were compared"
        return {"note": f"No peer comparison: {reason}.{unranked_note}", "table": table_block(columns, [])}
    rows = []
    for metric in PEER_METRICS:
        r = (peers.get("metrics") or {}).get(metric)
        if not r or r.get("value") is None:
            continue
        fmt = "minutes" if (definitions.get(metric) or {}).get("unit") == "minutes" else "percent"
        own, interval = figure_value(r["value"], fmt), r.get("interval")
        if figures and metric in figures:   # in seconds where the metric is in minutes
            scale = 60.0 if fmt == "minutes" else 1.0
            own = figures[metric].cell()
            interval = interval and [None if x is None else x * scale for x in interval]
        rows.append({"metric": _title(definitions, metric),
                     "value": {**own, "interval": interval},
                     "peer_median": figure_value(r.get("peer_median"), fmt), "rank": _rank_text(r)})
    handles = named(["@" + p["handle"] for p in peers.get("peers", [])])
    return {"note": f"Ranked against the other brand accounts in the same export ({handles}); 1 = best. "
                    "Where your 95% interval overlaps a neighbour's the two are tied, and the rank is the "
                    f"range of places you could hold.{unranked_note}",
            "table": table_block(columns, rows)}


def _rank_text(r: Mapping) -> str:
    """'2 of 5', or '2-4 of 5 (tied with @B, @C)' when neighbours' intervals overlap."""
    if not r.get("rank"):
        return "–"
    best, worst = r.get("rank_range") or (r["rank"], r["rank"])
    if best == worst:
        return f"{best} of {r['n_ranked']}"
    tied = named(["@" + h for h in r.get("tied_with", [])], at_most=3)
    return f"{best}-{worst} of {r['n_ranked']} (tied{' with ' + tied if tied else ''})"


TREND_COLUMNS = (("month", "Month", None), ("inbound_posts", "Customer posts", "number"),
                 ("response_rate", "Answered", "percent"),
                 ("first_response_median_min", "Median first reply", "minutes"),
                 ("negative_share", "Negative posts", "percent"), ("note", "Note", None))


def monthly_table(trends: Mapping) -> dict:
    """The monthly series (``metrics.trends``) as a table; empty when under two months."""
    rows = [{**{k: m.get(k) for k, _, _ in TREND_COLUMNS[:-1]},
             "note": "; ".join(n for n, on in ((f"partial ({m['days']} days)", m["partial"]),
                                               ("few conversations", m["thin"])) if on)}
            for m in (trends.get("months") or [])] if trends.get("available") else []
    return table_block(TREND_COLUMNS, rows)


def _n_text(m: Mapping, metric: str) -> str:
    """'of 3 conversations': the evidence behind a share, so '100%' of 2 reads as what it is."""
    n = ((m.get("interval_n") or {}).get("overall") or {}).get(metric)
    return "no conversations" if not n else f"of {plural(n, 'conversation')}"


def build_current_state(ctx: Context, complaints: dict, mix: list[dict], peers: Mapping | None) -> dict:
    b, m, f = ctx.base, ctx.metrics, ctx.figures
    unanswered = None if b.response_rate is None else round(b.conversations * (1 - b.response_rate))
    iv = lambda metric, scale=1.0: interval_of(m, metric, scale=scale)
    tiles = [
        tile("Customer conversations", b.conversations, "number",
              f"{b.conversations / b.weeks:,.0f} a week" if b.can_project else f"in {span(b.days)}"),
        figure_tile("Conversations answered", f["response_rate"], alert=is_below(b.response_rate, 0.6),
                    interval=iv("response_rate")),
        figure_tile("Median first reply", f["first_response_median_min"], "benchmark: within 1 h",
                    alert=b.median_s is not None and b.median_s > COMPLAINT_STANDARD_S,
                    interval=iv("first_response_median_min", 60.0)),
        figure_tile("Answered within 1 h", f["first_response_within_1h"],
                    f"{EXPECT_1H:.0%} of complainers expect a reply within 1 h", interval=iv("first_response_within_1h")),
        unanswered_tile(complaints["unanswered_complaints"], COMPLAINT_CONVERSATIONS),
        figure_tile("Negative conversations recovered", f["sentiment_recovery_rate"], interval=iv("sentiment_recovery_rate")),
    ]
    findings = []
    if unanswered is not None:
        findings.append(f"{unanswered:,} of {plural(b.conversations, 'customer conversation')} "
                        f"({_pct(1 - b.response_rate)}) got no reply at all in {span(b.days)}.")
    if b.median_s is not None:
        findings.append(f"Half of the answered conversations waited longer than {f.text('first_response_median_min')} "
                        f"for the first reply, and 1 in 10 longer than {f.text('first_response_p90_min')}; "
                        f"{f.text('first_response_same_day')} were answered the same day "
                        f"({EXPECT_SAME_DAY:.0%} of complainers expect that).")
    if complaints["complaints"]:
        n_open = complaints["unanswered_complaints"]
        findings.append(f"{n_open:,} of {count_of(complaints['complaints'], COMPLAINT_CONVERSATIONS)} "
                        f"({_pct(n_open / complaints['complaints'])}) {'was' if n_open == 1 else 'were'} never answered.")
    hours = hours_sentence(ctx)
    if hours:
        findings.append(f"{hours} Night-time conversations are answered {f.text('night_response_rate')} of the time "
                        f"({_n_text(m, 'night_response_rate')}), weekend ones {f.text('weekend_response_rate')} "
                        f"({_n_text(m, 'weekend_response_rate')}).")
    by_group = {g["group"]: g for g in mix}
    before, after = by_group.get("Before any brand reply"), by_group.get("After a brand reply")
    if before and after:
        findings.append(reply_effect(before, after))
    if b.recovery is not None:
        findings.append(f"{f.text('sentiment_recovery_rate')} of answered conversations that opened negative ended "
                        "neutral or positive.")
    by_brand = _scope_rows(m.get("by_brand", {}), ctx.client.brands)
    channels = m.get("by_channel", {})
    by_channel = _scope_rows(channels, sorted(channels))
    for row in by_channel:
        row["handle"] = str(row["handle"]).capitalize()
    ctx.inputs["current_state"] = {
        "overall": {k: m.get("overall", {}).get(k) for k in (
            "customer_conversations", "inbound_posts", "brand_replies", "response_rate",
            "first_response_median_min", "first_response_p90_min", "first_response_within_1h",
            "first_response_within_4h", "first_response_same_day", "sentiment_recovery_rate",
            "hours_covered_1h", "night_response_rate", "weekend_response_rate")},
        "complaints": complaints, "sentiment_mix": mix,
        "peers": {k: (peers or {}).get(k) for k in ("available", "peers", "reason")}}
    unread = unread_note(ctx.client.inbound)
    lead = (f"{' and '.join(ctx.client.brands)} received {plural(b.inbound, 'customer post')} in "
            f"{plural(b.conversations, 'customer-opened conversation')} over {plural(b.days, 'day')}, and posted "
            f"{plural(b.replies, 'reply', 'replies')}.")
    return {
        "lead": lead, "tiles": tiles, "findings": findings,
        "peers": peer_comparison(peers, m.get("definitions", {}), f),
        "by_brand": table_block(BRAND_COLUMNS, by_brand), "by_channel": table_block(
            (("handle", "Channel", None),) + BRAND_COLUMNS[1:], by_channel),
        "trends": monthly_table(m.get("trends") or {}),
        "captions": {
            "monthly_trends": "Response rate and share of negative customer posts per month (local time), over the "
                              "monthly volume; * marks a month the export covers only in part.",
            "frt": "Share of customer-opened conversations by time to the first brand reply.",
            "heatmap_volume": f"Customer posts per hour in an average week ({ctx.client.tz}).",
            "heatmap_within_1h": "Share of conversations opened in each hour that got a first reply within 1 hour; "
                                 "grey: no conversations.",
            "sentiment_mix": "Sentiment of customer posts; before and after the brand's first reply in the "
                             "conversation." + unread,
            "sentiment_trend": "Weekly share of negative, neutral and positive customer posts, and the weekly "
                               "volume." + unread,
        },
    }


def reply_effect(before: Mapping, after: Mapping) -> str:
    """Negative share of customer posts before and after the brand's first reply, each with its
    95% interval and n. Fewer negative posts after a reply is stated only where the intervals
    separate, and as an association: customers who get a reply are not a random half."""
    def part(g: Mapping) -> str:
        iv = wilson(int(g["negative_posts"]), int(g["posts"]))
        return f"{_pct(g['negative'])} (95%: {_interval(iv, 'percent')}, n={g['posts']:,} posts)"
    ivs = [wilson(int(g["negative_posts"]), int(g["posts"])) for g in (before, after)]
    figures = f"{part(before)} of customer posts are negative before the brand's first reply, {part(after)} after it"
    if not overlap(*ivs) and after["negative"] < before["negative"]:
        return (f"Customers write less negatively once answered: {figures}. This is an association, not proof "
                "that the reply caused it.")
    if not overlap(*ivs):
        return f"Customers write more negatively after a reply than before it: {figures}."
    return f"No difference can be shown yet: {figures}; the intervals overlap."
