"""Precision and recall of the voice heuristics on hand-labelled real brand replies.

The labels (``tests/fixtures/real_labels/replies.csv``) hold ids only: the texts are looked up in
the shared real files (``../shared/real/``, never copied into the repository, for licence reasons).
``python -m audit.voice_eval`` prints the table the README quotes; ``--draw`` re-creates the
(seeded, stratified) list of ids that was labelled.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "real"
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
