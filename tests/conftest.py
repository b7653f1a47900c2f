"""Shared fixtures: a small real-shaped export, and no test touching the user's cache or network."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _private_score_cache(tmp_path_factory):
    """Every test session scores into its own cache file, never ~/.cache."""
    os.environ["SOCIAL_AUDIT_CACHE"] = str(tmp_path_factory.mktemp("score-cache") / "sentiment.sqlite")


HOSTILE = [
    # (text, author) opening posts that no brand answers, dated before the sample starts so they
    # are the first examples of unanswered posts shown in reports and notebooks
    ("@AcmeHelp still no refund <script>alert(1)</script> this is a joke", "900001"),
    ("@AcmeHelp my order never arrived <img src=x onerror=alert(1)> worst service", "900002"),
    ("=HYPERLINK(\"http://evil.example/\",\"click\") @AcmeHelp why was I charged twice?", "900003"),
    ("@AcmeHelp call me on +44 20 7946 0958 or mail jane.doe@example.com about order 123456789", "900004"),
]


@pytest.fixture(scope="session")
def small_export(tmp_path_factory) -> tuple[str, pd.DataFrame]:
    """~250 conversations of the three sample brands in the TWCS layout, plus hostile posts."""
    from audit.demo.sample import generate
    from audit.demo.twcs import format_twcs_time

    frame = generate(n_conversations=250, seed=11, weeks=3)
    start = pd.to_datetime(frame["created_at"], format="%a %b %d %H:%M:%S %z %Y").min()
    extra = pd.DataFrame({
        "tweet_id": [str(990000 + i) for i in range(len(HOSTILE))],
        "author_id": [a for _, a in HOSTILE],
        "inbound": True,
        "created_at": format_twcs_time(np.array(
            [(start - pd.Timedelta(hours=len(HOSTILE) - i)).timestamp() for i in range(len(HOSTILE))])),
        "text": [t for t, _ in HOSTILE],
        "response_tweet_id": "",
        "in_response_to_tweet_id": "",
    })
    # a row that must be quarantined (bad timestamp) and carries a spreadsheet formula
    broken = pd.DataFrame({"tweet_id": ["990100"], "author_id": ["900005"], "inbound": [True],
                           "created_at": ["yesterday-ish"], "text": ["=cmd|' /C calc'!A0 @AcmeHelp hello?"],
                           "response_tweet_id": [""], "in_response_to_tweet_id": [""]})
    frame = pd.concat([frame.astype(str).replace({"nan": ""}), extra, broken], ignore_index=True)
    path = tmp_path_factory.mktemp("export") / "export.csv"
    frame.to_csv(path, index=False)
    return str(path), frame


SAMPLE_QUESTIONNAIRE = "data/sample/questionnaires/acme.yaml"


@pytest.fixture(scope="session")
def questionnaire_run(small_export, tmp_path_factory):
    """One CLI run of Acme with its questionnaire (as `make demo` does), shared read-only by the
    notebook-loop and browser tests; tests that change a run copy it first (`copy_run`)."""
    from pathlib import Path

    from audit.run.cli import main

    data, _ = small_export
    out = tmp_path_factory.mktemp("questionnaire-run")
    questionnaire = Path(__file__).resolve().parents[1] / SAMPLE_QUESTIONNAIRE
    assert main(["run", "--data", data, "--client", "Acme", "--brand", "Acme", "--brand", "AcmeHelp",
                 "--questionnaire", str(questionnaire), "--out", str(out)]) == 0
    return out / "acme"


def copy_run(run_dir, out):
    """A copy of a run folder: its own run (the folder its audit.yaml is in is the run)."""
    import shutil
    from pathlib import Path

    target = Path(out) / Path(run_dir).name
    shutil.copytree(run_dir, target)
    return target
