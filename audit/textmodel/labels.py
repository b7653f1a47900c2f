"""Map any classifier's labels onto negative / neutral / positive.

Models name their classes differently; the audit needs three probabilities. Each model label
becomes a row of a (n_labels x 3) matrix, so ``softmax(logits) @ M`` gives ``p_negative,
p_neutral, p_positive`` (a 5-star model sums its stars into the three buckets).

Generic names (``LABEL_0`` ...) follow the conventions of the best-known models of each size:

| classes | LABEL_0 | LABEL_1 | LABEL_2 | LABEL_3 | LABEL_4 | convention of |
|---|---|---|---|---|---|---|
| 2 | negative | positive | | | | SST-2 (distilbert-base-uncased-finetuned-sst-2-english) |
| 3 | negative | neutral | positive | | | cardiffnlp/twitter-roberta-base-sentiment |
| 5 | negative | negative | neutral | positive | positive | 1-5 stars (nlptown/bert-base-multilingual-uncased-sentiment) |

Pass ``label_map`` to override for a model that follows none of these.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from audit.common.errors import AuditInputError

SENTIMENTS = ("negative", "neutral", "positive")

_NAMED = {
    "negative": "negative", "neg": "negative", "very negative": "negative", "bad": "negative",
    "neutral": "neutral", "neu": "neutral", "mixed": "neutral",
    "positive": "positive", "pos": "positive", "very positive": "positive", "good": "positive",
}
_GENERIC = {
    2: ("negative", "positive"),
    3: ("negative", "neutral", "positive"),
    5: ("negative", "negative", "neutral", "positive", "positive"),
}
_STARS = re.compile(r"^([1-5])\s*stars?$")


def _name_to_sentiment(name: str, n: int) -> str | None:
    key = name.strip().lower().replace("_", " ")
    if key in _NAMED:
        return _NAMED[key]
    stars = _STARS.match(key)
    if stars:
        return _GENERIC[5][int(stars.group(1)) - 1]
    generic = re.fullmatch(r"label ?(\d+)", key)
    if generic and n in _GENERIC and int(generic.group(1)) < n:
        return _GENERIC[n][int(generic.group(1))]
    return None


def label_matrix(id2label: Mapping[int, str], label_map: Mapping[str, str] | None = None) -> np.ndarray:
    """Rows in model-label order, columns negative/neutral/positive; fails on an unknown label."""
    n = len(id2label)
    m = np.zeros((n, 3), dtype=np.float32)
    unknown = []
    for i in range(n):
        name = str(id2label[i])
        target = (label_map or {}).get(name) or _name_to_sentiment(name, n)
        if target not in SENTIMENTS:
            unknown.append(name)
            continue
        m[i, SENTIMENTS.index(target)] = 1.0
    if unknown:
        raise AuditInputError(
            f"The model's labels {sorted(map(str, id2label.values()))} cannot be mapped to "
            f"negative/neutral/positive (unknown: {unknown}). Pass a label map, e.g. "
            f"--label-map '{{\"{unknown[0]}\": \"negative\"}}'."
        )
    return m
