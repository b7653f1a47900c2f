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

from audit.textmodel.heads import INTENTS, THRESHOLD, TRIAGE, TRIAGE_COLUMNS, primary_intent
from audit.textmodel.model import TRIAGE_REPORT
from audit.textmodel.training import card
from audit.textmodel.training.data import HAND_TEST as LABELS
from audit.textmodel.training.data import real_posts
from audit.textmodel.training.measures import binary_report, bootstrap, macro_recall, report

REPORT = TRIAGE_REPORT


def hand_labelled(labels: Path = LABELS) -> pd.DataFrame:
    """``tweet_id, text, question, complaint, compliment, ..., intent`` for every labelled post."""
    df = real_posts(labels)
    df["intent"] = primary_intent(df[list(TRIAGE)].set_axis(list(TRIAGE_COLUMNS), axis=1))["intent"].to_numpy()
    return df


def _intent_report(truth, predicted) -> dict:
    r = report(list(truth), list(predicted), labels=INTENTS)
    return {"n": r["n"], "accuracy": round(r["accuracy"], 4), "macro_f1": round(r["macro_f1"], 4),
            "per_class": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in c.items()}
                          for k, c in r["per_class"].items()}}


def evaluate(quantize: bool = False) -> dict:
    """The heads (and, for comparison, the previous exemplar triage) on the hand-labelled posts."""
    from audit import textmodel
    from audit.evaluation import intent_baseline as intent

    df = hand_labelled()
    scored = textmodel.score(df["text"].tolist(), cache=False, quantize=quantize, triage=True, show_progress=False)
    mine = primary_intent(scored)["intent"]
    old = intent.classify(df["text"].tolist(), sentiment=scored[["p_negative", "p_neutral", "p_positive"]],
                          show_progress=False)["intent"]
    old_heads = {h: binary_report(df[h].to_numpy(), (old == h).astype(float).to_numpy()) for h in TRIAGE}
    neg = (scored["label"] == "negative").astype(float).to_numpy()
    heads = {h: binary_report(df[h].to_numpy(), scored[f"p_{h}"].to_numpy())
                | {"f1_interval": bootstrap(lambda i, h=h: binary_report(df[h].to_numpy()[i], scored[f"p_{h}"].to_numpy()[i])["f1"], len(df))}
                for h in TRIAGE}
    return {
        "labels": "tests/fixtures/real_labels/twcs_customer_posts.csv (hand-labelled real TWCS customer posts)",
        "n": len(df), "quantized": quantize,
        "heads": heads, "primary_intent": _intent_report(df["intent"], mine),
        "previous_exemplar_triage": {"heads_one_vs_rest": old_heads, "primary_intent": _intent_report(df["intent"], old)},
        "complaint_by_negative_sentiment": binary_report(df["complaint"].to_numpy(), neg),
        **_sentiment(df, scored["label"]), **_flat_tone(df, scored),
    }


def _sentiment(df: pd.DataFrame, predicted: pd.Series) -> dict:
    """Sentiment against the hand labels (macro-recall, TweetEval's measure, with its interval)."""
    if "sentiment" not in df:
        return {}
    truth, pred = df["sentiment"].to_numpy(), predicted.to_numpy()
    r = report(list(truth), list(pred))
    return {"sentiment": {"n": r["n"], "accuracy": round(r["accuracy"], 4), "macro_f1": round(r["macro_f1"], 4),
                          "macro_recall": round(macro_recall(truth, pred), 4),
                          "macro_recall_interval": bootstrap(lambda i: macro_recall(truth[i], pred[i]), len(df)),
                          "per_class": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in c.items()}
                                        for k, c in r["per_class"].items()}}}


def _flat_tone(df: pd.DataFrame, scored: pd.DataFrame) -> dict:
    """Recall on the calm problem reports and help requests (``flat_tone`` = 1): the posts a
    sentiment-led triage misses, whatever the model calls their tone."""
    if "flat_tone" not in df:
        return {}
    out = {}
    for head in ("complaint", "question"):
        rows = ((df["flat_tone"] == 1) & (df[head] == 1)).to_numpy()
        hit = (scored[f"p_{head}"].to_numpy()[rows] >= THRESHOLD).astype(float)
        neg = (scored["label"].to_numpy()[rows] == "negative").astype(float)
        out[head] = {"n": int(rows.sum()), "recall": round(float(hit.mean()), 4) if rows.any() else None,
                     "recall_interval": bootstrap(lambda i, hit=hit: float(hit[i].mean()), len(hit)) if rows.any() else None,
                     "negative_sentiment_share": round(float(neg.mean()), 4) if rows.any() else None}
    return {"flat_tone": out}


def _int8_gap(fp32: dict, int8: dict) -> dict:
    """The quantized path's figures beside fp32's: the int8 scorer must stay within a point."""
    pairs = {f"{h}_f1": (fp32["heads"][h]["f1"], int8["heads"][h]["f1"]) for h in TRIAGE}
    pairs["intent_macro_f1"] = (fp32["primary_intent"]["macro_f1"], int8["primary_intent"]["macro_f1"])
    if "sentiment" in fp32:
        pairs["sentiment_macro_recall"] = (fp32["sentiment"]["macro_recall"], int8["sentiment"]["macro_recall"])
    return {k: {"fp32": a, "int8": b, "gap_points": round(100 * abs(a - b), 2)} for k, (a, b) in pairs.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"add the result to {REPORT}")
    args = p.parse_args(argv)
    result = evaluate()
    result["int8"] = _int8_gap(result, evaluate(quantize=True))
    print(json.dumps(result, indent=2))
    if args.write:
        report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
        report["hand_labelled_real_posts"] = result
        REPORT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
        card.write(report, REPORT.parent)


if __name__ == "__main__":
    main()
