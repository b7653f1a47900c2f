"""The forward pass over a list of unique, normalised texts: what every engine runs.

Why its own module: the engines (:mod:`audit.textmodel.engines`) decide *where* texts are scored,
this decides *how*; both the caller's process and a Dask worker import it, and nothing here knows
about engines, caches or run folders.
"""
from __future__ import annotations

import numpy as np

from audit.common.errors import AuditInputError
from audit.textmodel.heads import TRIAGE
from audit.textmodel.inference import MAX_TOKENS, run_batched, use_all_cores
from audit.textmodel.model import load


def probabilities(texts: list[str], model: str | None = None, device: str = "cpu", quantize: bool = False,
                  batch_size: int = 64, max_length: int = MAX_TOKENS, label_map: tuple = (),
                  show_progress: bool | None = None, triage: bool = False) -> np.ndarray:
    """(n, 3) negative/neutral/positive probabilities for already-normalised texts; with
    ``triage`` (the bundled model only) (n, 6), adding question/complaint/compliment
    probabilities computed from the same forward pass."""
    import torch

    from audit.textmodel.encoder import encode, pooled_features

    use_all_cores()
    m = load(model, device, quantize, label_map)
    if triage and m.heads is None:
        raise AuditInputError(f"The model '{m.name}' has no triage heads; triage needs the bundled model.")

    def forward(batch: list[str]) -> np.ndarray:
        logits, hidden, mask = encode(m.module, m.tokenizer, batch, m.device, max_length)
        sentiment = (torch.softmax(logits, dim=-1).cpu().numpy() @ m.labels).astype(np.float32)
        if not triage:
            return sentiment
        with torch.inference_mode():
            heads = torch.sigmoid(m.heads(pooled_features(hidden, mask)).float()).cpu().numpy()
        return np.hstack([sentiment, heads]).astype(np.float32)

    width = 3 + len(TRIAGE) if triage else 3
    return run_batched(texts, forward, batch_size, "sentiment", show_progress).reshape(len(texts), width)
