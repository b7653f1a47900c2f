"""Precision and recall of the voice heuristics on hand-labelled real brand replies.

The labels (``tests/fixtures/real_labels/replies.csv``) hold ids only: the texts are looked up in
the shared real files (``../shared/real/``, never copied into the repository, for licence reasons).
``python -m audit.evaluation.voice`` prints the table the README quotes; ``--draw`` re-creates the
(seeded, stratified) list of ids that was labelled.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from audit.common.realdata import real_dir

REPO = Path(__file__).resolve().parents[2]
REAL_DIR = real_dir()
LABELS = REPO / "tests" / "fixtures" / "real_labels" / "replies.csv"
SOURCES = {
    "twcs": "twcs_random5000.csv",
    "amazonhelp": "brand_replies_amazonhelp_2016.csv",
    "delta": "brand_replies_delta_2015.csv",
}
SEED = 10
PER_BRAND = 4          # TWCS: at most this many replies per brand, so no brand dominates
PER_FILE = 45          # replies drawn from each single-brand file


def read_replies(source: str, real_dir: Path = REAL_DIR) -> pd.DataFrame:
    """Brand replies of one shared file as ``id, brand, text`` (ids as strings).

    TWCS ids are ``tweet_id``; the single-brand files have none, so their id is the 1-based data
    row (header excluded), the same numbering as ``source_row`` in the audit.
    """
    path = Path(real_dir) / SOURCES[source]
    if source == "twcs":
        # Lines end with CRLF; reading by LF keeps a bare CR inside a text from splitting its row.
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, lineterminator="\n")
        raw = raw.apply(lambda col: col.str.rstrip("\r"))
        raw.columns = raw.columns.str.rstrip("\r")
        brand = raw.loc[raw["inbound"].eq("False")]
        return pd.DataFrame({"id": brand["tweet_id"], "brand": brand["author_id"],
                             "text": brand["text"]}).reset_index(drop=True)
    encoding = "cp1252" if source == "amazonhelp" else "utf-8"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    brand = "AmazonHelp" if source == "amazonhelp" else "Delta"
    return pd.DataFrame({"id": [str(i) for i in range(1, len(raw) + 1)], "brand": brand,
                         "text": raw["text"]})


def draw_sample(real_dir: Path = REAL_DIR, seed: int = SEED) -> pd.DataFrame:
    """The ids to label: up to PER_BRAND replies of every TWCS brand, PER_FILE of each other file."""
    twcs = read_replies("twcs", real_dir)
    picked = (twcs.sample(frac=1.0, random_state=seed).groupby("brand", sort=True).head(PER_BRAND)
              .sort_values(["brand", "id"]))
    parts = [picked.assign(source="twcs")]
    for source in ("amazonhelp", "delta"):
        parts.append(read_replies(source, real_dir).sample(n=PER_FILE, random_state=seed)
                     .assign(source=source).sort_values("id", key=lambda s: s.astype(int)))
    return pd.concat(parts, ignore_index=True)[["source", "id", "brand"]]

HEURISTICS = ("signed", "redirect", "personalised", "handover")


def load_labelled(labels: Path = LABELS, real_dir: Path = REAL_DIR) -> pd.DataFrame:
    """The labels joined to their texts from the shared files (a missing id is an error)."""
    lab = pd.read_csv(labels, dtype={"id": str, "agent": str}, keep_default_na=False)
    texts = pd.concat([read_replies(s, real_dir).assign(source=s) for s in lab["source"].unique()])
    out = lab.merge(texts, on=["source", "id"], how="left", validate="one_to_one")
    if out["text"].isna().any():
        raise ValueError(f"{int(out['text'].isna().sum())} labelled ids not found in {real_dir}")
    return out


def predict(replies: pd.DataFrame) -> pd.DataFrame:
    """Every heuristic of :mod:`audit.conversations.voice` on the labelled texts."""
    from audit.conversations import voice
    text = replies["text"]
    agent = voice.agents(text, replies["brand"])
    return pd.DataFrame({"agent": agent.fillna(""), "signed": agent.notna(),
                         "redirect": voice.redirects(text), "personalised": voice.personalised(text),
                         "handover": voice.hands_over(text)}, index=replies.index)


def scores(replies: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 per heuristic, with the counts behind them."""
    rows = []
    for name in HEURISTICS:
        truth, pred = replies[name].astype(bool), predicted[name].astype(bool)
        tp, fp, fn = int((truth & pred).sum()), int((~truth & pred).sum()), int((truth & ~pred).sum())
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        rows.append({"heuristic": name, "labelled": int(truth.sum()), "predicted": int(pred.sum()),
                     "precision": precision, "recall": recall, "f1": f1})
    both = replies["signed"].astype(bool) & predicted["signed"]
    exact = (replies.loc[both, "agent"] == predicted.loc[both, "agent"]).mean() if both.any() else float("nan")
    rows.append({"heuristic": "agent token (of signed replies found)", "labelled": int(both.sum()),
                 "predicted": int(both.sum()), "precision": exact, "recall": float("nan"), "f1": float("nan")})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="print the seeded sample of ids to label")
    parser.add_argument("--errors", action="store_true", help="list the replies a heuristic gets wrong")
    parser.add_argument("--real-dir", type=Path, default=REAL_DIR)
    args = parser.parse_args(argv)
    if args.draw:
        print(draw_sample(args.real_dir).to_csv(index=False), end="")
        return 0
    replies = load_labelled(real_dir=args.real_dir)
    predicted = predict(replies)
    print(f"{len(replies)} hand-labelled real brand replies "
          f"({', '.join(f'{n} {s}' for s, n in replies['source'].value_counts().sort_index().items())})")
    print(scores(replies, predicted).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if args.errors:
        for name in HEURISTICS:
            wrong = replies[name].astype(bool) != predicted[name]
            for i in replies.index[wrong]:
                print(f"{name} label={replies.at[i, name]} | {replies.at[i, 'brand']} | {replies.at[i, 'text']!r}")
        wrong = (replies["agent"] != predicted["agent"]) & replies["signed"].astype(bool) & predicted["signed"]
        for i in replies.index[wrong]:
            print(f"agent {replies.at[i, 'agent']!r} != {predicted.at[i, 'agent']!r} | {replies.at[i, 'text'][-40:]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
