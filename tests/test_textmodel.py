"""The bundled text model: sentiment and triage heads from one encoder pass, cached together."""
from __future__ import annotations

import numpy as np

from audit.sentiment import DEFAULT_MODEL
from audit.textmodel import embed

POSTS = [
    "@AcmeHelp my parcel never arrived and nobody answers the phone",
    "@AcmeHelp how do I change the delivery address on my order?",
    "@AcmeHelp thank you so much, the engineer was brilliant today!",
]


def test_embed_matches_plain_transformers_mean_pooling():
    import torch
    from transformers import AutoModel, AutoTokenizer

    vectors = embed(POSTS[:3], device="cpu")
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    tok = AutoTokenizer.from_pretrained(DEFAULT_MODEL)
    model = AutoModel.from_pretrained(DEFAULT_MODEL, dtype=torch.float32).eval()
    from audit.sentiment.normalize import normalize_text

    enc = tok([normalize_text(t) for t in POSTS[:3]], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert np.allclose(vectors, pooled, atol=1e-4)
