"""Replies stamped before the post they answer (clock skew between systems): one rule.

Why: a brand reply stamped 7 minutes before the customer's post would sort ahead of it, so the
post looks unanswered (halving a response rate) and reply times turn negative. A reply cannot
precede its parent, so its time is clamped to the latest time on its chain of parents; ingest
counts how many posts moved (``reply_before_parent``) and threads apply the same rule to any
frame they are given, so every figure sees the same times.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def clamp_to_parents(messages: pd.DataFrame) -> tuple[pd.Series, int]:
    """``created_at`` with each reply moved up to its latest ancestor's time, and how many moved.

    The latest ancestor time comes by pointer jumping (O(n log depth)); a missing parent ends a
    chain. Posts on or below a reply cycle keep their time: threads cut the cycle at its earliest
    post, which needs the times as written.
    """
    when = messages["created_at"]
    if when.empty or messages["reply_to_id"].isna().all():
        return when, 0
    found = pc.index_in(pa.array(messages["reply_to_id"], pa.large_string()),
                        value_set=pa.array(messages["message_id"], pa.large_string()))
    positions = found.to_numpy(zero_copy_only=False)
    own = np.arange(len(messages))
    parent = np.where(pd.isna(positions), own, positions).astype(np.int64)
    jump = parent
    stamp = when.to_numpy(dtype="datetime64[ns]").view(np.int64)
    latest = stamp.copy()
    for _ in range(max(len(own), 1).bit_length() + 1):
        latest = np.maximum(latest, latest[jump])
        ahead = jump[jump]
        if np.array_equal(ahead, jump):
            break
        jump = ahead
    acyclic = parent[jump] == jump  # the chain ends at a root, not on a cycle
    moved = (latest > stamp) & acyclic
    if not moved.any():
        return when, 0
    latest = np.where(moved, latest, stamp)
    clamped = pd.Series(latest.view("datetime64[ns]"), index=when.index).dt.tz_localize("UTC")
    return clamped.astype(when.dtype), int(moved.sum())
