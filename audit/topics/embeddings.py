"""Sentence embeddings for topic discovery, from the bundled offline encoder.

Why this encoder: topics need an embedder trained for sentence similarity. Measured on 130
hand-labelled real customer posts (README, "What customers write about"), the packaged
all-MiniLM-L6-v2 sentence embedder (the one intent triage uses) gives topic homogeneity 0.64,
the sentiment model's fine-tuned encoder 0.07: fine-tuning for sentiment folds the space along
mood, not subject (``audit.textmodel.embed``, the same encoder with triage heads: 0.07 from
its last layer, 0.19 from its middle layer 3). So this adapter reuses ``audit.intent.embed`` (mean pooling over
``AutoModel`` hidden states, length-sorted batches from ``audit.inference``, inference mode,
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
    from audit import intent
    from audit.sentiment.cache import ScoreCache, default_path, text_keys
    from audit.sentiment.model import model_identity
    from audit.sentiment.normalize import normalize_text

    texts = list(texts)

    def compute(batch: list[str]) -> np.ndarray:
        return intent.embed(batch, batch_size=batch_size, device=device, model_path=model_path,
                            show_progress=show_progress)

    if cache is False or not texts:
        return compute(texts)
    keys = text_keys([normalize_text(t) for t in texts])
    unique = list(dict.fromkeys(keys))
    first = {k: texts[i] for i, k in reversed(list(enumerate(keys)))}
    identity = "embed:" + model_identity(model_path or intent.default_model_path())
    with ScoreCache(default_path() if cache is None else cache) as store:
        found = store.get_vectors(identity, unique)
        missing = [k for k in unique if k not in found]
        if missing:
            vectors = compute([first[k] for k in missing])
            store.put_vectors(identity, missing, vectors)
            found.update(zip(missing, vectors.astype(np.float32)))
    return np.stack([found[k] for k in keys]).astype(np.float32)
