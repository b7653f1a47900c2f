"""Rank the client against the other brands in the same export, metric by metric.

Exports scraped from a platform often hold competitors' handles too; a percentile among them says
more to a client than an absolute figure. Every brand handle not in the client's list is a peer,
provided it has enough inbound posts for its rates to mean something.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from audit.metrics import compute_all, jsonable

MIN_INBOUND = 30


def rank(client: Mapping[str, object], peers: Mapping[str, Mapping[str, object]],
         definitions: Mapping[str, Mapping[str, object]]) -> dict[str, dict]:
    """Per metric: client value, peer median, percentile and rank (1 = best) among the peers.

    Percentile = share of peers the client does better than (ties count half), in 0..100, where
    "better" follows the metric's ``higher_is_better``; for volume metrics (None) it is simply
    "higher". Peers without a value for a metric are left out of that metric's ranking.
    """
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
    return {n: {
        "value": client.get(n),
        "higher_is_better": definitions[n].get("higher_is_better"),
        "n_peers": int(n_peers[n]),
        "peer_median": table[n].median(),
        "percentile": percentile[n],
        "rank": int(ahead[n]) + 1 if pd.notna(mine[n]) else None,
        "n_ranked": int(n_peers[n]) + 1 if pd.notna(mine[n]) else int(n_peers[n]),
        "peer_values": {h: v.get(n) for h, v in peers.items() if v.get(n) is not None},
    } for n in names}


def from_metrics(metrics: Mapping, min_inbound: int = MIN_INBOUND) -> dict:
    """Peer comparison from a ``metrics.compute_all`` result (its ``by_brand`` and ``overall``)."""
    client = list(metrics["scope"]["client_handles"])
    keys = {h.casefold() for h in client}
    others = {h: v for h, v in metrics["by_brand"].items() if h.casefold() not in keys}
    volume = {h: int(v.get("inbound_posts") or 0) for h, v in others.items()}
    eligible = {h: others[h] for h in sorted(others) if volume[h] >= min_inbound}
    out: dict = {
        "client_handles": client,
        "min_inbound": min_inbound,
        "peers": [{"handle": h, "inbound_posts": volume[h]} for h in eligible],
        "excluded": [{"handle": h, "inbound_posts": volume[h],
                      "reason": f"fewer than {min_inbound} inbound posts"}
                     for h in sorted(others) if h not in eligible],
        "available": bool(eligible),
        "reason": None if eligible else (
            f"no other brand handle in the data has at least {min_inbound} inbound posts"),
        "metrics": rank(metrics["overall"], eligible, metrics["definitions"]) if eligible else {},
    }
    return jsonable(out)


def compare(messages: pd.DataFrame, conversations: pd.DataFrame, brands: Iterable[str], *,
            min_inbound: int = MIN_INBOUND, service_handles_config: Iterable[str] = (),
            tz: str = "UTC") -> dict:
    """Compute the metrics and rank the client's handles against every other brand handle."""
    figures = compute_all(messages, conversations, brands, service_handles_config=service_handles_config, tz=tz)
    return from_metrics(figures, min_inbound)
