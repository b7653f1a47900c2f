"""End to end (stand-in scores): a client with one week of conversations in a two-month export
with a peer is measured over its own week on every page and in audit.json; the peer over its own
two months in the peer table; and audit.json carries the fitness gate."""
from __future__ import annotations

import pandas as pd

from tests.helpers.runfolders import export, make_run


def test_the_clients_week_not_the_exports_two_months(tmp_path):
    client = export(21, answered=0.9, negative=0.2, start="2017-11-06", days=7, seed=1)
    peer = export(0, answered=1.0, negative=0.0, start="2017-10-02", days=60, seed=2, peer=60)
    audit = make_run(tmp_path / "run", pd.concat([client, peer], ignore_index=True))
    scope = audit["metrics"]["scope"]
    assert scope["window"]["days"] == scope["period"]["days"] == audit["playbook"]["meta"]["period"]["days"]
    assert scope["period"]["days"] <= 7                                   # not ~60
    assert audit["metrics"]["overall"]["inbound_per_day"] == 21 / scope["period"]["days"]
    assert scope["peer_windows"]["OtherCo"]["days"] >= 55
    assert audit["metrics"]["by_brand"]["OtherCo"]["customer_conversations"] == 60
    checks = {c["check"]: c for c in audit["fitness"]["checks"]}
    assert set(checks) == {"period_length", "concentration", "gaps", "selection_answered",
                           "selection_ends_with_brand", "extract_signs", "orphan_replies", "surges", "languages"}
    assert checks["period_length"]["status"] == "warn"                    # a week: under four
    assert all(set(c) >= {"check", "status", "value", "detail"} for c in audit["fitness"]["checks"])
    assert "fitness" not in audit["metrics"]
