"""Sentence embeddings for topic discovery, from the bundled offline encoder.

Why this encoder: topics need an embedder trained for sentence similarity. Measured on 130
hand-labelled real customer posts (README, "What customers write about"), the packaged
all-MiniLM-L6-v2 sentence embedder (the one intent triage uses) gives topic homogeneity 0.64,
the sentiment model's fine-tuned encoder 0.07: fine-tuning for sentiment folds the space along
mood, not subject (``audit.textmodel.embed``, the same encoder with triage heads: 0.07 from
its last layer, 0.19 from its middle layer 3). So this adapter reuses ``audit.textmodel.sentence_embedder.embed`` (mean pooling over
``AutoModel`` hidden states, length-sorted batches from ``audit.textmodel.inference``, inference mode,
nothing downloaded). Swap the encoder here, in one place, and re-measure before you do.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def embed(texts: Sequence[str], *, device: str = "auto", batch_size: int = 64,
          model_path: str | None = None, show_progress: bool | None = None,
          cache: str | Path | bool | None = False) -> np.ndarray:
    """(n, d) unit-length float32 embeddings of ``texts`` (handles and links normalised).

    ``cache``: the score cache file (None: the shared default, False: none). Cached by the
    embedder's identity and the normalised text, like the scores, so re-running the scoring
    stage embeds nothing twice and identical posts are embedded once.
    """
    from audit.textmodel import sentence_embedder
    from audit.textmodel.cache import ScoreCache, default_path, text_keys
    from audit.textmodel.model import model_identity
    from audit.textmodel.normalize import normalize_text

    texts = list(texts)
    if not texts:
        return compute_embeddings(texts, device, batch_size, model_path, show_progress)
    keys = text_keys([normalize_text(t) for t in texts])
    first: dict[bytes, str] = {}
    for key, text in zip(keys, texts):
        first.setdefault(key, text)  # identical posts are embedded once
    found: dict[bytes, np.ndarray] = {}
    store = None if cache is False else ScoreCache(default_path() if cache is None else cache)
    identity = "embed:" + model_identity(model_path or sentence_embedder.default_model_path()) if store is not None else ""
    try:
        if store is not None:
            found = store.get_vectors(identity, list(first))
        missing = [k for k in first if k not in found]
        if missing:
            vectors = compute_embeddings([first[k] for k in missing], device, batch_size, model_path, show_progress)
            if store is not None:
                store.put_vectors(identity, missing, vectors)
            found.update(zip(missing, vectors.astype(np.float32)))
    finally:
        if store is not None:
            store.close()
    return np.stack([found[k] for k in keys]).astype(np.float32)


def compute_embeddings(texts: list[str], device: str, batch_size: int, model_path: str | None,
                       show_progress: bool | None) -> np.ndarray:
    """The encoder itself, no cache (``audit.textmodel.sentence_embedder.embed``)."""
    from audit.textmodel import sentence_embedder
    return sentence_embedder.embed(texts, batch_size=batch_size, device=device, model_path=model_path,
                        show_progress=show_progress)
