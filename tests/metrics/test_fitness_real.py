"""The client's period and the fitness gate on real TWCS rows (``../shared/real``, read in place):
AmazonHelp in a 5,000-row random sample of 100 brands."""
from __future__ import annotations

import functools

import pandas as pd
import pytest

from audit.common.realdata import real_dir
from audit.conversations import threads, window
from audit.metrics import fitness
from audit.reading import ingest
from audit.textmodel import language

TWCS = real_dir() / "twcs_random5000.csv"
NOW = pd.Timestamp("2026-01-01", tz="UTC")


@functools.lru_cache(maxsize=1)
def _amazon() -> tuple[window.Window, window.Window, dict]:
    if not TWCS.exists():
        pytest.fail(f"real data missing: {TWCS} (see ../shared/real/README.md)")
    m, c = threads.build(ingest.load(TWCS).messages)
    export = window.find(m["created_at"], m["message_id"], now=NOW)
    mine = window.of_handles(m, ["AmazonHelp"], now=NOW)
    m, c = mine.select(m, c)
    customer = window.handle_rows(m, ["AmazonHelp"]) & m["is_customer"]
    m = m.assign(language=pd.Series(pd.NA, index=m.index, dtype="string"))
    m.loc[customer, "language"] = language.detect(m.loc[customer, "text"]).to_numpy()
    m["readable"] = language.readable(m["language"])
    return export, mine, fitness.of_client(m, c, ["AmazonHelp"], {}, days=mine.days())


def test_amazons_period_is_its_own():
    export, mine, _ = _amazon()
    assert len(export.days()) == 93 and len(mine.days()) == 68
    assert mine.start > export.start


def test_the_gate_sees_the_extract_and_the_language_mix():
    _, _, gate = _amazon()
    checks = {c["check"]: c for c in gate["checks"]}
    assert checks["extract_signs"]["status"] == "fail"          # 137 agents sign 245 conversations
    assert checks["orphan_replies"]["status"] == "fail"         # random sampling broke the reply links
    assert checks["languages"]["status"] == "warn" and 0.10 < checks["languages"]["value"] < 0.15
    assert gate["languages"]["en"] > 0.7 and gate["languages"]["fr"] > 0.04 and gate["languages"]["ja"] > 0.01
    assert checks["period_length"]["status"] == "pass" and checks["surges"]["status"] == "pass"
