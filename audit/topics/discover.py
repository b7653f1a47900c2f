"""Embeddings -> one topic id per post (``-1`` = "other"), deterministically.

Why k-means, and not a density clusterer: a sector's posts share its vocabulary, so in embedding
space they form one dense cloud; HDBSCAN merged 262 of 491 hand-tagged airline posts into one
topic (NMI 0.09 with the tags). The subjects people tag by (baggage, delays, refunds) are regions
of that cloud, which k-means cuts apart. The number of topics comes from the data: about one
topic per ``posts_per_topic`` posts, at most ``max_topics``; topics whose centres are nearly the
same are merged (one subject cut in pieces), then topics with fewer than
``min_topic_size`` posts are dissolved into their nearest neighbour, so every topic is worth a
line in a report. ``posts_per_topic`` was chosen on hand-tagged telecom posts and is reported on
airline posts (``audit.evaluation.topics``).

Every post is placed: in its nearest topic, or in "other" when it is among the ``other_share``
posts farthest from their topic's centre (chatter, one-word replies, posts about nothing the rest
share). The share of "other" is therefore stated and small by construction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

OUTLIER = -1
#: Fewer posts than this give no topics: a grouping of a handful of posts is noise, not a finding.
MIN_POSTS = 20


@dataclass(frozen=True)
class Clustering:
    """The result: ``labels`` (n,), topic ids 0..k-1 by decreasing size, ``-1`` for "other";
    ``centroids`` (k, dims) unit vectors; ``reduced`` (n, dims) the unit embeddings."""

    labels: np.ndarray
    centroids: np.ndarray
    reduced: np.ndarray
    fitted_on: int


def min_topic_size(n: int) -> int:
    """Half a percent of the posts, at least 5: a topic must be worth a line in a report."""
    return max(5, math.ceil(0.005 * n))


def topic_count(n: int, posts_per_topic: int = 15, max_topics: int = 30) -> int:
    """How many topics k-means starts from: one per ``posts_per_topic`` posts, 2..``max_topics``."""
    return int(min(max_topics, max(2, round(n / posts_per_topic))))


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.clip(norms, 1e-12, None)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Topic ids ordered by size (ties by first appearance), so topic 0 is the largest."""
    ids = [t for t in np.unique(labels) if t != OUTLIER]
    order = sorted(ids, key=lambda t: (-int((labels == t).sum()), int(np.argmax(labels == t))))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(t), OUTLIER) for t in labels], dtype=np.int64)


def _merge_close(x: np.ndarray, labels: np.ndarray, centroids: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """Merge topics whose centres are within ``distance`` (cosine, average linkage): k-means
    cuts a large, uniform subject into pieces; pieces that close are one subject, so the number
    of topics left is the data's, not the starting k."""
    from sklearn.cluster import AgglomerativeClustering

    if len(centroids) < 2:
        return labels, centroids
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine",
                                     linkage="average").fit_predict(centroids)
    labels = groups[labels]
    merged = _unit(np.stack([x[labels == g].mean(axis=0) if (labels == g).any() else np.zeros(x.shape[1])
                             for g in range(groups.max() + 1)]))
    return labels, merged


def _dissolve_small(x: np.ndarray, labels: np.ndarray, centroids: np.ndarray, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Dissolve the smallest topic under ``min_size`` into the nearest remaining ones, one at a
    time (its posts move, the centres are recomputed), until every topic is big enough."""
    keep = list(range(len(centroids)))
    while len(keep) > 1:
        sizes = np.array([(labels == t).sum() for t in keep])
        if sizes.min() >= min_size:
            break
        gone = keep.pop(int(np.argmin(sizes)))
        rows = np.flatnonzero(labels == gone)
        labels[rows] = np.array(keep)[(x[rows] @ centroids[keep].T).argmax(axis=1)]
        for t in keep:  # centres of the topics that took posts move
            if (labels == t).any():
                centroids[t] = _unit(x[labels == t].mean(axis=0, keepdims=True))[0]
    return labels, centroids


def discover(*args, **kwargs) -> Clustering:
    """Cluster posts by their embeddings (see ``_discover`` for the parameters), with BLAS on one
    thread: the same numbers whatever the core count, and no oversubscription on a busy machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _discover(*args, **kwargs)


def _discover(embeddings: np.ndarray, *, min_size: int | None = None, posts_per_topic: int = 15,
              max_topics: int = 30, merge_distance: float = 0.1, other_share: float = 0.1, fit_max: int = 20_000, seed: int = 0) -> Clustering:
    """Cluster posts by their embeddings. ``min_size`` defaults to ``min_topic_size(n)``; k-means
    is fitted on a fixed-seed sample of at most ``fit_max`` posts, then every post joins its
    nearest centre; topics closer than ``merge_distance`` (cosine) are merged; ``other_share``: the share of posts, farthest from their centre, put in "other"."""
    from sklearn.cluster import KMeans

    x = _unit(np.asarray(embeddings, dtype=np.float64))
    n = len(x)
    dims = x.shape[1] if x.ndim == 2 else 0
    min_size = min_size or min_topic_size(n)
    if n < max(2 * min_size, MIN_POSTS):  # too few posts for two topics: nothing to discover
        return Clustering(np.full(n, OUTLIER, dtype=np.int64), np.zeros((0, dims)), x.reshape(n, dims), 0)
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(n, size=fit_max, replace=False)) if n > fit_max else np.arange(n)
    k = topic_count(n, posts_per_topic, max_topics)
    km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(x[fit_rows])
    centroids = _unit(km.cluster_centers_)
    labels = (x @ centroids.T).argmax(axis=1)
    labels, centroids = _merge_close(x, labels, centroids, merge_distance)
    labels, centroids = _dissolve_small(x, labels, centroids, min_size)
    similarity = np.einsum("ij,ij->i", x, centroids[labels])
    if other_share > 0:
        labels = np.where(similarity < np.quantile(similarity, other_share), OUTLIER, labels)
    final = _renumber(labels)
    used = [int(labels[np.argmax(final == t)]) for t in range(int(final.max()) + 1)]
    return Clustering(final, centroids[used], x, len(fit_rows))
