"""Peers measured over their own periods, for the peer table only.

Why: the client's figures cover the client's period (``audit.conversations.window.of_handles``).
A peer in the same export may post over other weeks; measuring it over the client's weeks would
drop most of its conversations, and over the export's span would dilute its per-day rates. So
each peer gets its own window, found by the same rule, and only its ``by_brand`` entries (values,
intervals, interval n) are replaced; nothing else in the report reads them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import pandas as pd

from audit.common.handles import handle_key
from audit.conversations import window
from audit.metrics import business_hours as BH
from audit.metrics.prepare import prepare
from audit.metrics.registry import _interval_n, _intervals, _values, compute_scope
from audit.metrics.scope import brand_handles, scope, service_handles


def own_windows(messages: pd.DataFrame, conversations: pd.DataFrame, client: Iterable[str], *,
                tz: str = "UTC", business_hours: BH.BusinessHours | None = None,
                since: object = None, until: object = None,
                service_handles_config: Iterable[str] = ()) -> dict[str, dict]:
    """``by_brand``, ``intervals.by_brand``, ``interval_n.by_brand`` and ``windows`` (start, end,
    days) of every brand handle of the whole export but the ``client``'s, each over its own
    window (a peer active only outside the client's period is still a peer)."""
    out: dict[str, dict] = {"by_brand": {}, "intervals": {}, "interval_n": {}, "windows": {}}
    prep = prepare(messages, conversations, tz, business_hours)
    mine = {handle_key(h) for h in client}
    peers = [h for k, h in brand_handles(prep).items() if k not in mine]
    service = service_handles(peers, service_handles_config)
    for handle in peers:
        span = window.of_handles(messages, [handle], since=since, until=until, tz=tz)
        m, c = span.select(prep.messages, prep.conversations)
        measures = compute_scope(scope(replace(prep, messages=m, conversations=c, days=span.days(tz)),
                                       [handle], service))
        out["by_brand"][handle] = _values(measures)
        out["intervals"][handle] = _intervals(measures)
        out["interval_n"][handle] = _interval_n(measures)
        out["windows"][handle] = {k: v for k, v in span.to_dict(tz).items() if k in ("start", "end", "days")}
    return out


def merge(figures: dict, peers: Mapping[str, dict]) -> dict:
    """``figures`` (``compute_all`` on the client's window) with each peer's own-window entries."""
    for handle, values in peers["by_brand"].items():
        figures["by_brand"][handle] = values
        figures["intervals"]["by_brand"][handle] = peers["intervals"][handle]
        figures["interval_n"]["by_brand"][handle] = peers["interval_n"][handle]
    figures["scope"]["peer_windows"] = dict(peers["windows"])
    figures["scope"]["peer_handles"] = sorted(peers["by_brand"])
    return figures
