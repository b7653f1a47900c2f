"""Measure the triage on the hand-labelled real customer posts (the development test set).

``python -m audit.evaluation.triage [--write]``: per-head precision/recall/F1 and the primary
intent's 4-class report for the bundled heads, beside the previous exemplar triage
(:mod:`audit.evaluation.intent_baseline`) on the same posts. The labels (ids only) are in
``tests/fixtures/real_labels/twcs_customer_posts.csv``; texts are read from the shared TWCS file.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from audit.textmodel.heads import INTENTS, TRIAGE, TRIAGE_COLUMNS, primary_intent
from audit.textmodel.model import TRIAGE_REPORT
from audit.textmodel.training import card
from audit.textmodel.training.data import REAL, REPO

LABELS = REPO / "tests" / "fixtures" / "real_labels" / "twcs_customer_posts.csv"
TWCS = REAL / "twcs_random5000.csv"
REPORT = TRIAGE_REPORT


def hand_labelled(labels: Path = LABELS, twcs: Path = TWCS) -> pd.DataFrame:
    """``tweet_id, text, question, complaint, compliment, intent`` for every labelled post."""
    lab = pd.read_csv(labels, dtype={"tweet_id": str})
    raw = pd.read_csv(twcs, dtype={"tweet_id": str}, lineterminator="\n")[["tweet_id", "text"]]
    df = lab.merge(raw, on="tweet_id", how="left", validate="one_to_one")
    if df["text"].isna().any():
        raise ValueError(f"{int(df['text'].isna().sum())} labelled ids are not in {twcs}")
    df["intent"] = primary_intent(df[list(TRIAGE)].set_axis(list(TRIAGE_COLUMNS), axis=1))["intent"].to_numpy()
    return df


def _intent_report(truth, predicted) -> dict:
    from audit.textmodel.training.measures import report

    r = report(list(truth), list(predicted), labels=INTENTS)
    return {"n": r["n"], "accuracy": round(r["accuracy"], 4), "macro_f1": round(r["macro_f1"], 4),
            "per_class": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in c.items()}
                          for k, c in r["per_class"].items()}}


def evaluate(quantize: bool = False) -> dict:
    """The heads (and, for comparison, the previous exemplar triage) on the hand-labelled posts."""
    from audit import textmodel
    from audit.evaluation import intent_baseline as intent
    from audit.textmodel.training.heads import binary_report

    df = hand_labelled()
    scored = textmodel.score(df["text"].tolist(), cache=False, quantize=quantize, triage=True, show_progress=False)
    heads = {h: binary_report(df[h].to_numpy(), scored[f"p_{h}"].to_numpy()) for h in TRIAGE}
    mine = primary_intent(scored)["intent"]
    old = intent.classify(df["text"].tolist(), sentiment=scored[["p_negative", "p_neutral", "p_positive"]],
                          show_progress=False)["intent"]
    old_heads = {h: binary_report(df[h].to_numpy(), (old == h).astype(float).to_numpy()) for h in TRIAGE}
    neg = (scored["label"] == "negative").astype(float).to_numpy()
    return {
        "labels": "tests/fixtures/real_labels/twcs_customer_posts.csv (hand-labelled real TWCS customer posts)",
        "n": len(df), "quantized": quantize,
        "heads": heads, "primary_intent": _intent_report(df["intent"], mine),
        "previous_exemplar_triage": {"heads_one_vs_rest": old_heads, "primary_intent": _intent_report(df["intent"], old)},
        "complaint_by_negative_sentiment": binary_report(df["complaint"].to_numpy(), neg),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"add the result to {REPORT}")
    args = p.parse_args(argv)
    result = evaluate()
    print(json.dumps(result, indent=2))
    if args.write:
        report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
        report["hand_labelled_real_posts"] = result
        REPORT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
        card.write(report, REPORT.parent)


if __name__ == "__main__":
    main()
