"""--redact: personal data masked in every output, figures identical to a plain run."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from audit.common import runfolder
from audit.run import stages

PERSONAL = ("jane.doe@example.com", "+44 20 7946 0958", "7946 0958", "123456789", "900004")


@pytest.fixture(scope="module")
def runs(small_export, tmp_path_factory):
    data, _ = small_export
    out = {}
    for redact in (False, True):
        run_dir = tmp_path_factory.mktemp("redacted" if redact else "plain")
        stages.ingest(run_dir, data, brands=["Acme", "AcmeHelp"], redact=redact)
        stages.score(run_dir)
        stages.analyse(run_dir)
        stages.playbook(run_dir, client="Acme", pdf=False)
        out[redact] = run_dir
    return out


def test_figures_are_identical_with_and_without_redaction(runs):
    plain, redacted = (json.loads((runs[k] / runfolder.AUDIT_JSON).read_text()) for k in (False, True))
    assert plain["metrics"]["overall"] == redacted["metrics"]["overall"]
    assert plain["maturity"]["level"] == redacted["maturity"]["level"]
    assert plain["maturity"]["score"] == redacted["maturity"]["score"]
    assert plain["accounting"] == redacted["accounting"]


def test_plain_run_keeps_the_text_and_redacted_run_masks_it_everywhere(runs):
    plain_text = pd.read_parquet(runs[False] / runfolder.MESSAGES)["text"].str.cat(sep="\n")
    assert "jane.doe@example.com" in plain_text  # the fixture really holds personal data
    messages = pd.read_parquet(runs[True] / runfolder.MESSAGES)
    conversations = pd.read_parquet(runs[True] / runfolder.CONVERSATIONS)
    blobs = {
        "messages.text": messages["text"].str.cat(sep="\n"),
        "messages.author": messages.loc[messages["is_customer"], "author"].str.cat(sep="\n"),
        "conversations.customer": conversations["customer"].astype(str).str.cat(sep="\n"),
        "quarantine.csv": (runs[True] / runfolder.QUARANTINE).read_text(),
        "playbook.html": (runs[True] / runfolder.PLAYBOOK_HTML).read_text(),
        "audit.json": (runs[True] / runfolder.AUDIT_JSON).read_text(),
    }
    for where, blob in blobs.items():
        for secret in PERSONAL:
            assert secret not in blob, f"{secret!r} left in {where}"
    assert "[email]" in blobs["messages.text"] and "[phone]" in blobs["messages.text"]
    assert "@Acme" in blobs["messages.text"] or "@acme" in blobs["messages.text"].lower()  # brand handles stay


def test_agent_tokens_are_pseudonymous_in_a_redacted_run(runs):
    plain, redacted = (pd.read_parquet(runs[k] / runfolder.MESSAGES) for k in (False, True))
    tokens = set(plain["agent"].dropna())
    assert tokens and plain["agent"].notna().sum() == redacted["agent"].notna().sum()
    assert redacted["agent"].dropna().str.fullmatch(r"Agent[a-p]{6}").all()
    cards = json.loads((runs[True] / runfolder.AUDIT_JSON).read_text())["metrics"]["agents"]["scorecards"]
    assert cards and not {c["agent"] for c in cards} & tokens
    plain_cards = json.loads((runs[False] / runfolder.AUDIT_JSON).read_text())["metrics"]["agents"]["scorecards"]
    assert [c["replies"] for c in cards] == [c["replies"] for c in plain_cards]  # same agents, renamed
