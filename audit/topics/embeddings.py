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

import numpy as np


def embed(texts: Sequence[str], *, device: str = "auto", batch_size: int = 64,
          model_path: str | None = None, show_progress: bool | None = None) -> np.ndarray:
    """(n, d) unit-length float32 embeddings of ``texts`` (handles and links normalised)."""
    from audit import intent

    return intent.embed(list(texts), batch_size=batch_size, device=device, model_path=model_path,
                        show_progress=show_progress)
