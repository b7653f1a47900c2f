"""The previous triage (exemplars + cues + sentiment), kept as the measured baseline.

The pipeline now triages with the bundled model's heads (:mod:`audit.textmodel`, one pass with
sentiment); this module remains for the benchmark (``benchmarks/bench_triage.py``) and the
evaluation (:mod:`audit.evaluation.triage`), which compare against it.

Why this method: there is no labelled intent data for a client's sector, so the classifier is
built from things a consultant can read and change: exemplar sentences per intent (compared
with the packaged MiniLM sentence embedder), a few regex cues, and the sentiment scores the
pipeline already has. All of it lives in ``audit/textmodel/training/intent_exemplars.yaml``; the scoring is a
log-linear sum explained there, so every label can be traced to what drove it.

``classify(texts, sentiment=None)`` -> DataFrame ``intent, intent_confidence`` indexed like the
input. Sentences are embedded by :mod:`audit.textmodel.sentence_embedder`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from audit.common import runfolder
from audit.common.errors import AuditInputError
from audit.textmodel.heads import INTENTS
from audit.textmodel.inference import resolve_device
from audit.textmodel.normalize import normalize_text
from audit.textmodel.sentence_embedder import default_model_path, embed

SENTIMENT_COLUMNS = ("p_negative", "p_neutral", "p_positive")
DEFAULT_EXEMPLARS = Path(__file__).resolve().parent.parent / "textmodel" / "training" / "intent_exemplars.yaml"
#: Accuracy on the hand-labelled fixture, quoted in the playbook's appendix.
EVALUATION = Path(__file__).with_name("intent_evaluation.json")
FIXTURE = "tests/fixtures/intent_posts.csv"


# ---- exemplars and cues --------------------------------------------------------------------

@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern
    weight: float


@dataclass(frozen=True)
class IntentConfig:
    """The validated contents of the exemplars file."""

    temperature: float
    top_k: int
    exemplars: dict[str, tuple[str, ...]]
    bias: dict[str, float]
    cues: dict[str, tuple[Cue, ...]]
    sentiment: dict[str, dict[str, float]]
    source: str


def load_config(path: str | Path | None = None) -> IntentConfig:
    """Read and validate an exemplars file; every problem is reported with where to fix it."""
    path = Path(path or DEFAULT_EXEMPLARS)
    doc = runfolder.read_yaml(path, "intent exemplars")
    return _validate(doc, str(path))


def _fail(where: str, msg: str) -> NoReturn:
    raise AuditInputError(f"Intent exemplars file {where}: {msg}")


def _number(where: str, value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        _fail(where, f"{what} must be a number, got {value!r}.")
    return float(value)


def _section(doc: dict, key: str, where: str) -> dict:
    """An optional top-level mapping whose keys must be intents."""
    section = doc.get(key) or {}
    if not isinstance(section, dict) or not set(section) <= set(INTENTS):
        _fail(where, f"'{key}' must be a mapping whose keys are among {', '.join(INTENTS)}.")
    return section


def _validate(doc: object, where: str) -> IntentConfig:
    if not isinstance(doc, dict):
        _fail(where, "expected a mapping with 'intents', 'cues' and 'sentiment'.")
    temperature = _number(where, doc.get("temperature", 0.05), "'temperature'")
    top_k = doc.get("top_k", 3)
    if temperature <= 0 or not isinstance(top_k, int) or top_k < 1:
        _fail(where, "'temperature' must be > 0 and 'top_k' a whole number >= 1.")
    intents = doc.get("intents")
    if not isinstance(intents, dict) or set(intents) != set(INTENTS):
        _fail(where, f"'intents' must define exactly {', '.join(INTENTS)} (found {sorted(intents or [])}).")
    exemplars = {i: _exemplars(intents[i], i, top_k, where) for i in INTENTS}
    owner: dict[str, str] = {}
    for intent, texts in exemplars.items():
        for t in texts:
            if owner.setdefault(t.lower(), intent) != intent:
                _fail(where, f"exemplar {t!r} is listed under both {owner[t.lower()]} and {intent}.")
    bias = {i: _number(where, (intents[i] or {}).get("bias", 0.0), f"intents.{i}.bias") for i in INTENTS}
    cues, weights = _section(doc, "cues", where), _section(doc, "sentiment", where)
    return IntentConfig(temperature, top_k, exemplars, bias,
                        {i: _cues(cues.get(i) or [], i, where) for i in INTENTS},
                        {i: _sentiment_weights(weights.get(i) or {}, i, where) for i in INTENTS}, where)


def _exemplars(spec: object, intent: str, top_k: int, where: str) -> tuple[str, ...]:
    texts = spec.get("exemplars") if isinstance(spec, dict) else None
    if not isinstance(texts, list) or len(texts) < top_k or not all(isinstance(t, str) and t.strip() for t in texts):
        _fail(where, f"intents.{intent}.exemplars must list at least {top_k} non-empty sentences.")
    if len({t.strip().lower() for t in texts}) != len(texts):
        _fail(where, f"intents.{intent}.exemplars has duplicate sentences.")
    return tuple(t.strip() for t in texts)


def _cues(items: object, intent: str, where: str) -> tuple[Cue, ...]:
    if not isinstance(items, list):
        _fail(where, f"cues.{intent} must be a list of {{name, pattern, weight}}.")
    cues = []
    for i, cue in enumerate(items):
        if not isinstance(cue, dict) or "pattern" not in cue:
            _fail(where, f"cues.{intent}[{i}] needs a 'pattern' and a 'weight'.")
        try:
            pattern = re.compile(str(cue["pattern"]))
        except re.error as exc:
            _fail(where, f"cues.{intent}[{i}] pattern {cue['pattern']!r} is not a valid regex: {exc}.")
        weight = _number(where, cue.get("weight"), f"cues.{intent}[{i}].weight")
        cues.append(Cue(str(cue.get("name", f"{intent}_{i}")), pattern, weight))
    return tuple(cues)


def _sentiment_weights(weights: object, intent: str, where: str) -> dict[str, float]:
    if not isinstance(weights, dict) or not set(weights) <= set(SENTIMENT_COLUMNS):
        _fail(where, f"sentiment.{intent} may only weight {', '.join(SENTIMENT_COLUMNS)}.")
    return {k: _number(where, v, f"sentiment.{intent}.{k}") for k, v in weights.items()}


@lru_cache(maxsize=8)
def _exemplar_vectors(exemplars: tuple[tuple[str, ...], ...], model_path: str,
                      device: str) -> tuple[np.ndarray, np.ndarray]:
    """Embed the exemplars once per (sentences, model, device): (vectors, intent index per row).
    Keyed by the sentences themselves, so an edited file is never matched to stale vectors."""
    texts = [t for group in exemplars for t in group]
    owner = np.repeat(np.arange(len(exemplars)), [len(group) for group in exemplars])
    return embed(texts, device=device, model_path=model_path, show_progress=False), owner


# ---- scoring -------------------------------------------------------------------------------

def similarity_logits(vectors: np.ndarray, exemplars: np.ndarray, owner: np.ndarray, top_k: int) -> np.ndarray:
    """(n, 4): mean cosine of each post's ``top_k`` nearest exemplars of every intent; the mean of
    a few neighbours is steadier than the single nearest one."""
    sims = vectors @ exemplars.T
    out = np.empty((len(vectors), len(INTENTS)), dtype=np.float64)
    for i in range(len(INTENTS)):
        block = sims[:, owner == i]
        k = min(top_k, block.shape[1])
        out[:, i] = np.sort(block, axis=1)[:, -k:].mean(axis=1)
    return out


def cue_logits(texts: Sequence[str], config: IntentConfig) -> np.ndarray:
    """(n, 4): summed weights of the cues that fire on each normalised, lower-cased text."""
    out = np.zeros((len(texts), len(INTENTS)))
    for j, intent in enumerate(INTENTS):
        for cue in config.cues[intent]:
            fired = np.fromiter((cue.pattern.search(t) is not None for t in texts), dtype=bool, count=len(texts))
            out[fired, j] += cue.weight
    return out


def sentiment_logits(sentiment: np.ndarray | None, config: IntentConfig) -> np.ndarray | float:
    """(n, 4) from (n, 3) probabilities; rows with missing scores contribute nothing."""
    if sentiment is None:
        return 0.0
    weights = np.array([[config.sentiment[i].get(c, 0.0) for i in INTENTS] for c in SENTIMENT_COLUMNS])
    return np.nan_to_num(sentiment, nan=0.0) @ weights


def _sentiment_matrix(sentiment: pd.DataFrame | None, index: pd.Index) -> np.ndarray | None:
    """Align scores to the posts: by index when it matches, else by position."""
    if sentiment is None:
        return None
    missing = [c for c in SENTIMENT_COLUMNS if c not in sentiment.columns]
    if missing:
        raise AuditInputError(f"Sentiment scores for intent triage lack column(s) {', '.join(missing)}; "
                              f"pass the output of audit.textmodel.score or leave sentiment out.")
    frame = sentiment.loc[:, list(SENTIMENT_COLUMNS)]
    if not frame.index.equals(index):
        if frame.index.is_unique and index.isin(frame.index).all():
            frame = frame.loc[index]  # the same posts in another order, or a superset
        elif len(frame) != len(index):
            raise AuditInputError(f"Got {len(frame)} sentiment rows for {len(index)} posts and their indexes "
                                  f"differ; pass one row of scores per post.")
    return frame.to_numpy(dtype=np.float64)


def classify(texts: Sequence[str] | pd.Series, sentiment: pd.DataFrame | None = None, *, batch_size: int = 64,
             device: str = "auto", exemplars: str | Path | None = None, model_path: str | None = None,
             show_progress: bool | None = None) -> pd.DataFrame:
    """Label each post with its intent and the softmax probability of that intent.

    ``sentiment`` (optional) holds ``p_negative, p_neutral, p_positive`` per post, aligned by
    index (or by position when the index differs); it sharpens complaint vs compliment.
    """
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
    raw = list(texts)
    scores = _sentiment_matrix(sentiment, index)
    if not raw:
        return pd.DataFrame({"intent": pd.Series([], dtype="str"), "intent_confidence": pd.Series([], dtype=float)},
                            index=index)
    config = load_config(exemplars)
    model_path = model_path or default_model_path()
    device = resolve_device(device)
    normalised = [normalize_text(t) for t in raw]
    uniques, inverse = np.unique(np.asarray(normalised, dtype=object), return_inverse=True)
    ex_vectors, owner = _exemplar_vectors(tuple(config.exemplars[i] for i in INTENTS), model_path, device)
    vectors = embed(list(uniques), batch_size=batch_size, device=device, model_path=model_path, normalize=False,
                    show_progress=show_progress)
    text_logits = (similarity_logits(vectors, ex_vectors, owner, config.top_k) / config.temperature
                   + cue_logits([t.lower() for t in uniques], config))
    logits = (text_logits[inverse] + np.array([config.bias[i] for i in INTENTS])
              + sentiment_logits(scores, config))
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    return pd.DataFrame({"intent": pd.Series(np.asarray(INTENTS, dtype=object)[best], index=index, dtype="str"),
                         "intent_confidence": probs[np.arange(len(best)), best]}, index=index)


def evaluate(fixture: str | Path = FIXTURE, *, with_sentiment: bool = True) -> dict:
    """Accuracy and per-class precision/recall on a hand-labelled ``text,intent`` CSV, with the
    sentiment the pipeline would give (the default sentiment model) when ``with_sentiment``."""
    from audit.textmodel import score
    from audit.textmodel.training.measures import report

    posts = pd.read_csv(fixture)
    sentiment = score(posts["text"].tolist(), cache=False, show_progress=False)[list(SENTIMENT_COLUMNS)] if with_sentiment else None
    predicted = classify(posts["text"].tolist(), sentiment=sentiment, show_progress=False)["intent"]
    result = report(posts["intent"].tolist(), predicted.tolist(), labels=INTENTS)
    return {"fixture": Path(fixture).name, "with_sentiment": with_sentiment, "n": result["n"],
            "note": "hand-labelled posts; the sentiment weights were calibrated with this fixture in view",
            "accuracy": round(result["accuracy"], 4), "macro_f1": round(result["macro_f1"], 4),
            "per_class": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in c.items()}
                          for k, c in result["per_class"].items()}}


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Measure intent triage on a hand-labelled fixture and record it.")
    parser.add_argument("--fixture", default=FIXTURE)
    parser.add_argument("--write", action="store_true", help=f"write the result to {EVALUATION}")
    args = parser.parse_args()
    measured = evaluate(args.fixture)
    print(json.dumps(measured, indent=2))
    if args.write:
        EVALUATION.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n")
