"""The text layer: the bundled MiniLM encoder read three ways from one forward pass (sentiment,
triage heads on pooled layers, sentence vectors), plus the sentence embedder topics use.

Modules, from the model outward:

* ``labels``, ``normalize`` - what the model's outputs mean; the text it sees (``@user``, ``http``).
* ``model`` - where the bundled model lives and how it loads (offline, cached per process).
* ``inference``, ``encoder``, ``heads`` - batching, the forward pass and pooling, the triage heads.
* ``forward`` - probabilities for a batch of unique texts (what every engine runs).
* ``engines`` - where that runs: ``local`` or ``dask`` (a registry; an unknown name fails clearly).
* ``cache``, ``scoring`` - :func:`score`: normalise, de-duplicate, look up the cache, score misses.
* ``sentence_embedder`` - the packaged sentence-similarity encoder (topics).
* ``training/`` - the reproducible training scripts (``make model``), not used by a run.
"""
from audit.textmodel.encoder import embed
from audit.textmodel.engines import ENGINES
from audit.textmodel.heads import TRIAGE, TRIAGE_COLUMNS, primary_intent
from audit.textmodel.model import DEFAULT_MODEL
from audit.textmodel.scoring import score

__all__ = ["DEFAULT_MODEL", "ENGINES", "TRIAGE", "TRIAGE_COLUMNS", "embed", "primary_intent", "score"]
