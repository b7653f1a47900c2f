"""Classification metrics without extra dependencies (used by training, the benchmark and tests)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

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


def binary_report(y: Sequence[float], p: Sequence[float], threshold: float = 0.5) -> dict:
    """Precision/recall/F1 of the positive class and the macro-F1 over yes/no, at ``threshold``."""
    r = report(["yes" if v else "no" for v in y], ["yes" if v >= threshold else "no" for v in p], labels=("no", "yes"))
    return {"n": r["n"], "positives": int(np.sum(y)), "macro_f1": round(r["macro_f1"], 4),
            **{m: round(r["per_class"]["yes"][m], 4) for m in ("precision", "recall", "f1")}}


def macro_recall(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    """Mean per-class recall (TweetEval's sentiment measure): every class counts, whatever its size."""
    return float(np.mean([c["recall"] for c in report(y_true, y_pred, labels)["per_class"].values()]))


def bootstrap(measure: Callable[[np.ndarray], float], n: int, draws: int = 1000, seed: int = 0) -> list[float]:
    """95% percentile interval of ``measure(rows)`` over resampled row indices: the spread a figure
    measured on a few hundred hand-labelled posts carries, reported beside it."""
    rng = np.random.default_rng(seed)
    values = [measure(rng.integers(0, n, n)) for _ in range(draws)]
    return [round(float(np.percentile(values, 2.5)), 4), round(float(np.percentile(values, 97.5)), 4)]
