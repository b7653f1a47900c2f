"""The bundled encoder: one forward pass, read three ways.

The bundled directory (``audit/textmodel/models/sentiment-minilm``) is a standard Hugging Face
``BertForSequenceClassification``: ``AutoModelForSequenceClassification`` gives sentiment and
``AutoModel`` gives the bare encoder. One call with ``output_hidden_states=True`` yields the
sentiment logits *and* every layer's hidden states, from which :func:`pooled_features` builds
the triage heads' input and :func:`embed` the sentence embeddings; nothing runs twice.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from audit.textmodel.inference import MAX_TOKENS, resolve_device, run_batched, use_all_cores
from audit.textmodel.normalize import normalize_text

#: Hidden-state indices (0 = embeddings, 6 = last layer) mean-pooled for the triage heads: the
#: middle layers keep what the sentiment fine-tuning did not need (question form, topic).
FEATURE_LAYERS = (2, 4, 6)


def _mean_pool(hidden, mask):

    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def pooled_features(hidden_states, attention_mask):
    """(batch, 384 * (len(FEATURE_LAYERS) + 1)): masked means of the chosen layers plus the last
    layer's first ([CLS]) token, as a float32 tensor."""
    import torch

    parts = [_mean_pool(hidden_states[i].float(), attention_mask) for i in FEATURE_LAYERS]
    parts.append(hidden_states[-1][:, 0].float())
    return torch.cat(parts, dim=-1)


def encode(module, tokenizer, texts: list[str], device: str, max_length: int = MAX_TOKENS):
    """One forward of a ``*ForSequenceClassification`` module: (logits, hidden states, mask)."""
    import torch

    enc = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    enc = {k: v.to(device) for k, v in enc.items()}
    with torch.inference_mode():
        out = module(**enc, output_hidden_states=True)
    return out.logits.float(), out.hidden_states, enc["attention_mask"]


def embed(texts: Sequence[object], *, layer: int = -1, batch_size: int = 64, device: str = "auto",
          model: str | None = None, show_progress: bool | None = None) -> np.ndarray:
    """(n, 384) float32 unit-length sentence embeddings from the bundled encoder (attention-masked
    mean of hidden state ``layer``; -1 = last). Texts are normalised as for scoring. Equivalent to
    ``transformers.AutoModel.from_pretrained(DEFAULT_MODEL)`` + mean pooling."""
    import torch

    from audit.textmodel.model import load

    texts = [normalize_text(t) for t in texts]
    m = load(model, resolve_device(device))
    if not texts:
        return np.zeros((0, m.module.config.hidden_size), dtype=np.float32)
    use_all_cores()

    def forward(batch: list[str]) -> np.ndarray:
        _, hidden, mask = encode(m.module, m.tokenizer, batch, m.device)
        return torch.nn.functional.normalize(_mean_pool(hidden[layer].float(), mask), dim=-1).cpu().numpy()

    return run_batched(texts, forward, batch_size, "embed", show_progress)
