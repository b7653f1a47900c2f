"""Triage heads: independent probabilities for question, complaint and compliment.

A post can be a question *and* a complaint, so each head is its own sigmoid. The heads read the
pooled encoder features (:func:`audit.textmodel.encoder.pooled_features`) and are stored beside
the encoder as ``triage_heads.safetensors`` (with ``triage_heads.json`` for their shape).

Primary intent (the one label the playbook routes on), by this rule:
complaint if ``p_complaint >= 0.5`` (service recovery comes first, even when it is asked as a
question); else question if ``p_question >= 0.5``; else compliment if ``p_compliment >= 0.5``;
else other.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

TRIAGE = ("question", "complaint", "compliment")
TRIAGE_COLUMNS = tuple(f"p_{t}" for t in TRIAGE)
INTENTS = ("question", "complaint", "compliment", "other")
THRESHOLD = 0.5
#: Order in which a positive head wins the primary intent.
PRIORITY = ("complaint", "question", "compliment")
HEADS_FILE = "triage_heads.safetensors"
HEADS_CONFIG = "triage_heads.json"


def build(in_features: int, hidden: int = 0, dropout: float = 0.1):
    """One logit per triage label from the features, each row layer-normalised first (the pooled
    layers differ in scale): linear when ``hidden`` is 0, else a one-hidden-layer MLP."""
    import torch

    layers = [torch.nn.LayerNorm(in_features, elementwise_affine=False), torch.nn.Dropout(dropout)]
    if hidden:
        layers += [torch.nn.Linear(in_features, hidden), torch.nn.GELU(), torch.nn.Dropout(dropout)]
    layers.append(torch.nn.Linear(hidden or in_features, len(TRIAGE)))
    return torch.nn.Sequential(*layers)


def save(heads, config: dict, directory: Path) -> None:
    from safetensors.torch import save_file

    state = {k: v.detach().half().contiguous() for k, v in heads.state_dict().items()}
    save_file(state, str(directory / HEADS_FILE))
    (directory / HEADS_CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def load(directory: Path):
    """The heads in eval mode (fp32), or None when the directory has none (a user's own model)."""
    from safetensors.torch import load_file

    directory = Path(directory)
    if not (directory / HEADS_FILE).exists():
        return None
    config = json.loads((directory / HEADS_CONFIG).read_text())
    heads = build(config["in_features"], config["hidden"])
    heads.load_state_dict({k: v.float() for k, v in load_file(str(directory / HEADS_FILE)).items()})
    heads.eval()
    return heads


def primary_intent(probs: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """``intent, intent_confidence`` from ``p_question, p_complaint, p_compliment`` by the rule in
    the module docstring; the confidence of ``other`` is one minus the largest probability."""
    p = probs[list(TRIAGE_COLUMNS)].to_numpy(dtype=float) if isinstance(probs, pd.DataFrame) else np.asarray(probs, dtype=float)
    index = probs.index if isinstance(probs, pd.DataFrame) else pd.RangeIndex(len(p))
    intent = np.full(len(p), "other", dtype=object)
    confidence = 1.0 - (p.max(axis=1) if len(p) else np.zeros(0))
    decided = np.zeros(len(p), dtype=bool)
    for label in PRIORITY:
        j = TRIAGE.index(label)
        hit = ~decided & (p[:, j] >= THRESHOLD)
        intent[hit], confidence[hit] = label, p[hit, j]
        decided |= hit
    return pd.DataFrame({"intent": pd.Series(intent, index=index, dtype="str"),
                         "intent_confidence": confidence}, index=index)
