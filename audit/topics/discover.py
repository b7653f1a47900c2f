"""Embeddings -> one topic id per post (``-1`` = not in any topic), deterministically.

Why this shape: HDBSCAN finds clusters of any number and shape and leaves scattered posts out
instead of forcing them into a topic, which is what an auditor wants from free text. It is run on
a PCA reduction (density estimates are poor in 384 dimensions) of a fixed-seed sample of at most
``fit_max`` posts, which keeps the step to seconds at 100k posts; every other post (and every
post HDBSCAN left out) then joins the topic whose centroid it is closest to, but only when it is
as close as the topic's own members typically are, so loose posts stay unassigned.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

OUTLIER = -1


@dataclass(frozen=True)
class Clustering:
    """The result: ``labels`` (n,), topic ids 0..k-1 by decreasing size, ``-1`` for none;
    ``centroids`` (k, dims) in the reduced space; ``reduced`` (n, dims) unit vectors."""

    labels: np.ndarray
    centroids: np.ndarray
    reduced: np.ndarray
    fitted_on: int


def min_topic_size(n: int) -> int:
    """Half a percent of the posts, at least 10: a topic must be worth a line in a report."""
    return max(10, math.ceil(0.005 * n))


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.clip(norms, 1e-12, None)


def reduce(embeddings: np.ndarray, fit_rows: np.ndarray, dims: int = 5, seed: int = 0) -> np.ndarray:
    """PCA fitted on ``fit_rows``, applied to every row, re-normalised so euclidean ~ cosine."""
    from sklearn.decomposition import PCA

    x = _unit(np.asarray(embeddings, dtype=np.float64))
    dims = max(1, min(dims, x.shape[1], len(fit_rows) - 1))
    # covariance_eigh: exact and deterministic (no random projection), cheap for many rows of
    # few hundred dimensions
    pca = PCA(n_components=dims, svd_solver="covariance_eigh")
    pca.fit(x[fit_rows])
    return _unit(pca.transform(x))


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Topic ids ordered by size (ties by first appearance), so topic 0 is the largest."""
    ids = [t for t in np.unique(labels) if t != OUTLIER]
    order = sorted(ids, key=lambda t: (-int((labels == t).sum()), int(np.argmax(labels == t))))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(t), OUTLIER) for t in labels], dtype=np.int64)


def discover(*args, **kwargs) -> Clustering:
    """Cluster posts by their embeddings (see ``_discover`` for the parameters), with BLAS on one
    thread: the same numbers whatever the core count, and no oversubscription on a busy machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _discover(*args, **kwargs)


def _discover(embeddings: np.ndarray, *, min_size: int | None = None, dims: int = 5,
             fit_max: int = 20_000, seed: int = 0, join_quantile: float = 0.1,
              min_samples: int = 5) -> Clustering:
    """Cluster posts by their embeddings. ``min_size`` defaults to ``min_topic_size(n)``;
    ``join_quantile``: a post joins a topic when its similarity to the centroid reaches that
    quantile of the similarities of the topic's HDBSCAN members (0.1: as close as the loosest
    tenth of them)."""
    from sklearn.cluster import HDBSCAN

    x = np.asarray(embeddings)
    n = len(x)
    if n == 0:
        return Clustering(np.zeros(0, dtype=np.int64), np.zeros((0, 0)), np.zeros((0, 0)), 0)
    min_size = min_size or min_topic_size(n)
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(n, size=fit_max, replace=False)) if n > fit_max else np.arange(n)
    if len(fit_rows) < 2 * min_size:  # too few posts for two topics: nothing to discover
        return Clustering(np.full(n, OUTLIER, dtype=np.int64), np.zeros((0, 0)), np.zeros((n, 0)), len(fit_rows))
    reduced = reduce(x, fit_rows, dims=dims, seed=seed)
    fit = reduced[fit_rows]
    hdb = HDBSCAN(min_cluster_size=min_size, min_samples=min_samples, copy=True)
    fit_labels = _renumber(hdb.fit_predict(fit))
    k = int(fit_labels.max()) + 1
    if k == 0:
        return Clustering(np.full(n, OUTLIER, dtype=np.int64), np.zeros((0, reduced.shape[1])), reduced, len(fit_rows))
    centroids = _unit(np.stack([fit[fit_labels == t].mean(axis=0) for t in range(k)]))
    floors = np.array([np.quantile(fit[fit_labels == t] @ centroids[t], join_quantile) for t in range(k)])
    labels = np.full(n, OUTLIER, dtype=np.int64)
    labels[fit_rows] = fit_labels
    loose = np.flatnonzero(labels == OUTLIER)
    for start in range(0, len(loose), 50_000):  # bounded memory: (chunk, k) similarities at a time
        rows = loose[start:start + 50_000]
        sims = reduced[rows] @ centroids.T
        best = sims.argmax(axis=1)
        close = sims[np.arange(len(rows)), best] >= floors[best]
        labels[rows[close]] = best[close]
    final = _renumber(labels)  # joining changes sizes: topic 0 is the largest after it
    order = [int(labels[np.argmax(final == t)]) for t in range(k)]
    return Clustering(final, centroids[order], reduced, len(fit_rows))
