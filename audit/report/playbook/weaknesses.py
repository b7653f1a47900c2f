"""The client's largest material weaknesses, for the first lines of the executive summary.

Why separate from the grade's gaps: a grade can be high while one figure would embarrass the
client in front of its customers (a 10-hour median at night for a desk that calls itself
around-the-clock, four replies in five copied from a template, hours of negative surges). Each
candidate has a bar it must pass to count as material; the ones furthest past their bar lead,
whatever the grade.
"""
from __future__ import annotations

from collections.abc import Mapping

from audit.report.format import duration as _dur
from audit.report.format import percent as _pct
from audit.report.playbook.context import Context, as_number, plural

NIGHT_MEDIAN_BAR_S = 4 * 3600     # a median at night past the 4-hour complaint standard
NIGHT_RATIO_BAR = 3.0             # ... or three times the daytime-inclusive median
CANNED_BAR = 0.30                 # three replies in ten copied from a template
ANSWERED_BAR = 0.80               # one customer conversation in five unanswered
P90_BAR_S = 8 * 3600              # one in ten waits longer than a working day
MAX_LEAD = 3


def _n(metrics: Mapping, metric: str) -> int | None:
    n = (metrics.get("interval_n", {}).get("overall") or {}).get(metric)
    return int(n) if n is not None else None


def candidates(ctx: Context) -> list[dict]:
    """Every material weakness with ``severity`` (how many times past its bar) and a sentence."""
    o, b, out = ctx.metrics.get("overall", {}), ctx.base, []
    night = as_number(o.get("night_first_response_median_min"))
    n_night = _n(ctx.metrics, "night_first_response_median_min")
    if night is not None and b.median_s and (n_night or 0) >= 5:
        night_s = night * 60.0
        severity = max(night_s / NIGHT_MEDIAN_BAR_S, night_s / b.median_s / NIGHT_RATIO_BAR)
        if severity >= 1:
            out.append({"key": "night_median", "severity": severity,
                        "text": f"At night (22:00-06:00) the median first reply takes {_dur(night_s)}, against "
                                f"{ctx.figures.text('first_response_median_min')} overall (n={n_night:,} night-time conversations)."})
    if b.canned_share is not None and b.canned_share >= CANNED_BAR:
        out.append({"key": "canned", "severity": b.canned_share / CANNED_BAR,
                    "text": f"{ctx.figures.text('canned_share')} of replies are copies of a template (n={b.replies:,} replies): "
                            "customers notice, and a copy rarely answers the question asked."})
    surge = ctx.evidence.get("surge") or {}
    if surge.get("hours_above"):
        out.append({"key": "surges", "severity": 1.0 + surge["hours_above"] / 10.0,
                    "text": f"{plural(surge['hours_above'], 'hour')} held a negative surge ({surge['threshold']}+ "
                            f"negative posts in one hour; the busiest had {surge['peak']}): each a possible incident "
                            "for the crisis tier's owner to check."})
    if b.response_rate is not None and b.response_rate < ANSWERED_BAR:
        out.append({"key": "unanswered", "severity": (1 - b.response_rate) / (1 - ANSWERED_BAR),
                    "text": f"{_pct(1 - b.response_rate)} of customer conversations got no reply "
                            f"(n={b.conversations:,})."})
    if b.p90_s is not None and b.p90_s >= P90_BAR_S:
        out.append({"key": "slow_tail", "severity": b.p90_s / P90_BAR_S,
                    "text": f"1 in 10 answered customers waited longer than {ctx.figures.text('first_response_p90_min')} for the first reply."})
    return sorted(out, key=lambda w: (-w["severity"], w["key"]))


def leading(ctx: Context) -> list[dict]:
    """The ``MAX_LEAD`` most severe material weaknesses (severity rounded for a stable JSON)."""
    return [{**w, "severity": round(w["severity"], 3)} for w in candidates(ctx)[:MAX_LEAD]]
