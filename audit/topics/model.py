"""The whole chain for a set of posts: embeddings -> topics -> labels (owners: ``routing``).

``fit(texts, embeddings)`` is pure (no model, no I/O); ``assign(texts)`` adds the embedding
step. Both return a ``TopicModel``: one topic per post and a description of every topic.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit.reading.redact import redact_text
from audit.textmodel.language import detect, readable
from audit.topics.discover import OUTLIER, discover
from audit.topics.keywords import describe_topics

UNASSIGNED_LABEL = "Other (no shared topic)"
#: Posts in another language than the embedder's: kept apart and counted, never a topic.
OTHER_LANGUAGE = -2
OTHER_LANGUAGE_LABEL = "Another language"


@dataclass(frozen=True)
class TopicModel:
    """``labels`` (n,) topic id per post, -1 for none; ``topics``: one dict per topic (``topic``,
    ``label``, ``keywords``, ``keyword_weights``, ``representatives`` as row numbers, ``posts``);
    ``fitted_on``: how many posts k-means saw (the rest joined their nearest centre); posts of
    another language carry ``OTHER_LANGUAGE``."""

    labels: np.ndarray
    topics: list[dict]
    fitted_on: int

    def label_of(self) -> pd.Series:
        """Topic label per post ("Other (no shared topic)" for -1, "Another language" for -2)."""
        names = {t["topic"]: t["label"] for t in self.topics} | {OTHER_LANGUAGE: OTHER_LANGUAGE_LABEL}
        return pd.Series([names.get(int(t), UNASSIGNED_LABEL) for t in self.labels], dtype="string")


def fit(texts: Sequence[str], embeddings: np.ndarray, **options) -> TopicModel:
    """Topics of ``texts`` given their ``embeddings`` (same order); ``options`` go to
    ``discover`` (``min_size``, ``posts_per_topic``, ...). Posts of another language are set
    apart first, so they never form a topic of their own."""
    texts = ["" if t is None else str(t) for t in texts]
    foreign = ~readable(detect(texts)).to_numpy()
    rows = np.flatnonzero(~foreign)
    clustering = discover(np.asarray(embeddings)[rows], **options)
    labels = np.full(len(texts), OTHER_LANGUAGE, dtype=np.int64)
    labels[rows] = clustering.labels
    k = len(clustering.centroids)
    kept = [texts[i] for i in rows]
    words = describe_topics(kept, clustering.labels, clustering.reduced, clustering.centroids)
    topics = [{"topic": t, "label": words.label[t], "keywords": words.keywords[t],
               "keyword_weights": words.weights[t], "representatives": [int(rows[r]) for r in words.representatives[t]],
               "posts": int((clustering.labels == t).sum())} for t in range(k)]
    return TopicModel(labels, topics, clustering.fitted_on)


def assign(texts: Sequence[str], *, device: str = "auto", cache: str | bool | None = False, **options) -> TopicModel:
    """Embed ``texts`` with the bundled encoder (through the score cache when given), then ``fit``."""
    from audit.topics.embeddings import embed

    texts = ["" if t is None else str(t) for t in texts]
    return fit(texts, embed(texts, device=device, cache=cache), **options)


def examples(model: TopicModel, texts: Sequence[str], keep_handles: Sequence[str] = ()) -> list[list[str]]:
    """The representative posts of each topic, masked (handles, e-mails, phones, numbers)."""
    return [[redact_text(str(texts[r]), keep_handles) for r in t["representatives"]] for t in model.topics]


__all__ = ["OUTLIER", "OTHER_LANGUAGE", "OTHER_LANGUAGE_LABEL", "TopicModel", "UNASSIGNED_LABEL", "assign", "examples", "fit"]
