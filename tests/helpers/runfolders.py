"""Run folders for tests of what reads a finished run (workbook, compare, trends).

A synthetic export with a service level we choose (share answered, share negative, reply delay,
months covered) goes through the real ingest, analysis and playbook stages; only the scoring
stage is replaced by a keyword stand-in (``negative`` / ``thanks`` in the text), so the runs are
fast and every figure is known in advance.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from audit.common import runfolder
from audit.demo.twcs import COLUMNS, format_twcs_time
from audit.run import stages

BRAND = "AcmeHelp"
PEER = "OtherCo"


def export(n: int, answered: float, negative: float, *, start: str = "2017-10-02", days: int = 28,
           reply_min: float = 20.0, seed: int = 0, first_text: str | None = None,
           peer: int = 0) -> pd.DataFrame:
    """``n`` customer conversations with ``BRAND`` (and ``peer`` with ``PEER``) in the TWCS
    layout: ``round(n * answered)`` answered after ``reply_min`` minutes, ``round(n * negative)``
    opening with a negative complaint; ``first_text`` replaces the first conversation's opening
    post, which is then an unanswered negative complaint."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start, tz="UTC").timestamp()
    rows = []
    n_answered, n_negative = round(n * answered), round(n * negative)
    order = rng.permutation(n)  # which conversations are answered / negative, spread in time
    opened = np.sort(rng.uniform(t0, t0 + days * 86400, n + peer))
    for i in range(n + peer):
        brand = BRAND if i < n else PEER
        rank = int(order[i]) if i < n else i
        is_answered = rank >= n - n_answered if i < n else True
        is_negative = rank < n_negative if i < n else False
        cid, rid = f"{seed}{i:06d}1", f"{seed}{i:06d}2"
        text = ("@{b} negative: my parcel {k} is lost, a complaint" if is_negative
                else "@{b} question {k}: where is my parcel?").format(b=brand, k=i)
        if i == 0 and first_text is not None:
            text, is_answered = first_text, False
        rows.append((cid, f"cust{seed}{i}", True, opened[i], text, rid if is_answered else "", ""))
        if is_answered:
            rows.append((rid, brand, False, opened[i] + reply_min * 60,
                         f"@cust{seed}{i} thanks, we are on it", "", cid))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["created_at"] = format_twcs_time(frame["created_at"].to_numpy())
    return frame.astype({c: str for c in COLUMNS})


def _stand_in_scores(run_dir: Path) -> None:
    """The scoring stage's files from keywords: 'negative' -> negative complaint, 'thanks' -> positive."""
    messages = pd.read_parquet(run_dir / runfolder.MESSAGES)
    text = messages["text"]
    sentiment = (pd.Series("neutral", index=messages.index)
                 .mask(text.str.contains("thanks"), "positive").mask(text.str.contains("negative"), "negative"))
    p_neg = sentiment.eq("negative").astype(float)
    p_pos = sentiment.eq("positive").astype(float)
    runfolder.write_parquet(pd.DataFrame({
        "message_id": messages["message_id"], "sentiment": sentiment, "sentiment_score": p_pos - p_neg,
        "p_negative": p_neg, "p_neutral": 1 - p_neg - p_pos, "p_positive": p_pos}), run_dir / runfolder.SCORES)
    customer = messages["is_customer"]
    intent = sentiment[customer].map({"negative": "complaint", "positive": "compliment"}).fillna("question")
    runfolder.write_parquet(pd.DataFrame({"message_id": messages.loc[customer, "message_id"], "intent": intent,
                                      "intent_confidence": 0.9}), run_dir / runfolder.INTENTS)
    runfolder.write_json({"model": "stand-in", "model_identity": "keywords", "cache": {}, "engine": "local",
                      "sentiment_mix": {}, "intent_mix": {}}, run_dir / runfolder.SCORE_SUMMARY)


def make_run(run_dir: Path, frame: pd.DataFrame, *, client: str = "Acme", brands: tuple[str, ...] = (BRAND,),
             rubric: str | None = None, timezone: str = "UTC") -> dict:
    """A finished run folder from ``frame`` (ingest, stand-in scores, analysis, HTML playbook)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    data = run_dir / "export.csv"
    frame.to_csv(data, index=False)
    stages.ingest(run_dir, data, brands=list(brands))
    _stand_in_scores(run_dir)
    stages.analyse(run_dir, rubric=rubric, timezone=timezone)
    stages.playbook(run_dir, client, pdf=False)
    return runfolder.read_json(run_dir / runfolder.AUDIT_JSON)
