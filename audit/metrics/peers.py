"""Rank the client against the other brands in the same export, metric by metric.

Exports scraped from a platform often hold competitors' handles too; a percentile among them says
more to a client than an absolute figure. Every brand handle not in the client's list is a peer,
provided it has enough inbound posts for its rates to mean something; the others are listed but
not ranked. A rank is only as exact as the figures behind it: where the 95% intervals of the
client and a peer overlap the two are "tied", and the rank is given as the range of places the
client could hold (better than the peers it beats with confidence, behind those that beat it).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from audit.metrics.intervals import overlap
from audit.metrics.jsonable import jsonable
from audit.metrics.registry import compute_all

MIN_INBOUND = 30


def _sure_order(a: list | None, b: list | None, higher: bool) -> bool:
    """Whether figure ``a`` is better than ``b`` with confidence: their intervals do not overlap."""
    if a is None or b is None or overlap(a, b):
        return False
    low = lambda iv: -math.inf if iv[0] is None else iv[0]
    high = lambda iv: math.inf if iv[1] is None else iv[1]
    return low(a) > high(b) if higher else high(a) < low(b)


def _ties(name: str, higher: bool, mine: list | None, peer_ivs: Mapping[str, Mapping]) -> dict:
    """Peers tied with the client (overlapping intervals) and the range of ranks it could hold."""
    ivs = {h: (iv or {}).get(name) for h, iv in peer_ivs.items()}
    if mine is None:
        return {"tied_with": [], "ahead_sure": None, "behind_sure": None}
    return {"tied_with": sorted(h for h, iv in ivs.items() if iv is not None and overlap(mine, iv)),
            "ahead_sure": sum(_sure_order(iv, mine, higher) for iv in ivs.values()),
            "behind_sure": sum(_sure_order(mine, iv, higher) for iv in ivs.values())}


def rank(client: Mapping[str, object], peers: Mapping[str, Mapping[str, object]],
         definitions: Mapping[str, Mapping[str, object]], intervals: Mapping | None = None) -> dict[str, dict]:
    """Per metric: client value, peer median, percentile and rank (1 = best) among the peers.

    Percentile = share of peers the client does better than (ties count half), in 0..100, where
    "better" follows the metric's ``higher_is_better``; for volume metrics (None) it is simply
    "higher". Peers without a value for a metric are left out of that metric's ranking.
    With ``intervals`` (``metrics["intervals"]``), each estimated metric also gets ``tied_with``
    (peers whose interval overlaps the client's), ``rank_range`` [best, worst] and ``tied``.
    """
    intervals = intervals or {}
    mine_iv = intervals.get("overall") or {}
    peer_ivs = {h: (intervals.get("by_brand") or {}).get(h) or {} for h in peers}
    names = list(definitions)
    table = pd.DataFrame.from_dict({h: {n: v.get(n) for n in names} for h, v in peers.items()},
                                   orient="index", columns=names).astype("float64")
    mine = pd.Series({n: client.get(n) for n in names}, dtype="float64")
    sign = pd.Series({n: -1.0 if definitions[n].get("higher_is_better") is False else 1.0 for n in names})
    signed, target = table * sign, mine * sign
    n_peers = table.notna().sum()
    beaten = signed.lt(target).sum()
    ties = signed.eq(target).sum()
    ahead = signed.gt(target).sum()
    percentile = (100 * (beaten + 0.5 * ties) / n_peers).where((n_peers > 0) & mine.notna())
    out = {n: {
        "value": client.get(n),
        "higher_is_better": definitions[n].get("higher_is_better"),
        "n_peers": int(n_peers[n]),
        "peer_median": table[n].median(),
        "percentile": percentile[n],
        "rank": int(ahead[n]) + 1 if pd.notna(mine[n]) else None,
        "n_ranked": int(n_peers[n]) + 1 if pd.notna(mine[n]) else int(n_peers[n]),
        "peer_values": {h: v.get(n) for h, v in peers.items() if v.get(n) is not None},
    } for n in names}
    for n, row in out.items():
        if row["rank"] is None or n not in mine_iv:
            continue
        higher = definitions[n].get("higher_is_better") is not False
        ranked = {h: iv for h, iv in peer_ivs.items() if h in row["peer_values"]}
        t = _ties(n, higher, mine_iv.get(n), ranked)
        best = 1 + (t["ahead_sure"] or 0)
        worst = row["n_ranked"] - (t["behind_sure"] or 0) if mine_iv.get(n) is not None else row["n_ranked"]
        row.update(interval=mine_iv.get(n), tied_with=t["tied_with"], rank_range=[best, max(best, worst)],
                   tied=worst > best)
    return out


def from_metrics(metrics: Mapping, min_inbound: int = MIN_INBOUND) -> dict:
    """Peer comparison from a ``metrics.compute_all`` result (its ``by_brand`` and ``overall``)."""
    client = list(metrics["scope"]["client_handles"])
    keys = {h.casefold() for h in client}
    others = {h: v for h, v in metrics["by_brand"].items() if h.casefold() not in keys}
    volume = {h: int(v.get("inbound_posts") or 0) for h, v in others.items()}
    eligible = {h: others[h] for h in sorted(others) if volume[h] >= min_inbound}
    mine = int(metrics["overall"].get("inbound_posts") or 0)
    client_ranked = mine >= min_inbound
    out: dict = {
        "client_handles": client,
        "min_inbound": min_inbound,
        "peers": [{"handle": h, "inbound_posts": volume[h]} for h in eligible],
        "excluded": [{"handle": h, "inbound_posts": volume[h],
                      "reason": f"fewer than {min_inbound} inbound posts"}
                     for h in sorted(others) if h not in eligible],
        "available": bool(eligible) and client_ranked,
        "client_inbound_posts": mine,
        "reason": (None if eligible and client_ranked else
                   f"no other brand handle in the data has at least {min_inbound} inbound posts" if client_ranked
                   else f"the client's handles have {mine} inbound posts, fewer than the {min_inbound} "
                        "a rank needs"),
        "metrics": (rank(metrics["overall"], eligible, metrics["definitions"], metrics.get("intervals"))
                    if eligible and client_ranked else {}),
    }
    return jsonable(out)


def compare(messages: pd.DataFrame, conversations: pd.DataFrame, brands: Iterable[str], *,
            min_inbound: int = MIN_INBOUND, service_handles_config: Iterable[str] = (),
            tz: str = "UTC") -> dict:
    """Compute the metrics and rank the client's handles against every other brand handle."""
    figures = compute_all(messages, conversations, brands, service_handles_config=service_handles_config, tz=tz)
    return from_metrics(figures, min_inbound)
