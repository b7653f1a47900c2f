"""Score many texts: normalise, de-duplicate, look up the cache, run the model on the misses.

The engine (``local`` or ``dask``) only decides where the misses are computed; both call
:func:`probabilities` on chunks of unique texts, so their results are the same.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from audit.errors import AuditInputError
from audit.inference import MAX_TOKENS, resolve_device, run_batched, use_all_cores
from audit.sentiment.cache import PROB_COLUMNS, ScoreCache, default_path, text_keys
from audit.sentiment.labels import SENTIMENTS
from audit.sentiment.model import identity as model_key, load
from audit.sentiment.normalize import normalize_text

Engine = Callable[[list[str], dict], np.ndarray]


def probabilities(texts: list[str], model: str | None = None, device: str = "cpu", quantize: bool = False,
                  batch_size: int = 64, max_length: int = MAX_TOKENS, label_map: tuple = (),
                  show_progress: bool | None = None) -> np.ndarray:
    """(n, 3) negative/neutral/positive probabilities for already-normalised texts."""
    import torch

    use_all_cores()
    m = load(model, device, quantize, label_map)

    def forward(batch: list[str]) -> np.ndarray:
        enc = m.tokenizer(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        enc = {k: v.to(m.device) for k, v in enc.items()}
        with torch.inference_mode():
            logits = m.module(**enc).logits.float()
        return (torch.softmax(logits, dim=-1).cpu().numpy() @ m.labels).astype(np.float32)

    return run_batched(texts, forward, batch_size, "sentiment", show_progress).reshape(len(texts), 3)


def _local(texts: list[str], options: dict) -> np.ndarray:
    return probabilities(texts, **options)


def _dask(texts: list[str], options: dict) -> np.ndarray:
    from audit.sentiment.distributed import score_on_dask

    return score_on_dask(texts, options)


ENGINES: dict[str, Engine] = {"local": _local, "dask": _dask}


def get_engine(name: str) -> Engine:
    try:
        return ENGINES[name]
    except KeyError:
        raise AuditInputError(f"No engine named '{name}'. Choose one of: {', '.join(sorted(ENGINES))}.") from None


def score(texts: Sequence[object], model: str | None = None, batch_size: int = 64, device: str = "auto", *,
          quantize: bool = False, cache: str | Path | bool | None = None, engine: str = "local",
          engine_options: dict | None = None, label_map: dict[str, str] | None = None,
          max_length: int = MAX_TOKENS, show_progress: bool | None = None) -> pd.DataFrame:
    """One row per input text: ``label, score, p_negative, p_neutral, p_positive``.

    ``model``: any Hugging Face id (in the local cache) or directory; None = the offline default.
    ``cache``: a path, None for the shared default, False to disable.
    ``df.attrs["cache"]`` reports texts, unique texts, hits, misses and the hit rate.
    """
    run = get_engine(engine)
    device = resolve_device(device)
    norm = [normalize_text(t) for t in texts]
    uniques = sorted(set(norm))
    keys = text_keys(uniques)
    options = dict(model=model, device=device, quantize=quantize, batch_size=batch_size,
                   max_length=max_length, label_map=tuple(sorted((label_map or {}).items())),
                   show_progress=show_progress, **(engine_options or {}))
    identity = model_key(model, quantize, options["label_map"]) + f":len{max_length}"
    store = ScoreCache(default_path() if cache is None else cache) if cache is not False else None
    try:
        if store is not None:
            found, probs = store.get(identity, keys)
        else:
            found, probs = np.zeros(len(uniques), dtype=bool), np.full((len(uniques), 3), np.nan)
        missing = np.flatnonzero(~found)
        if len(missing):
            probs[missing] = run([uniques[i] for i in missing], options)
            if store is not None:
                store.put(identity, [keys[i] for i in missing], probs[missing])
    finally:
        if store is not None:
            store.close()
    index = {t: i for i, t in enumerate(uniques)}
    rows = probs[[index[t] for t in norm]] if norm else np.zeros((0, 3))
    out = pd.DataFrame(rows, columns=list(PROB_COLUMNS))
    best = rows.argmax(axis=1) if len(rows) else np.zeros(0, dtype=int)
    out.insert(0, "label", pd.Series(np.asarray(SENTIMENTS, dtype=object)[best], dtype="string"))
    out.insert(1, "score", rows.max(axis=1) if len(rows) else np.zeros(0))
    hits = int(found.sum())
    out.attrs["cache"] = {
        "texts": len(norm), "unique_texts": len(uniques), "hits": hits, "misses": len(uniques) - hits,
        "hit_rate": round(hits / len(uniques), 4) if uniques else 1.0, "model": identity,
    }
    return out
