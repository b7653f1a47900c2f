"""Classification metrics without extra dependencies (used by training, the benchmark and tests)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from audit.textmodel.labels import SENTIMENTS as LABELS


def confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS) -> np.ndarray:
    """Rows are true labels, columns predicted labels, in ``labels`` order."""
    index = {label: i for i, label in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(y_true, y_pred):
        m[index[t], index[p]] += 1
    return m


def report(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS) -> dict:
    """Per-class precision/recall/F1, accuracy and macro-F1, plus the confusion matrix."""
    m = confusion(y_true, y_pred, labels)
    per_class = {}
    for i, label in enumerate(labels):
        tp = m[i, i]
        precision = tp / m[:, i].sum() if m[:, i].sum() else 0.0
        recall = tp / m[i, :].sum() if m[i, :].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": float(precision), "recall": float(recall), "f1": float(f1), "support": int(m[i, :].sum())}
    total = int(m.sum())
    return {
        "n": total,
        "accuracy": float(np.trace(m) / total) if total else 0.0,
        "macro_f1": float(np.mean([c["f1"] for c in per_class.values()])),
        "per_class": per_class,
        "confusion": m.tolist(),
        "labels": list(labels),
    }
