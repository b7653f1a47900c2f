"""Score many texts: normalise, de-duplicate, look up the cache, run the model on the misses.

The engine (:mod:`audit.textmodel.engines`) only decides where the misses are computed; every
engine runs :func:`audit.textmodel.forward.probabilities`, so their results are the same.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from audit.textmodel.cache import PROB_COLUMNS, TRIAGE_TABLE, ScoreCache, default_path, text_keys
from audit.textmodel.engines import get_engine
from audit.textmodel.heads import TRIAGE, TRIAGE_COLUMNS
from audit.textmodel.inference import MAX_TOKENS, resolve_device
from audit.textmodel.labels import SENTIMENTS
from audit.textmodel.model import DEFAULT_MODEL, triage_identity
from audit.textmodel.model import identity as model_key
from audit.textmodel.normalize import normalize_text


def _is_bundled(model: str | None) -> bool:
    return model is None or Path(str(model)).resolve() == DEFAULT_MODEL.resolve()


def score(texts: Sequence[object], model: str | None = None, batch_size: int = 64, device: str = "auto", *,
          quantize: bool = False, cache: str | Path | bool | None = None, engine: str = "local",
          engine_options: dict | None = None, label_map: dict[str, str] | None = None,
          max_length: int = MAX_TOKENS, show_progress: bool | None = None, triage: bool = False) -> pd.DataFrame:
    """One row per input text: ``label, score, p_negative, p_neutral, p_positive`` and, with
    ``triage``, ``p_question, p_complaint, p_compliment`` from the bundled model's heads.

    ``model``: any Hugging Face id (in the local cache) or directory; None = the offline default.
    With the default model, sentiment and triage come from one forward pass per text; with
    another model, triage still comes from the bundled encoder (a second pass over the misses).
    ``cache``: a path, None for the shared default, False to disable. Sentiment and triage are
    cached separately (keyed by their model identities), so either is reused on its own.
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
    triage_key = triage_identity(quantize) + f":len{max_length}"
    one_pass = triage and _is_bundled(model) and not options["label_map"]
    store = ScoreCache(default_path() if cache is None else cache) if cache is not False else None
    n = len(uniques)
    try:
        found, probs = store.get(identity, keys) if store is not None else (np.zeros(n, bool), np.full((n, 3), np.nan))
        t_found, t_probs = (store.get(triage_key, keys, TRIAGE_TABLE) if store is not None and triage
                            else (np.ones(n, bool) if not triage else np.zeros(n, bool), np.full((n, len(TRIAGE)), np.nan)))
        if one_pass:
            need = np.flatnonzero(~found | ~t_found)
            if len(need):
                both = run([uniques[i] for i in need], {**options, "triage": True})
                probs[need], t_probs[need] = both[:, :3], both[:, 3:]
            s_new, t_new = np.flatnonzero(~found), np.flatnonzero(~t_found)
        else:
            s_new = np.flatnonzero(~found)
            if len(s_new):
                probs[s_new] = run([uniques[i] for i in s_new], options)
            t_new = np.flatnonzero(~t_found)
            if len(t_new):
                bundled = {**options, "model": None, "label_map": (), "triage": True}
                t_probs[t_new] = run([uniques[i] for i in t_new], bundled)[:, 3:]
        if store is not None:
            store.put(identity, [keys[i] for i in s_new], probs[s_new])
            if triage:
                store.put(triage_key, [keys[i] for i in t_new], t_probs[t_new], TRIAGE_TABLE)
    finally:
        if store is not None:
            store.close()
    index = {t: i for i, t in enumerate(uniques)}
    rows = [index[t] for t in norm]
    sent = probs[rows] if norm else np.zeros((0, 3))
    out = pd.DataFrame(sent, columns=list(PROB_COLUMNS))
    best = sent.argmax(axis=1) if len(sent) else np.zeros(0, dtype=int)
    out.insert(0, "label", pd.Series(np.asarray(SENTIMENTS, dtype=object)[best], dtype="string"))
    out.insert(1, "score", sent.max(axis=1) if len(sent) else np.zeros(0))
    if triage:
        out[list(TRIAGE_COLUMNS)] = t_probs[rows] if norm else np.zeros((0, len(TRIAGE)))
    hits = int((found & t_found).sum())
    out.attrs["cache"] = {
        "texts": len(norm), "unique_texts": n, "hits": hits, "misses": n - hits,
        "hit_rate": round(hits / n, 4) if uniques else 1.0, "model": identity,
        **({"triage_model": triage_key} if triage else {}),
    }
    return out
