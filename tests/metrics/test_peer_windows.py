"""Peers keep their own periods for the peer table (audit.metrics.peer_windows): a peer posting
over 60 days is not measured over the client's 7, nor the client over the peer's 60."""
from __future__ import annotations

import pandas as pd

from audit.conversations import window
from audit.metrics import peer_windows, registry
from tests.helpers.frames import build, conversation

START = pd.Timestamp("2024-01-01 10:00", tz="UTC")


def _export() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for d in range(0, 60, 2):      # the peer: 30 conversations over 59 days
        rows += conversation(f"p{d}", "PeerHelp", f"u{d}", START + pd.Timedelta(days=d),
                             [(0, f"u{d}", "hello"), (5, "PeerHelp", "hi")])
    for d in range(20, 27):        # the client: 14 conversations over 7 days
        for k in range(2):
            rows += conversation(f"a{d}{k}", "AcmeHelp", f"v{d}{k}", START + pd.Timedelta(days=d, hours=k),
                                 [(0, f"v{d}{k}", "help"), (30, "AcmeHelp", "on it")])
    return build(rows)


def test_client_rates_use_its_period_and_peers_use_theirs():
    m, c = _export()
    span = window.of_handles(m, ["AcmeHelp"])
    cm, cc = span.select(m, c)
    figures = registry.compute_all(cm, cc, ["AcmeHelp"], days=span.days())
    assert figures["scope"]["period"]["days"] == 7
    assert figures["overall"]["inbound_per_day"] == 2.0                 # 14 posts / 7 days, not 14 / 59
    assert figures["by_brand"]["PeerHelp"]["customer_conversations"] == 4  # peer inside the client's week only
    own = peer_windows.own_windows(m, c, ["AcmeHelp"])
    merged = peer_windows.merge(figures, own)
    assert merged["by_brand"]["PeerHelp"]["customer_conversations"] == 30
    assert abs(merged["by_brand"]["PeerHelp"]["inbound_per_day"] - 30 / 59) < 1e-9
    assert merged["scope"]["peer_windows"]["PeerHelp"]["days"] == 59
    assert merged["by_brand"]["AcmeHelp"]["customer_conversations"] == 14


def test_a_peer_active_only_outside_the_clients_period_is_still_ranked_on_its_own():
    m, c = _export()
    late = m["brand"].eq("PeerHelp") & (m["created_at"] < START + pd.Timedelta(days=30))
    m, c = m.loc[~late], c.loc[c["conversation_id"].isin(m.loc[~late, "conversation_id"])]
    own = peer_windows.own_windows(m, c, ["acmehelp"])
    assert list(own["by_brand"]) == ["PeerHelp"] and own["by_brand"]["PeerHelp"]["customer_conversations"] == 15
