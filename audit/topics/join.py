"""Join posts to topics already found, by their words: how a large export gets topics without a
second encoder pass over every post.

Why: the sentence embedder costs about as much per post as scoring itself, so embedding every
post of a million-message export doubles the model time. Topics are a property of the client's
posts as a whole, well fixed by a seeded sample of them; the posts left out of the sample only
need to join the topic they belong to. They do so by TF-IDF similarity to each topic's word
centroid (fitted on the sample's own posts and topics), milliseconds for thousands of posts.
A post joins "other" when its best similarity is below the level that the sample's own share of
"other" posts sets, so the rest of the export keeps the sample's proportions.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from audit.topics.discover import OUTLIER


def by_words(sample_texts: Sequence[str], sample_labels: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Topic id for each of ``texts``: the sample topic whose TF-IDF centroid is the most similar,
    or ``OUTLIER`` below the floor the sample's own outlier share sets."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    sample_labels = np.asarray(sample_labels)
    placed = sample_labels >= 0
    if not len(texts) or not placed.any():
        return np.full(len(texts), OUTLIER, dtype=np.int64)
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, ngram_range=(1, 2))
    try:
        x = vectorizer.fit_transform(list(sample_texts))
    except ValueError:  # no word seen twice: nothing to join on
        return np.full(len(texts), OUTLIER, dtype=np.int64)
    topics = np.unique(sample_labels[placed])
    centroids = normalize(np.vstack([np.asarray(x[sample_labels == t].mean(axis=0)) for t in topics]))
    own = np.asarray((x[placed] @ centroids.T).max(axis=1)).ravel()
    outlier_share = float((sample_labels == OUTLIER).sum()) / max(int((sample_labels >= OUTLIER).sum()), 1)
    floor = float(np.quantile(own, outlier_share)) if outlier_share > 0 else -np.inf
    similarity = np.asarray((vectorizer.transform(list(texts)) @ centroids.T))
    best = similarity.argmax(axis=1)
    return np.where(similarity.max(axis=1) >= floor, topics[best], OUTLIER).astype(np.int64)
