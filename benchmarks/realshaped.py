"""Real-shaped text for the benchmarks: unique at the rate of real exports, made of real fragments.

Why: the sample generator's texts repeat, so the score cache scores most of them once and a
benchmark on them measures the cache, not the audit. Real exports barely repeat (the shared TWCS
sample: about 98% of customer posts and 97% of brand replies unique after masking handles and
links). This keeps the generator's structure (who wrote, when, which reply answers which post) and
swaps every text for one recombined from real TWCS texts of the same role: the start of one real
post, the middle of a second and the end of a third, behind the original's own leading mentions.
Lengths, vocabulary and token counts stay real; repeats come only from a set share of copies
(a customer's "@brand help", a brand's template reply), as in real exports.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from audit.common.realdata import TWCS_SAMPLE, real_dir

#: share of texts that are copies of an earlier text of the same role (real exports: ~2% and ~3-8%)
COPIES = {"customer": 0.03, "brand": 0.08}
_LEADING_MENTIONS = re.compile(r"^(?:\s*@\w+)+\s*")


@lru_cache(maxsize=1)
def fragments() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Per role, the real texts cut in three word runs (start, middle, end), mentions removed."""
    raw = pd.read_csv(real_dir() / TWCS_SAMPLE, dtype={"tweet_id": str}, lineterminator="\n")
    out = {}
    for role, inbound in (("customer", True), ("brand", False)):
        texts = raw.loc[raw["inbound"].astype(str).str.lower() == str(inbound).lower(), "text"].astype(str)
        parts: tuple[list[str], list[str], list[str]] = ([], [], [])
        for text in texts:
            words = _LEADING_MENTIONS.sub("", text).split()
            if len(words) < 3:
                continue
            a, b = len(words) // 3, 2 * len(words) // 3
            for part, run in zip(parts, (words[:a], words[a:b], words[b:])):
                part.append(" ".join(run))
        out[role] = parts
    return out


def reshape(frame: pd.DataFrame, seed: int = 5) -> pd.DataFrame:
    """``frame`` (generator layout: ``text``, ``inbound``) with every text replaced by a
    recombined real one; the leading mentions of the original text are kept."""
    rng = np.random.default_rng(seed)
    pools = fragments()
    inbound = frame["inbound"].astype(str).str.lower().eq("true").to_numpy()
    texts = frame["text"].astype(str).to_numpy()
    out = np.empty(len(frame), dtype=object)
    for role, rows in (("customer", np.flatnonzero(inbound)), ("brand", np.flatnonzero(~inbound))):
        start, middle, end = (np.asarray(p, dtype=object) for p in pools[role])
        picks = [rng.integers(0, len(p), len(rows)) for p in (start, middle, end)]
        bodies = start[picks[0]] + " " + middle[picks[1]] + " " + end[picks[2]]
        copy = rng.random(len(rows)) < COPIES[role]
        copy[0] = False
        source = np.where(copy, rng.integers(0, np.maximum(np.arange(len(rows)), 1)), np.arange(len(rows)))
        bodies = bodies[source]
        mentions = np.array([m.group(0) if (m := _LEADING_MENTIONS.match(t)) else "" for t in texts[rows]], dtype=object)
        out[rows] = mentions + bodies
    return frame.assign(text=out)


def uniqueness(frame: pd.DataFrame) -> dict[str, float]:
    """Share of unique texts per role once handles and links are masked, as the scorer sees them."""
    from audit.textmodel.normalize import normalize_text

    inbound = frame["inbound"].astype(str).str.lower().eq("true")
    return {role: round(frame.loc[mask, "text"].map(normalize_text).nunique() / max(int(mask.sum()), 1), 4)
            for role, mask in (("customer", inbound), ("brand", ~inbound))}
