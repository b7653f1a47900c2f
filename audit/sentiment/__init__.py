"""Transformer sentiment for every message, offline by default.

``score(texts, model=None, batch_size=64, device="auto")`` -> DataFrame with ``label, score,
p_negative, p_neutral, p_positive``. See :mod:`audit.sentiment.scoring`.
"""
from audit.sentiment.model import DEFAULT_MODEL
from audit.sentiment.scoring import ENGINES, score

__all__ = ["DEFAULT_MODEL", "ENGINES", "score"]
