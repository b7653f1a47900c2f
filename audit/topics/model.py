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
from audit.topics import join
from audit.topics.discover import OUTLIER, discover
from audit.topics.keywords import describe_topics

UNASSIGNED_LABEL = "Other (no shared topic)"
#: Posts in another language than the embedder's: kept apart and counted, never a topic.
OTHER_LANGUAGE = -2
OTHER_LANGUAGE_LABEL = "Another language"
#: Posts embedded at most: a large export's topics come from a seeded sample this size, the other
#: posts join them by their words; one encoder pass over 20,000 posts, not over all of them.
EMBED_MAX = 20_000


@dataclass(frozen=True)
class TopicModel:
    """``labels`` (n,) topic id per post, -1 for none; ``topics``: one dict per topic (``topic``,
    ``label``, ``keywords``, ``keyword_weights``, ``representatives`` as row numbers, ``posts``);
    ``fitted_on``: how many posts k-means saw (the rest joined their nearest centre, or, beyond
    ``EMBED_MAX``, their topic by words); posts of
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


def embedded_rows(n: int, embed_max: int = EMBED_MAX) -> np.ndarray:
    """Which of ``n`` posts are embedded: all of them, or a seeded sample of ``embed_max``."""
    if n <= embed_max:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=embed_max, replace=False))


def assign(texts: Sequence[str], *, device: str = "auto", cache: str | bool | None = False,
           embed_max: int = EMBED_MAX, **options) -> TopicModel:
    """Embed ``texts`` with the bundled encoder (through the score cache when given), then ``fit``.
    Beyond ``embed_max`` posts only a seeded sample of that size is embedded and fitted; the
    others join its topics by their words (:func:`audit.topics.join.by_words`)."""
    from audit.topics.embeddings import embed

    texts = ["" if t is None else str(t) for t in texts]
    if len(texts) <= embed_max:
        return fit(texts, embed(texts, device=device, cache=cache), **options)
    sample = embedded_rows(len(texts), embed_max)
    chosen = [texts[i] for i in sample]
    fitted = fit(chosen, embed(chosen, device=device, cache=cache), **options)
    rest = np.setdiff1d(np.arange(len(texts)), sample)
    labels = np.full(len(texts), OTHER_LANGUAGE, dtype=np.int64)
    labels[sample] = fitted.labels
    rest_texts = [texts[i] for i in rest]
    own = readable(detect(rest_texts)).to_numpy()
    labels[rest[own]] = join.by_words(chosen, fitted.labels, [t for t, ok in zip(rest_texts, own) if ok])
    topics = [{**t, "representatives": [int(sample[r]) for r in t["representatives"]],
               "posts": int((labels == t["topic"]).sum())} for t in fitted.topics]
    return TopicModel(labels, topics, fitted.fitted_on)


def examples(model: TopicModel, texts: Sequence[str], keep_handles: Sequence[str] = ()) -> list[list[str]]:
    """The representative posts of each topic, masked (handles, e-mails, phones, numbers)."""
    return [[redact_text(str(texts[r]), keep_handles) for r in t["representatives"]] for t in model.topics]


__all__ = ["OUTLIER", "OTHER_LANGUAGE", "OTHER_LANGUAGE_LABEL", "TopicModel", "UNASSIGNED_LABEL", "assign", "examples", "fit"]
