"""The metric registry: every metric by name, each definition beside its calculation, and
``compute_all``, which runs them all for the client's handles overall, per handle and per channel.

Why one registry: the report prints the definitions, the rubric cites the names and the grade
reads the values; all three look a metric up here, so a name means one calculation and one text.
The entries themselves live by family (``volume_metrics``, ``response_metrics``,
``coverage_metrics``, ``recovery_metrics``, ``reply_metrics``); their order here is the order
of the registry.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from audit.common.errors import AuditInputError
from audit.metrics import agents, reply_time
from audit.metrics import business_hours as BH
from audit.metrics.coverage_metrics import COVERAGE
from audit.metrics.examples import EXAMPLES
from audit.metrics.intervals import CONFIDENCE
from audit.metrics.jsonable import jsonable
from audit.metrics.metric import INTERVAL_UNITS, UNITS, Measure, Metric
from audit.metrics.prepare import prepare
from audit.metrics.recovery_metrics import RECOVERY
from audit.metrics.reply_metrics import REPLY
from audit.metrics.response_metrics import RESPONSE
from audit.metrics.scope import Scope, brand_handles, scope, service_handles
from audit.metrics.series import series
from audit.metrics.trends import monthly as monthly_trends
from audit.metrics.volume_metrics import VOLUME

METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.name in METRICS:
        raise ValueError(f"metric {metric.name!r} registered twice")
    if metric.unit not in UNITS:
        raise ValueError(f"metric {metric.name!r}: unknown unit {metric.unit!r}")
    METRICS[metric.name] = metric
    return metric


for _metric in (*VOLUME, *RESPONSE, *COVERAGE, *RECOVERY, *REPLY):
    register(_metric)


def metric_names() -> list[str]:
    return sorted(METRICS)


def get_metric(name: str) -> Metric:
    """Look a metric up by name; an unknown name is a user error that lists the valid ones."""
    try:
        return METRICS[name]
    except KeyError:
        raise AuditInputError(
            f"Unknown metric {name!r}. Valid metric names: {', '.join(metric_names())}.") from None


def compute_scope(s: Scope) -> dict[str, Measure]:
    return {name: metric.compute(s) for name, metric in METRICS.items()}


def definitions() -> dict[str, dict[str, object]]:
    return {m.name: {"title": m.title, "definition": m.definition, "unit": m.unit,
                     "higher_is_better": m.higher_is_better, "group": m.group, "example": m.example}
            for m in METRICS.values()}


def _values(measures: Mapping[str, Measure]) -> dict[str, object]:
    return {name: m.value for name, m in measures.items()}


def _intervals(measures: Mapping[str, Measure]) -> dict[str, object]:
    """``[low, high]`` of every estimate (shares, times); counts have none and are left out."""
    return {name: None if m.interval is None else list(m.interval)
            for name, m in measures.items() if METRICS[name].unit in INTERVAL_UNITS}


def _interval_n(measures: Mapping[str, Measure]) -> dict[str, object]:
    return {name: m.denominator for name, m in measures.items() if METRICS[name].unit in INTERVAL_UNITS}


def compute_all(messages: pd.DataFrame, conversations: pd.DataFrame, brands: Iterable[str], *,
                service_handles_config: Iterable[str] = (), tz: str = "UTC",
                business_hours: BH.BusinessHours | None = None, days: pd.DatetimeIndex | None = None) -> dict:
    """Every registered metric for the client's handles overall, per handle and per channel.

    ``brands`` are the client's handles; every other brand handle in the data still gets a
    ``by_brand`` entry so :mod:`audit.metrics.peers` can rank the client against it.
    """
    client = [b.lstrip("@") for b in brands]
    if not client:
        raise AuditInputError("No client brand handles given; list the client's handles (e.g. Acme, AcmeHelp).")
    prep = prepare(messages, conversations, tz, business_hours, days)
    known = brand_handles(prep)
    present = [h for h in client if h.casefold() in known]
    if not present:
        raise AuditInputError(
            f"None of the client handles {', '.join(client)} appears as a brand in the data. Brand "
            f"handles found: {', '.join(sorted(known.values())) or '(none)'}. Fix the brand list.")
    service = service_handles(known.values(), service_handles_config)
    client_scope = scope(prep, client, service)
    overall = compute_scope(client_scope)
    channels = sorted(set(client_scope.inbound["channel"].dropna()) | set(client_scope.replies["channel"].dropna()))
    brands_ = {spelling: compute_scope(scope(prep, [spelling], service)) for spelling in known.values()}
    by_channel = {ch: compute_scope(scope(prep, client, service, ch)) for ch in channels}
    return jsonable({
        "definitions": definitions(),
        "overall": _values(overall),
        "counts": {name: {"numerator": m.numerator, "denominator": m.denominator}
                   for name, m in overall.items() if m.denominator is not None},
        "by_brand": {h: _values(m) for h, m in brands_.items()},
        "by_channel": {ch: _values(m) for ch, m in by_channel.items()},
        "interval_confidence": CONFIDENCE,
        "intervals": {"overall": _intervals(overall),
                      "by_brand": {h: _intervals(m) for h, m in brands_.items()},
                      "by_channel": {ch: _intervals(m) for ch, m in by_channel.items()}},
        "interval_n": {"overall": _interval_n(overall),
                       "by_brand": {h: _interval_n(m) for h, m in brands_.items()},
                       "by_channel": {ch: _interval_n(m) for ch, m in by_channel.items()}},
        "series": series(client_scope, prep),
        "trends": monthly_trends(client_scope.convs, client_scope.inbound, tz, prep.days),
        "examples": {key: pick(client_scope) for key, (_, pick) in EXAMPLES.items()},
        "example_definitions": {key: text for key, (text, _) in EXAMPLES.items()},
        "reply_time_definitions": reply_time.compare(prep.messages, client_scope.convs, client, prep.hours),
        "agents": agents.summary(prep.messages, client_scope.convs, client),
        "scope": {
            "client_handles": client,
            "missing_client_handles": [h for h in client if h.casefold() not in known],
            "service_handles": service,
            "peer_handles": sorted(v for k, v in known.items() if k not in client_scope.handles),
            "channels": channels,
            "tz": tz,
            "business_hours": {**prep.hours.describe(), "holidays_in_period": [
                d.isoformat() for d in prep.hours.holidays_between(prep.days.min(), prep.days.max())]
                if len(prep.days) else []},
            "period": {"start": prep.days.min().strftime("%Y-%m-%d") if len(prep.days) else None,
                       "end": prep.days.max().strftime("%Y-%m-%d") if len(prep.days) else None,
                       "days": len(prep.days)},
        },
    })
